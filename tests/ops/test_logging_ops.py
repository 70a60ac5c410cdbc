"""Logging/assertion ops: Print (TF's summarize format), Assert, CheckNumerics, tf.assert_*."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import logging_ops

RNG = np.random.default_rng(1)


@pytest.mark.parametrize("arr,n,want", [
    (np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5, 4, "[0.5 1.5 2.5][3.5...]..."),
    (np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5, 3, "[0.5 1.5 2.5]..."),
    (np.arange(10), 4, "0 1 2 3..."),
    (np.arange(24.0).reshape(2, 3, 4), 3, "[[0 1 2...]]..."),
    (np.float32(1e-7), 3, "1e-07"),
    (np.float32(123456789.0), 3, "123456792"),
    (np.zeros((0, 3)), 3, ""),
    (np.array([True, False]), 3, "1 0"),
    (np.array([b"ab", b"c"], dtype=object), 3, "ab c"),
    (np.arange(4), -1, "0 1 2 3"),
])
def test_summarize_value_matches_tf(arr, n, want):
    assert logging_ops.summarize_value(arr, n) == want


@pytest.mark.parametrize("tfdt,npdt", [(tf.float32, np.float32), (tf.float64, np.float64)])
def test_print(capsys, tfdt, npdt):
    x = tf.placeholder(tfdt, [None, 3], name="x")
    v = tf.constant(np.arange(10))
    p = tf.Print(x, [x, v, "str"], message="msg: ", summarize=4)
    assert p.name == "Print:0" and p.op.type == "Print" and p.shape.as_list() == [None, 3]
    assert p.op.get_attr("summarize") == 4 and p.op.get_attr("first_n") == -1
    assert p.op.get_attr("U") == [tfdt, tf.int64, tf.string]
    xv = RNG.standard_normal((2, 3)).astype(npdt)
    with tf.Session() as sess:
        r = sess.run(p, {x: xv})
    np.testing.assert_array_equal(r, xv)
    err = capsys.readouterr().err
    assert err.startswith("msg: [[") and "][0 1 2 3...][str]" in err


def test_print_first_n(capsys):
    x = tf.constant([1, 2])
    p = tf.Print(x, [x], first_n=2)
    with tf.Session() as sess:
        for _ in range(4):
            sess.run(p)
    assert capsys.readouterr().err.count("[1 2]") == 2


def test_print_v2(capsys):
    x = tf.constant([1, 2])
    op = tf.print("value:", x)
    assert op.type == "PrintV2"
    with tf.Session() as sess:
        sess.run(op)
    assert "value: [1 2]" in capsys.readouterr().err


def test_assert_int_string_data_unguarded():
    v = tf.placeholder(tf.int32, [], name="v")
    a = tf.Assert(v > 0, ["v must be positive", v])
    assert a.name == "Assert/Assert" and a.type == "Assert"
    with tf.Session() as sess:
        sess.run(a, {v: 1})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[v must be positive\] \[-3\]"):
            sess.run(a, {v: -3})


def test_assert_float_data_guarded():
    s = tf.placeholder(tf.float32, [], name="s")
    a = tf.Assert(s < 0.0, [s, tf.constant(np.arange(10)), "hello"], name="myassert")
    assert a.name == "myassert/AssertGuard/Merge"
    with tf.Session() as sess:
        sess.run(a, {s: -1.0})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[3.25\] \[0 1 2...\] \[hello\]"):
            sess.run(a, {s: 3.25})


def test_assert_as_control_dependency():
    x = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([tf.Assert(tf.reduce_all(x > 0.0), [x])]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed"):
            sess.run(y, {x: [1.0, -2.0]})


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_check_numerics(dt):
    x = tf.placeholder(tf.as_dtype(dt), [None], name="x")
    c = tf.check_numerics(x, "bad thing")
    assert c.name == "CheckNumerics:0" and c.shape.as_list() == [None]
    xv = RNG.standard_normal(5).astype(dt)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(c, {x: xv}), xv)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="bad thing : Tensor had NaN values") as e:
            sess.run(c, {x: np.array([1.0, np.nan], dt)})
        assert "CheckNumerics" in str(e.value) and "test_logging_ops.py" in str(e.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf values"):
            sess.run(c, {x: np.array([np.inf], dt)})
    with pytest.raises(TypeError):
        tf.check_numerics(tf.constant([1, 2]), "ints")


def test_check_numerics_gradient_passes_through():
    x = tf.placeholder(tf.float64, [3])
    y = tf.check_numerics(x, "m") * 2.0
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0, 3.0]}), [2.0, 2.0, 2.0])


def test_verify_tensor_all_finite_and_add_check_numerics_ops():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.verify_tensor_all_finite(x, "not finite")
    y = x * 2.0
    chk = tf.add_check_numerics_ops()
    assert chk.type == "NoOp"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(v, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="not finite"):
            sess.run(v, {x: [1.0, np.nan]})
        sess.run([y, chk], {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf"):
            sess.run([y, chk], {x: [1.0, np.inf]})


def test_assert_equal_static_and_dynamic():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]), message="mm")
    ok = tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 2]))
    p = tf.placeholder(tf.int32, [2], name="p")
    a = tf.assert_equal(p, tf.constant([1, 3]), message="mm")
    assert a.name == "assert_equal_2/Assert/Assert"
    with tf.Session() as sess:
        sess.run(ok)
        sess.run(a, {p: [1, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"\[mm\] \[Condition x == y did not hold element-wise:\] "
                                 r"\[x \(p:0\) = \] \[1 2\]"):
            sess.run(a, {p: [1, 2]})


@pytest.mark.parametrize("fn,good,bad", [
    (tf.assert_less, [0, 1], [1, 3]),
    (tf.assert_less_equal, [1, 3], [2, 3]),
    (tf.assert_greater, [2, 4], [1, 4]),
    (tf.assert_greater_equal, [1, 3], [0, 3]),
    (tf.assert_none_equal, [0, 0], [1, 0]),
])
def test_binary_asserts(fn, good, bad):
    p = tf.placeholder(tf.int32, [2])
    a = fn(p, tf.constant([1, 3]))
    with tf.Session() as sess:
        sess.run(a, {p: good})
        with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold"):
            sess.run(a, {p: bad})


@pytest.mark.parametrize("fn,good,bad", [
    (tf.assert_positive, [1.0, 2.0], [0.0, 1.0]),
    (tf.assert_negative, [-1.0, -2.0], [0.0, -1.0]),
    (tf.assert_non_negative, [0.0, 2.0], [-1.0, 1.0]),
    (tf.assert_non_positive, [0.0, -2.0], [1.0, -1.0]),
])
def test_unary_asserts(fn, good, bad):
    p = tf.placeholder(tf.float32, [2])
    a = fn(p)
    with tf.Session() as sess:
        sess.run(a, {p: good})
        with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold"):
            sess.run(a, {p: bad})
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(tf.constant(bad))


def test_static_shape_and_type_asserts():
    x = tf.placeholder(tf.float32, [2, 3])
    assert tf.assert_rank(x, 2).type == "NoOp"
    with pytest.raises(ValueError, match="must have rank 3"):
        tf.assert_rank(x, 3)
    tf.assert_rank_at_least(x, 1)
    with pytest.raises(ValueError):
        tf.assert_rank_at_least(x, 3)
    assert tf.assert_type(x, tf.float32).type == "NoOp"
    with pytest.raises(TypeError):
        tf.assert_type(x, tf.int32)
    with pytest.raises(TypeError):
        tf.assert_integer(x)
    with pytest.raises(ValueError):
        tf.assert_scalar(x)
    s = tf.constant(1.0)
    assert tf.assert_scalar(s) is s
