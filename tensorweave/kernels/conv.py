"""Convolution kernels (Conv2D, DepthwiseConv2dNative, Conv3D and their backprops) in NumPy.

Dense convolutions are GEMM based: the windows of the padded input are a strided view
``(N, *out, *k, C)``; it is copied one batch chunk at a time into a cache-sized im2col
buffer that feeds one matmul per chunk.  The input gradient is the transposed GEMM followed by
a col2im scatter-add over the kernel taps.  Filters are always ``[*k, in, out]`` (TF's layout,
whatever ``data_format`` says).  NCHW/NCDHW inputs are transposed to channels-last and back.
"""

import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _util as U
from . import conv_fast as _fast
from ._util import conv_output_size, conv_padding

__all__ = [
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv3d",
    "conv3d_backprop_filter_v2",
    "conv3d_backprop_input_v2",
    "conv_output_size",
    "conv_padding",
    "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_native_backprop_input",
    "set_num_threads",
]


# ------------------------------------------------------------------ intra-op threads
# Big convolutions split their im2col chunks over a few threads, each running single-threaded
# BLAS on its own buffer (NumPy releases the GIL in the GEMM and the copies).  The chunks are
# the same whatever the thread count and partial filter gradients are summed in chunk order,
# so results do not depend on how many threads ran.  The threads sleep while idle (unlike a
# BLAS library's spinning workers), and in automatic mode a split is only made while the
# machine has a core to spare: on a loaded machine waiting for a descheduled worker costs more
# than the split gains.  The session sets the count from `intra_op_parallelism_threads`.
_NUM_THREADS = max(1, min(os.cpu_count() or 1, 8))
_AUTO = True
_POOL = None
_POOL_LOCK = threading.Lock()
# Below this many multiply-adds per call a split does not pay for the thread hand-off.
_PARALLEL_MIN_MACS = 4 << 20
_CHUNK_BYTES = 4 << 20
_LOAD = {"checked": -1.0, "threads": 1, "wall": 0.0, "cpu": 0.0, "busy": None,
         "saturated": False}


def set_num_threads(n, auto=False):
    """Threads one convolution may use (1 = serial); `auto`: fewer while the machine is busy.

    Returns the previous count.
    """
    global _NUM_THREADS, _AUTO
    old = _NUM_THREADS
    _NUM_THREADS = max(1, int(n))
    _AUTO = bool(auto)
    return old


def _pool():
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers < _NUM_THREADS - 1:
            _POOL = ThreadPoolExecutor(max_workers=max(1, _NUM_THREADS - 1),
                                       thread_name_prefix="tensorweave-intra")
        return _POOL


def _cpu_busy():
    """CPU seconds all processes on the machine have used (/proc/stat), or None."""
    try:
        with open("/proc/stat", "rb") as f:
            v = f.readline().split()
        # user nice system idle iowait irq softirq steal: all but idle/iowait are busy (steal
        # is time the hypervisor gave to another guest: not ours to use either).
        ticks = sum(int(t) for t in v[1:4]) + sum(int(t) for t in v[6:9])
        return ticks / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


try:
    _CLK_TCK = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):
    _CLK_TCK = 100.0
# How often the machine load is sampled (seconds), and the other processes' share of one
# core from which a split stops paying: a worker the OS deschedules in the middle of its
# block makes the caller wait for it.
_LOAD_INTERVAL = 0.1
_BUSY_MARGIN = 0.5


