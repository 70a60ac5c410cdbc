"""C kernels of tensorweave/native/_nn.c against the NumPy kernels they replace."""
import numpy as np
import pytest

pytestmark_warn = pytest.mark.filterwarnings("ignore::RuntimeWarning")

import tensorweave as tf
from tensorweave import native
from tensorweave.kernels import _util as U
from tensorweave.kernels import elementwise as ew
from tensorweave.kernels import pool
from tensorweave.ops import math_ops, nn_ops

nn = native.load("_nn")
pytestmark = [pytest.mark.skipif(nn is None, reason="C kernels not built"), pytestmark_warn]

FLOATS = [np.float32, np.float64]


def _bits_equal(a, b):
    """Same values bit for bit (NaN payloads aside)."""
    assert a.shape == b.shape and a.dtype == b.dtype
    an, bn = np.isnan(a), np.isnan(b)
    np.testing.assert_array_equal(an, bn)
    np.testing.assert_array_equal(np.where(an, 0, a), np.where(bn, 0, b))
    np.testing.assert_array_equal(np.signbit(np.where(an, 0, a)), np.signbit(np.where(bn, 0, b)))


def _specials(rng, shape, dtype, frac=0.05):
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    if flat.size:
        k = max(1, int(flat.size * frac))
        idx = rng.integers(0, flat.size, size=(6, k))
        flat[idx[0]] = np.nan
        flat[idx[1]] = np.inf
        flat[idx[2]] = -np.inf
        flat[idx[3]] = 0.0
        flat[idx[4]] = -0.0
        flat[idx[5]] = np.round(flat[idx[5]])  # ties
    return x


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(ew, "MIN_ELEMENTS", 1)


# ------------------------------------------------------------------ elementwise


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 63, 64, 65, 1000, 4099])
def test_relu_matches_numpy(dtype, n, small_threshold):
    x = _specials(np.random.default_rng(n), (n,), dtype)
    want = np.maximum(x, x.dtype.type(0))
    if n == 0:
        assert ew.relu(x) is None or ew.relu(x).size == 0
        return
    _bits_equal(ew.relu(x), want)
    y = x.copy()
    assert ew.relu(y, out=y) is y
    _bits_equal(y, want)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 16), (9, 32), (5, 33), (4, 64),
                                   (3, 70), (2, 3, 130), (50, 7, 7, 10)])
def test_bias_relu_matches_numpy(dtype, shape, small_threshold):
    rng = np.random.default_rng(sum(shape))
    x = _specials(rng, shape, dtype)
    b = _specials(rng, shape[-1:], dtype, 0.2)
    for relu in (False, True):
        want = x + b
        if relu:
            want = np.maximum(want, want.dtype.type(0))
        _bits_equal(ew.bias_add(x, b, relu=relu), want)
        _bits_equal(ew.bias_add(b, x, relu=relu), want)  # b + x
        b4 = b.reshape((1,) * (len(shape) - 1) + shape[-1:])
        _bits_equal(ew.bias_add(x, b4, relu=relu), want)
    y = _specials(rng, shape, dtype)
    _bits_equal(ew.bias_add(x, y, relu=True), np.maximum(x + y, dtype(0)))


def test_bias_add_declines_other_patterns(small_threshold):
    x = np.ones((4, 8), np.float32)
    assert ew.bias_add(x, np.ones((4, 1), np.float32)) is None  # not along the last axis
    assert ew.bias_add(x, np.ones(8, np.float64)) is None  # mixed dtypes
    assert ew.bias_add(x.astype(np.int32), np.ones(8, np.int32)) is None
    assert ew.bias_add(np.ones((8, 4), np.float32).T, np.ones(8, np.float32)) is None
    assert ew.bias_add(x, np.ones((1, 1, 8), np.float32)) is None  # broadcasts x up


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 15, 16, 33, 1000, 4099])
def test_relu_grad_matches_numpy(dtype, n, small_threshold):
    rng = np.random.default_rng(n)
    g, f = _specials(rng, (n,), dtype), _specials(rng, (n,), dtype)
    want = np.multiply(g, f > 0)
    _bits_equal(ew.relu_grad(g, f), want)
    gg = g.copy()
    ew.relu_grad(gg, f, out=gg)
    _bits_equal(gg, want)
    _bits_equal(nn_ops._relu_grad(g, f), want)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(1, 8), (3, 8), (100, 9), (7, 16), (1000, 32), (33, 64),
                                   (17, 65), (5, 130), (50, 14, 14, 64), (2, 3, 4, 200)])
