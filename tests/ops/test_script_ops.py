"""tf.py_func / tf.numpy_function / tf.py_function (PyFunc, PyFuncStateless, EagerPyFunc)."""
import numpy as np
import pytest

import tensorweave as tf

RNG = np.random.default_rng(2)


@pytest.mark.parametrize("tfdt,npdt", [(tf.float32, np.float32), (tf.float64, np.float64)])
def test_py_func_values_and_attrs(tfdt, npdt):
    x = tf.placeholder(tfdt, [None, 3], name="x")
    y = tf.py_func(np.square, [x], tfdt)
    assert y.name == "PyFunc:0" and y.op.type == "PyFunc" and y.shape.ndims is None
    assert y.op.get_attr("Tin") == [tfdt] and y.op.get_attr("Tout") == [tfdt]
    token = y.op.get_attr("token")
    assert token in tf.get_default_graph()._stateful_python
    xv = RNG.standard_normal((2, 3)).astype(npdt)
    with tf.Session() as sess:
        r = sess.run(y, {x: xv})
    assert r.dtype == npdt
    np.testing.assert_allclose(r, xv ** 2)


def test_py_func_multiple_outputs_and_list_tout():
    a = tf.constant([1.0, 2.0])
    b = tf.constant([1, 2], dtype=tf.int64)
    outs = tf.py_func(lambda u, v: (u + 1, v * 2), [a, b], [tf.float32, tf.int64])
    single = tf.py_func(lambda u: [u], [a], [tf.float32])
    assert isinstance(outs, list) and len(outs) == 2 and isinstance(single, list)
    scalar = tf.py_func(lambda: 3.5, [], tf.float32)
    strs = tf.py_func(lambda: np.array(["a", "bc"]), [], tf.string)
    with tf.Session() as sess:
        r1, r2, r3, r4, r5 = sess.run(outs + single + [scalar, strs])
    np.testing.assert_array_equal(r1, [2.0, 3.0])
    assert r2.dtype == np.int64 and list(r2) == [2, 4]
    np.testing.assert_array_equal(r3, [1.0, 2.0])
    assert r4.dtype == np.float32 and r4 == 3.5
    assert list(r5) == [b"a", b"bc"]


def test_py_func_stateless_and_variants():
    x = tf.constant([1.0, 2.0])
    y = tf.py_func(lambda v: v * 2, [x], tf.float32, stateful=False)
    z = tf.numpy_function(lambda v: v + 1, [x], tf.float32)
    w = tf.py_function(lambda v: np.asarray(v) * 3, [x], tf.float32)
    assert (y.op.type, z.op.type, w.op.type) == ("PyFuncStateless", "PyFunc", "EagerPyFunc")
    with tf.Session() as sess:
        ry, rz, rw = sess.run([y, z, w])
    np.testing.assert_array_equal(ry, [2.0, 4.0])
    np.testing.assert_array_equal(rz, [2.0, 3.0])
    np.testing.assert_array_equal(rw, [3.0, 6.0])


def test_py_func_no_outputs_is_op_and_side_effects():
    calls = []
    op = tf.py_func(lambda v: calls.append(v.copy()), [tf.constant([1, 2])], [])
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(op)
        sess.run(op)
    assert len(calls) == 2


def test_py_func_errors():
    x = tf.constant([1.0, 2.0])
    bad_dtype = tf.py_func(lambda v: v.astype(np.float64), [x], tf.float32)
    raises = tf.py_func(lambda v: 1 / 0, [x], tf.float32)
    wrong_count = tf.py_func(lambda v: (v, v, v), [x], [tf.float32, tf.float32])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="float64 array"):
            sess.run(bad_dtype)
        with pytest.raises(tf.errors.UnknownError, match="ZeroDivisionError"):
            sess.run(raises)
        with pytest.raises(tf.errors.InvalidArgumentError, match="returned 3 values"):
            sess.run(wrong_count)
    with pytest.raises(ValueError):
        tf.py_func(1, [x], tf.float32)


def test_py_func_in_control_flow():
    x = tf.placeholder(tf.float32, [3])
    p = tf.placeholder(tf.bool, [])
    c = tf.cond(p, lambda: tf.py_func(np.negative, [x], tf.float32), lambda: x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(c, {p: True, x: [1, 2, 3]}), [-1, -2, -3])


def test_py_func_gradient_none_and_override():
    x = tf.placeholder(tf.float64, [3])
    y = tf.py_func(np.square, [x], tf.float64)
    assert tf.gradients(y, [x]) == [None]

    @tf.RegisterGradient("TestSquarePyFuncGrad")
    def _grad(op, g):
        return [g * 2.0 * op.inputs[0]]

    with tf.get_default_graph().gradient_override_map({"PyFunc": "TestSquarePyFuncGrad"}):
        y2 = tf.py_func(np.square, [x], tf.float64)
    (g,) = tf.gradients(y2, [x])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0, 3.0]}), [2.0, 4.0, 6.0])
