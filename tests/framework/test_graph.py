"""Graph naming, scopes, devices, control dependencies and collections."""
import pytest

import tensorweave as tf


def test_unique_names_are_case_insensitive_and_suffixed():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.constant(3.0, name="foo")
    d = tf.constant(4.0, name="Foo")
    e = tf.constant(5.0, name="foo_1")
    assert [t.op.name for t in (a, b, c, d, e)] == ["Const", "Const_1", "foo", "Foo_1",
                                                   "foo_1_1"]


def test_name_scopes_nest_and_reopen():
    g = tf.get_default_graph()
    with g.name_scope("layer") as s1:
        x = tf.constant(1.0, name="x")
        with g.name_scope("inner"):
            y = tf.constant(1.0, name="y")
    with g.name_scope("layer") as s2:
        z = tf.constant(1.0, name="x")
    with g.name_scope(s1):
        w = tf.constant(1.0, name="w")
    assert (s1, s2) == ("layer/", "layer_1/")
    assert [x.name, y.name, z.name, w.name] == ["layer/x:0", "layer/inner/y:0", "layer_1/x:0",
                                                "layer/w:0"]


def test_tensor_repr_like_tf():
    c = tf.constant([1.0, 2.0]) * tf.constant([3.0, 4.0])
    assert str(c) == 'Tensor("mul:0", shape=(2,), dtype=float32)'
    assert c.get_shape().as_list() == [2]


def test_operator_constants_named_after_argument():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.matmul(x, [[1.0, 2.0], [3.0, 4.0]]) + 1
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["x", "MatMul/b", "MatMul", "add/y", "add"]
    assert y.shape.as_list() == [None, 2]


def test_no_implicit_cast_between_tensors():
    with pytest.raises(TypeError, match="does not match"):
        tf.constant(1) + tf.constant(1.0)


def test_device_strings_are_normalised_and_nest():
    with tf.device("/job:worker/task:1"):
        with tf.device("/gpu:0"):
            a = tf.constant(1.0)
        b = tf.constant(1.0)
    assert a.op.device == "/job:worker/task:1/device:GPU:0"
    assert b.op.device == "/job:worker/task:1"


def test_control_dependencies():
    a = tf.constant(1.0)
    with tf.control_dependencies([a]):
        b = tf.constant(2.0)
        c = tf.identity(b)
    assert b.op.control_inputs == [a.op]
    assert c.op.control_inputs == []  # its input already runs after `a`
    with tf.control_dependencies([a]):
        with tf.control_dependencies(None):
            d = tf.constant(3.0)
    assert d.op.control_inputs == []


def test_lookup_by_name_and_collections():
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, name="input_data")
    assert g.get_tensor_by_name("input_data:0") is x
    assert g.get_operation_by_name("input_data") is x.op
    with pytest.raises(KeyError):
        g.get_tensor_by_name("nope:0")
    tf.add_to_collection("stuff", x)
    assert tf.get_collection("stuff") == [x]
    assert tf.get_collection("stuff", scope="inp") == [x]
    assert tf.get_collection("stuff", scope="zzz") == []


def test_finalized_graph_rejects_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
        g.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(2.0)


def test_graph_as_default_and_reset():
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g
        c = tf.constant(1.0)
    assert c.graph is g
    assert tf.get_default_graph() is not g
    with g.as_default(), pytest.raises(AssertionError):
        tf.reset_default_graph()
