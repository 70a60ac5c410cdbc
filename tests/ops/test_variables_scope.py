"""tf.variable_scope / tf.get_variable: names, reuse, AUTO_REUSE, reopening scope objects,
default names, custom getters, regularizers, make_template, and TF1's errors (with both
creation sites)."""
import numpy as np
import pytest

import tensorweave as tf


def test_seed000_first_nn_layer_tf_variable_collisions():
    # seed 000 §3.3: tf.Variable with the same name twice in one scope -> W, W_1
    with tf.variable_scope("first-nn-layer"):
        W = tf.Variable(np.zeros((784, 10), np.float32), name="W")
        b = tf.Variable(np.zeros((10,), np.float32), name="b")
        W1 = tf.Variable(np.zeros((784, 10), np.float32), name="W")
    assert W.name == "first-nn-layer/W:0"
    assert b.name == "first-nn-layer/b:0"
    assert W1.name == "first-nn-layer/W_1:0"


def test_seed000_get_variable_and_reuse_variables():
    with tf.variable_scope("first-nn-layer") as scope:
        W = tf.get_variable("W", [784, 10])
        b = tf.get_variable("b", [10])
        scope.reuse_variables()
        W1 = tf.get_variable("W", shape=[784, 10])
    assert W1 is W and W.name == "first-nn-layer/W:0" and b.name == "first-nn-layer/b:0"
    assert scope.name == "first-nn-layer" and scope.reuse is True


def test_seed000_second_nn_layer_reuse_true():
    with tf.variable_scope("first-nn-layer"):
        tf.get_variable("W", [784, 10])
    with tf.variable_scope("second-nn-layer"):
        W = tf.get_variable("W", [784, 10])
        b = tf.get_variable("b", [10])
    with tf.variable_scope("second-nn-layer", reuse=True):
        W3 = tf.get_variable("W", [784, 10])
        b3 = tf.get_variable("b", [10])
    assert W3 is W and b3 is b and W3.name == "second-nn-layer/W:0"
    assert len(tf.global_variables()) == 3


