"""Writes the real-TensorFlow fixture files under tests/data/tf_fixtures/.

Run with a Python that has TensorFlow (never needed by the tests themselves):

    /tmp/tfvenv/bin/python tests/data/tf_fixtures/make_fixtures.py

Everything is written in TF1 graph mode with fixed seeds. See README.md next to this file for
what each fixture holds and who uses it.
"""
import json
import os
import shutil

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

HERE = os.path.dirname(os.path.abspath(__file__))


def _fresh(name):
    path = os.path.join(HERE, name)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def make_checkpoint():
    """(a) a V2 checkpoint with several dtypes and Adam slots, after 2 training steps."""
    out = _fresh("checkpoint")
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        x = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3) / 10.0)
        y = tf.constant(np.array([[1.0], [0.0], [1.0], [0.0]], np.float32))
        w = tf.get_variable("dense/kernel", [3, 1], tf.float32,
                            initializer=tf.constant_initializer([[0.1], [-0.2], [0.3]]))
        b = tf.get_variable("dense/bias", [1], tf.float32, initializer=tf.zeros_initializer())
        emb = tf.get_variable("emb", [5, 4], tf.float32,
                              initializer=tf.random_normal_initializer(seed=3))
        tf.get_variable("scale64", [2], tf.float64, initializer=tf.constant_initializer(2.5))
        tf.get_variable("flag", [], tf.bool, initializer=tf.constant_initializer(True),
                        trainable=False)
        tf.get_variable("counts", [3], tf.int32,
                        initializer=tf.constant_initializer([7, -8, 9]), trainable=False)
        tf.get_variable("half", [2, 2], tf.float16, initializer=tf.constant_initializer(0.5),
                        trainable=False)
        tf.Variable(np.array([b"hello", b"", b"tensor\x00weave"], dtype=object),
                    name="names", trainable=False)
        gs = tf.train.get_or_create_global_step()
        logits = tf.matmul(x, w) + b + tf.reduce_sum(emb) * 0.01
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
        # NOTE: relative paths keep the committed `checkpoint` file valid in any checkout.
        saver = tf.train.Saver(save_relative_paths=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            sess.run(train)
            path = saver.save(sess, os.path.join(out, "model.ckpt"), global_step=2)
            values = {v.op.name: sess.run(v) for v in tf.global_variables()}
    expected = {}
    for name, val in values.items():
        val = np.asarray(val)
        if val.dtype == object:
            enc = [bytes(s).hex() for s in val.reshape(-1)]
        else:
            enc = val.reshape(-1).tolist()
            if val.dtype == np.float16:
                enc = [float(v) for v in enc]
        expected[name] = {"dtype": tf.as_dtype(val.dtype).name, "shape": list(val.shape),
                          "values": enc}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"prefix": os.path.basename(path), "keys": sorted(expected),
                   "tensors": expected}, f, indent=1, sort_keys=True)


def make_sharded_checkpoint():
    """(a2) a checkpoint saved with Saver(sharded=True) from variables on two CPU devices."""
    out = _fresh("sharded_checkpoint")
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="a")
            tf.Variable(np.int64(42), name="step")
        with tf.device("/cpu:1"):
            tf.Variable(np.array([1.5, -2.5]), name="b")
        saver = tf.train.Saver(sharded=True, save_relative_paths=True)
        config = tf.ConfigProto(device_count={"CPU": 2})
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, os.path.join(out, "model.ckpt"))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"prefix": os.path.basename(path),
                   "tensors": {"a": [[0, 1, 2], [3, 4, 5]], "step": 42, "b": [1.5, -2.5]}}, f)


def _example(i):
    return tf.train.Example(features=tf.train.Features(feature={
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"item%d" % i, b"\xff\x00"])),
        "score": tf.train.Feature(float_list=tf.train.FloatList(value=[i * 0.5, -1.25, 3e10])),
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=[i, -i, 2 ** 40 + i])),
    }))