def _spare_threads():
    """Threads worth using now: cores other processes left idle over the last ~0.1 s.

    /proc/stat gives the machine's busy time and process_time() our own (every thread of
    ours, idle-spinning workers included), so our own work never counts as load; without
    /proc/stat the 1-minute load average less our own recent CPU use stands in.  A split
    waits for its slowest thread, so with other processes on part of the cores it runs
    serially; but once they saturate the machine every thread gets a fair share of it, and
    all threads are used again (`_LOAD["saturated"]`: workers should then sleep, not spin).
    """
    now = time.monotonic()
    if now - _LOAD["checked"] < _LOAD_INTERVAL:
        return _LOAD["threads"]
    cpu = time.process_time()
    busy = _cpu_busy()
    first = _LOAD["checked"] < 0
    dt = now - _LOAD["wall"]
    ncpu = os.cpu_count() or 1
    saturated = False
    if first or dt <= 0:
        threads = ncpu  # first call: no interval measured yet
    elif busy is not None and _LOAD["busy"] is not None:
        others = max(0.0, (busy - _LOAD["busy"]) - (cpu - _LOAD["cpu"])) / dt
        if ncpu > 1 and others >= ncpu - _BUSY_MARGIN:
            # Saturated: the OS shares the cores per thread, so a split gets our kernels a
            # bigger share (measured with 3 busy processes on 2 cores: ~2x faster than
            # serial); idle workers should not spin then.
            threads, saturated = ncpu, True
        else:
            threads = int(ncpu - others + (1.0 - _BUSY_MARGIN))
    else:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
        own = (cpu - _LOAD["cpu"]) / dt
        threads = int(ncpu - max(0.0, load - own) + 0.25)
    _LOAD.update(checked=now, wall=now, cpu=cpu, busy=busy, threads=max(1, threads),
                 saturated=saturated)
    return _LOAD["threads"]


def _threads_for(macs, nchunks):
    if _NUM_THREADS <= 1 or macs < _PARALLEL_MIN_MACS or nchunks < 2:
        return 1
    t = min(_spare_threads(), _NUM_THREADS) if _AUTO else _NUM_THREADS
    return min(t, nchunks)


