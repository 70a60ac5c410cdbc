"""Tests for tensorweave.kernels.conv against naive loops, central differences and real TF."""

import itertools
import json
import os

import numpy as np
import pytest

from tensorweave.kernels import conv as C

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "kernels_reference.npz")
RS = np.random.RandomState(0)


# ------------------------------------------------------------------ naive references


def ref_geometry(n, k, s, d, padding, explicit=(0, 0)):
    """TF's SAME/VALID arithmetic written out independently: (out, pad_before)."""
    ek = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-n // s)
        return out, max((out - 1) * s + ek - n, 0) // 2
    if padding == "VALID":
        return -(-(n - ek + 1) // s), 0
    return (n + explicit[0] + explicit[1] - ek) // s + 1, explicit[0]


def naive_geometry(sp, k, s, d, padding, explicit):
    geo = [ref_geometry(sp[i], k[i], s[i], d[i], padding,
                        explicit[i] if explicit else (0, 0)) for i in range(len(sp))]
    return [g[0] for g in geo], [g[1] for g in geo]


def naive_positions(sp, k, s, d, out, pb):
    """Yield (output index, tap, input index) for all taps that hit real input."""
    for o in itertools.product(*(range(v) for v in out)):
        for t in itertools.product(*(range(v) for v in k)):
            pos = tuple(o[i] * s[i] + t[i] * d[i] - pb[i] for i in range(len(sp)))
            if all(0 <= pos[i] < sp[i] for i in range(len(sp))):
                yield o, t, pos


def naive_conv(x, w, s, d, padding, explicit=None):
    """Channels-last N-d convolution with loops; w is (*k, C, O)."""
    sp, k = x.shape[1:-1], w.shape[:-2]
    out, pb = naive_geometry(sp, k, s, d, padding, explicit)
    y = np.zeros((x.shape[0], *out, w.shape[-1]), dtype=np.float64)
    for o, t, pos in naive_positions(sp, k, s, d, out, pb):
        y[(slice(None), *o)] += x[(slice(None), *pos)].astype(np.float64) @ w[t]
    return y


def naive_conv_bi(x_shape, w, dy, s, d, padding, explicit=None):
    sp, k = x_shape[1:-1], w.shape[:-2]
    out, pb = naive_geometry(sp, k, s, d, padding, explicit)
    dx = np.zeros(x_shape, dtype=np.float64)
    for o, t, pos in naive_positions(sp, k, s, d, out, pb):
        dx[(slice(None), *pos)] += dy[(slice(None), *o)].astype(np.float64) @ w[t].T
    return dx


def naive_conv_bf(x, w_shape, dy, s, d, padding, explicit=None):
    sp, k = x.shape[1:-1], w_shape[:-2]
    out, pb = naive_geometry(sp, k, s, d, padding, explicit)
    dw = np.zeros(w_shape, dtype=np.float64)
    for o, t, pos in naive_positions(sp, k, s, d, out, pb):
        dw[t] += x[(slice(None), *pos)].astype(np.float64).T @ dy[(slice(None), *o)]
    return dw


def naive_depthwise(x, w, s, d, padding):
    sp, k = x.shape[1:-1], w.shape[:2]
    c, m = w.shape[2:]
    out, pb = naive_geometry(sp, k, s, d, padding, None)
    y = np.zeros((x.shape[0], *out, c, m))
    for o, t, pos in naive_positions(sp, k, s, d, out, pb):
        y[(slice(None), *o)] += x[(slice(None), *pos)][..., None] * w[t]
    return y.reshape(x.shape[0], *out, c * m)


def numeric_vjp(f, x, dy, eps=1e-6):
    """d/dx sum(f(x) * dy) by central differences (float64)."""
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
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}


def to_cf(a):
    return np.ascontiguousarray(np.moveaxis(a, -1, 1))


def from_cf(a):
    return np.moveaxis(a, 1, -1)


def full_attr(sp, fmt):
    return [1, *sp, 1] if fmt[-1] == "C" else [1, 1, *sp]


# ------------------------------------------------------------------------ geometry


