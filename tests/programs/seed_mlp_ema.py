# The second program of seed 001 (hidden layer of 500, moving averages of the weights,
# exponentially decayed learning rate, L2 regularization, sparse softmax cross entropy,
# tf.group(train_step, variables_averages_op), tf.app.run). Only the line breaks (lost in the
# seed text) and the data path are restored; TRAIN_STEPS may shorten the run for CI.
# Run: python -m tensorweave run seed_mlp_ema.py   (MNIST_DIR defaults to the shared split)
import os

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

batch_size = 100
input_nodes = 784  # input nodes
output_nodes = 10  # output nodes
layer1_nodes = 500  # hidden nodes
learning_rate = 0.1
learning_rate_decay = 0.99
regularizer_rate = 0.0001
train_steps = int(os.environ.get("TRAIN_STEPS", 30000))
moving_average_decay = 0.99


def inference(input_tensor, avg_class, weight_1, bias_1, weight_2, bias_2):
    if avg_class is None:
        layer_1 = tf.nn.relu(tf.matmul(input_tensor, weight_1) + bias_1)
        return tf.matmul(layer_1, weight_2) + bias_2
    else:
        layer_1 = tf.nn.relu(tf.matmul(input_tensor, avg_class.average(weight_1)) +
                             avg_class.average(bias_1))
        return tf.matmul(layer_1, avg_class.average(weight_2)) + avg_class.average(bias_2)


def inference_update(input_tensor, reuse=False):
    with tf.variable_scope('layer1', reuse=reuse):
        weight_1 = tf.get_variable(name='weight_1', dtype=tf.float32,
                                   initializer=tf.random_normal(shape=[input_nodes, output_nodes],
                                                                mean=0, stddev=1),
                                   trainable=True)
        bias_1 = tf.get_variable(name='bias_1', dtype=tf.float32,
                                 initializer=tf.constant(value=0.01, shape=[layer1_nodes]))
        layer_1 = tf.nn.relu(tf.matmul(input_tensor, weight_1) + bias_1)
    with tf.variable_scope('layer2', reuse=reuse):
        weight_2 = tf.get_variable(name='weight_2',
                                   initializer=tf.random_normal(shape=[layer1_nodes, output_nodes],
                                                                mean=0, stddev=1),
                                   dtype=tf.float32, trainable=True)
        bias_2 = tf.get_variable(name='bias_2', initializer=tf.constant(0.01,
                                                                        shape=[output_nodes]),
                                 dtype=tf.float32)
        layer_2 = tf.matmul(layer_1, weight_2) + bias_2
    return layer_2


def train(mnist):
    x = tf.placeholder(dtype=tf.float32, shape=[None, input_nodes], name='x-input')
    y_ = tf.placeholder(dtype=tf.float32, shape=[None, output_nodes], name='y-input')
    weight_1 = tf.Variable(tf.random_normal(shape=[input_nodes, layer1_nodes], mean=0, stddev=0.1),
                           dtype=tf.float32, name='weight1', trainable=True)
    weight_2 = tf.Variable(tf.random_normal(shape=[layer1_nodes, output_nodes], mean=0,
                                            stddev=0.1),
                           dtype=tf.float32, name='weight2', trainable=True)
    bias_1 = tf.Variable(tf.constant(value=0.1, shape=[layer1_nodes]), trainable=True)
    bias_2 = tf.Variable(tf.constant(value=0.1, shape=[output_nodes]), trainable=True)
    y = inference(input_tensor=x, avg_class=None, weight_1=weight_1, bias_1=bias_1,
                  weight_2=weight_2, bias_2=bias_2)
    global_step = tf.Variable(initial_value=0, trainable=False)
    variable_average = tf.train.ExponentialMovingAverage(decay=moving_average_decay,
                                                         num_updates=global_step)
    variable_averages_op = variable_average.apply(tf.trainable_variables())
    average_y = inference(input_tensor=x, avg_class=variable_average, weight_1=weight_1,
                          bias_1=bias_1, weight_2=weight_2, bias_2=bias_2)
    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(logits=y,
                                                                   labels=tf.arg_max(y_, 1))
    cross_entropy_mean = tf.reduce_mean(cross_entropy)
    regularizer_L2 = tf.contrib.layers.l2_regularizer(regularizer_rate)
    loss_function = cross_entropy_mean + regularizer_L2(weight_1) + regularizer_L2(weight_2)
    learning_rate_adjust = tf.train.exponential_decay(
        learning_rate=learning_rate, global_step=global_step,
        decay_steps=mnist.train.num_examples / batch_size, decay_rate=learning_rate_decay)
    train_step = tf.train.GradientDescentOptimizer(learning_rate=learning_rate_adjust).minimize(
        loss_function, global_step=global_step)
    train_op = tf.group(train_step, variable_averages_op)
    correct_prediction = tf.equal(tf.arg_max(average_y, dimension=1), tf.arg_max(y_, 1))
    accurancy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        validate_feed = {x: mnist.validation.images, y_: mnist.validation.labels}
        test_feed = {x: mnist.test.images, y_: mnist.test.labels}
        for i_count in range(train_steps):
            xs, ys = mnist.train.next_batch(batch_size)
            sess.run(train_op, feed_dict={x: xs, y_: ys})
            if i_count % 500 == 0:
                validate_acc = sess.run(accurancy, feed_dict=validate_feed)
                print("After {} step(s) training the model accurancy is {}".format(
                    i_count, validate_acc))
        test_acc = sess.run(accurancy, feed_dict=test_feed)
        print("After {} steps the model accuracy is {}".format(train_steps, test_acc))


def main(argv=None):
    data_path = os.environ.get("MNIST_DIR", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data",
        "mnist-split"))
    mnist = input_data.read_data_sets(data_path, one_hot=True)
    train(mnist)


if __name__ == "__main__":
    tf.app.run()
