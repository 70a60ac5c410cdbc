"""Math op kernels against NumPy/SciPy references (float32 and float64, random inputs)."""
import numpy as np
import pytest
import scipy.special as sp

import tensorweave as tf

RNG = np.random.RandomState(0)
FLOATS = [np.float32, np.float64]


def _run(fn, *arrays, shapes=None):
    g = tf.Graph()
    with g.as_default():
        phs = []
        for i, a in enumerate(arrays):
            shape = a.shape if shapes is None else shapes[i]
            phs.append(tf.placeholder(tf.as_dtype(a.dtype), shape, name="in%d" % i))
        y = fn(*phs)
        with tf.Session(graph=g) as sess:
            out = sess.run(y, {p: a for p, a in zip(phs, arrays)})
    return y, out


def _close(got, want, dtype):
    want = np.asarray(want)
    assert isinstance(got, np.ndarray) or np.isscalar(got)
    got = np.asarray(got)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if np.dtype(dtype).kind == "f":
        tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


def _pos(shape, dtype):
    return np.asarray(RNG.rand(*shape) + 0.5).astype(dtype)


def _normal(shape, dtype):
    return np.asarray(RNG.randn(*shape)).astype(dtype)


def _unit(shape, dtype):
    return np.asarray(RNG.rand(*shape) * 1.8 - 0.9).astype(dtype)


UNARY = [
    ("negative", np.negative, _normal), ("abs", np.abs, _normal), ("sign", np.sign, _normal),
    ("square", np.square, _normal), ("sqrt", np.sqrt, _pos),
    ("rsqrt", lambda x: 1 / np.sqrt(x), _pos),
    ("exp", np.exp, _normal), ("expm1", np.expm1, _normal), ("log", np.log, _pos),
    ("log1p", np.log1p, _pos), ("sin", np.sin, _normal), ("cos", np.cos, _normal),
    ("tan", np.tan, _unit), ("asin", np.arcsin, _unit), ("acos", np.arccos, _unit),
    ("atan", np.arctan, _normal), ("sinh", np.sinh, _normal), ("cosh", np.cosh, _normal),
    ("tanh", np.tanh, _normal), ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), _normal),
    ("floor", np.floor, _normal), ("ceil", np.ceil, _normal), ("rint", np.rint, _normal),
    ("reciprocal", np.reciprocal, _pos), ("erf", sp.erf, _normal), ("erfc", sp.erfc, _normal),
    ("lgamma", sp.gammaln, _pos), ("digamma", sp.psi, _pos), ("asinh", np.arcsinh, _normal),
    ("atanh", np.arctanh, _unit),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ref,gen", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, ref, gen, dtype):
    x = gen((3, 4), dtype)
    fn = getattr(tf, name, None) or getattr(tf.math, name)
    y, out = _run(fn, x)
    assert y.dtype == tf.as_dtype(dtype)
    _close(out, ref(x).astype(dtype), dtype)


def test_round_is_bankers():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.4], np.float32)
    _, out = _run(tf.round, x)
    np.testing.assert_array_equal(out, [0, 2, 2, -0, -2, 0])


def test_is_nan_inf_finite():
    x = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    for fn, ref in ((tf.is_nan, np.isnan), (tf.is_inf, np.isinf), (tf.is_finite, np.isfinite)):
        y, out = _run(fn, x)
        assert y.dtype == tf.bool
        np.testing.assert_array_equal(out, ref(x))


BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("maximum", np.maximum), ("minimum", np.minimum),
    ("squared_difference", lambda a, b: (a - b) ** 2), ("realdiv", np.divide),
    ("truediv", np.divide), ("floordiv", lambda a, b: np.floor(a / b)),
    ("floormod", np.mod), ("pow", np.power), ("atan2", np.arctan2),
    ("div_no_nan", np.divide),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ref", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)),
                                    ((), (2, 2))])