def test_col_sum_close_to_exact(dtype, shape, small_threshold):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 10 + 3).astype(dtype)
    c = shape[-1]
    got = ew.col_sum(x)
    assert got.dtype == x.dtype and got.shape == (c,)
    exact = x.reshape(-1, c).astype(np.float64).sum(axis=0)
    if dtype is np.float32:
        np.testing.assert_array_equal(got, exact.astype(np.float32))  # double sums, one rounding
    else:
        np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got, np.add.reduce(x.reshape(-1, c), axis=0),
                               rtol=1e-4 if dtype is np.float32 else 1e-12, atol=1e-3)


def test_col_sum_specials(small_threshold):
    x = np.ones((40, 10), np.float32)
    x[3, 1] = np.nan
    x[4, 2] = np.inf
    x[5, 3], x[6, 3] = np.inf, -np.inf
    x[:, 4] = 3e38  # overflows float32 in any order
    got = ew.col_sum(x)
    assert np.isnan(got[1]) and got[2] == np.inf and np.isnan(got[3]) and got[4] == np.inf
    assert got[0] == 40


def test_sum_and_bias_add_grad_use_col_sum(small_threshold):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 6, 7, 16)).astype(np.float32)
    exact = x.astype(np.float64).sum(axis=(0, 1, 2)).astype(np.float32)
    np.testing.assert_array_equal(math_ops._sum(x, np.array([0, 1, 2])), exact)
    np.testing.assert_array_equal(math_ops._sum(x, np.array([2, 0, -3])), exact)
    r = math_ops._sum(x, np.array([0, 1, 2]), keep_dims=True)
    assert r.shape == (1, 1, 1, 16)
    np.testing.assert_array_equal(r.reshape(-1), exact)
    np.testing.assert_array_equal(nn_ops._bias_add_grad(x, "NHWC"), exact)
    # other axes: NumPy as before
    np.testing.assert_array_equal(math_ops._sum(x, np.array([0, 1])),
                                  np.add.reduce(x, axis=(0, 1)))


def test_rejects_bad_sizes():
    x = np.ones(10, np.float32)
    o = np.empty(10, np.float32)
    with pytest.raises(ValueError):
        nn.bias_act(x, None, o, 11, 1, 1, 0)  # more elements than the buffers hold
    with pytest.raises(ValueError):
        nn.bias_act(x, np.ones(3, np.float32), o, 10, 3, 1, 0)  # C does not divide n
    with pytest.raises(ValueError):
        nn.bias_act(x, np.ones(2, np.float32), o, 10, 5, 1, 0)  # bias too short
    with pytest.raises(ValueError):
        nn.bias_act(x, None, o, 10, 1, 1, 2)  # bad dtype code
    with pytest.raises(ValueError):
        nn.relu_grad(x, x[:5], o, 10, 0)
    with pytest.raises(ValueError):
        nn.relu_grad(x, x, o, 6, 1)  # 6 float64 need 48 bytes, the buffers hold 40
    with pytest.raises(ValueError):
        nn.col_sum(x, o, 3, 4, 0)
    with pytest.raises(ValueError):
        nn.col_sum(x, o[:1], 1, 8, 0)
    with pytest.raises(ValueError):
        nn.relu_grad(x, x, o, -1, 0)
    with pytest.raises((ValueError, TypeError)):
        nn.relu_grad(x, x, np.ones((4, 4), np.float32)[:, :2], 8, 0)  # non-contiguous out
    with pytest.raises(TypeError):
        nn.relu_grad(x, x, bytes(40), 10, 0)  # read-only out


# ------------------------------------------------------------------ pooling

POOL_CASES = [
    # x shape NHWC, ksize, strides, padding
    ((2, 28, 28, 32), 2, 2, "SAME"),
    ((3, 14, 14, 64), 2, 2, "SAME"),
    ((2, 7, 7, 5), 2, 2, "SAME"),  # odd size: padded edge windows
    ((2, 7, 9, 17), 3, 2, "SAME"),  # overlapping
    ((2, 7, 9, 17), 3, 2, "VALID"),
    ((1, 8, 8, 16), 3, 1, "SAME"),  # heavy overlap
    ((2, 10, 6, 3), 2, 3, "VALID"),  # stride > ksize: uncovered elements
    ((2, 10, 6, 3), 2, 3, "SAME"),
    ((1, 5, 5, 1), 5, 5, "VALID"),
    ((1, 1, 1, 1), 1, 1, "VALID"),
    ((2, 4, 6, 33), (1, 3), (1, 2), "SAME"),
    ((0, 4, 4, 3), 2, 2, "SAME"),
]


