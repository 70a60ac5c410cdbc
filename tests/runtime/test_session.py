"""Session.run: fetch structures, feeds, errors, defaults."""
import collections

import numpy as np
import pytest

import tensorweave as tf


def test_nested_fetches_and_feeds():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.matmul(x, [[1.0, 2.0], [3.0, 4.0]])
    z = y * 2.0
    P = collections.namedtuple("P", ["a", "b"])
    with tf.Session() as sess:
        out = sess.run({"y": y, "both": (y, [z]), "p": P(z, y.op)}, feed_dict={x: [[1, 1]]})
    np.testing.assert_allclose(out["y"], [[4.0, 6.0]])
    np.testing.assert_allclose(out["both"][1][0], [[8.0, 12.0]])
    assert isinstance(out["p"], P) and out["p"].b is None
    assert out["y"].dtype == np.float32


def test_missing_feed_names_placeholder_and_path():
    x = tf.placeholder(tf.float32, [None, 784], name="x-input")
    y = tf.identity(x * 2.0, name="out")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(y)
    msg = str(e.value)
    assert "x-input" in msg and "[?,784]" in msg and "out" in msg


def test_wrong_feed_shape_explains_dimensions():
    x = tf.placeholder(tf.float32, [None, 784])
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"2352 = 784\*3"):
            sess.run(x, {x: np.zeros((2, 2352), np.float32)})


def test_lossy_feed_dtype_is_rejected():
    x = tf.placeholder(tf.int32, [2])
    with tf.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(x, {x: np.array([1.5, 2.5])})
        assert sess.run(x, {x: [1, 2]}).dtype == np.int32


def test_fetch_from_other_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(c)


def test_closed_session_raises():
    c = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)


def test_eval_and_default_session():
    c = tf.constant(3.0) * 2.0
    with pytest.raises(ValueError, match="No default session"):
        c.eval()
    with tf.Session():
        assert c.eval() == 6.0
    sess = tf.InteractiveSession()
    try:
        assert c.eval() == 6.0
    finally:
        sess.close()


def test_feed_any_tensor_and_string_keys():
    a = tf.constant(1.0, name="a")
    b = a * 10.0
    with tf.Session() as sess:
        assert sess.run(b, {a: 2.0}) == 20.0
        assert sess.run("mul:0", {"a:0": 3.0}) == 30.0


def test_explicit_gpu_device_without_soft_placement():
    with tf.device("/gpu:0"):
        c = tf.constant(1.0) * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="allow_soft_placement"):
            sess.run(c)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(c) == 2.0


def test_fetches_never_alias_feeds_or_constants():
    p = tf.placeholder(tf.float32, [6])
    c = tf.constant([1.0, 2.0])
    a = np.arange(6, dtype=np.float32)
    with tf.Session() as sess:
        outs = [sess.run(tf.reshape(p, [2, 3]), {p: a}), sess.run(tf.identity(p), {p: a}),
                sess.run(p, {p: a})]
        const = sess.run(c)
        const += 5
        a[0] = 100
        assert [float(o.reshape(-1)[0]) for o in outs] == [0.0, 0.0, 0.0]
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])
        assert isinstance(sess.run(tf.constant(3.0)), np.float32)


def test_partial_run_runs_each_step_once():
    a = tf.placeholder(tf.float32, shape=[])
    b = tf.placeholder(tf.float32, shape=[])
    c = tf.placeholder(tf.float32, shape=[])
    r1 = tf.add(a, b)
    r2 = tf.multiply(r1, c)
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        res = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        res = sess.partial_run(h, r2, feed_dict={c: res})
    assert res == 9.0


def test_tensor_repr_is_tf1_form():
    t = tf.constant([1.0, 2.0]) * 2.0
    assert repr(t) == 'Tensor("mul:0", shape=(2,), dtype=float32)'
