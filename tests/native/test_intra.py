"""tensorweave.native._intra: column-block GEMM over native worker threads."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from tensorweave.runtime import devices

mod = devices._intra()
pytestmark = pytest.mark.skipif(mod is None, reason="_intra not built or BLAS not recognised")


def _gemm(x, y, step, nblocks, threads, is64=False, steal=False):
    ax, tx = devices._blas_operand(x)
    ay, ty = devices._blas_operand(y)
    m, k = x.shape
    n = y.shape[1]
    out = np.full((m, n), np.nan, dtype=x.dtype)
    mod.gemm(is64, tx, ty, m, n, k, ax, ax.shape[1], ay, ay.shape[1], out, n, step, nblocks,
             threads, steal)
    return out


@pytest.mark.parametrize("steal", [False, True])
@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matches_numpy_bitwise(threads, ta, tb, steal):
    rng = np.random.default_rng(threads * 4 + 2 * ta + tb)
    for m, k, n in [(100, 784, 500), (37, 1000, 400), (300, 128, 130), (2, 2048, 1024)]:
        a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
        x, y = (a.T if ta else a), (b.T if tb else b)
        step, nblocks = devices._column_blocks(m, k, n, 2)
        np.testing.assert_array_equal(_gemm(x, y, step, nblocks, threads, steal=steal), x @ y)


def test_single_block_is_numpys_call_float32_and_float64():
    rng = np.random.default_rng(5)
    for dt, is64 in [(np.float32, False), (np.float64, True)]:
        x = rng.standard_normal((17, 33)).astype(dt)
        y = rng.standard_normal((33, 9)).astype(dt)
        np.testing.assert_array_equal(_gemm(x, y, 9, 1, 2, is64), x @ y)
        # uneven blocks, last takes the rest: every column written
        got = _gemm(x, y, 2, 4, 2, is64)
        np.testing.assert_allclose(got, x @ y, rtol=1e-5 if dt == np.float32 else 1e-12,
                                   atol=1e-4 if dt == np.float32 else 1e-10)


def test_nan_and_inf_propagate():
    x = np.ones((64, 64), np.float32)
    y = np.ones((64, 128), np.float32)
    x[3, 5] = np.nan
    y[7, 100] = np.inf
    got = _gemm(x, y, 32, 4, 2)
    np.testing.assert_array_equal(got, x @ y)


def test_bad_arguments_raise():
    x = np.ones((4, 8), np.float32)
    y = np.ones((8, 16), np.float32)
    out = np.empty((4, 16), np.float32)
    ok = (False, False, False, 4, 16, 8, x, 8, y, 16, out, 16, 8, 2, 2)
    mod.gemm(*ok)

    def bad(i, v, exc=ValueError):
        args = list(ok)
        args[i] = v
        with pytest.raises(exc):
            mod.gemm(*args)

    bad(3, 5)            # m too big for A and C
    bad(4, 17)           # n too big
    bad(5, 9)            # k too big
    bad(7, 7)            # lda < k
    bad(9, 15)           # ldb < n
    bad(11, 15)          # ldc < n
    bad(6, np.ones((4, 7), np.float32))     # A too small
    bad(12, 0)           # block 0
    bad(13, 3)           # 3 blocks of 8 columns do not split 16
    bad(13, 0)
    bad(12, 17)          # block wider than n
    bad(10, np.ones((4, 16), np.float32)[:, ::2], (ValueError, BufferError, TypeError))
    bad(10, b"\0" * 256, TypeError)         # read-only output
    bad(0, True)         # float32 buffers read as float64: too small
    bad(3, -1)


def test_concurrent_callers_and_many_calls():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((64, 512)).astype(np.float32)
    y = rng.standard_normal((512, 256)).astype(np.float32)
    want = x @ y
    errors = []

    def run():
        try:
            for _ in range(50):
                np.testing.assert_array_equal(_gemm(x, y, 64, 4, 2), want)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert mod.stats()["workers"] >= 1


def test_spin_setting():
    old = mod.set_spin(50.0)
    try:
        assert mod.set_spin(0.0) == 50.0
        x = np.ones((64, 256), np.float32)
        y = np.ones((256, 256), np.float32)
        for _ in range(5):  # workers sleep at once and are woken for each job
            np.testing.assert_array_equal(_gemm(x, y, 64, 4, 2), x @ y)
        with pytest.raises(ValueError):
            mod.set_spin(-1.0)
    finally:
        mod.set_spin(old)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_forked_child_restarts_workers():
    code = (
        "import os, numpy as np\n"
        "from tensorweave.runtime import devices\n"
        "m = devices._intra()\n"
        "x = np.ones((64, 256), np.float32); y = np.ones((256, 256), np.float32)\n"
        "def g():\n"
        "    out = np.empty((64, 256), np.float32)\n"
        "    m.gemm(False, False, False, 64, 256, 256, x, 256, y, 256, out, 256, 64, 4, 2)\n"
        "    return out\n"
        "g()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    ok = (g() == 256).all()\n"
        "    os._exit(0 if ok else 3)\n"
        "_, st = os.waitpid(pid, 0)\n"
        "raise SystemExit(os.waitstatus_to_exitcode(st))\n")
    r = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert r.returncode == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_gd_blocks_match_numpy_bitwise(dtype, threads):
    rng = np.random.default_rng(11)
    for n, block, nblocks in [(1, 1, 1), (17, 4, 4), (1000, 64, 15), (300001, 65536, 4)]:
        var = rng.standard_normal(n).astype(dtype)
        delta = rng.standard_normal(n).astype(dtype)
        if n > 4:
            delta[:3] = [np.nan, np.inf, -np.inf]
        want = var.copy()
        want -= dtype(0.1) * delta
        mod.gd(var, delta, float(dtype(0.1)), dtype == np.float64, block, nblocks, threads)
        np.testing.assert_array_equal(var, want)


def test_gd_bad_arguments():
    v = np.zeros(10, np.float32)
    with pytest.raises(ValueError):
        mod.gd(v, np.zeros(9, np.float32), 0.1, False, 5, 2, 2)
    with pytest.raises(ValueError):
        mod.gd(v, np.zeros(10, np.float32), 0.1, False, 5, 3, 2)  # 3 blocks of 5 > 10
    with pytest.raises(ValueError):
        mod.gd(v, np.zeros(10, np.float32), 0.1, False, 0, 1, 2)
    with pytest.raises(ValueError):
        mod.gd(v, np.zeros(10, np.float32), 0.1, False, 11, 1, 2)
    with pytest.raises(ValueError):
        mod.gd(np.zeros(3, np.float32), np.zeros(3, np.float32), 0.1, True, 1, 1, 2)
    with pytest.raises(TypeError):
        mod.gd(b"\0" * 40, np.zeros(10, np.float32), 0.1, False, 5, 2, 2)
    mod.gd(np.zeros(0, np.float32), np.zeros(0, np.float32), 0.1, False, 1, 1, 2)


def test_late_workers_blocks_are_taken_back():
    """Workers made slow (test hook): the caller takes their blocks back, results unchanged,
    and buffers a late worker may still read are kept until it has left."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((64, 512)).astype(np.float32)
    y = rng.standard_normal((512, 512)).astype(np.float32)
    want = x @ y
    before = mod.stats()["taken_back"]
    mod.set_worker_delay(20000.0)  # 20 ms per block
    try:
        for _ in range(5):
            a, b = x.copy(), y.copy()
            np.testing.assert_array_equal(_gemm(a, b, 64, 8, 2, steal=True), want)
            del a, b  # freed only when the worker has left (kept in pending buffers)
    finally:
        mod.set_worker_delay(0.0)
    assert mod.stats()["taken_back"] > before
    import time

    time.sleep(0.1)
    np.testing.assert_array_equal(_gemm(x, y, 64, 8, 2, steal=True), want)
    with pytest.raises(ValueError):
        mod.set_worker_delay(-1.0)


def test_steal_mode_many_blocks_falls_back_to_plain_blocks():
    x = np.ones((8, 64), np.float32)
    y = np.ones((64, 200), np.float32)
    np.testing.assert_array_equal(_gemm(x, y, 2, 100, 2, steal=True), x @ y)
