"""Checks that real TensorFlow loads the files tensorweave writes (not collected by pytest).

    python tests/training/verify_ours_in_tf.py [--tf-python /tmp/tfvenv/bin/python]

Writes, with tensorweave: a checkpoint (several dtypes, Adam slots, a .meta with SaverDef and
collections), a sharded checkpoint, a frozen GraphDef of a small conv net, and a SavedModel
from simple_save; then runs a TF-only checker in TF's venv that restores/imports each one and
compares the values and outputs with the ones recorded here. Prints one line per check.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

TF_CHECKER = r'''
import json, os, sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
d = sys.argv[1]
exp = json.load(open(os.path.join(d, "expected.json")))
io = np.load(os.path.join(d, "io.npz"), allow_pickle=False)
res = {}

def check(name, fn):
    try:
        fn()
        res[name] = "ok"
    except Exception as e:  # report every failure
        res[name] = "FAIL: %s: %s" % (type(e).__name__, str(e)[:400])

def values_equal(got, spec, key):
    if spec["dtype"] == "string":
        want = [bytes.fromhex(h) for h in spec["values"]]
        assert [bytes(x) for x in np.asarray(got).reshape(-1)] == want, key
    else:
        got = np.asarray(got)
        assert got.dtype.name == spec["dtype"], (key, got.dtype, spec["dtype"])
        assert list(got.shape) == spec["shape"], key
        np.testing.assert_array_equal(got.reshape(-1), np.array(spec["values"], got.dtype), key)

def reader():
    r = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(os.path.join(d, "ckpt")))
    assert sorted(r.get_variable_to_shape_map()) == sorted(exp["ckpt"]), sorted(
        r.get_variable_to_shape_map())
    for k, spec in exp["ckpt"].items():
        values_equal(r.get_tensor(k), spec, k)

def meta_restore():
    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(os.path.join(d, "ckpt", "model-5.meta"))
        assert sorted(v.op.name for v in tf.global_variables()) == sorted(exp["ckpt"])
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(d, "ckpt", "model-5"))
            for v in tf.global_variables():
                values_equal(sess.run(v), exp["ckpt"][v.op.name], v.op.name)
            out = sess.run("out:0", {"x:0": io["x"]})
            np.testing.assert_allclose(out, io["out"], rtol=1e-5, atol=1e-6)

def sharded():
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable(np.zeros((2, 3), np.float32), name="a")
        b = tf.Variable(np.zeros(2), name="b")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, os.path.join(d, "sharded", "m"))
            np.testing.assert_array_equal(sess.run(a), np.arange(6).reshape(2, 3))
            np.testing.assert_array_equal(sess.run(b), [1.5, -2.5])

def frozen():
    gd = tf.GraphDef()
    gd.ParseFromString(open(os.path.join(d, "frozen.pb"), "rb").read())
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            out = sess.run("output:0", {"input:0": io["img"]})
    np.testing.assert_allclose(out, io["probs"], rtol=1e-5, atol=1e-6)

def saved_model():
    g = tf.Graph()
    with tf.Session(graph=g) as sess:
        mgd = tf.saved_model.loader.load(sess, ["serve"], os.path.join(d, "saved_model"))
        sig = mgd.signature_def["serving_default"]
        out = sess.run(sig.outputs["probs"].name, {sig.inputs["x"].name: io["sx"]})
    np.testing.assert_allclose(out, io["sprobs"], rtol=1e-5, atol=1e-6)

def graph_def_text():
    from google.protobuf import text_format
    gd = text_format.Parse(open(os.path.join(d, "graph.pbtxt")).read(), tf.GraphDef())
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        with tf.Session() as sess:
            out = sess.run("y:0", {"x:0": io["gx"]})
    np.testing.assert_allclose(out, io["gy"], rtol=1e-6)

for n, f in [("checkpoint values via NewCheckpointReader", reader),
             ("import_meta_graph + restore + run", meta_restore),
             ("sharded checkpoint restore", sharded),
             ("frozen GraphDef import + run", frozen),
             ("SavedModel loader.load + signature run", saved_model),
             ("text GraphDef import + run", graph_def_text)]:
    check(n, f)
print(json.dumps(res))
'''


def _spec(val):
    val = np.asarray(val)
    if val.dtype == object:
        return {"dtype": "string", "shape": list(val.shape),
                "values": [bytes(v).hex() for v in val.reshape(-1)]}
    import tensorweave as tf

    vals = val.reshape(-1).tolist()
    return {"dtype": tf.as_dtype(val.dtype).name, "shape": list(val.shape), "values": vals}


def write_files(d):
    import tensorweave as tf
    from tensorweave.compat.api import train_saver as train

    io = {}
    exp = {}
    rng = np.random.RandomState(0)
    # (1) checkpoint + meta graph after 2 Adam steps
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.get_variable("dense/kernel", initializer=rng.randn(3, 2).astype(np.float32))
        b = tf.get_variable("dense/bias", initializer=np.zeros(2, np.float32))
        tf.Variable(np.array([1.5, 2.5]), name="scale64")
        tf.Variable(np.array([True, False]), name="flag", trainable=False)
        tf.Variable(np.array([7, -8], np.int32), name="counts", trainable=False)
        tf.Variable(np.array([0.5, -1.0], np.float16), name="half", trainable=False)
        tf.Variable(np.array([b"hi", b"", b"a\x00b"], dtype=object), name="names",
                    trainable=False)
        gs = tf.train.get_or_create_global_step()
        out = tf.identity(tf.matmul(x, w) + b, name="out")
        loss = tf.reduce_mean(tf.square(out))
        step = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
        saver = train.Saver()
        xin = rng.rand(4, 3).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step, {x: xin})
            sess.run(step, {x: xin})
            saver.save(sess, os.path.join(d, "ckpt", "model"), global_step=5)
            exp["ckpt"] = {v.op.name: _spec(sess.run(v)) for v in tf.global_variables()}
            io["x"] = xin
            io["out"] = sess.run(out, {x: xin})
    # (2) sharded
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="a")
        tf.Variable(np.array([1.5, -2.5]), name="b")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            train.Saver(sharded=True).save(sess, os.path.join(d, "sharded", "m"))
    # (3) frozen conv net
    g = tf.Graph()
    with g.as_default():
        img = tf.placeholder(tf.float32, [None, 8, 8, 1], name="input")
        k = tf.Variable(rng.randn(3, 3, 1, 4).astype(np.float32) * 0.5, name="conv/kernel")
        cb = tf.Variable(rng.randn(4).astype(np.float32) * 0.1, name="conv/bias")
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(img, k, [1, 1, 1, 1], "SAME"), cb))
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        h = tf.reshape(h, [-1, 64])
        fw = tf.Variable(rng.randn(64, 3).astype(np.float32) * 0.2, name="fc/kernel")
        tf.nn.softmax(tf.matmul(h, fw), name="output")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            frozen = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(),
                                                                  ["output"])
            io["img"] = rng.rand(2, 8, 8, 1).astype(np.float32)
            io["probs"] = sess.run("output:0", {img: io["img"]})
        train.write_graph(frozen, d, "frozen.pb", as_text=False)
    # (4) SavedModel
    g = tf.Graph()
    with g.as_default():
        sx = tf.placeholder(tf.float32, [None, 4], name="x")
        sw = tf.Variable(rng.randn(4, 2).astype(np.float32), name="dense/kernel")
        sb = tf.Variable(rng.randn(2).astype(np.float32), name="dense/bias")
        sy = tf.nn.softmax(tf.matmul(sx, sw) + sb, name="probs")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.saved_model.simple_save(sess, os.path.join(d, "saved_model"), {"x": sx},
                                       {"probs": sy})
            io["sx"] = rng.rand(3, 4).astype(np.float32)
            io["sprobs"] = sess.run(sy, {sx: io["sx"]})
    # (5) a text GraphDef
    g = tf.Graph()
    with g.as_default():
        gx = tf.placeholder(tf.float32, [None, 2], name="x")
        tf.identity(tf.reduce_sum(gx * 2.0, axis=1, keepdims=True) - 1.0, name="y")
        train.write_graph(g, d, "graph.pbtxt")
        io["gx"] = rng.rand(3, 2).astype(np.float32)
        io["gy"] = (io["gx"] * 2.0).sum(axis=1, keepdims=True) - 1.0
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(exp, f)
    np.savez(os.path.join(d, "io.npz"), **io)


def main():
    tf_python = "/tmp/tfvenv/bin/python"
    if "--tf-python" in sys.argv:
        tf_python = sys.argv[sys.argv.index("--tf-python") + 1]
    with tempfile.TemporaryDirectory() as d:
        write_files(d)
        checker = os.path.join(d, "tf_checker.py")
        with open(checker, "w") as f:
            f.write(TF_CHECKER)
        p = subprocess.run([tf_python, checker, d], capture_output=True, text=True)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        if not lines:
            print(p.stderr[-3000:])
            sys.exit(1)
        res = json.loads(lines[-1])
    for k, v in res.items():
        print("%-45s %s" % (k, v))
    sys.exit(0 if all(v == "ok" for v in res.values()) else 1)


if __name__ == "__main__":
    main()
