"""Math ops: elementwise arithmetic, comparisons, reductions, matmul, casting.

Every op type is registered right after its kernel with TF's type name, arg names and attrs.
Gradients live in math_grad.py (registered with registry.set_gradient), the public wrappers
(tf.add, tf.reduce_sum, ...) at the end of this module.
"""
import numbers

import numpy as np
import scipy.special as _sp

from tensorweave.framework import dtypes, registry, tensor_shape, tensor_util
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.kernels import elementwise as _ew

_ndarray = np.ndarray
_asarray = np.asarray


# ------------------------------------------------------------------ shape functions
def _broadcast_dims(x, y):
    n = max(len(x), len(y))
    x = [1] * (n - len(x)) + list(x)
    y = [1] * (n - len(y)) + list(y)
    dims = []
    for p, q in zip(x, y):
        if p == 1:
            dims.append(q)
        elif q == 1:
            dims.append(p)
        elif p is None:
            dims.append(q)
        elif q is None or p == q:
            dims.append(p)
        else:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (p, q))
    return dims


def broadcast_static_shape(a, b):
    """Broadcast of two TensorShapes (unknown dims stay unknown)."""
    if a.ndims is None or b.ndims is None:
        return tensor_shape.unknown_shape()
    return tensor_shape.TensorShape(_broadcast_dims(a.as_list(), b.as_list()))


def broadcast_shape(op):
    """Static shape of a NumPy-broadcasting binary op (unknown dims stay unknown)."""
    return [broadcast_static_shape(op.inputs[0].shape, op.inputs[1].shape)]


def _numeric_broadcast_shape(op):
    _check_numeric(op, "x")
    return [broadcast_static_shape(op.inputs[0].shape, op.inputs[1].shape)]


def _nd(r):
    # NOTE: NumPy ufuncs return scalars for 0-d inputs; kernels must return arrays.
    return r if r.__class__ is _ndarray else _asarray(r)


# ------------------------------------------------------------------ binary ops
def _ew2(fn):
    def kernel(x, y, fn=fn, nd=_ndarray, asarray=_asarray):
        r = fn(x, y)
        return r if r.__class__ is nd else asarray(r)

    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


def _binary(op_type, fn, out_type=None, extra_attrs=None, arg_names=("x", "y")):
    attrs = {"T": TYPE}
    if extra_attrs:
        attrs.update(extra_attrs)
    outs = ["z: %s" % (out_type or "T")]
    # NOTE: only (Not)Equal accept bool and string operands, as in TF.
    shape_fn = broadcast_shape if op_type in ("Equal", "NotEqual") else _numeric_broadcast_shape
    register_op(op_type, inputs=["%s: T" % arg_names[0], "%s: T" % arg_names[1]],
                outputs=outs, attrs=attrs, shape_fn=shape_fn, kernel=_ew2(fn),
                kernel_attrs=())


_binary("AddV2", np.add)
_binary("Add", np.add)
_binary("Sub", np.subtract)
_binary("Mul", np.multiply)


def _real_div(x, y):
    return np.true_divide(x, y).astype(x.dtype, copy=False)


_binary("RealDiv", _real_div)


def _trunc_div(x, y):
    if x.dtype.kind in "iu":
        q = np.floor_divide(x, y)
        fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
        return q + fix.astype(q.dtype)
    return np.trunc(np.true_divide(x, y)).astype(x.dtype, copy=False)


def _div(x, y):
    if x.dtype.kind in "iu":
        return _trunc_div(x, y)
    return np.true_divide(x, y).astype(x.dtype, copy=False)


_binary("Div", _div)
_binary("TruncateDiv", _trunc_div)
_binary("TruncateMod", np.fmod)


def _div_no_nan(x, y):
    zero = y == 0
    safe = np.where(zero, np.ones_like(y), y)
    return np.where(zero, np.zeros_like(x), np.true_divide(x, safe)).astype(x.dtype, copy=False)


_binary("DivNoNan", _div_no_nan)


def _floor_div(x, y):
    if x.dtype.kind in "iu":
        return np.floor_divide(x, y)
    return np.floor(np.true_divide(x, y)).astype(x.dtype, copy=False)


_binary("FloorDiv", _floor_div)
_binary("FloorMod", np.mod)


def _pow(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise ValueError("Integers to negative integer powers are not allowed")
    return np.power(x, y)


_binary("Pow", _pow)
_binary("Maximum", np.maximum)
_binary("Minimum", np.minimum)


def _squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, d, out=d) if d.__class__ is _ndarray else d * d


_binary("SquaredDifference", _squared_difference)
_binary("Atan2", np.arctan2, arg_names=("y", "x"))


def _xlogy(x, y):
    r = np.where(x == 0, np.zeros_like(x), x * np.log(np.where(x == 0, np.ones_like(y), y)))
    return r.astype(x.dtype, copy=False)


_binary("Xlogy", _xlogy)

def _mul_no_nan(x, y):
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.multiply(x, y)
    return np.where(y == 0, np.zeros_like(p), p)


_binary("MulNoNan", _mul_no_nan)
_binary("Polygamma", lambda a, x: _sp.polygamma(a, x).astype(x.dtype, copy=False),
        arg_names=("a", "x"))

def _xdivy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(x == 0, np.zeros_like(x), np.true_divide(x, y))
    return r.astype(x.dtype, copy=False)


_binary("Xdivy", _xdivy)

_CMP_ATTRS = {"incompatible_shape_error": True}
_binary("Equal", np.equal, out_type="bool", extra_attrs=_CMP_ATTRS)
_binary("NotEqual", np.not_equal, out_type="bool", extra_attrs=_CMP_ATTRS)
_binary("Less", np.less, out_type="bool")
_binary("LessEqual", np.less_equal, out_type="bool")
_binary("Greater", np.greater, out_type="bool")
_binary("GreaterEqual", np.greater_equal, out_type="bool")

for _t, _f in (("LogicalAnd", np.logical_and), ("LogicalOr", np.logical_or)):
    register_op(_t, inputs=["x: bool", "y: bool"], outputs=["z: bool"],
                shape_fn=broadcast_shape, kernel=_ew2(_f), kernel_attrs=())


# ------------------------------------------------------------------ unary ops
def _ew1(fn):
    def kernel(x, fn=fn, nd=_ndarray, asarray=_asarray):
        r = fn(x)
        return r if r.__class__ is nd else asarray(r)

    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


def _unary(op_type, fn, out_type=None, arg="x"):
    register_op(op_type, inputs=["%s: T" % arg], outputs=["y: %s" % (out_type or "T")],
                attrs={"T": TYPE}, shape_fn=registry.unchanged_shape, kernel=_ew1(fn),
                kernel_attrs=())


def _same_dtype(fn):
    def f(x):
        return fn(x).astype(x.dtype, copy=False)

    return f


def _rsqrt(x):
    r = np.sqrt(x)
    return np.reciprocal(r, out=r) if r.__class__ is _ndarray else 1 / r


def _reciprocal(x):
    if x.dtype.kind in "iu":
        return (1 // x).astype(x.dtype)  # NOTE: integer reciprocal truncates, as C does.
    return np.reciprocal(x)


def _sign(x):
    return np.sign(x)


def _sigmoid(x):
    return _sp.expit(x)


_unary("Neg", np.negative)
_unary("Abs", np.abs)
_unary("Sign", _sign)
_unary("Square", np.square)
_unary("Sqrt", np.sqrt)
_unary("Rsqrt", _rsqrt)
_unary("Exp", np.exp)
_unary("Expm1", np.expm1)
_unary("Log", np.log)
_unary("Log1p", np.log1p)
_unary("Sin", np.sin)
_unary("Cos", np.cos)
_unary("Tan", np.tan)
_unary("Asin", np.arcsin)
_unary("Acos", np.arccos)
_unary("Atan", np.arctan)
_unary("Sinh", np.sinh)
_unary("Cosh", np.cosh)
_unary("Asinh", np.arcsinh)
_unary("Acosh", np.arccosh)
_unary("Atanh", np.arctanh)
_unary("Tanh", np.tanh)
_unary("Sigmoid", _sigmoid)
_unary("Floor", np.floor)
_unary("Ceil", np.ceil)
_unary("Round", np.rint)  # NOTE: np.rint rounds half to even, as TF's Round does.
_unary("Rint", np.rint)
_unary("Reciprocal", _reciprocal)
_unary("Inv", _reciprocal)
_unary("Erf", _same_dtype(_sp.erf))
_unary("Erfc", _same_dtype(_sp.erfc))
_unary("Lgamma", _same_dtype(_sp.gammaln))
_unary("Digamma", _same_dtype(_sp.psi))
_unary("IsNan", np.isnan, out_type="bool")
_unary("IsInf", np.isinf, out_type="bool")
_unary("IsFinite", np.isfinite, out_type="bool")
register_op("Conj", inputs=["input: T"], outputs=["output: T"], attrs={"T": dtypes.complex64},
            shape_fn=registry.unchanged_shape, kernel=_ew1(np.conj), kernel_attrs=())
register_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"],
            shape_fn=registry.unchanged_shape, kernel=_ew1(np.logical_not), kernel_attrs=())


