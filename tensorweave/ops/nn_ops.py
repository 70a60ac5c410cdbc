"""Neural-network ops: activations, bias, softmax and cross-entropy, convolution, pooling,
LRN, batch normalisation, dropout and the tf.nn wrappers that build them.

Heavy kernels (convolution, pooling, LRN) live in `tensorweave.kernels`; this module registers
TF's op types around them, with TF's attrs, static shapes and gradients (TF's nn_grad.py).
Composite wrappers reproduce the graphs TF 2.x's `tf.compat.v1` builds, op for op, so tensor
names match real TensorFlow.
"""
import numbers

import numpy as np

from tensorweave.framework import dtypes, registry, tensor_shape, tensor_util
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.kernels import conv as conv_k
from tensorweave.kernels import elementwise as ew_k
from tensorweave.kernels import lrn as lrn_k
from tensorweave.kernels import pool as pool_k

_I32 = dtypes.int32


# ============================================================ graph-building helpers
def _g():
    return graph_lib.get_default_graph()


def _op(op_type, inputs, name=None, **attrs):
    """Builds one op and returns its first output."""
    return out(registry.apply_op(op_type, inputs, name=name, **attrs))


def _t(x, name=None, dtype=None, preferred_dtype=None):
    return registry.convert_to_tensor(x, dtype=dtype, name=name, preferred_dtype=preferred_dtype)


def _const(value, dtype=None, name="Const"):
    if dtype is not None:
        arr = np.asarray(value, dtype=dtypes.as_dtype(dtype).np_dtype)
    else:
        arr = tensor_util.to_array(value)
    return registry.constant_op(arr, name=name)


def _shape(x, name="Shape", out_type=_I32):
    """TF 2.x array_ops.shape: a Const when the static shape is fully known."""
    s = x.shape
    if s.is_fully_defined():
        return _const(s.as_list(), out_type, name=name)
    return _op("Shape", [x], name=name, out_type=out_type)


def _rank(x, name="Rank"):
    n = x.shape.ndims
    if n is not None:
        return _const(n, _I32, name=name)
    return _op("Rank", [x], name=name)


def _autopack(values, name, dtype=_I32):
    """TF's auto-packing of a Python list holding tensors: a Pack op named `name`."""
    with _g().name_scope(name) as scope:
        elems = [v if isinstance(v, graph_lib.Tensor) else _const(v, dtype, name=str(i))
                 for i, v in enumerate(values)]
        return _op("Pack", [elems], name=scope, axis=0)


def _arg(v, name, dtype=_I32):
    """A tensor, a list with tensors (packed) or a constant list, converted as TF does."""
    if isinstance(v, graph_lib.Tensor):
        return v
    if isinstance(v, (list, tuple)) and any(isinstance(e, graph_lib.Tensor) for e in v):
        return _autopack(v, name, dtype)
    return _const(v, dtype, name=name)


def _concat(values, axis=0, name="concat"):
    with _g().name_scope(name) as scope:
        vals = [_arg(v, "values_%d" % i) for i, v in enumerate(values)]
        ax = _const(axis, _I32, name="axis")
        return _op("ConcatV2", [vals, ax], name=scope)


def _slice(x, begin, size, name="Slice"):
    with _g().name_scope(name) as scope:
        b = _arg(begin, "begin")
        s = _arg(size, "size")
        return _op("Slice", [x, b, s], name=scope)


def _sub(x, y, name="Sub"):
    return _op("Sub", [x, y], name=name)


def _range(start, limit=None, delta=1, name="range"):
    if limit is None:
        start, limit = 0, start
    with _g().name_scope(name) as scope:
        s = _arg(start, "start")
        lim = _arg(limit, "limit")
        d = _arg(delta, "delta")
        return _op("Range", [s, lim, d], name=scope)


def _reshape(x, shape, name="Reshape"):
    with _g().name_scope(name) as scope:
        s = _arg(shape, "shape")
        return _op("Reshape", [x, s], name=scope)


def _transpose(x, perm, name="transpose"):
    with _g().name_scope(name) as scope:
        p = _arg(perm, "perm")
        return _op("Transpose", [x, p], name=scope)


def _reduce(op_type, x, axis, keepdims=False, name=None):
    """Sum/Mean/... with TF's constant naming ('<name>/reduction_indices' or 'Const')."""
    if axis is None:
        n = x.shape.ndims
        if n is not None:
            ax = _const(list(range(n)), _I32)
        else:
            ax = _range(0, _rank(x), 1)
    else:
        ax = None
    with _g().name_scope(name or op_type) as scope:
        if ax is None:
            ax = _arg(axis, "reduction_indices")
        return _op(op_type, [x, ax], name=scope, keep_dims=bool(keepdims))


def _expand_dims(x, axis, name="ExpandDims"):
    with _g().name_scope(name) as scope:
        a = _arg(axis, "dim")
        return _op("ExpandDims", [x, a], name=scope)


def _squeeze(x, axis, name="Squeeze"):
    return _op("Squeeze", [x], name=name, squeeze_dims=list(axis))


def _zeros_like(x, name="zeros_like"):
    return _op("ZerosLike", [x], name=name)


def _lookup(new_name, new_value, old_name, old_value):
    """deprecated_argument_lookup."""
    if old_value is not None:
        if new_value is not None:
            raise ValueError("Cannot specify both '%s' and '%s'" % (old_name, new_name))
        return old_value
    return new_value


def _attr_str(v):
    return v.decode() if isinstance(v, bytes) else v


# ================================================================== activations
def _unary(op_type, kernel, grad, inputs=("features: T",), outputs=("activations: T",),
           attrs=None, kernel_attrs=()):
    a = {"T": TYPE}
    a.update(attrs or {})
    register_op(op_type, inputs=list(inputs), outputs=list(outputs), attrs=a,
                shape_fn=registry.unchanged_shape, kernel=kernel, kernel_attrs=kernel_attrs,
                grad=grad)


def _binary_same_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    try:
        return [a.merge_with(b)]
    except ValueError:
        raise ValueError("Dimensions must be equal, but are %s and %s" % (a, b))


def _unary_grad_op(op_type, kernel, grad=None, attrs=None, kernel_attrs=()):
    a = {"T": TYPE}
    a.update(attrs or {})
    register_op(op_type, inputs=["gradients: T", "features: T"], outputs=["backprops: T"],
                attrs=a, shape_fn=_binary_same_shape, kernel=kernel,
                kernel_attrs=kernel_attrs, grad=grad)


def _relu(x):
    r = ew_k.relu(x)  # C pass for big float arrays (same numbers)
    return r if r is not None else np.maximum(x, x.dtype.type(0))


def _relu_grad(g, f):
    r = ew_k.relu_grad(g, f)
    return r if r is not None else np.multiply(g, f > 0)


def _ReluGrad(op, grad):
    return _op("ReluGrad", [grad, op.outputs[0]])


def _ReluGradGrad(op, grad):
    x = op.inputs[1]
    return _op("ReluGrad", [grad, x]), _zeros_like(x)


_unary("Relu", _relu, _ReluGrad)
_unary_grad_op("ReluGrad", _relu_grad, _ReluGradGrad)


def _relu6(x):
    r = np.maximum(x, x.dtype.type(0))
    return np.minimum(r, x.dtype.type(6), out=r)


def _relu6_grad(g, f):
    return np.multiply(g, (f > 0) & (f < 6))


def _Relu6Grad(op, grad):
    return _op("Relu6Grad", [grad, op.inputs[0]])


def _Relu6GradGrad(op, grad):
    x = op.inputs[1]
    return _op("Relu6Grad", [grad, x]), _op("Fill", [_shape(x), _const(0, x.dtype.base_dtype)])


_unary("Relu6", _relu6, _Relu6Grad)
_unary_grad_op("Relu6Grad", _relu6_grad, _Relu6GradGrad)


def _elu(x):
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x)


def _elu_grad(g, y):
    return np.where(y < 0, g * (y + y.dtype.type(1)), g)


def _EluGrad(op, grad):
    return _op("EluGrad", [grad, op.outputs[0]])


def _EluGradGrad(op, grad):
    # NOTE: TF's _EluGradGrad: d/dy of (g * (y + 1)) where y < 0.
    elu_x = op.inputs[1]
    zero = _const(0, elu_x.dtype.base_dtype)
    neg = _op("Less", [elu_x, zero])
    return (_op("EluGrad", [grad, elu_x]),
            _op("Select", [neg, _op("Mul", [grad, op.inputs[0]]), _zeros_like(elu_x)]))


_unary("Elu", _elu, _EluGrad)
_unary_grad_op("EluGrad", _elu_grad, _EluGradGrad, )

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def _selu(x):
    t = x.dtype.type
    return np.where(x > 0, t(_SELU_SCALE) * x,
                    t(_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(x, 0)))


def _selu_grad(g, y):
    t = y.dtype.type
    return np.where(y > 0, g * t(_SELU_SCALE), g * (y + t(_SELU_SCALE * _SELU_ALPHA)))


def _SeluGrad(op, grad):
    return _op("SeluGrad", [grad, op.outputs[0]])


_unary("Selu", _selu, _SeluGrad)
_unary_grad_op("SeluGrad", _selu_grad, None)


def _softplus(x):
    return np.logaddexp(x.dtype.type(0), x)


def _sigmoid_np(x):
    # NOTE: exp of a non-positive number never overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softplus_grad(g, f):
    return g * _sigmoid_np(f)


def _SoftplusGrad(op, grad):
    return _op("SoftplusGrad", [grad, op.inputs[0]])


_unary("Softplus", _softplus, _SoftplusGrad)
_unary_grad_op("SoftplusGrad", _softplus_grad, None)


def _softsign(x):
    return x / (1 + np.abs(x))


def _softsign_grad(g, f):
    d = 1 + np.abs(f)
    return g / (d * d)


def _SoftsignGrad(op, grad):
    return _op("SoftsignGrad", [grad, op.inputs[0]])


_unary("Softsign", _softsign, _SoftsignGrad)
_unary_grad_op("SoftsignGrad", _softsign_grad, None)


def _leaky_relu(x, alpha=0.2):
    # NOTE: TF's alpha attr is a float32; float64 kernels see float64(float32(alpha)).
    return np.where(x > 0, x, x * x.dtype.type(np.float32(alpha)))


def _leaky_relu_grad(g, f, alpha=0.2):
    return np.where(f > 0, g, g * g.dtype.type(np.float32(alpha)))


def _LeakyReluGrad(op, grad):
    return _op("LeakyReluGrad", [grad, op.inputs[0]], alpha=op.get_attr("alpha"))


def _LeakyReluGradGrad(op, grad):
    x = op.inputs[1]
    return (_op("LeakyReluGrad", [grad, x], alpha=op.get_attr("alpha")), _zeros_like(x))


_unary("LeakyRelu", _leaky_relu, _LeakyReluGrad, attrs={"alpha": 0.2, "T": dtypes.float32},
       kernel_attrs=("alpha",))
_unary_grad_op("LeakyReluGrad", _leaky_relu_grad, _LeakyReluGradGrad,
               attrs={"alpha": 0.2, "T": dtypes.float32},
               kernel_attrs=("alpha",))


