"""State ops: VariableV2, Assign*, Scatter*, IsVariableInitialized, CountUpTo.

Values are checked against NumPy on random inputs in float32 and float64; static shapes,
attrs (TF's names and defaults) and error cases as TF1.
"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.framework import errors

FLOATS = [np.float32, np.float64]


def _var(value, name="v"):
    return tf.Variable(value, name=name)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------- VariableV2 / Assign
def test_variable_op_attrs_and_dtype():
    v = _var(np.ones((2, 3), np.float32), name="W")
    op = v.op
    assert op.type == "VariableV2"
    assert op.get_attr("shape").as_list() == [2, 3]
    assert op.get_attr("dtype") == tf.float32
    assert op.get_attr("container") == ""
    assert op.get_attr("shared_name") == ""
    assert v._ref().dtype == tf.float32._as_ref
    assert v.dtype.name == "float32_ref"
    assign = v.initializer
    assert assign.type == "Assign" and assign.name == "W/Assign"
    assert assign.get_attr("validate_shape") is True
    assert assign.get_attr("use_locking") is True
    assert assign.get_attr("_class") == [b"loc:@W"]
    assert v.value().op.get_attr("_class") == [b"loc:@W"]


@pytest.mark.parametrize("dt", FLOATS)
def test_assign_stores_a_copy(dt):
    x = _rng().standard_normal((3, 4)).astype(dt)
    v = _var(np.zeros((3, 4), dt))
    p = tf.placeholder(tf.as_dtype(dt), [3, 4])
    a = tf.assign(v, p)
    assert a.dtype == tf.as_dtype(dt)._as_ref and a.shape.as_list() == [3, 4]
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(a, {p: x})
        np.testing.assert_array_equal(got, x)
        x[0, 0] = 99.0  # the fed array must not alias the stored value
        got[1, 1] = 77.0  # nor the fetched result
        val = sess.run(v)
        assert val[0, 0] != 99.0 and val[1, 1] != 77.0
        assert val.dtype == dt


@pytest.mark.parametrize("dt", FLOATS)
def test_assign_add_sub(dt):
    rng = _rng(1)
    x0 = rng.standard_normal((5,)).astype(dt)
    d = rng.standard_normal((5,)).astype(dt)
    v = _var(x0)
    add = tf.assign_add(v, d)
    sub = v.assign_sub(d * 3)
    assert add.op.type == "AssignAdd" and add.op.get_attr("use_locking") is False
    assert sub.op.type == "AssignSub"
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(add), x0 + d, rtol=1e-6)
        np.testing.assert_allclose(sess.run(add), x0 + 2 * d, rtol=1e-6)
        np.testing.assert_allclose(sess.run(sub), x0 + 2 * d - 3 * d, rtol=1e-5, atol=1e-6)
        assert sess.run(v).dtype == dt


def test_variable_methods_pass_use_locking_false():
    v = _var([1.0, 2.0])
    a = v.assign([3.0, 4.0])
    assert a.op.get_attr("use_locking") is False
    op = v.assign([1.0, 1.0], read_value=False)
    assert isinstance(op, tf.Operation) and op.type == "Assign"


def test_assign_shape_checks():
    v = _var([1.0, 2.0])
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        tf.assign(v, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Shapes must be equal rank"):
        tf.assign_add(v, [[1.0, 2.0]])
    a = tf.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
    assert a.shape.as_list() == [3]
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])


def test_assign_runtime_shape_mismatch():
    v = _var([1.0, 2.0])
    p = tf.placeholder(tf.float32, [None])
    a = tf.assign(v, p)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="lhs shape= \\[2\\] rhs shape= "
                                                                 "\\[3\\]"):
            sess.run(a, {p: [1.0, 2.0, 3.0]})


def test_assign_requires_a_ref():
    c = tf.constant([1.0])
    with pytest.raises((TypeError, AttributeError)):
        tf.assign(c, [2.0])


def test_assign_add_uninitialized_names_variable():
    v = _var([1.0], name="counter")
    add = tf.assign_add(v, [1.0])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="uninitialized value counter"):
            sess.run(add)


def test_int_variable_assign_add():
    v = tf.Variable(3)
    a = v.assign_add(4)
    with tf.Session() as sess:
        sess.run(v.initializer)
        r = sess.run(a)
        assert r == 7 and r.dtype == np.int32


# ------------------------------------------------------------------------ Scatter
@pytest.mark.parametrize("dt", FLOATS)
def test_scatter_update_add_sub(dt):
    rng = _rng(2)
    base = rng.standard_normal((6, 3)).astype(dt)
    idx = np.array([4, 0, 4], np.int32)
    upd = rng.standard_normal((3, 3)).astype(dt)
    v = _var(base)
    su = tf.scatter_update(v, [1, 3], upd[:2])
    sa = tf.scatter_add(v, idx, upd)
    ss = tf.scatter_sub(v, tf.constant(idx, tf.int64), upd)
    assert su.op.type == "ScatterUpdate" and su.op.get_attr("use_locking") is True
    assert sa.op.get_attr("Tindices") == tf.int32 and sa.op.get_attr("use_locking") is False
    assert ss.op.get_attr("Tindices") == tf.int64
    assert su.shape.as_list() == [6, 3]
    with tf.Session() as sess:
        sess.run(v.initializer)
        want = base.copy()
        want[[1, 3]] = upd[:2]
        np.testing.assert_allclose(sess.run(su), want)
        np.add.at(want, idx, upd)  # duplicates accumulate
        np.testing.assert_allclose(sess.run(sa), want, rtol=1e-6)
        np.subtract.at(want, idx, upd)
        np.testing.assert_allclose(sess.run(ss), want, rtol=1e-5, atol=1e-6)


def test_scatter_multi_dim_indices_and_minmax():
    base = np.arange(12, dtype=np.float32).reshape(4, 3)
    v = _var(base)
    idx = np.array([[0, 2], [3, 0]], np.int32)
    upd = np.full((2, 2, 3), 5.0, np.float32)
    mx = tf.scatter_max(v, idx, upd)
    with tf.Session() as sess:
        sess.run(v.initializer)
        want = base.copy()
        np.maximum.at(want, idx, upd)
        np.testing.assert_array_equal(sess.run(mx), want)


def test_scatter_shape_and_index_errors():
    v = _var(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError):
        tf.scatter_update(v, [0, 1], np.zeros((2, 4), np.float32))
    p = tf.placeholder(tf.int32, [None])
    s = tf.scatter_update(v, p, np.ones((2, 3), np.float32))
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7 is not in "
                                                                 r"\[0, 4\)"):
            sess.run(s, {p: [1, 7]})


def test_variable_scatter_methods_take_indexed_slices():
    class Slices:  # duck-typed IndexedSlices
        indices = tf.constant([1])
        values = tf.constant([[9.0, 9.0]])

    v = _var(np.zeros((3, 2), np.float32))
    s = v.scatter_update(Slices())
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(s), [[0, 0], [9, 9], [0, 0]])
    with pytest.raises(TypeError, match="IndexedSlices"):
        v.scatter_add([1, 2])


def test_scatter_nd_update():
    base = np.zeros((3, 4), np.float32)
    v = _var(base)
    s = tf.scatter_nd_update(v, [[0, 1], [2, 3]], [5.0, 6.0])
    a = tf.scatter_nd_add(v, [[0, 1], [0, 1]], [1.0, 1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        want = base.copy()
        want[0, 1], want[2, 3] = 5, 6
        np.testing.assert_array_equal(sess.run(s), want)
        want[0, 1] += 2
        np.testing.assert_array_equal(sess.run(a), want)


# ----------------------------------------------------- IsVariableInitialized / CountUpTo
def test_is_variable_initialized():
    v = _var([1.0])
    i = tf.is_variable_initialized(v)
    assert i.op.type == "IsVariableInitialized" and i.dtype == tf.bool and i.shape.ndims == 0
    assert i.op.get_attr("dtype") == tf.float32
    with tf.Session() as sess:
        r = sess.run(i)
        assert r.dtype == np.bool_ and not r
        sess.run(v.initializer)
        assert sess.run(i)


def test_count_up_to():
    v = tf.Variable(0, name="step")
    c = v.count_up_to(3)
    assert c.op.type == "CountUpTo" and c.op.get_attr("limit") == 3 and c.dtype == tf.int32
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [int(sess.run(c)) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 3"):
            sess.run(c)
        assert sess.run(v) == 3


def test_count_up_to_needs_scalar():
    v = tf.Variable([0, 1])
    with pytest.raises(ValueError, match="rank 0"):
        tf.count_up_to(v, 3)


def test_registered_ops_not_differentiable():
    from tensorweave.framework import registry

    for t in ("VariableV2", "Assign", "AssignAdd", "AssignSub", "ScatterUpdate", "ScatterAdd",
              "ScatterSub", "IsVariableInitialized", "CountUpTo", "ScatterNdUpdate"):
        opdef = registry.get_opdef(t)
        assert opdef.grad is None
        assert opdef.shape_fn is not None
        assert opdef.kernel_factory is not None


def test_error_is_op_error_with_code():
    v = _var([1.0], name="lonely")
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError) as ei:
            sess.run(v)
    assert ei.value.error_code == errors.FAILED_PRECONDITION
    assert ei.value.op is v.op
