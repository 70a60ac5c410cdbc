"""Time the conv/pool kernels of one training step of the seed MNIST CNN (batch 50).

    python benchmarks/kernels_conv.py [--repeat 30] [--batch 50] [--threads N] [--numpy]

Prints ms per kernel (median and min over repeats) and the total for one step's worth of
conv/pool work.  If TensorFlow is importable in the running Python (e.g. /tmp/tfvenv), it also
times the same kernels through ``tf.raw_ops`` in eager mode and prints the ratio TF/ours.

float32 convolutions run the C kernels (tensorweave/native/_conv.c) when they are built;
--numpy times the NumPy paths instead.  conv2's kernels share spectra as in a training step
(the forward and the filter gradient transform the same input, the input and filter
gradients the same out_backprop): Conv2D and Conv2DBackpropInput are timed from an empty
spectrum cache (they compute and keep them), Conv2DBackpropFilter reusing both.
"""

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)


def _load_kernels():
    """Import the pure-NumPy kernels package without running tensorweave/__init__.py.

    The benchmark then runs in any Python with NumPy (e.g. TF's venv, for the TF timings),
    whatever state the rest of the framework is in.
    """
    import types

    if "tensorweave" not in sys.modules:
        pkg = types.ModuleType("tensorweave")
        pkg.__path__ = [os.path.join(ROOT, "tensorweave")]
        sys.modules["tensorweave"] = pkg
    from tensorweave.kernels import conv, pool

    return conv, pool


C, P = _load_kernels()


def _tune_allocator():
    """What a Session does (tensorweave/runtime/devices.py tune_allocator): freed buffers
    under 64 MB stay in the heap, so big per-call arrays do not page-fault in every call."""
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
    mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
    mallopt(-2, 16 << 20)  # M_TOP_PAD

S1 = [1, 1, 1, 1]
K2 = [1, 2, 2, 1]


def _time(fn, repeat):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2] * 1e3, ts[0] * 1e3


def _data(batch):
    rs = np.random.RandomState(0)
    f = np.float32
    x = rs.rand(batch, 28, 28, 1).astype(f)
    w1 = (rs.randn(5, 5, 1, 32) * 0.1).astype(f)
    w2 = (rs.randn(5, 5, 32, 64) * 0.1).astype(f)
    y1 = np.maximum(C.conv2d(x, w1, S1, "SAME"), 0)
    p1 = P.max_pool(y1, K2, K2, "SAME")
    y2 = np.maximum(C.conv2d(p1, w2, S1, "SAME"), 0)
    p2 = P.max_pool(y2, K2, K2, "SAME")
    g2 = rs.randn(*y2.shape).astype(f)
    gp1 = rs.randn(*p1.shape).astype(f)
    gp2 = rs.randn(*p2.shape).astype(f)
    g1 = rs.randn(*y1.shape).astype(f)
    return {"x": x, "w1": w1, "w2": w2, "y1": y1, "p1": p1, "y2": y2, "p2": p2, "g1": g1, "g2": g2, "gp1": gp1, "gp2": gp2}


def _cold(fn):
    """fn with conv_fast's out_backprop spectrum cache emptied first."""
    from tensorweave.kernels import conv_fast

    def run():
        conv_fast.clear_cache()
        return fn()

    return run


def _ours(d):
    return {
        "conv1 Conv2D": lambda: C.conv2d(d["x"], d["w1"], S1, "SAME"),
        "conv1 Conv2DBackpropFilter": lambda: C.conv2d_backprop_filter(
            d["x"], [5, 5, 1, 32], d["g1"], S1, "SAME"),
        "pool1 MaxPool": lambda: P.max_pool(d["y1"], K2, K2, "SAME"),
        "pool1 MaxPoolGrad": lambda: P.max_pool_grad(d["y1"], d["p1"], d["gp1"], K2, K2, "SAME"),
        "conv2 Conv2D": _cold(lambda: C.conv2d(d["p1"], d["w2"], S1, "SAME")),
        "conv2 Conv2DBackpropInput": _cold(lambda: C.conv2d_backprop_input(
            d["p1"].shape, d["w2"], d["g2"], S1, "SAME")),
        "conv2 Conv2DBackpropFilter": lambda: C.conv2d_backprop_filter(
            d["p1"], [5, 5, 32, 64], d["g2"], S1, "SAME"),
        "pool2 MaxPool": lambda: P.max_pool(d["y2"], K2, K2, "SAME"),
        "pool2 MaxPoolGrad": lambda: P.max_pool_grad(d["y2"], d["p2"], d["gp2"], K2, K2, "SAME"),
    }