def relu(features, name=None):
    """tf.nn.relu."""
    return _op("Relu", [features], name=name)


def relu6(features, name=None):
    """tf.nn.relu6."""
    with graph_lib.name_scope(name, "Relu6", [features]) as name:
        return _op("Relu6", [_t(features, name="features")], name=name)


def elu(features, name=None):
    """tf.nn.elu."""
    return _op("Elu", [features], name=name)


def selu(features, name=None):
    """tf.nn.selu."""
    return _op("Selu", [features], name=name)


def softplus(features, name=None):
    """tf.nn.softplus."""
    return _op("Softplus", [features], name=name)


def softsign(features, name=None):
    """tf.nn.softsign."""
    return _op("Softsign", [features], name=name)


def leaky_relu(features, alpha=0.2, name=None):
    """tf.nn.leaky_relu."""
    with graph_lib.name_scope(name, "LeakyRelu", [features, alpha]) as name:
        features = _t(features, name="features")
        if features.dtype.is_integer:
            features = _op("Cast", [features], DstT=dtypes.float32, SrcT=features.dtype)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return _op("LeakyRelu", [features], name=name, alpha=float(alpha))


def crelu(features, name=None, axis=-1):
    """tf.nn.crelu: relu(concat([x, -x], axis))."""
    with graph_lib.name_scope(name, "CRelu", [features]) as name:
        features = _t(features, name="features")
        c = _op("ConcatV2", [[features, _op("Neg", [features])], _const(axis, _I32, "axis")],
                name=name)
        return _op("Relu", [c])


def relu_layer(x, weights, biases, name=None):
    """tf.nn.relu_layer: relu(x @ weights + biases)."""
    with graph_lib.name_scope(name, "relu_layer", [x, weights, biases]) as name:
        x = _t(x, name="x")
        weights = _t(weights, name="weights")
        biases = _t(biases, name="biases")
        xw_plus_b = bias_add(_op("MatMul", [x, weights]), biases)
        return _op("Relu", [xw_plus_b], name=name)


def xw_plus_b(x, weights, biases, name=None):
    """tf.nn.xw_plus_b."""
    with graph_lib.name_scope(name, "xw_plus_b", [x, weights, biases]) as name:
        x = _t(x, name="x")
        weights = _t(weights, name="weights")
        biases = _t(biases, name="biases")
        mm = _op("MatMul", [x, weights])
        return bias_add(mm, biases, name=name)


# ====================================================================== BiasAdd
def _bias_add_shape(op):
    x, b = op.inputs[0].shape, op.inputs[1].shape
    b = b.with_rank(1) if b.ndims is not None else tensor_shape.unknown_shape(1)
    if x.ndims is None:
        return [tensor_shape.unknown_shape()]
    if x.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % x.ndims)
    dims = x.as_list()
    ci = 1 if _attr_str(op._attrs.get("data_format", "NHWC")).startswith("NC") and \
        x.ndims > 2 else x.ndims - 1
    c, bc = dims[ci], b.as_list()[0]
    if c is not None and bc is not None and c != bc:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (c, bc))
    if c is None:
        dims[ci] = bc
    return [tensor_shape.TensorShape(dims)]


def _bias_add(value, bias, data_format="NHWC"):
    if data_format == "NCHW" and value.ndim > 2:
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 2))
    if bias.ndim == 1 and value.ndim >= 2:
        r = ew_k.bias_add(value, bias)
        if r is not None:
            return r
    return value + bias


def _bias_add_grad(out_backprop, data_format="NHWC"):
    g = out_backprop
    if data_format == "NCHW" and g.ndim > 2:
        axes = (0,) + tuple(range(2, g.ndim))
        return g.sum(axis=axes)
    c = g.shape[-1]
    r = ew_k.col_sum(g)  # C pass accumulating in double
    return r if r is not None else np.add.reduce(g.reshape(-1, c), axis=0)


def _BiasAddGrad(op, received_grad):
    df = op.get_attr("data_format")
    return received_grad, _op("BiasAddGrad", [received_grad], data_format=df)


def _BiasAddGradGrad(op, received_grad):
    df = _attr_str(op.get_attr("data_format"))
    x = op.inputs[0]
    n = x.shape.ndims
    if n is None:
        raise LookupError("BiasAddGrad's gradient needs the rank of its input.")
    if df == "NCHW" and n > 2:
        eshape = [1, -1] + [1] * (n - 2)
    else:
        eshape = [1] * (n - 1) + [-1]
    expanded = _reshape(received_grad, eshape)
    return _op("BroadcastTo", [expanded, _shape(x)])


register_op("BiasAdd", inputs=["value: T", "bias: T"], outputs=["output: T"],
            attrs={"T": TYPE, "data_format": "NHWC"}, shape_fn=_bias_add_shape,
            kernel=_bias_add, kernel_attrs=("data_format",), grad=_BiasAddGrad)


def _bias_add_grad_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape(1)]
    if s.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % s.ndims)
    ci = 1 if _attr_str(op._attrs.get("data_format", "NHWC")) == "NCHW" and s.ndims > 2 \
        else s.ndims - 1
    return [tensor_shape.TensorShape([s.as_list()[ci]])]


register_op("BiasAddGrad", inputs=["out_backprop: T"], outputs=["output: T"],
            attrs={"T": TYPE, "data_format": "NHWC"}, shape_fn=_bias_add_grad_shape,
            kernel=_bias_add_grad, kernel_attrs=("data_format",), grad=_BiasAddGradGrad)


def bias_add(value, bias, data_format=None, name=None):
    """tf.nn.bias_add."""
    with graph_lib.name_scope(name, "BiasAdd", [value, bias]) as name:
        value = _t(value, name="input")
        bias = _t(bias, dtype=value.dtype.base_dtype, name="bias")
        if data_format is not None and data_format.startswith("NC") and data_format != "NCHW":
            data_format = "NCHW"
        if data_format is not None and data_format.startswith("N") and \
                data_format.endswith("C") and data_format != "NHWC":
            data_format = "NHWC"
        return _op("BiasAdd", [value, bias], name=name, data_format=data_format)


# ============================================================== Softmax family
def _softmax_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank %d" % s.ndims)
    return [s]


def _softmax(logits):
    m = logits.max(axis=-1, keepdims=True)
    e = np.exp(logits - m)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


def _SoftmaxGrad(op, grad_softmax):
    softmax = op.outputs[0]
    sum_channels = _reduce("Sum", _op("Mul", [grad_softmax, softmax], name="mul"), [-1],
                           keepdims=True)
    return _op("Mul", [_op("Sub", [grad_softmax, sum_channels], name="sub"), softmax],
               name="mul")


def _LogSoftmaxGrad(op, grad):
    softmax = _op("Exp", [op.outputs[0]])
    s = _reduce("Sum", grad, [-1], keepdims=True)
    return _op("Sub", [grad, _op("Mul", [s, softmax], name="mul")], name="sub")


register_op("Softmax", inputs=["logits: T"], outputs=["softmax: T"], attrs={"T": TYPE},
            shape_fn=_softmax_shape, kernel=_softmax, kernel_attrs=(), grad=_SoftmaxGrad)
register_op("LogSoftmax", inputs=["logits: T"], outputs=["logsoftmax: T"], attrs={"T": TYPE},
            shape_fn=_softmax_shape, kernel=_log_softmax, kernel_attrs=(),
            grad=_LogSoftmaxGrad)


def _swap_axis(x, dim_index, last_index, name=None):
    perm = _concat([_range(dim_index), [last_index], _range(dim_index + 1, last_index),
                    [dim_index]], 0)
    return _transpose(x, perm, name=name or "transpose")


def _softmax_wrapper(op_type, logits, axis, name):
    logits = _t(logits)
    shape = logits.shape
    if axis is None:
        axis = -1
    is_last = axis == -1 or (shape.ndims is not None and axis == shape.ndims - 1)
    if is_last:
        return _op(op_type, [logits], name=name)
    if shape.ndims is None:
        raise ValueError("%s along axis %d needs a known rank." % (op_type, axis))
    if not -shape.ndims <= axis < shape.ndims:
        from tensorweave.framework import errors

        raise errors.InvalidArgumentError(
            None, None, "`dim` must be in the range [%d, %d) where %d is the number of "
            "dimensions in the input. Received: dim=%d" % (-shape.ndims, shape.ndims,
                                                          shape.ndims, axis))
    ndims = _rank(logits)
    if axis < 0:
        _op("AddV2", [_const(axis, _I32, "add/x"), ndims], name="add")
    input_rank = _rank(logits)
    dim_axis = axis % shape.ndims
    x = _swap_axis(logits, dim_axis, _sub(input_rank, _const(1, _I32, "Sub/y")))
    y = _op(op_type, [x])
    y = _swap_axis(y, dim_axis, _sub(input_rank, _const(1, _I32, "Sub_1/y")), name=name)
    y.set_shape(shape)
    return y


def softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.softmax (axis/dim: transposes the axis to the end as TF does)."""
    axis = _lookup("axis", axis, "dim", dim)
    return _softmax_wrapper("Softmax", logits, axis, name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.log_softmax."""
    axis = _lookup("axis", axis, "dim", dim)
    return _softmax_wrapper("LogSoftmax", logits, axis, name)


# --------------------------------------------------------- cross-entropy ops
def _xent_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.ndims is not None and a.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % a.ndims)
    if b.ndims is not None and b.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % b.ndims)
    a = a.as_list() if a.ndims is not None else [None, None]
    b = b.as_list() if b.ndims is not None else [None, None]
    dims = []
    for p, q in zip(a, b):
        if p is not None and q is not None and p != q and p != 1 and q != 1:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (p, q))
        dims.append(p if q in (None, 1) and p is not None else q if q != 1 or p is None
                    else p)
    return [tensor_shape.TensorShape(dims[:1]), tensor_shape.TensorShape(dims)]


def _softmax_xent(features, labels):
    features, labels = np.broadcast_arrays(features, labels)
    shifted = features - features.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=-1, keepdims=True)
    log_s = np.log(s)
    loss = np.sum(labels * (log_s - shifted), axis=-1)
    e /= s
    e -= labels
    return loss.astype(features.dtype, copy=False), e


def _broadcast_mul(vec, mat):
    return _op("Mul", [_expand_dims(vec, -1), mat], name="mul")


def _SoftmaxXentGrad(op, grad_loss, grad_grad):
    softmax_grad = op.outputs[1]
    grad = _broadcast_mul(grad_loss, softmax_grad)
    logits = op.inputs[0]
    if grad_grad is not None and not _is_zeros(grad_grad):
        sm = _op("Softmax", [logits])
        prod = _op("BatchMatMulV2", [_expand_dims(grad_grad, 1), _expand_dims(sm, 2)])
        inner = _op("Sub", [grad_grad, _squeeze(prod, [1])], name="sub")
        grad = _op("AddV2", [grad, _op("Mul", [inner, sm], name="mul")], name="add")
    return grad, _broadcast_mul(grad_loss, _op("Neg", [_op("LogSoftmax", [logits])]))