def _attrs(k, s):
    k = (k, k) if isinstance(k, int) else k
    s = (s, s) if isinstance(s, int) else s
    return [1, k[0], k[1], 1], [1, s[0], s[1], 1]


def _numpy_pool(x, k, s, padding):
    ks, ss = U.spatial_attr(k, "NHWC", 2, "k"), U.spatial_attr(s, "NHWC", 2, "s")
    out, pads = U.geometry(x.shape[1:-1], ks, ss, (1, 1), padding)
    return ks, ss, out, pads


def _rand_pool_input(rng, shape, dtype, specials):
    if specials:
        x = _specials(rng, shape, dtype, 0.03)
    else:
        x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[: x.size // 3] = np.round(x.reshape(-1)[: x.size // 3])  # many ties
    return x


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("specials", [False, True])
def test_max_pool_matches_numpy(dtype, case, specials):
    shape, k, s, padding = case
    rng = np.random.default_rng(len(str(case)))
    x = _rand_pool_input(rng, shape, dtype, specials)
    ka, sa = _attrs(k, s)
    ks, ss, out, pads = _numpy_pool(x, ka, sa, padding)
    want = pool._max_fwd(x, ks, ss, out, pads)
    got = pool.max_pool(x, ka, sa, padding)
    _bits_equal(got, want)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("specials", [False, True])
def test_max_pool_grad_matches_numpy(dtype, case, specials):
    shape, k, s, padding = case
    rng = np.random.default_rng(len(str(case)) + 1)
    x = _rand_pool_input(rng, shape, dtype, specials)
    ka, sa = _attrs(k, s)
    ks, ss, out, pads = _numpy_pool(x, ka, sa, padding)
    dy = _rand_pool_input(rng, (shape[0], *out, shape[-1]), dtype, specials)
    want = pool._max_grad_first(x, dy, ks, ss, out, pads)
    got = pool.max_pool_grad(x, None, dy, ka, sa, padding)
    _bits_equal(got, want)
    f = _rand_pool_input(rng, shape, dtype, specials)
    for feat in (f, x):
        fused = pool.max_pool_grad_relu(x, None, dy, feat, ka, sa, padding)
        assert fused is not None
        _bits_equal(fused, np.multiply(want, feat > 0))


def test_max_pool_explicit_padding_and_nchw_fall_back_correctly():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 6, 4)).astype(np.float32)
    pads = [0, 0, 1, 2, 2, 1, 0, 0]
    got = pool.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "EXPLICIT", explicit_paddings=pads)
    ks, ss = (3, 3), (2, 2)
    out, pp = U.geometry(x.shape[1:-1], ks, ss, (1, 1), "EXPLICIT", [(1, 2), (2, 1)])
    _bits_equal(got, pool._max_fwd(x, ks, ss, out, pp))
    xn = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    got = pool.max_pool(xn, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
    _bits_equal(got.transpose(0, 2, 3, 1), pool.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))


