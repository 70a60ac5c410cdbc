"""Shared helpers for the convolution and pooling kernels (NumPy only).

Everything here works on *channels-last* arrays ``(N, *spatial, C)``; the public kernels
convert NCHW/NCDHW inputs with a transpose at entry and exit.
"""

import itertools
import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["conv_output_size", "conv_padding"]

_SCRATCH = threading.local()


def scratch(slot, shape, dtype):
    """A buffer of this thread's, reused across calls under the name `slot` (no page faults
    for a fresh work array every call); its contents are whatever the last user left."""
    dtype = np.dtype(dtype)
    n = prod(shape) * dtype.itemsize
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < n:
        buf = bufs[slot] = np.empty(max(n, 1), dtype=np.uint8)
    return buf[:n].view(dtype).reshape(shape)


# Bytes of im2col buffer per chunk: small enough to stay in L2/L3 between the copy and the
# GEMM that consumes it, large enough that the per-call overhead does not matter.
CHUNK_BYTES = 8 << 20


def conv_output_size(in_size, k, stride, dilation=1, padding="SAME", pad_before=0, pad_after=0):
    """Output length of one spatial dim, TF's arithmetic; ``None`` in -> ``None`` out.

    ``padding`` is "SAME", "VALID" or "EXPLICIT" (then ``pad_before``/``pad_after`` apply).
    """
    if in_size is None or k is None or stride is None:
        return None
    eff_k = (k - 1) * dilation + 1
    if padding == "SAME":
        return -(-in_size // stride)
    if padding == "VALID":
        return max(-(-(in_size - eff_k + 1) // stride), 0)
    if padding == "EXPLICIT":
        return max((in_size + pad_before + pad_after - eff_k) // stride + 1, 0)
    raise ValueError(f"Unknown padding {padding!r}")


def conv_padding(in_size, k, stride, dilation=1, padding="SAME", explicit=(0, 0)):
    """Return ``(out_size, pad_before, pad_after)`` for one spatial dim (TF's rules)."""
    if padding == "EXPLICIT":
        pb, pa = int(explicit[0]), int(explicit[1])
        return conv_output_size(in_size, k, stride, dilation, padding, pb, pa), pb, pa
    out = conv_output_size(in_size, k, stride, dilation, padding)
    if padding == "VALID":
        return out, 0, 0
    eff_k = (k - 1) * dilation + 1
    pad_total = max((out - 1) * stride + eff_k - in_size, 0)
    return out, pad_total // 2, pad_total - pad_total // 2


def check_format(data_format, nd):
    """Validate a data format string; return True when it is channels-last."""
    allowed = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}[nd]
    if data_format not in allowed:
        raise ValueError(f"data_format must be one of {allowed}, got {data_format!r}")
    return data_format[-1] == "C"


def spatial_attr(attr, data_format, nd, name, default=1):
    """Pick the spatial entries of a full-rank attr (strides, dilations, ksize)."""
    if attr is None:
        return (default,) * nd
    attr = [int(a) for a in attr]
    if len(attr) != nd + 2:
        raise ValueError(f"{name} must have {nd + 2} entries, got {attr}")
    cl = data_format[-1] == "C"
    batch, chan = attr[0], attr[-1] if cl else attr[1]
    if batch != 1 or chan != 1:
        raise ValueError(f"{name} over the batch or channel dimension is not supported: {attr}")
    return tuple(attr[1:-1]) if cl else tuple(attr[2:])


def explicit_pairs(explicit_paddings, data_format, nd):
    """Spatial (before, after) pairs from TF's flat ``explicit_paddings`` list."""
    p = [int(v) for v in explicit_paddings]
    if len(p) != 2 * (nd + 2):
        raise ValueError(f"explicit_paddings must have {2 * (nd + 2)} entries, got {p}")
    pairs = [(p[2 * i], p[2 * i + 1]) for i in range(nd + 2)]
    cl = data_format[-1] == "C"
    if pairs[0] != (0, 0) or pairs[-1 if cl else 1] != (0, 0):
        raise ValueError("explicit_paddings must be zero on the batch and channel dims")
    return pairs[1:-1] if cl else pairs[2:]


def to_channels_last(x, channels_last):
    return x if channels_last else np.moveaxis(x, 1, -1)


def from_channels_last(y, channels_last):
    return y if channels_last else np.ascontiguousarray(np.moveaxis(y, -1, 1))


def shape_to_channels_last(shape, channels_last):
    shape = tuple(int(s) for s in shape)
    return shape if channels_last else (shape[0], *shape[2:], shape[1])


def geometry(in_spatial, k, strides, dilations, padding, explicit=None):
    """Per-dim ``out`` sizes and ``(before, after)`` pads for all spatial dims."""
    outs, pads = [], []
    for i in range(len(in_spatial)):
        ex = explicit[i] if explicit is not None else (0, 0)
        o, pb, pa = conv_padding(in_spatial[i], k[i], strides[i], dilations[i], padding, ex)
        outs.append(o)
        pads.append((pb, pa))
    return tuple(outs), tuple(pads)


def pad(x, pads, value=0):
    """Pad the spatial dims of a channels-last array (no copy when all pads are zero)."""
    if all(pb == 0 and pa == 0 for pb, pa in pads):
        return x
    shape = (x.shape[0],) + tuple(s + pb + pa for s, (pb, pa) in zip(x.shape[1:-1], pads))
    out = np.full(shape + (x.shape[-1],), value, dtype=x.dtype)
    out[interior(x.shape[1:-1], pads)] = x
    return out


def interior(in_spatial, pads):
    """Index selecting the unpadded region of a padded channels-last array."""
    return (slice(None),) + tuple(slice(pb, pb + s) for s, (pb, _) in zip(in_spatial, pads))


def padded_zeros(x_shape, pads, dtype):
    shape = (x_shape[0],) + tuple(s + pb + pa for s, (pb, pa) in zip(x_shape[1:-1], pads))
    return np.zeros(shape + (x_shape[-1],), dtype=dtype)


def crop(xp, in_spatial, pads):
    """Unpadded region of ``xp`` as a contiguous array."""
    if all(pb == 0 and pa == 0 for pb, pa in pads) and xp.shape[1:-1] == tuple(in_spatial):
        return xp
    return np.ascontiguousarray(xp[interior(in_spatial, pads)])


def windows(xp, out, k, strides, dilations):
    """Read-only view ``(N, *out, *k, C)`` of all windows of a padded channels-last array."""
    st = xp.strides
    nd = len(out)
    shape = (xp.shape[0], *out, *k, xp.shape[-1])
    vs = (
        (st[0],)
        + tuple(st[1 + i] * strides[i] for i in range(nd))
        + tuple(st[1 + i] * dilations[i] for i in range(nd))
        + (st[-1],)
    )
    return as_strided(xp, shape, vs, writeable=False)


def taps(k):
    """All kernel tap index tuples in row-major (scan) order."""
    return itertools.product(*(range(ki) for ki in k))


def tap_index(tap, out, strides, dilations):
    """Index into a padded array giving the ``(N, *out, C)`` view read by one tap."""
    return (slice(None),) + tuple(
        slice(t * d, t * d + (o - 1) * s + 1, s)
        for t, o, s, d in zip(tap, out, strides, dilations)
    ) + (slice(None),)


def valid_masks(in_spatial, out, k, strides, pads):
    """Per dim, a bool array ``(k_i, out_i)``: does tap t at output o hit real input?"""
    masks = []
    for n, o, ki, s, (pb, _) in zip(in_spatial, out, k, strides, pads):
        pos = np.arange(o)[None, :] * s + np.arange(ki)[:, None] - pb
        masks.append((pos >= 0) & (pos < n))
    return masks


def tap_mask(masks, tap):
    """Broadcastable ``(1, *out, 1)`` validity mask for one tap, or None when all valid."""
    parts = [m[t] for m, t in zip(masks, tap)]
    if all(p.all() for p in parts):
        return None
    nd = len(parts)
    m = np.ones((1,) * (nd + 2), dtype=bool)
    for i, p in enumerate(parts):
        m = m & p.reshape((1,) * (i + 1) + (-1,) + (1,) * (nd - i))
    return m


def batch_chunk(n, bytes_per_item):
    """How many batch items go in one im2col chunk."""
    return max(1, min(n, CHUNK_BYTES // max(int(bytes_per_item), 1)))


def prod(xs):
    return math.prod(int(x) for x in xs)