def test_conv_output_size_and_padding():
    assert C.conv_output_size(None, 3, 1, 1, "SAME") is None
    assert C.conv_output_size(28, 5, 1, 1, "SAME") == 28
    assert C.conv_output_size(28, 5, 1, 1, "VALID") == 24
    assert C.conv_output_size(7, 3, 2, 1, "VALID") == 3
    assert C.conv_output_size(7, 3, 2, 2, "VALID") == 2
    assert C.conv_output_size(2, 5, 1, 1, "VALID") == 0
    assert C.conv_output_size(7, 3, 2, 1, "EXPLICIT", 1, 2) == 4
    for n, k, s, d, pad in itertools.product(range(1, 9), (1, 2, 3, 5), (1, 2, 3), (1, 2),
                                             ("SAME", "VALID")):
        out, pb = ref_geometry(n, k, s, d, pad)
        got = C.conv_padding(n, k, s, d, pad)
        if out <= 0:
            continue
        assert got[:2] == (out, pb)
        if pad == "SAME":
            ek = (k - 1) * d + 1
            assert got[1] + got[2] == max((out - 1) * s + ek - n, 0)


# ------------------------------------------------------------------------- Conv2D

CONV2D_CASES = [
    # (x shape NHWC, filter shape, strides, dilations, padding, explicit pairs)
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), (1, 1), "SAME", None),
    ((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), (1, 1), "VALID", None),
    ((1, 9, 8, 2), (3, 3, 2, 3), (2, 3), (1, 1), "SAME", None),
    ((1, 9, 8, 2), (2, 3, 2, 3), (2, 2), (1, 1), "VALID", None),
    ((2, 8, 7, 2), (3, 2, 2, 2), (1, 1), (2, 3), "SAME", None),
    ((1, 9, 9, 2), (2, 3, 2, 2), (1, 1), (3, 2), "VALID", None),
    ((1, 7, 8, 2), (3, 3, 2, 2), (1, 2), (2, 1), "SAME", None),
    ((1, 5, 6, 3), (3, 3, 3, 2), (2, 1), (1, 1), "EXPLICIT", ((1, 2), (0, 3))),
    ((1, 5, 6, 3), (2, 2, 3, 2), (1, 1), (1, 1), "EXPLICIT", ((4, 0), (0, 1))),
    ((2, 5, 4, 3), (1, 1, 3, 5), (1, 1), (1, 1), "SAME", None),  # 1x1 fast path
    ((2, 5, 4, 3), (1, 1, 3, 5), (2, 2), (1, 1), "VALID", None),
    ((1, 3, 3, 2), (5, 5, 2, 2), (1, 1), (1, 1), "SAME", None),  # kernel > input
    ((3, 7, 6, 1), (3, 2, 1, 4), (2, 1), (1, 2), "SAME", None),  # one input channel
    ((2, 6, 7, 1), (2, 3, 1, 2), (1, 1), (1, 1), "VALID", None),
]


def _conv2d_args(case, fmt):
    _, _, s, d, padding, ex = case
    kw = {"strides": full_attr(s, fmt), "padding": padding, "dilations": full_attr(d, fmt),
              "data_format": fmt}
    if ex is not None:
        flat = [0, 0, *ex[0], *ex[1], 0, 0] if fmt == "NHWC" else [0, 0, 0, 0, *ex[0], *ex[1]]
        kw["explicit_paddings"] = flat
    return kw


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_forward_and_backprops_vs_naive(case, fmt, dtype):
    xs, ws, s, d, padding, ex = case
    x = RS.randn(*xs).astype(dtype)
    w = RS.randn(*ws).astype(dtype)
    kw = _conv2d_args(case, fmt)
    cf = fmt == "NCHW"
    xin = to_cf(x) if cf else x
    y = C.conv2d(xin, w, **kw)
    assert y.dtype == dtype
    y = from_cf(y) if cf else y
    ref = naive_conv(x, w, s, d, padding, ex)
    np.testing.assert_allclose(y, ref, **tol(dtype))

    dy = RS.randn(*ref.shape).astype(dtype)
    dyin = to_cf(dy) if cf else dy
    sizes = np.array(xin.shape, np.int32)
    dx = C.conv2d_backprop_input(sizes, w, dyin, **kw)
    assert dx.dtype == dtype and dx.shape == xin.shape
    dx = from_cf(dx) if cf else dx
    np.testing.assert_allclose(dx, naive_conv_bi(xs, w, dy, s, d, padding, ex), **tol(dtype))

    dw = C.conv2d_backprop_filter(xin, np.array(ws, np.int32), dyin, **kw)
    assert dw.dtype == dtype and dw.shape == ws
    np.testing.assert_allclose(dw, naive_conv_bf(x, ws, dy, s, d, padding, ex), **tol(dtype))


