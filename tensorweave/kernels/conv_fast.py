"""Transform-domain (DFT) 2-D convolutions for stride-1, dilation-1, channels-last shapes.

A stride-1 correlation over a zero-padded map of size ``P = in + pad_before + pad_after``
(``= out + k - 1``) never wraps around, so it equals the circular correlation of size ``P``:
in the DFT domain it is one small channel matmul per frequency.  For maps of ~10-30 pixels
with 5x5 kernels and tens of channels this needs 3-4x fewer multiply-adds than im2col.

The transforms are not FFTs but dense DFT matrices applied as real GEMMs (one spatial axis at
a time, real-to-half-complex along W, complex along H).  That lets the forward transform skip
the zero padding (the pad offset is a phase in the matrix) and the inverse produce only the
rows and columns that are wanted (the crop), and everything runs in the input dtype
(float32 stays float32) through BLAS.  Complex values are kept as a leading axis of 2
(real, imaginary) so every product is a real matmul.

Layouts: maps are ``(H, W, M)`` with ``M = batch * channels`` (batch major); the transformed
arrays are ``(2, P_h, Q, M)`` with ``Q = P_w // 2 + 1``, i.e. ``(2, F, batch, channels)``.

float32 convolutions use the C kernels of tensorweave/native/_conv.c instead when they are
built (see "C kernels" below and `plan_native`); this NumPy path stays the fallback and the
float64 path.
"""

import functools
import os
import threading

import numpy as np

from .. import native as _native
from . import _util as U

__all__ = ["conv2d_fwd", "conv2d_bwd_input", "conv2d_bwd_filter", "plan"]

# The transform GEMMs are thin (K = 10-40) and the channel GEMMs small and batched, so they
# run at a lower rate than im2col's big GEMM: take the fast path only when it needs clearly
# fewer multiply-adds.
_ADVANTAGE = 3.0
_MIN_DIRECT_MACS = 8 << 20
# TENSORWEAVE_CONV_FAST=0 turns the DFT path off (im2col for everything).
ENABLED = os.environ.get("TENSORWEAVE_CONV_FAST", "1") != "0"


@functools.lru_cache(maxsize=256)
def _fwd_mats(n, p, off, dtype):
    """Matrices of the forward DFT of n samples placed at off..off+n-1 in a length-p signal.

    Returns (ew, eh): ew (2, q, n) real/imag rows of the half-spectrum transform (applied
    along W to real data); eh (2p, 2n) the real block form of the complex transform (applied
    along H to complex data stored as [re; im]).
    """
    q = p // 2 + 1
    pos = np.arange(n) + off
    ang_w = 2 * np.pi * np.outer(np.arange(q), pos) / p
    ew = np.stack([np.cos(ang_w), -np.sin(ang_w)])
    ang_h = 2 * np.pi * np.outer(np.arange(p), pos) / p
    re, im = np.cos(ang_h), -np.sin(ang_h)
    eh = np.block([[re, -im], [im, re]])
    return ew.astype(dtype), np.ascontiguousarray(eh.astype(dtype))


