"""Tests for tensorweave.kernels.pool against naive loops, central differences and real TF."""

import itertools
import json
import os

import numpy as np
import pytest

from tensorweave.kernels import pool as P

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "kernels_reference.npz")
RS = np.random.RandomState(1)


# ------------------------------------------------------------------ naive references


def ref_geometry(n, k, s, padding, explicit=(0, 0)):
    if padding == "SAME":
        out = -(-n // s)
        return out, max((out - 1) * s + k - n, 0) // 2
    if padding == "VALID":
        return -(-(n - k + 1) // s), 0
    return (n + explicit[0] + explicit[1] - k) // s + 1, explicit[0]


def naive_windows(sp, k, s, padding, explicit=None):
    """Yield (output index, [input indices of the window, scan order, padding dropped])."""
    geo = [ref_geometry(sp[i], k[i], s[i], padding, explicit[i] if explicit else (0, 0))
           for i in range(len(sp))]
    out = [g[0] for g in geo]
    for o in itertools.product(*(range(v) for v in out)):
        cells = []
        for t in itertools.product(*(range(v) for v in k)):
            pos = tuple(o[i] * s[i] + t[i] - geo[i][1] for i in range(len(sp)))
            if all(0 <= pos[i] < sp[i] for i in range(len(sp))):
                cells.append(pos)
        yield o, cells
    return out


def naive_out_shape(x_shape, k, s, padding, explicit=None):
    sp = x_shape[1:-1]
    out = [ref_geometry(sp[i], k[i], s[i], padding, explicit[i] if explicit else (0, 0))[0]
           for i in range(len(sp))]
    return (x_shape[0], *out, x_shape[-1])


def naive_pool(x, k, s, padding, kind, explicit=None):
    y = np.zeros(naive_out_shape(x.shape, k, s, padding, explicit), dtype=np.float64)
    for o, cells in naive_windows(x.shape[1:-1], k, s, padding, explicit):
        vals = np.stack([x[(slice(None), *c)] for c in cells])  # (cells, N, C)
        y[(slice(None), *o)] = vals.max(0) if kind == "max" else vals.mean(0)
    return y


def naive_max_grad(x, g, k, s, padding, first_only, explicit=None):
    dx = np.zeros(x.shape, dtype=np.float64)
    for o, cells in naive_windows(x.shape[1:-1], k, s, padding, explicit):
        vals = np.stack([x[(slice(None), *c)] for c in cells])
        gv = g[(slice(None), *o)]
        if first_only:
            first = vals.argmax(0)  # first maximum in scan order
            for j, c in enumerate(cells):
                dx[(slice(None), *c)] += np.where(first == j, gv, 0)
        else:
            top = vals.max(0)
            for j, c in enumerate(cells):
                dx[(slice(None), *c)] += np.where(vals[j] == top, gv, 0)
    return dx


def naive_avg_grad(x_shape, g, k, s, padding):
    dx = np.zeros(x_shape, dtype=np.float64)
    for o, cells in naive_windows(x_shape[1:-1], k, s, padding):
        for c in cells:
            dx[(slice(None), *c)] += g[(slice(None), *o)] / len(cells)
    return dx


def numeric_vjp(f, x, dy, eps=1e-6):
    g = np.zeros_like(x)
    flat, gf = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        hi = np.sum(f(x) * dy)
        flat[i] = old - eps
        lo = np.sum(f(x) * dy)
        flat[i] = old
        gf[i] = (hi - lo) / (2 * eps)
    return g


def tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


def to_cf(a):
    return np.ascontiguousarray(np.moveaxis(a, -1, 1))


def from_cf(a):
    return np.moveaxis(a, 1, -1)


def full_attr(sp, fmt):
    return [1, *sp, 1] if fmt[-1] == "C" else [1, 1, *sp]


# --------------------------------------------------------------------------- 2-D

POOL2D_CASES = [
    ((2, 6, 8, 3), (2, 2), (2, 2), "SAME"),
    ((2, 7, 5, 3), (2, 2), (2, 2), "SAME"),
    ((2, 7, 5, 3), (2, 2), (2, 2), "VALID"),
    ((1, 7, 6, 2), (3, 3), (1, 1), "SAME"),
    ((1, 7, 6, 2), (3, 2), (2, 1), "VALID"),
    ((1, 9, 8, 2), (2, 3), (3, 3), "SAME"),  # stride > ksize: gaps
    ((1, 5, 6, 2), (3, 3), (2, 2), "SAME"),
    ((1, 2, 3, 2), (3, 3), (1, 2), "SAME"),  # window larger than input
]


def _inputs(shape, dtype, with_ties):
    if with_ties:
        return RS.randint(-2, 3, size=shape).astype(dtype)
    return RS.randn(*shape).astype(dtype)


@pytest.mark.parametrize("with_ties", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", POOL2D_CASES)
def test_pool2d_vs_naive(case, fmt, dtype, with_ties):
    xs, k, s, padding = case
    x = _inputs(xs, dtype, with_ties)
    kw = {"ksize": full_attr(k, fmt), "strides": full_attr(s, fmt), "padding": padding,
              "data_format": fmt}
    cf = fmt == "NCHW"
    xin = to_cf(x) if cf else x

    def back(a):
        assert a.dtype == dtype
        return from_cf(a) if cf else a

    y = P.max_pool(xin, **kw)
    np.testing.assert_array_equal(back(y), naive_pool(x, k, s, padding, "max"))
    g = RS.randn(*y.shape).astype(dtype)
    gl = from_cf(g) if cf else g
    dx = back(P.max_pool_grad(xin, y, g, **kw))
    np.testing.assert_allclose(dx, naive_max_grad(x, gl, k, s, padding, True), **tol(dtype))

    ya = back(P.avg_pool(xin, **kw))
    np.testing.assert_allclose(ya, naive_pool(x, k, s, padding, "avg"), **tol(dtype))
    dxa = back(P.avg_pool_grad(np.array(xin.shape, np.int32), g, **kw))
    np.testing.assert_allclose(dxa, naive_avg_grad(xs, gl, k, s, padding), **tol(dtype))


def test_max_pool_explicit_padding_and_ints():
    x = RS.randint(-50, 50, size=(2, 5, 6, 3)).astype(np.int32)
    ex = ((1, 2), (0, 1))
    kw = {"ksize": [1, 3, 2, 1], "strides": [1, 2, 2, 1], "padding": "EXPLICIT",
              "explicit_paddings": [0, 0, 1, 2, 0, 1, 0, 0]}
    y = P.max_pool(x, **kw)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, naive_pool(x, (3, 2), (2, 2), "EXPLICIT", "max", ex))
    g = RS.randint(-5, 5, size=y.shape).astype(np.int32)
    np.testing.assert_array_equal(P.max_pool_grad(x, y, g, **kw),
                                  naive_max_grad(x, g, (3, 2), (2, 2), "EXPLICIT", True, ex))


def test_max_pool_grad_ties_go_to_first_in_scan_order():
    x = np.ones((1, 4, 4, 1), np.float32)
    g = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
    dx = P.max_pool_grad(x, None, g, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    # Values recorded from TF 2.21's CPU kernel.
    want = [[14, 10, 12, 0], [19, 11, 12, 0], [27, 15, 16, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(dx[0, :, :, 0], want)


def test_max_pool_padding_never_selected():
    x = np.full((1, 3, 3, 1), -np.inf, np.float32)
    x[0, 2, 2, 0] = -1e30
    y = P.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert y[0, 1, 1, 0] == np.float32(-1e30) and y[0, 0, 0, 0] == -np.inf
    g = np.ones_like(y)
    dx = P.max_pool_grad(x, y, g, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert dx.sum() == 4 and dx[0, 2, 2, 0] == 1


@pytest.mark.parametrize("case", [POOL2D_CASES[i] for i in (1, 3, 5, 6)])
def test_pool2d_grads_vs_central_differences(case):
    xs, k, s, padding = case
    # Distinct values far apart: the max is stable under +-eps.
    x = RS.permutation(np.prod(xs)).reshape(xs).astype(np.float64) * 0.01
    kw = {"ksize": [1, *k, 1], "strides": [1, *s, 1], "padding": padding}
    y = P.max_pool(x, **kw)
    g = RS.randn(*y.shape)
    np.testing.assert_allclose(P.max_pool_grad(x, y, g, **kw),
                               numeric_vjp(lambda v: P.max_pool(v, **kw), x, g),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(P.avg_pool_grad(xs, g, **kw),
                               numeric_vjp(lambda v: P.avg_pool(v, **kw), x, g),
                               rtol=1e-6, atol=1e-6)


def test_pool_rejects_batch_or_channel_windows():
    x = RS.randn(1, 4, 4, 2)
    with pytest.raises(ValueError):
        P.max_pool(x, [1, 2, 2, 2], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError):
        P.avg_pool(x, [2, 2, 2, 1], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError):
        P.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "FULL")


# --------------------------------------------------------------------------- 3-D

POOL3D_CASES = [
    ((1, 4, 5, 3, 2), (2, 2, 2), (2, 2, 2), "SAME"),
    ((2, 4, 5, 4, 1), (2, 3, 2), (1, 2, 1), "VALID"),
    ((1, 3, 4, 3, 2), (3, 3, 3), (1, 1, 1), "SAME"),
    ((1, 5, 4, 5, 1), (2, 2, 2), (3, 2, 3), "SAME"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["NDHWC", "NCDHW"])
@pytest.mark.parametrize("case", POOL3D_CASES)
def test_pool3d_vs_naive(case, fmt, dtype):
    xs, k, s, padding = case
    x = _inputs(xs, dtype, with_ties=True)
    kw = {"ksize": full_attr(k, fmt), "strides": full_attr(s, fmt), "padding": padding,
              "data_format": fmt}
    cf = fmt == "NCDHW"
    xin = to_cf(x) if cf else x

    def back(a):
        assert a.dtype == dtype
        return from_cf(a) if cf else a

    y = P.max_pool3d(xin, **kw)
    np.testing.assert_array_equal(back(y), naive_pool(x, k, s, padding, "max"))
    g = RS.randn(*y.shape).astype(dtype)
    gl = from_cf(g) if cf else g
    dx = back(P.max_pool3d_grad(xin, y, g, **kw))
    np.testing.assert_allclose(dx, naive_max_grad(x, gl, k, s, padding, False), **tol(dtype))
    ya = back(P.avg_pool3d(xin, **kw))
    np.testing.assert_allclose(ya, naive_pool(x, k, s, padding, "avg"), **tol(dtype))
    dxa = back(P.avg_pool3d_grad(np.array(xin.shape), g, **kw))
    np.testing.assert_allclose(dxa, naive_avg_grad(xs, gl, k, s, padding), **tol(dtype))


@pytest.mark.parametrize("case", POOL3D_CASES[:3])
def test_pool3d_grads_vs_central_differences(case):
    xs, k, s, padding = case
    x = RS.permutation(np.prod(xs)).reshape(xs).astype(np.float64) * 0.01
    kw = {"ksize": [1, *k, 1], "strides": [1, *s, 1], "padding": padding}
    y = P.max_pool3d(x, **kw)
    g = RS.randn(*y.shape)
    np.testing.assert_allclose(P.max_pool3d_grad(x, y, g, **kw),
                               numeric_vjp(lambda v: P.max_pool3d(v, **kw), x, g),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(P.avg_pool3d_grad(xs, g, **kw),
                               numeric_vjp(lambda v: P.avg_pool3d(v, **kw), x, g),
                               rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------- real TF references

OPS = {
    "MaxPool": P.max_pool,
    "MaxPoolGrad": P.max_pool_grad,
    "AvgPool": P.avg_pool,
    "AvgPoolGrad": P.avg_pool_grad,
    "MaxPool3D": P.max_pool3d,
    "MaxPool3DGrad": P.max_pool3d_grad,
    "AvgPool3D": P.avg_pool3d,
    "AvgPool3DGrad": P.avg_pool3d_grad,
}


def _tf_cases(ops):
    data = np.load(DATA)
    cases = json.loads(str(data["__cases__"]))
    return data, [c for c in cases if c["op"] in ops]


_DATA, _CASES = _tf_cases(OPS)


@pytest.mark.parametrize("case", _CASES, ids=[c["name"] for c in _CASES])
def test_against_tensorflow(case):
    ins = {k: _DATA[f"{case['name']}/{k}"] for k in case["inputs"]}
    ref = _DATA[f"{case['name']}/__out__"]
    out = OPS[case["op"]](**ins, **case["attrs"])
    assert out.dtype == ref.dtype and out.shape == ref.shape
    np.testing.assert_allclose(out, ref, **tol(ref.dtype))
