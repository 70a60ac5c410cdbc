"""GraphDef serialisation, TensorProto conversion, import_graph_def, freezing, graph_util."""
import numpy as np
import pytest
from tensorboard.compat.proto import graph_pb2

import tensorweave as tf
from tensorweave.compat.api import train_saver
from tensorweave.framework import graph_io


@pytest.mark.parametrize("arr", [
    np.float32(1.5), np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, -2], np.int64),
    np.array([[True, False]]), np.array([1.5, -2.25], np.float16), np.array(3, np.int8),
    np.array([1 + 2j], np.complex64), np.array([7, 8], np.uint32), np.float64(2.0),
    np.array([b"a", b"", b"\x00b"], dtype=object), np.zeros((0, 3), np.float32)])
def test_tensor_proto_round_trip(arr):
    arr = np.asarray(arr)
    p = graph_io.ndarray_to_tensor_proto(arr)
    back = graph_io.tensor_proto_to_ndarray(p)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


def test_tensor_proto_layout_like_tf():
    p = graph_io.ndarray_to_tensor_proto(np.array([1.0, 2.0], np.float32))
    assert p.tensor_content == np.array([1.0, 2.0], "<f4").tobytes() and not p.float_val
    p = graph_io.ndarray_to_tensor_proto(np.float32(3.0))
    assert list(p.float_val) == [3.0] and not p.tensor_content
    # TF stores a splatted constant as one value: it must expand on reading
    p.tensor_shape.dim.add(size=4)
    np.testing.assert_array_equal(graph_io.tensor_proto_to_ndarray(p), [3.0] * 4)


def test_node_def_has_tf_fields():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    c = tf.no_op(name="c")
    with tf.control_dependencies([c]):
        y = tf.identity(x, name="y")
    nd = y.op.node_def
    assert nd.name == "y" and nd.op == "Identity" and list(nd.input) == ["x", "^c"]
    assert nd.attr["T"].type == tf.float32.as_datatype_enum
    px = x.op.node_def
    assert [d.size for d in px.attr["shape"].shape.dim] == [-1, 3]
    gd = tf.get_default_graph().as_graph_def(add_shapes=True)
    assert [n.name for n in gd.node] == ["x", "c", "y"]
    assert [d.size for d in gd.node[2].attr["_output_shapes"].list.shape[0].dim] == [-1, 3]


def _small_graph():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.constant([[1.0], [2.0]], name="w")
    y = tf.identity(tf.matmul(x, w) + 1.0, name="y")
    return x, y


def test_import_graph_def_prefix_input_map_return_elements():
    _small_graph()
    gd = tf.get_default_graph().as_graph_def()
    g2 = tf.Graph()
    with g2.as_default():
        feed = tf.placeholder(tf.float32, [3, 2], name="feed")
        y, op = tf.import_graph_def(gd, input_map={"x:0": feed}, return_elements=["y:0", "w"])
        assert y.name == "import/y:0" and op.name == "import/w"
        assert y.shape.as_list() == [3, 1]
        y2, = tf.import_graph_def(gd, return_elements=["y:0"])
        assert y2.name == "import_1/y:0"
        with tf.Session() as sess:
            out = sess.run(y, {feed: np.ones((3, 2), np.float32)})
        np.testing.assert_allclose(out, [[4.0]] * 3)
    g3 = tf.Graph()
    with g3.as_default():
        tf.import_graph_def(gd, name="")
        assert [o.name for o in g3.get_operations()][:2] == ["x", "w"]
        with pytest.raises(ValueError, match="Duplicate"):
            tf.import_graph_def(gd, name="")
        # names created after an import do not collide with imported ones
        assert tf.constant(1.0, name="w").op.name == "w_1"


def test_import_graph_def_errors():
    gd = graph_pb2.GraphDef()
    n = gd.node.add(name="a", op="NoSuchOpType")
    with pytest.raises(ValueError, match="NoSuchOpType"):
        tf.import_graph_def(gd)
    n.op = "NoOp"
    n.input.append("missing")
    with pytest.raises(ValueError, match="missing"):
        tf.import_graph_def(gd)
    _small_graph()
    with pytest.raises(ValueError, match="not found in graph_def"):
        tf.import_graph_def(tf.get_default_graph().as_graph_def(), input_map={"zz:0": 1.0})


def test_import_fills_default_attrs():
    gd = graph_pb2.GraphDef()
    gd.node.add(name="c", op="Const").attr["dtype"].type = tf.float32.as_datatype_enum
    gd.node[0].attr["value"].tensor.CopyFrom(graph_io.ndarray_to_tensor_proto(
        np.array([[1.0, 2.0]], np.float32)))
    m = gd.node.add(name="m", op="MatMul", input=["c", "c"])
    m.attr["T"].type = tf.float32.as_datatype_enum
    m.attr["transpose_b"].b = True
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        op = g.get_operation_by_name("m")
        assert op.get_attr("transpose_a") is False and op.get_attr("transpose_b") is True


def test_freeze_trained_graph_and_run_frozen():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[0.5], [-1.0]], name="w")
    b = tf.Variable([0.25], name="b")
    y = tf.identity(tf.matmul(x, w) + b, name="out")
    loss = tf.reduce_sum(tf.square(y))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: [[1.0, 2.0], [3.0, -1.0]]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, feed)
        want = sess.run(y, feed)
        frozen = tf.graph_util.convert_variables_to_constants(
            sess, tf.get_default_graph().as_graph_def(), ["out"])
    types = {n.name: n.op for n in frozen.node}
    assert types["w"] == "Const" and types["b"] == "Const"
    assert not any(t in ("VariableV2", "Assign", "ApplyGradientDescent") for t in types.values())
    g = tf.Graph()
    with g.as_default():
        out, = tf.import_graph_def(frozen, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            got = sess.run(out, {"x:0": feed[x]})
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_extract_sub_graph_and_remove_training_nodes():
    x = tf.placeholder(tf.float32, name="x")
    a = tf.identity(x, name="a")
    tf.identity(a, name="b")
    tf.identity(x, name="unrelated")
    gd = tf.get_default_graph().as_graph_def()
    sub = tf.graph_util.extract_sub_graph(gd, ["b"])
    assert [n.name for n in sub.node] == ["x", "a", "b"]
    with pytest.raises(TypeError):
        tf.graph_util.extract_sub_graph(gd, "b")
    pruned = tf.graph_util.remove_training_nodes(sub, protected_nodes=["b"])
    assert [n.name for n in pruned.node] == ["x", "b"]
    assert list(pruned.node[1].input) == ["x"]


def test_write_graph_text_and_binary(tmp_path):
    _small_graph()
    p1 = train_saver.write_graph(tf.get_default_graph(), str(tmp_path), "g.pbtxt")
    p2 = train_saver.write_graph(tf.get_default_graph().as_graph_def(), str(tmp_path), "g.pb",
                                 as_text=False)
    from google.protobuf import text_format

    g1 = text_format.Parse(open(p1).read(), graph_pb2.GraphDef())
    g2 = graph_pb2.GraphDef.FromString(open(p2, "rb").read())
    assert g1 == g2 and len(g1.node) > 3