def test_seed000_missing_reuse_raises_with_both_sites():
    with tf.variable_scope("first-nn-layer"):
        tf.get_variable("W", [784, 10])
    with pytest.raises(ValueError) as ei:
        with tf.variable_scope("first-nn-layer"):
            tf.get_variable("W", [784, 10])
    msg = str(ei.value)
    assert msg.startswith("Variable first-nn-layer/W already exists, disallowed. Did you mean "
                          "to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
    assert "first created at" in msg and "test_variables_scope.py" in msg
    assert "requested again at" in msg
    assert "The same line ran twice" not in msg


def _build():
    with tf.variable_scope("model"):
        return tf.get_variable("w", [2])


def test_same_line_twice_suggests_reset_default_graph():
    _build()
    with pytest.raises(ValueError) as ei:
        _build()
    msg = str(ei.value)
    assert "The same line ran twice" in msg and "tf.reset_default_graph()" in msg
    assert "reuse=True" in msg
    tf.reset_default_graph()
    _build()  # works again after the reset


def test_reuse_missing_variable():
    with pytest.raises(ValueError, match=r"^Variable nope/W does not exist, or was not created "
                                         r"with tf.get_variable\(\). Did you mean to set "
                                         r"reuse=tf.AUTO_REUSE in VarScope\?"):
        with tf.variable_scope("nope", reuse=True):
            tf.get_variable("W", [1])


def test_reuse_of_tf_variable_explains():
    with tf.variable_scope("s"):
        tf.Variable(1.0, name="v")
    with pytest.raises(ValueError, match="made with tf.Variable"):
        with tf.variable_scope("s", reuse=True):
            tf.get_variable("v", [])


def test_shape_and_dtype_mismatch_on_reuse():
    with tf.variable_scope("s"):
        tf.get_variable("w", [784, 10])
    with pytest.raises(ValueError, match=r"Trying to share variable s/w, but specified shape "
                                         r"\(784, 11\) and found shape \(784, 10\)"):
        with tf.variable_scope("s", reuse=True):
            tf.get_variable("w", [784, 11])
    with pytest.raises(ValueError, match="specified dtype int32 and found dtype float32"):
        with tf.variable_scope("s", reuse=True):
            tf.get_variable("w", [784, 10], dtype=tf.int32)


def test_auto_reuse_seed004():
    with tf.variable_scope("name", reuse=tf.AUTO_REUSE):
        var2 = tf.get_variable(initializer=tf.random_normal([2, 3], mean=0.0, stddev=1.0),
                               name="var2")
    with tf.variable_scope("name", reuse=tf.AUTO_REUSE):
        var3 = tf.get_variable(initializer=tf.random_normal([2, 3], mean=0.0, stddev=1.0),
                               name="var2")
    assert var2 is var3 and var2.name == "name/var2:0"
    assert var2.get_shape().as_list() == [2, 3] and var2.dtype == tf.float32._as_ref
    assert var2.initial_value.op.type == "AddV2"
    assert repr(tf.AUTO_REUSE) == "<_ReuseMode.AUTO_REUSE: 1>"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(var2).shape == (2, 3)


def test_reuse_inherits_to_nested_scopes_and_false_means_inherit():
    with tf.variable_scope("a"):
        with tf.variable_scope("b"):
            v = tf.get_variable("v", [1])
    with tf.variable_scope("a", reuse=True) as sa:
        with tf.variable_scope("b", reuse=False) as sb:
            assert sb.reuse is True
            assert tf.get_variable("v", [1]) is v
        assert sa.reuse is True
    assert tf.get_variable_scope().reuse is False
    with pytest.raises(ValueError, match="reuse parameter must be"):
        tf.variable_scope("a", reuse="yes")
    with pytest.raises(TypeError, match="default_name is None"):
        tf.variable_scope(None)
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass


def test_reopen_scope_object_reuses_name_but_new_name_scope():
    with tf.variable_scope("conv1") as scope:
        w = tf.get_variable("weight", [1])
        c0 = tf.constant(0.0)
    with tf.variable_scope(scope, reuse=True):
        w2 = tf.get_variable("weight", [1])
        c1 = tf.constant(1.0)
        y = tf.identity(w2)
    assert w2 is w and w.name == "conv1/weight:0"
    assert c0.name == "conv1/Const:0" and c1.name == "conv1_1/Const:0"
    assert y.name == "conv1_1/Identity:0"
    assert scope.original_name_scope == "conv1/"
    with tf.variable_scope("other"):
        with tf.variable_scope(scope) as s2:
            e = tf.get_variable("e", [1])
            k = tf.constant(2.0)
    assert e.name == "conv1/e:0" and k.name == "other/conv1/Const:0"
    assert s2.name == "conv1"


def test_default_name_scopes_are_uniquified():
    def block():
        with tf.variable_scope(None, default_name="block"):
            return tf.get_variable("w", [2])

    assert [block().name for _ in range(3)] == ["block/w:0", "block_1/w:0", "block_2/w:0"]
    with tf.variable_scope("s", default_name="ignored") as s:
        pass
    assert s.name == "s"


def test_name_scope_does_not_change_variable_names():
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            v = tf.get_variable("v", [1])
            x = tf.constant(1.0, name="x")
    with tf.variable_scope("vs2"):
        with tf.name_scope("ns2"):
            w = tf.get_variable("w", [1])
            y = w + 1.0
    assert v.name == "vs/v:0" and x.name == "ns/vs/x:0"
    assert w.name == "vs2/w:0" and y.name == "vs2/ns2/add:0"


def test_auxiliary_name_scope_false():
    with tf.variable_scope("vs", auxiliary_name_scope=False) as vs:
        c = tf.constant(1.0, name="c")
        v = tf.get_variable("v", [1])
    assert c.name == "c:0" and v.name == "vs/v:0"
    with tf.variable_scope(vs, auxiliary_name_scope=False):
        with tf.name_scope(vs.original_name_scope):
            d = tf.constant(1.0, name="d")
    assert vs.original_name_scope == ""
    assert d.name == "d:0"


def test_scope_initializer_dtype_and_default_initializers():
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.5), dtype=tf.float64):
        a = tf.get_variable("a", [2])
        with tf.variable_scope("t"):
            b = tf.get_variable("b", [2], initializer=tf.ones_initializer())
    i = tf.get_variable("i", [3], dtype=tf.int32)
    bo = tf.get_variable("bo", [1], dtype=tf.bool)
    f = tf.get_variable("f", [20, 30])
    assert a.dtype.base_dtype == tf.float64 and b.dtype.base_dtype == tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(a), [0.5, 0.5])
        np.testing.assert_array_equal(sess.run(b), [1.0, 1.0])
        np.testing.assert_array_equal(sess.run(i), [0, 0, 0])
        assert sess.run(bo).tolist() == [False]
        fv = sess.run(f)
    limit = np.sqrt(6.0 / 50)  # glorot_uniform, the default for floats
    assert np.abs(fv).max() <= limit and np.abs(fv).max() > 0.8 * limit
    with pytest.raises(ValueError, match="An initializer for variable c of"):
        tf.get_variable("c", [1], dtype=tf.complex64)


def test_get_variable_initializer_value_forms():
    c = tf.get_variable("c", initializer=tf.constant([1, 2]))
    assert c.dtype.base_dtype == tf.int32 and c.get_shape().as_list() == [2]
    lst = tf.get_variable("lst", initializer=[1.0, 2.0, 3.0])
    assert lst.get_shape().as_list() == [3]
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("bad", [2], initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="did not get an initializer"):
        tf.get_variable("noshape")
    with pytest.raises(ValueError, match="don't match"):
        tf.get_variable("mixed", initializer=tf.constant([1, 2]), dtype=tf.float32)
    cls = tf.get_variable("cls", [2], initializer=tf.zeros_initializer)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(lst), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.run(cls), [0.0, 0.0])


