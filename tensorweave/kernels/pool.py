"""Pooling kernels (MaxPool, AvgPool, 2-D and 3-D, forward and gradient) in NumPy.

All kernels loop over the (few) window taps, each step one vectorised operation on the
strided ``(N, *out, C)`` view that the tap reads; nothing loops over pixels or batch.

Semantics follow TF's CPU kernels:
- MaxPool: padding never wins (it acts as -inf).
- MaxPoolGrad (2-D): each window's gradient goes to ONE element, the first maximum in
  row-major scan order of the window (TF recomputes the argmax from ``orig_input``).
- MaxPool3DGrad: each window's gradient goes to EVERY element equal to ``orig_output``.
- AvgPool: SAME divides by the number of non-padded elements in the window.
"""

import numpy as np

from tensorweave import native

from . import _util as U

__all__ = [
    "avg_pool",
    "avg_pool3d",
    "avg_pool3d_grad",
    "avg_pool_grad",
    "max_pool",
    "max_pool3d",
    "max_pool3d_grad",
    "max_pool_grad",
    "max_pool_grad_relu",
]


def _setup(nd, x_shape_cl, ksize, strides, padding, data_format, explicit_paddings=()):
    k = U.spatial_attr(ksize, data_format, nd, "ksize")
    s = U.spatial_attr(strides, data_format, nd, "strides")
    if any(v < 1 for v in k + s):
        raise ValueError(f"ksize and strides must be >= 1, got {k} and {s}")
    if padding not in ("SAME", "VALID", "EXPLICIT"):
        raise ValueError(f"padding must be SAME, VALID or EXPLICIT, got {padding!r}")
    explicit = None
    if padding == "EXPLICIT":
        explicit = U.explicit_pairs(explicit_paddings, data_format, nd)
    out, pads = U.geometry(x_shape_cl[1:-1], k, s, (1,) * nd, padding, explicit)
    return k, s, out, pads


