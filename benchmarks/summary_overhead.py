"""Cost of writing merged summaries every step of the MLP benchmark (target: < 10%).

python benchmarks/summary_overhead.py [--backend tensorweave|tf] [--rounds N] [--steps N]

The 784-500-10 ReLU MLP of benchmarks/workloads.py (batch 100, GD) with the usual TF1
summaries, in two configurations: the loss and accuracy scalars alone, then the same plus
histograms of both weight matrices (392,000 values for w1), both biases and the hidden
activations, merged with merge_all. "plain" runs the train op; "summaries" fetches
the merged summary with the train op in the same Session.run and adds it to a FileWriter every
step (the writer's background thread does the file I/O). Rounds alternate between the two so
machine noise hits both; the median step time of each is reported.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def build(tf, histograms=True):
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
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("accuracy", acc)
    if histograms:
        for name, t in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2), ("hidden", h)):
            tf.summary.histogram(name, t)
    merged = tf.summary.merge_all()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    bx = rng.random((100, 784), dtype=np.float32)
    by = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 100)]
    return sess, train, merged, {x: bx, y_: by}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="tensorweave", choices=["tensorweave", "tf"])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    if args.backend == "tf":
        import tensorflow.compat.v1 as tf

        tf.disable_eager_execution()
    else:
        import tensorweave as tf
    for histograms in (False, True):
        with tf.Graph().as_default():
            measure(tf, args, histograms)


def measure(tf, args, histograms):
    sess, train, merged, feed = build(tf, histograms)
    logdir = tempfile.mkdtemp(prefix="summary_overhead_")
    writer = tf.summary.FileWriter(logdir, sess.graph)
    step = [0]

    def plain():
        sess.run(train, feed)

    def with_summaries():
        s, _ = sess.run([merged, train], feed)
        writer.add_summary(s, step[0])
        step[0] += 1

    for fn in (plain, with_summaries):  # warm up: plans, caches, BLAS threads
        for _ in range(10):
            fn()
    times = {"plain": [], "summaries": []}
    for _ in range(args.rounds):
        for key, fn in (("plain", plain), ("summaries", with_summaries)):
            t0 = time.perf_counter()
            for _ in range(args.steps):
                fn()
            times[key].append((time.perf_counter() - t0) / args.steps)
    writer.close()
    p = statistics.median(times["plain"]) * 1e3
    s = statistics.median(times["summaries"]) * 1e3
    print("backend=%s  summaries=%s  plain %.3f ms/step  with summaries %.3f ms/step  "
          "overhead %+.1f%%" % (args.backend, "scalars+histograms" if histograms else "scalars",
                                p, s, 100.0 * (s - p) / p))


if __name__ == "__main__":
    main()
