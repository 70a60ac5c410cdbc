"""Gradients of the nn ops against central differences (float64), via tests/gradient_check."""
import importlib.util
import os

import numpy as np
import pytest

import tensorweave as tf

_spec = importlib.util.spec_from_file_location(
    "tw_gradient_check", os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                      "gradient_check.py"))
_gc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_gc)
check_gradient = _gc.check_gradient

R = np.random.default_rng(7)


def rn(*shape):
    return R.standard_normal(shape)


def away_from_zero(*shape):
    v = rn(*shape)
    return np.where(np.abs(v) < 0.1, 0.3, v)


@pytest.mark.parametrize("fn", [tf.nn.relu, tf.nn.relu6, tf.nn.elu, tf.nn.selu, tf.nn.softplus,
                                tf.nn.softsign, tf.nn.leaky_relu, tf.nn.crelu])
def test_activation_grads(fn):
    x = away_from_zero(3, 4) * 3
    x = np.where(np.abs(x - 6) < 0.1, 5.5, x)
    check_gradient(fn, x, atol=1e-5)


def test_bias_add_grad():
    check_gradient(lambda x, b: tf.nn.bias_add(x, b), rn(2, 3, 4), rn(4))
    check_gradient(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"), rn(2, 3, 2, 2), rn(3))


def test_softmax_grads():
    check_gradient(tf.nn.softmax, rn(3, 5))
    check_gradient(lambda x: tf.nn.softmax(x, axis=0), rn(3, 5))
    check_gradient(tf.nn.log_softmax, rn(3, 5))


def test_xent_grads():
    labels = np.abs(rn(3, 4))
    labels /= labels.sum(1, keepdims=True)
    check_gradient(lambda lg, lb: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=lb, logits=lg), rn(3, 4), labels)
    check_gradient(lambda lg: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.array([0, 3, 1], np.int32), logits=lg), rn(3, 4))
    check_gradient(lambda lg, lb: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=lb, logits=lg), rn(3, 4), R.uniform(size=(3, 4)))
    check_gradient(lambda x: tf.nn.l2_loss(x), rn(3, 4))


def test_softmax_xent_v1_stops_label_gradient():
    lg = tf.placeholder(tf.float32, [2, 3])
    lb = tf.placeholder(tf.float32, [2, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=lb, logits=lg)
    assert tf.gradients(loss, lb)[0] is None
    loss2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg)
    assert tf.gradients(loss2, lb)[0] is not None


@pytest.mark.parametrize("padding,strides", [("SAME", 1), ("VALID", 2), ("SAME", 2)])
def test_conv2d_grad(padding, strides):
    check_gradient(lambda x, w: tf.nn.conv2d(x, w, [1, strides, strides, 1], padding),
                   rn(2, 5, 5, 2), rn(3, 3, 2, 3), atol=1e-5)


def test_conv2d_nchw_dilated_grad():
    check_gradient(lambda x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", data_format="NCHW"),
                   rn(1, 2, 4, 4), rn(2, 2, 2, 2), atol=1e-5)
    check_gradient(lambda x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID",
                                             dilations=[1, 2, 2, 1]),
                   rn(1, 5, 5, 2), rn(2, 2, 2, 2), atol=1e-5)


def test_conv_backprop_grads():
    check_gradient(lambda x, w: tf.nn.conv2d_transpose(x, w, [2, 6, 6, 2], [1, 2, 2, 1],
                                                       "SAME"),
                   rn(2, 3, 3, 3), rn(3, 3, 2, 3), atol=1e-5)


def test_depthwise_and_conv3d_grads():
    check_gradient(lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
                   rn(1, 4, 4, 2), rn(2, 2, 2, 2), atol=1e-5)
    check_gradient(lambda x, w: tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME"),
                   rn(1, 3, 3, 3, 2), rn(2, 2, 2, 2, 2), atol=1e-5)


def test_pool_grads():
    x = R.permutation(2 * 4 * 4 * 2).reshape(2, 4, 4, 2) * 0.1
    check_gradient(lambda v: tf.nn.max_pool(v, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), x)
    check_gradient(lambda v: tf.nn.max_pool(v, [1, 3, 3, 1], [1, 1, 1, 1], "SAME"), x)
    check_gradient(lambda v: tf.nn.avg_pool(v, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"), rn(2, 5, 5, 2))
    x3 = R.permutation(1 * 4 * 4 * 4 * 1).reshape(1, 4, 4, 4, 1) * 0.1
    check_gradient(lambda v: tf.nn.max_pool3d(v, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID"), x3)
    check_gradient(lambda v: tf.nn.avg_pool3d(v, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME"), x3)


def test_lrn_grad():
    # LRN is float32-only in TF: check through a float32 graph with a loose tolerance.
    x = R.standard_normal((1, 2, 2, 6)).astype(np.float32)
    xt = tf.placeholder(tf.float32, x.shape)
    y = tf.nn.lrn(xt, depth_radius=2, bias=1.0, alpha=0.5, beta=0.75)
    err = tf.test.compute_gradient_error(xt, x.shape, y, x.shape, x_init_value=x, delta=1e-2)
    assert err < 2e-2


def test_fused_batch_norm_grads():
    for training in (True, False):
        def f(x, s, o, training=training):
            m = tf.constant(np.zeros(3)) if not training else None
            v = tf.constant(np.ones(3) * 0.5) if not training else None
            return tf.nn.fused_batch_norm(x, s, o, mean=m, variance=v,
                                          is_training=training)[0]
        check_gradient(f, rn(2, 2, 2, 3), rn(3), rn(3), atol=1e-5)


def test_composite_grads():
    check_gradient(lambda x: tf.nn.l2_normalize(x, axis=1), rn(3, 4))
    check_gradient(lambda x: tf.nn.batch_normalization(x, *tf.nn.moments(x, [0]), None, None,
                                                       1e-3), rn(4, 3), atol=1e-5)
    check_gradient(lambda lg, lb: tf.nn.weighted_cross_entropy_with_logits(
        targets=lb, logits=lg, pos_weight=2.0), rn(3, 4), R.uniform(size=(3, 4)))


def test_second_order_relu():
    x = tf.placeholder(tf.float64, [5])
    y = tf.nn.relu(x) * x
    g = tf.gradients(y, x)[0]
    gg = tf.gradients(g, x)[0]
    with tf.Session() as s:
        v = np.array([-1.0, 2.0, -3.0, 4.0, 0.5])
        np.testing.assert_allclose(s.run(gg, {x: v}), np.where(v > 0, 2.0, 0.0))
