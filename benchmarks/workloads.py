"""Benchmark workloads written once against the TF1 API; `tf` is tensorweave or TF compat.v1.

Each workload builds its graph and returns (step, steps_hint): step() runs one training or
inference step; the runner times many of them.
"""
import numpy as np


def _mnist_like(rng, batch):
    x = rng.random((batch, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return x, y


def trivial(tf):
    c = tf.constant(1.0) + tf.constant(2.0)
    sess = tf.Session()
    return lambda: sess.run(c), 20000


def softmax(tf):
    """Seed 001's softmax regression step (784->10, batch 100, GD 0.5)."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    w = tf.Variable(tf.random_normal([784, 10], stddev=0.1))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, w) + b)
    loss = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), axis=1))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    bx, by = _mnist_like(rng, 100)
    feed = {x: bx, y_: by}
    return lambda: sess.run(train, feed), 2000


def mlp(tf):
    """784-500-10 ReLU MLP, batch 100, softmax cross entropy, GD."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    w1 = tf.Variable(tf.truncated_normal([784, 500], stddev=0.1))
    b1 = tf.Variable(tf.constant(0.1, shape=[500]))
    w2 = tf.Variable(tf.truncated_normal([500, 10], stddev=0.1))
    b2 = tf.Variable(tf.constant(0.1, shape=[10]))
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(h, w2) + b2
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    bx, by = _mnist_like(rng, 100)
    feed = {x: bx, y_: by}
    return lambda: sess.run(train, feed), 500


def cnn(tf):
    """The seed 000 CNN (2 conv 5x5 + max pools + fc), batch 50, Adam 1e-4."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])

    def wv(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bv(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))

    def conv(a, w):
        return tf.nn.conv2d(a, w, strides=[1, 1, 1, 1], padding="SAME")

    def pool(a):
        return tf.nn.max_pool(a, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    xi = tf.reshape(x, [-1, 28, 28, 1])
    h1 = pool(tf.nn.relu(conv(xi, wv([5, 5, 1, 32])) + bv([32])))
    h2 = pool(tf.nn.relu(conv(h1, wv([5, 5, 32, 64])) + bv([64])))
    flat = tf.reshape(h2, [-1, 7 * 7 * 64])
    logits = tf.nn.relu(tf.matmul(flat, wv([7 * 7 * 64, 10])) + bv([10]))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(1e-4).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    bx, by = _mnist_like(rng, 50)
    feed = {x: bx, y: by}
    return lambda: sess.run(train, feed), 60


def vgg16_forward(tf):
    """Seed 002's VGG16 built with variable_scope/get_variable, forward at 32x32, batch 8."""
    rng = np.random.default_rng(0)

    def layer(a, cin, cout, name):
        with tf.variable_scope(name):
            w = tf.get_variable("weight", [3, 3, cin, cout],
                                initializer=tf.truncated_normal_initializer(stddev=0.1))
            b = tf.get_variable("bias", [cout], initializer=tf.constant_initializer(0))
            return tf.nn.relu(tf.nn.bias_add(
                tf.nn.conv2d(a, w, strides=[1, 1, 1, 1], padding="SAME"), b))

    def pool(a):
        return tf.nn.max_pool(a, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    x = tf.placeholder(tf.float32, [None, 32, 32, 3])
    a = x
    cin = 3
    for block, (n, cout) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]):
        for i in range(n):
            a = layer(a, cin, cout, "conv%d_%d" % (block + 1, i + 1))
            cin = cout
        a = pool(a)
    flat = tf.reshape(a, [-1, 512])
    with tf.variable_scope("fc"):
        w = tf.get_variable("weight", [512, 10])
        out = tf.matmul(flat, w)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: rng.random((8, 32, 32, 3), dtype=np.float32)}
    return lambda: sess.run(out, feed), 20


def build_10k(tf):
    """Graph construction: 10,000 ops (a chain of adds) in a fresh graph per step."""
    def step():
        g = tf.Graph()
        with g.as_default():
            a = tf.constant(1.0)
            for _ in range(4999):
                a = a + 1.0
    return step, 3


WORKLOADS = {"trivial": trivial, "softmax": softmax, "mlp": mlp, "cnn": cnn,
             "vgg16_forward": vgg16_forward, "build_10k": build_10k}
