"""Record op names, types and selected tensors of the name snippets from real TensorFlow.

    /tmp/tfvenv/bin/python tests/reference/record_names.py

Writes tests/data/reference/names.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reflib
from name_cases import SNIPPETS


def record_snippet(tf, code):
    graph, r = reflib.exec_snippet(tf, code)
    with graph.as_default():
        return {
            "code": code,
            "ops": reflib.op_list(graph),
            "global_variables": [v.name for v in tf.global_variables()],
            "trainable_variables": [v.name for v in tf.trainable_variables()],
            "selected": {k: reflib.describe(tf, v) for k, v in r.items()},
        }


def main():
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    out = {"tensorflow_version": tf.VERSION, "snippets": {}}
    for s in SNIPPETS:
        out["snippets"][s["id"]] = record_snippet(tf, s["code"])
    reflib.dump_json(out, "names.json")
    print(f"recorded {len(out['snippets'])} snippets")


if __name__ == "__main__":
    main()
