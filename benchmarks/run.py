"""Benchmark runner: steps/s and peak RSS for tensorweave and, when available, real TF.

python benchmarks/run.py [WORKLOAD ...] [--seconds S] [--repeat N] [--markdown FILE]
TF's figures come from `tensorflow.compat.v1` measured in the same run: in this Python if
`tensorflow` imports, else through the interpreter named by TENSORWEAVE_TF_PYTHON.
Each (backend, workload) runs in its own subprocess so peak RSS is per workload.

On a shared machine other processes steal cores at random moments, so each workload is
measured `--repeat` times, tensorweave and TF alternating, and the best steps/s of each is
kept (the run least disturbed by other load); the 1-minute load average is printed before and
after each workload.  `--markdown FILE` writes the table (with machine details) for
benchmarks/RESULTS.md.
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


def _best(runs):
    ok = [r for r in runs if r and "error" not in r]
    if not ok:
        return runs[-1] if runs else None
    best = max(ok, key=lambda r: r["steps_per_s"])
    return dict(best, peak_rss_mb=max(r["peak_rss_mb"] for r in ok), runs=len(ok),
                all_steps_per_s=[round(r["steps_per_s"], 2) for r in ok])


def machine_info():
    """nproc, CPU model, NumPy/BLAS versions (for RESULTS.md)."""
    info = {"nproc": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import numpy as np

        info["numpy"] = np.__version__
        from threadpoolctl import threadpool_info

        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            info["blas"] = "%s %s (%s)" % (blas[0].get("internal_api"), blas[0].get("version"),
                                          blas[0].get("architecture"))
    except ImportError:
        pass
    info["python"] = sys.version.split()[0]
    return info


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def _tf_python():
    try:
        import tensorflow  # noqa: F401

        return sys.executable
    except ImportError:
        return os.environ.get("TENSORWEAVE_TF_PYTHON")


def _run_one(python, backend, name, seconds):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([python, os.path.abspath(__file__), "--one", name, "--backend", backend,
                        "--seconds", str(seconds)], capture_output=True, text=True, env=env, check=False)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workloads", nargs="*")
    p.add_argument("--one")
    p.add_argument("--backend", default="tw")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--markdown")
    args = p.parse_args()
    if args.one:
        print(json.dumps(_measure(args.backend, args.one, args.seconds)))
        return
    sys.path.insert(0, HERE)
    import workloads

    names = args.workloads or list(workloads.WORKLOADS)
    tf_py = _tf_python()
    print("%-14s %14s %10s %14s %10s %8s %12s" % ("workload", "tensorweave/s", "rss MB", "tf/s",
                                                  "tf rss", "ratio", "load"))
    rows = []
    for name in names:
        load0 = _load()
        ours_runs, theirs_runs = [], []
        for _ in range(max(1, args.repeat)):
            ours_runs.append(_run_one(sys.executable, "tw", name, args.seconds))
            if tf_py:
                theirs_runs.append(_run_one(tf_py, "tf", name, args.seconds))
        ours, theirs = _best(ours_runs), _best(theirs_runs)
        load = "%.1f->%.1f" % (load0, _load())
        rows.append((name, ours, theirs, load))
        if "error" in ours:
            print("%-14s ERROR %s" % (name, ours["error"]))
            continue
        line = "%-14s %14.1f %10.0f" % (name, ours["steps_per_s"], ours["peak_rss_mb"])
        if theirs and "error" not in theirs:
            line += " %14.1f %10.0f %7.2fx" % (theirs["steps_per_s"], theirs["peak_rss_mb"],
                                               ours["steps_per_s"] / theirs["steps_per_s"])
        elif theirs:
            line += "  TF error: %s" % theirs["error"]
        print(line + " %12s" % load, flush=True)
    if args.markdown:
        _write_markdown(args.markdown, rows, args)


def _write_markdown(path, rows, args):
    import datetime

    info = machine_info()
    lines = [("| workload | tensorweave steps/s | TF steps/s | ratio | tensorweave peak RSS MB "
              "| TF peak RSS MB | load 1-min (before->after) |"),
             "|---|---:|---:|---:|---:|---:|---|"]
    for name, ours, theirs, load in rows:
        if "error" in ours:
            lines.append("| %s | error: %s | | | | | %s |" % (name, ours["error"], load))
            continue
        ok = theirs and "error" not in theirs
        lines.append("| %s | %.1f | %s | %s | %.0f | %s | %s |" % (
            name, ours["steps_per_s"], "%.1f" % theirs["steps_per_s"] if ok else "-",
            "%.2fx" % (ours["steps_per_s"] / theirs["steps_per_s"]) if ok else "-",
            ours["peak_rss_mb"], "%.0f" % theirs["peak_rss_mb"] if ok else "-", load))
    head = ["Measured %s with `python benchmarks/run.py --repeat %d --seconds %g` "
            "(best of %d runs per backend, alternating)." % (
                datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), args.repeat, args.seconds,
                args.repeat),
            "Machine: %s CPUs, %s; Python %s, NumPy %s, BLAS %s." % (
                info.get("nproc"), info.get("cpu", "?"), info.get("python"),
                info.get("numpy", "?"), info.get("blas", "?")), ""]
    with open(path, "w") as f:
        f.write("\n".join(head + lines) + "\n")


if __name__ == "__main__":
    main()
