"""Intra-op MatMul split (runtime/devices.py) and the load policy (kernels/conv.py)."""
import functools

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.kernels import conv
from tensorweave.ops.math_ops import _matmul
from tensorweave.runtime import devices


@pytest.fixture
def threads():
    old_n, old_auto = conv._NUM_THREADS, conv._AUTO

    def set_(n, native=True):
        conv.set_num_threads(n)
        devices._INTRA[:] = [False, None] if native else [True, None]

    yield set_
    conv.set_num_threads(old_n, auto=old_auto)
    devices._INTRA[:] = [False, None]


def test_column_blocks_cover_n_with_big_aligned_blocks():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        m, k, n = (int(v) for v in rng.integers(1, 3000, 3))
        t = int(rng.integers(2, 9))
        step, count = devices._column_blocks(m, k, n, t)
        if count == 1:
            continue
        assert step % 16 == 0 and (count - 1) * step < n
        widths = [step] * (count - 1) + [n - (count - 1) * step]
        assert min(widths) >= 16
        assert all(m * k * w >= devices._BLOCK_MIN_MACS for w in widths)
        assert m * k * n >= devices._SPLIT_MIN_MACS


@pytest.mark.parametrize("native", [True, False])
def test_split_matmul_is_bitwise_the_full_gemm(threads, native):
    rng = np.random.default_rng(1 + native)
    done = 0
    for _ in range(120):
        m, k, n = (int(v) for v in rng.integers(2, 1200, 3))
        if rng.random() < 0.5:
            m = int(rng.integers(2, 160))
        ta, tb = bool(rng.integers(2)), bool(rng.integers(2))
        a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
        x, y = (a.T if ta else a), (b.T if tb else b)
        want = x @ y
        for t in (2, 3):
            threads(t, native)
            if devices._column_blocks(m, k, n, t)[1] > 1:
                done += 1
            fn = functools.partial(_matmul, transpose_a=ta, transpose_b=tb)
            np.testing.assert_array_equal(devices._split_matmul(fn, ta, tb, a, b), want)
    assert done > 50


def test_split_matmul_edge_inputs(threads):
    threads(2)
    mm = np.matmul
    mm_bt = functools.partial(_matmul, transpose_b=True)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((128, 512)).astype(np.float32)
    # the same buffer on both sides (NumPy may use syrk): not split
    np.testing.assert_array_equal(devices._split_matmul(mm_bt, False, True, x, x), x @ x.T)
    # non-contiguous operand views
    big = rng.standard_normal((512, 1024)).astype(np.float32)
    y = big[:, ::2]
    np.testing.assert_array_equal(devices._split_matmul(mm, False, False, x, y), x @ y)
    # float64 and mixed dtypes run the registered kernel
    x64 = x.astype(np.float64)
    np.testing.assert_array_equal(devices._split_matmul(mm, False, False, x64, big[:, :512]
                                                        .astype(np.float64)),
                                  x64 @ big[:, :512].astype(np.float64))
    # NaN/Inf propagate as in the full GEMM
    x[5, 7] = np.nan
    z = rng.standard_normal((512, 400)).astype(np.float32)
    z[9, 300] = np.inf
    np.testing.assert_array_equal(devices._split_matmul(mm, False, False, x, z), x @ z)


def test_session_mlp_same_bits_whatever_the_threads():
    rng = np.random.default_rng(4)
    xv = rng.standard_normal((100, 784)).astype(np.float32)
    w0 = (rng.standard_normal((784, 500)) * 0.05).astype(np.float32)

    def run(intra):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 784])
            w = tf.Variable(w0)
            loss = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)))
            train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
            cfg = tf.ConfigProto(intra_op_parallelism_threads=intra)
            with tf.Session(config=cfg) as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    sess.run(train, {x: xv})
                return sess.run(w)

    try:
        np.testing.assert_array_equal(run(1), run(2))
        np.testing.assert_array_equal(run(1), run(0))
    finally:
        devices.configure_threads(tf.ConfigProto())


def test_float64_matmul_is_not_split():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float64, [100, 784])
        b = tf.placeholder(tf.float64, [784, 500])
        op = tf.matmul(a, b).op
        f = object()
        assert devices.intra_op_kernel(op, f) is f


def test_spare_threads_counts_other_processes_only(threads, monkeypatch):
    """Our own CPU time (spinning workers included) is not load; others' is."""
    threads(2)
    conv.set_num_threads(2, auto=True)
    clock = {"wall": 100.0, "cpu": 10.0, "busy": 1000.0}
    monkeypatch.setattr(conv.time, "monotonic", lambda: clock["wall"])
    monkeypatch.setattr(conv.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(conv, "_cpu_busy", lambda: clock["busy"])
    monkeypatch.setattr(conv.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(conv, "_LOAD", dict(conv._LOAD, checked=-1.0))

    def after(dt, own, others):
        clock["wall"] += dt
        clock["cpu"] += own * dt
        clock["busy"] += (own + others) * dt
        return conv._spare_threads()

    assert conv._spare_threads() == 2  # first call: nothing measured yet
    assert after(0.2, 2.0, 0.0) == 2   # we keep both cores busy: still idle for others
    assert after(0.2, 1.0, 0.9) == 1   # another process takes most of a core
    assert after(0.05, 1.0, 0.0) == 1  # not re-sampled within the interval
    assert after(0.2, 1.0, 0.2) == 2
    assert after(0.2, 0.5, 1.2) == 1
    assert conv._threads_for(1 << 30, 4) == 1
    assert after(0.2, 1.0, 0.0) == 2
    assert conv._threads_for(1 << 30, 4) == 2
    assert conv._threads_for(1, 4) == 1  # too small to split
    assert not conv._LOAD["saturated"]
    # others saturate the machine: a fair share per thread, so split (workers sleep)
    assert after(0.2, 0.5, 1.7) == 2 and conv._LOAD["saturated"]
    assert after(0.2, 1.0, 0.1) == 2 and not conv._LOAD["saturated"]


def test_spare_threads_without_proc_stat(threads, monkeypatch):
    threads(2)
    conv.set_num_threads(2, auto=True)
    monkeypatch.setattr(conv, "_cpu_busy", lambda: None)
    monkeypatch.setattr(conv.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    monkeypatch.setattr(conv, "_LOAD", dict(conv._LOAD, checked=-1.0))
    conv._spare_threads()
    conv._LOAD["checked"] -= 1.0
    conv._LOAD["wall"] -= 1.0
    assert conv._spare_threads() == 1


def test_automatic_config_uses_the_load_policy():
    try:
        devices.configure_threads(tf.ConfigProto())
        assert conv._AUTO and conv._NUM_THREADS == min(devices.cpu_count(), 8)
        devices.configure_threads(tf.ConfigProto(intra_op_parallelism_threads=2))
        assert not conv._AUTO and conv._NUM_THREADS == 2
    finally:
        devices.configure_threads(tf.ConfigProto())