# Gradient helper ops: f'(x) expressed through the op's output y (TF's *Grad ops).
def _sigmoid_grad(y, dy):
    return _nd(dy * y * (1 - y))


def _tanh_grad(y, dy):
    return _nd(dy * (1 - y * y))


def _rsqrt_grad(y, dy):
    return _nd(dy * (y * y * y) * y.dtype.type(-0.5))


def _sqrt_grad(y, dy):
    return _nd(dy * y.dtype.type(0.5) / y)


def _reciprocal_grad(y, dy):
    return _nd(-dy * y * y)


for _t, _f in (("SigmoidGrad", _sigmoid_grad), ("TanhGrad", _tanh_grad),
               ("RsqrtGrad", _rsqrt_grad), ("SqrtGrad", _sqrt_grad),
               ("ReciprocalGrad", _reciprocal_grad), ("InvGrad", _reciprocal_grad)):
    register_op(_t, inputs=["y: T", "dy: T"], outputs=["z: T"], attrs={"T": TYPE},
                shape_fn=broadcast_shape, kernel=_f, kernel_attrs=())


# ------------------------------------------------------------------ select / clip
def _select_shape(op):
    c, t, e = (i.shape for i in op.inputs)
    try:
        s = t.merge_with(e)
    except ValueError:
        raise ValueError("Shapes must be equal rank, but are %s and %s" % (
            t.ndims, e.ndims)) from None
    if c.ndims is not None and s.ndims is not None and c.ndims == 1 and s.ndims > 1:
        s = tensor_shape.TensorShape([c.as_list()[0]]).concatenate(
            s[1:]).merge_with(s) if c.as_list()[0] is not None else s
        return [s]
    if c.ndims is not None and s.ndims is not None:
        try:
            s = s.merge_with(c)
        except ValueError:
            raise ValueError("Shapes must be equal rank, but are %d and %d" % (
                c.ndims, s.ndims)) from None
    return [s]


def _select(c, t, e):
    if c.ndim == 1 and t.ndim > 1:
        c = c.reshape((-1,) + (1,) * (t.ndim - 1))
    return _nd(np.where(c, t, e))


register_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs={"T": TYPE}, shape_fn=_select_shape, kernel=_select, kernel_attrs=())


def _select_v2_shape(op):
    c, t, e = (i.shape for i in op.inputs)
    return [broadcast_static_shape(c, broadcast_static_shape(t, e))]


def _select_v2(c, t, e):
    return _nd(np.where(c, t, e))


register_op("SelectV2", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs={"T": TYPE}, shape_fn=_select_v2_shape, kernel=_select_v2, kernel_attrs=())


def _clip_by_value(t, lo, hi):
    return _nd(np.minimum(np.maximum(t, lo), hi))


register_op("ClipByValue", inputs=["t: T", "clip_value_min: T", "clip_value_max: T"],
            outputs=["output: T"], attrs={"T": TYPE}, shape_fn=registry.unchanged_shape,
            kernel=_clip_by_value, kernel_attrs=())


# ------------------------------------------------------------------ reductions
def _axes_tuple(axis, ndim):
    if axis.ndim == 0:
        a = int(axis)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions." % (
                a, ndim))
        return (a % ndim,) if ndim else ()
    axes = []
    for a in axis.tolist():
        if not -ndim <= a < max(ndim, 1):
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions." % (
                a, ndim))
        a = a % ndim if ndim else 0
        if a not in axes:
            axes.append(a)
    return tuple(axes)


def _check_numeric(op, arg="input"):
    dt = op.inputs[0].dtype.base_dtype
    if dt.is_bool or dt is dtypes.string:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values (op %s '%s')" % (arg, dt.name, op.type, op.name))


def _reduction_shape(op):
    if op.type not in ("All", "Any"):
        _check_numeric(op)
    x = op.inputs[0].shape
    keep = op._attrs.get("keep_dims", False)
    axis = tensor_util.constant_value(op.inputs[1])
    if axis is None:
        if keep and x.ndims is not None:
            return [tensor_shape.unknown_shape(x.ndims)]
        return [tensor_shape.unknown_shape()]
    if x.ndims is None:
        if keep:
            return [tensor_shape.unknown_shape()]
        return [tensor_shape.unknown_shape()]
    n = x.ndims
    axes = set()
    for a in np.asarray(axis).reshape(-1).tolist():
        if not -n <= a < max(n, 1):
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions" % (
                a, n))
        axes.add(a % n if n else 0)
    dims = x.as_list()
    if keep:
        return [tensor_shape.TensorShape([1 if i in axes else d for i, d in enumerate(dims)])]
    return [tensor_shape.TensorShape([d for i, d in enumerate(dims) if i not in axes])]


def _sum(x, axis, keep_dims=False):
    axes = _axes_tuple(axis, x.ndim)
    if len(axes) == x.ndim - 1 > 0 and sorted(axes) == list(range(x.ndim - 1)):
        r = _ew.col_sum(x)  # all leading axes (bias gradients): one C pass, double sums
        if r is not None:
            return r.reshape((1,) * (x.ndim - 1) + r.shape) if keep_dims else r
    r = np.add.reduce(x, axis=axes, dtype=x.dtype, keepdims=keep_dims)
    return r if r.__class__ is _ndarray else _asarray(r)


def _mean(x, axis, keep_dims=False):
    axes = _axes_tuple(axis, x.ndim)
    s = np.add.reduce(x, axis=axes, dtype=x.dtype, keepdims=keep_dims)
    n = 1
    for a in axes:
        n *= x.shape[a]
    if x.dtype.kind in "iu":
        r = _trunc_div(_asarray(s), _asarray(max(n, 1), dtype=x.dtype))
    elif n == 0:
        r = np.full_like(s, np.nan)
    else:
        r = s / n
    return r if r.__class__ is _ndarray else _asarray(r, dtype=x.dtype)


def _max(x, axis, keep_dims=False):
    return _nd(np.maximum.reduce(x, axis=_axes_tuple(axis, x.ndim), keepdims=keep_dims))


def _min(x, axis, keep_dims=False):
    return _nd(np.minimum.reduce(x, axis=_axes_tuple(axis, x.ndim), keepdims=keep_dims))


def _prod(x, axis, keep_dims=False):
    return _nd(np.multiply.reduce(x, axis=_axes_tuple(axis, x.ndim), dtype=x.dtype,
                                  keepdims=keep_dims))


def _all(x, axis, keep_dims=False):
    return _nd(np.logical_and.reduce(x, axis=_axes_tuple(axis, x.ndim), keepdims=keep_dims))


def _any(x, axis, keep_dims=False):
    return _nd(np.logical_or.reduce(x, axis=_axes_tuple(axis, x.ndim), keepdims=keep_dims))


def _euclidean_norm(x, axis, keep_dims=False):
    axes = _axes_tuple(axis, x.ndim)
    if x.dtype.kind == "c":
        s = np.add.reduce((x * np.conj(x)).real, axis=axes, keepdims=keep_dims)
        return _nd(np.sqrt(s).astype(x.dtype))
    s = np.add.reduce(x * x, axis=axes, dtype=x.dtype, keepdims=keep_dims)
    if x.dtype.kind in "iu":
        return _nd(np.sqrt(s).astype(x.dtype))
    return _nd(np.sqrt(s))


_RED_ATTRS = {"keep_dims": False, "T": TYPE, "Tidx": dtypes.int32}
for _t, _f in (("Sum", _sum), ("Mean", _mean), ("Max", _max), ("Min", _min), ("Prod", _prod),
               ("EuclideanNorm", _euclidean_norm)):
    register_op(_t, inputs=["input: T", "reduction_indices: Tidx"], outputs=["output: T"],
                attrs=dict(_RED_ATTRS), shape_fn=_reduction_shape, kernel=_f,
                kernel_attrs=("keep_dims",))
for _t, _f in (("All", _all), ("Any", _any)):
    register_op(_t, inputs=["input: bool", "reduction_indices: Tidx"], outputs=["output: bool"],
                attrs={"keep_dims": False, "Tidx": dtypes.int32}, shape_fn=_reduction_shape,
                kernel=_f, kernel_attrs=("keep_dims",))


def _arg_shape(op):
    x = op.inputs[0].shape
    axis = tensor_util.constant_value(op.inputs[1])
    if x.ndims is None:
        return [tensor_shape.unknown_shape()]
    if axis is None:
        return [tensor_shape.unknown_shape(max(x.ndims - 1, 0))]
    a = int(axis)
    n = x.ndims
    if not -n <= a < n:
        raise ValueError("Expected dimension in the range [%d, %d), but got %d" % (-n, n, a))
    dims = x.as_list()
    del dims[a % n]
    return [tensor_shape.TensorShape(dims)]