def make_tfrecords():
    """(b) TFRecord files of tf.train.Examples, uncompressed and GZIP."""
    out = _fresh("tfrecord")
    expected = []
    for i in range(5):
        expected.append({"name": ["item%d" % i, "ff00"], "score": [i * 0.5, -1.25, 3e10],
                         "ids": [i, -i, 2 ** 40 + i]})
    for fname, comp in (("examples.tfrecord", None),
                        ("examples.tfrecord.gz", tf.python_io.TFRecordCompressionType.GZIP),
                        ("examples.tfrecord.zlib", tf.python_io.TFRecordCompressionType.ZLIB)):
        opts = tf.python_io.TFRecordOptions(comp) if comp is not None else None
        with tf.python_io.TFRecordWriter(os.path.join(out, fname), opts) as w:
            for i in range(5):
                w.write(_example(i).SerializeToString())
    seq = tf.train.SequenceExample()
    seq.context.feature["len"].int64_list.value.append(2)
    fl = seq.feature_lists.feature_list["tokens"]
    fl.feature.add().bytes_list.value.append(b"a")
    fl.feature.add().bytes_list.value.append(b"b")
    with open(os.path.join(out, "sequence_example.pb"), "wb") as f:
        f.write(seq.SerializeToString())
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"examples": expected,
                   "note": "name values: first is utf-8 text, second is hex of raw bytes"},
                  f, indent=1)


def make_events():
    """(c) an event file from tf.summary.FileWriter: graph, a scalar and a histogram."""
    out = _fresh("events")
    g = tf.Graph()
    with g.as_default():
        v = tf.placeholder(tf.float32, [None], name="values")
        s1 = tf.summary.scalar("loss", tf.reduce_mean(v))
        s2 = tf.summary.histogram("weights", v)
        merged = tf.summary.merge([s1, s2])
        writer = tf.summary.FileWriter(out, graph=g)
        with tf.Session() as sess:
            for step in range(3):
                vals = np.arange(10, dtype=np.float32) + step
                writer.add_summary(sess.run(merged, {v: vals}), global_step=step)
        writer.close()
    files = os.listdir(out)
    expected = {"file": files[0], "steps": [0, 1, 2],
                "loss": [float(np.mean(np.arange(10) + s)) for s in range(3)],
                "histogram_num": 10.0, "histogram_sum": [float(np.sum(np.arange(10) + s))
                                                         for s in range(3)]}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def make_frozen_graph():
    """(d) a frozen conv net GraphDef (binary) with an input and the expected output."""
    out = _fresh("frozen_graph")
    rng = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="input")
        k = tf.Variable(rng.randn(3, 3, 1, 4).astype(np.float32) * 0.5, name="conv/kernel")
        cb = tf.Variable(rng.randn(4).astype(np.float32) * 0.1, name="conv/bias")
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"), cb))
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        h = tf.reshape(h, [-1, 4 * 4 * 4])
        w = tf.Variable(rng.randn(64, 3).astype(np.float32) * 0.2, name="fc/kernel")
        tf.nn.softmax(tf.matmul(h, w), name="output")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            frozen = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(),
                                                                  ["output"])
            inp = rng.rand(2, 8, 8, 1).astype(np.float32)
            outp = sess.run("output:0", {x: inp})
    tf.io.write_graph(frozen, out, "frozen_convnet.pb", as_text=False)
    np.savez(os.path.join(out, "io.npz"), input=inp, output=outp)


def make_saved_model():
    """(e) a SavedModel of a small dense model with a serving_default predict signature."""
    base = _fresh("saved_model")
    export = os.path.join(base, "model")
    rng = np.random.RandomState(1)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        w = tf.Variable(rng.randn(4, 2).astype(np.float32), name="dense/kernel")
        b = tf.Variable(rng.randn(2).astype(np.float32), name="dense/bias")
        y = tf.nn.softmax(tf.matmul(x, w) + b, name="probs")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.saved_model.simple_save(sess, export, inputs={"x": x}, outputs={"probs": y})
            inp = rng.rand(3, 4).astype(np.float32)
            outp = sess.run(y, {x: inp})
    np.savez(os.path.join(base, "io.npz"), x=inp, probs=outp)


if __name__ == "__main__":
    make_checkpoint()
    make_sharded_checkpoint()
    make_tfrecords()
    make_events()
    make_frozen_graph()
    make_saved_model()
    print("fixtures written under", HERE)