def _is_zeros(t):
    v = tensor_util.constant_value(t)
    if v is not None:
        return not np.any(v)
    return t.op.type in ("ZerosLike",) or (t.op.type == "Fill" and tensor_util.constant_value(
        t.op.inputs[1]) is not None and not np.any(tensor_util.constant_value(t.op.inputs[1])))


register_op("SoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: T"],
            outputs=["loss: T", "backprop: T"], attrs={"T": TYPE}, shape_fn=_xent_shape,
            kernel=_softmax_xent, kernel_attrs=(), grad=_SoftmaxXentGrad)


def _sparse_xent_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.ndims is not None and a.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % a.ndims)
    if b.ndims is not None and b.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % b.ndims)
    a = a.as_list() if a.ndims is not None else [None, None]
    n = b.as_list()[0] if b.ndims is not None else None
    if a[0] is not None and n is not None and a[0] != n:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (a[0], n))
    n = a[0] if a[0] is not None else n
    return [tensor_shape.TensorShape([n]), tensor_shape.TensorShape([n, a[1]])]


def _sparse_softmax_xent(features, labels):
    n, c = features.shape
    labels = np.asarray(labels)
    bad = (labels < 0) | (labels >= c)
    if np.any(bad):
        v = int(labels[bad][0])
        raise ValueError("Received a label value of %d which is outside the valid range of "
                         "[0, %d).  Label values: %s" % (v, c, " ".join(str(int(x)) for x in
                                                                        labels.ravel())))
    shifted = features - features.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=-1, keepdims=True)
    rows = np.arange(n)
    loss = np.log(s[:, 0]) - shifted[rows, labels]
    e /= s
    e[rows, labels] -= 1
    return loss.astype(features.dtype, copy=False), e


def _SparseSoftmaxXentGrad(op, grad_loss, grad_grad):
    sparse_softmax_grad = op.outputs[1]
    grad = _broadcast_mul(grad_loss, sparse_softmax_grad)
    logits = op.inputs[0]
    if grad_grad is not None and not _is_zeros(grad_grad):
        sm = _op("Softmax", [logits])
        prod = _op("BatchMatMulV2", [_expand_dims(grad_grad, 1), _expand_dims(sm, 2)])
        inner = _op("Sub", [grad_grad, _squeeze(prod, [1])], name="sub")
        grad = _op("AddV2", [grad, _op("Mul", [inner, sm], name="mul")], name="add")
    return grad, None


register_op("SparseSoftmaxCrossEntropyWithLogits",
            inputs=["features: T", "labels: Tlabels"], outputs=["loss: T", "backprop: T"],
            attrs={"T": TYPE, "Tlabels": dtypes.int64}, shape_fn=_sparse_xent_shape,
            kernel=_sparse_softmax_xent, kernel_attrs=(), grad=_SparseSoftmaxXentGrad)


def _bin_c(op_type, x, y, name):
    """A binary op of a tensor and a Python number: the constant is named '<name>/y'."""
    with _g().name_scope(name) as scope:
        return _op(op_type, [x, _const(y, x.dtype.base_dtype, "y")], name=scope)


def _sub_i(x, y, name="Sub"):
    return _bin_c("Sub", x, y, name)


def _flatten_outer(logits):
    rank = _rank(logits)
    shp = _shape(logits)
    last_dim_size = _slice(shp, [_sub_i(rank, 1)], [1])
    output = _reshape(logits, _concat([[-1], last_dim_size], 0))
    shape = logits.shape
    if shape.ndims is not None:
        dims = shape.as_list()
        product = 1
        for d in dims[:-1]:
            if d is None:
                product = None
                break
            product *= d
        if product is not None:
            output.set_shape([product, dims[-1]])
    return output


def _move_dim_to_end(x, dim_index, rank):
    return _transpose(x, _concat([_range(dim_index), _range(dim_index + 1, rank),
                                  [dim_index]], 0))


def _ensure_xent_args(name, sentinel, labels, logits):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...). "
                         "Received unnamed argument: %s" % (name, sentinel))
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided. Received: labels=%s "
                         "and logits=%s" % (labels, logits))


