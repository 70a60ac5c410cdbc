"""C fast paths (tensorweave/native/_nn.c) for the memory-bound NN passes.

Each helper returns None when the C kernel does not apply (module not built, dtype other
than float32/float64, non-contiguous or tiny inputs, shapes outside its pattern); the caller
then runs its NumPy code, which gives the same numbers (bit for bit, except `col_sum`,
which accumulates in double instead of NumPy's float32 running sum).
"""
import numpy as np

from tensorweave import native

_DT = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
# Below this many elements NumPy's own loop is as quick as the call into C.
MIN_ELEMENTS = 1024


def _nn():
    return native.load("_nn")


def _code(x):
    """dtype code of a C-contiguous float32/float64 ndarray, else None."""
    if type(x) is not np.ndarray or not x.flags.c_contiguous:
        return None
    return _DT.get(x.dtype)


def relu(x, out=None):
    """np.maximum(x, 0), or None."""
    m = _nn()
    dt = _code(x)
    if m is None or dt is None or x.size < MIN_ELEMENTS:
        return None
    if out is None:
        out = np.empty(x.shape, x.dtype)
    m.bias_act(x, None, out, x.size, 1, 1, dt)
    return out


def relu_grad(g, f, out=None):
    """np.multiply(g, f > 0) (into `out`, which may be g), or None."""
    m = _nn()
    dt = _code(g)
    if (m is None or dt is None or g.size < MIN_ELEMENTS or _code(f) != dt or
            f.shape != g.shape):
        return None
    if out is None:
        out = np.empty(g.shape, g.dtype)
    m.relu_grad(g, f, out, g.size, dt)
    return out


def _bias_pair(a, b):
    """(x, bias) when a + b adds a vector along x's last axis, else None."""
    for x, v in ((a, b), (b, a)):
        if (type(v) is np.ndarray and v.ndim >= 1 and v.ndim <= x.ndim and x.ndim >= 1 and
                v.shape[-1] == x.shape[-1] and all(d == 1 for d in v.shape[:-1])):
            return x, v
    return None


def bias_add(a, b, relu=False, out=None):
    """a + b (then ReLU) when one operand is a vector along the other's last axis (or both
    have the same shape); None otherwise."""
    m = _nn()
    if m is None or type(a) is not np.ndarray or type(b) is not np.ndarray:
        return None
    dt = _code(a)
    if dt is None or _code(b) != dt:
        return None
    if a.shape == b.shape:
        x, v = a, b
    else:
        p = _bias_pair(a, b)
        if p is None:
            return None
        x, v = p
    if x.size < MIN_ELEMENTS:
        return None
    c = v.size if a.shape != b.shape else x.size
    if out is None:
        out = np.empty(x.shape, x.dtype)
    m.bias_act(x, v, out, x.size, max(c, 1), 1 if relu else 0, dt)
    return out


def col_sum(x):
    """x summed over all axes but the last (shape (C,)), accumulated in double; or None."""
    m = _nn()
    dt = _code(x)
    if m is None or dt is None or x.ndim < 2 or x.size < MIN_ELEMENTS or x.shape[-1] < 8:
        return None
    c = x.shape[-1]
    out = np.empty(c, x.dtype)
    m.col_sum(x, out, x.size // c, c, dt)
    return out


def bias_relu_pool(a, b, geom):
    """(relu(a + b), its max pool) in one pass over each image while it is in cache, or None
    (a plan step computing a Relu(Add/BiasAdd) and the MaxPool reading it; `geom` from
    pool.native_geometry)."""
    m = _nn()
    if m is None or type(a) is not np.ndarray or type(b) is not np.ndarray:
        return None
    p = _bias_pair(a, b)
    if p is None or p[1].ndim != 1 or p[0].ndim != 4:
        return None
    x, v = p
    dt = _code(x)
    if dt is None or _code(v) != dt or x.size < MIN_ELEMENTS:
        return None
    g = geom(x.shape)
    if g is None:
        return None
    out = np.empty(x.shape, x.dtype)
    y = np.empty((x.shape[0], g[10], g[11], x.shape[3]), x.dtype)
    m.bias_relu_pool(x, v, out, y, *g, dt)
    return out, y