def test_max_pool_noncontiguous_and_int_use_numpy():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 8, 8, 6)).astype(np.float32)[:, :, :, ::2]
    assert pool._native_args(x, (2, 2), (2, 2), (4, 4), ((0, 0), (0, 0))) is None
    got = pool.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    _bits_equal(got, pool.max_pool(np.ascontiguousarray(x), [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))
    xi = (x * 10).astype(np.int32)
    assert pool.max_pool(xi, [1, 2, 2, 1], [1, 2, 2, 1], "SAME").dtype == np.int32


def test_max_pool_grad_bad_shape_errors():
    x = np.ones((1, 4, 4, 2), np.float32)
    with pytest.raises(ValueError):
        pool.max_pool_grad(x, None, np.ones((1, 3, 3, 2), np.float32), [1, 2, 2, 1],
                           [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError):
        nn.max_pool_grad(x, np.ones((1, 2, 2, 2), np.float32), None, np.empty_like(x),
                         1, 4, 4, 2, 2, 2, 2, 2, 0, 0, 3, 3, 0)  # dy too small for 3x3
    with pytest.raises(ValueError):
        nn.max_pool(x, np.empty((1, 2, 2, 2), np.float32), 1, 4, 4, 2, 0, 2, 2, 2, 0, 0, 2, 2, 0)
    with pytest.raises(ValueError):
        nn.max_pool(x, np.empty((1, 2, 2, 2), np.float32), 1, 4, 4, 2, 2, 2, 2, 2, -1, 0, 2, 2,
                    0)
    with pytest.raises(ValueError):
        nn.max_pool(x, np.empty((1, 2, 2, 2), np.float32), 2, 4, 4, 2, 2, 2, 2, 2, 0, 0, 2, 2, 0)


# ------------------------------------------------------------------ in a graph


def _cnn_grads(native_on, monkeypatch):
    if not native_on:
        monkeypatch.setenv("TENSORWEAVE_NATIVE", "0")
    else:
        monkeypatch.delenv("TENSORWEAVE_NATIVE", raising=False)
    rng = np.random.default_rng(7)
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(rng.standard_normal((4, 12, 12, 8)).astype(np.float32))
        b = tf.Variable(rng.standard_normal(8).astype(np.float32))
        b2 = tf.Variable(rng.standard_normal(8).astype(np.float32))
        h = tf.nn.max_pool(tf.nn.relu(x * 2.0 + b), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h2 = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(h * 3.0, b2)), [1, 3, 3, 1],
                            [1, 2, 2, 1], "SAME")
        loss = tf.reduce_sum(h2 * h2)
        grads = tf.gradients(loss, [b, b2, x])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run([h, h2] + grads)


def test_graph_results_match_numpy_path(monkeypatch, small_threshold):
    want = _cnn_grads(False, monkeypatch)
    got = _cnn_grads(True, monkeypatch)
    for w, g in zip(want, got):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    for w, g in zip(want[:2] + want[4:], got[:2] + got[4:]):  # all but the bias sums: bitwise
        _bits_equal(g, w)


@pytest.mark.parametrize("fetch_relu", [False, True])
def test_fused_steps_serve_pool_and_bias_grad(monkeypatch, fetch_relu):
    calls = []
    real_pool, real_grad = nn.bias_relu_pool, nn.max_pool_grad

    class Spy:
        def __getattr__(self, name):
            return getattr(nn, name)

        def bias_relu_pool(self, *a):
            calls.append("bias_relu_pool")
            return real_pool(*a)

        def max_pool_grad(self, *a):
            calls.append("max_pool_grad+sum" if len(a) == 18 else "max_pool_grad")
            return real_grad(*a)

    monkeypatch.setitem(native._CACHE, "_nn", Spy())
    rng = np.random.default_rng(1)
    xv = rng.standard_normal((3, 8, 8, 16)).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 16])
        b = tf.Variable(rng.standard_normal(16).astype(np.float32))
        r = tf.nn.relu(x * 1.0 + b)
        h = tf.nn.max_pool(r, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        loss = tf.reduce_sum(h * h)
        gb, = tf.gradients(loss, [b])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            fetches = [h, gb, b] + ([r] if fetch_relu else [])
            res = sess.run(fetches, {x: xv})
            hv, gbv, bv = res[:3]
    rv = np.maximum(xv + bv, np.float32(0))
    if fetch_relu:
        _bits_equal(res[3], rv)
    want_h = pool._max_fwd(rv, (2, 2), (2, 2), (4, 4), ((0, 0), (0, 0)))
    dr = pool._max_grad_first(rv, 2 * want_h, (2, 2), (2, 2), (4, 4), ((0, 0), (0, 0)))
    dr = np.multiply(dr, rv > 0)
    _bits_equal(hv, want_h)
    np.testing.assert_array_equal(gbv, dr.astype(np.float64).sum(axis=(0, 1, 2)).astype(
        np.float32))
    assert "bias_relu_pool" in calls  # the fused step's outputs may be fetched too
    assert "max_pool_grad+sum" in calls


@pytest.mark.parametrize("inter", [0, 2])
def test_side_outputs_traced_and_parallel(inter):
    """A fused step's side consumer (MaxPool, bias-gradient Sum) keeps its name in traces,
    and the inter-op scheduler orders its users after that step: same numbers as serial."""
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((4, 10, 10, 16)).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 10, 10, 16])
        b = tf.Variable(rng.standard_normal(16).astype(np.float32))
        h = tf.nn.max_pool(tf.nn.relu(x * 1.0 + b), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        loss = tf.reduce_sum(h * h)
        gb, = tf.gradients(loss, [b])
        outs = {}
        for threads in (0, inter):
            cfg = tf.ConfigProto(inter_op_parallelism_threads=threads)
            with tf.Session(config=cfg) as sess:
                sess.run(tf.global_variables_initializer())
                ro = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
                md = tf.RunMetadata()
                outs[threads] = sess.run([h, gb], {x: xv}, options=ro, run_metadata=md)
                names = {n.node_name for d in md.step_stats.dev_stats for n in d.node_stats}
                assert h.op.name in names
                assert "gradients/add_grad/Sum" in names
    for a, c in zip(outs[0], outs[inter]):
        _bits_equal(a, c)