def _lowest(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind in "iu":
        return np.iinfo(dtype).min
    raise TypeError(f"unsupported dtype {dtype}")


def _ones(k):
    return (1,) * len(k)


# --------------------------------------------------------------------------- max


def _separable(xp, k, s, out, op):
    """Reduce windows with ``op`` (np.maximum, np.add) one spatial dim at a time.

    Max and sum are separable, so this takes sum(k) vectorised steps instead of prod(k), and
    reducing the outer dims first keeps the inner contiguous runs long.
    """
    cur = xp
    for dim in range(len(k)):
        res = None
        for t in range(k[dim]):
            idx = [slice(None)] * cur.ndim
            idx[1 + dim] = slice(t, t + (out[dim] - 1) * s[dim] + 1, s[dim])
            v = cur[tuple(idx)]
            if res is None:
                res = np.array(v, copy=True)
            else:
                op(res, v, out=res)
        cur = res
    return cur


def _max_fwd(x, k, s, out, pads):
    return _separable(U.pad(x, pads, _lowest(x.dtype)), k, s, out, np.maximum)


# Batch items per pass of the disjoint-window MaxPoolGrad: its ~12 passes over x, y, dy and
# dx then run in cache instead of main memory.
_GRAD_CHUNK_BYTES = 512 << 10


def _max_grad_tiled(x, dy, k, s, out):
    """MaxPoolGrad when the windows tile the input exactly (k == s, no padding).

    Same rule and numbers as the general path (first maximum in scan order gets the
    gradient; a NaN window routes nothing), computed a few batch items at a time.
    """
    dx = np.empty(x.shape, dtype=dy.dtype)
    tap_list = list(U.taps(k))
    idxs = [U.tap_index(t, out, s, _ones(k)) for t in tap_list]
    per = max(1, _GRAD_CHUNK_BYTES // max(1, x[:1].nbytes))
    hit = taken = None
    for b0 in range(0, x.shape[0], per):
        b1 = min(x.shape[0], b0 + per)
        xs, dys, dxs = x[b0:b1], dy[b0:b1], dx[b0:b1]
        y = _separable(xs, k, s, out, np.maximum)
        if hit is None or hit.shape != y.shape:
            hit = np.empty(y.shape, dtype=bool)
            taken = np.empty(y.shape, dtype=bool)
        for i, idx in enumerate(idxs):
            np.equal(xs[idx], y, out=hit)
            if i == 0:
                np.copyto(taken, hit)
            else:
                np.greater(hit, taken, out=hit)  # hit and not yet taken by an earlier tap
                if i + 1 < len(idxs):
                    taken |= hit
            np.multiply(dys, hit, out=dxs[idx])
    return dx


def _max_grad_first(x, dy, k, s, out, pads):
    """Route each window's gradient to its first maximum (scan order)."""
    if (x.dtype.kind == "f" and all(pb == 0 and pa == 0 for pb, pa in pads) and
            all(si == ki and o * ki == n for si, ki, o, n in zip(s, k, out, x.shape[1:-1]))):
        return _max_grad_tiled(x, dy, k, s, out)
    y = _max_fwd(x, k, s, out, pads)  # NOTE: TF recomputes the max from orig_input too.
    masks = None
    if x.dtype.kind == "f":
        xp = U.pad(x, pads, np.nan)  # NaN never equals the max: padding is never chosen
    else:
        xp = U.pad(x, pads, 0)
        masks = U.valid_masks(x.shape[1:-1], out, k, s, pads)
    disjoint = all(si >= ki for si, ki in zip(s, k))
    covered = disjoint and all(
        si == ki and o * ki == n for si, ki, o, n in zip(s, k, out, xp.shape[1:-1]))
    alloc = np.empty if covered else np.zeros
    dxp = alloc(xp.shape, dtype=dy.dtype)
    tap_list = list(U.taps(k))
    taken = None
    hit = np.empty(y.shape, dtype=bool)
    tmp = None if disjoint else np.empty(dy.shape, dtype=dy.dtype)
    for i, t in enumerate(tap_list):
        idx = U.tap_index(t, out, s, _ones(k))
        np.equal(xp[idx], y, out=hit)
        if masks is not None:
            valid = U.tap_mask(masks, t)
            if valid is not None:
                hit &= valid
        if taken is None:
            taken = hit.copy()
        else:
            np.greater(hit, taken, out=hit)  # hit and not yet taken by an earlier tap
            if i + 1 < len(tap_list):
                taken |= hit
        if disjoint:
            np.multiply(dy, hit, out=dxp[idx])
        else:
            np.multiply(dy, hit, out=tmp)
            dxp[idx] += tmp
    return U.crop(dxp, x.shape[1:-1], pads)


def _max_grad_all(x, y, dy, k, s, out, pads):
    """Route each window's gradient to every element equal to the window's output."""
    xp = U.pad(x, pads, 0)
    masks = U.valid_masks(x.shape[1:-1], out, k, s, pads)
    dxp = U.padded_zeros(x.shape, pads, dy.dtype)
    zero = dy.dtype.type(0)
    for t in U.taps(k):
        idx = U.tap_index(t, out, s, _ones(k))
        hit = xp[idx] == y
        valid = U.tap_mask(masks, t)
        if valid is not None:
            hit &= valid
        dxp[idx] += np.where(hit, dy, zero)
    return U.crop(dxp, x.shape[1:-1], pads)


# --------------------------------------------------------------------------- avg


def _counts(x_spatial, k, s, out, pads, dtype):
    """Number of non-padded elements per window, broadcastable as (1, *out, 1)."""
    nd = len(k)
    cnt = np.ones((1,) * (nd + 2), dtype=dtype)
    for i, m in enumerate(U.valid_masks(x_spatial, out, k, s, pads)):
        c = m.sum(axis=0).astype(dtype)
        cnt = cnt * c.reshape((1,) * (i + 1) + (-1,) + (1,) * (nd - i))
    return cnt


def _avg_fwd(x, k, s, out, pads):
    if x.dtype.kind != "f":
        raise TypeError(f"AvgPool supports floating types only, got {x.dtype}")
    res = _separable(U.pad(x, pads, 0), k, s, out, np.add)
    if any(pb or pa for pb, pa in pads):
        res /= _counts(x.shape[1:-1], k, s, out, pads, x.dtype)
    else:
        res /= x.dtype.type(U.prod(k))
    return res


def _avg_grad(x_shape, dy, k, s, out, pads):
    if any(pb or pa for pb, pa in pads):
        g = dy / _counts(x_shape[1:-1], k, s, out, pads, dy.dtype)
    else:
        g = dy / dy.dtype.type(U.prod(k))
    dxp = U.padded_zeros(x_shape, pads, dy.dtype)
    for t in U.taps(k):
        dxp[U.tap_index(t, out, s, _ones(k))] += g
    return U.crop(dxp, x_shape[1:-1], pads)


# ------------------------------------------------------------------ public 2-D


# --------------------------------------------------------------- native (C) 2-D paths

_NATIVE_DT = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}


def _native_args(x, k, s, out, pads, *others):
    """(module, geometry..., dtype code) for the C kernels of tensorweave/native/_nn.c, or
    None when they do not apply (not built, dtype, layout, negative explicit padding)."""
    m = native.load("_nn")
    if m is None or type(x) is not np.ndarray or x.ndim != 4 or not x.flags.c_contiguous:
        return None
    dt = _NATIVE_DT.get(x.dtype)
    if dt is None or any(pb < 0 or pa < 0 for pb, pa in pads):
        return None
    for o in others:
        if type(o) is not np.ndarray or o.dtype != x.dtype or not o.flags.c_contiguous:
            return None
    n, h, w, c = x.shape
    return m, (n, h, w, c, k[0], k[1], s[0], s[1], pads[0][0], pads[1][0], out[0], out[1], dt)


def native_geometry(ksize, strides, padding, explicit_paddings=(), data_format="NHWC"):
    """fn(x_shape) -> the C kernels' geometry tuple (without dtype), or None."""
    if data_format != "NHWC":
        return None

    def geom(shape):
        try:
            k, s, out, pads = _setup(2, shape, ksize, strides, padding, data_format,
                                     explicit_paddings)
        except (ValueError, TypeError):
            return None
        if any(pb < 0 or pa < 0 for pb, pa in pads):
            return None
        n, h, w, c = shape
        return (n, h, w, c, k[0], k[1], s[0], s[1], pads[0][0], pads[1][0], out[0], out[1])
    return geom


def max_pool(input, ksize, strides, padding, explicit_paddings=(), data_format="NHWC"):
    """TF ``MaxPool``."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(input), cl)
    k, s, out, pads = _setup(2, x.shape, ksize, strides, padding, data_format, explicit_paddings)
    nat = _native_args(x, k, s, out, pads) if cl else None
    if nat is not None:
        y = np.empty((x.shape[0], *out, x.shape[-1]), dtype=x.dtype)
        nat[0].max_pool(x, y, *nat[1])
        return y
    return U.from_channels_last(_max_fwd(x, k, s, out, pads), cl)


def max_pool_grad(orig_input, orig_output, grad, ksize, strides, padding, explicit_paddings=(),
                  data_format="NHWC"):
    """TF ``MaxPoolGrad`` (first maximum of each window wins; ``orig_output`` unused, as TF)."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(orig_input), cl)
    dy = U.to_channels_last(np.asarray(grad), cl)
    k, s, out, pads = _setup(2, x.shape, ksize, strides, padding, data_format, explicit_paddings)
    _check(dy, x, out)
    nat = _native_args(x, k, s, out, pads, dy) if cl else None
    if nat is not None:
        dx = np.empty(x.shape, dtype=x.dtype)
        nat[0].max_pool_grad(x, dy, None, dx, *nat[1])
        return dx
    return U.from_channels_last(_max_grad_first(x, dy, k, s, out, pads), cl)


def max_pool_grad_relu(orig_input, orig_output, grad, features, ksize, strides, padding,
                       explicit_paddings=(), data_format="NHWC", col_sum=False):
    """``ReluGrad(MaxPoolGrad(orig_input, orig_output, grad), features)`` in one C pass, or
    None when the C kernel does not apply (the caller then runs the two ops).  With
    ``col_sum`` it returns (result, the result's sums over N, H, W) from the same pass."""
    cl = U.check_format(data_format, 2)
    x, dy, f = orig_input, grad, features
    if not cl or type(x) is not np.ndarray or type(f) is not np.ndarray or (
            f.shape != x.shape) or x.ndim != 4 or getattr(dy, "ndim", 0) != 4:
        return None
    k, s, out, pads = _setup(2, x.shape, ksize, strides, padding, data_format, explicit_paddings)
    _check(dy, x, out)
    nat = _native_args(x, k, s, out, pads, dy, f)
    if nat is None:
        return None
    dx = np.empty(x.shape, dtype=x.dtype)
    if col_sum and x.shape[-1] > 0:
        cs = np.empty(x.shape[-1], dtype=x.dtype)
        nat[0].max_pool_grad(x, dy, f, dx, *nat[1], cs)
        return dx, cs
    else:
        nat[0].max_pool_grad(x, dy, f, dx, *nat[1])
    return dx


def avg_pool(value, ksize, strides, padding, data_format="NHWC"):
    """TF ``AvgPool``."""
    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(value), cl)
    k, s, out, pads = _setup(2, x.shape, ksize, strides, padding, data_format)
    return U.from_channels_last(_avg_fwd(x, k, s, out, pads), cl)