def softmax_cross_entropy_with_logits_v2(labels=None, logits=None, axis=None, name=None,
                                         dim=None, _sentinel=None):
    """tf.nn.softmax_cross_entropy_with_logits_v2 (gradients flow into labels too)."""
    axis = _lookup("axis", axis, "dim", dim)
    if axis is None:
        axis = -1
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with graph_lib.name_scope(name, "softmax_cross_entropy_with_logits",
                              [logits, labels]) as name:
        logits = _t(logits, name="logits")
        labels = _t(labels, name="labels")
        if labels.dtype.base_dtype != logits.dtype.base_dtype:
            labels = _op("Cast", [labels], DstT=logits.dtype.base_dtype)
        input_rank = _rank(logits)
        shape = logits.shape
        if axis != -1:
            if shape.ndims is not None and axis == shape.ndims - 1:
                pass
            else:
                if axis < 0:
                    if shape.ndims is None:
                        raise ValueError("softmax_cross_entropy_with_logits: a negative "
                                         "axis needs a known rank.")
                    axis += shape.ndims
                logits = _move_dim_to_end(logits, axis, input_rank)
                labels = _move_dim_to_end(labels, axis, input_rank)
        input_shape = _shape(logits)
        flat_logits = _flatten_outer(logits)
        flat_labels = _flatten_outer(labels)
        cost = out(registry.apply_op("SoftmaxCrossEntropyWithLogits",
                                     [flat_logits, flat_labels], name=name))
        output_shape = _slice(input_shape, [0], [_sub_i(input_rank, 1)])
        cost = _reshape(cost, output_shape)
        if shape.ndims is not None:
            dims = shape.as_list()
            del dims[axis]
            cost.set_shape(dims)
        return cost


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """tf.nn.softmax_cross_entropy_with_logits (v1: no gradient into labels)."""
    dim = _lookup("axis", axis, "dim", dim)
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with graph_lib.name_scope(name, "softmax_cross_entropy_with_logits_sg",
                              [logits, labels]) as name:
        labels = _op("StopGradient", [labels], name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=dim,
                                                name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """tf.nn.sparse_softmax_cross_entropy_with_logits."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with graph_lib.name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = _t(labels)
        logits = _t(logits)
        ls = labels.shape
        gs = logits.shape
        labels_shape = _shape(labels)
        if gs.ndims == 0:
            raise ValueError("`logits` cannot be a scalar. Received logits=%s`" % logits)
        if gs.ndims is not None and ls.ndims is not None and ls.ndims != gs.ndims - 1:
            raise ValueError(
                "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                "labels.shape=%s of rank %d and logits.shape=%s of rank %d" % (
                    ls, ls.ndims, gs, gs.ndims))
        if ls.is_fully_defined() and gs.ndims is not None and \
                tensor_shape.TensorShape(gs.as_list()[:-1]).is_fully_defined() and \
                ls.as_list() != gs.as_list()[:-1]:
            raise ValueError(
                "`labels.shape` must equal `logits.shape` except for the last dimension. "
                "Received: labels.shape=%s and logits.shape=%s" % (ls, gs))
        if gs.ndims == 2:
            return out(registry.apply_op("SparseSoftmaxCrossEntropyWithLogits",
                                         [logits, labels], name=name))
        lshape = _shape(logits)
        r = _rank(logits)
        idx = _bin_c("Sub", r, 1, "sub")
        idx1 = _bin_c("AddV2", idx, 1, "add")
        with _g().name_scope("strided_slice") as scope:
            b = _autopack([idx], "stack")
            e = _autopack([idx1], "stack_1")
            st = _const([1], _I32, "stack_2")
            num_classes = _op("StridedSlice", [lshape, b, e, st], name=scope, begin_mask=0,
                              end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                              shrink_axis_mask=1)
        flat_logits = _reshape(logits, [-1, num_classes])
        flat_labels = _reshape(labels, [-1])
        cost = out(registry.apply_op("SparseSoftmaxCrossEntropyWithLogits",
                                     [flat_logits, flat_labels], name=name))
        cost = _reshape(cost, labels_shape)
        cost.set_shape(ls)
        return cost


# ------------------------------------------------------- composite losses
def _rbin(op_type, pyval, t, name):
    """`pyval <op> t` through Tensor's reflected operator: the constant is '<name>/x'."""
    with _g().name_scope(name) as scope:
        return _op(op_type, [_const(pyval, t.dtype.base_dtype, "x"), t], name=scope)


def _zeros_like_t(x, name="zeros_like"):
    """TF 2.x zeros_like: a Const when the shape is fully known."""
    if x.shape.is_fully_defined():
        return registry.constant_op(np.zeros(x.shape.as_list(), x.dtype.base_dtype.np_dtype),
                                    name=name)
    return _op("ZerosLike", [x], name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) - x * z + log(1 + exp(-|x|))."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with graph_lib.name_scope(name, "logistic_loss", [logits, labels]) as name:
        logits = _t(logits, name="logits")
        labels = _t(labels, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError("`logits` and `labels` must have the same shape, received (%s vs "
                             "%s)." % (logits.shape, labels.shape))
        zeros = _zeros_like_t(logits)
        cond = _op("GreaterEqual", [logits, zeros])
        relu_logits = _op("Select", [cond, logits, zeros])
        neg_abs_logits = _op("Select", [cond, _op("Neg", [logits]), logits])
        a = _op("Sub", [relu_logits, _op("Mul", [logits, labels], name="mul")], name="sub")
        b = _op("Log1p", [_op("Exp", [neg_abs_logits])])
        return _op("AddV2", [a, b], name=name)


def weighted_cross_entropy_with_logits(targets=None, logits=None, pos_weight=None, name=None,
                                       labels=None):
    """tf.nn.weighted_cross_entropy_with_logits (v1 `targets`; v2 `labels`)."""
    labels = _lookup("labels", labels, "targets", targets)
    with graph_lib.name_scope(name, "logistic_loss", [logits, labels]) as name:
        logits = _t(logits, name="logits")
        labels = _t(labels, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError("`logits` and `labels` must have the same shape, received (%s vs "
                             "%s)." % (logits.shape, labels.shape))
        if isinstance(pos_weight, graph_lib.Tensor):
            pw1 = _bin_c("Sub", pos_weight, 1, "sub")
            log_weight = _rbin("AddV2", 1, _op("Mul", [pw1, labels], name="mul"), "add")
        else:
            log_weight = _rbin("AddV2", 1, _rbin("Mul", pos_weight - 1, labels, "mul"), "add")
        one_minus = _rbin("Sub", 1, labels, "sub")
        first = _op("Mul", [one_minus, logits], name="mul")
        sp = _op("Log1p", [_op("Exp", [_op("Neg", [_op("Abs", [logits])])])])
        second = _op("AddV2", [sp, _op("Relu", [_op("Neg", [logits])])], name="add")
        return _op("AddV2", [first, _op("Mul", [log_weight, second], name="mul")], name=name)


def _l2_loss(t):
    f = t.reshape(-1)
    return np.asarray(np.dot(f, f) * t.dtype.type(0.5), dtype=t.dtype)


def _L2LossGrad(op, grad):
    return _op("Mul", [op.inputs[0], grad], name="mul")


register_op("L2Loss", inputs=["t: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=registry.scalar_shape, kernel=_l2_loss, kernel_attrs=(), grad=_L2LossGrad)


def l2_loss(t, name=None):
    """tf.nn.l2_loss: sum(t ** 2) / 2."""
    return _op("L2Loss", [t], name=name)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """tf.nn.l2_normalize: x / sqrt(max(sum(x ** 2), epsilon))."""
    axis = _lookup("axis", axis, "dim", dim)
    with graph_lib.name_scope(name, "l2_normalize", [x]) as name:
        x = _t(x, name="x")
        square_sum = _reduce("Sum", _op("Square", [x]), axis, keepdims=True)
        m = _bin_c("Maximum", square_sum, epsilon, "Maximum")
        return _op("Mul", [x, _op("Rsqrt", [m])], name=name)


def zero_fraction(value, name=None):
    """tf.nn.zero_fraction: the fraction of zeros in `value` (float32 scalar)."""
    with graph_lib.name_scope(name, "zero_fraction", [value]):
        value = _t(value, name="value")
        size = _op("Size", [value], out_type=dtypes.int64)
        nz = _op("NotEqual", [value, _const(0, value.dtype.base_dtype, "zero")])
        num_nonzero = _reduce("Sum", _op("Cast", [nz], DstT=dtypes.int64), None)
        with _g().name_scope("counts_to_fraction"):
            num_zero = _op("Sub", [size, num_nonzero], name="sub")
            nzf = _op("Cast", [num_zero], DstT=dtypes.float32)
            sf = _op("Cast", [size], DstT=dtypes.float32)
            frac = _op("RealDiv", [nzf, sf], name="truediv")
        return _op("Identity", [frac], name="fraction")


# ================================================================= convolutions
def _s(v):
    return _attr_str(v)


def _spatial(attr, fmt, nd):
    attr = [int(a) for a in attr]
    return attr[1:-1] if _s(fmt)[-1] == "C" else attr[2:]


def _split_dims(shape, fmt, nd):
    """(batch, spatial list, channels) of a shape in `fmt`, None for unknown."""
    if shape.ndims is None:
        return None, [None] * nd, None
    if shape.ndims != nd + 2:
        raise ValueError("Shape must be rank %d but is rank %d" % (nd + 2, shape.ndims))
    d = shape.as_list()
    if _s(fmt)[-1] == "C":
        return d[0], d[1:-1], d[-1]
    return d[0], d[2:], d[1]


def _join_dims(n, sp, c, fmt):
    if _s(fmt)[-1] == "C":
        return tensor_shape.TensorShape([n] + list(sp) + [c])
    return tensor_shape.TensorShape([n, c] + list(sp))


def _out_spatial(sp, k, strides, dilations, padding, explicit, fmt):
    padding = _s(padding)
    res = []
    pads = None
    if padding == "EXPLICIT":
        p = [int(v) for v in explicit]
        pairs = [(p[2 * i], p[2 * i + 1]) for i in range(len(p) // 2)]
        pads = pairs[1:-1] if _s(fmt)[-1] == "C" else pairs[2:]
    for i, n in enumerate(sp):
        if n is not None and padding == "SAME":
            res.append(-(-n // strides[i]))
            continue
        if n is None or k[i] is None:
            res.append(None)
            continue
        pb, pa = pads[i] if pads else (0, 0)
        o = conv_k.conv_output_size(n, k[i], strides[i], dilations[i], padding, pb, pa)
        res.append(o)
    return res


def _conv_shape_fn(nd, depthwise=False):
    def shape_fn(op):
        a = op._attrs
        fmt = a.get("data_format", "NHWC" if nd == 2 else "NDHWC")
        n, sp, c = _split_dims(op.inputs[0].shape, fmt, nd)
        fs = op.inputs[1].shape
        if fs.ndims is not None and fs.ndims != nd + 2:
            raise ValueError("Shape must be rank %d but is rank %d" % (nd + 2, fs.ndims))
        f = fs.as_list() if fs.ndims is not None else [None] * (nd + 2)
        k = f[:nd]
        fin, fout = f[nd], f[nd + 1]
        if depthwise:
            if c is not None and fin is not None and c != fin:
                raise ValueError("Dimensions must be equal, but are %d and %d" % (c, fin))
            oc = None if (fin if fin is not None else c) is None or fout is None else \
                (fin if fin is not None else c) * fout
        else:
            if c is not None and fin is not None and c % fin != 0:
                raise ValueError("Depth of input (%d) is not a multiple of input depth of "
                                 "filter (%d)" % (c, fin))
            oc = fout
        strides = _spatial(a["strides"], fmt, nd)
        dil = _spatial(a.get("dilations") or [1] * (nd + 2), fmt, nd)
        osp = _out_spatial(sp, k, strides, dil, a["padding"], a.get("explicit_paddings"), fmt)
        return [_join_dims(n, osp, oc, fmt)]

    return shape_fn


def _sizes_shape_fn(idx, nd, from_filter=False):
    def shape_fn(op):
        t = op.inputs[idx]
        s = tensor_util.constant_value_as_shape(t)
        if idx == 0 and s.ndims == nd + 2 and len(op.inputs) == 3:
            # NOTE: TF takes the batch dim from out_backprop, not from input_sizes.
            fmt = op._attrs.get("data_format", "NHWC" if nd == 2 else "NDHWC")
            n, _, _ = _split_dims(op.inputs[2].shape, fmt, nd)
            return [tensor_shape.TensorShape([n] + s.as_list()[1:])]
        if s.ndims == nd:
            # spatial-only input_sizes: batch from out_backprop, channels from the filter
            fmt = op._attrs.get("data_format", "NHWC")
            n, _, _ = _split_dims(op.inputs[2].shape, fmt, nd)
            fs = op.inputs[1].shape
            c = fs.as_list()[nd] if fs.ndims is not None else None
            return [_join_dims(n, s.as_list(), c, fmt)]
        if s.ndims is None:
            return [tensor_shape.unknown_shape(nd + 2)]
        return [s]

    return shape_fn


_CONV2D_ATTRS = {"T": TYPE, "strides": registry.REQUIRED, "use_cudnn_on_gpu": True,
                 "padding": registry.REQUIRED, "explicit_paddings": [],
                 "data_format": "NHWC", "dilations": [1, 1, 1, 1]}
_CONV2D_KATTRS = ("strides", "padding", "explicit_paddings", "data_format", "dilations")


def _conv_attrs(op, names=("strides", "padding", "explicit_paddings", "use_cudnn_on_gpu",
                           "data_format", "dilations")):
    return {k: op._attrs[k] for k in names if k in op._attrs}


def _shape_n(tensors):
    return registry.apply_op("ShapeN", [list(tensors)], out_type=_I32).outputs


def _Conv2DGrad(op, grad):
    a = _conv_attrs(op)
    shape_0, shape_1 = _shape_n([op.inputs[0], op.inputs[1]])
    return [_op("Conv2DBackpropInput", [shape_0, op.inputs[1], grad], **a),
            _op("Conv2DBackpropFilter", [op.inputs[0], shape_1, grad], **a)]


def _Conv2DBackpropInputGrad(op, grad):
    a = _conv_attrs(op)
    return [None,
            _op("Conv2DBackpropFilter", [grad, _shape(op.inputs[1]), op.inputs[2]], **a),
            _op("Conv2D", [grad, op.inputs[1]], **a)]


def _Conv2DBackpropFilterGrad(op, grad):
    a = _conv_attrs(op)
    return [_op("Conv2DBackpropInput", [_shape(op.inputs[0]), grad, op.inputs[2]], **a),
            None,
            _op("Conv2D", [op.inputs[0], grad], **a)]


def _conv2d_kernel(input, filter, strides, padding, explicit_paddings=(),
                   data_format="NHWC", dilations=(1, 1, 1, 1)):
    return conv_k.conv2d(input, filter, strides, padding, True, explicit_paddings,
                         data_format, dilations)


def _conv2d_bi_kernel(input_sizes, filter, out_backprop, strides, padding,
                      explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1)):
    return conv_k.conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                        True, explicit_paddings, data_format, dilations)


def _conv2d_bf_kernel(input, filter_sizes, out_backprop, strides, padding,
                      explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1)):
    return conv_k.conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                         True, explicit_paddings, data_format, dilations)


register_op("Conv2D", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=_CONV2D_ATTRS, shape_fn=_conv_shape_fn(2), kernel=_conv2d_kernel,
            kernel_attrs=_CONV2D_KATTRS, grad=_Conv2DGrad)
register_op("Conv2DBackpropInput",
            inputs=["input_sizes: int32", "filter: T", "out_backprop: T"],
            outputs=["output: T"], attrs=_CONV2D_ATTRS, shape_fn=_sizes_shape_fn(0, 2),
            kernel=_conv2d_bi_kernel, kernel_attrs=_CONV2D_KATTRS,
            grad=_Conv2DBackpropInputGrad)
register_op("Conv2DBackpropFilter",
            inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
            outputs=["output: T"], attrs=_CONV2D_ATTRS, shape_fn=_sizes_shape_fn(1, 2),
            kernel=_conv2d_bf_kernel, kernel_attrs=_CONV2D_KATTRS,
            grad=_Conv2DBackpropFilterGrad)

# ---------------------------------------------------------------- depthwise
_DW_ATTRS = {"T": TYPE, "strides": registry.REQUIRED, "padding": registry.REQUIRED,
             "explicit_paddings": [], "data_format": "NHWC", "dilations": [1, 1, 1, 1]}
_DW_KATTRS = ("strides", "padding", "explicit_paddings", "data_format", "dilations")
_DW_GATTRS = ("strides", "padding", "explicit_paddings", "data_format", "dilations")


def _DepthwiseConv2dNativeGrad(op, grad):
    a = _conv_attrs(op, _DW_GATTRS)
    return [_op("DepthwiseConv2dNativeBackpropInput",
                [_shape(op.inputs[0]), op.inputs[1], grad], **a),
            _op("DepthwiseConv2dNativeBackpropFilter",
                [op.inputs[0], _shape(op.inputs[1]), grad], **a)]


def _DepthwiseBackpropInputGrad(op, grad):
    a = _conv_attrs(op, _DW_GATTRS)
    return [None,
            _op("DepthwiseConv2dNativeBackpropFilter",
                [grad, _shape(op.inputs[1]), op.inputs[2]], **a),
            _op("DepthwiseConv2dNative", [grad, op.inputs[1]], **a)]


def _DepthwiseBackpropFilterGrad(op, grad):
    a = _conv_attrs(op, _DW_GATTRS)
    return [_op("DepthwiseConv2dNativeBackpropInput",
                [_shape(op.inputs[0]), grad, op.inputs[2]], **a),
            None,
            _op("DepthwiseConv2dNative", [op.inputs[0], grad], **a)]


register_op("DepthwiseConv2dNative", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=_DW_ATTRS, shape_fn=_conv_shape_fn(2, depthwise=True),
            kernel=conv_k.depthwise_conv2d_native, kernel_attrs=_DW_KATTRS,
            grad=_DepthwiseConv2dNativeGrad)
register_op("DepthwiseConv2dNativeBackpropInput",
            inputs=["input_sizes: int32", "filter: T", "out_backprop: T"],
            outputs=["output: T"], attrs=_DW_ATTRS, shape_fn=_sizes_shape_fn(0, 2),
            kernel=conv_k.depthwise_conv2d_native_backprop_input, kernel_attrs=_DW_KATTRS,
            grad=_DepthwiseBackpropInputGrad)
register_op("DepthwiseConv2dNativeBackpropFilter",
            inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
            outputs=["output: T"], attrs=_DW_ATTRS, shape_fn=_sizes_shape_fn(1, 2),
            kernel=conv_k.depthwise_conv2d_native_backprop_filter, kernel_attrs=_DW_KATTRS,
            grad=_DepthwiseBackpropFilterGrad)

# ---------------------------------------------------------------- Conv3D
_C3_ATTRS = {"T": TYPE, "strides": registry.REQUIRED, "padding": registry.REQUIRED,
             "data_format": "NDHWC", "dilations": [1, 1, 1, 1, 1]}
_C3_KATTRS = ("strides", "padding", "data_format", "dilations")


def _Conv3DGrad(op, grad):
    a = _conv_attrs(op, _C3_KATTRS)
    shape_0, shape_1 = _shape_n([op.inputs[0], op.inputs[1]])
    return [_op("Conv3DBackpropInputV2", [shape_0, op.inputs[1], grad], **a),
            _op("Conv3DBackpropFilterV2", [op.inputs[0], shape_1, grad], **a)]


def _Conv3DBackpropInputGrad(op, grad):
    a = _conv_attrs(op, _C3_KATTRS)
    return [None,
            _op("Conv3DBackpropFilterV2", [grad, _shape(op.inputs[1]), op.inputs[2]], **a),
            _op("Conv3D", [grad, op.inputs[1]], **a)]


def _Conv3DBackpropFilterGrad(op, grad):
    a = _conv_attrs(op, _C3_KATTRS)
    return [_op("Conv3DBackpropInputV2", [_shape(op.inputs[0]), grad, op.inputs[2]], **a),
            None,
            _op("Conv3D", [op.inputs[0], grad], **a)]


register_op("Conv3D", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=_C3_ATTRS, shape_fn=_conv_shape_fn(3), kernel=conv_k.conv3d,
            kernel_attrs=_C3_KATTRS, grad=_Conv3DGrad)
register_op("Conv3DBackpropInputV2",
            inputs=["input_sizes: Tshape", "filter: T", "out_backprop: T"],
            outputs=["output: T"], attrs=dict(_C3_ATTRS, Tshape=_I32),
            shape_fn=_sizes_shape_fn(0, 3), kernel=conv_k.conv3d_backprop_input_v2,
            kernel_attrs=_C3_KATTRS, grad=_Conv3DBackpropInputGrad)
register_op("Conv3DBackpropFilterV2",
            inputs=["input: T", "filter_sizes: int32", "out_backprop: T"],
            outputs=["output: T"], attrs=_C3_ATTRS, shape_fn=_sizes_shape_fn(1, 3),
            kernel=conv_k.conv3d_backprop_filter_v2, kernel_attrs=_C3_KATTRS,
            grad=_Conv3DBackpropFilterGrad)


# ------------------------------------------------------------ conv wrappers
def _get_sequence(value, n, channel_index, name):
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (numbers.Integral, np.integer)):
        value = [int(value)]
    elif not isinstance(value, (list, tuple, np.ndarray)):
        value = list(value)
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError("%s should be of length 1, %d or %d. Received: %s=%s of length %d" % (
            name, n, n + 2, name, value, len(value)))
    if channel_index == 1:
        return [1, 1] + value
    return [1] + value + [1]


def _convert_padding(padding, expected_length=4):
    explicit = []
    if padding == "EXPLICIT":
        raise ValueError("'EXPLICIT' is not a valid value for `padding`. To use explicit "
                         "padding, `padding` must be a list.")
    if isinstance(padding, (list, tuple)):
        for i, dim in enumerate(padding):
            if not isinstance(dim, (list, tuple)) or len(dim) != 2:
                raise ValueError("When `padding` is a list, each element of `padding` must be "
                                 "a list/tuple of size 2. Received: padding=%s with element at "
                                 "index %d of size %s" % (padding, i, len(dim) if
                                                          hasattr(dim, "__len__") else "?"))
            explicit.extend(int(v) for v in dim)
        if len(padding) != expected_length:
            raise ValueError("When padding is a list, it must be of size %d. Received: "
                             "padding=%s of size %d" % (expected_length, padding,
                                                        len(padding)))
        padding = "EXPLICIT"
    if isinstance(padding, bytes):
        padding = padding.decode()
    return padding, explicit


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """tf.nn.conv2d (padding 'SAME', 'VALID' or an explicit list of pairs)."""
    filter = _lookup("filters", filters, "filter", filter)
    padding, explicit = _convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    strides = _get_sequence(strides, 2, ci, "strides")
    dilations = _get_sequence(dilations, 2, ci, "dilations")
    return _op("Conv2D", [input, filter], name=name, strides=strides, padding=padding,
               use_cudnn_on_gpu=bool(use_cudnn_on_gpu), explicit_paddings=explicit,
               data_format=data_format, dilations=dilations)


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):
    """tf.nn.conv2d_backprop_input."""
    filter = _lookup("filters", filters, "filter", filter)
    padding, explicit = _convert_padding(padding)
    return _op("Conv2DBackpropInput", [input_sizes, filter, out_backprop], name=name,
               strides=list(strides), padding=padding, use_cudnn_on_gpu=use_cudnn_on_gpu,
               explicit_paddings=explicit, data_format=data_format, dilations=list(dilations))


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1),
                           name=None):
    """tf.nn.conv2d_backprop_filter."""
    padding, explicit = _convert_padding(padding)
    return _op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop], name=name,
               strides=list(strides), padding=padding, use_cudnn_on_gpu=use_cudnn_on_gpu,
               explicit_paddings=explicit, data_format=data_format, dilations=list(dilations))


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,
                     padding="SAME", data_format="NHWC", name=None, input=None,
                     filters=None, dilations=None):
    """tf.nn.conv2d_transpose: Conv2DBackpropInput with `output_shape` as input_sizes."""
    value = _lookup("input", input, "value", value)
    filter = _lookup("filters", filters, "filter", filter)
    with graph_lib.name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as name:
        if data_format is None:
            data_format = "NHWC"
        ci = 1 if data_format.startswith("NC") else 3
        strides = _get_sequence(strides, 2, ci, "strides")
        dilations = _get_sequence(dilations, 2, ci, "dilations")
        padding, explicit = _convert_padding(padding)
        value = _t(value, name="value")
        filter = _t(filter, name="filter")
        fs, vs = filter.shape, value.shape
        if fs.ndims is not None and vs.ndims == 4 and fs.as_list()[3] is not None and \
                vs.as_list()[ci] is not None and fs.as_list()[3] != vs.as_list()[ci]:
            raise ValueError("input channels does not match filter's input channels, "
                             f"{vs.as_list()[ci]} != {fs.as_list()[3]}")
        sizes = output_shape
        if not isinstance(sizes, graph_lib.Tensor):
            sizes = _arg(list(sizes) if not isinstance(sizes, np.ndarray) else sizes,
                         "input_sizes")
        return _op("Conv2DBackpropInput", [sizes, filter, value], name=name, strides=strides,
                   padding=padding, explicit_paddings=explicit, data_format=data_format,
                   dilations=dilations)


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",
                            dilations=(1, 1, 1, 1), name=None):
    """tf.nn.depthwise_conv2d_native."""
    padding, explicit = _convert_padding(padding)
    return _op("DepthwiseConv2dNative", [input, filter], name=name, strides=list(strides),
               padding=padding, explicit_paddings=explicit, data_format=data_format or "NHWC",
               dilations=list(dilations))


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None):
    """tf.nn.depthwise_conv2d (rate/dilations become the op's dilations attr)."""
    rate = _lookup("dilations", dilations, "rate", rate)
    with graph_lib.name_scope(name, "depthwise", [input, filter]) as name:
        input = _t(input, name="tensor_in")
        filter = _t(filter, name="filter_in")
        if rate is None:
            rate = [1, 1]
        rate = [int(r) for r in np.broadcast_to(np.asarray(rate).ravel(), (2,))]
        _shape(filter)
        _const(rate, _I32, name="dilation_rate")
        df = data_format or "NHWC"
        dil = [1, 1] + rate if df.startswith("NC") else [1] + rate + [1]
        return depthwise_conv2d_native(input, filter, strides, padding, data_format=df,
                                       dilations=dil, name=name)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,
                     rate=None, name=None, data_format=None, dilations=None):
    """tf.nn.separable_conv2d: depthwise conv then a 1x1 conv."""
    rate = _lookup("dilations", dilations, "rate", rate)
    with graph_lib.name_scope(name, "separable_conv2d",
                              [input, depthwise_filter, pointwise_filter]) as name:
        input = _t(input, name="tensor_in")
        depthwise_filter = _t(depthwise_filter, name="depthwise_filter")
        pointwise_filter = _t(pointwise_filter, name="pointwise_filter")
        pws = pointwise_filter.shape.with_rank(4) if pointwise_filter.shape.ndims is not None \
            else None
        if pws is not None and (pws.as_list()[0] not in (None, 1) or
                                pws.as_list()[1] not in (None, 1)):
            raise ValueError("Dimensions %s and 1 are not compatible" % pws.as_list()[:2])
        if rate is None:
            rate = [1, 1]
        rate = [int(r) for r in np.broadcast_to(np.asarray(rate).ravel(), (2,))]
        df = data_format or "NHWC"
        dil = [1, 1] + rate if df.startswith("NC") else [1] + rate + [1]
        _shape(depthwise_filter)
        _const(rate, _I32, name="dilation_rate")
        dw = depthwise_conv2d_native(input, depthwise_filter, strides, padding, data_format=df,
                                     dilations=dil, name="depthwise")
        return conv2d(dw, pointwise_filter, [1, 1, 1, 1], padding="VALID", data_format=df,
                      name=name)


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",
           dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """tf.nn.conv3d."""
    filter = _lookup("filters", filters, "filter", filter)
    return _op("Conv3D", [input, filter], name=name, strides=list(strides),
               padding=_s(padding), data_format=data_format or "NDHWC",
               dilations=list(dilations))


