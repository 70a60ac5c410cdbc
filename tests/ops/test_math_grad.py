"""Every math-op gradient against central differences in float64 (incl. broadcasting)."""
import importlib.util
import os

import numpy as np
import pytest

import tensorweave as tf


def _load_checker():
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "gradient_check.py")
    spec = importlib.util.spec_from_file_location("tw_gradient_check", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.check_gradient


check_gradient = _load_checker()
RNG = np.random.RandomState(1)


def normal(*shape):
    return RNG.randn(*shape)


def pos(*shape):
    return RNG.rand(*shape) + 0.5


def unit(*shape):
    return RNG.rand(*shape) * 1.6 - 0.8


UNARY = [
    ("negative", normal), ("abs", normal), ("square", normal), ("sqrt", pos), ("rsqrt", pos),
    ("exp", normal), ("expm1", normal), ("log", pos), ("log1p", pos), ("sin", normal),
    ("cos", normal), ("tan", unit), ("asin", unit), ("acos", unit), ("atan", normal),
    ("sinh", normal), ("cosh", normal), ("asinh", normal), ("acosh", lambda *s: pos(*s) + 1),
    ("atanh", unit), ("tanh", normal), ("sigmoid", normal), ("reciprocal", pos),
    ("erf", normal), ("erfc", normal), ("lgamma", pos),
]


@pytest.mark.parametrize("name,gen", UNARY, ids=[u[0] for u in UNARY])
def test_unary_grad(name, gen):
    fn = getattr(tf, name, None) or getattr(tf.math, name)
    check_gradient(fn, gen(3, 4), atol=1e-6)


def test_non_differentiable_unary_give_none_or_zero():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        for fn in (tf.floor, tf.ceil, tf.round, tf.rint):
            assert tf.gradients(fn(x), x)[0] is None
        with tf.Session() as s:
            assert np.all(s.run(tf.gradients(tf.sign(x), x)[0], {x: [1.0, -2.0, 3.0]}) == 0)


BINARY = [
    ("add", normal, normal), ("subtract", normal, normal), ("multiply", normal, normal),
    ("truediv", normal, pos), ("realdiv", normal, pos), ("div_no_nan", normal, pos),
    ("maximum", normal, normal), ("minimum", normal, normal),
    ("squared_difference", normal, normal), ("pow", pos, normal), ("atan2", normal, pos),
    ("floormod", pos, lambda *s: pos(*s) + 3), ("xlogy", normal, pos),
]
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((3, 1), (1, 4))]


@pytest.mark.parametrize("name,gx,gy", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", SHAPES, ids=["same", "row", "3d", "scalar", "outer"])
def test_binary_grad(name, gx, gy, shapes):
    check_gradient(getattr(tf.math, name, None) or getattr(tf, name), gx(*shapes[0]),
                   gy(*shapes[1]), atol=1e-5)


def test_binary_grad_with_unknown_dims_uses_dynamic_path():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [None, 4])
        y = tf.placeholder(tf.float64, [None, None])
        z = tf.reduce_sum(x * y)
        gx, gy = tf.gradients(z, [x, y])
        assert any(op.type == "BroadcastGradientArgs" for op in g.get_operations())
        with tf.Session() as s:
            xv, yv = normal(3, 4), normal(1, 4)
            a, b = s.run([gx, gy], {x: xv, y: yv})
    np.testing.assert_allclose(a, np.broadcast_to(yv, (3, 4)))
    np.testing.assert_allclose(b, xv.sum(0, keepdims=True))


@pytest.mark.parametrize("name", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
                                  "reduce_prod", "reduce_logsumexp"])
@pytest.mark.parametrize("axis", [None, 0, [1], [0, 2], -1])
@pytest.mark.parametrize("keep", [False, True])
def test_reduction_grads(name, axis, keep):
    fn = getattr(tf, name)
    x = RNG.permutation(24).reshape(2, 3, 4) / 10.0 + 0.3  # distinct values: no ties
    check_gradient(lambda t: fn(t, axis=axis, keepdims=keep), x, atol=2e-5)