@pytest.mark.parametrize("case", [CONV2D_CASES[i] for i in (0, 2, 5, 7, 8)])
def test_conv2d_backprops_vs_central_differences(case):
    xs, ws, _s, _d, _padding, _ex = case
    x = RS.randn(*xs)
    w = RS.randn(*ws)
    kw = _conv2d_args(case, "NHWC")
    dy = RS.randn(*C.conv2d(x, w, **kw).shape)
    dx = C.conv2d_backprop_input(xs, w, dy, **kw)
    np.testing.assert_allclose(dx, numeric_vjp(lambda v: C.conv2d(v, w, **kw), x, dy),
                               rtol=1e-6, atol=1e-6)
    dw = C.conv2d_backprop_filter(x, ws, dy, **kw)
    np.testing.assert_allclose(dw, numeric_vjp(lambda v: C.conv2d(x, v, **kw), w, dy),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 3])
def test_conv2d_large_batch_uses_several_chunks(monkeypatch, channels):
    from tensorweave.kernels import _util

    monkeypatch.setattr(_util, "CHUNK_BYTES", 1000)
    x = RS.randn(5, 6, 5, channels).astype(np.float32)
    w = RS.randn(3, 3, channels, 4).astype(np.float32)
    for st, s in (([1, 2, 1, 1], (2, 1)), ([1, 1, 1, 1], (1, 1))):
        y = C.conv2d(x, w, st, "SAME")
        np.testing.assert_allclose(y, naive_conv(x, w, s, (1, 1), "SAME"), rtol=1e-4,
                                   atol=1e-4)
        dy = RS.randn(*y.shape).astype(np.float32)
        np.testing.assert_allclose(C.conv2d_backprop_filter(x, w.shape, dy, st, "SAME"),
                                   naive_conv_bf(x, w.shape, dy, s, (1, 1), "SAME"),
                                   rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(C.conv2d_backprop_input(x.shape, w, dy, st, "SAME"),
                                   naive_conv_bi(x.shape, w, dy, s, (1, 1), "SAME"),
                                   rtol=1e-4, atol=1e-4)


def test_conv2d_backprop_input_accepts_spatial_sizes():
    w = RS.randn(3, 3, 2, 4)
    dy = RS.randn(2, 5, 6, 4)
    full = C.conv2d_backprop_input([2, 5, 6, 2], w, dy, [1, 1, 1, 1], "SAME")
    np.testing.assert_array_equal(C.conv2d_backprop_input([5, 6], w, dy, [1, 1, 1, 1], "SAME"),
                                  full)


def test_conv2d_rejects_bad_arguments():
    x = RS.randn(1, 5, 5, 3)
    with pytest.raises(ValueError):
        C.conv2d(x, RS.randn(3, 3, 2, 4), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError):
        C.conv2d(x, RS.randn(3, 3, 3, 4), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError):
        C.conv2d(x, RS.randn(3, 3, 3, 4), [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError):
        C.conv2d(x, RS.randn(3, 3, 3, 4), [1, 1, 1, 1], "SAME", data_format="HWCN")
    with pytest.raises(ValueError):
        C.conv2d_backprop_input(x.shape, RS.randn(3, 3, 3, 4), RS.randn(1, 4, 4, 4),
                                [1, 1, 1, 1], "SAME")


# ----------------------------------------------------------------------- depthwise

DW_CASES = [
    ((2, 6, 7, 3), (3, 2, 3, 2), (1, 1), (1, 1), "SAME"),
    ((1, 7, 6, 2), (3, 3, 2, 1), (2, 2), (1, 1), "VALID"),
    ((1, 7, 8, 2), (2, 3, 2, 3), (1, 2), (1, 1), "SAME"),
    ((1, 8, 8, 2), (2, 2, 2, 2), (1, 1), (2, 3), "SAME"),
    ((1, 8, 7, 1), (3, 2, 1, 2), (1, 1), (2, 2), "VALID"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", DW_CASES)
def test_depthwise_vs_naive(case, fmt, dtype):
    xs, ws, s, d, padding = case
    x = RS.randn(*xs).astype(dtype)
    w = RS.randn(*ws).astype(dtype)
    kw = {"strides": full_attr(s, fmt), "padding": padding, "dilations": full_attr(d, fmt),
              "data_format": fmt}
    cf = fmt == "NCHW"
    xin = to_cf(x) if cf else x
    y = C.depthwise_conv2d_native(xin, w, **kw)
    assert y.dtype == dtype
    y = from_cf(y) if cf else y
    ref = naive_depthwise(x, w, s, d, padding)
    np.testing.assert_allclose(y, ref, **tol(dtype))
    # Backprops against the naive gradient of the naive forward (it is linear in each arg).
    dy = RS.randn(*ref.shape).astype(dtype)
    dyin = to_cf(dy) if cf else dy
    dx = C.depthwise_conv2d_native_backprop_input(np.array(xin.shape), w, dyin, **kw)
    assert dx.dtype == dtype
    dx = from_cf(dx) if cf else dx
    # Depthwise == dense conv with a block-diagonal filter: reuse the dense naive refs.
    c, m = ws[2:]
    dense = np.zeros(ws[:2] + (c, c * m))
    for ci in range(c):
        dense[:, :, ci, ci * m:(ci + 1) * m] = w[:, :, ci, :]
    np.testing.assert_allclose(dx, naive_conv_bi(xs, dense, dy, s, d, padding), **tol(dtype))
    dw = C.depthwise_conv2d_native_backprop_filter(xin, np.array(ws), dyin, **kw)
    assert dw.dtype == dtype and dw.shape == ws
    dwd = naive_conv_bf(x, dense.shape, dy, s, d, padding)
    ref_dw = np.stack([dwd[:, :, ci, ci * m:(ci + 1) * m] for ci in range(c)], axis=2)
    np.testing.assert_allclose(dw, ref_dw, **tol(dtype))


@pytest.mark.parametrize("case", [DW_CASES[0], DW_CASES[3]])
def test_depthwise_backprops_vs_central_differences(case):
    xs, ws, s, d, padding = case
    x = RS.randn(*xs)
    w = RS.randn(*ws)
    kw = {"strides": [1, *s, 1], "padding": padding, "dilations": [1, *d, 1]}
    dy = RS.randn(*C.depthwise_conv2d_native(x, w, **kw).shape)
    dx = C.depthwise_conv2d_native_backprop_input(xs, w, dy, **kw)
    np.testing.assert_allclose(
        dx, numeric_vjp(lambda v: C.depthwise_conv2d_native(v, w, **kw), x, dy),
        rtol=1e-6, atol=1e-6)
    dw = C.depthwise_conv2d_native_backprop_filter(x, ws, dy, **kw)
    np.testing.assert_allclose(
        dw, numeric_vjp(lambda v: C.depthwise_conv2d_native(x, v, **kw), w, dy),
        rtol=1e-6, atol=1e-6)


# -------------------------------------------------------------------------- Conv3D

CONV3D_CASES = [
    ((1, 4, 5, 4, 2), (2, 3, 2, 2, 3), (1, 1, 1), (1, 1, 1), "SAME"),
    ((2, 5, 4, 5, 2), (2, 2, 3, 2, 2), (2, 1, 2), (1, 1, 1), "VALID"),
    ((1, 5, 5, 4, 1), (2, 2, 2, 1, 2), (1, 1, 1), (2, 1, 2), "SAME"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["NDHWC", "NCDHW"])
@pytest.mark.parametrize("case", CONV3D_CASES)
def test_conv3d_vs_naive(case, fmt, dtype):
    xs, ws, s, d, padding = case
    x = RS.randn(*xs).astype(dtype)
    w = RS.randn(*ws).astype(dtype)
    kw = {"strides": full_attr(s, fmt), "padding": padding, "dilations": full_attr(d, fmt),
              "data_format": fmt}
    cf = fmt == "NCDHW"
    xin = to_cf(x) if cf else x
    y = C.conv3d(xin, w, **kw)
    assert y.dtype == dtype
    y = from_cf(y) if cf else y
    ref = naive_conv(x, w, s, d, padding)
    np.testing.assert_allclose(y, ref, **tol(dtype))
    dy = RS.randn(*ref.shape).astype(dtype)
    dyin = to_cf(dy) if cf else dy
    dx = C.conv3d_backprop_input_v2(np.array(xin.shape), w, dyin, **kw)
    assert dx.dtype == dtype
    dx = from_cf(dx) if cf else dx
    np.testing.assert_allclose(dx, naive_conv_bi(xs, w, dy, s, d, padding), **tol(dtype))
    dw = C.conv3d_backprop_filter_v2(xin, np.array(ws), dyin, **kw)
    assert dw.dtype == dtype
    np.testing.assert_allclose(dw, naive_conv_bf(x, ws, dy, s, d, padding), **tol(dtype))


def test_conv3d_backprops_vs_central_differences():
    xs, ws = (1, 3, 4, 3, 2), (2, 2, 2, 2, 2)
    x, w = RS.randn(*xs), RS.randn(*ws)
    kw = {"strides": [1, 2, 1, 1, 1], "padding": "SAME"}
    dy = RS.randn(*C.conv3d(x, w, **kw).shape)
    np.testing.assert_allclose(C.conv3d_backprop_input_v2(xs, w, dy, **kw),
                               numeric_vjp(lambda v: C.conv3d(v, w, **kw), x, dy),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(C.conv3d_backprop_filter_v2(x, ws, dy, **kw),
                               numeric_vjp(lambda v: C.conv3d(x, v, **kw), w, dy),
                               rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------- real TF references

OPS = {
    "Conv2D": C.conv2d,
    "Conv2DBackpropInput": C.conv2d_backprop_input,
    "Conv2DBackpropFilter": C.conv2d_backprop_filter,
    "DepthwiseConv2dNative": C.depthwise_conv2d_native,
    "DepthwiseConv2dNativeBackpropInput": C.depthwise_conv2d_native_backprop_input,
    "DepthwiseConv2dNativeBackpropFilter": C.depthwise_conv2d_native_backprop_filter,
    "Conv3D": C.conv3d,
    "Conv3DBackpropInputV2": C.conv3d_backprop_input_v2,
    "Conv3DBackpropFilterV2": C.conv3d_backprop_filter_v2,
}
# TF's CPU DepthwiseConv2dNativeBackprop{Input,Filter} ignore the `dilations` attr (TF1's
# tf.nn.depthwise_conv2d never sets it: it dilates via space_to_batch); ours are the true
# gradients of the dilated forward, checked above by central differences.
TF_IGNORES_DILATION = {"dw_bi_SAME_s1_d2", "dw_bf_SAME_s1_d2"}


def _tf_cases(ops):
    data = np.load(DATA)
    cases = json.loads(str(data["__cases__"]))
    return data, [c for c in cases if c["op"] in ops]


_DATA, _CASES = _tf_cases(OPS)


@pytest.mark.parametrize("case", _CASES, ids=[c["name"] for c in _CASES])
def test_against_tensorflow(case):
    ins = {k: _DATA[f"{case['name']}/{k}"] for k in case["inputs"]}
    ref = _DATA[f"{case['name']}/__out__"]
    attrs = dict(case["attrs"])
    if case["name"] in TF_IGNORES_DILATION:
        attrs["dilations"] = [1, 1, 1, 1]  # what TF computed
    out = OPS[case["op"]](**ins, **attrs)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    np.testing.assert_allclose(out, ref, **tol(ref.dtype))