def conv3d_transpose(value, filter=None, output_shape=None, strides=None,
                     padding="SAME", data_format="NDHWC", name=None, filters=None,
                     dilations=None, input=None):
    """tf.nn.conv3d_transpose: Conv3DBackpropInputV2."""
    value = _lookup("input", input, "value", value)
    filter = _lookup("filters", filters, "filter", filter)
    with graph_lib.name_scope(name, "conv3d_transpose", [value, filter, output_shape]) as name:
        ci = 1 if (data_format or "NDHWC").startswith("NC") else 4
        strides = _get_sequence(strides, 3, ci, "strides")
        dilations = _get_sequence(dilations, 3, ci, "dilations")
        sizes = output_shape
        if not isinstance(sizes, graph_lib.Tensor):
            sizes = _arg(list(sizes), "input_sizes")
        return _op("Conv3DBackpropInputV2", [sizes, filter, value], name=name, strides=strides,
                   padding=_s(padding), data_format=data_format or "NDHWC",
                   dilations=dilations)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):
    """tf.nn.conv1d: Conv2D over an inserted height-1 dim."""
    value = _lookup("input", input, "value", value)
    with graph_lib.name_scope(name, "conv1d", [value, filters]) as name:
        if data_format is None or data_format in ("NHWC", "NWC"):
            data_format, spatial, ci = "NHWC", 1, 2
        elif data_format in ("NCHW", "NCW"):
            data_format, spatial, ci = "NCHW", 2, 1
        else:
            raise ValueError("`data_format` must be 'NWC' or 'NCW'. Received: data_format=%s"
                             % data_format)
        strides = [1] + _get_sequence(stride, 1, ci, "stride")
        dilations = [1] + _get_sequence(dilations, 1, ci, "dilations")
        value = _expand_dims(_t(value), spatial)
        filters = _expand_dims(_t(filters), 0)
        padding, explicit = _convert_padding(padding, 3)
        if explicit:
            explicit = [0, 0] + explicit
        result = _op("Conv2D", [value, filters], name=name, strides=strides, padding=padding,
                     use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else use_cudnn_on_gpu,
                     explicit_paddings=explicit, data_format=data_format, dilations=dilations)
        return _squeeze(result, [spatial])


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None,
                name=None, data_format=None, filters=None, dilations=None):
    """tf.nn.convolution for 1-, 2- and 3-D inputs."""
    filter = _lookup("filters", filters, "filter", filter)
    dilation_rate = _lookup("dilations", dilations, "dilation_rate", dilation_rate)
    input = _t(input, name="input")
    filter = _t(filter, name="filter")
    n = None
    if filter.shape.ndims is not None:
        n = filter.shape.ndims - 2
    elif input.shape.ndims is not None:
        n = input.shape.ndims - 2
    if n not in (1, 2, 3):
        raise ValueError("`input` and `filter` must have rank at least 3 and at most 5.")
    cl = data_format is None or not data_format.startswith("NC")
    ci = n + 1 if cl else 1
    default = {1: "convolution", 2: "convolution", 3: "convolution"}[n]
    with graph_lib.name_scope(name, default, [input, filter]) as name:
        strides = _get_sequence(strides, n, ci, "strides")
        dil = _get_sequence(dilation_rate, n, ci, "dilations")
        if n == 1:
            return conv1d(input, filter, strides[1:-1] if cl else strides[2:], padding,
                          data_format="NWC" if cl else "NCW", dilations=dil[1:-1] if cl else
                          dil[2:], name=name)
        if n == 2:
            return conv2d(input, filter, strides, padding, data_format="NHWC" if cl else "NCHW",
                          dilations=dil, name=name)
        return conv3d(input, filter, strides, padding, data_format="NDHWC" if cl else "NCDHW",
                      dilations=dil, name=name)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """tf.nn.atrous_conv2d: a dilated Conv2D."""
    return convolution(value, filters, padding=padding, dilation_rate=[rate, rate], name=name)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """tf.nn.atrous_conv2d_transpose: Conv2DBackpropInput with dilations."""
    with graph_lib.name_scope(name, "atrous_conv2d_transpose",
                              [value, filters, output_shape]) as name:
        return conv2d_transpose(value, filters, output_shape, [1, 1, 1, 1], padding,
                                dilations=[1, rate, rate, 1], name=name)