@functools.lru_cache(maxsize=256)
def _inv_mats(p, start, count, dtype):
    """Matrices of the inverse DFT producing samples start..start+count-1 of a length-p signal.

    Returns (gh, gw): gh (2*count, 2p) real block form of the complex inverse along H (with
    its 1/p); gw (2, count, q) the half-spectrum to real inverse along W (Hermitian weights and
    1/p included): y = gw[0] @ re + gw[1] @ im.
    """
    q = p // 2 + 1
    pos = np.arange(start, start + count)
    ang_h = 2 * np.pi * np.outer(pos, np.arange(p)) / p
    re, im = np.cos(ang_h) / p, np.sin(ang_h) / p
    gh = np.block([[re, -im], [im, re]])
    kw = np.arange(q)
    c = np.where((kw == 0) | ((p % 2 == 0) & (kw == p // 2)), 1.0, 2.0) / p
    ang_w = 2 * np.pi * np.outer(pos, kw) / p
    gw = np.stack([c * np.cos(ang_w), -c * np.sin(ang_w)])
    return np.ascontiguousarray(gh.astype(dtype)), np.ascontiguousarray(gw.astype(dtype))


def _transform(a, ph, pw, off_h, off_w):
    """(H, W, M) real -> (2, ph, q, M): DFT of a placed at (off_h, off_w) in a ph x pw map."""
    h, w, m = a.shape
    ew, _ = _fwd_mats(w, pw, off_w, a.dtype.str)
    _, eh = _fwd_mats(h, ph, off_h, a.dtype.str)
    q = pw // 2 + 1
    t = np.matmul(ew[:, None], a)  # (2, H, q, M)
    z = eh @ t.reshape(2 * h, q * m)  # (2ph, q*M)
    return z.reshape(2, ph, q, m)


def _inverse(z, ph, pw, rows, cols):
    """(2, ph, q, M) -> (len rows, len cols, M) real: samples rows x cols of the inverse DFT."""
    m = z.shape[-1]
    q = pw // 2 + 1
    gh, _ = _inv_mats(ph, rows[0], rows[1], z.dtype.str)
    _, gw = _inv_mats(pw, cols[0], cols[1], z.dtype.str)
    v = (gh @ z.reshape(2 * ph, q * m)).reshape(2, rows[1], q, m)
    y = np.matmul(gw[0], v[0])
    y += np.matmul(gw[1], v[1])
    return y


def _sizes(in_sp, pads):
    return tuple(v + pb + pa for v, (pb, pa) in zip(in_sp, pads))


def _t_macs(h, w, m, ph, q):
    return 2 * q * w * h * m + 4 * ph * h * q * m


def _i_macs(ph, q, ch, cw, m):
    return 4 * ch * ph * q * m + 2 * ch * cw * q * m


def plan(kind, n, in_sp, k, c, o, pads):
    """True when the DFT path is expected to beat im2col for this shape (cost model)."""
    if not ENABLED or len(k) != 2 or min(k) < 3 or n == 0 or c * o == 0:
        return False
    (h, w), (kh, kw) = in_sp, k
    ph, pw = _sizes(in_sp, pads)
    oh, ow = ph - kh + 1, pw - kw + 1
    if oh <= 0 or ow <= 0:
        return False
    q = pw // 2 + 1
    f = ph * q
    direct = n * oh * ow * kh * kw * c * o
    if direct < _MIN_DIRECT_MACS:
        return False
    wt = _t_macs(kh, kw, c * o, ph, q)
    mix = 4 * f * n * c * o
    if kind == "fwd":
        cost = _t_macs(h, w, n * c, ph, q) + wt + mix + _i_macs(ph, q, oh, ow, n * o)
    elif kind == "input":
        cost = _t_macs(oh, ow, n * o, ph, q) + wt + mix + _i_macs(ph, q, h, w, n * c)
    else:
        cost = (_t_macs(h, w, n * c, ph, q) + _t_macs(oh, ow, n * o, ph, q) + mix
                + _i_macs(ph, q, kh, kw, c * o))
    return cost * _ADVANTAGE < direct


def _maps(a):
    """(N, H, W, C) -> (H, W, N*C) contiguous."""
    n, h, w, c = a.shape
    return np.ascontiguousarray(a.transpose(1, 2, 0, 3)).reshape(h, w, n * c)


def _unmaps(y, n, ch):
    """(H, W, N*C) -> (N, H, W, C) contiguous."""
    h, w, _ = y.shape
    return np.ascontiguousarray(y.reshape(h, w, n, ch).transpose(2, 0, 1, 3))


def _filter_t(w, ph, pw, swap=False):
    """Filter (KH, KW, C, O) -> (2, F, C, O) (or (2, F, O, C) with swap)."""
    kh, kw, c, o = w.shape
    if swap:
        w = w.swapaxes(-1, -2)
        c, o = o, c
    wm = np.ascontiguousarray(w).reshape(kh, kw, c * o)
    return _transform(wm, ph, pw, 0, 0).reshape(2, -1, c, o)


def conv2d_fwd(x, w, pads, runner=None):
    """Channels-last stride-1 Conv2D: x (N, H, W, C), w (KH, KW, C, O) -> (N, OH, OW, O)."""
    dtype = np.result_type(x.dtype, w.dtype)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    ph, pw = _sizes((h, wd), pads)
    oh, ow = ph - kh + 1, pw - kw + 1
    wf = _filter_t(w, ph, pw)
    wre, wim = wf[0], wf[1]
    res = np.empty((n, oh, ow, o), dtype=dtype)

    def chunk(b0, b1):
        nb = b1 - b0
        xf = _transform(_maps(x[b0:b1]), ph, pw, pads[0][0], pads[1][0])
        xf = xf.reshape(2, -1, nb, c)
        p0 = np.matmul(xf, wre)  # [xre wre, xim wre]
        p1 = np.matmul(xf, wim)  # [xre wim, xim wim]
        # correlation: Y = X * conj(W)
        y = np.empty_like(p0)
        np.add(p0[0], p1[1], out=y[0])
        np.subtract(p0[1], p1[0], out=y[1])
        out = _inverse(y.reshape(2, ph, pw // 2 + 1, nb * o), ph, pw, (0, oh), (0, ow))
        res[b0:b1] = out.reshape(oh, ow, nb, o).transpose(2, 0, 1, 3)

    _run(chunk, n, runner, 4 * ph * (pw // 2 + 1) * (c + o) * res.itemsize)
    return res


def conv2d_bwd_input(x_shape, w, dy, pads, runner=None):
    """Channels-last stride-1 input gradient: returns (N, H, W, C)."""
    dtype = np.result_type(w.dtype, dy.dtype)
    w, dy = w.astype(dtype, copy=False), dy.astype(dtype, copy=False)
    n, h, wd, c = x_shape
    kh, kw, _, o = w.shape
    ph, pw = _sizes((h, wd), pads)
    wf = _filter_t(w, ph, pw, swap=True)  # (2, F, O, C)
    wre, wim = wf[0], wf[1]
    res = np.empty((n, h, wd, c), dtype=dtype)

    def chunk(b0, b1):
        nb = b1 - b0
        df = _transform(_maps(dy[b0:b1]), ph, pw, 0, 0).reshape(2, -1, nb, o)
        p0 = np.matmul(df, wre)
        p1 = np.matmul(df, wim)
        # convolution: DX = DY * W
        z = np.empty_like(p0)
        np.subtract(p0[0], p1[1], out=z[0])
        np.add(p1[0], p0[1], out=z[1])
        out = _inverse(z.reshape(2, ph, pw // 2 + 1, nb * c), ph, pw,
                       (pads[0][0], h), (pads[1][0], wd))
        res[b0:b1] = out.reshape(h, wd, nb, c).transpose(2, 0, 1, 3)

    _run(chunk, n, runner, 4 * ph * (pw // 2 + 1) * (c + o) * res.itemsize)
    return res


def conv2d_bwd_filter(x, dy, k, pads, runner=None):
    """Channels-last stride-1 filter gradient: returns (KH, KW, C, O)."""
    dtype = np.result_type(x.dtype, dy.dtype)
    x, dy = x.astype(dtype, copy=False), dy.astype(dtype, copy=False)
    n, h, wd, c = x.shape
    o = dy.shape[-1]
    kh, kw = k
    ph, pw = _sizes((h, wd), pads)
    q = pw // 2 + 1
    f = ph * q

    def chunk(b0, b1):
        nb = b1 - b0
        xf = _transform(_maps(x[b0:b1]), ph, pw, pads[0][0], pads[1][0]).reshape(2, f, nb, c)
        df = _transform(_maps(dy[b0:b1]), ph, pw, 0, 0).reshape(2, f, nb, o)
        # DW = sum_n X * conj(DY): re = Xre.Dre + Xim.Dim, im = Xim.Dre - Xre.Dim
        a = np.empty((f, c, 2, nb), dtype=dtype)
        a[:, :, 0] = xf[0].swapaxes(1, 2)
        a[:, :, 1] = xf[1].swapaxes(1, 2)
        d = np.ascontiguousarray(df.transpose(1, 0, 2, 3)).reshape(f, 2 * nb, o)
        dw = np.empty((2, f, c, o), dtype=dtype)
        np.matmul(a.reshape(f, c, 2 * nb), d, out=dw[0])
        a[:, :, 0], a[:, :, 1] = a[:, :, 1].copy(), -a[:, :, 0]
        np.matmul(a.reshape(f, c, 2 * nb), d, out=dw[1])
        return dw

    parts = _run(chunk, n, runner, 4 * f * (c + o) * np.dtype(dtype).itemsize, collect=True)
    dw = parts[0]
    for p in parts[1:]:
        np.add(dw, p, out=dw)
    out = _inverse(dw.reshape(2, ph, q, c * o), ph, pw, (0, kh), (0, kw))
    return out.reshape(kh, kw, c, o)


# Transform-domain bytes per batch chunk: big batches are cut into chunks (fixed by the shape
# alone, so partial filter gradients are summed the same way whatever the threads).
_CHUNK_BYTES = 16 << 20


def _run(fn, n, runner, item_bytes, collect=False):
    """Run fn over batch chunks: halves when n >= 16, smaller while a chunk is over budget."""
    nchunks = 1 if n < 16 else 2
    nchunks = max(nchunks, min(n, -(-n * int(item_bytes) // _CHUNK_BYTES)))
    step = -(-n // nchunks)
    chunks = [(b, min(n, b + step)) for b in range(0, n, step)]
    if runner is None or len(chunks) == 1:
        res = [fn(b0, b1) for b0, b1 in chunks]
    else:
        res = runner(fn, chunks)
    return res if collect else None


# ------------------------------------------------------------------ C kernels (float32)
# tensorweave/native/_conv.c runs the same transform-domain algorithm in phases, each split
# over the intra-op threads: (1) forward DFTs of the maps (batch chunks; skipped for a map
# whose spectrum is kept, see _left_spectra) and the filter's DFT along W, (2) the
# per-frequency complex channel matmuls with 3 real products (frequency chunks; the filter's
# spectrum is finished one frequency at a time inside them, and a filter gradient's sum over
# the batch happens inside one frequency, so no partial sums across threads), (3) the cropped
# inverse DFT (batch chunks).  The frame is the smallest circular size that equals the zero
# padded correlation (_csizes: 16 x 16 for 5x5 SAME on 14 x 14, not 18 x 18).  Every chunk
# computes the same values whatever thread runs it.  The module also has a direct
# convolution for few input channels (a first layer: forward and filter gradient).

def native():
    """The `_conv` C module, or None (not built, or TENSORWEAVE_NATIVE=0)."""
    return _native.load("_conv")


def _buf(slot, shape):
    """A float32 work array reused by this thread across calls (kernels/_util.scratch)."""
    return U.scratch(("conv_fast", slot), shape, np.float32)


def _split(n, parts):
    """[(b0, b1)]: n items in `parts` near-equal ranges (fixed by the shape alone)."""
    parts = max(1, min(n, parts))
    step, extra = divmod(n, parts)
    out, b = [], 0
    for i in range(parts):
        e = b + step + (i < extra)
        out.append((b, e))
        b = e
    return out


def _phase(runner, tasks):
    """Run the zero-argument callables in `tasks` (on the intra-op threads when given)."""
    if runner is None or len(tasks) == 1:
        for t in tasks:
            t()
        return
    runner(lambda i, _j: tasks[i](), [(i, i + 1) for i in range(len(tasks))])


# Items per task: batch chunks of the transforms and frequency chunks of the mixing.
_TASKS = 8


# Plane layouts of dft_fwd's output (see _conv.c store_planes): the complex products use 3 real
# multiplications, so the left operand keeps (re, im, re+im) and the right one (re, im-re,
# re+im), or (re, -im-re, re-im) when it enters conjugated.  (The Python side now only makes
# left-operand spectra; right operands are the filter, made inside cgemm_wf, or a left
# spectrum that cgemm reads conjugated.)
_LEFT, _RIGHT, _RIGHT_CONJ = 1, 2, 3


def _dft_tasks(m, src, dst, items, ntot, h, w, c, strides, ph, pw, off, mode,
               parts=_TASKS, copy=None):
    extra = () if copy is None else (copy,)
    return [functools.partial(m.dft_fwd, src, dst, b0, b1, ntot, h, w, c, *strides, ph, pw,
                              *off, mode, *extra) for b0, b1 in _split(items, parts)]


def _inv_tasks(m, src, dst, items, ntot, ph, pw, rows, cols, c, strides):
    return [functools.partial(m.dft_inv, src, dst, b0, b1, ntot, ph, pw, *rows, *cols, c,
                              *strides) for b0, b1 in _split(items, _TASKS)]


def _mix_tasks(m, a, b, cout, f, mm, k, nn, sa, sb, sc, conj_out=False, b_plain_conj=False):
    return [functools.partial(m.cgemm, a, b, cout, f0, f1, mm, k, nn, *sa, *sb, *sc, conj_out,
                              b_plain_conj) for f0, f1 in _split(f, _TASKS)]


def _csizes(in_sp, k, pads):
    """Smallest frame sizes whose circular correlation equals the zero-padded one.

    With the map at offset pad_before of a frame of size P, every tap index that falls in
    the padding (before: -pb..-1, after: n..n+pa-1) must land, modulo P, outside the data:
    P >= n + max(pb, pa).  The outputs and the filter must fit too: P >= out, P >= k.
    (The fully padded size n + pb + pa is always enough; this one is up to pad smaller,
    e.g. 16 instead of 18 for 5x5 SAME on 14x14.)
    """
    return tuple(max(n + max(pb, pa), kk, n + pb + pa - kk + 1)
                 for n, kk, (pb, pa) in zip(in_sp, k, pads))


def _rows_tasks(m, w, t1, kh, kw, k, nn, pw):
    """The filter's DFT along W (for cgemm_wf), in two tasks over its input-channel rows."""
    return [functools.partial(m.filter_rows, w, t1, i0, i1, kh, kw, k, nn, pw)
            for i0, i1 in _split(k, 2)]


def _mix_wf_tasks(m, a, t1, cout, f, mm, k, nn, sa, sc, ph, pw, kh, conj):
    # work items: frequency pairs (kh <= ph/2, kw), each with its mirror row (ph - kh, kw)
    pairs = (ph // 2 + 1) * (pw // 2 + 1)
    return [functools.partial(m.cgemm_wf, a, t1, cout, p0, p1, mm, k, nn, *sa, *sc, ph, pw, kh,
                              conj) for p0, p1 in _split(pairs, _TASKS)]


# One training step transforms each map twice: the forward and the filter gradient both
# transform the convolution's input, the input and filter gradients both transform
# out_backprop.  The left-operand spectrum of a map is kept with a copy of the bytes it came
# from, and reused only when a later call's map holds exactly the same bytes (checked in
# full), so reuse never depends on object identity or on an executor reusing buffers.
_SPEC_LOCK = threading.Lock()
_SPEC_CACHE = {}  # key -> (copy of the map, spectrum); insertion order = age
_SPEC_MAX_BYTES = 64 << 20


def clear_cache():
    """Drops the kept spectra."""
    with _SPEC_LOCK:
        _SPEC_CACHE.clear()


def _left_spectra(m, runner, maps, extra=()):
    """Left-operand (re, im, re+im) spectra (F, 3, N, C) of `maps`, a list of
    (src (N, H, W, C) contiguous float32, ph, pw, (off_h, off_w)); reused when kept, the
    others computed in one phase together with the tasks `extra`."""
    out, tasks, new = [], list(extra), []
    for src, ph, pw, off in maps:
        n, h, w, c = src.shape
        key = (src.shape, ph, pw, tuple(off))
        with _SPEC_LOCK:
            ent = _SPEC_CACHE.get(key)
        if ent is not None and m.same(ent[0], src):
            out.append(ent[1])
            continue
        spec = np.empty((ph * (pw // 2 + 1), 3, n, c), dtype=np.float32)
        # the transform also writes the copy of the bytes it read (when it will be kept)
        copy = None
        if spec.nbytes + src.nbytes <= _SPEC_MAX_BYTES // 2:
            copy = np.empty_like(src)
        tasks += _dft_tasks(m, src, spec, n, n, h, w, c, _nhwc_strides(h, w, c), ph, pw, off,
                            _LEFT, copy=copy)
        if copy is not None:
            new.append((key, copy, spec))
        out.append(spec)
    if tasks:
        _phase(runner, tasks)
    for key, copy, spec in new:
        with _SPEC_LOCK:
            _SPEC_CACHE.pop(key, None)
            _SPEC_CACHE[key] = (copy, spec)
            total = sum(a.nbytes + b.nbytes for a, b in _SPEC_CACHE.values())
            while total > _SPEC_MAX_BYTES:
                a, b = _SPEC_CACHE.pop(next(iter(_SPEC_CACHE)))
                total -= a.nbytes + b.nbytes
    return out


def _nhwc_strides(h, w, c):
    return (h * w * c, w * c, c)


def _filter_strides(kh, kw, c, o):
    """A filter (KH, KW, C, O) seen as C items of KH x KW maps with O channels."""
    return (o, kw * c * o, c * o)


def native_fwd(x, w, pads, runner=None):
    """float32 stride-1 Conv2D through the C kernels (x NHWC, w (KH, KW, C, O))."""
    m = native()
    x = np.ascontiguousarray(x, dtype=np.float32)
    w = np.ascontiguousarray(w, dtype=np.float32)
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    oh, ow = (v - kk + 1 for v, kk in zip(_sizes((h, wd), pads), (kh, kw)))
    ph, pw = _csizes((h, wd), (kh, kw), pads)
    f = ph * (pw // 2 + 1)
    res = np.empty((n, oh, ow, o), dtype=np.float32)
    if n == 0:
        return res
    q = pw // 2 + 1
    t1, yf = _buf("b", (q, kh, 2, c, o)), _buf("c", (f, 2, n, o))
    xf, = _left_spectra(m, runner, [(x, ph, pw, (pads[0][0], pads[1][0]))],
                        _rows_tasks(m, w, t1, kh, kw, c, o, pw))
    # correlation: Y = X conj(W), the filter's spectrum made one frequency at a time
    _phase(runner, _mix_wf_tasks(m, xf, t1, yf, f, n, c, o, (3 * n * c, n * c, c, 1),
                                 (2 * n * o, n * o, o), ph, pw, kh, True))
    _phase(runner, _inv_tasks(m, yf, res, n, n, ph, pw, (0, oh), (0, ow), o,
                              _nhwc_strides(oh, ow, o)))
    return res


def native_bwd_input(x_shape, w, dy, pads, runner=None):
    """float32 stride-1 Conv2D input gradient through the C kernels: returns (N, H, W, C)."""
    m = native()
    w = np.ascontiguousarray(w, dtype=np.float32)
    dy = np.ascontiguousarray(dy, dtype=np.float32)
    n, h, wd, c = (int(v) for v in x_shape)
    kh, kw, _, o = w.shape
    ph, pw = _csizes((h, wd), (kh, kw), pads)
    f = ph * (pw // 2 + 1)
    res = np.empty((n, h, wd, c), dtype=np.float32)
    if n == 0:
        return res
    wsw = np.ascontiguousarray(w.transpose(0, 1, 3, 2))  # (KH, KW, O, C)
    q = pw // 2 + 1
    t1, zf = _buf("b", (q, kh, 2, o, c)), _buf("c", (f, 2, n, c))
    df, = _left_spectra(m, runner, [(dy, ph, pw, (0, 0))],
                        _rows_tasks(m, wsw, t1, kh, kw, o, c, pw))
    # convolution: DX = DY W
    _phase(runner, _mix_wf_tasks(m, df, t1, zf, f, n, o, c, (3 * n * o, n * o, o, 1),
                                 (2 * n * c, n * c, c), ph, pw, kh, False))
    _phase(runner, _inv_tasks(m, zf, res, n, n, ph, pw, (pads[0][0], h), (pads[1][0], wd), c,
                              _nhwc_strides(h, wd, c)))
    return res


def native_bwd_filter(x, dy, k, pads, runner=None):
    """float32 stride-1 Conv2D filter gradient through the C kernels: returns (KH, KW, C, O)."""
    m = native()
    x = np.ascontiguousarray(x, dtype=np.float32)
    dy = np.ascontiguousarray(dy, dtype=np.float32)
    n, h, wd, c = x.shape
    o = dy.shape[-1]
    kh, kw = k
    ph, pw = _csizes((h, wd), k, pads)
    f = ph * (pw // 2 + 1)
    if n == 0:
        return np.zeros((kh, kw, c, o), dtype=np.float32)
    gf = _buf("c", (f, 2, o, c))
    xf, df = _left_spectra(m, runner, [(x, ph, pw, (pads[0][0], pads[1][0])),
                                       (dy, ph, pw, (0, 0))])
    # G_f (C x O) = sum_n X_f[n, c] conj(D_f[n, o]), computed as its conjugate transpose
    # G_f^H (O x C) = D_f^T conj(X_f) and stored conjugated: G_f^T.  Both spectra are in
    # their plain (left-operand) planes, the ones the forward and input gradient make.
    _phase(runner, _mix_tasks(m, df, xf, gf, f, o, n, c, (3 * n * o, n * o, 1, o),
                              (3 * n * c, n * c, c), (2 * o * c, o * c, c), True, True))
    res = np.empty((kh, kw, o, c), dtype=np.float32)
    _phase(runner, _inv_tasks(m, gf, res, o, o, ph, pw, (0, kh), (0, kw), c,
                              _filter_strides(kh, kw, o, c)))
    return np.ascontiguousarray(res.transpose(0, 1, 3, 2))


def _dgeom(x_shape, k, o, s, d, out, pads):
    n, h, w, c = x_shape
    return (n, h, w, c, o, k[0], k[1], out[0], out[1], pads[0][0], pads[1][0], s[0], s[1],
            d[0], d[1])


def direct_fwd(x, w, s, d, out, pads, runner=None):
    """float32 direct Conv2D (few input channels) through the C kernel: any stride/dilation."""
    m = native()
    x = np.ascontiguousarray(x, dtype=np.float32)
    w = np.ascontiguousarray(w, dtype=np.float32)
    n = x.shape[0]
    o = w.shape[-1]
    res = np.empty((n, *out, o), dtype=np.float32)
    if n == 0 or 0 in out:
        return res
    g = _dgeom(x.shape, w.shape[:2], o, s, d, out, pads)
    _phase(runner, [functools.partial(m.direct_fwd, x, w, res, b0, b1, *g)
                    for b0, b1 in _split(n, _TASKS)])
    return res


def direct_bwd_filter(x, dy, k, s, d, out, pads, runner=None):
    """float32 direct Conv2D filter gradient (few input channels): returns (KH, KW, C, O)."""
    m = native()
    x = np.ascontiguousarray(x, dtype=np.float32)
    dy = np.ascontiguousarray(dy, dtype=np.float32)
    n, c, o = x.shape[0], x.shape[-1], dy.shape[-1]
    if n == 0 or 0 in out:
        return np.zeros((*k, c, o), dtype=np.float32)
    g = _dgeom(x.shape, k, o, s, d, out, pads)
    taps = k[0] * k[1] * c
    # Batch chunks (fixed by the shape) each sum every filter row over their images; the
    # partial gradients are added in chunk order, so threads do not change the result.
    chunks = _split(n, 4 if n >= 8 else 1)
    parts = [np.empty((taps, o), dtype=np.float32) for _ in chunks]
    _phase(runner, [functools.partial(m.direct_bwd_filter, x, dy, p, 0, taps, b0, b1, *g)
                    for p, (b0, b1) in zip(parts, chunks)])
    res = parts[0]
    for p in parts[1:]:
        np.add(res, p, out=res)
    return res.reshape(*k, c, o)


# Cost model of the C paths (seconds per multiply-add, measured on AVX-512 at ~2.5 GHz):
# im2col + BLAS runs at ~45 G MAC/s, the C channel mixing at ~60 G real MAC/s and the C
# transforms (dense DFT sums, with the conjugate-pair savings) at ~30 G MAC/s of the dense
# counts below.  On top comes memory traffic: every spectrum is written once and read once;
# the filter's spectrum (F * C * O complex values, F/(KH*KW) times the filter) is read for
# just `batch` rows per frequency, so with small batches and many channels (VGG-style 3x3
# layers at batch 8) it dominates and im2col wins.
_RATE_GEMM = 45e9
_RATE_MIX = 60e9
_RATE_T = 30e9
_BW_DATA = 20e9
_BW_FILTER = 8e9
# TENSORWEAVE_CONV_NATIVE=0 keeps the C convolution kernels off (NumPy paths only).
NATIVE_ENABLED = os.environ.get("TENSORWEAVE_CONV_NATIVE", "1") != "0"


def plan_native(kind, n, in_sp, k, c, o, s, d, pads, dtypes):
    """"direct", "dft" or None: which C kernel (if any) a float32 Conv2D should use.

    kind is "fwd", "input" or "filter"; in_sp, k, s, d are 2-tuples, pads ((t, b), (l, r)).
    """
    if not NATIVE_ENABLED or any(np.dtype(t) != np.float32 for t in dtypes):
        return None
    if len(k) != 2 or n == 0 or c * o == 0 or native() is None:
        return None
    (h, w), (kh, kw) = in_sp, k
    oh = (h + pads[0][0] + pads[0][1] - (kh - 1) * d[0] - 1) // s[0] + 1
    ow = (w + pads[1][0] + pads[1][1] - (kw - 1) * d[1] - 1) // s[1] + 1
    if oh <= 0 or ow <= 0:
        return None
    direct = n * oh * ow * kh * kw * c * o
    if kind != "input" and c <= 4 and kh * kw * c <= 64:
        return "direct"
    if any(v != 1 for v in s + d) or min(k) < 2 or not ENABLED:
        return None
    ph, pw = _csizes(in_sp, k, pads)
    q = pw // 2 + 1
    f = ph * q
    mix = 4 * f * n * c * o
    # the pairing halves the complex pass of each transform
    wt = _t_macs(kh, kw, c * o, ph, q) / 2
    if kind == "fwd":
        t = _t_macs(h, w, n * c, ph, q) + wt + _i_macs(ph, q, oh, ow, n * o)
    elif kind == "input":
        t = _t_macs(oh, ow, n * o, ph, q) + wt + _i_macs(ph, q, h, w, n * c)
    else:
        t = _t_macs(h, w, n * c, ph, q) + _t_macs(oh, ow, n * o, ph, q) + _i_macs(
            ph, q, kh, kw, c * o)
    # bytes written + read: the filter (or filter gradient) spectrum, the two data spectra
    spec_w = 2 * 4 * f * 3 * c * o
    spec_d = 2 * 4 * f * (3 * n * c + 3 * n * o)
    cost = (0.75 * mix / _RATE_MIX + 0.6 * t / _RATE_T + spec_w / _BW_FILTER
            + spec_d / _BW_DATA + 30e-6)
    return "dft" if cost < direct / _RATE_GEMM else None
