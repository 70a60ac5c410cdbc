"""Bad input to autodiff and optimizers: each a TF error class whose message names the culprit."""
import numpy as np
import pytest

import tensorweave as tf


def test_gradients_of_integer_tensor_is_a_clear_type_error():
    x = tf.Variable(3, name="count")
    y = tf.multiply(x, 2, name="doubled")
    with pytest.raises(TypeError) as e:
        tf.gradients(y, x)
    assert "doubled" in str(e.value) and "int32" in str(e.value) and "tf.cast" in str(e.value)


def test_minimize_integer_loss_names_the_op():
    x = tf.Variable(3.0, name="w")
    loss = tf.cast(x, tf.int32, name="int_loss")
    with pytest.raises(ValueError, match="int_loss"):
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)


def test_minimize_without_trainable_variables():
    x = tf.placeholder(tf.float32, [3], name="x")
    tf.Variable(1.0, trainable=False, name="frozen")
    loss = tf.reduce_sum(x * x, name="loss")
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.AdamOptimizer().minimize(loss)


def test_minimize_with_no_path_to_variables():
    w = tf.Variable([1.0, 2.0], name="w")
    x = tf.placeholder(tf.float32, [2], name="x")
    loss = tf.reduce_sum(x * x, name="loss")
    with pytest.raises(ValueError, match="No gradients provided for any variable") as e:
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[w])
    assert "w:0" in str(e.value)


def test_apply_gradients_with_wrong_shape_names_variable():
    w = tf.Variable(np.zeros((3, 2), np.float32), name="weights")
    g = tf.constant(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError) as e:
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(g, w)])
    assert "weights" in str(e.value) and "(2, 3)" in str(e.value)


def test_nan_loss_caught_by_check_numerics():
    w = tf.Variable(-1.0, name="w")
    loss = tf.check_numerics(tf.log(w), "loss is not finite")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run([train, loss])
    assert "loss is not finite" in str(e.value) and "NaN" in str(e.value)


def test_uninitialized_adam_slots_explain_initializer_order():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    init = tf.global_variables_initializer()
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(init)
        with pytest.raises(tf.errors.FailedPreconditionError) as e:
            sess.run(train)
    msg = str(e.value)
    assert "w/Adam" in msg or "beta1_power" in msg
    assert "after" in msg


def test_global_step_increments_once_per_applied_step():
    w = tf.Variable([1.0, 2.0], name="w")
    gs = tf.train.get_or_create_global_step()
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(w * w), global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train)
        assert sess.run(gs) == 5
        assert tf.train.global_step(sess, gs) == 5
