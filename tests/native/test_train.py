"""tensorweave.native._train (dense optimizer updates in place) against the NumPy formulas."""
import zlib

import numpy as np
import pytest

from tensorweave import native
from tensorweave.training import training_ops as T

mod = native.load("_train")
pytestmark = pytest.mark.skipif(mod is None, reason="_train not built")


def _numpy_path(fn, *args, **kw):
    saved = native._CACHE.get("_train")
    native._CACHE["_train"] = None
    try:
        fn(*args, **kw)
    finally:
        native._CACHE["_train"] = saved


def _inputs(rng, shape, dtype, n_slots, positive_slots=False, specials=False):
    var = np.asarray(rng.standard_normal(shape), dtype=dtype)
    slots = [np.asarray(rng.standard_normal(shape), dtype=dtype) for _ in range(n_slots)]
    if positive_slots:
        slots = [np.asarray(np.abs(s) + dtype(0.01)) for s in slots]
    grad = np.asarray(rng.standard_normal(shape), dtype=dtype)
    if specials and grad.size >= 4:
        flat = grad.reshape(-1)
        flat[0], flat[1], flat[2] = np.nan, np.inf, -np.inf
        flat[3] = 0
        var.reshape(-1)[-1] = np.nan
    return var, slots, grad


def _check(update, n_slots, scalars, shape, dtype, positive_slots=False, specials=False,
           steps=3, **kw):
    rng = np.random.default_rng(zlib.crc32(repr((shape, np.dtype(dtype).name, n_slots)).encode()))
    var, slots, grad = _inputs(rng, shape, dtype, n_slots, positive_slots, specials)
    a_var, a_slots = var.copy(), [s.copy() for s in slots]
    b_var, b_slots = var.copy(), [s.copy() for s in slots]
    sc = {k: np.asarray(v, dtype=dtype) for k, v in scalars.items()}
    calls = []
    real = {name: getattr(mod, name) for name in ("gd", "momentum", "adam", "adagrad", "rmsprop")}
    for _ in range(steps):
        with np.errstate(all="ignore"):
            _numpy_path(update, a_var, *a_slots, grad=grad, **sc, **kw)
            _spy(real, calls, lambda: update(b_var, *b_slots, grad=grad, **sc, **kw))
    assert calls, "native path not taken"
    np.testing.assert_array_equal(b_var, a_var)
    for x, y in zip(b_slots, a_slots):
        np.testing.assert_array_equal(x, y)
    # bitwise, NaN payload aside
    assert np.array_equal(np.isnan(b_var), np.isnan(a_var))


def _spy(real, calls, fn):
    from tensorweave.runtime import devices

    intra = devices._intra()
    for name, f in real.items():
        setattr(mod, name, lambda *a, _f=f, _n=name: (calls.append(_n), _f(*a))[1])
    if intra is not None:  # big variables may update in blocks on the intra-op threads
        igd = intra.gd
        intra.gd = lambda *a: (calls.append("intra.gd"), igd(*a))[1]
    try:
        fn()
    finally:
        for name, f in real.items():
            setattr(mod, name, f)
        if intra is not None:
            intra.gd = igd


def _gd(var, grad, alpha):
    T._gd(var, alpha, grad)


def _momentum(var, accum, grad, lr, momentum, use_nesterov=False):
    T._momentum(var, accum, lr, grad, momentum, use_nesterov=use_nesterov)


def _adam(var, m, v, grad, use_nesterov=False, **sc):
    T._adam(var, m, v, sc["beta1_power"], sc["beta2_power"], sc["lr"], sc["beta1"],
            sc["beta2"], sc["epsilon"], grad, use_nesterov=use_nesterov)


def _adagrad(var, accum, grad, lr, update_slots=True):
    T._adagrad(var, accum, lr, grad, update_slots=update_slots)


def _rmsprop(var, ms, mom, grad, **sc):
    T._rmsprop(var, ms, mom, sc["lr"], sc["rho"], sc["momentum"], sc["epsilon"], grad)


SHAPES = [(), (1,), (7,), (33, 17), (784, 500), (3, 5, 129)]
DTYPES = [np.float32, np.float64]
ADAM = {"beta1_power": 0.9 ** 3, "beta2_power": 0.999 ** 3, "lr": 0.001, "beta1": 0.9,
        "beta2": 0.999, "epsilon": 1e-8}