def _argmax(x, axis, output_type=dtypes.int64):
    return _asarray(np.argmax(x, axis=int(axis)), dtype=output_type.np_dtype)


def _argmin(x, axis, output_type=dtypes.int64):
    return _asarray(np.argmin(x, axis=int(axis)), dtype=output_type.np_dtype)


for _t, _f in (("ArgMax", _argmax), ("ArgMin", _argmin)):
    register_op(_t, inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
                attrs={"T": TYPE, "Tidx": dtypes.int32, "output_type": dtypes.int64},
                shape_fn=_arg_shape, kernel=_f, kernel_attrs=("output_type",))


# ------------------------------------------------------------------ cumulative
def _cum_kernel(ufunc):
    def kernel(x, axis, exclusive=False, reverse=False):
        a = int(axis)
        if not -x.ndim <= a < max(x.ndim, 1):
            raise ValueError("axis must be in range [-%d, %d), got %d" % (x.ndim, x.ndim, a))
        if reverse:
            x = np.flip(x, a)
        r = ufunc.accumulate(x, axis=a, dtype=x.dtype)
        if exclusive:
            ident = np.zeros_like if ufunc is np.add else np.ones_like
            first = ident(np.take(r, [0], axis=a))
            r = np.concatenate([first, np.take(r, np.arange(x.shape[a] - 1), axis=a)], axis=a)
        if reverse:
            r = np.flip(r, a)
        return np.ascontiguousarray(r)

    return kernel


for _t, _u in (("Cumsum", np.add), ("Cumprod", np.multiply)):
    register_op(_t, inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
                attrs={"exclusive": False, "reverse": False, "T": TYPE, "Tidx": dtypes.int32},
                shape_fn=registry.unchanged_shape, kernel=_cum_kernel(_u),
                kernel_attrs=("exclusive", "reverse"))


# ------------------------------------------------------------------ matmul
def _matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.ndims is not None and a.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % a.ndims)
    if b.ndims is not None and b.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % b.ndims)
    ta, tb = op._attrs["transpose_a"], op._attrs["transpose_b"]
    a = a.as_list() if a.ndims is not None else [None, None]
    b = b.as_list() if b.ndims is not None else [None, None]
    m, k1 = (a[1], a[0]) if ta else (a[0], a[1])
    k2, n = (b[1], b[0]) if tb else (b[0], b[1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (k1, k2))
    return [tensor_shape.TensorShape([m, n])]


def _matmul(a, b, transpose_a=False, transpose_b=False):
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    return np.matmul(a, b)


register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs={"transpose_a": False, "transpose_b": False, "T": TYPE, "grad_a": False,
                   "grad_b": False},
            shape_fn=_matmul_shape, kernel=_matmul, kernel_attrs=("transpose_a", "transpose_b"))


def _batch_matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.ndims is None or b.ndims is None:
        return [tensor_shape.unknown_shape()]
    if a.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % a.ndims)
    if b.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % b.ndims)
    al, bl = a.as_list(), b.as_list()
    m, k1 = (al[-1], al[-2]) if op._attrs["adj_x"] else (al[-2], al[-1])
    k2, n = (bl[-1], bl[-2]) if op._attrs["adj_y"] else (bl[-2], bl[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (k1, k2))
    if op.type == "BatchMatMul":
        if len(al) != len(bl):
            raise ValueError("Shape must be rank %d but is rank %d" % (len(al), len(bl)))
        batch = [p if p is not None else q for p, q in zip(al[:-2], bl[:-2])]
    else:
        batch = _broadcast_dims(al[:-2], bl[:-2])
    return [tensor_shape.TensorShape(batch + [m, n])]


def _adj(x):
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


def _batch_matmul(x, y, adj_x=False, adj_y=False):
    if adj_x:
        x = _adj(x)
    if adj_y:
        y = _adj(y)
    return np.matmul(x, y)


register_op("BatchMatMul", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs={"adj_x": False, "adj_y": False, "T": TYPE, "grad_x": False,
                   "grad_y": False}, shape_fn=_batch_matmul_shape,
            kernel=_batch_matmul, kernel_attrs=("adj_x", "adj_y"))
register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs={"adj_x": False, "adj_y": False, "T": TYPE, "grad_x": False,
                   "grad_y": False},
            shape_fn=_batch_matmul_shape, kernel=_batch_matmul, kernel_attrs=("adj_x", "adj_y"))


# ------------------------------------------------------------------ einsum
def _parse_equation(equation, n_inputs):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs = eq
        letters = [c for c in lhs.replace(",", "").replace(".", "")]
        rhs = ("..." if "..." in lhs else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = lhs.split(",")
    if len(ins) != n_inputs:
        raise ValueError("Expected %d inputs but got %d in equation %r" % (
            len(ins), n_inputs, equation))
    return ins, rhs


def _einsum_shape(op):
    eq = op._attrs["equation"]
    if isinstance(eq, bytes):
        eq = eq.decode()
    ins, rhs = _parse_equation(eq, len(op.inputs))
    sizes = {}
    ell = []
    for labels, t in zip(ins, op.inputs):
        s = t.shape
        if s.ndims is None:
            return [tensor_shape.unknown_shape()]
        dims = s.as_list()
        if "..." in labels:
            pre, post = labels.split("...")
            n_ell = len(dims) - len(pre) - len(post)
            if n_ell < 0:
                raise ValueError("Input rank %d is too small for subscripts %r" % (
                    len(dims), labels))
            ell_dims = dims[len(pre):len(pre) + n_ell]
            ell = _broadcast_dims(ell, ell_dims) if ell else ell_dims
            dims = dims[:len(pre)] + dims[len(pre) + n_ell:]
            labels = pre + post
        if len(labels) != len(dims):
            raise ValueError("Expected %d subscripts for an input of rank %d, got %r" % (
                len(dims), len(dims), labels))
        for c, d in zip(labels, dims):
            old = sizes.get(c)
            if old is None or old == 1:
                sizes[c] = d if old is None or d is not None else old
            elif d is not None and d != old and d != 1:
                raise ValueError("Expected dimension %d at axis of the input shaped %s but "
                                 "got dimension %d" % (old, s, d))
    dims = []
    for part in rhs.split("..."):
        dims.append([sizes.get(c) for c in part])
    if len(dims) == 2:
        return [tensor_shape.TensorShape(dims[0] + list(ell) + dims[1])]
    return [tensor_shape.TensorShape(dims[0])]


def _einsum(*inputs, equation):
    if isinstance(equation, bytes):
        equation = equation.decode()
    return _nd(np.einsum(equation, *inputs, optimize=len(inputs) > 1))


register_op("Einsum", inputs=["inputs: N * T"], outputs=["output: T"],
            attrs={"equation": registry.REQUIRED, "N": registry.INT, "T": TYPE},
            shape_fn=_einsum_shape, kernel=_einsum, kernel_attrs=("equation",))


# ------------------------------------------------------------------ cast, AddN
def _cast(x, DstT, Truncate=False):  # noqa: N803 - TF's attr names
    return x.astype(DstT.np_dtype, copy=False)


register_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
            attrs={"SrcT": TYPE, "DstT": TYPE, "Truncate": False},
            shape_fn=registry.unchanged_shape, kernel=_cast,
            kernel_attrs=("DstT",))


def _add_n_shape(op):
    s = tensor_shape.unknown_shape()
    for t in op.inputs:
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            raise ValueError("Shapes must be equal rank, but are %s and %s" % (
                s, t.shape)) from None
    return [s]


def _add_n(*xs):
    if len(xs) == 1:
        return xs[0]
    r = np.add(xs[0], xs[1])
    if r.__class__ is not _ndarray:
        r = _asarray(r)
    for x in xs[2:]:
        np.add(r, x, out=r)
    return r


register_op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"],
            attrs={"N": registry.INT, "T": TYPE}, shape_fn=_add_n_shape, kernel=_add_n,
            kernel_attrs=())


# ------------------------------------------------------------------ diagonals (main diagonal)
def _check_k0(k):
    if np.any(np.asarray(k) != 0):
        raise NotImplementedError("tensorweave: only the main diagonal (k=0) is supported.")


def _matrix_diag_part_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    if s.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % s.ndims)
    d = s.as_list()
    m, n = d[-2], d[-1]
    diag = min(m, n) if m is not None and n is not None else None
    return [tensor_shape.TensorShape(d[:-2] + [diag])]


def _matrix_diag_part(x, k, padding_value, align="RIGHT_LEFT"):
    _check_k0(k)
    return np.ascontiguousarray(np.diagonal(x, axis1=-2, axis2=-1))


register_op("MatrixDiagPartV3", inputs=["input: T", "k: int32", "padding_value: T"],
            outputs=["diagonal: T"], attrs={"T": TYPE, "align": "RIGHT_LEFT"},
            shape_fn=_matrix_diag_part_shape, kernel=_matrix_diag_part, kernel_attrs=("align",))


