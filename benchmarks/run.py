"""Benchmark runner: steps/s and peak RSS for tensorweave and, when available, real TF.

python benchmarks/run.py [WORKLOAD ...]
TF's figures come from `tensorflow.compat.v1` measured in the same run: in this Python if
`tensorflow` imports, else through the interpreter named by TENSORWEAVE_TF_PYTHON.
Each (backend, workload) runs in its own subprocess so peak RSS is per workload.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _measure(backend, name, seconds):
    sys.path.insert(0, HERE)
    sys.path.insert(0, ROOT)
    import workloads

    if backend == "tf":
        import tensorflow.compat.v1 as tf

        tf.disable_eager_execution()
    else:
        import tensorweave as tf
    step, hint = workloads.WORKLOADS[name](tf)
    for _ in range(max(1, hint // 20)):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and n >= 3:
            break
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"backend": backend, "workload": name, "steps_per_s": n / dt, "steps": n,
            "peak_rss_mb": rss_mb}


def _tf_python():
    try:
        import tensorflow  # noqa: F401

        return sys.executable
    except ImportError:
        return os.environ.get("TENSORWEAVE_TF_PYTHON")


def _run_one(python, backend, name, seconds):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([python, os.path.abspath(__file__), "--one", name, "--backend", backend,
                        "--seconds", str(seconds)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workloads", nargs="*")
    p.add_argument("--one")
    p.add_argument("--backend", default="tw")
    p.add_argument("--seconds", type=float, default=3.0)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_measure(args.backend, args.one, args.seconds)))
        return
    sys.path.insert(0, HERE)
    import workloads

    names = args.workloads or list(workloads.WORKLOADS)
    tf_py = _tf_python()
    print("%-14s %14s %10s %14s %10s %8s" % ("workload", "tensorweave/s", "rss MB", "tf/s",
                                             "tf rss", "ratio"))
    for name in names:
        ours = _run_one(sys.executable, "tw", name, args.seconds)
        theirs = _run_one(tf_py, "tf", name, args.seconds) if tf_py else None
        if "error" in ours:
            print("%-14s ERROR %s" % (name, ours["error"]))
            continue
        line = "%-14s %14.1f %10.0f" % (name, ours["steps_per_s"], ours["peak_rss_mb"])
        if theirs and "error" not in theirs:
            line += " %14.1f %10.0f %7.2fx" % (theirs["steps_per_s"], theirs["peak_rss_mb"],
                                               ours["steps_per_s"] / theirs["steps_per_s"])
        elif theirs:
            line += "  TF error: %s" % theirs["error"]
        print(line, flush=True)


if __name__ == "__main__":
    main()