RMS = {"lr": 0.01, "rho": 0.9, "momentum": 0.5, "epsilon": 1e-10}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_gd(shape, dtype):
    _check(_gd, 0, {"alpha": 0.1}, shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(shape, dtype, nesterov):
    _check(_momentum, 1, {"lr": 0.1, "momentum": 0.9}, shape, dtype, use_nesterov=nesterov)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("nesterov", [False, True])
def test_adam(shape, dtype, nesterov):
    _check(_adam, 2, ADAM, shape, dtype, positive_slots=True, use_nesterov=nesterov)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("update_slots", [True, False])
def test_adagrad(shape, dtype, update_slots):
    _check(_adagrad, 1, {"lr": 0.1}, shape, dtype, positive_slots=True,
           update_slots=update_slots)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_rmsprop(shape, dtype):
    _check(_rmsprop, 2, RMS, shape, dtype, positive_slots=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nan_inf_propagate(dtype):
    _check(_gd, 0, {"alpha": 0.1}, (5, 7), dtype, specials=True)
    _check(_momentum, 1, {"lr": 0.1, "momentum": 0.9}, (5, 7), dtype, specials=True)
    _check(_adam, 2, ADAM, (5, 7), dtype, positive_slots=True, specials=True)
    _check(_rmsprop, 2, RMS, (5, 7), dtype, positive_slots=True, specials=True)
    _check(_adagrad, 1, {"lr": 0.1}, (5, 7), dtype, positive_slots=True, specials=True)


def test_fallbacks_still_update():
    """Non-contiguous, mixed dtype, aliased and float16 inputs take the NumPy formula."""
    rng = np.random.default_rng(1)
    base = rng.standard_normal((8, 10)).astype(np.float32)
    var = base[:, ::2]  # not contiguous
    grad = np.ones((8, 5), np.float32)
    want = var - np.float32(0.5) * grad
    T._gd(var, np.float32(0.5), grad)
    np.testing.assert_array_equal(var, want)
    v16 = np.ones(4, np.float16)
    T._gd(v16, np.float16(0.5), np.ones(4, np.float16))
    np.testing.assert_array_equal(v16, np.full(4, 0.5, np.float16))
    v = np.ones(6, np.float32)
    T._gd(v, np.float32(0.5), v)  # delta is the variable itself
    np.testing.assert_array_equal(v, np.full(6, 0.5, np.float32))
    v = np.arange(6, dtype=np.float32)
    T._gd(v[1:], np.float32(1), v[:-1])  # overlapping views
    assert v[0] == 0
    v64 = np.ones(3)
    T._gd(v64, np.float64(1), np.ones(3, np.float32))  # mixed dtypes
    np.testing.assert_array_equal(v64, np.zeros(3))


def test_bad_buffers_raise():
    v = np.zeros(10, np.float32)
    with pytest.raises(ValueError):
        mod.gd(v, np.zeros(9, np.float32), 0.1, False)
    with pytest.raises(ValueError):
        mod.gd(np.zeros(9, np.float32), np.zeros(9, np.float32), 0.1, True)  # 36 bytes
    with pytest.raises(ValueError):
        mod.gd(np.zeros(3, np.int8), np.zeros(3, np.int8), 0.1, False)  # not whole floats
    with pytest.raises((TypeError, BufferError)):
        mod.gd(np.zeros(10, np.float32)[::2], np.zeros(5, np.float32), 0.1, False)
    with pytest.raises(TypeError):
        mod.gd(b"\0" * 40, np.zeros(10, np.float32), 0.1, False)  # read-only var
    with pytest.raises(ValueError):
        mod.adam(v, v.copy(), v.copy(), np.zeros(11, np.float32), 0.1, 0.9, 0.1, 0.001, 1e-8,
                 False, False)
    with pytest.raises(ValueError):
        mod.momentum(v, np.zeros(12, np.float32), v.copy(), 0.1, 0.9, 0.09, False, False)


def test_session_gradient_descent_uses_native():
    import tensorweave as tf

    calls = []
    real = mod.gd
    mod.gd = lambda *a: (calls.append(1), real(*a))[1]
    try:
        with tf.Graph().as_default():
            w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
            loss = tf.reduce_sum(w * w)
            train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(train)
                got = sess.run(w)
    finally:
        mod.gd = real
    assert calls
    want = np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5)
    np.testing.assert_array_equal(got, want)


def test_big_gradient_descent_in_blocks_is_bitwise_the_same():
    from tensorweave.kernels import conv
    from tensorweave.runtime import devices

    if devices._intra() is None:
        pytest.skip("_intra not available")
    rng = np.random.default_rng(3)
    var = rng.standard_normal((784, 500)).astype(np.float32)
    grad = rng.standard_normal((784, 500)).astype(np.float32)
    want = var.copy()
    _numpy_path(T._gd, want, np.float32(0.1), grad)
    old, auto = conv._NUM_THREADS, conv._AUTO
    calls = []
    real = devices._INTRA[1].gd
    try:
        conv.set_num_threads(2)
        devices._INTRA[1].gd = lambda *a: (calls.append(1), real(*a))[1]
        T._gd(var, np.float32(0.1), grad)
    finally:
        devices._INTRA[1].gd = real
        conv.set_num_threads(old, auto=auto)
    assert calls
    np.testing.assert_array_equal(var, want)