def avg_pool_grad(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC"):
    """TF ``AvgPoolGrad``."""
    cl = U.check_format(data_format, 2)
    x_shape = U.shape_to_channels_last(np.asarray(orig_input_shape).ravel(), cl)
    dy = U.to_channels_last(np.asarray(grad), cl)
    k, s, out, pads = _setup(2, x_shape, ksize, strides, padding, data_format)
    _check_shape(dy, x_shape, out)
    return U.from_channels_last(_avg_grad(x_shape, dy, k, s, out, pads), cl)


# ------------------------------------------------------------------ public 3-D


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC"):
    """TF ``MaxPool3D``."""
    cl = U.check_format(data_format, 3)
    x = U.to_channels_last(np.asarray(input), cl)
    k, s, out, pads = _setup(3, x.shape, ksize, strides, padding, data_format)
    return U.from_channels_last(_max_fwd(x, k, s, out, pads), cl)


def max_pool3d_grad(orig_input, orig_output, grad, ksize, strides, padding,
                    data_format="NDHWC"):
    """TF ``MaxPool3DGrad`` (every element equal to the window's ``orig_output`` gets it)."""
    cl = U.check_format(data_format, 3)
    x = U.to_channels_last(np.asarray(orig_input), cl)
    y = U.to_channels_last(np.asarray(orig_output), cl)
    dy = U.to_channels_last(np.asarray(grad), cl)
    k, s, out, pads = _setup(3, x.shape, ksize, strides, padding, data_format)
    _check(dy, x, out)
    _check(y, x, out)
    return U.from_channels_last(_max_grad_all(x, y, dy, k, s, out, pads), cl)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC"):
    """TF ``AvgPool3D``."""
    cl = U.check_format(data_format, 3)
    x = U.to_channels_last(np.asarray(input), cl)
    k, s, out, pads = _setup(3, x.shape, ksize, strides, padding, data_format)
    return U.from_channels_last(_avg_fwd(x, k, s, out, pads), cl)


def avg_pool3d_grad(orig_input_shape, grad, ksize, strides, padding, data_format="NDHWC"):
    """TF ``AvgPool3DGrad``."""
    cl = U.check_format(data_format, 3)
    x_shape = U.shape_to_channels_last(np.asarray(orig_input_shape).ravel(), cl)
    dy = U.to_channels_last(np.asarray(grad), cl)
    k, s, out, pads = _setup(3, x_shape, ksize, strides, padding, data_format)
    _check_shape(dy, x_shape, out)
    return U.from_channels_last(_avg_grad(x_shape, dy, k, s, out, pads), cl)


def _check(dy, x, out):
    _check_shape(dy, x.shape, out)


def _check_shape(dy, x_shape, out):
    want = (x_shape[0], *out, x_shape[-1])
    if tuple(dy.shape) != want:
        raise ValueError(f"gradient has shape {tuple(dy.shape)} (channels-last), "
                         f"expected {want}")
