"""Record op reference values from real TensorFlow (tensorflow.compat.v1, TF1 behaviour).

    /tmp/tfvenv/bin/python tests/reference/record_ops.py [--only SUBSTRING]

Writes tests/data/reference/ops.json (metadata, sorted) and ops.npz (inputs and outputs).
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reflib
from op_cases import CASES


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None, help="record only case ids containing this")
    args = ap.parse_args()

    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)

    meta_all = {}
    arrays = {}
    problems = []
    fatal = []
    for c in CASES:
        if args.only and args.only not in c["id"]:
            continue
        for dtype in c["dtypes"]:
            key = f"{c['id']}.{dtype}"
            rng = np.random.default_rng(zlib.crc32(key.encode()))
            inputs = []
            feeds_np = {}
            for name, shape, kind, idt in c["inputs"]:
                idt = dtype if idt == "T" else idt
                inputs.append({"name": name, "shape": shape, "kind": kind, "dtype": idt})
                val = reflib.make_value(rng, shape, kind, idt)
                feeds_np[name] = val
                arrays[f"{key}/in/{name}"] = val
            meta = {
                "id": c["id"], "dtype": dtype, "expr": c["expr"], "inputs": inputs,
                "note": c["note"], "tol": {k: list(v) for k, v in c["tol"].items()},
                "novalue": c["novalue"],
            }
            variants = ["known"]
            if c["unknown"] and any(len(i["shape"]) > 0 for i in inputs):
                variants.append("unknown")
            values = None
            for variant in variants:
                try:
                    g, phs, outs = reflib.build_case(tf, meta, variant)
                except Exception as e:  # noqa: BLE001
                    if variant == "known":
                        fatal.append(f"{key}: cannot build: {e!r}"[:300])
                        break
                    meta["unknown_error"] = f"{type(e).__name__}: {e}"[:300]
                    problems.append(f"{key} [unknown] build error {type(e).__name__}")
                    continue
                meta[variant] = {"outputs": [reflib.describe_tensor(t) for t in outs]}
                if variant == "known" and dtype == c["dtypes"][0]:
                    # the ops the expression created (for reference; not asserted by tests)
                    meta[variant]["ops"] = reflib.op_list(g)[len(phs):]
                if meta["novalue"]:
                    continue
                try:
                    with tf.Session(graph=g) as sess:
                        vals = sess.run(outs, {phs[n]: v for n, v in feeds_np.items()})
                except Exception as e:
                    if variant == "known":
                        meta["novalue"] = True
                        meta["value_error"] = f"{type(e).__name__}: {e}"[:300]
                        problems.append(f"{key} run error {type(e).__name__}: {str(e)[:100]}")
                        break
                    raise
                vals = [np.asarray(v) for v in vals]
                if variant == "known":
                    values = vals
                    for i, v in enumerate(vals):
                        arrays[f"{key}/out/{i}"] = v
                else:
                    for a, b in zip(vals, values):
                        np.testing.assert_array_equal(a, b, err_msg=key)
            if "known" in meta:
                meta_all[key] = meta
    if fatal:
        print("\n".join(fatal))
        raise SystemExit(f"{len(fatal)} cases could not be built")
    out = {"tensorflow_version": tf.VERSION, "cases": meta_all}
    reflib.dump_json(out, "ops.json")
    reflib.save_arrays(arrays, "ops.npz")
    print(f"recorded {len(meta_all)} case variants, {len(arrays)} arrays")
    for p in problems:
        print("  note:", p)


if __name__ == "__main__":
    main()
