"""tf.contrib.layers / slim: names, arg_scope, batch_norm updates, seed §4.4 network trains."""
import numpy as np
import pytest

import tensorweave as tf

slim = tf.contrib.slim


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_slim_conv_fc_names_and_numbers():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    net = slim.conv2d(x, 4, 3, stride=2, activation_fn=tf.nn.relu, scope="conv1")
    net = tf.nn.max_pool(net, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    flat = slim.flatten(net)
    y = slim.fully_connected(flat, 3, activation_fn=None, scope="full", reuse=False)
    names = [v.name for v in tf.global_variables()]
    assert names == ["conv1/weights:0", "conv1/biases:0", "full/weights:0", "full/biases:0"]
    assert slim.get_model_variables() == tf.global_variables()
    assert slim.get_variables("full") == tf.global_variables()[2:]
    assert flat.op.name == "Flatten/flatten/Reshape" and y.op.name == "full/BiasAdd"
    assert net.get_shape().as_list() == [None, 2, 2, 4]
    xv = np.random.RandomState(0).randn(2, 8, 8, 1).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        fv, w, b, yv = s.run([flat, tf.global_variables()[2], tf.global_variables()[3], y],
                             {x: xv})
    np.testing.assert_allclose(yv, fv @ w + b, rtol=1e-5, atol=1e-6)
    tf.contrib.layers.fully_connected(flat, 3, scope="full", reuse=True)
    assert len(tf.global_variables()) == 4
    z = tf.contrib.layers.fully_connected(flat, 2)
    assert z.op.name == "fully_connected/Relu"


def test_arg_scope_and_repeat_stack():
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.tanh,
                        weights_regularizer=slim.l2_regularizer(0.01)):
        with slim.arg_scope([slim.conv2d], padding="VALID"):
            a = slim.conv2d(x, 3, [3, 3], scope="c")
        b = slim.repeat(x, 2, slim.conv2d, 2, [3, 3], scope="rep")
        c = slim.stack(slim.flatten(x), slim.fully_connected, [5, 4], scope="fc")
    assert a.get_shape().as_list() == [None, 6, 6, 3] and a.op.type == "Tanh"
    assert b.get_shape().as_list() == [None, 8, 8, 2]
    assert c.get_shape().as_list() == [None, 4]
    names = [v.op.name for v in tf.global_variables()]
    assert "rep/rep_2/weights" in names and "fc/fc_1/weights" in names
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 5
    with pytest.raises(ValueError), slim.arg_scope([tf.nn.relu], x=1):
        pass


def test_contrib_batch_norm_defaults_and_updates():
    rs = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.contrib.layers.batch_norm(x)
    y2 = tf.contrib.layers.batch_norm(y, scale=True, is_training=False)
    names = [v.name for v in tf.global_variables()]
    assert names == ["BatchNorm/beta:0", "BatchNorm/moving_mean:0",
                     "BatchNorm/moving_variance:0", "BatchNorm_1/beta:0", "BatchNorm_1/gamma:0",
                     "BatchNorm_1/moving_mean:0", "BatchNorm_1/moving_variance:0"]
    ups = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(ups) == 2
    xv = (rs.randn(32, 4) * 3 + 2).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        yv, y2v = s.run([y, y2], {x: xv})
        np.testing.assert_allclose(yv, (xv - xv.mean(0)) / np.sqrt(xv.var(0) + 1e-3),
                                   rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(y2v, yv / np.sqrt(1 + 1e-3), rtol=1e-4, atol=1e-5)
        s.run(ups, {x: xv})
        mm, mv = s.run(tf.global_variables()[1:3])
        np.testing.assert_allclose(mm, 0.001 * xv.mean(0), rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(mv, 0.999 + 0.001 * xv.var(0, ddof=1), rtol=1e-4)
    z = tf.contrib.layers.batch_norm(x, updates_collections=None, is_training=True,
                                     scope="inplace")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(z, {x: xv})
        mm = s.run(tf.get_default_graph().get_tensor_by_name("inplace/moving_mean:0"))
        np.testing.assert_allclose(mm, 0.001 * xv.mean(0), rtol=1e-3, atol=1e-6)


def test_seed_batchnorm_network_trains():
    """Seed 000 §4.4: slim.fully_connected + contrib batch_norm stack trains (loss falls)."""
    rs = np.random.RandomState(0)
    tf.set_random_seed(1)
    xs = rs.rand(256, 2).astype(np.float32)
    labels = np.stack([xs[:, 0] > xs[:, 1], xs[:, 0] + xs[:, 1] > 1,
                       xs[:, 0] > 0.5], 1).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 2])
    label = tf.placeholder(tf.float32, [None, 3])
    net = slim.fully_connected(x, 4, activation_fn=tf.nn.sigmoid, scope="full1", reuse=False)
    net = tf.contrib.layers.batch_norm(net)
    net = slim.fully_connected(net, 8, activation_fn=tf.nn.sigmoid, scope="full2", reuse=False)
    net = tf.contrib.layers.batch_norm(net)
    net = slim.fully_connected(net, 8, activation_fn=tf.nn.sigmoid, scope="full3", reuse=False)
    net = tf.contrib.layers.batch_norm(net)
    y = slim.fully_connected(net, 3, activation_fn=tf.nn.sigmoid, scope="full5", reuse=False)
    loss = tf.reduce_mean(tf.square(y - label))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        first = s.run(loss, {x: xs, label: labels})
        for _ in range(150):
            s.run(train, {x: xs, label: labels})
        last = s.run(loss, {x: xs, label: labels})
        mm = s.run(tf.get_default_graph().get_tensor_by_name("BatchNorm/moving_mean:0"))
    assert last < 0.6 * first, (first, last)
    assert np.all(mm != 0)


def test_other_contrib_layers():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    p = tf.contrib.layers.max_pool2d(x, 2)
    a = tf.contrib.layers.avg_pool2d(x, [2, 2], stride=2)
    d = tf.contrib.layers.dropout(x, keep_prob=0.5, is_training=False)
    ln = tf.contrib.layers.layer_norm(x)
    ct = tf.contrib.layers.conv2d_transpose(x, 2, 3, stride=2)
    oh = tf.contrib.layers.one_hot_encoding(tf.constant([0, 2]), 3)
    assert p.op.name == "MaxPool2D/MaxPool" and a.op.name == "AvgPool2D/AvgPool"
    assert p.get_shape().as_list() == [None, 4, 4, 3]
    assert ct.get_shape().as_list() == [None, 16, 16, 2]
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["LayerNorm/beta", "LayerNorm/gamma", "Conv2d_transpose/weights",
                     "Conv2d_transpose/biases"]
    xv = np.random.RandomState(4).randn(2, 8, 8, 3).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        dv, lv, ohv = s.run([d, ln, oh], {x: xv})
    np.testing.assert_allclose(dv, xv)
    flat = xv.reshape(2, -1)
    ref = (flat - flat.mean(1, keepdims=True)) / np.sqrt(flat.var(1, keepdims=True) + 1e-12)
    np.testing.assert_allclose(lv.reshape(2, -1), ref, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ohv, [[1, 0, 0], [0, 0, 1]])
    xi = tf.contrib.layers.xavier_initializer()
    assert xi is not None and tf.contrib.layers.variance_scaling_initializer() is not None
