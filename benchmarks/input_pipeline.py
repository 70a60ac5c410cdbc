"""Input-pipeline throughput: PNG-decoding tf.data pipeline vs feed_dict, feeding the MLP.

    python benchmarks/input_pipeline.py [--steps N] [--rounds N] [--images N] [--tf]

Writes 28x28 grayscale PNGs as tf.train.Examples (image bytes + int64 label) into a TFRecord
file, then trains the 784-500-10 MLP of benchmarks/workloads.py twice:
  feed_dict: one pre-decoded batch of 100 fed every step (the workload's own loop);
  pipeline:  TFRecordDataset -> repeat -> map(parse + decode_png + scale + one_hot,
             num_parallel_calls=2) -> batch(100) -> prefetch(2) -> get_next.
Prints steps/s of both, images/s of the pipeline and the ratio pipeline/feed_dict.
`--tf` runs the same code on real TensorFlow (tensorflow.compat.v1) for comparison.
"""
import argparse
import io
import os
import tempfile
import time

import numpy as np


def _png_bytes(img):
    try:
        from PIL import Image
    except ImportError:  # e.g. the TF virtualenv: a plain zlib PNG (filter 0 rows)
        return _zlib_png(img)
    buf = io.BytesIO()
    Image.fromarray(img, mode="L").save(buf, format="PNG")
    return buf.getvalue()


def _zlib_png(img):
    import struct
    import zlib

    def chunk(typ, body):
        return (struct.pack(">I", len(body)) + typ + body +
                struct.pack(">I", zlib.crc32(typ + body) & 0xFFFFFFFF))

    h, w = img.shape
    raw = b"".join(b"\0" + img[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_records(tf, path, n, seed=0):
    rng = np.random.default_rng(seed)
    with tf.python_io.TFRecordWriter(path) as w:
        for _ in range(n):
            img = rng.integers(0, 256, (28, 28), dtype=np.uint8)
            ex = tf.train.Example(features=tf.train.Features(feature={
                "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[_png_bytes(img)])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(
                    value=[int(rng.integers(0, 10))])),
            }))
            w.write(ex.SerializeToString())


def mlp(tf, x, y_):
    w1 = tf.Variable(tf.truncated_normal([784, 500], stddev=0.1))
    b1 = tf.Variable(tf.constant(0.1, shape=[500]))
    w2 = tf.Variable(tf.truncated_normal([500, 10], stddev=0.1))
    b2 = tf.Variable(tf.constant(0.1, shape=[10]))
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(h, w2) + b2
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    return tf.train.GradientDescentOptimizer(0.1).minimize(loss)


def _parse(tf, serialized):
    f = tf.parse_single_example(serialized, {
        "image": tf.FixedLenFeature([], tf.string),
        "label": tf.FixedLenFeature([], tf.int64)})
    img = tf.io.decode_png(f["image"], channels=1)
    x = tf.cast(tf.reshape(img, [784]), tf.float32) * (1.0 / 255)
    y = tf.one_hot(f["label"], 10)
    return x, y


def _rate(step, steps):
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - t0)


def _config(tf, intra):
    if not intra:
        return None
    return tf.ConfigProto(intra_op_parallelism_threads=intra)


def build_feed(tf, intra=0):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        train = mlp(tf, x, y_)
        sess = tf.Session(config=_config(tf, intra))
        sess.run(tf.global_variables_initializer())
    rng = np.random.default_rng(0)
    bx = rng.random((100, 784), dtype=np.float32)
    by = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 100)]
    feed = {x: bx, y_: by}
    return sess, lambda: sess.run(train, feed)


def build_pipeline(tf, path, intra=0):
    g = tf.Graph()
    with g.as_default():
        ds = tf.data.TFRecordDataset([path]).repeat()
        ds = ds.map(lambda s: _parse(tf, s), num_parallel_calls=2).batch(100).prefetch(2)
        x, y_ = tf.data.make_one_shot_iterator(ds).get_next()
        train = mlp(tf, x, y_)
        sess = tf.Session(config=_config(tf, intra))
        sess.run(tf.global_variables_initializer())
    return sess, lambda: sess.run(train), lambda: sess.run(x.op)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--tf", action="store_true", help="run on real TensorFlow")
    ap.add_argument("--intra", type=int, default=0,
                    help="intra_op_parallelism_threads of both sessions (0: default)")
    args = ap.parse_args()
    if args.tf:
        import tensorflow.compat.v1 as tf

        tf.disable_eager_execution()
    else:
        import tensorweave as tf
    d = tempfile.mkdtemp(prefix="tw_input_bench_")
    path = os.path.join(d, "images.tfrecord")
    write_records(tf, path, args.images)
    fs, feed_step = build_feed(tf, args.intra)
    ps, pipe_step, input_only = build_pipeline(tf, path, args.intra)
    for _ in range(30):
        feed_step()
        pipe_step()
    # NOTE: alternate short windows of both loops so load drift on a shared machine hits both.
    feeds, pipes = [], []
    for _ in range(args.rounds):
        feeds.append(_rate(feed_step, args.steps))
        pipes.append(_rate(pipe_step, args.steps))
    inputs = [_rate(input_only, args.steps) for _ in range(3)]
    fs.close()
    ps.close()
    feed = float(np.median(feeds))
    pipe = float(np.median(pipes))
    ratios = [p / f for p, f in zip(pipes, feeds)]
    print("backend: %s" % ("tensorflow " + tf.__version__ if args.tf else "tensorweave"))
    print("feed_dict: %.1f steps/s (%.0f images/s) median of %d windows of %d steps" % (
        feed, feed * 100, args.rounds, args.steps))
    print("pipeline : %.1f steps/s (%.0f images/s decoded+trained)" % (pipe, pipe * 100))
    print("input only (get_next, no training): %.0f images/s" % (np.median(inputs) * 100))
    print("ratio pipeline/feed_dict: %.2f (median of per-window ratios %.2f; windows: %s)" % (
        pipe / feed, float(np.median(ratios)), " ".join("%.2f" % r for r in ratios)))
    try:
        print("load average: %.2f %.2f %.2f" % os.getloadavg())
    except OSError:
        pass


if __name__ == "__main__":
    main()
