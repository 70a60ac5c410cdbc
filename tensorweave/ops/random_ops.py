"""Random ops (RandomUniform, RandomStandardNormal, TruncatedNormal, RandomUniformInt,
RandomShuffle, Multinomial, RandomGamma), graph/op seeds and the tf.random* wrappers.

Seeds follow TF's `random_seed.get_seed`: the graph-level seed (`tf.set_random_seed`, stored
on `graph.seed`) and the op seed become the `seed`/`seed2` attrs; with only a graph seed the op
seed comes from a per-graph counter (TF 2.x's compat.v1 rule). Kernels draw from
`session_state.rng_for(op, (seed, seed2))`: one stream per op per session, reproducible when a
seed is set. TF's Philox bit streams are not reproduced.
"""
import numpy as np

from tensorweave.framework import dtypes, registry, tensor_shape, tensor_util
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.ops import nn_ops
from tensorweave.ops.nn_ops import _I32, _bin_c, _const, _g, _op, _shape, _t

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1


# ========================================================================= seeds
def set_random_seed(seed):
    """tf.set_random_seed: sets the graph-level seed of the default graph."""
    graph_lib.get_default_graph().seed = seed


def _truncate_seed(seed):
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """tf.get_seed: the (seed, seed2) pair an op uses, TF's rules."""
    g = graph_lib.get_default_graph()
    global_seed = g.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = getattr(g, "_tw_op_seed_counter", 0)
            g._tw_op_seed_counter = op_seed + 1
        seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
    else:
        if op_seed is not None:
            seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
        else:
            seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def _seed_attrs(seed):
    s1, s2 = get_seed(seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


# ======================================================================= kernels
def _random_shape_fn(op):
    return [tensor_util.constant_value_as_shape(op.inputs[0])]


def _shape_of(arr):
    return tuple(int(d) for d in np.asarray(arr).reshape(-1))


def _rng(op, state):
    a = op._attrs
    return state.rng_for(op, (a.get("seed", 0) or 0, a.get("seed2", 0) or 0))


def _uniform_factory(op, state):
    rng = _rng(op, state)
    dt = op._attrs["dtype"].np_dtype

    def kernel(shape):
        if dt in (np.float32, np.float64):
            return rng.random(_shape_of(shape), dtype=dt)
        return rng.random(_shape_of(shape)).astype(dt)

    return kernel


def _normal_factory(op, state):
    rng = _rng(op, state)
    dt = op._attrs["dtype"].np_dtype

    def kernel(shape):
        if dt in (np.float32, np.float64):
            return rng.standard_normal(_shape_of(shape), dtype=dt)
        return rng.standard_normal(_shape_of(shape)).astype(dt)

    return kernel


def _truncated_normal(rng, shape, dt):
    """Standard normals resampled until inside [-2, 2] (TF's TruncatedNormal)."""
    work = dt if dt in (np.float32, np.float64) else np.float32
    x = rng.standard_normal(shape, dtype=work)
    bad = np.flatnonzero(np.abs(x) > 2)
    flat = x.reshape(-1)
    while bad.size:
        flat[bad] = rng.standard_normal(bad.size, dtype=work)
        bad = bad[np.abs(flat[bad]) > 2]
    return x.astype(dt, copy=False)


def _truncated_factory(op, state):
    rng = _rng(op, state)
    dt = op._attrs["dtype"].np_dtype
    return lambda shape: _truncated_normal(rng, _shape_of(shape), dt)


def _uniform_int_factory(op, state):
    rng = _rng(op, state)
    dt = op._attrs["Tout"].np_dtype

    def kernel(shape, minval, maxval):
        lo, hi = int(np.asarray(minval)), int(np.asarray(maxval))
        if np.asarray(minval).ndim or np.asarray(maxval).ndim:
            raise ValueError("minval must be 0-D, got shape %s" % (np.asarray(minval).shape,))
        if lo >= hi:
            raise ValueError("Need minval < maxval: %d >= %d" % (lo, hi))
        return rng.integers(lo, hi, size=_shape_of(shape), dtype=dt)

    return kernel


def _shuffle_factory(op, state):
    rng = _rng(op, state)

    def kernel(value):
        value = np.asarray(value)
        if value.ndim == 0:
            return value.copy()
        return value[rng.permutation(value.shape[0])]

    return kernel


def _multinomial_factory(op, state):
    rng = _rng(op, state)
    out_dt = op._attrs.get("output_dtype", dtypes.int64).np_dtype

    def kernel(logits, num_samples):
        logits = np.asarray(logits, dtype=np.float64)
        n = int(num_samples)
        b, c = logits.shape
        if c == 0:
            raise ValueError("num_classes should be positive, got 0")
        if b == 0 or n == 0:
            return np.zeros((b, n), dtype=out_dt)
        m = np.max(np.where(np.isfinite(logits), logits, -np.inf), axis=1, keepdims=True)
        p = np.exp(logits - m)
        cdf = np.cumsum(p, axis=1)
        cdf /= cdf[:, -1:]
        rows = np.arange(b, dtype=np.float64)[:, None]
        u = rng.random((b, n))
        # NOTE: adding the row index makes the per-row CDFs one sorted array.
        idx = np.searchsorted((cdf + rows).reshape(-1), (u + rows).reshape(-1), side="right")
        res = idx.reshape(b, n) - (np.arange(b)[:, None] * c)
        return np.minimum(res, c - 1).astype(out_dt)

    return kernel


def _gamma_factory(op, state):
    rng = _rng(op, state)

    def kernel(shape, alpha):
        alpha = np.asarray(alpha)
        s = _shape_of(shape) + alpha.shape
        return rng.gamma(np.broadcast_to(alpha.astype(np.float64), s)).astype(alpha.dtype)

    return kernel


_SEEDS = {"seed": 0, "seed2": 0}

register_op("RandomUniform", inputs=["shape: T"], outputs=["output: dtype"],
            attrs=dict(_SEEDS, dtype=TYPE, T=TYPE), shape_fn=_random_shape_fn,
            kernel_factory=_uniform_factory, stateful=True)
register_op("RandomStandardNormal", inputs=["shape: T"], outputs=["output: dtype"],
            attrs=dict(_SEEDS, dtype=TYPE, T=TYPE), shape_fn=_random_shape_fn,
            kernel_factory=_normal_factory, stateful=True)
register_op("TruncatedNormal", inputs=["shape: T"], outputs=["output: dtype"],
            attrs=dict(_SEEDS, dtype=TYPE, T=TYPE), shape_fn=_random_shape_fn,
            kernel_factory=_truncated_factory, stateful=True)


def _uniform_int_shape(op):
    for i in (1, 2):
        s = op.inputs[i].shape
        if s.ndims is not None and s.ndims != 0:
            raise ValueError("Shape must be rank 0 but is rank %d" % s.ndims)
    return _random_shape_fn(op)


register_op("RandomUniformInt", inputs=["shape: T", "minval: Tout", "maxval: Tout"],
            outputs=["output: Tout"], attrs=dict(_SEEDS, Tout=TYPE, T=TYPE),
            shape_fn=_uniform_int_shape, kernel_factory=_uniform_int_factory, stateful=True)
register_op("RandomShuffle", inputs=["value: T"], outputs=["output: T"],
            attrs=dict(_SEEDS, T=TYPE), shape_fn=registry.unchanged_shape,
            kernel_factory=_shuffle_factory, stateful=True)


def _multinomial_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % s.ndims)
    b = s.as_list()[0] if s.ndims is not None else None
    n = tensor_util.constant_value(op.inputs[1])
    return [tensor_shape.TensorShape([b, None if n is None else int(n)])]