# ======================================================================= pooling
def _pool_shape_fn(nd):
    def shape_fn(op):
        a = op._attrs
        fmt = a.get("data_format", "NHWC" if nd == 2 else "NDHWC")
        n, sp, c = _split_dims(op.inputs[0].shape, fmt, nd)
        k = _spatial(a["ksize"], fmt, nd)
        s = _spatial(a["strides"], fmt, nd)
        osp = _out_spatial(sp, k, s, [1] * nd, a["padding"], a.get("explicit_paddings"), fmt)
        return [_join_dims(n, osp, c, fmt)]

    return shape_fn


def _pool_attrs(op, explicit=True):
    names = ("ksize", "strides", "padding", "explicit_paddings", "data_format") if explicit \
        else ("ksize", "strides", "padding", "data_format")
    return {k: op._attrs[k] for k in names if k in op._attrs}


def _MaxPoolGrad(op, grad):
    return _op("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], **_pool_attrs(op))


def _MaxPoolGradGrad(op, grad):
    return (_zeros_like(op.inputs[0]), _zeros_like(op.inputs[1]),
            _op("MaxPoolGradGrad", [op.inputs[0], op.inputs[1], grad],
                **_pool_attrs(op, explicit=False)))


def _AvgPoolGrad(op, grad):
    return _op("AvgPoolGrad", [_shape(op.inputs[0]), grad], **_pool_attrs(op, False))


def _AvgPoolGradGrad(op, grad):
    return (_op("StopGradient", [op.inputs[0]]),
            _op("AvgPool", [grad], **_pool_attrs(op, False)))


def _max_pool_grad_grad(orig_input, orig_output, grad, ksize, strides, padding,
                        explicit_paddings=(), data_format="NHWC"):
    """MaxPoolGradGrad: each window takes `grad` at its first maximum (as MaxPoolGrad)."""
    from tensorweave.kernels import _util as U

    cl = U.check_format(data_format, 2)
    x = U.to_channels_last(np.asarray(orig_input), cl)
    g = U.to_channels_last(np.asarray(grad), cl)
    k, s, o, pads = pool_k._setup(2, x.shape, ksize, strides, padding, data_format,
                                  explicit_paddings)
    y = pool_k._max_fwd(x, k, s, o, pads)
    xp = U.pad(x, pads, np.nan) if x.dtype.kind == "f" else U.pad(x, pads, 0)
    gp = U.pad(g, pads, 0)
    res = np.zeros(y.shape, dtype=g.dtype)
    taken = np.zeros(y.shape, dtype=bool)
    for t in U.taps(k):
        idx = U.tap_index(t, o, s, (1, 1))
        hit = (xp[idx] == y) & ~taken
        taken |= hit
        res += np.where(hit, gp[idx], 0)
    return U.from_channels_last(res, cl)


_MP_ATTRS = {"T": dtypes.float32, "ksize": registry.REQUIRED, "strides": registry.REQUIRED,
             "padding": registry.REQUIRED, "explicit_paddings": [], "data_format": "NHWC"}
_MP_KATTRS = ("ksize", "strides", "padding", "explicit_paddings", "data_format")
_AP_ATTRS = {"T": TYPE, "ksize": registry.REQUIRED, "strides": registry.REQUIRED,
             "padding": registry.REQUIRED, "data_format": "NHWC"}
_AP_KATTRS = ("ksize", "strides", "padding", "data_format")


def _same_as_input(i):
    return lambda op: [op.inputs[i].shape]


register_op("MaxPool", inputs=["input: T"], outputs=["output: T"], attrs=_MP_ATTRS,
            shape_fn=_pool_shape_fn(2), kernel=pool_k.max_pool, kernel_attrs=_MP_KATTRS,
            grad=_MaxPoolGrad)
register_op("MaxPoolGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"], attrs=_MP_ATTRS, shape_fn=_same_as_input(0),
            kernel=pool_k.max_pool_grad, kernel_attrs=_MP_KATTRS, grad=_MaxPoolGradGrad)
register_op("MaxPoolGradGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"],
            attrs={k: v for k, v in dict(_MP_ATTRS, T=TYPE).items()
                   if k != "explicit_paddings"},
            shape_fn=_same_as_input(1),
            kernel=_max_pool_grad_grad, kernel_attrs=_MP_KATTRS, grad=None)
register_op("AvgPool", inputs=["value: T"], outputs=["output: T"], attrs=_AP_ATTRS,
            shape_fn=_pool_shape_fn(2), kernel=pool_k.avg_pool, kernel_attrs=_AP_KATTRS,
            grad=_AvgPoolGrad)
register_op("AvgPoolGrad", inputs=["orig_input_shape: int32", "grad: T"],
            outputs=["output: T"], attrs=_AP_ATTRS, shape_fn=_sizes_shape_fn(0, 2),
            kernel=pool_k.avg_pool_grad, kernel_attrs=_AP_KATTRS, grad=_AvgPoolGradGrad)


def _pool3_attrs(op):
    return {k: op._attrs[k] for k in ("ksize", "strides", "padding", "data_format")}


def _MaxPool3DGrad(op, grad):
    return _op("MaxPool3DGrad", [op.inputs[0], op.outputs[0], grad], **_pool3_attrs(op))


def _AvgPool3DGrad(op, grad):
    return _op("AvgPool3DGrad", [_shape(op.inputs[0]), grad], **_pool3_attrs(op))


def _AvgPool3DGradGrad(op, grad):
    return (_op("StopGradient", [op.inputs[0]]), _op("AvgPool3D", [grad], **_pool3_attrs(op)))


_P3_ATTRS = {"T": TYPE, "ksize": registry.REQUIRED, "strides": registry.REQUIRED,
             "padding": registry.REQUIRED, "data_format": "NDHWC"}
register_op("MaxPool3D", inputs=["input: T"], outputs=["output: T"], attrs=_P3_ATTRS,
            shape_fn=_pool_shape_fn(3), kernel=pool_k.max_pool3d, kernel_attrs=_AP_KATTRS,
            grad=_MaxPool3DGrad)
register_op("MaxPool3DGrad", inputs=["orig_input: TInput", "orig_output: TInput", "grad: T"],
            outputs=["output: T"],
            attrs=dict(_P3_ATTRS, T=dtypes.float32, TInput=dtypes.float32),
            shape_fn=_same_as_input(0), kernel=pool_k.max_pool3d_grad,
            kernel_attrs=_AP_KATTRS, grad=None)
register_op("AvgPool3D", inputs=["input: T"], outputs=["output: T"], attrs=_P3_ATTRS,
            shape_fn=_pool_shape_fn(3), kernel=pool_k.avg_pool3d, kernel_attrs=_AP_KATTRS,
            grad=_AvgPool3DGrad)
register_op("AvgPool3DGrad", inputs=["orig_input_shape: int32", "grad: T"],
            outputs=["output: T"], attrs=_P3_ATTRS, shape_fn=_sizes_shape_fn(0, 3),
            kernel=pool_k.avg_pool3d_grad, kernel_attrs=_AP_KATTRS, grad=_AvgPool3DGradGrad)