def _matrix_diag_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    if s.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    d = s.as_list()
    rows = tensor_util.constant_value(op.inputs[2])
    cols = tensor_util.constant_value(op.inputs[3])
    n = d[-1]
    r = n if rows is None or int(rows) == -1 else int(rows)
    c = n if cols is None or int(cols) == -1 else int(cols)
    if rows is None and cols is None:
        r = c = n
    return [tensor_shape.TensorShape(d[:-1] + [r, c])]


def _matrix_diag(diagonal, k, num_rows, num_cols, padding_value, align="RIGHT_LEFT"):
    _check_k0(k)
    n = diagonal.shape[-1]
    rows = n if int(num_rows) == -1 else int(num_rows)
    cols = n if int(num_cols) == -1 else int(num_cols)
    out_arr = np.full(diagonal.shape[:-1] + (rows, cols), padding_value, dtype=diagonal.dtype)
    m = min(rows, cols, n)
    idx = np.arange(m)
    out_arr[..., idx, idx] = diagonal[..., :m]
    return out_arr


register_op("MatrixDiagV3", inputs=["diagonal: T", "k: int32", "num_rows: int32",
                                    "num_cols: int32", "padding_value: T"],
            outputs=["output: T"], attrs={"T": TYPE, "align": "RIGHT_LEFT"},
            shape_fn=_matrix_diag_shape, kernel=_matrix_diag, kernel_attrs=("align",))


def _diag_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    return [s.concatenate(s)]


def _diag(x):
    return np.diag(x.reshape(-1)).reshape(x.shape + x.shape)


def _diag_part_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    if s.ndims % 2:
        raise ValueError("Input must have even rank <= 6, input rank is %d" % s.ndims)
    d = s.as_list()
    h = len(d) // 2
    return [tensor_shape.TensorShape([a if a is not None else b for a, b in zip(d[:h], d[h:])])]


def _diag_part(x):
    h = x.ndim // 2
    n = int(np.prod(x.shape[:h]))
    return np.ascontiguousarray(np.diagonal(x.reshape(n, n))).reshape(x.shape[:h])


register_op("Diag", inputs=["diagonal: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=_diag_shape, kernel=_diag, kernel_attrs=())
register_op("DiagPart", inputs=["input: T"], outputs=["diagonal: T"], attrs={"T": TYPE},
            shape_fn=_diag_part_shape, kernel=_diag_part, kernel_attrs=())


# ------------------------------------------------------------------ linear algebra
def _square_matrix_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    if s.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % s.ndims)
    d = s.as_list()
    if d[-1] is not None and d[-2] is not None and d[-1] != d[-2]:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (d[-2], d[-1]))
    n = d[-1] if d[-1] is not None else d[-2]
    return d[:-2], n


def _same_square_shape(op):
    r = _square_matrix_shape(op)
    if isinstance(r, list):
        return r
    batch, n = r
    return [tensor_shape.TensorShape(batch + [n, n])]


def _batch_scalar_shape(op):
    r = _square_matrix_shape(op)
    if isinstance(r, list):
        return r * len(op._outputs)
    return [tensor_shape.TensorShape(r[0])] * len(op._outputs)


def _matrix_inverse(x, adjoint=False):
    return np.linalg.inv(_adj(x) if adjoint else x)


def _matrix_determinant(x):
    return _nd(np.linalg.det(x).astype(x.dtype, copy=False))


def _log_matrix_determinant(x):
    sign, logdet = np.linalg.slogdet(x)
    return _nd(sign.astype(x.dtype, copy=False)), _nd(logdet.astype(x.dtype, copy=False))


def _cholesky(x):
    return np.linalg.cholesky(x)


register_op("MatrixInverse", inputs=["input: T"], outputs=["output: T"],
            attrs={"adjoint": False, "T": TYPE}, shape_fn=_same_square_shape,
            kernel=_matrix_inverse, kernel_attrs=("adjoint",))
register_op("MatrixDeterminant", inputs=["input: T"], outputs=["output: T"],
            attrs={"T": TYPE}, shape_fn=_batch_scalar_shape, kernel=_matrix_determinant,
            kernel_attrs=())
register_op("LogMatrixDeterminant", inputs=["input: T"],
            outputs=["sign: T", "log_abs_determinant: T"], attrs={"T": TYPE},
            shape_fn=_batch_scalar_shape, kernel=_log_matrix_determinant, kernel_attrs=())
register_op("Cholesky", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=_same_square_shape, kernel=_cholesky, kernel_attrs=())


def _solve_shape(op):
    m, r = op.inputs[0].shape, op.inputs[1].shape
    if m.ndims is None or r.ndims is None:
        return [tensor_shape.unknown_shape()]
    md, rd = m.as_list(), r.as_list()
    if md[-1] is not None and md[-2] is not None and md[-1] != md[-2]:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (md[-2], md[-1]))
    if md[-2] is not None and rd[-2] is not None and md[-2] != rd[-2]:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (md[-2], rd[-2]))
    batch = _broadcast_dims(md[:-2], rd[:-2])
    return [tensor_shape.TensorShape(batch + [rd[-2] if rd[-2] is not None else md[-2],
                                              rd[-1]])]


def _matrix_solve(matrix, rhs, adjoint=False):
    return np.linalg.solve(_adj(matrix) if adjoint else matrix, rhs)


def _matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False):
    # NOTE: only the `lower` (or upper) triangle of `matrix` is read, as in TF.
    m = np.tril(matrix) if lower else np.triu(matrix)
    return np.linalg.solve(_adj(m) if adjoint else m, rhs)


register_op("MatrixSolve", inputs=["matrix: T", "rhs: T"], outputs=["output: T"],
            attrs={"adjoint": False, "T": TYPE}, shape_fn=_solve_shape,
            kernel=_matrix_solve, kernel_attrs=("adjoint",))
register_op("MatrixTriangularSolve", inputs=["matrix: T", "rhs: T"], outputs=["output: T"],
            attrs={"lower": True, "adjoint": False, "T": TYPE}, shape_fn=_solve_shape,
            kernel=_matrix_triangular_solve, kernel_attrs=("lower", "adjoint"))


def _band_part(x, num_lower, num_upper):
    m, n = x.shape[-2], x.shape[-1]
    lo = int(num_lower)
    up = int(num_upper)
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = np.ones((m, n), bool)
    if lo >= 0:
        keep &= (i - j) <= lo
    if up >= 0:
        keep &= (j - i) <= up
    return np.where(keep, x, np.zeros((), x.dtype))


register_op("MatrixBandPart", inputs=["input: T", "num_lower: Tindex", "num_upper: Tindex"],
            outputs=["band: T"], attrs={"T": TYPE, "Tindex": dtypes.int64},
            shape_fn=registry.unchanged_shape, kernel=_band_part, kernel_attrs=())


# ============================================================ graph-building helpers
def _apply(op_type, inputs, name=None, **attrs):
    return out(registry.apply_op(op_type, inputs, name=name, **attrs))


def _t(x, name=None, dtype=None):
    return registry.convert_to_tensor(x, dtype=dtype, name=name)


def _const(value, dtype, name="Const"):
    dtype = dtypes.as_dtype(dtype)
    return registry.constant_op(np.asarray(value, dtype=dtype.np_dtype), name=name, dtype=dtype)


def _is_tensor(x):
    return isinstance(x, graph_lib.Tensor)


def _reduction_dims(x, axis):
    """The axis tensor TF builds for axis=None: a Const when the rank is known."""
    if axis is not None:
        return axis
    r = x.shape.ndims
    if r is not None:
        return _const(np.arange(r, dtype=np.int32), dtypes.int32, name="Const")
    rank = _apply("Rank", [x])
    with graph_lib.name_scope(None, "range", []) as scope:
        start = _const(0, dtypes.int32, name="start")
        delta = _const(1, dtypes.int32, name="delta")
        return _apply("Range", [start, rank, delta], name=scope)


def _deprecated_alias(new, old, new_name, old_name):
    if old is not None:
        if new is not None and new != old if not _is_tensor(new) else new is not old:
            raise ValueError("Cannot specify both '%s' and '%s'." % (new_name, old_name))
        return old
    return new


def _keep(keepdims, keep_dims):
    v = _deprecated_alias(keepdims, keep_dims, "keepdims", "keep_dims")
    return bool(v) if v is not None else False


# ============================================================ public wrappers: binary
def add(x, y, name=None):
    """tf.add / tf.math.add (op AddV2)."""
    return _apply("AddV2", [x, y], name=name or "Add")


def subtract(x, y, name=None):
    return _apply("Sub", [x, y], name=name or "Sub")


def multiply(x, y, name=None):
    return _apply("Mul", [x, y], name=name or "Mul")


def realdiv(x, y, name=None):
    return _apply("RealDiv", [x, y], name=name)


