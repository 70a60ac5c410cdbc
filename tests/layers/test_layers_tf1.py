"""tf.layers: TF1 variable/op names, numbers vs NumPy, regularizers, reuse, batch norm."""
import numpy as np
import pytest

import tensorweave as tf


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_dense_names_and_numbers():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    h = tf.layers.dense(x, 3, activation=tf.nn.relu,
                        kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    y = tf.layers.dense(h, 2)
    names = [v.name for v in tf.global_variables()]
    # NOTE: names as TF1 tf.layers (recorded from tf.compat.v1.layers with tf_keras 2.21).
    assert names == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert h.op.name == "dense/Relu" and y.op.name == "dense_1/BiasAdd"
    assert h.op.inputs[0].op.name == "dense/BiasAdd"
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    assert len(tf.trainable_variables()) == 4
    xv = np.random.RandomState(0).randn(5, 4).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        k1, b1, k2, b2, out, reg = s.run(tf.global_variables() + [
            y, tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)[0]], {x: xv})
    ref = np.maximum(xv @ k1 + b1, 0) @ k2 + b2
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(reg, 0.1 * np.sum(k1 ** 2) / 2, rtol=1e-5)


def test_dense_reuse_and_scopes():
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.layers.dense(x, 3, name="fc")
    b = tf.layers.dense(x, 3, name="fc", reuse=True)
    assert len(tf.global_variables()) == 2
    with tf.variable_scope("model"):
        tf.layers.dense(x, 2)
    with tf.variable_scope("model", reuse=True):
        tf.layers.dense(x, 2)
    assert [v.name for v in tf.global_variables()][2:] == ["model/dense/kernel:0",
                                                           "model/dense/bias:0"]
    with pytest.raises(ValueError):
        tf.layers.dense(x, 3, name="fc")
    layer = tf.layers.Dense(5)
    layer(x)
    layer(x)
    assert len(layer.trainable_variables) == 2 and a.op.name == "fc/BiasAdd"
    assert b.op.name.startswith("fc_1/") or b.op.name.startswith("fc/")


def test_conv_pool_flatten_dropout_numbers():
    rs = np.random.RandomState(1)
    img = tf.placeholder(tf.float32, [None, 6, 6, 2], name="img")
    c = tf.layers.conv2d(img, 3, 3, padding="same", activation=tf.nn.relu)
    p = tf.layers.max_pooling2d(c, 2, 2)
    a = tf.layers.average_pooling2d(c, 2, 2)
    f = tf.layers.flatten(p)
    d0 = tf.layers.dropout(f, 0.5, training=False)
    d1 = tf.layers.dropout(f, 0.5, training=True)
    assert [v.name for v in tf.global_variables()] == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert c.op.name == "conv2d/Relu" and c.op.inputs[0].op.inputs[0].op.type == "Conv2D"
    assert p.op.name == "max_pooling2d/MaxPool" and a.op.name == "average_pooling2d/AvgPool"
    assert f.get_shape().as_list() == [None, 27]
    xv = rs.randn(2, 6, 6, 2).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        k, b = s.run(tf.global_variables())
        cv, pv, av, fv, d0v, d1v = s.run([c, p, a, f, d0, d1], {img: xv})
    xp = np.pad(xv, ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref = np.zeros((2, 6, 6, 3), np.float32)
    for i in range(6):
        for j in range(6):
            ref[:, i, j] = np.einsum("nhwc,hwcd->nd", xp[:, i:i + 3, j:j + 3], k)
    ref = np.maximum(ref + b, 0)
    np.testing.assert_allclose(cv, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pv, ref.reshape(2, 3, 2, 3, 2, 3).max((2, 4)),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(av, ref.reshape(2, 3, 2, 3, 2, 3).mean((2, 4)), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(fv, pv.reshape(2, -1))
    np.testing.assert_allclose(d0v, fv)
    kept = d1v != 0
    np.testing.assert_allclose(d1v[kept], 2 * fv[kept], rtol=1e-6)


def test_other_convs_shapes_and_names():
    img = tf.placeholder(tf.float32, [None, 8, 8, 3])
    ct = tf.layers.conv2d_transpose(img, 2, 3, strides=2)
    sc = tf.layers.separable_conv2d(img, 2, 3)
    c1 = tf.layers.conv1d(tf.placeholder(tf.float32, [None, 10, 3]), 2, 3)
    c3 = tf.layers.conv3d(tf.placeholder(tf.float32, [None, 4, 4, 4, 1]), 2, 3)
    p1 = tf.layers.max_pooling1d(tf.placeholder(tf.float32, [None, 10, 3]), 2, 2)
    assert ct.get_shape().as_list() == [None, 17, 17, 2]
    assert sc.get_shape().as_list() == [None, 6, 6, 2]
    assert c1.get_shape().as_list() == [None, 8, 2]
    assert c3.get_shape().as_list() == [None, 2, 2, 2, 2]
    assert p1.get_shape().as_list() == [None, 5, 3]
    names = [v.name for v in tf.global_variables()]
    assert names == ["conv2d_transpose/kernel:0", "conv2d_transpose/bias:0",
                     "separable_conv2d/depthwise_kernel:0",
                     "separable_conv2d/pointwise_kernel:0", "separable_conv2d/bias:0",
                     "conv1d/kernel:0", "conv1d/bias:0", "conv3d/kernel:0", "conv3d/bias:0"]
    assert tf.global_variables()[0].get_shape().as_list() == [3, 3, 2, 3]


@pytest.mark.parametrize("shape", [(16, 3), (8, 2, 2, 3)])
def test_batch_normalization_update_ops(shape):
    rs = np.random.RandomState(2)
    x = tf.placeholder(tf.float32, [None] + list(shape[1:]))
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training, momentum=0.9)
    names = [v.name for v in tf.global_variables()]
    assert names == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                     "batch_normalization/moving_mean:0",
                     "batch_normalization/moving_variance:0"]
    assert len(tf.trainable_variables()) == 2
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    loss = tf.reduce_sum(y * y)
    with tf.control_dependencies(updates):
        train = tf.train.GradientDescentOptimizer(0.0).minimize(loss)
    xv = (rs.randn(*shape) * 2 + 1).astype(np.float32)
    red = tuple(range(len(shape) - 1))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        yt = s.run(y, {x: xv, training: True})
        mu, var = xv.mean(red), xv.var(red)
        np.testing.assert_allclose(yt, (xv - mu) / np.sqrt(var + 1e-3), rtol=1e-3, atol=1e-4)
        s.run(train, {x: xv, training: True})
        mm, mv = s.run(tf.global_variables()[2:])
        n = xv.size // shape[-1]
        bvar = var * n / (n - 1) if len(shape) == 4 else var
        np.testing.assert_allclose(mm, 0.1 * mu, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(mv, 0.9 + 0.1 * bvar, rtol=1e-4)
        yi = s.run(y, {x: xv, training: False})
        np.testing.assert_allclose(yi, (xv - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-4)
        s.run(y, {x: xv, training: False})
        np.testing.assert_allclose(s.run(tf.global_variables()[2]), mm)


def test_batch_normalization_python_bool():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.batch_normalization(x, training=False)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    tf.layers.batch_normalization(x, training=True)
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
    assert tf.global_variables()[4].name == "batch_normalization_1/gamma:0"