def _tf(d):
    try:
        import tensorflow as tf
    except ImportError:
        return None
    t = {k: tf.constant(v) for k, v in d.items()}
    r = tf.raw_ops
    return {
        "conv1 Conv2D": lambda: r.Conv2D(input=t["x"], filter=t["w1"], strides=S1,
                                         padding="SAME").numpy(),
        "conv1 Conv2DBackpropFilter": lambda: r.Conv2DBackpropFilter(
            input=t["x"], filter_sizes=[5, 5, 1, 32], out_backprop=t["g1"], strides=S1,
            padding="SAME").numpy(),
        "pool1 MaxPool": lambda: r.MaxPool(input=t["y1"], ksize=K2, strides=K2,
                                           padding="SAME").numpy(),
        "pool1 MaxPoolGrad": lambda: r.MaxPoolGrad(
            orig_input=t["y1"], orig_output=t["p1"], grad=t["gp1"], ksize=K2, strides=K2,
            padding="SAME").numpy(),
        "conv2 Conv2D": lambda: r.Conv2D(input=t["p1"], filter=t["w2"], strides=S1,
                                         padding="SAME").numpy(),
        "conv2 Conv2DBackpropInput": lambda: r.Conv2DBackpropInput(
            input_sizes=list(d["p1"].shape), filter=t["w2"], out_backprop=t["g2"], strides=S1,
            padding="SAME").numpy(),
        "conv2 Conv2DBackpropFilter": lambda: r.Conv2DBackpropFilter(
            input=t["p1"], filter_sizes=[5, 5, 32, 64], out_backprop=t["g2"], strides=S1,
            padding="SAME").numpy(),
        "pool2 MaxPool": lambda: r.MaxPool(input=t["y2"], ksize=K2, strides=K2,
                                           padding="SAME").numpy(),
        "pool2 MaxPoolGrad": lambda: r.MaxPoolGrad(
            orig_input=t["y2"], orig_output=t["p2"], grad=t["gp2"], ksize=K2, strides=K2,
            padding="SAME").numpy(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="limit BLAS threads for our kernels (needs threadpoolctl)")
    ap.add_argument("--threads", type=int, default=None,
                    help="intra-op threads of the convolution kernels (default: automatic)")
    ap.add_argument("--numpy", action="store_true", help="NumPy kernels only (no C kernels)")
    args = ap.parse_args()
    from tensorweave.kernels import conv_fast

    if args.numpy:
        conv_fast.NATIVE_ENABLED = False
    if args.threads:
        C.set_num_threads(args.threads)
    _tune_allocator()
    d = _data(args.batch)
    load0 = os.getloadavg()[0]
    limit = None
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(args.blas_threads, user_api="blas")
    # NOTE: all of ours first: once TF has run, its spinning thread pools steal the cores
    # that OpenBLAS's threads need.
    ours = {name: _time(fn, args.repeat) for name, fn in _ours(d).items()}
    if limit is not None:
        limit.restore_original_limits()
    tf_fns = _tf(d)
    theirs = {name: _time(fn, args.repeat) for name, fn in tf_fns.items()} if tf_fns else None
    hdr = f"{'kernel':30s} {'ours med':>9s} {'ours min':>9s}"
    if theirs:
        hdr += f" {'TF med':>9s} {'TF min':>9s} {'TF/ours':>8s}"
    native = conv_fast.NATIVE_ENABLED and conv_fast.native() is not None
    print(f"convolutions: {'C kernels' if native else 'NumPy'}, threads "
          f"{args.threads or 'automatic'}")
    print(f"batch {args.batch}, ms per call, {args.repeat} repeats; load average "
          f"{load0:.2f} before, {os.getloadavg()[0]:.2f} after (other work skews timings)")
    print(hdr)
    tot = np.zeros(4)
    for name, (med, mn) in ours.items():
        line = f"{name:30s} {med:9.2f} {mn:9.2f}"
        tot[:2] += (med, mn)
        if theirs:
            tmed, tmn = theirs[name]
            tot[2:] += (tmed, tmn)
            line += f" {tmed:9.2f} {tmn:9.2f} {tmed / med:8.2f}"
        print(line)
    line = f"{'TOTAL per step':30s} {tot[0]:9.2f} {tot[1]:9.2f}"
    if theirs:
        line += f" {tot[2]:9.2f} {tot[3]:9.2f} {tot[2] / tot[0]:8.2f}"
    print(line)


if __name__ == "__main__":
    main()
