"""Files written by real TensorFlow 2.21 (tests/data/tf_fixtures) load here with TF's values."""
import json
import os

import numpy as np

import tensorweave as tf
from tensorweave.compat.api import train_saver as train

FIX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "tf_fixtures")


def _expected(name):
    with open(os.path.join(FIX, name, "expected.json")) as f:
        return json.load(f)


def _decode(spec):
    if spec["dtype"] == "string":
        arr = np.array([bytes.fromhex(h) for h in spec["values"]], dtype=object)
    else:
        arr = np.array(spec["values"], dtype=tf.as_dtype(spec["dtype"]).as_numpy_dtype)
    return arr.reshape(spec["shape"])


def test_checkpoint_reader_values_incl_adam_slots():
    exp = _expected("checkpoint")
    d = os.path.join(FIX, "checkpoint")
    # the `checkpoint` state file TF wrote, with relative paths
    assert train.latest_checkpoint(d) == os.path.join(d, exp["prefix"])
    reader = train.load_checkpoint(d)
    assert sorted(reader.get_variable_to_shape_map()) == exp["keys"]
    for name, spec in exp["tensors"].items():
        got = reader.get_tensor(name)
        want = _decode(spec)
        if spec["dtype"] == "string":
            assert list(np.asarray(got).reshape(-1)) == list(want.reshape(-1))
        else:
            assert got.dtype == want.dtype, name
            np.testing.assert_array_equal(got, want, err_msg=name)
        assert reader.get_variable_to_dtype_map()[name].name == spec["dtype"]
    assert [n for n, _ in train.list_variables(d)] == exp["keys"]


def test_saver_restores_tf_checkpoint_into_our_variables():
    exp = _expected("checkpoint")
    var_list = {}
    for name, spec in exp["tensors"].items():
        init = np.zeros(spec["shape"], tf.as_dtype(spec["dtype"]).as_numpy_dtype) \
            if spec["dtype"] != "string" else np.array([b""] * 3, dtype=object)
        var_list[name] = tf.Variable(init, name=name)
    saver = train.Saver(var_list)
    with tf.Session() as sess:
        saver.restore(sess, train.latest_checkpoint(os.path.join(FIX, "checkpoint")))
        for name, spec in exp["tensors"].items():
            got = sess.run(var_list[name])
            want = _decode(spec)
            if spec["dtype"] == "string":
                assert list(got) == list(want)
            else:
                np.testing.assert_array_equal(got, want, err_msg=name)


def test_adam_model_restores_with_tf_slot_names():
    """The same model built here (Adam slots by our optimizer) restores TF's checkpoint."""
    exp = _expected("checkpoint")
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3) / 10.0)
    w = tf.get_variable("dense/kernel", [3, 1], tf.float32)
    b = tf.get_variable("dense/bias", [1], tf.float32)
    emb = tf.get_variable("emb", [5, 4], tf.float32)
    tf.get_variable("scale64", [2], tf.float64)
    tf.get_variable("flag", [], tf.bool, trainable=False)
    tf.get_variable("counts", [3], tf.int32, trainable=False)
    tf.get_variable("half", [2, 2], tf.float16, trainable=False)
    tf.Variable(np.array([b"", b"", b""], dtype=object), name="names", trainable=False)
    gs = tf.train.get_or_create_global_step()
    loss = tf.reduce_mean(tf.matmul(x, w) + b + tf.reduce_sum(emb) * 0.01)
    tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
    assert sorted(v.op.name for v in tf.global_variables()) == exp["keys"]
    saver = train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(FIX, "checkpoint", exp["prefix"]))
        for v in tf.global_variables():
            spec = exp["tensors"][v.op.name]
            if spec["dtype"] != "string":
                np.testing.assert_array_equal(sess.run(v), _decode(spec), err_msg=v.op.name)


def test_sharded_tf_checkpoint():
    exp = _expected("sharded_checkpoint")
    prefix = os.path.join(FIX, "sharded_checkpoint", exp["prefix"])
    a = tf.Variable(np.zeros((2, 3), np.float32), name="a")
    step = tf.Variable(np.int64(0), name="step")
    b = tf.Variable(np.zeros(2), name="b")
    with tf.Session() as sess:
        train.Saver().restore(sess, prefix)
        got = sess.run([a, step, b])
    np.testing.assert_array_equal(got[0], exp["tensors"]["a"])
    assert got[1] == 42
    np.testing.assert_array_equal(got[2], exp["tensors"]["b"])


def test_import_tf_meta_graph():
    d = os.path.join(FIX, "checkpoint")
    exp = _expected("checkpoint")
    saver = train.import_meta_graph(os.path.join(d, exp["prefix"] + ".meta"))
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(d, exp["prefix"]))
        got = sess.run("dense/bias/Read/ReadVariableOp:0")
    np.testing.assert_array_equal(got, _decode(exp["tensors"]["dense/bias"]))


def test_frozen_tf_conv_net_gives_tf_output():
    from tensorboard.compat.proto import graph_pb2

    d = os.path.join(FIX, "frozen_graph")
    gd = graph_pb2.GraphDef.FromString(open(os.path.join(d, "frozen_convnet.pb"), "rb").read())
    io = np.load(os.path.join(d, "io.npz"))
    out, = tf.import_graph_def(gd, return_elements=["output:0"], name="")
    assert out.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        got = sess.run(out, {"input:0": io["input"]})
    np.testing.assert_allclose(got, io["output"], rtol=1e-5, atol=1e-6)


def test_tf_saved_model_signature_gives_tf_output():
    d = os.path.join(FIX, "saved_model")
    io = np.load(os.path.join(d, "io.npz"))
    with tf.Session(graph=tf.Graph()) as sess:
        mgd = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                         os.path.join(d, "model"))
        sig = mgd.signature_def[tf.saved_model.signature_constants.
                                DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        x = tf.saved_model.utils.get_tensor_from_tensor_info(sig.inputs["x"], sess.graph)
        y = tf.saved_model.utils.get_tensor_from_tensor_info(sig.outputs["probs"], sess.graph)
        got = sess.run(y, {x: io["x"]})
    np.testing.assert_allclose(got, io["probs"], rtol=1e-5, atol=1e-6)


def test_tf_saved_model_variables_bundle_and_signature_readable():
    d = os.path.join(FIX, "saved_model", "model")
    assert tf.saved_model.loader.maybe_saved_model_directory(d)
    sm = tf.saved_model.loader.read_saved_model(d)
    mgd = sm.meta_graphs[0]
    assert list(mgd.meta_info_def.tags) == ["serve"]
    sig = mgd.signature_def["serving_default"]
    assert sig.method_name == "tensorflow/serving/predict"
    assert tf.saved_model.signature_def_utils.is_valid_signature(sig)
    names = [n for n, _ in train.list_variables(os.path.join(d, "variables", "variables"))]
    assert names == ["dense/bias", "dense/kernel"]