def test_get_variable_ops_names():
    with tf.variable_scope("s"):
        tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    assert [(op.name, op.type) for op in tf.get_default_graph().get_operations()] == [
        ("s/b/Initializer/zeros", "Const"), ("s/b", "VariableV2"), ("s/b/Assign", "Assign"),
        ("s/b/read", "Identity")]
    g = tf.get_default_graph()
    assert g.get_operation_by_name("s/b/Initializer/zeros").get_attr("_class") == [b"loc:@s/b"]


def test_trainable_collections_and_local_variable():
    a = tf.get_variable("a", [1], trainable=False)
    b = tf.get_variable("b", [1], collections=["mine"])
    lv = tf.get_local_variable("lv", [1])
    assert tf.trainable_variables() == [b]
    assert tf.global_variables() == [a]
    assert tf.get_collection("mine") == [b]
    assert tf.local_variables() == [lv]


def test_regularizer_adds_loss():
    def reg(v):
        return tf.reduce_sum(v * v)

    with tf.variable_scope("s", regularizer=reg):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        tf.get_variable("n", [2], regularizer=tf.no_regularizer)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].name.startswith("s/w/Regularizer/")
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(losses[0]) == 2.0


def test_custom_getter_wraps_and_nests():
    calls = []

    def outer(getter, name, *args, **kwargs):
        calls.append(("outer", name))
        return getter(name, *args, **kwargs)

    def inner(getter, name, *args, **kwargs):
        calls.append(("inner", name))
        kwargs["trainable"] = False
        return getter(name + "_x", *args, **kwargs)

    with tf.variable_scope("a", custom_getter=outer):
        with tf.variable_scope("b", custom_getter=inner):
            v = tf.get_variable("v", [1])
    assert v.name == "a/b/v_x:0" and not v.trainable
    assert calls == [("inner", "a/b/v"), ("outer", "a/b/v_x")]
    with pytest.raises(ValueError, match="not callable"):
        tf.get_variable("q", [1], custom_getter=3)


def test_variable_scope_object_api():
    with tf.variable_scope("top") as top:
        tf.get_variable("w", [1])
        tf.get_variable("loc", [1], collections=[tf.GraphKeys.LOCAL_VARIABLES])
    tf.get_variable("w", [1])
    assert [v.name for v in top.global_variables()] == ["top/w:0"]
    assert [v.name for v in top.trainable_variables()] == ["top/w:0", "top/loc:0"]
    assert [v.name for v in top.local_variables()] == ["top/loc:0"]
    assert isinstance(tf.get_variable_scope(), tf.VariableScope)
    assert tf.get_variable_scope().name == ""


def test_variable_op_scope_and_values_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
    with tf.variable_op_scope([x], None, default_name="op"):
        assert tf.get_default_graph() is g
        v = tf.get_variable("v", [1])
    assert v.graph is g and v.name == "op/v:0"


def test_make_template_shares_variables():
    def scale(x):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        return x * w

    t = tf.make_template("scale", scale)
    y1 = t(tf.constant(1.0))
    y2 = t(tf.constant(3.0))
    assert len(tf.global_variables()) == 1 and tf.global_variables()[0].name == "scale/w:0"
    assert [v.name for v in t.trainable_variables] == ["scale/w:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([y1, y2]) == [2.0, 6.0]

    def bad(x):
        return x * tf.Variable(1.0)

    tb = tf.make_template("bad", bad)
    tb(tf.constant(1.0))
    with pytest.raises(ValueError, match="Trainable variable created when calling a template"):
        tb(tf.constant(1.0))


def test_seed002_vgg_helpers_in_variable_scope():
    def get_weight_variable(shape):
        return tf.get_variable("weight", shape=shape,
                               initializer=tf.truncated_normal_initializer(stddev=0.1))

    def get_bias_variable(shape):
        return tf.get_variable("bias", shape=shape, initializer=tf.constant_initializer(0))

    def layer(in_chs, out_chs, ksize, name):
        with tf.variable_scope(name):
            return get_weight_variable([ksize, ksize, in_chs, out_chs]), get_bias_variable(
                [out_chs])

    layer(3, 64, 3, "conv1_1")
    w2, b2 = layer(64, 64, 3, "conv1_2")
    assert [v.name for v in tf.global_variables()] == [
        "conv1_1/weight:0", "conv1_1/bias:0", "conv1_2/weight:0", "conv1_2/bias:0"]
    with pytest.raises(ValueError, match="conv1_1/weight already exists"):
        layer(3, 64, 3, "conv1_1")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wv, bv = sess.run([w2, b2])
    assert np.abs(wv).max() <= 0.2 + 1e-6 and abs(wv.std() - 0.088) < 0.01
    assert not bv.any()


def test_partitioner_is_reported_not_silently_ignored():
    with pytest.raises(NotImplementedError, match="partition"):
        tf.get_variable("p", [10, 2], partitioner=lambda shape, dtype: [2, 1])