def _pool(op_type, default_name, value, ksize, strides, padding, data_format, name, nd,
          explicit_ok):
    with graph_lib.name_scope(name, default_name, [value]) as name:
        if data_format is None:
            data_format = "NHWC" if nd == 2 else "NDHWC"
        ci = 1 if data_format.startswith("NC") else nd + 1
        ksize = _get_sequence(ksize, nd, ci, "ksize")
        strides = _get_sequence(strides, nd, ci, "strides")
        if any(v == 0 for v in ksize):
            raise ValueError("`ksize` cannot be zero. Received: ksize=%s" % ksize)
        attrs = {}
        if explicit_ok:
            padding, explicit = _convert_padding(padding)
            attrs["explicit_paddings"] = explicit
        elif isinstance(padding, (list, tuple)):
            raise ValueError("%s does not support explicit padding" % op_type)
        return _op(op_type, [value], name=name, ksize=ksize, strides=strides,
                   padding=_s(padding), data_format=data_format, **attrs)


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):
    """tf.nn.max_pool."""
    value = _lookup("input", input, "value", value)
    return _pool("MaxPool", "MaxPool", value, ksize, strides, padding, data_format, name, 2,
                 True)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """tf.nn.max_pool2d."""
    return _pool("MaxPool", "MaxPool2d", input, ksize, strides, padding, data_format, name, 2,
                 True)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):
    """tf.nn.avg_pool."""
    value = _lookup("input", input, "value", value)
    return _pool("AvgPool", "AvgPool", value, ksize, strides, padding, data_format, name, 2,
                 False)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """tf.nn.avg_pool2d."""
    return _pool("AvgPool", "AvgPool2D", input, ksize, strides, padding, data_format, name, 2,
                 False)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """tf.nn.max_pool3d."""
    return _pool("MaxPool3D", "MaxPool3D", input, ksize, strides, padding, data_format, name,
                 3, False)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    """tf.nn.avg_pool3d."""
    return _pool("AvgPool3D", "AvgPool3D", input, ksize, strides, padding, data_format, name,
                 3, False)


def max_pool_with_argmax(*args, **kwargs):
    raise NotImplementedError("tf.nn.max_pool_with_argmax is not implemented in tensorweave.")


# =========================================================================== LRN
_LRN_ATTRS = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5, "T": dtypes.float32}
_LRN_KATTRS = ("depth_radius", "bias", "alpha", "beta")


def _lrn_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 4:
        raise ValueError("Shape must be rank 4 but is rank %d" % s.ndims)
    return [s if s.ndims is not None else tensor_shape.unknown_shape(4)]


def _LRNGrad(op, grad):
    a = {k: op._attrs[k] for k in _LRN_KATTRS}
    return _op("LRNGrad", [grad, op.inputs[0], op.outputs[0]], **a)


register_op("LRN", inputs=["input: T"], outputs=["output: T"], attrs=_LRN_ATTRS,
            shape_fn=_lrn_shape, kernel=lrn_k.lrn, kernel_attrs=_LRN_KATTRS, grad=_LRNGrad)
register_op("LRNGrad", inputs=["input_grads: T", "input_image: T", "output_image: T"],
            outputs=["output: T"], attrs=_LRN_ATTRS, shape_fn=_lrn_shape,
            kernel=lrn_k.lrn_grad, kernel_attrs=_LRN_KATTRS, grad=None)


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,
                                 name=None):
    """tf.nn.local_response_normalization / tf.nn.lrn."""
    return _op("LRN", [input], name=name, depth_radius=int(depth_radius), bias=float(bias),
               alpha=float(alpha), beta=float(beta))


lrn = local_response_normalization


# ================================================================== batch norm
def _fbn_layout(x, data_format):
    """x as (rows, C) plus a function putting a (rows, C) array back in x's layout."""
    fmt = _s(data_format)
    if fmt[-1] == "C":
        c = x.shape[-1]
        return x.reshape(-1, c), (lambda y: y.reshape(x.shape))
    xc = np.moveaxis(x, 1, -1)
    shp = xc.shape
    return xc.reshape(-1, shp[-1]), (lambda y: np.ascontiguousarray(
        np.moveaxis(y.reshape(shp), -1, 1)))


def _fused_batch_norm(x, scale, offset, mean, variance, epsilon=1e-4,
                      exponential_avg_factor=1.0, data_format="NHWC", is_training=True):
    x2, back = _fbn_layout(x, data_format)
    u = scale.dtype
    t = x.dtype.type
    if is_training:
        n = x2.shape[0]
        x2u = x2.astype(u, copy=False)
        m = x2u.mean(axis=0)
        d = x2u - m
        v = np.einsum("ij,ij->j", d, d) / u.type(n) if n else np.zeros_like(m)
        inv = 1 / np.sqrt(v + u.type(epsilon))
        y = d * (inv * scale) + offset
        corrected = v * u.type(n / (n - 1)) if n > 1 else v
        f = exponential_avg_factor
        if f != 1.0 and mean.size:
            bm = (1 - f) * mean + f * m
            bv = (1 - f) * variance + f * corrected
        else:
            bm, bv = m, corrected
        return (back(y.astype(x.dtype, copy=False)), bm.astype(u, copy=False),
                bv.astype(u, copy=False), m, v, np.zeros((0,), u))
    inv = 1 / np.sqrt(variance + u.type(epsilon))
    y = (x2 - mean.astype(x.dtype)) * (inv * scale).astype(x.dtype) + offset.astype(x.dtype)
    del t
    return (back(y.astype(x.dtype, copy=False)), mean, variance, mean, variance,
            np.zeros((0,), u))


def _fused_batch_norm_v1(x, scale, offset, mean, variance, epsilon=1e-4,
                         exponential_avg_factor=1.0, data_format="NHWC", is_training=True):
    return _fused_batch_norm(x, scale, offset, mean, variance, epsilon,
                             exponential_avg_factor, data_format, is_training)[:5]


def _fused_batch_norm_grad(y_backprop, x, scale, reserve_space_1, reserve_space_2,
                           reserve_space_3=None, epsilon=1e-4, data_format="NHWC",
                           is_training=True):
    dy2, back = _fbn_layout(y_backprop, data_format)
    x2, _ = _fbn_layout(x, data_format)
    u = scale.dtype
    mean, var = reserve_space_1, reserve_space_2
    inv = 1 / np.sqrt(var + u.type(epsilon))
    dyu = dy2.astype(u, copy=False)
    xhat = (x2.astype(u, copy=False) - mean) * inv
    doffset = dyu.sum(axis=0)
    dscale = np.einsum("ij,ij->j", dyu, xhat)
    if is_training:
        n = x2.shape[0]
        dx = (scale * inv / u.type(n)) * (u.type(n) * dyu - doffset - xhat * dscale)
    else:
        dx = dyu * (scale * inv)
    empty = np.zeros((0,), u)
    return (back(dx.astype(x.dtype, copy=False)), dscale.astype(u, copy=False),
            doffset.astype(u, copy=False), empty, empty)


def _fbn_shape(nout):
    def shape_fn(op):
        x = op.inputs[0].shape
        fmt = _s(op._attrs.get("data_format", "NHWC"))
        c = None
        if x.ndims is not None:
            if x.ndims not in (4, 5):
                raise ValueError("Shape must be rank 4 but is rank %d" % x.ndims)
            c = x.as_list()[-1] if fmt[-1] == "C" else x.as_list()[1]
        for i in (1, 2):
            s = op.inputs[i].shape
            if s.ndims is not None:
                if s.ndims != 1:
                    raise ValueError("Shape must be rank 1 but is rank %d" % s.ndims)
                v = s.as_list()[0]
                if c is not None and v is not None and c != v:
                    raise ValueError("Dimensions must be equal, but are %d and %d" % (c, v))
                c = c if c is not None else v
        vec = tensor_shape.TensorShape([c])
        shapes = [x, vec, vec, vec, vec]
        if nout == 6:
            shapes.append(tensor_shape.unknown_shape())
        return shapes

    return shape_fn


def _fbn_grad_shape(nout):
    def shape_fn(op):
        x = op.inputs[1].shape
        fmt = _s(op._attrs.get("data_format", "NHWC"))
        c = None
        if x.ndims is not None:
            c = x.as_list()[-1] if fmt[-1] == "C" else x.as_list()[1]
        vec = tensor_shape.TensorShape([c])
        return [x, vec, vec, tensor_shape.TensorShape([0]), tensor_shape.TensorShape([0])]

    return shape_fn


def _fbn_grad_fn(grad_type, v3):
    def grad_fn(op, *grads):
        grad_y = grads[0]
        x, scale = op.inputs[0], op.inputs[1]
        a = {k: op._attrs[k] for k in ("epsilon", "data_format", "is_training")}
        if a["is_training"]:
            ins = [grad_y, x, scale, op.outputs[3], op.outputs[4]]
            if v3:
                ins.append(op.outputs[5])
        else:
            ins = [grad_y, x, scale, op.inputs[3], op.inputs[4]]
            if v3:
                ins.append(op.outputs[5])
        res = registry.apply_op(grad_type, ins, **a).outputs
        return res[0], res[1], res[2], None, None

    return grad_fn


_FBN_ATTRS = {"T": TYPE, "epsilon": 1e-4, "exponential_avg_factor": 1.0,
              "data_format": "NHWC", "is_training": True}
_FBN_KATTRS = ("epsilon", "exponential_avg_factor", "data_format", "is_training")
_FBNG_KATTRS = ("epsilon", "data_format", "is_training")
_FBN_OUT = ["y: T", "batch_mean: U", "batch_variance: U", "reserve_space_1: U",
            "reserve_space_2: U"]

register_op("FusedBatchNorm",
            inputs=["x: T", "scale: T", "offset: T", "mean: T", "variance: T"],
            outputs=[o.replace(": U", ": T") for o in _FBN_OUT], attrs=_FBN_ATTRS,
            shape_fn=_fbn_shape(5), kernel=_fused_batch_norm_v1, kernel_attrs=_FBN_KATTRS,
            grad=_fbn_grad_fn("FusedBatchNormGrad", False))
register_op("FusedBatchNormV2",
            inputs=["x: T", "scale: U", "offset: U", "mean: U", "variance: U"],
            outputs=_FBN_OUT, attrs=dict(_FBN_ATTRS, U=TYPE), shape_fn=_fbn_shape(5),
            kernel=_fused_batch_norm_v1, kernel_attrs=_FBN_KATTRS,
            grad=_fbn_grad_fn("FusedBatchNormGradV2", False))
register_op("FusedBatchNormV3",
            inputs=["x: T", "scale: U", "offset: U", "mean: U", "variance: U"],
            outputs=_FBN_OUT + ["reserve_space_3: U"], attrs=dict(_FBN_ATTRS, U=TYPE),
            shape_fn=_fbn_shape(6), kernel=_fused_batch_norm, kernel_attrs=_FBN_KATTRS,
            grad=_fbn_grad_fn("FusedBatchNormGradV3", True))
_FBNG_OUT = ["x_backprop: T", "scale_backprop: U", "offset_backprop: U",
             "reserve_space_4: U", "reserve_space_5: U"]
_FBNG_ATTRS = {"T": TYPE, "epsilon": 1e-4, "data_format": "NHWC", "is_training": True}
register_op("FusedBatchNormGrad",
            inputs=["y_backprop: T", "x: T", "scale: T", "reserve_space_1: T",
                    "reserve_space_2: T"],
            outputs=[o.replace(": U", ": T") for o in _FBNG_OUT], attrs=_FBNG_ATTRS,
            shape_fn=_fbn_grad_shape(5), kernel=_fused_batch_norm_grad,
            kernel_attrs=_FBNG_KATTRS, grad=None)
