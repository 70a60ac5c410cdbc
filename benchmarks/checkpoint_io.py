"""Save + restore a 100 MB checkpoint (25 float32 variables of 1M elements) with Saver.

    python benchmarks/checkpoint_io.py            # tensorweave, then TF in /tmp/tfvenv
    python benchmarks/checkpoint_io.py --tf-only  # (run by the first, in TF's venv)

Prints the best of 3 save and restore times (seconds, MB/s) for each framework and the
ratios ours / TF. Files go to a temporary directory on the same disk for both.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N_VARS = 25
N_ELEMS = 1 << 20  # 4 MiB of float32 each: 100 MiB in all
REPEATS = 3
TF_PYTHON = os.environ.get("TF_PYTHON", "/tmp/tfvenv/bin/python")


def run(tf):
    rng = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        vs = [tf.Variable(rng.rand(N_ELEMS).astype(np.float32), name="v%02d" % i)
              for i in range(N_VARS)]
        saver = tf.train.Saver()
        mb = N_VARS * N_ELEMS * 4 / 1e6
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
                prefix = os.path.join(d, "model")
                save_t, restore_t = [], []
                for _ in range(REPEATS):
                    t0 = time.perf_counter()
                    saver.save(sess, prefix, write_meta_graph=False)
                    save_t.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    saver.restore(sess, prefix)
                    restore_t.append(time.perf_counter() - t0)
                assert sess.run(vs[3]).shape == (N_ELEMS,)
    return {"MB": mb, "save_s": min(save_t), "restore_s": min(restore_t)}


def main():
    if "--tf-only" in sys.argv:
        import tensorflow.compat.v1 as tf

        tf.disable_v2_behavior()
        print(json.dumps(run(tf)))
        return
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import tensorweave as tw

    if not hasattr(tw.train, "Saver"):
        from tensorweave.compat.api import train_saver

        for k in ("Saver",):
            setattr(tw.train, k, getattr(train_saver, k))
    ours = run(tw)
    theirs = None
    try:
        p = subprocess.run([TF_PYTHON, os.path.abspath(__file__), "--tf-only"],
                           capture_output=True, text=True, timeout=600)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        theirs = json.loads(lines[-1]) if lines else None
    except (OSError, subprocess.TimeoutExpired):
        pass
    for name, r in (("tensorweave", ours), ("tensorflow.compat.v1", theirs)):
        if r is None:
            print("%-22s not available" % name)
            continue
        print("%-22s save %.3f s (%.0f MB/s)  restore %.3f s (%.0f MB/s)" % (
            name, r["save_s"], r["MB"] / r["save_s"], r["restore_s"],
            r["MB"] / r["restore_s"]))
    if theirs:
        print("ratio ours/TF: save %.2fx  restore %.2fx" % (
            ours["save_s"] / theirs["save_s"], ours["restore_s"] / theirs["restore_s"]))


if __name__ == "__main__":
    main()