def test_binary(name, ref, dtype, shapes):
    x = _pos(shapes[0], dtype) if name == "pow" else _normal(shapes[0], dtype)
    y = _pos(shapes[1], dtype)
    t, out = _run(getattr(tf, name), x, y)
    want = np.asarray(ref(x, y)).astype(dtype)
    assert t.shape.as_list() == list(want.shape)
    _close(out, want, dtype)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_division_semantics(dtype):
    x = np.array([-7, 7, -7, 7, 6], dtype)
    y = np.array([2, 2, -2, -2, 3], dtype)
    _close(_run(tf.floordiv, x, y)[1], np.floor_divide(x, y), dtype)
    _close(_run(tf.floormod, x, y)[1], np.mod(x, y), dtype)
    _close(_run(tf.truncatediv, x, y)[1], np.array([-3, 3, 3, -3, 2], dtype), dtype)
    _close(_run(tf.truncatemod, x, y)[1], np.array([-1, 1, -1, 1, 0], dtype), dtype)
    _close(_run(tf.div, x, y)[1], np.floor_divide(x, y), dtype)
    t, out = _run(tf.truediv, x, y)
    assert t.dtype == tf.float64
    _close(out, x / y, np.float64)
    t, out = _run(lambda a, b: a / b, x, y)
    assert t.dtype == tf.float64 and t.op.type == "RealDiv"


def test_raw_div_truncates_integers():
    x = np.array([-7, 7], np.int32)
    y = np.array([2, 2], np.int32)
    _, out = _run(_div_op, x, y)
    np.testing.assert_array_equal(out, [-3, 3])


def _div_op(a, b):
    from tensorweave.framework import registry

    return registry.apply_op("Div", [a, b])._outputs[0]


@pytest.mark.parametrize("dtype", FLOATS + [np.int32, np.int64])
def test_comparisons(dtype):
    x = (RNG.randint(-3, 3, (3, 4))).astype(dtype)
    y = (RNG.randint(-3, 3, (4,))).astype(dtype)
    for name, ref in (("equal", np.equal), ("not_equal", np.not_equal), ("less", np.less),
                      ("less_equal", np.less_equal), ("greater", np.greater),
                      ("greater_equal", np.greater_equal)):
        t, out = _run(getattr(tf, name), x, y)
        assert t.dtype == tf.bool and t.shape.as_list() == [3, 4]
        np.testing.assert_array_equal(out, ref(x, y))


def test_logical():
    a = RNG.rand(3, 4) > 0.5
    b = RNG.rand(4) > 0.5
    for fn, ref in ((tf.logical_and, np.logical_and), (tf.logical_or, np.logical_or),
                    (tf.logical_xor, np.logical_xor), (lambda p, q: p & q, np.logical_and),
                    (lambda p, q: p | q, np.logical_or), (lambda p, q: p ^ q, np.logical_xor)):
        np.testing.assert_array_equal(_run(fn, a, b)[1], ref(a, b))
    np.testing.assert_array_equal(_run(tf.logical_not, a)[1], ~a)
    np.testing.assert_array_equal(_run(lambda p: ~p, a)[1], ~a)


