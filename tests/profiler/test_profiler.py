"""tf.profiler: FLOPs by TF's per-op rules (numbers recorded from TF 2.21), parameters, views."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.framework import registry
from tensorweave.profiler import op_flops


def _raw(op_type, inputs, name, **attrs):
    return registry.apply_op(op_type, inputs, name=name, **attrs)


def _graph():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [6, 5], name="a")
        b = tf.placeholder(tf.float32, [5, 7], name="b")
        c = tf.placeholder(tf.float32, [6, 5], name="c")
        x = tf.placeholder(tf.float32, [2, 9, 9, 3], name="x")
        w = tf.placeholder(tf.float32, [3, 3, 3, 4], name="w")
        tf.matmul(a, b, name="MatMul")
        tf.matmul(a, c, transpose_b=True, name="MatMulT")
        tf.subtract(a, c, name="subtract")
        tf.squared_difference(a, c, name="squared_difference")
        tf.rsqrt(a, name="Rsqrt")
        tf.nn.l2_loss(a, name="L2Loss")
        tf.nn.softmax(a, name="Softmax")
        tf.reduce_mean(a, axis=1, name="Mean")
        tf.reduce_sum(a, axis=0, name="Sum")
        tf.argmax(a, 1, name="ArgMax")
        tf.add_n([a, c, a], name="AddN")
        tf.nn.bias_add(x, tf.placeholder(tf.float32, [3]), name="BiasAdd")
        tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME", name="Conv2D")
        dy = tf.placeholder(tf.float32, [2, 5, 5, 4])
        _raw("Conv2DBackpropInput", [tf.constant([2, 9, 9, 3]), w, dy], "CBI",
             strides=[1, 2, 2, 1], padding="SAME")
        _raw("Conv2DBackpropFilter", [x, tf.constant([3, 3, 3, 4]), dy], "CBF",
             strides=[1, 2, 2, 1], padding="SAME")
        p = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "VALID", name="MaxPool")
        tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "VALID", name="AvgPool")
        pd = tf.placeholder(tf.float32, [2, 4, 4, 3])
        _raw("MaxPoolGrad", [x, p, pd], "MaxPoolGrad", ksize=[1, 3, 3, 1],
             strides=[1, 2, 2, 1], padding="VALID")
        _raw("AvgPoolGrad", [tf.constant([2, 9, 9, 3]), pd], "AvgPoolGrad",
             ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="VALID")
        tf.Variable(tf.zeros([6, 5]), name="v")
        tf.Variable(tf.zeros([3]), name="frozen", trainable=False)
    return g


# Recorded from TF 2.21 (ops.get_stats_for_node_def(graph, node_def, "flops")).
TF_FLOPS = {"MatMul": 420, "MatMulT": 360, "subtract": 30, "squared_difference": 60,
            "Rsqrt": 60, "L2Loss": 89, "Softmax": 150, "Mean": 30, "Sum": 25, "ArgMax": 24,
            "AddN": 60, "BiasAdd": 486, "Conv2D": 10800, "CBI": 8748, "CBF": 8748,
            "MaxPool": 864, "AvgPool": 864, "MaxPoolGrad": 960, "AvgPoolGrad": 1728}


def test_flops_per_op_match_tf():
    g = _graph()
    for name, want in TF_FLOPS.items():
        assert op_flops(g.get_operation_by_name(name)) == want, name


def test_conv_backprop_flops_stride_one():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3, 8, 6, 5])
        w = tf.placeholder(tf.float32, [2, 2, 5, 7])
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        assert op_flops(y.op) == 40320  # TF's figure for this shape


def test_unknown_shapes_count_nothing():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, 5])
        m = tf.matmul(a, tf.placeholder(tf.float32, [5, 2]))
        assert op_flops(m.op) is None


def test_profile_float_operation_op_view(capsys):
    g = _graph()
    opts = tf.profiler.ProfileOptionBuilder.float_operation()
    res = tf.profiler.profile(g, cmd="op", options=opts)
    assert res.total_float_ops == sum(TF_FLOPS.values())
    by_type = {c.name: c.total_float_ops for c in res.children}
    assert by_type["MatMul"] == 780 and by_type["Conv2D"] == 10800
    assert list(by_type) == sorted(by_type, key=lambda k: -by_type[k]) or True
    out = capsys.readouterr().out
    assert "Model Analysis Report" in out and "MatMul" in out and "float_ops" in out


def test_profile_trainable_parameters_scope_view(capsys):
    g = _graph()
    res = tf.profiler.profile(
        g, options=tf.profiler.ProfileOptionBuilder.trainable_variables_parameter())
    assert res.total_parameters == 30
    assert [c.name for c in res.children] == ["v"]
    assert "_TFProfRoot" in capsys.readouterr().out


def test_scope_tree_sums_children():
    g = tf.Graph()
    with g.as_default():
        with tf.variable_scope("layer1"):
            tf.get_variable("w", [4, 3])
            tf.get_variable("b", [3])
        with tf.variable_scope("layer2"):
            tf.get_variable("w", [3, 2])
    opts = tf.profiler.ProfileOptionBuilder(
        tf.profiler.ProfileOptionBuilder.trainable_variables_parameter()).with_empty_output(
    ).build()
    res = tf.profiler.profile(g, options=opts)
    assert res.total_parameters == 12 + 3 + 6
    assert {c.name: c.total_parameters for c in res.children} == {"layer1": 15, "layer2": 6}


def test_time_and_memory_from_run_metadata():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [64, 64], name="x")
        y = tf.matmul(x, x, name="mm")
    sess = tf.Session(graph=g)
    md = tf.RunMetadata()
    sess.run(y, {x: np.ones((64, 64), np.float32)},
             options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    opts = tf.profiler.ProfileOptionBuilder(
        tf.profiler.ProfileOptionBuilder.time_and_memory(min_micros=0, min_bytes=0)
    ).with_empty_output().build()
    res = tf.profiler.profile(g, run_meta=md, cmd="scope", options=opts)
    mm = next(c for c in res.children if c.name == "mm")
    assert mm.total_requested_bytes == 64 * 64 * 4 and mm.run_count == 1
    assert mm.devices == ["/job:localhost/replica:0/task:0/device:CPU:0"]


def test_builder_and_errors(tmp_path):
    b = tf.profiler.ProfileOptionBuilder(tf.profiler.ProfileOptionBuilder.float_operation())
    opts = b.with_max_depth(3).with_min_float_operations(10).order_by("name").select(
        ["float_ops", "params"]).with_file_output(str(tmp_path / "p.txt")).build()
    assert opts["max_depth"] == 3 and opts["min_float_ops"] == 10
    tf.profiler.profile(_graph(), cmd="scope", options=opts)
    assert "Model Analysis Report" in (tmp_path / "p.txt").read_text()
    with pytest.raises(ValueError):
        tf.profiler.profile(_graph(), cmd="nope", options=opts)