def _int_to_float(dt):
    if dt in (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16):
        return dtypes.float32
    if dt in (dtypes.int32, dtypes.uint32, dtypes.int64, dtypes.uint64):
        return dtypes.float64
    return None


def _convert_pair(x, y):
    if _is_tensor(x) or not _is_tensor(y):
        x = _t(x, name="x")
        y = _t(y, name="y", dtype=x.dtype.base_dtype)
    else:
        y = _t(y, name="y")
        x = _t(x, name="x", dtype=y.dtype.base_dtype)
    return x, y


def truediv(x, y, name=None):
    """tf.truediv: integers are converted to floats first (int32/int64 -> float64)."""
    with graph_lib.name_scope(name, "truediv", [x, y]) as scope:
        x, y = _convert_pair(x, y)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError("x and y must have the same dtype, got %r != %r" % (
                x.dtype.base_dtype, y.dtype.base_dtype))
        dt = _int_to_float(x.dtype.base_dtype)
        if dt is not None:
            x = cast(x, dt)
            y = cast(y, dt)
        return _apply("RealDiv", [x, y], name=scope)


def divide(x, y, name=None):
    """tf.divide: x / y (name given: a truediv op of that name)."""
    if name is not None:
        return truediv(x, y, name=name)
    return _op_truediv(x, y)


def div(x, y, name=None):
    """tf.div (TF1): floor division for integers, true division for floats."""
    with graph_lib.name_scope(name, "div", [x, y]) as scope:
        x, y = _convert_pair(x, y)
        if x.dtype.base_dtype.is_integer:
            return _apply("FloorDiv", [x, y], name=scope)
        return _apply("RealDiv", [x, y], name=scope)


def div_no_nan(x, y, name=None):
    with graph_lib.name_scope(name, "div_no_nan", [x, y]) as scope:
        x, y = _convert_pair(x, y)
        return _apply("DivNoNan", [x, y], name=scope)


def floordiv(x, y, name=None):
    with graph_lib.name_scope(name, "floordiv", [x, y]) as scope:
        return _apply("FloorDiv", [x, y], name=scope)


def floor_div(x, y, name=None):
    return _apply("FloorDiv", [x, y], name=name)


def floormod(x, y, name=None):
    return _apply("FloorMod", [x, y], name=name)


def truncatediv(x, y, name=None):
    return _apply("TruncateDiv", [x, y], name=name)


def truncatemod(x, y, name=None):
    return _apply("TruncateMod", [x, y], name=name)


def pow(x, y, name=None):  # noqa: A001 - TF's public name
    with graph_lib.name_scope(name, "Pow", [x]) as scope:
        return _apply("Pow", [x, y], name=scope)


def maximum(x, y, name=None):
    return _apply("Maximum", [x, y], name=name)


def minimum(x, y, name=None):
    return _apply("Minimum", [x, y], name=name)


def squared_difference(x, y, name=None):
    return _apply("SquaredDifference", [x, y], name=name)


def atan2(y, x, name=None):
    return _apply("Atan2", [y, x], name=name)


def xlogy(x, y, name=None):
    return _apply("Xlogy", [x, y], name=name)


def multiply_no_nan(x, y, name=None):
    """tf.math.multiply_no_nan: x * y, 0 where y == 0 (even if x is inf/nan)."""
    with graph_lib.name_scope(name, "multiply_no_nan", [x, y]) as scope:
        x, y = _convert_pair(x, y)
        return _apply("MulNoNan", [x, y], name=scope)


def polygamma(a, x, name=None):
    return _apply("Polygamma", [a, x], name=name)


def conj(x, name=None):
    """tf.math.conj: complex conjugate (real tensors are returned unchanged)."""
    with graph_lib.name_scope(name, "Conj", [x]) as scope:
        x = _t(x, name="x")
        if x.dtype.base_dtype.is_complex:
            return _apply("Conj", [x], name=scope)
        return x


def xdivy(x, y, name=None):
    return _apply("Xdivy", [x, y], name=name)


def equal(x, y, name=None):
    return _apply("Equal", [x, y], name=name)


def not_equal(x, y, name=None):
    return _apply("NotEqual", [x, y], name=name)


def less(x, y, name=None):
    return _apply("Less", [x, y], name=name)


def less_equal(x, y, name=None):
    return _apply("LessEqual", [x, y], name=name)


def greater(x, y, name=None):
    return _apply("Greater", [x, y], name=name)


def greater_equal(x, y, name=None):
    return _apply("GreaterEqual", [x, y], name=name)


def logical_and(x, y, name=None):
    return _apply("LogicalAnd", [x, y], name=name)


def logical_or(x, y, name=None):
    return _apply("LogicalOr", [x, y], name=name)


def logical_not(x, name=None):
    return _apply("LogicalNot", [x], name=name)


def logical_xor(x, y, name="LogicalXor"):
    """x ^ y = (x | y) & !(x & y), as TF builds it."""
    return _apply("LogicalAnd", [_apply("LogicalOr", [x, y]),
                                 _apply("LogicalNot", [_apply("LogicalAnd", [x, y])])],
                  name=name)


def scalar_mul(scalar, x, name=None):
    """tf.scalar_mul: a scalar (converted to x's dtype, named 'scalar') times x."""
    x = _t(x)
    s = _t(scalar, name="scalar", dtype=x.dtype.base_dtype)
    if s.shape.ndims not in (0, None):
        raise ValueError("Only scalar multiply works, got shape %s" % s.shape)
    return _apply("Mul", [s, x], name=name)


# ============================================================ public wrappers: unary
def _unary_wrapper(op_type, pyname):
    def wrapper(x, name=None):
        return _apply(op_type, [x], name=name)

    wrapper.__name__ = pyname
    wrapper.__doc__ = "tf.%s (op %s)." % (pyname, op_type)
    return wrapper


negative = _unary_wrapper("Neg", "negative")
sign = _unary_wrapper("Sign", "sign")
square = _unary_wrapper("Square", "square")
sqrt = _unary_wrapper("Sqrt", "sqrt")
rsqrt = _unary_wrapper("Rsqrt", "rsqrt")
exp = _unary_wrapper("Exp", "exp")
expm1 = _unary_wrapper("Expm1", "expm1")
log = _unary_wrapper("Log", "log")
log1p = _unary_wrapper("Log1p", "log1p")
sin = _unary_wrapper("Sin", "sin")
cos = _unary_wrapper("Cos", "cos")
tan = _unary_wrapper("Tan", "tan")
asin = _unary_wrapper("Asin", "asin")
acos = _unary_wrapper("Acos", "acos")
atan = _unary_wrapper("Atan", "atan")
sinh = _unary_wrapper("Sinh", "sinh")
cosh = _unary_wrapper("Cosh", "cosh")
asinh = _unary_wrapper("Asinh", "asinh")
acosh = _unary_wrapper("Acosh", "acosh")
atanh = _unary_wrapper("Atanh", "atanh")
floor = _unary_wrapper("Floor", "floor")
ceil = _unary_wrapper("Ceil", "ceil")
rint = _unary_wrapper("Rint", "rint")
reciprocal = _unary_wrapper("Reciprocal", "reciprocal")
erf = _unary_wrapper("Erf", "erf")
erfc = _unary_wrapper("Erfc", "erfc")
lgamma = _unary_wrapper("Lgamma", "lgamma")
digamma = _unary_wrapper("Digamma", "digamma")
is_nan = _unary_wrapper("IsNan", "is_nan")
is_inf = _unary_wrapper("IsInf", "is_inf")
is_finite = _unary_wrapper("IsFinite", "is_finite")


def abs(x, name=None):  # noqa: A001 - TF's public name
    """tf.abs (op Abs)."""
    with graph_lib.name_scope(name, "Abs", [x]) as scope:
        return _apply("Abs", [_t(x, name="x")], name=scope)


def sigmoid(x, name=None):
    """tf.sigmoid / tf.nn.sigmoid (op Sigmoid)."""
    with graph_lib.name_scope(name, "Sigmoid", [x]) as scope:
        return _apply("Sigmoid", [_t(x, name="x")], name=scope)


def tanh(x, name=None):
    """tf.tanh / tf.nn.tanh (op Tanh)."""
    with graph_lib.name_scope(name, "Tanh", [x]) as scope:
        return _apply("Tanh", [_t(x, name="x")], name=scope)


def round(x, name=None):  # noqa: A001 - TF's public name
    """tf.round: banker's rounding; integers are returned unchanged."""
    x = _t(x, name="x")
    if x.dtype.base_dtype.is_integer:
        return x
    return _apply("Round", [x], name=name)


def log_sigmoid(x, name=None):
    """tf.math.log_sigmoid = -softplus(-x)."""
    with graph_lib.name_scope(name, "LogSigmoid", [x]) as scope:
        x = _t(x, name="x")
        return _apply("Neg", [_apply("Softplus", [_apply("Neg", [x])])], name=scope)


