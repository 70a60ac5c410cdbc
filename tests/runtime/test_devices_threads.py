"""log_device_placement (TF's format), soft placement, gpu_options, intra-op threads."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.kernels import conv
from tensorweave.runtime import devices

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def test_log_device_placement_prints_graph_once_like_tf(capsys):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([1.0, 2.0], name="a")
        b = tf.constant([3.0, 4.0], name="b")
        c = a * b
        d = tf.add(a, 1.0, name="unused")
    sess = tf.Session(graph=g, config=tf.ConfigProto(log_device_placement=True))
    np.testing.assert_array_equal(sess.run(c), [3.0, 8.0])
    sess.run([c, d])
    out = capsys.readouterr().out.splitlines()
    # TF 2.21 prints exactly these lines (ops with inputs first, then generator ops).
    assert out == ["mul: (Mul): " + CPU, "unused: (AddV2): " + CPU, "a: (Const): " + CPU,
                   "b: (Const): " + CPU, "unused/y: (Const): " + CPU]


def test_new_ops_are_logged_when_the_graph_grows(capsys):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        sess = tf.Session(graph=g, config=tf.ConfigProto(log_device_placement=True))
        sess.run(a)
        b = tf.negative(a, name="neg")
        sess.run(b)
    out = capsys.readouterr().out.splitlines()
    assert out == ["a: (Const): " + CPU, "neg: (Neg): " + CPU]


def test_soft_placement_and_gpu_options():
    g = tf.Graph()
    with g.as_default(), tf.device("/device:GPU:0"):
        x = tf.constant(2.0) * 3.0
    cfg = tf.ConfigProto(allow_soft_placement=True)
    cfg.gpu_options.allow_growth = True
    cfg.gpu_options.per_process_gpu_memory_fraction = 0.5
    assert tf.Session(graph=g, config=cfg).run(x) == 6.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="allow_soft_placement"):
        tf.Session(graph=g, config=tf.ConfigProto(allow_soft_placement=False)).run(x)


def test_intra_op_threads_set_blas_and_conv_threads():
    old_conv = conv.set_num_threads(1)
    try:
        tf.Session(graph=tf.Graph(), config=tf.ConfigProto(intra_op_parallelism_threads=1))
        assert conv._NUM_THREADS == 1
        if devices.blas_threads() is not None:
            assert devices.blas_threads() == 1
        tf.Session(graph=tf.Graph(), config=tf.ConfigProto(intra_op_parallelism_threads=2))
        assert conv._NUM_THREADS == 2
    finally:
        conv.set_num_threads(old_conv)
        devices.configure_threads(tf.ConfigProto())


def test_conv_results_do_not_depend_on_split_for_forward():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 10, 10, 8)).astype(np.float32)
    w = rng.standard_normal((3, 3, 8, 16)).astype(np.float32)
    dy = rng.standard_normal((6, 10, 10, 16)).astype(np.float32)
    old = conv.set_num_threads(1)
    small = conv._PARALLEL_MIN_MACS
    try:
        conv._PARALLEL_MIN_MACS = 0
        y1 = conv.conv2d(x, w, [1, 1, 1, 1], "SAME")
        f1 = conv.conv2d_backprop_filter(x, [3, 3, 8, 16], dy, [1, 1, 1, 1], "SAME")
        conv.set_num_threads(3)
        y3 = conv.conv2d(x, w, [1, 1, 1, 1], "SAME")
        f3 = conv.conv2d_backprop_filter(x, [3, 3, 8, 16], dy, [1, 1, 1, 1], "SAME")
    finally:
        conv._PARALLEL_MIN_MACS = small
        conv.set_num_threads(old)
    np.testing.assert_array_equal(y1, y3)
    np.testing.assert_allclose(f1, f3, rtol=1e-5, atol=1e-4)
    assert y3.dtype == np.float32 and f3.dtype == np.float32


def test_device_lib_and_session_devices():
    (d,) = devices.list_local_devices()
    assert d.name == "/device:CPU:0" and d.device_type == "CPU" and d.memory_limit > 0
    assert 'device_type: "CPU"' in str(d)
    (s,) = tf.Session(graph=tf.Graph()).list_devices()
    assert s.name == CPU and s.device_type == "CPU"