register_op("Multinomial", inputs=["logits: T", "num_samples: int32"],
            outputs=["output: output_dtype"],
            attrs=dict(_SEEDS, T=TYPE, output_dtype=dtypes.int64),
            shape_fn=_multinomial_shape, kernel_factory=_multinomial_factory, stateful=True)


def _gamma_shape(op):
    s = tensor_util.constant_value_as_shape(op.inputs[0])
    return [s.concatenate(op.inputs[1].shape)]


register_op("RandomGamma", inputs=["shape: S", "alpha: T"], outputs=["output: T"],
            attrs=dict(_SEEDS, S=TYPE, T=TYPE), shape_fn=_gamma_shape,
            kernel_factory=_gamma_factory, stateful=True)


# ====================================================================== wrappers
def _shape_tensor(shape):
    """TF's shape_util.shape_tensor: a Python shape becomes an int32 Const named 'shape'."""
    if isinstance(shape, graph_lib.Tensor):
        return shape
    if isinstance(shape, tensor_shape.TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(isinstance(s, graph_lib.Tensor) for s in shape):
        return nn_ops._autopack(list(shape), "shape")
    arr = np.asarray(shape)
    if arr.dtype.kind not in "iu" and arr.size:
        arr = arr.astype(np.int64)
    dt = np.int64 if arr.size and (arr.max() > _MAXINT32) else np.int32
    return _const(arr.astype(dt).reshape(-1) if arr.ndim else arr.astype(dt), name="shape")


def _maybe_set_static_shape(result, shape):
    if not isinstance(shape, graph_lib.Tensor):
        return
    result.set_shape(tensor_util.constant_value_as_shape(shape))


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_uniform / tf.random.uniform."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64,
                     dtypes.int32, dtypes.int64):
        raise ValueError("Argument `dtype` got invalid value %s. Accepted dtypes are "
                         "float16, bfloat16, float32, float64, int32, int64." % dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    with graph_lib.name_scope(name, "random_uniform", [shape, minval, maxval]) as name:
        shape = _shape_tensor(shape)
        minval_is_zero = isinstance(minval, int) and not isinstance(minval, bool) and minval == 0
        maxval_is_one = isinstance(maxval, int) and not isinstance(maxval, bool) and maxval == 1
        if not minval_is_zero or not maxval_is_one or dtype.is_integer:
            minval = _t(minval, dtype=dtype, name="min")
            maxval = _t(maxval, dtype=dtype, name="max")
        seeds = _seed_attrs(seed)
        if dtype.is_integer:
            result = out(registry.apply_op("RandomUniformInt", [shape, minval, maxval],
                                           name=name, **seeds))
        else:
            result = _op("RandomUniform", [shape], dtype=dtype, **seeds)
            if minval_is_zero:
                if not maxval_is_one:
                    result = _op("Mul", [result, maxval])
            else:
                rng = _op("Sub", [maxval, minval], name="sub")
                result = _op("AddV2", [_op("Mul", [result, rng], name="mul"), minval],
                             name=name)
        _maybe_set_static_shape(result, shape)
        return result


def _normal_like(op_type, default, shape, mean, stddev, dtype, seed, name):
    dtype = dtypes.as_dtype(dtype)
    with graph_lib.name_scope(name, default, [shape, mean, stddev]) as name:
        shape_tensor = _shape_tensor(shape)
        mean_tensor = _t(mean, dtype=dtype, name="mean")
        stddev_tensor = _t(stddev, dtype=dtype, name="stddev")
        rnd = _op(op_type, [shape_tensor], dtype=dtype, **_seed_attrs(seed))
        mul = _op("Mul", [rnd, stddev_tensor], name="mul")
        value = _op("AddV2", [mul, mean_tensor], name=name)
        _maybe_set_static_shape(value, shape_tensor)
        return value


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_normal / tf.random.normal."""
    return _normal_like("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype,
                        seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """tf.truncated_normal: normals beyond 2 stddev are redrawn."""
    return _normal_like("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype,
                        seed, name)


def random_shuffle(value, seed=None, name=None):
    """tf.random_shuffle / tf.random.shuffle: permutes along the first dimension."""
    return _op("RandomShuffle", [value], name=name, **_seed_attrs(seed))


def _multinomial_impl(logits, num_samples, dtype, seed):
    logits = _t(logits, name="logits")
    dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError("Argument `dtype` got invalid value %s. Accepted dtypes are int32, "
                         "int64." % dtype)
    with _g().name_scope("Multinomial") as scope:
        ns = num_samples if isinstance(num_samples, graph_lib.Tensor) else \
            _const(num_samples, _I32, name="num_samples")
        return _op("Multinomial", [logits, ns], name=scope, output_dtype=dtype,
                   **_seed_attrs(seed))


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """tf.multinomial: class indices drawn from softmax(logits) per row."""
    with graph_lib.name_scope(name, "multinomial", [logits]):
        return _multinomial_impl(logits, num_samples, output_dtype, seed)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """tf.random.categorical."""
    with graph_lib.name_scope(name, "categorical", [logits]):
        return _multinomial_impl(logits, num_samples, dtype, seed)


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_gamma / tf.random.gamma (shape ++ alpha.shape samples)."""
    dtype = dtypes.as_dtype(dtype)
    with graph_lib.name_scope(name, "random_gamma", [shape, alpha, beta]):
        shape = _t(shape, name="shape", dtype=_I32)
        alpha = _t(alpha, name="alpha", dtype=dtype)
        beta = _t(beta if beta is not None else 1, name="beta", dtype=dtype)
        g = _op("RandomGamma", [shape, alpha], **_seed_attrs(seed))
        tiny = float(np.finfo(dtype.np_dtype).tiny)
        return _op("Maximum", [_const(tiny, dtype, name="Maximum/x"),
                               _op("RealDiv", [g, beta], name="truediv")])


def random_crop(value, size, seed=None, name=None):
    """tf.random_crop / tf.image.random_crop: a random `size` slice of `value`."""
    with graph_lib.name_scope(name, "random_crop", [value, size]) as name:
        value = _t(value, name="value")
        size = _t(size, dtype=_I32, name="size")
        shape = _shape(value)
        ge = _op("GreaterEqual", [shape, size])
        all_ok = nn_ops._reduce("All", ge, None)
        check = None
        try:
            with _g().name_scope("Assert"), _g().name_scope("Assert") as scope:
                msg = _const("Need value.shape >= size, got ", name="data_0")
                check = registry.apply_op("Assert", [all_ok, [msg, shape, size]],
                                          name=scope, summarize=1000)
        except LookupError:
            check = None
        if check is not None:
            with _g().control_dependencies([check]):
                shape = _op("Identity", [shape], name="control_dependency")
        limit = _bin_c("AddV2", _op("Sub", [shape, size], name="sub"), 1, "add")
        offset = random_uniform(_shape(shape), dtype=size.dtype.base_dtype,
                                maxval=size.dtype.base_dtype.max, seed=seed)
        offset = _op("FloorMod", [offset, limit], name="mod")
        return _op("Slice", [value, offset, size], name=name)