# ============================================================ cast
def cast(x, dtype, name=None):
    """tf.cast: a Cast op, or `x` itself when it already has `dtype`."""
    base = dtypes.as_dtype(dtype).base_dtype
    if hasattr(x, "_tw_cast"):
        return x._tw_cast(base, name)
    if isinstance(x, graph_lib.Tensor) and x.dtype == base:
        # NOTE: as TF, a tensor already of `dtype` comes back without opening a 'Cast' scope,
        # which keeps later Cast_N names aligned with TF's.
        return x
    with graph_lib.name_scope(name, "Cast", [x]) as scope:
        x = _t(x, name="x")
        if x.dtype.base_dtype != base:
            x = _apply("Cast", [x], name=scope, DstT=base)
        return x


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def to_bfloat16(x, name="ToBFloat16"):
    return cast(x, dtypes.bfloat16, name=name)


def to_complex64(x, name="ToComplex64"):
    return cast(x, dtypes.complex64, name=name)


def to_complex128(x, name="ToComplex128"):
    return cast(x, dtypes.complex128, name=name)


def saturate_cast(value, dtype, name=None):
    """tf.saturate_cast: clamps to the range of `dtype`, then casts."""
    with graph_lib.name_scope(name, "saturate_cast", [value]) as scope:
        value = _t(value, name="value")
        dtype = dtypes.as_dtype(dtype).base_dtype
        src = value.dtype.base_dtype
        if (src.is_floating or src.is_integer) and (dtype.is_integer or dtype.is_floating):
            lo_in, hi_in = _dtype_range(src)
            lo_out, hi_out = _dtype_range(dtype)
            lo, hi = max(lo_in, lo_out), min(hi_in, hi_out)
            # NOTE: TF clamps even when the target range contains the source range.
            value = _apply("ClipByValue",
                           [value, _const(lo, src, name="Const"),
                            _const(hi, src, name="Const_1")], name="clamp")
        return cast(value, dtype, name=scope)


def _dtype_range(dt):
    if dt.is_integer:
        info = np.iinfo(dt.np_dtype)
    elif dt.is_bool:
        return 0, 1
    else:
        info = np.finfo(dt.np_dtype)
    return info.min, info.max


# ============================================================ n-ary
def add_n(inputs, name=None):
    """tf.add_n: sums a list of same-shaped tensors (one input is returned as is)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and "
                         "shape")
    inputs = list(inputs)
    if len(inputs) == 1:
        if name:
            from tensorweave.ops import array_ops

            return array_ops.identity(inputs[0], name=name)
        return _t(inputs[0])
    return _apply("AddN", [inputs], name=name)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """tf.accumulate_n: AddN of the inputs."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and "
                         "shape")
    inputs = list(inputs)
    if len(inputs) == 1 and name is None:
        return _t(inputs[0])
    return _apply("AddN", [inputs], name=name)


# ============================================================ reductions
def _may_reduce_to_scalar(keep, axis, output):
    # NOTE: reducing over every axis without keep_dims is a scalar even for unknown ranks.
    if not keep and axis is None and output.shape.ndims is None:
        output.set_shape([])
    return output


def _reduce(op_type, default_name):
    def wrapper(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
        axis = _deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
        keep = _keep(keepdims, keep_dims)
        x = _t(input_tensor)
        return _may_reduce_to_scalar(keep, axis, _apply(
            op_type, [x, _reduction_dims(x, axis)], name=name or default_name, keep_dims=keep))

    wrapper.__name__ = "reduce_" + default_name.lower()
    wrapper.__doc__ = "tf.%s (op %s)." % (wrapper.__name__, op_type)
    return wrapper


reduce_sum = _reduce("Sum", "Sum")
reduce_mean = _reduce("Mean", "Mean")
reduce_max = _reduce("Max", "Max")
reduce_min = _reduce("Min", "Min")
reduce_prod = _reduce("Prod", "Prod")
reduce_euclidean_norm = _reduce("EuclideanNorm", "EuclideanNorm")
reduce_euclidean_norm.__name__ = "reduce_euclidean_norm"


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    axis = _deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
    x = _t(input_tensor, dtype=dtypes.bool)
    keep = _keep(keepdims, keep_dims)
    return _may_reduce_to_scalar(keep, axis, _apply(
        "All", [x, _reduction_dims(x, axis)], name=name or "All", keep_dims=keep))


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    axis = _deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
    x = _t(input_tensor, dtype=dtypes.bool)
    keep = _keep(keepdims, keep_dims)
    return _may_reduce_to_scalar(keep, axis, _apply(
        "Any", [x, _reduction_dims(x, axis)], name=name or "Any", keep_dims=keep))


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed stably, with TF's op structure."""
    axis = _deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
    keep = _keep(keepdims, keep_dims)
    with graph_lib.name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = _t(input_tensor)
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = _apply("StopGradient", [
            _apply("SelectV2", [is_finite(raw_max), raw_max, _zero_e(raw_max)])])
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keep))
        if not keep:
            my_max = _apply("Reshape", [my_max, _apply("Shape", [result])])
        return _apply("AddV2", [result, my_max], name=scope)


def _zero_e(like):
    # NOTE: the scalar 0 becomes the SelectV2's 'e' input, converted inside the op's scope.
    return np.zeros((), dtype=like.dtype.base_dtype.np_dtype)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    with graph_lib.name_scope(name, "reduce_variance", [input_tensor]):
        x = _t(input_tensor)
        means = reduce_mean(x, axis, keepdims=True)
        sq = square(_apply("Sub", [x, means], name="sub"))
        return reduce_mean(sq, axis, keepdims=bool(keepdims))


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    with graph_lib.name_scope(name, "reduce_std", [input_tensor]):
        var = reduce_variance(input_tensor, axis, keepdims=keepdims)
        return sqrt(var)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """tf.count_nonzero: the number of non-zero elements along `axis`."""
    if input_tensor is None:
        input_tensor = input
    axis = _deprecated_alias(axis, reduction_indices, "axis", "reduction_indices")
    keep = _keep(keepdims, keep_dims)
    with graph_lib.name_scope(name, "count_nonzero", [input_tensor]):
        x = _t(input_tensor, name="input_tensor")
        zero = _const(0 if not x.dtype.base_dtype.is_bool else False, x.dtype.base_dtype,
                      name="zeros")
        nz = cast(not_equal(x, zero), dtypes.int64)
        r = reduce_sum(nz, axis=axis, keepdims=keep)
        return cast(r, dtype)


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's arg name
           output_type=dtypes.int64):
    axis = _deprecated_alias(axis, dimension, "axis", "dimension")
    if axis is None:
        axis = 0
    return _apply("ArgMax", [input, axis], name=name, output_type=dtypes.as_dtype(output_type))


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's arg name
           output_type=dtypes.int64):
    axis = _deprecated_alias(axis, dimension, "axis", "dimension")
    if axis is None:
        axis = 0
    return _apply("ArgMin", [input, axis], name=name, output_type=dtypes.as_dtype(output_type))


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    return _apply("ArgMax", [input, dimension], name=name,
                  output_type=dtypes.as_dtype(output_type))


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    return _apply("ArgMin", [input, dimension], name=name,
                  output_type=dtypes.as_dtype(output_type))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    with graph_lib.name_scope(name, "Cumsum", [x]) as scope:
        x = _t(x, name="x")
        return _apply("Cumsum", [x, axis], name=scope, exclusive=bool(exclusive),
                      reverse=bool(reverse))


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    with graph_lib.name_scope(name, "Cumprod", [x]) as scope:
        x = _t(x, name="x")
        return _apply("Cumprod", [x, axis], name=scope, exclusive=bool(exclusive),
                      reverse=bool(reverse))


# ============================================================ matmul / einsum
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """tf.matmul: MatMul for matrices, BatchMatMulV2 for rank > 2 (broadcast batch dims)."""
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    with graph_lib.name_scope(name, "MatMul", [a, b]) as scope:
        a = _t(a, name="a")
        b = _t(b, name="b", dtype=a.dtype.base_dtype) if not _is_tensor(b) else b
        ra, rb = a.shape.ndims, b.shape.ndims
        # NOTE: TF uses BatchMatMulV2 whenever a rank is unknown or above 2.
        if ra is None or rb is None or ra > 2 or rb > 2:
            return _apply("BatchMatMulV2", [a, b], name=scope,
                          adj_x=bool(adjoint_a or transpose_a),
                          adj_y=bool(adjoint_b or transpose_b))
        if a.dtype.base_dtype.is_complex:
            if adjoint_a:
                a = _apply("Conj", [a])
            if adjoint_b:
                b = _apply("Conj", [b])
        return _apply("MatMul", [a, b], name=scope, transpose_a=bool(transpose_a or adjoint_a),
                      transpose_b=bool(transpose_b or adjoint_b))


