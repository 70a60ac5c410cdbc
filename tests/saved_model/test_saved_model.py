"""SavedModel: builder/simple_save layout, loader round trip with signatures, signature utils."""
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.formats import saved_model_pb2

sm = tf.saved_model


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, name="dense/kernel")
    b = tf.Variable([0.5, -0.5], name="dense/bias")
    y = tf.nn.softmax(tf.matmul(x, w) + b, name="probs")
    return x, w, y


def test_simple_save_layout_and_load(tmp_path):
    export = str(tmp_path / "model")
    x, w, y = _model()
    inp = np.random.RandomState(0).rand(4, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, np.ones((3, 2), np.float32)))
        want = sess.run(y, {x: inp})
        sm.simple_save(sess, export, inputs={"x": x}, outputs={"probs": y})
    assert sorted(os.listdir(export)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(os.path.join(export, "variables"))) == [
        "variables.data-00000-of-00001", "variables.index"]
    proto = saved_model_pb2.SavedModel.FromString(
        open(os.path.join(export, "saved_model.pb"), "rb").read())
    assert proto.saved_model_schema_version == 1
    mgd = proto.meta_graphs[0]
    assert list(mgd.meta_info_def.tags) == ["serve"]
    assert mgd.saver_def.sharded and mgd.saver_def.save_tensor_name == "save/Identity:0"
    assert "variables" in mgd.collection_def
    assert all(not n.device for n in mgd.graph_def.node)  # clear_devices=True
    tf.reset_default_graph()
    with tf.Session(graph=tf.Graph()) as sess:
        assert sm.loader.maybe_saved_model_directory(export)
        meta = sm.loader.load(sess, [sm.tag_constants.SERVING], export)
        sig = meta.signature_def[sm.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert sig.method_name == sm.signature_constants.PREDICT_METHOD_NAME
        xi = sm.utils.get_tensor_from_tensor_info(sig.inputs["x"], sess.graph)
        yo = sm.utils.get_tensor_from_tensor_info(sig.outputs["probs"], sess.graph)
        assert yo.shape.as_list() == [None, 2]
        np.testing.assert_allclose(sess.run(yo, {xi: inp}), want, rtol=1e-6)


def test_builder_multiple_meta_graphs_text_and_main_op(tmp_path):
    export = str(tmp_path / "m")
    x, w, y = _model()
    counter = tf.Variable(0, name="counter", trainable=False,
                          collections=[tf.GraphKeys.LOCAL_VARIABLES])
    main_op = tf.group(tf.assign(counter, 5), name="main_op")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        b = sm.builder.SavedModelBuilder(export)
        sig = sm.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
        b.add_meta_graph_and_variables(sess, ["train"], signature_def_map={"s": sig},
                                       main_op=main_op)
        with pytest.raises(AssertionError):
            b.add_meta_graph_and_variables(sess, ["other"])
        b.add_meta_graph(["serve", "gpu"], signature_def_map={"s": sig})
        path = b.save(as_text=True)
    assert path.endswith(b"saved_model.pbtxt")
    with pytest.raises(AssertionError, match="already exists"):
        sm.builder.SavedModelBuilder(export)
    with tf.Session(graph=tf.Graph()) as sess:
        sm.loader.load(sess, ["train"], export)
        assert sess.run("counter:0") == 5
        np.testing.assert_allclose(sess.run("dense/kernel:0"),
                                   np.arange(6, dtype=np.float32).reshape(3, 2) / 10)
    with tf.Session(graph=tf.Graph()) as sess:
        sm.loader.load(sess, ["gpu", "serve"], export)
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(RuntimeError, match="could not be found in SavedModel"):
            sm.loader.load(sess, ["nope"], export)


def test_signature_def_utils():
    ex = tf.placeholder(tf.string, [None], name="ex")
    scores = tf.placeholder(tf.float32, [None, 3], name="scores")
    classes = tf.placeholder(tf.string, [None, 3], name="classes")
    c = sm.signature_def_utils.classification_signature_def(ex, classes, scores)
    assert c.method_name == "tensorflow/serving/classify"
    assert sorted(c.outputs) == ["classes", "scores"] and c.inputs["inputs"].name == "ex:0"
    r = sm.signature_def_utils.regression_signature_def(ex, tf.placeholder(tf.float32, [None]))
    assert r.method_name == "tensorflow/serving/regress"
    assert sm.signature_def_utils.is_valid_signature(c)
    assert sm.signature_def_utils.is_valid_signature(r)
    bad = sm.signature_def_utils.build_signature_def(
        {"inputs": sm.utils.build_tensor_info(scores)}, {}, "tensorflow/serving/regress")
    assert not sm.signature_def_utils.is_valid_signature(bad)
    with pytest.raises(ValueError):
        sm.signature_def_utils.predict_signature_def({}, {"a": scores})
    info = sm.utils.build_tensor_info(scores)
    assert info.name == "scores:0" and [d.size for d in info.tensor_shape.dim] == [-1, 3]
    assert sm.tag_constants.SERVING == "serve" and sm.tag_constants.TRAINING == "train"
