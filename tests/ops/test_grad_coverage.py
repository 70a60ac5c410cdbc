"""Every registered gradient, checked against central differences in float64.

1. test_gradient: each GradCase of tests/ops/grad_cases.py through check_gradient.
2. test_every_registered_gradient_is_covered: each op type whose registered gradient is not
   None has a GradCase or a documented exemption (grad_cases.EXEMPT).
3. test_case_builds_its_op_type: the graph (and function bodies) each case builds contains
   the op type the case claims to cover.
"""
import importlib.util
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.framework import registry
from tensorweave.ops import array_ops
from tensorweave.training import gradient_checker

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_gradient = _load("tw_gradient_check_cov",
                       os.path.join(os.path.dirname(_HERE), "gradient_check.py")).check_gradient
grad_cases = _load("tw_grad_cases", os.path.join(_HERE, "grad_cases.py"))
CASES = grad_cases.CASES


def _param(c):
    marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
    return pytest.param(c, id=c.id, marks=marks)


def _op_types(graph, seen=None):
    """Op types in `graph` and, recursively, in every function of its library."""
    seen = set() if seen is None else seen
    types = {op.type for op in graph.get_operations()}
    for name, fg in list(graph._functions.items()):
        if name not in seen:
            seen.add(name)
            types |= _op_types(fg, seen)
    return types


def _build(c):
    g = tf.Graph()
    with g.as_default():
        tensors = []
        for i, a in enumerate(c.sample()):
            a = np.asarray(a)
            if a.dtype.kind == "f":
                tensors.append(tf.placeholder(tf.float64, a.shape, name=f"x{i}"))
            else:
                tensors.append(tf.constant(a))
        y = c.fn(*tensors)
    return g, tensors, y


@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_gradient(c):
    check_gradient(c.fn, *c.sample(), atol=c.atol, delta=c.delta, wrt=c.wrt)


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id) for c in CASES])
def test_case_builds_its_op_type(c):
    g, _, y = _build(c)
    assert y.dtype.base_dtype in (tf.float64, tf.float32), y.dtype
    types = _op_types(g)
    assert c.op_type in types, f"{c.id} builds {sorted(types)}"


def test_every_registered_gradient_is_covered():
    differentiable = {t for t in registry.registered_ops()
                      if registry._GRADIENTS.get(t) is not None}
    covered = {c.op_type for c in CASES}
    missing = sorted(differentiable - covered - set(grad_cases.EXEMPT))
    assert not missing, f"op types with a gradient but no GradCase or exemption: {missing}"
    # Exemptions and cases refer to registered, differentiable op types only.
    stale = sorted((covered | set(grad_cases.EXEMPT)) - differentiable)
    assert not stale, f"GradCases/exemptions for op types without a gradient: {stale}"
    assert not covered & set(grad_cases.EXEMPT)
    for t, reason in grad_cases.EXEMPT.items():
        assert len(reason) > 20, t
    # Second-order cases really are built by a gradient function.
    for c in CASES:
        assert c.order in (1, 2), c.id


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_prevent_gradient_raises():
    x = tf.placeholder(tf.float64, [2])
    y = array_ops.prevent_gradient(x * x, message="no second derivative")
    with pytest.raises(LookupError, match="no second derivative"):
        tf.gradients(y, x)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_while_trip_count_fed_through_placeholder(n):
    """A While whose trip count is a tf.placeholder fed at run time (data-dependent)."""
    rng = np.random.default_rng(n)
    x = tf.placeholder(tf.float64, [2, 3])
    w = tf.placeholder(tf.float64, [3])
    count = tf.placeholder(tf.int32, [])
    y = tf.while_loop(lambda i, s: i < count, lambda i, s: (i + 1, s * w + x), [0, x])[1]
    assert "StatelessWhile" in _op_types(tf.get_default_graph())
    xv, wv = rng.standard_normal((2, 3)), rng.standard_normal(3)
    with tf.Session():
        for t, v, other in ((x, xv, {w: wv}), (w, wv, {x: xv})):
            err = gradient_checker.compute_gradient_error(
                t, v.shape, y, [2, 3], x_init_value=v, delta=1e-6,
                extra_feed_dict={**other, count: n})
            assert err < 1e-6, (n, t.name, err)


def test_gather_gradient_is_indexed_slices():
    params = tf.placeholder(tf.float64, [3, 2])
    g = tf.gradients(tf.gather(params, [2, 0, 2]), params)[0]
    assert isinstance(g, tf.IndexedSlices), type(g)