def einsum(equation, *inputs, **kwargs):
    """tf.einsum: one Einsum op (named 'einsum/Einsum', as TF's graph shows)."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError("Invalid keyword arguments for einsum: %s" % ", ".join(kwargs))
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    with graph_lib.name_scope(name, "einsum", list(inputs)):
        inputs = [_t(x) for x in inputs]
        return _apply("Einsum", [inputs], name="Einsum", equation=equation.replace(" ", ""))


def _tensordot_axes(a, b, axes):
    ra, rb = a.shape.ndims, b.shape.ndims
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError("'axes' must be at least 0, got %d." % n)
        if ra is None or rb is None:
            raise ValueError("tensordot with an integer 'axes' needs inputs of known rank.")
        if n > ra or n > rb:
            raise ValueError("'axes' must not be larger than the number of dimensions of "
                             "tensor %s." % (a if n > ra else b))
        return list(range(ra - n, ra)), list(range(n))
    if isinstance(axes, (list, tuple)) and len(axes) == 2:
        a_axes, b_axes = axes
        a_axes = [int(a_axes)] if isinstance(a_axes, (int, np.integer)) else \
            [int(i) for i in a_axes]
        b_axes = [int(b_axes)] if isinstance(b_axes, (int, np.integer)) else \
            [int(i) for i in b_axes]
        if len(a_axes) != len(b_axes):
            raise ValueError("Different number of contraction axes 'a' and 'b', %d != %d." % (
                len(a_axes), len(b_axes)))
        if ra is None or rb is None:
            raise ValueError("tensordot needs inputs of known rank.")
        return [i % ra for i in a_axes], [i % rb for i in b_axes]
    raise ValueError("'axes' must be an integer or have length 2.")


def _tensordot_reshape(x, axes, flipped):
    """Transposes/reshapes x to a matrix: (free, contracted) or (contracted, free)."""
    n = x.shape.ndims
    free = [i for i in range(n) if i not in axes]
    perm = (axes + free) if flipped else (free + axes)
    dims = x.shape.as_list()
    if perm != list(range(n)):
        x = _apply("Transpose", [x, np.asarray(perm, np.int32)], name="transpose")
    free_dims = [dims[i] for i in free]
    axes_dims = [dims[i] for i in axes]
    if None not in free_dims and None not in axes_dims:
        pf, pa = int(np.prod(free_dims)), int(np.prod(axes_dims))
        new = [pa, pf] if flipped else [pf, pa]
        if x.shape.as_list() != new:
            x = _apply("Reshape", [x, np.asarray(new, np.int32)], name="Reshape")
        return x, free_dims, None
    shape = _apply("Shape", [x])
    k = len(axes)
    nf = len(free)
    idx_f = np.arange(k, k + nf) if flipped else np.arange(nf)
    idx_a = np.arange(k) if flipped else np.arange(nf, nf + k)
    free_t = _apply("GatherV2", [shape, idx_f.astype(np.int32), np.int32(0)])
    prod_f = _apply("Prod", [free_t, np.int32(0)], keep_dims=True)
    prod_a = _apply("Prod", [_apply("GatherV2", [shape, idx_a.astype(np.int32), np.int32(0)]),
                             np.int32(0)], keep_dims=True)
    new = [prod_a, prod_f] if flipped else [prod_f, prod_a]
    x = _apply("Reshape", [x, _apply("ConcatV2", [new, np.int32(0)])])
    return x, free_dims, free_t


def tensordot(a, b, axes, name=None):
    """tf.tensordot: contraction over `axes` as one MatMul between reshaped operands."""
    with graph_lib.name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = _t(a, name="a")
        b = _t(b, name="b", dtype=a.dtype.base_dtype) if not _is_tensor(b) else b
        a_axes, b_axes = _tensordot_axes(a, b, axes)
        a_m, a_free, a_free_t = _tensordot_reshape(a, a_axes, False)
        b_m, b_free, b_free_t = _tensordot_reshape(b, b_axes, True)
        ab = _apply("MatMul", [a_m, b_m])
        if a_free_t is None and b_free_t is None:
            if ab.shape.as_list() == a_free + b_free:
                return ab
            return _apply("Reshape", [ab, np.asarray(a_free + b_free, np.int32)], name=scope)
        parts = [a_free_t if a_free_t is not None else np.asarray(a_free, np.int32),
                 b_free_t if b_free_t is not None else np.asarray(b_free, np.int32)]
        r = _apply("Reshape", [ab, _apply("ConcatV2", [parts, np.int32(0)])], name=scope)
        r.set_shape(a_free + b_free)
        return r


def matrix_diag_part(input, name="diag_part", k=0, padding_value=0,  # noqa: A002
                     align="RIGHT_LEFT"):
    """tf.linalg.diag_part / tf.matrix_diag_part (main diagonal only)."""
    with graph_lib.name_scope(name, "diag_part", [input]) as scope:
        x = _t(input, name="input")
        return _apply("MatrixDiagPartV3", [x, np.int32(k), np.asarray(
            padding_value, x.dtype.base_dtype.np_dtype)], name=scope, align=align)


def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
                align="RIGHT_LEFT"):
    """tf.linalg.diag / tf.matrix_diag (main diagonal only)."""
    with graph_lib.name_scope(name, "diag", [diagonal]) as scope:
        d = _t(diagonal, name="diagonal")
        return _apply("MatrixDiagV3", [d, np.int32(k), np.int32(num_rows), np.int32(num_cols),
                                       np.asarray(padding_value, d.dtype.base_dtype.np_dtype)],
                      name=scope, align=align)


def trace(x, name=None):
    """tf.linalg.trace: sum of the main diagonals of the innermost matrices."""
    with graph_lib.name_scope(name, "Trace", [x]) as scope:
        x = _t(x, name="x")
        return _apply("Sum", [matrix_diag_part(x), np.asarray([-1], np.int32)], name=scope)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """tf.eye for static sizes: a MatrixDiagV3 of ones."""
    with graph_lib.name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        dtype = dtypes.as_dtype(dtype)
        n = int(num_rows)
        m = n if num_columns is None else int(num_columns)
        batch = [] if batch_shape is None else [int(b) for b in batch_shape]
        ones = _const(np.ones(batch + [min(n, m)]), dtype, name="ones")
        if n == m:
            return matrix_diag(ones)
        return matrix_diag(ones, num_rows=n, num_cols=m)


def diag(diagonal, name=None):
    """tf.diag (TF1): a tensor with `diagonal` on its diagonal (op Diag)."""
    return _apply("Diag", [diagonal], name=name)


def diag_part(input, name=None):  # noqa: A002 - TF's arg name
    """tf.diag_part (TF1, op DiagPart)."""
    return _apply("DiagPart", [input], name=name)


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002 - TF's arg name
    """tf.linalg.inv / tf.matrix_inverse."""
    return _apply("MatrixInverse", [input], name=name, adjoint=bool(adjoint))


def matrix_determinant(input, name=None):  # noqa: A002
    """tf.linalg.det / tf.matrix_determinant."""
    return _apply("MatrixDeterminant", [input], name=name)


def log_matrix_determinant(input, name=None):  # noqa: A002
    """tf.linalg.slogdet / tf.log_matrix_determinant: (sign, log|det|)."""
    op = registry.apply_op("LogMatrixDeterminant", [input], name=name)
    return op._outputs[0], op._outputs[1]


def cholesky(input, name=None):  # noqa: A002
    """tf.linalg.cholesky / tf.cholesky."""
    return _apply("Cholesky", [input], name=name)


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """tf.linalg.solve / tf.matrix_solve."""
    return _apply("MatrixSolve", [matrix, rhs], name=name, adjoint=bool(adjoint))


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """tf.linalg.triangular_solve / tf.matrix_triangular_solve."""
    return _apply("MatrixTriangularSolve", [matrix, rhs], name=name, lower=bool(lower),
                  adjoint=bool(adjoint))


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """tf.linalg.band_part / tf.matrix_band_part."""
    return _apply("MatrixBandPart", [input, num_lower, num_upper], name=name)


def logdet(matrix, name=None):
    """tf.linalg.logdet: log det of a Hermitian positive definite matrix (via Cholesky)."""
    with graph_lib.name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        two = 2.0
        return _op_mul(two, reduce_sum(log(matrix_diag_part(chol)), axis=[-1]))


# ============================================================ clipping and norms
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """tf.clip_by_value = maximum(minimum(t, max), min), as TF builds it."""
    with graph_lib.name_scope(name, "clip_by_value",
                              [t, clip_value_min, clip_value_max]) as scope:
        values = _t(t, name="t")
        t_min = _apply("Minimum", [values, clip_value_max])
        if values.shape.ndims is not None and t_min.shape.ndims is not None and \
                not values.shape.is_compatible_with(t_min.shape):
            raise ValueError("Incompatible shapes: %s vs. %s" % (values.shape, t_min.shape))
        t_max = _apply("Maximum", [t_min, clip_value_min], name=scope)
        if values.shape.ndims is not None and t_max.shape.ndims is not None and \
                not values.shape.is_compatible_with(t_max.shape):
            raise ValueError("Incompatible shapes: %s vs. %s" % (values.shape, t_max.shape))
        return t_max


def _ones_like(x):
    from tensorweave.ops import array_ops

    if hasattr(array_ops, "ones_like"):
        return array_ops.ones_like(x)
    with graph_lib.name_scope(None, "ones_like", [x]) as scope:
        return _apply("Fill", [_apply("Shape", [x]), _const(1, x.dtype.base_dtype)],
                      name=scope)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """tf.clip_by_norm: t * clip_norm / max(l2norm(t), clip_norm) (safe at zero norm)."""
    with graph_lib.name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = _t(t, name="t")
        l2sum = reduce_sum(_op_mul(values, values), axes, keepdims=True)
        pred = _apply("Greater", [l2sum, 0.0 if values.dtype.base_dtype.is_floating else 0])
        l2sum_safe = _apply("Select", [pred, l2sum, _ones_like(l2sum)])
        l2norm = _apply("Select", [pred, sqrt(l2sum_safe), l2sum])
        intermediate = _op_mul(values, clip_norm)
        values_clip = _op_truediv(intermediate, _apply("Maximum", [l2norm, clip_norm]))
        from tensorweave.ops import array_ops

        return array_ops.identity(values_clip, name=scope)


def global_norm(t_list, name=None):
    """tf.global_norm: sqrt(sum of squared L2 norms) of a list of tensors."""
    if not isinstance(t_list, (list, tuple)) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    with graph_lib.name_scope(name, "global_norm", t_list):
        values = [_t(v.values if hasattr(v, "values") and hasattr(v, "indices") else v,
                     name="t_%d" % i) if v is not None else None for i, v in enumerate(t_list)]
        half_squared = [_apply("L2Loss", [v]) for v in values if v is not None]
        stacked = _apply("Pack", [half_squared], axis=0, name="stack")
        half_sq_norm = reduce_sum(stacked)
        two = _const(2.0, half_sq_norm.dtype, name="Const")
        return sqrt(_op_mul(half_sq_norm, two), name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """tf.clip_by_global_norm: (clipped list, global norm)."""
    if not isinstance(t_list, (list, tuple)) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with graph_lib.name_scope(name, "clip_by_global_norm", t_list + [clip_norm]) as scope:
        dt = use_norm.dtype.base_dtype
        scale_for_finite = _op_mul(clip_norm, minimum(
            _op_rtruediv(use_norm, 1.0),
            _op_truediv(_const(1.0, dt, name="Const"), clip_norm)))
        # NOTE: a non-finite norm makes every output NaN, as in TF (use_norm - use_norm).
        scale = _op_add(scale_for_finite, _op_sub(use_norm, use_norm))
        from tensorweave.ops import array_ops

        base = scope[:-1].split("/")[-1]
        out_list = []
        for i, v in enumerate(t_list):
            if v is None:
                out_list.append(None)
                continue
            out_list.append(array_ops.identity(_op_mul(v, scale), name="%s/_%d" % (base, i)))
    return out_list, use_norm


def clip_by_average_norm(t, clip_norm, name=None):
    """tf.clip_by_average_norm: t * clip_norm / max(l2norm_avg(t), clip_norm)."""
    with graph_lib.name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = _t(t, name="t")
        n_element = cast(_apply("Size", [t]), t.dtype.base_dtype)
        l2norm_inv = rsqrt(reduce_sum(_op_mul(t, t), _reduction_dims_range(t)))
        tclip = _op_mul(_op_mul(t, clip_norm), minimum(
            _op_mul(l2norm_inv, n_element),
            _op_truediv(_const(1.0, t.dtype.base_dtype, "Const"), clip_norm)))
        from tensorweave.ops import array_ops

        return array_ops.identity(tclip, name=scope)


def _reduction_dims_range(t):
    r = t.shape.ndims
    if r is not None:
        return list(range(r))
    return _reduction_dims(t, None)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """tf.norm: vector norms (any p > 0, inf) and matrix norms ('fro', 1, inf)."""
    keep = _keep(keepdims, keep_dims)
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if isinstance(axis, (list, tuple)) and len(axis) not in (1, 2):
        raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         "got %s" % (axis,))
    if is_matrix:
        if axis[0] == axis[1]:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique "
                             "integers, got %s" % (axis,))
        if ord not in ("fro", "euclidean", 1, np.inf):
            raise ValueError("'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             "inf], got %s" % (ord,))
    else:
        if not (ord in ("fro", "euclidean") or (isinstance(ord, numbers.Number) and ord > 0)):
            raise ValueError("'ord' must be a supported vector norm, got %s" % (ord,))
        if ord == "fro":
            ord = "euclidean"  # noqa: A001
    with graph_lib.name_scope(name, "norm", [tensor]):
        x = _t(tensor, name="tensor")
        if ord in ("fro", "euclidean", 2, 2.0) and not (is_matrix and ord == 2):
            result = sqrt(reduce_sum(_op_mul(x, x), axis, keepdims=True))
        else:
            result = abs(x)
            if ord == 1 and not is_matrix:
                result = reduce_sum(result, axis, keepdims=True)
            elif ord == np.inf and not is_matrix:
                result = reduce_max(result, axis, keepdims=True)
            elif is_matrix:
                sum_axis, max_axis = (axis[0], axis[1]) if ord == 1 else (axis[1], axis[0])
                result = reduce_max(reduce_sum(result, [sum_axis], keepdims=True), [max_axis],
                                    keepdims=True)
            else:
                p = ord
                result = pow(reduce_sum(pow(result, p), axis, keepdims=True), 1.0 / p)
        if not keep:
            dims = [] if axis is None else ([axis] if not isinstance(axis, (list, tuple))
                                            else list(axis))
            result = _apply("Squeeze", [result], squeeze_dims=dims)
        return result


# ============================================================ operator overloads
def _op_add(x, y):
    with graph_lib.name_scope(None, "add", [x, y]) as scope:
        return _apply("AddV2", [x, y], name=scope)


def _op_sub(x, y):
    with graph_lib.name_scope(None, "sub", [x, y]) as scope:
        return _apply("Sub", [x, y], name=scope)


def _op_mul(x, y):
    with graph_lib.name_scope(None, "mul", [x, y]) as scope:
        return _apply("Mul", [x, y], name=scope)


def _op_truediv(x, y):
    return truediv(x, y)


def _op_rtruediv(y, x):
    return truediv(x, y)


def _op_floordiv(x, y):
    return floordiv(x, y)


def _op_mod(x, y):
    with graph_lib.name_scope(None, "mod", [x, y]) as scope:
        return _apply("FloorMod", [x, y], name=scope)


def _op_pow(x, y):
    with graph_lib.name_scope(None, "pow", [x, y]) as scope:
        return _apply("Pow", [x, y], name=scope)


def _op_matmul(x, y):
    with graph_lib.name_scope(None, "matmul", [x, y]) as scope:
        return matmul(x, y, name=scope)


def _op_and(x, y):
    with graph_lib.name_scope(None, "and", [x, y]) as scope:
        return _apply("LogicalAnd", [x, y], name=scope)


def _op_or(x, y):
    with graph_lib.name_scope(None, "or", [x, y]) as scope:
        return _apply("LogicalOr", [x, y], name=scope)


def _op_xor(x, y):
    with graph_lib.name_scope(None, "xor", [x, y]) as scope:
        return logical_xor(x, y, name=scope)


def _reverse(fn):
    def r(y, x):
        return fn(x, y)

    return r


for _name, _fn in (("add", _op_add), ("sub", _op_sub), ("mul", _op_mul),
                   ("truediv", _op_truediv), ("div", _op_truediv),
                   ("floordiv", _op_floordiv), ("mod", _op_mod), ("pow", _op_pow),
                   ("matmul", _op_matmul), ("and", _op_and), ("or", _op_or),
                   ("xor", _op_xor)):
    graph_lib.Tensor._override_operator("__%s__" % _name, _fn)
    graph_lib.Tensor._override_operator("__r%s__" % _name, _reverse(_fn))

graph_lib.Tensor._override_operator("__neg__", lambda x: _apply("Neg", [x]))
graph_lib.Tensor._override_operator("__abs__", lambda x: abs(x))
graph_lib.Tensor._override_operator("__invert__", lambda x: _apply("LogicalNot", [x]))
graph_lib.Tensor._override_operator("__lt__", lambda x, y: _apply("Less", [x, y]))
graph_lib.Tensor._override_operator("__le__", lambda x, y: _apply("LessEqual", [x, y]))
graph_lib.Tensor._override_operator("__gt__", lambda x, y: _apply("Greater", [x, y]))
graph_lib.Tensor._override_operator("__ge__", lambda x, y: _apply("GreaterEqual", [x, y]))


# Gradients are registered from their own module (same registry, TF's signatures).
from tensorweave.ops import math_grad  # noqa: E402,F401