REDUCE = [("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max),
          ("reduce_min", np.min), ("reduce_prod", np.prod),
          ("reduce_logsumexp", lambda x, axis, keepdims: sp.logsumexp(x, axis=axis,
                                                                        keepdims=keepdims))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ref", REDUCE, ids=[r[0] for r in REDUCE])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 2], (1, 2)])
@pytest.mark.parametrize("keep", [False, True])
def test_reductions(name, ref, dtype, axis, keep):
    x = _normal((2, 3, 4), dtype)
    fn = getattr(tf, name)
    t, out = _run(lambda a: fn(a, axis=axis, keepdims=keep), x)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    want = np.asarray(ref(x.astype(np.float64), axis=np_axis, keepdims=keep)).astype(dtype)
    assert t.shape.as_list() == list(want.shape)
    _close(out, want, dtype)


def test_reduction_aliases_and_unknown_dims():
    x = _normal((2, 3, 4), np.float32)
    t, out = _run(lambda a: tf.reduce_sum(a, reduction_indices=[1], keep_dims=True), x,
                  shapes=[(None, 3, None)])
    assert t.shape.as_list() == [None, 1, None]
    _close(out, x.sum(1, keepdims=True), np.float32)
    t, out = _run(lambda a: tf.reduce_mean(a), x, shapes=[None])
    assert t.shape.as_list() == []
    _close(out, np.asarray(x.mean(), np.float32), np.float32)
    with pytest.raises(ValueError):
        tf.reduce_sum(tf.placeholder(tf.float32, [2, 3]), axis=2)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_reductions(dtype):
    x = RNG.randint(-5, 5, (3, 4)).astype(dtype)
    _close(_run(lambda a: tf.reduce_sum(a, 1), x)[1], x.sum(1).astype(dtype), dtype)
    mean = np.trunc(x.sum(1) / 4).astype(dtype)
    _close(_run(lambda a: tf.reduce_mean(a, 1), x)[1], mean, dtype)
    _close(_run(lambda a: tf.reduce_prod(a, 0), x)[1], x.prod(0).astype(dtype), dtype)


def test_all_any_count_nonzero_euclidean():
    c = RNG.rand(3, 4) > 0.3
    np.testing.assert_array_equal(_run(lambda a: tf.reduce_all(a, 1), c)[1], c.all(1))
    np.testing.assert_array_equal(_run(lambda a: tf.reduce_any(a), c)[1], c.any())
    x = RNG.randint(0, 2, (3, 4)).astype(np.float32)
    t, out = _run(lambda a: tf.count_nonzero(a, axis=1), x)
    assert t.dtype == tf.int64
    np.testing.assert_array_equal(out, (x != 0).sum(1))
    x = _normal((3, 4), np.float64)
    _close(_run(lambda a: tf.math.reduce_euclidean_norm(a, 1), x)[1],
           np.sqrt((x * x).sum(1)), np.float64)
    _close(_run(lambda a: tf.math.reduce_std(a, 1), x)[1], x.std(1), np.float64)
    _close(_run(lambda a: tf.math.reduce_variance(a, 0), x)[1], x.var(0), np.float64)


@pytest.mark.parametrize("dtype", FLOATS + [np.int32])
def test_argmax_argmin(dtype):
    x = RNG.permutation(24).reshape(2, 3, 4).astype(dtype)
    t, out = _run(lambda a: tf.argmax(a, 1), x)
    assert t.dtype == tf.int64 and t.shape.as_list() == [2, 4]
    np.testing.assert_array_equal(out, x.argmax(1))
    t, out = _run(lambda a: tf.argmin(a, axis=-1, output_type=tf.int32), x)
    assert t.dtype == tf.int32
    np.testing.assert_array_equal(out, x.argmin(-1))
    np.testing.assert_array_equal(_run(lambda a: tf.arg_max(a, dimension=0), x)[1], x.argmax(0))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_cumprod(dtype, exclusive, reverse):
    x = _pos((3, 4), dtype)

    def ref(fn, ident, a, axis):
        if reverse:
            a = np.flip(a, axis)
        r = fn(a, axis=axis)
        if exclusive:
            r = np.concatenate([np.full_like(np.take(r, [0], axis), ident),
                                np.take(r, range(a.shape[axis] - 1), axis)], axis)
        return np.flip(r, axis) if reverse else r

    for axis in (0, 1, -1):
        _close(_run(lambda a, ax=axis: tf.cumsum(a, ax, exclusive, reverse), x)[1],
               ref(np.cumsum, 0, x, axis), dtype)
        _close(_run(lambda a, ax=axis: tf.cumprod(a, ax, exclusive=exclusive, reverse=reverse),
                    x)[1],
               ref(np.cumprod, 1, x, axis), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_matmul(dtype):
    a = _normal((3, 4), dtype)
    b = _normal((4, 5), dtype)
    _close(_run(tf.matmul, a, b)[1], a @ b, dtype)
    _close(_run(lambda p, q: tf.matmul(p, q, transpose_a=True), a.T.copy(), b)[1], a @ b, dtype)
    _close(_run(lambda p, q: tf.matmul(p, q, transpose_b=True), a, b.T.copy())[1], a @ b, dtype)
    _close(_run(lambda p, q: p @ q, a, b)[1], a @ b, dtype)
    x = _normal((2, 1, 3, 4), dtype)
    y = _normal((5, 4, 2), dtype)
    t, out = _run(tf.matmul, x, y)
    assert t.op.type == "BatchMatMulV2" and t.shape.as_list() == [2, 5, 3, 2]
    _close(out, np.matmul(x, y), dtype)
    t, out = _run(lambda p, q: tf.matmul(p, q, adjoint_a=True, adjoint_b=True),
                  np.swapaxes(x, -1, -2).copy(), np.swapaxes(y, -1, -2).copy())
    _close(out, np.matmul(x, y), dtype)
    with pytest.raises(ValueError):
        tf.matmul(tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [4, 5]))


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("ii->i", [(3, 3)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
])
def test_einsum(eq, shapes):
    arrs = [_normal(s, np.float64) for s in shapes]
    t, out = _run(lambda *xs: tf.einsum(eq, *xs), *arrs)
    want = np.einsum(eq, *arrs)
    assert t.shape.as_list() == list(want.shape)
    assert t.name == "einsum/Einsum:0"
    _close(out, want, np.float64)


def test_cast_variants():
    x = np.array([1.7, -1.7, 0.0, 2.5], np.float32)
    t, out = _run(lambda a: tf.cast(a, tf.int32), x)
    assert t.op.type == "Cast" and t.op.get_attr("DstT") == tf.int32
    np.testing.assert_array_equal(out, [1, -1, 0, 2])
    np.testing.assert_array_equal(_run(lambda a: tf.cast(a, tf.bool), x)[1], x != 0)
    assert _run(tf.to_double, x)[1].dtype == np.float64
    assert _run(tf.to_int64, x)[1].dtype == np.int64
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32)
        assert tf.cast(p, tf.float32) is p
    y = np.array([-5.0, 300.0, 20.0], np.float32)
    np.testing.assert_array_equal(_run(lambda a: tf.saturate_cast(a, tf.uint8), y)[1],
                                  [0, 255, 20])


def test_add_n_select_where_clip():
    a, b, c = (_normal((2, 3), np.float32) for _ in range(3))
    _close(_run(lambda *xs: tf.add_n(list(xs)), a, b, c)[1], a + b + c, np.float32)
    _close(_run(lambda *xs: tf.accumulate_n(list(xs)), a, b)[1], a + b, np.float32)
    cond = np.array([True, False])
    t, out = _run(tf.where, cond, a, b)
    assert t.op.type == "Select"
    _close(out, np.where(cond[:, None], a, b), np.float32)
    cond2 = RNG.rand(3) > 0.5
    t, out = _run(tf.where_v2, cond2, a, np.float32(0.0) + np.zeros((), np.float32))
    assert t.op.type == "SelectV2"
    _close(out, np.where(cond2, a, 0).astype(np.float32), np.float32)
    _close(_run(lambda x: tf.clip_by_value(x, -0.5, 0.5), a)[1], np.clip(a, -0.5, 0.5),
           np.float32)


def test_norms_and_clipping():
    x = _normal((3, 4), np.float64)
    _close(_run(tf.norm, x)[1], np.linalg.norm(x), np.float64)
    _close(_run(lambda a: tf.norm(a, ord=1, axis=1), x)[1], np.abs(x).sum(1), np.float64)
    _close(_run(lambda a: tf.norm(a, ord=np.inf, axis=0), x)[1], np.abs(x).max(0), np.float64)
    _close(_run(lambda a: tf.norm(a, ord=3, axis=1), x)[1],
           (np.abs(x) ** 3).sum(1) ** (1 / 3), np.float64)
    _close(_run(lambda a: tf.norm(a, ord=1, axis=[0, 1]), x)[1], np.linalg.norm(x, 1),
           np.float64)
    _close(_run(lambda a: tf.norm(a, ord=np.inf, axis=[0, 1]), x)[1],
           np.linalg.norm(x, np.inf), np.float64)
    t, _ = _run(lambda a: tf.norm(a, axis=1, keepdims=True), x)
    assert t.shape.as_list() == [3, 1]
    n = np.linalg.norm(x)
    _close(_run(lambda a: tf.clip_by_norm(a, 1.0), x)[1], x / max(n, 1.0), np.float64)
    _close(_run(lambda a: tf.clip_by_norm(a, 100.0), x)[1], x, np.float64)
    rows = np.linalg.norm(x, axis=1, keepdims=True)
    _close(_run(lambda a: tf.clip_by_norm(a, 0.8, axes=[1]), x)[1],
           x * 0.8 / np.maximum(rows, 0.8), np.float64)
    _close(_run(lambda a: tf.math.l2_normalize(a, axis=1), x)[1], x / rows, np.float64)


def test_scalar_mul_and_python_numbers_adopt_dtype():
    x = _normal((2, 2), np.float64)
    t, out = _run(lambda a: tf.scalar_mul(2, a), x)
    _close(out, 2 * x, np.float64)
    t, out = _run(lambda a: 1 - a * 2 + 3 / a, x)
    assert t.dtype == tf.float64
    _close(out, 1 - x * 2 + 3 / x, np.float64)
    with tf.Graph().as_default():
        with pytest.raises((TypeError, ValueError)):
            tf.placeholder(tf.int32, [2]) + 1.5
        with pytest.raises((TypeError, ValueError)):
            tf.placeholder(tf.int32, [2]) + tf.placeholder(tf.float32, [2])


def test_diagonals_eye_trace():
    x = _normal((2, 3, 3), np.float64)
    t, out = _run(tf.linalg.trace, x, shapes=[(None, 3, 3)])
    assert t.shape.as_list() == [None]
    _close(out, np.trace(x, axis1=1, axis2=2), np.float64)
    _close(_run(tf.linalg.diag_part, x)[1], np.diagonal(x, axis1=1, axis2=2), np.float64)
    d = _normal((2, 3), np.float32)
    t, out = _run(tf.linalg.diag, d)
    assert t.shape.as_list() == [2, 3, 3]
    _close(out, np.stack([np.diag(r) for r in d]), np.float32)
    _close(_run(tf.diag, d)[1], np.diag(d.reshape(-1)).reshape(2, 3, 2, 3), np.float32)
    with tf.Graph().as_default():
        e = tf.eye(2, 3, batch_shape=[2], dtype=tf.float64)
        assert e.shape.as_list() == [2, 2, 3]
        with tf.Session() as s:
            np.testing.assert_array_equal(s.run(e), np.broadcast_to(np.eye(2, 3), (2, 2, 3)))


def test_tensordot():
    a = _normal((2, 3, 2), np.float64)
    b = _normal((3, 4), np.float64)
    t, out = _run(lambda p, q: tf.tensordot(p, q, axes=[[1], [0]]), a, b)
    assert t.name == "Tensordot:0" and t.shape.as_list() == [2, 2, 4]
    _close(out, np.tensordot(a, b, axes=[[1], [0]]), np.float64)
    a2 = _normal((2, 3), np.float64)
    t, out = _run(lambda p, q: tf.tensordot(p, q, 1), a2, b, shapes=[(None, 3), (3, 4)])
    assert t.name == "Tensordot:0" and t.shape.as_list() == [None, 4]
    _close(out, a2 @ b, np.float64)


def test_mul_no_nan_polygamma_conj():
    x = np.array([np.inf, 2.0, np.nan], np.float32)
    y = np.array([0.0, 3.0, 0.0], np.float32)
    np.testing.assert_array_equal(_run(tf.math.multiply_no_nan, x, y)[1], [0.0, 6.0, 0.0])
    a = np.array([1.0, 2.0], np.float64)
    xs = np.array([1.5, 2.5], np.float64)
    _close(_run(tf.math.polygamma, a, xs)[1], sp.polygamma(a, xs), np.float64)
    c = np.array([1 + 2j, 3 - 1j], np.complex64)
    np.testing.assert_array_equal(_run(tf.math.conj, c)[1], np.conj(c))


def _spd(n, batch=()):
    a = RNG.randn(*(batch + (n, n)))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def test_linalg_ops():
    a = _spd(3, (2,))
    b = _normal((2, 3, 2), np.float64)
    _close(_run(tf.linalg.inv, a)[1], np.linalg.inv(a), np.float64)
    t, out = _run(tf.linalg.det, a)
    assert t.shape.as_list() == [2]
    _close(out, np.linalg.det(a), np.float64)
    _close(_run(lambda m: tf.linalg.slogdet(m)[1], a)[1], np.linalg.slogdet(a)[1], np.float64)
    _close(_run(tf.linalg.cholesky, a)[1], np.linalg.cholesky(a), np.float64)
    _close(_run(tf.linalg.solve, a, b)[1], np.linalg.solve(a, b), np.float64)
    low = np.tril(a)
    _close(_run(lambda m, r: tf.linalg.triangular_solve(m, r, lower=True), a, b)[1],
           np.linalg.solve(low, b), np.float64)
    _close(_run(lambda m: tf.linalg.band_part(m, 1, 0), a)[1],
           np.tril(a) - np.tril(a, -2), np.float64)
    _close(_run(tf.linalg.logdet, a)[1], np.linalg.slogdet(a)[1], np.float64)
    a32 = a.astype(np.float32)
    assert _run(tf.linalg.det, a32)[1].dtype == np.float32