register_op("FusedBatchNormGradV2",
            inputs=["y_backprop: T", "x: T", "scale: U", "reserve_space_1: U",
                    "reserve_space_2: U"],
            outputs=_FBNG_OUT, attrs=dict(_FBNG_ATTRS, U=TYPE), shape_fn=_fbn_grad_shape(5),
            kernel=_fused_batch_norm_grad, kernel_attrs=_FBNG_KATTRS, grad=None)
register_op("FusedBatchNormGradV3",
            inputs=["y_backprop: T", "x: T", "scale: U", "reserve_space_1: U",
                    "reserve_space_2: U", "reserve_space_3: U"],
            outputs=_FBNG_OUT, attrs=dict(_FBNG_ATTRS, U=TYPE), shape_fn=_fbn_grad_shape(5),
            kernel=_fused_batch_norm_grad, kernel_attrs=_FBNG_KATTRS, grad=None)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None,
                     exponential_avg_factor=1.0):
    """tf.nn.fused_batch_norm: (y, batch or running mean, batch or running variance)."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or
                                                               variance is None):
        raise ValueError("Both `mean` and `variance` must be a 1D tensor when is_training is "
                         "False or exponential_avg_factor != 1.0. Received: mean %s and "
                         "variance %s" % (mean, variance))
    x = _t(x, name="input")
    scale = _t(scale, name="scale")
    offset = _t(offset, name="offset")
    u = scale.dtype.base_dtype.np_dtype
    if mean is None:
        mean = _const(np.zeros((0,), u))
    if variance is None:
        variance = _const(np.zeros((0,), u))
    min_epsilon = 1.001e-5
    epsilon = max(min_epsilon, epsilon)
    outs = registry.apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance],
                             name=name, epsilon=float(epsilon),
                             exponential_avg_factor=float(exponential_avg_factor),
                             data_format=data_format, is_training=bool(is_training)).outputs
    return outs[0], outs[1], outs[2]


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """tf.nn.moments: (mean, variance) over `axes`."""
    keep_dims = _lookup("keepdims", keepdims, "keep_dims", keep_dims)
    if keep_dims is None:
        keep_dims = False
    with graph_lib.name_scope(name, "moments", [x, axes]):
        y = _t(x)
        if y.dtype.base_dtype == dtypes.float16:
            y = _op("Cast", [y], DstT=dtypes.float32)
        mean = _reduce("Mean", y, axes, keepdims=True, name="mean")
        sd = _op("SquaredDifference", [y, _op("StopGradient", [mean])])
        variance = _reduce("Mean", sd, axes, keepdims=True, name="variance")
        if not keep_dims:
            ax = list(axes) if isinstance(axes, (list, tuple)) else [int(axes)]
            mean = _squeeze(mean, ax)
            variance = _squeeze(variance, ax)
        if _t(x).dtype.base_dtype == dtypes.float16:
            mean = _op("Cast", [mean], DstT=dtypes.float16)
            variance = _op("Cast", [variance], DstT=dtypes.float16)
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """tf.nn.weighted_moments."""
    keep_dims = bool(_lookup("keepdims", keepdims, "keep_dims", keep_dims))
    with graph_lib.name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = _t(x, name="x")
        w = _t(frequency_weights, name="frequency_weights", dtype=x.dtype.base_dtype)
        wx = _op("Mul", [w, x], name="mul")
        wsum = _reduce("Sum", wx, axes, keepdims=True)
        sw = _reduce("Sum", _op("AddV2", [w, _op("ZerosLike", [x])], name="add"), axes,
                     keepdims=True)
        div = _op("DivNoNan", [wsum, sw])
        mean = div
        sd = _op("SquaredDifference", [x, _op("StopGradient", [mean])])
        var = _op("DivNoNan", [_reduce("Sum", _op("Mul", [w, sd], name="mul"), axes,
                                       keepdims=True), sw])
        if not keep_dims:
            mean = _squeeze(mean, list(axes))
            var = _squeeze(var, list(axes))
        return mean, var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """tf.nn.batch_normalization: scale * (x - mean) / sqrt(variance + eps) + offset."""
    with graph_lib.name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = _t(x)
        variance = _t(variance)
        inv = _op("Rsqrt", [_bin_c("AddV2", variance, variance_epsilon, "add")])
        if scale is not None:
            inv = _op("Mul", [inv, scale], name="mul")
        if inv.dtype.base_dtype != x.dtype.base_dtype:
            inv = _op("Cast", [inv], DstT=x.dtype.base_dtype)
        xi = _op("Mul", [x, inv], name="mul")
        if offset is not None:
            rest = _op("Sub", [offset, _op("Mul", [mean, inv], name="mul")], name="sub")
        else:
            rest = _op("Mul", [_op("Neg", [mean]), inv], name="mul")
        return _op("AddV2", [xi, rest], name="add")


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                         variance_epsilon=None, scale_after_normalization=None,
                                         name=None, input=None, mean=None,
                                         variance=None):
    """tf.nn.batch_norm_with_global_normalization (composite)."""
    t = _lookup("input", input, "t", t)
    m = _lookup("mean", mean, "m", m)
    v = _lookup("variance", variance, "v", v)
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon, name)


# ======================================================================= dropout
def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return _shape(x)
    if isinstance(noise_shape, graph_lib.Tensor):
        return noise_shape
    try:
        ns = tensor_shape.as_shape(noise_shape)
    except (TypeError, ValueError):
        return noise_shape
    if x.shape.ndims is not None and ns.ndims == x.shape.ndims:
        dims = []
        for d, n in zip(x.shape.as_list(), ns.as_list()):
            dims.append(d if n is None and d is not None else n)
        return tensor_shape.TensorShape(dims)
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """tf.nn.dropout (TF1: keep_prob, or rate=): x / keep_prob where uniform >= rate, else 0."""
    if keep_prob is not None:
        if rate is not None:
            raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
        if isinstance(keep_prob, graph_lib.Tensor):
            rate = _rbin("Sub", 1, keep_prob, "sub")
        else:
            rate = 1. - keep_prob
    if rate is None:
        raise ValueError("You must provide a `rate` to dropout. Received: rate=%s" % rate)
    return _dropout(x, rate, noise_shape, seed, name)


def dropout_v2(x, rate, noise_shape=None, seed=None, name=None):
    """tf.nn.dropout (TF2 signature)."""
    return _dropout(x, rate, noise_shape, seed, name)


def _dropout(x, rate, noise_shape, seed, name):
    from tensorweave.ops import random_ops

    with graph_lib.name_scope(name, "dropout", [x]) as name:
        is_number = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
        if is_number and (rate < 0 or rate >= 1):
            raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                             "Received: rate=%s" % rate)
        x = _t(x, name="x")
        dt = x.dtype.base_dtype
        if not dt.is_floating:
            raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                             "Received: x_dtype=%s" % dt.name)
        if is_number and rate == 0:
            return x
        if not isinstance(rate, graph_lib.Tensor):
            if not is_number:
                raise ValueError("`rate` must be a scalar or scalar tensor. Received: rate=%s"
                                 % rate)
            keep = 1 - rate
            scale = _const(1 / keep, dt)
            ret = _op("Mul", [x, scale])
        else:
            rate.shape.assert_has_rank(0)
            if rate.dtype.base_dtype != dt:
                rate = _op("Cast", [rate], name="rate", DstT=dt)
            one = _const(1, dt)
            ret = _op("RealDiv", [x, _op("Sub", [one, rate])])
        ns = _noise_shape(x, noise_shape)
        random_tensor = random_ops.random_uniform(ns, seed=seed, dtype=dt)
        if isinstance(rate, graph_lib.Tensor):
            keep_mask = _op("GreaterEqual", [random_tensor, rate])
        else:
            keep_mask = _bin_c("GreaterEqual", random_tensor, rate, "GreaterEqual")
        zero = _const(0, dt)
        ret = _op("SelectV2", [keep_mask, ret, zero])
        ret.set_shape(x.shape)
        return ret


# ========================================================================= top k
def _in_top_k(predictions, targets, k):
    predictions = np.asarray(predictions)
    targets = np.asarray(targets)
    n, c = predictions.shape
    k = int(k)
    valid = (targets >= 0) & (targets < c)
    t = np.where(valid, targets, 0)
    tv = predictions[np.arange(n), t]
    ok = valid & np.isfinite(tv) & np.all(np.isfinite(predictions), axis=1)
    count = np.sum(predictions > tv[:, None], axis=1)
    return ok & (count < k)


def _in_top_k_shape(op):
    p, t = op.inputs[0].shape, op.inputs[1].shape
    if p.ndims is not None and p.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % p.ndims)
    if t.ndims is not None and t.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % t.ndims)
    n = p.as_list()[0] if p.ndims is not None else None
    m = t.as_list()[0] if t.ndims is not None else None
    if n is not None and m is not None and n != m:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (n, m))
    return [tensor_shape.TensorShape([n if n is not None else m])]


register_op("InTopKV2", inputs=["predictions: float32", "targets: T", "k: T"],
            outputs=["precision: bool"], attrs={"T": _I32}, shape_fn=_in_top_k_shape,
            kernel=_in_top_k, kernel_attrs=(), grad=None)


def _in_top_k_v1(predictions, targets, k=1):
    return _in_top_k(predictions, targets, k)


register_op("InTopK", inputs=["predictions: float32", "targets: T"],
            outputs=["precision: bool"], attrs={"T": _I32, "k": registry.REQUIRED},
            shape_fn=_in_top_k_shape, kernel=_in_top_k_v1, kernel_attrs=("k",), grad=None)


def in_top_k(predictions, targets, k, name=None):
    """tf.nn.in_top_k: whether each target is among the top `k` predictions."""
    with graph_lib.name_scope(name, "in_top_k"):
        targets = _t(targets)
        with _g().name_scope("InTopKV2") as scope:
            kt = _t(k, dtype=targets.dtype.base_dtype, name="k") \
                if not isinstance(k, graph_lib.Tensor) else k
            return _op("InTopKV2", [predictions, targets, kt], name=scope)


def _lazy(name, *modules):
    """A function forwarding to `name` in the first of `modules` (other domains) that has it."""

    def fn(*args, **kwargs):
        import importlib

        for m in modules:
            try:
                mod = importlib.import_module("tensorweave.ops." + m)
            except ImportError:
                continue
            f = getattr(mod, name, None)
            if f is not None and f is not fn:
                return f(*args, **kwargs)
        raise NotImplementedError("tf.nn.%s is not available yet." % name)

    fn.__name__ = name
    fn.__doc__ = "tf.nn.%s (forwards to tensorweave.ops.%s)." % (name, modules[0])
    return fn


top_k = _lazy("top_k", "array_ops", "math_ops")
embedding_lookup = _lazy("embedding_lookup", "embedding_ops", "array_ops")
embedding_lookup_sparse = _lazy("embedding_lookup_sparse", "embedding_ops", "array_ops")
sigmoid = _lazy("sigmoid", "math_ops")
tanh = _lazy("tanh", "math_ops")
