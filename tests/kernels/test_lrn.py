"""Tests for tensorweave.kernels.lrn against naive loops, central differences and real TF."""

import json
import os

import numpy as np
import pytest

from tensorweave.kernels import lrn as L

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "kernels_reference.npz")
RS = np.random.RandomState(2)


def naive_lrn(x, r, bias, alpha, beta):
    x = x.astype(np.float64)
    depth = x.shape[-1]
    y = np.empty_like(x)
    for d in range(depth):
        lo, hi = max(0, d - r), min(depth, d + r + 1)
        sq = np.sum(x[..., lo:hi] ** 2, axis=-1)
        y[..., d] = x[..., d] / (bias + alpha * sq) ** beta
    return y


def naive_lrn_grad(g, x, r, bias, alpha, beta):
    """Explicit chain rule, one output depth at a time."""
    x = x.astype(np.float64)
    depth = x.shape[-1]
    dx = np.zeros_like(x)
    for d in range(depth):
        lo, hi = max(0, d - r), min(depth, d + r + 1)
        n = bias + alpha * np.sum(x[..., lo:hi] ** 2, axis=-1)
        dx[..., d] += g[..., d] * n ** -beta
        coef = g[..., d] * x[..., d] * -beta * n ** (-beta - 1) * alpha * 2
        for j in range(lo, hi):
            dx[..., j] += coef * x[..., j]
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
    return {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-11, "atol": 1e-12}


PARAMS = [
    (5, 1.0, 1.0, 0.5),
    (2, 1.5, 0.3, 0.75),
    (1, 2.0, 0.1, 1.3),
    (0, 1.0, 0.5, 1.0),
    (12, 0.7, 0.2, 0.6),  # radius wider than the depth
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("params", PARAMS)
def test_lrn_and_grad_vs_naive(params, dtype):
    r, bias, alpha, beta = params
    x = RS.randn(2, 3, 2, 7).astype(dtype)
    kw = {"depth_radius": r, "bias": bias, "alpha": alpha, "beta": beta}
    y = L.lrn(x, **kw)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, naive_lrn(x, r, bias, alpha, beta), **tol(dtype))
    g = RS.randn(*x.shape).astype(dtype)
    dx = L.lrn_grad(g, x, y, **kw)
    assert dx.dtype == dtype
    np.testing.assert_allclose(dx, naive_lrn_grad(g, x, r, bias, alpha, beta), **tol(dtype))


@pytest.mark.parametrize("params", PARAMS[:4])
def test_lrn_grad_vs_central_differences(params):
    r, bias, alpha, beta = params
    kw = {"depth_radius": r, "bias": bias, "alpha": alpha, "beta": beta}
    x = RS.randn(1, 2, 2, 6)
    g = RS.randn(*x.shape)
    np.testing.assert_allclose(L.lrn_grad(g, x, L.lrn(x, **kw), **kw),
                               numeric_vjp(lambda v: L.lrn(v, **kw), x, g),
                               rtol=1e-6, atol=1e-7)


def test_lrn_deep_input_uses_shifted_sums():
    x = RS.randn(1, 2, 1, 1100)
    kw = {"depth_radius": 3, "bias": 1.0, "alpha": 0.01, "beta": 0.75}
    y = L.lrn(x, **kw)
    np.testing.assert_allclose(y, naive_lrn(x, 3, 1.0, 0.01, 0.75), rtol=1e-12)
    g = RS.randn(*x.shape)
    np.testing.assert_allclose(L.lrn_grad(g, x, y, **kw),
                               naive_lrn_grad(g, x, 3, 1.0, 0.01, 0.75), rtol=1e-10,
                               atol=1e-12)


def test_lrn_rejects_bad_input():
    with pytest.raises(ValueError):
        L.lrn(RS.randn(3, 4))
    with pytest.raises(TypeError):
        L.lrn(np.ones((1, 1, 1, 3), np.int32))


OPS = {"LRN": L.lrn, "LRNGrad": L.lrn_grad}


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