def _chunks(n, bytes_per_item):
    """Batch chunks of about _CHUNK_BYTES of im2col each (fixed by the shapes alone)."""
    nb = max(1, min(n, _CHUNK_BYTES // max(int(bytes_per_item), 1)))
    return [(b, min(n, b + nb)) for b in range(0, n, nb)]


def _run_chunks(fn, chunks, macs):
    """[fn(b0, b1) for each chunk]; with threads, each takes the next chunk when it is free.

    Chunks are handed out dynamically, so a thread the OS deschedules on a busy machine just
    takes fewer of them; results are stored by chunk index, never by thread.
    """
    t = _threads_for(macs, len(chunks))
    if t <= 1:
        return [fn(b0, b1) for b0, b1 in chunks]
    res = [None] * len(chunks)
    counter = itertools.count()

    def worker():
        while True:
            i = next(counter)
            if i >= len(chunks):
                return
            res[i] = fn(*chunks[i])

    pool = _pool()
    futs = [pool.submit(worker) for _ in range(t - 1)]
    worker()
    for f in futs:
        f.result()
    return res


# ----------------------------------------------------------------------------- attrs


def _setup(nd, x_shape_cl, k, strides, padding, dilations, data_format, explicit_paddings):
    s = U.spatial_attr(strides, data_format, nd, "strides")
    d = U.spatial_attr(dilations, data_format, nd, "dilations")
    if padding not in ("SAME", "VALID", "EXPLICIT"):
        raise ValueError(f"padding must be SAME, VALID or EXPLICIT, got {padding!r}")
    explicit = None
    if padding == "EXPLICIT":
        explicit = U.explicit_pairs(explicit_paddings, data_format, nd)
    if any(v < 1 for v in s + d):
        raise ValueError(f"strides and dilations must be >= 1, got {s} and {d}")
    out, pads = U.geometry(x_shape_cl[1:-1], k, s, d, padding, explicit)
    return s, d, out, pads


def _input_shape_cl(input_sizes, data_format, nd, batch, in_ch):
    sizes = [int(v) for v in np.asarray(input_sizes).ravel()]
    cl = data_format[-1] == "C"
    if len(sizes) == nd:  # spatial dims only (TF accepts this form too)
        return (batch, *sizes, in_ch)
    if len(sizes) != nd + 2:
        raise ValueError(f"input_sizes must have {nd + 2} entries, got {sizes}")
    return U.shape_to_channels_last(sizes, cl)


# ------------------------------------------------------------------- dense core (N-d)


def _im2col_chunks(x, k, s, d, out, pads):
    """Yield ``(b0, b1, col)``: the im2col matrix ``(rows, prod(k)*C)`` of batch items b0:b1.

    Rows are output pixels, columns (tap, channel) in filter order.  One buffer is reused for
    all chunks, so consume ``col`` before asking for the next one.
    """
    n, c = x.shape[0], x.shape[-1]
    kk, p = U.prod(k), U.prod(out)
    xp = _pad(x, pads)
    nb = U.batch_chunk(n, p * kk * c * x.itemsize)
    if c == 1:
        # One input channel: build the transposed matrix (taps, pixels) tap by tap, so each
        # copy moves whole output rows instead of kernel-width runs of single elements.
        buf = U.scratch("col", (kk, nb * p), x.dtype)
        tap_idx = [U.tap_index(t, out, s, d)[:-1] + (0,) for t in U.taps(k)]
        for b0 in range(0, n, nb):
            b1 = min(n, b0 + nb)
            m = (b1 - b0) * p
            for row, idx in zip(buf, tap_idx):
                np.copyto(row[:m].reshape((b1 - b0, *out)), xp[b0:b1][idx])
            yield b0, b1, buf[:, :m].T
        return
    view = U.windows(xp, out, k, s, d)
    buf = U.scratch("col", (nb, *out, *k, c), x.dtype)
    for b0 in range(0, n, nb):
        b1 = min(n, b0 + nb)
        col = buf[: b1 - b0]
        np.copyto(col, view[b0:b1])
        yield b0, b1, col.reshape(-1, kk * c)


def _pad(x, pads):
    """Spatially zero-padded copy of x in this thread's scratch (x itself when no padding)."""
    if all(pb == 0 and pa == 0 for pb, pa in pads):
        return x
    shape = (x.shape[0],) + tuple(v + pb + pa for v, (pb, pa) in zip(x.shape[1:-1], pads)) + (
        x.shape[-1],)
    xp = U.scratch("pad", shape, x.dtype)
    xp.fill(0)
    xp[U.interior(x.shape[1:-1], pads)] = x
    return xp


def _conv_fwd(x, w, s, d, out, pads):
    """Channels-last forward: x (N, *S, C), w (*k, C, O) -> (N, *out, O)."""
    k = w.shape[:-2]
    n, c, o = x.shape[0], x.shape[-1], w.shape[-1]
    if w.shape[-2] != c:
        raise ValueError(f"input depth {c} does not match filter in-depth {w.shape[-2]}")
    dtype = np.result_type(x.dtype, w.dtype)
    wm = w.reshape(U.prod(k) * c, o)
    if U.prod(k) == 1 and all(v == 1 for v in s) and tuple(x.shape[1:-1]) == tuple(out):
        # 1x1 convolution, stride 1: a plain matmul over all pixels.
        return (x.reshape(-1, c) @ wm).reshape(n, *out, o)
    res = np.empty((n, *out, o), dtype=dtype)
    if U.prod(out) == 0 or n == 0:
        return res

    macs = n * U.prod(out) * wm.size
    chunks = _chunks(n, U.prod(out) * wm.shape[0] * x.itemsize)
    split_cols = len(chunks) < _NUM_THREADS and o >= 128 and macs >= _PARALLEL_MIN_MACS

    def chunk(lo, hi):
        for b0, b1, col in _im2col_chunks(x[lo:hi], k, s, d, out, pads):
            dst = res[lo + b0:lo + b1].reshape(-1, o)
            if not split_cols:
                np.matmul(col, wm, out=dst)
                continue
            # Few, short chunks (small batch or images) but many output channels: the
            # threads share the filter's columns instead (same dot products per element).
            step = max(64, -(-o // (2 * _NUM_THREADS)))
            blocks = [(j, min(o, j + step)) for j in range(0, o, step)]

            def gemm(j0, j1, col=col, dst=dst):
                np.matmul(col, wm[:, j0:j1], out=dst[:, j0:j1])

            _run_chunks(gemm, blocks, macs)

    if split_cols:
        for lo, hi in chunks:
            chunk(lo, hi)
    else:
        _run_chunks(chunk, chunks, macs)
    return res


def _conv_bwd_filter(x, dy, k, s, d, out, pads):
    """Channels-last filter gradient: returns (*k, C, O)."""
    n, c, o = x.shape[0], x.shape[-1], dy.shape[-1]
    dtype = np.result_type(x.dtype, dy.dtype)
    if U.prod(out) == 0 or n == 0:
        return np.zeros((*k, c, o), dtype=dtype)
    if U.prod(k) == 1 and all(v == 1 for v in s) and tuple(x.shape[1:-1]) == tuple(out):
        return (x.reshape(-1, c).T @ dy.reshape(-1, o)).reshape(*k, c, o)

    def chunk(lo, hi):
        dw = None
        for b0, b1, col in _im2col_chunks(x[lo:hi], k, s, d, out, pads):
            p = col.T @ dy[lo + b0:lo + b1].reshape(-1, o)
            dw = p if dw is None else np.add(dw, p, out=dw)
        return dw

    # NOTE: one partial per chunk, summed in chunk order: the same sums whatever the threads.
    chunks = _chunks(n, U.prod(out) * U.prod(k) * c * x.itemsize)
    parts = _run_chunks(chunk, chunks, n * U.prod(out) * U.prod(k) * c * o)
    dw = parts[0]
    for p in parts[1:]:
        np.add(dw, p, out=dw)
    return dw.reshape(*k, c, o)


def _conv_bwd_input(x_shape, w, dy, s, d, out, pads):
    """Channels-last input gradient: GEMM to columns, then col2im over the kernel taps."""
    k = w.shape[:-2]
    c, o = w.shape[-2], w.shape[-1]
    n = x_shape[0]
    in_sp = tuple(x_shape[1:-1])
    dtype = np.result_type(w.dtype, dy.dtype)
    kc = U.prod(k) * c
    wmt = w.reshape(kc, o).T
    if U.prod(k) == 1 and all(v == 1 for v in s) and in_sp == tuple(out):
        return (dy.reshape(-1, o) @ wmt).reshape(x_shape)
    if all(v == 1 for v in s):
        # Stride 1: the input gradient is a forward correlation of dy, padded by
        # eff_k - 1 - pad_before in front, with the flipped, in/out-swapped filter.  This is
        # one im2col GEMM and avoids the (slow, strided) col2im scatter-add.
        tpads = []
        for i in range(len(k)):
            front = (k[i] - 1) * d[i] - pads[i][0]
            back = in_sp[i] + (k[i] - 1) * d[i] - front - out[i]
            tpads.append((front, back))
        if all(a >= 0 and b >= 0 for a, b in tpads) and n > 0:
            wf = w[(slice(None, None, -1),) * len(k)].swapaxes(-1, -2)
            return _conv_fwd(dy, np.ascontiguousarray(wf), s, d, in_sp, tuple(tpads))
    dxp = U.padded_zeros(x_shape, pads, dtype)
    p = U.prod(out)
    if p == 0 or n == 0:
        return U.crop(dxp, in_sp, pads)
    nb = U.batch_chunk(n, p * kc * np.dtype(dtype).itemsize)
    buf = np.empty((nb, *out, *k, c), dtype=dtype)
    nd = len(k)
    tap_idx = [(t, U.tap_index(t, out, s, d)) for t in U.taps(k)]
    lead = (slice(None),) * (1 + nd)
    for b0 in range(0, n, nb):
        b1 = min(n, b0 + nb)
        col = buf[: b1 - b0]
        np.matmul(dy[b0:b1].reshape(-1, o), wmt, out=col.reshape(-1, kc))
        dst = dxp[b0:b1]
        for t, idx in tap_idx:
            dst[idx] += col[lead + t]
    return U.crop(dxp, in_sp, pads)


# ------------------------------------------------------------------------ Conv2D


def conv2d(input, filter, strides, padding, use_cudnn_on_gpu=True, explicit_paddings=(),
           data_format="NHWC", dilations=(1, 1, 1, 1)):
    """TF ``Conv2D``: input [N,H,W,C] (or NCHW), filter [KH,KW,C,O]."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(input), cl)
    w = np.asarray(filter)
    s, d, out, pads = _setup(2, x.shape, w.shape[:2], strides, padding, dilations,
                             data_format, explicit_paddings)
    nat = _fast.plan_native("fwd", x.shape[0], x.shape[1:3], w.shape[:2], w.shape[-2],
                            w.shape[-1], s, d, pads, (x.dtype, w.dtype))
    if nat is not None and w.ndim == 4 and w.shape[-2] == x.shape[-1]:
        if nat == "dft":
            return U.from_channels_last(_fast.native_fwd(x, w, pads, _fast_runner), cl)
        return U.from_channels_last(_fast.direct_fwd(x, w, s, d, out, pads, _fast_runner), cl)
    if _use_fast("fwd", x.shape, w.shape[:2], w.shape[-2], w.shape[-1], s, d, pads,
                 x.dtype, w.dtype):
        return U.from_channels_last(_fast.conv2d_fwd(x, w, pads, _fast_runner), cl)
    return U.from_channels_last(_conv_fwd(x, w, s, d, out, pads), cl)


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                          use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                          dilations=(1, 1, 1, 1)):
    """TF ``Conv2DBackpropInput``: gradient of ``conv2d`` w.r.t. its input."""
    cl = U.check_format(data_format, 2)
    w = np.asarray(filter)
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    x_shape = _input_shape_cl(input_sizes, data_format, 2, dy.shape[0], w.shape[2])
    s, d, out, pads = _setup(2, x_shape, w.shape[:2], strides, padding, dilations,
                             data_format, explicit_paddings)
    _check_dy(dy, x_shape[0], out, w.shape[-1])
    if w.ndim == 4 and _fast.plan_native("input", x_shape[0], x_shape[1:3], w.shape[:2],
                                         w.shape[-2], w.shape[-1], s, d, pads,
                                         (w.dtype, dy.dtype)) == "dft":
        return U.from_channels_last(
            _fast.native_bwd_input(x_shape, w, dy, pads, _fast_runner), cl)
    if _use_fast("input", x_shape, w.shape[:2], w.shape[-2], w.shape[-1], s, d, pads,
                 w.dtype, dy.dtype):
        return U.from_channels_last(
            _fast.conv2d_bwd_input(x_shape, w, dy, pads, _fast_runner), cl)
    return U.from_channels_last(_conv_bwd_input(x_shape, w, dy, s, d, out, pads), cl)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           use_cudnn_on_gpu=True, explicit_paddings=(), data_format="NHWC",
                           dilations=(1, 1, 1, 1)):
    """TF ``Conv2DBackpropFilter``: gradient of ``conv2d`` w.r.t. its filter."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(input), cl)
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    fs = tuple(int(v) for v in np.asarray(filter_sizes).ravel())
    s, d, out, pads = _setup(2, x.shape, fs[:2], strides, padding, dilations,
                             data_format, explicit_paddings)
    _check_dy(dy, x.shape[0], out, fs[-1])
    nat = None
    if len(fs) == 4 and fs[2] == x.shape[-1]:
        nat = _fast.plan_native("filter", x.shape[0], x.shape[1:3], fs[:2], fs[2], fs[3], s,
                                d, pads, (x.dtype, dy.dtype))
    if nat == "dft":
        return _fast.native_bwd_filter(x, dy, fs[:2], pads, _fast_runner)
    if nat == "direct":
        return _fast.direct_bwd_filter(x, dy, fs[:2], s, d, out, pads, _fast_runner)
    if (len(fs) == 4 and fs[2] == x.shape[-1]
            and _use_fast("filter", x.shape, fs[:2], fs[2], fs[3], s, d, pads, x.dtype,
                          dy.dtype)):
        return _fast.conv2d_bwd_filter(x, dy, fs[:2], pads, _fast_runner)
    return _conv_bwd_filter(x, dy, fs[:2], s, d, out, pads)


def _use_fast(kind, x_shape, k, c, o, s, d, pads, *dtypes):
    """Stride-1, dilation-1 float 2-D convolutions the DFT path does with fewer operations."""
    if any(v != 1 for v in s + d) or len(x_shape) != 4 or x_shape[-1] != c:
        return False
    if np.result_type(*dtypes) not in (np.float32, np.float64):
        return False
    return _fast.plan(kind, x_shape[0], tuple(x_shape[1:3]), tuple(k), c, o, pads)


def _fast_runner(fn, chunks):
    """Runs the DFT path's batch chunks on the intra-op threads (while a core is free)."""
    return _run_chunks(fn, chunks, _PARALLEL_MIN_MACS * len(chunks))


def _check_dy(dy, n, out, o):
    want = (n, *out, o)
    if tuple(dy.shape) != want:
        raise ValueError(f"out_backprop has shape {tuple(dy.shape)} (channels-last), "
                         f"expected {want}")


# ------------------------------------------------------------------------ Conv3D


def conv3d(input, filter, strides, padding, data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):
    """TF ``Conv3D``: input [N,D,H,W,C] (or NCDHW), filter [KD,KH,KW,C,O]."""
    cl = U.check_format(data_format, 3)
    x = U.to_channels_last(np.asarray(input), cl)
    w = np.asarray(filter)
    s, d, out, pads = _setup(3, x.shape, w.shape[:3], strides, padding, dilations,
                             data_format, ())
    return U.from_channels_last(_conv_fwd(x, w, s, d, out, pads), cl)


def conv3d_backprop_input_v2(input_sizes, filter, out_backprop, strides, padding,
                             data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):
    """TF ``Conv3DBackpropInputV2``."""
    cl = U.check_format(data_format, 3)
    w = np.asarray(filter)
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    x_shape = _input_shape_cl(input_sizes, data_format, 3, dy.shape[0], w.shape[3])
    s, d, out, pads = _setup(3, x_shape, w.shape[:3], strides, padding, dilations,
                             data_format, ())
    _check_dy(dy, x_shape[0], out, w.shape[-1])
    return U.from_channels_last(_conv_bwd_input(x_shape, w, dy, s, d, out, pads), cl)


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,
                              data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):
    """TF ``Conv3DBackpropFilterV2``."""
    cl = U.check_format(data_format, 3)
    x = U.to_channels_last(np.asarray(input), cl)
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    fs = tuple(int(v) for v in np.asarray(filter_sizes).ravel())
    s, d, out, pads = _setup(3, x.shape, fs[:3], strides, padding, dilations,
                             data_format, ())
    _check_dy(dy, x.shape[0], out, fs[-1])
    return _conv_bwd_filter(x, dy, fs[:3], s, d, out, pads)


# ----------------------------------------------------------------------- depthwise


def depthwise_conv2d_native(input, filter, strides, padding, explicit_paddings=(),
                            data_format="NHWC", dilations=(1, 1, 1, 1)):
    """TF ``DepthwiseConv2dNative``: filter [KH,KW,C,M], output channel c*M+m."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(input), cl)
    w = np.asarray(filter)
    kh, kw, c, m = w.shape
    if x.shape[-1] != c:
        raise ValueError(f"input depth {x.shape[-1]} does not match filter in-depth {c}")
    s, d, out, pads = _setup(2, x.shape, (kh, kw), strides, padding, dilations,
                             data_format, explicit_paddings)
    xp = U.pad(x, pads)
    dtype = np.result_type(x.dtype, w.dtype)
    res = np.zeros((x.shape[0], *out, c, m), dtype=dtype)
    tmp = np.empty_like(res)
    for t in U.taps((kh, kw)):
        xt = xp[U.tap_index(t, out, s, d)]
        np.multiply(xt[..., None], w[t], out=tmp)
        res += tmp
    return U.from_channels_last(res.reshape(x.shape[0], *out, c * m), cl)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                           explicit_paddings=(), data_format="NHWC",
                                           dilations=(1, 1, 1, 1)):
    """TF ``DepthwiseConv2dNativeBackpropInput``."""
    cl = U.check_format(data_format, 2)
    w = np.asarray(filter)
    kh, kw, c, m = w.shape
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    x_shape = _input_shape_cl(input_sizes, data_format, 2, dy.shape[0], c)
    s, d, out, pads = _setup(2, x_shape, (kh, kw), strides, padding, dilations,
                             data_format, explicit_paddings)
    _check_dy(dy, x_shape[0], out, c * m)
    dy5 = dy.reshape(dy.shape[:-1] + (c, m))
    dtype = np.result_type(w.dtype, dy.dtype)
    dxp = U.padded_zeros(x_shape, pads, dtype)
    for t in U.taps((kh, kw)):
        if m == 1:
            contrib = dy5[..., 0] * w[t][:, 0]
        else:
            contrib = np.einsum("...cm,cm->...c", dy5, w[t])
        dxp[U.tap_index(t, out, s, d)] += contrib
    return U.from_channels_last(U.crop(dxp, x_shape[1:-1], pads), cl)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                            explicit_paddings=(), data_format="NHWC",
                                            dilations=(1, 1, 1, 1)):
    """TF ``DepthwiseConv2dNativeBackpropFilter``."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(input), cl)
    dy = U.to_channels_last(np.asarray(out_backprop), cl)
    kh, kw, c, m = (int(v) for v in np.asarray(filter_sizes).ravel())
    s, d, out, pads = _setup(2, x.shape, (kh, kw), strides, padding, dilations,
                             data_format, explicit_paddings)
    _check_dy(dy, x.shape[0], out, c * m)
    xp = U.pad(x, pads)
    n = x.shape[0]
    p = U.prod(out)
    dy3 = dy.reshape(n * p, c, m)
    dw = np.zeros((kh, kw, c, m), dtype=np.result_type(x.dtype, dy.dtype))
    for t in U.taps((kh, kw)):
        xt = xp[U.tap_index(t, out, s, d)].reshape(n * p, c)
        # Per channel: dw[c, m] = sum_p x[p, c] * dy[p, c, m], as a batched matmul over c.
        dw[t] = np.matmul(xt.T[:, None, :], dy3.transpose(1, 0, 2))[:, 0, :]
    return dw


# ------------------------------------------------------------------ half precision
def _half_via_f32(fn):
    """float16/bfloat16 convolutions compute in float32 (BLAS has no half GEMM) and store
    the result in the input's dtype, as TF's CPU kernels accumulate halves in float."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        half = None
        conv_args = []
        for a in args:
            if isinstance(a, np.ndarray) and a.dtype.kind in "fV" and a.dtype.itemsize == 2:
                half = a.dtype
                a = a.astype(np.float32)
            conv_args.append(a)
        if half is None:
            return fn(*args, **kwargs)
        return np.asarray(fn(*conv_args, **kwargs)).astype(half)

    return wrapper


conv2d = _half_via_f32(conv2d)
conv2d_backprop_input = _half_via_f32(conv2d_backprop_input)
conv2d_backprop_filter = _half_via_f32(conv2d_backprop_filter)
conv3d = _half_via_f32(conv3d)
conv3d_backprop_input_v2 = _half_via_f32(conv3d_backprop_input_v2)
conv3d_backprop_filter_v2 = _half_via_f32(conv3d_backprop_filter_v2)
depthwise_conv2d_native = _half_via_f32(depthwise_conv2d_native)
depthwise_conv2d_native_backprop_input = _half_via_f32(depthwise_conv2d_native_backprop_input)
depthwise_conv2d_native_backprop_filter = _half_via_f32(depthwise_conv2d_native_backprop_filter)
