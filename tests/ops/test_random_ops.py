"""Random ops: seeds as TF computes them, distributions, reproducibility, shapes."""
import numpy as np
import pytest

import tensorweave as tf


def test_seed_attrs():
    a = tf.random_uniform([2, 3])
    assert (a.op.get_attr("seed"), a.op.get_attr("seed2")) == (0, 0)
    b = tf.random_uniform([2], seed=5)
    assert (b.op.get_attr("seed"), b.op.get_attr("seed2")) == (87654321, 5)
    tf.set_random_seed(7)
    c = tf.random_normal([2])
    d = tf.random_uniform([2], seed=3)
    e = tf.random.categorical(tf.zeros([1, 3]), 2)
    rsn = tf.get_default_graph().get_operation_by_name("random_normal/RandomStandardNormal")
    assert (rsn.get_attr("seed"), rsn.get_attr("seed2"), d.op.get_attr("seed2")) == (7, 0, 3)
    assert c.name == "random_normal:0"
    assert e.op.get_attr("seed") == 7 and e.op.get_attr("seed2") == 1
    assert tf.get_default_graph().seed == 7
    assert tf.get_seed(None) == (7, 2)
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, 2 ** 31 - 1)


def test_names_and_shapes():
    assert tf.random_uniform([2, 3], seed=1).name == "random_uniform/RandomUniform:0"
    assert tf.random_uniform([4], 0, 10, dtype=tf.int32).name == "random_uniform_1:0"
    x = tf.placeholder(tf.float32, [None, 3])
    r = tf.random_normal(tf.shape(x), stddev=2.0)
    assert r.name == "random_normal:0" and r.shape.as_list() == [None, 3]
    assert tf.truncated_normal([3, 2]).shape.as_list() == [3, 2]
    m = tf.multinomial(x, 4)
    assert m.name == "multinomial/Multinomial:0" and m.shape.as_list() == [None, 4]
    assert m.dtype == tf.int64
    assert tf.random_shuffle(x).shape.as_list() == [None, 3]
    with pytest.raises(ValueError):
        tf.random_uniform([2], dtype=tf.int32)


def test_distributions_and_reproducibility():
    tf.set_random_seed(1)
    u = tf.random_uniform([20000], -2.0, 3.0)
    n = tf.random_normal([20000], mean=1.0, stddev=2.0, dtype=tf.float64)
    t = tf.truncated_normal([20000], stddev=0.5)
    i = tf.random_uniform([20000], 3, 7, dtype=tf.int64)
    with tf.Session() as s:
        uv, nv, tv, iv = s.run([u, n, t, i])
        uv2 = s.run(u)
    assert uv.dtype == np.float32 and nv.dtype == np.float64 and iv.dtype == np.int64
    assert uv.min() >= -2 and uv.max() < 3 and abs(uv.mean() - 0.5) < 0.05
    assert abs(nv.mean() - 1) < 0.06 and abs(nv.std() - 2) < 0.06
    assert np.abs(tv).max() <= 1.0 and abs(tv.std() - 0.5 * 0.8796) < 0.02
    assert set(np.unique(iv)) == {3, 4, 5, 6}
    assert not np.array_equal(uv, uv2)
    with tf.Session() as s:
        again = s.run([u, n])
    np.testing.assert_array_equal(again[0], uv)
    np.testing.assert_array_equal(again[1], nv)


def test_shuffle_multinomial_crop_gamma():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    logits = np.log(np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]], np.float32) + 1e-30)
    with tf.Session() as s:
        sh = s.run(tf.random_shuffle(x, seed=1))
        mn = s.run(tf.multinomial(logits, 1000, seed=2))
        cr = s.run(tf.random_crop(np.arange(20).reshape(4, 5), [2, 3], seed=3))
        g = s.run(tf.random_gamma([5000], 2.0, seed=4))
    assert sorted(sh[:, 0].tolist()) == x[:, 0].tolist()
    assert np.all(mn[0] == 1) and set(np.unique(mn[1])) == {0, 2}
    assert cr.shape == (2, 3) and np.all(np.diff(cr, axis=1) == 1)
    assert abs(g.mean() - 2.0) < 0.1