def test_reduce_euclidean_norm_variance_std_grads():
    x = pos(3, 4)
    check_gradient(lambda t: tf.math.reduce_euclidean_norm(t, 1), x, atol=1e-6)
    check_gradient(lambda t: tf.math.reduce_variance(t, 0), x, atol=1e-6)
    check_gradient(lambda t: tf.math.reduce_std(t), x, atol=1e-6)


def test_reduce_prod_with_zero():
    x = pos(3, 4)
    x[1, 2] = 0.0
    check_gradient(lambda t: tf.reduce_prod(t, 1), x, atol=1e-6)


def test_max_grad_splits_ties_evenly():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3])
        g = tf.gradients(tf.reduce_max(x, 1), x)[0]
        with tf.Session() as s:
            out = s.run(g, {x: [[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]})
    np.testing.assert_allclose(out, [[0, 0.5, 0.5], [1, 0, 0]])


def test_reduction_grads_unknown_shapes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        u = tf.placeholder(tf.float64)
        gs = tf.gradients(tf.reduce_mean(x, 0) * 2.0, x) + tf.gradients(tf.reduce_sum(u), u)
        gm = tf.gradients(tf.reduce_mean(u), u)
        with tf.Session() as s:
            a, b, c = s.run(gs + gm, {x: normal(4, 3), u: normal(2, 5)})
    np.testing.assert_allclose(a, np.full((4, 3), 2.0 / 4))
    np.testing.assert_allclose(b, np.ones((2, 5)))
    np.testing.assert_allclose(c, np.full((2, 5), 0.1))


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_grad(ta, tb):
    a = normal(4, 3) if ta else normal(3, 4)
    b = normal(5, 4) if tb else normal(4, 5)
    check_gradient(lambda p, q: tf.matmul(p, q, transpose_a=ta, transpose_b=tb), a, b,
                   atol=1e-6)


@pytest.mark.parametrize("adj_x", [False, True])
@pytest.mark.parametrize("adj_y", [False, True])
def test_batch_matmul_grad_with_broadcast(adj_x, adj_y):
    a = normal(2, 4, 3) if adj_x else normal(2, 3, 4)
    b = normal(5, 4) if adj_y else normal(4, 5)
    check_gradient(lambda p, q: tf.matmul(p, q, adjoint_a=adj_x, adjoint_b=adj_y), a, b,
                   atol=1e-6)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]),
                                       ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]),
                                       ("ij->ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)])])
def test_einsum_grad(eq, shapes):
    check_gradient(lambda *xs: tf.einsum(eq, *xs), *[normal(*s) for s in shapes], atol=1e-6)


def test_select_where_clip_cast_addn_cum_grads():
    cond = np.array([True, False, True])
    check_gradient(lambda a, b: tf.where(tf.constant(cond), a, b), normal(3, 2), normal(3, 2))
    check_gradient(lambda a, b: tf.where_v2(tf.constant(cond), a, b), normal(2, 3), normal(3))
    check_gradient(lambda a: tf.clip_by_value(a, -0.5, 0.5), normal(3, 4) * 0.9)
    check_gradient(lambda a, lo, hi: tf.clip_by_value(a, lo, hi), normal(3, 4), -pos(4) + 0.2,
                   pos(3, 1))
    # NOTE: the float32 round trip needs a large delta for central differences.
    check_gradient(lambda a: tf.cast(tf.cast(a, tf.float32), tf.float64) * a, normal(3),
                   atol=1e-4, delta=1e-2)
    check_gradient(lambda a, b, c: tf.add_n([a, b, c]), normal(2, 3), normal(2, 3), normal(2, 3))
    for ex in (False, True):
        for rev in (False, True):
            check_gradient(lambda a, e=ex, r=rev: tf.cumsum(a, 1, exclusive=e, reverse=r),
                           normal(2, 4))
            check_gradient(lambda a, e=ex, r=rev: tf.cumprod(a, 1, exclusive=e, reverse=r),
                           pos(2, 4),
                           atol=1e-5)


def test_norm_and_clip_grads():
    x = normal(3, 4)
    check_gradient(tf.norm, x)
    check_gradient(lambda t: tf.norm(t, ord=1, axis=1), x)
    check_gradient(lambda t: tf.clip_by_norm(t, 1.0), x)
    check_gradient(lambda t: tf.math.l2_normalize(t, axis=1), x)


def test_second_order_helper_grads():
    check_gradient(lambda t: tf.gradients(tf.reduce_sum(tf.sigmoid(t) * t), t)[0], normal(3))
    check_gradient(lambda t: tf.gradients(tf.reduce_sum(tf.tanh(t) * t), t)[0], normal(3))
    check_gradient(lambda t: tf.gradients(tf.reduce_sum(tf.sqrt(t) * t), t)[0], pos(3))
    check_gradient(lambda t: tf.gradients(tf.reduce_sum(tf.rsqrt(t) * t), t)[0], pos(3))
    check_gradient(lambda t: tf.gradients(tf.reduce_sum(tf.reciprocal(t) * t), t)[0], pos(3))


def test_gradient_graph_uses_tf_helper_ops():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        w = tf.placeholder(tf.float32, [3, 4])
        b = tf.placeholder(tf.float32, [4])
        loss = tf.reduce_mean(tf.sigmoid(tf.matmul(x, w) + b))
        gx, gw, gb = tf.gradients(loss, [x, w, b])
        types = {op.type for op in g.get_operations()}
        assert {"SigmoidGrad", "MatMul", "Tile"} <= types
        assert gx.shape.as_list() == [None, 3] and gw.shape.as_list() == [3, 4]
        assert gb.shape.as_list() == [4]
        mm = [op for op in g.get_operations() if op.name.startswith("gradients/MatMul_grad")
              and op.type == "MatMul"]
        assert sorted((op.get_attr("transpose_a"), op.get_attr("transpose_b")) for op in mm) == \
            [(False, True), (True, False)]


def test_diagonal_and_tensordot_grads():
    check_gradient(tf.linalg.trace, normal(2, 3, 3))
    check_gradient(tf.linalg.diag_part, normal(2, 3, 4))
    check_gradient(tf.linalg.diag, normal(2, 3))
    check_gradient(tf.diag, normal(3))
    check_gradient(lambda a, b: tf.tensordot(a, b, [[1], [0]]), normal(2, 3, 2), normal(3, 4))


def test_digamma_polygamma_mul_no_nan_grads():
    check_gradient(tf.digamma, pos(3) + 0.5, atol=1e-5)
    check_gradient(lambda t: tf.math.polygamma(tf.constant(1.0, tf.float64), t), pos(3) + 0.5,
                   atol=1e-5)
    check_gradient(tf.math.multiply_no_nan, normal(2, 3), normal(3))


def _spd(n, batch=()):
    a = RNG.randn(*(batch + (n, n)))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def test_linalg_grads():
    a = _spd(3, (2,))
    check_gradient(tf.linalg.inv, a, atol=1e-5)
    check_gradient(tf.linalg.det, a, atol=1e-4)
    check_gradient(lambda m: tf.linalg.slogdet(m)[1], a, atol=1e-5)
    check_gradient(lambda m, r: tf.linalg.solve(m, r), a, normal(2, 3, 2), atol=1e-5)
    check_gradient(lambda m, r: tf.linalg.triangular_solve(m, r, lower=False), a,
                   normal(2, 3, 2), atol=1e-5)
    check_gradient(lambda m: tf.linalg.band_part(m, 0, 1), normal(3, 4))
    # Cholesky: differentiate through a symmetrized input so perturbations stay symmetric.
    check_gradient(lambda m: tf.linalg.cholesky(
        (m + tf.linalg.transpose(m)) * 0.5), a, atol=1e-5)


def test_xdivy_grad():
    check_gradient(tf.math.xdivy, normal(2, 3), pos(3), atol=1e-5)
