"""Gradients of the math ops, with TF's `_OpTypeGrad(op, grad)` signatures and semantics.

Registered through `registry.set_gradient`. Broadcasting binary ops reduce their gradient to
each input's shape: statically (one Sum with keep_dims, plus a Reshape when ranks differ) when
the static shapes decide which axes were broadcast, else with TF's dynamic
`BroadcastGradientArgs` + Sum + Reshape.
"""
import numpy as np

from tensorweave.framework import dtypes, registry, tensor_util
from tensorweave.framework.registry import out
from tensorweave.ops import math_ops as M

_set = registry.set_gradient


def _apply(op_type, inputs, name=None, **attrs):
    return out(registry.apply_op(op_type, inputs, name=name, **attrs))


def _const(value, dtype, name="Const"):
    return M._const(value, dtype, name=name)


def _dt(t):
    return t.dtype.base_dtype


def _shape(x, name=None):
    return _apply("Shape", [x], name=name or "Shape")


def _mul(x, y):
    return _apply("Mul", [x, y])


def _neg(x):
    return _apply("Neg", [x])


def _zeros_like(x):
    """TF's array_ops.zeros_like: a Const for a fully known shape, else a ZerosLike op."""
    if x.shape.is_fully_defined():
        return _const(np.zeros(x.shape.as_list(), _dt(x).np_dtype), _dt(x), name="zeros_like")
    return _apply("ZerosLike", [x], name="zeros_like")


def _ones_like(x):
    """TF's array_ops.ones_like: Fill(shape, 1) in a 'ones_like' scope."""
    from tensorweave.framework import graph as graph_lib

    with graph_lib.name_scope(None, "ones_like", [x]) as scope:
        if x.shape.is_fully_defined():
            with graph_lib.name_scope("Shape"):
                shape = _const(np.asarray(x.shape.as_list(), np.int32), dtypes.int32,
                               name="shape_as_tensor")
        else:
            shape = _shape(x)
        return _apply("Fill", [shape, _const(1, _dt(x), name="Const")], name=scope)


def _omul(x, y):
    return M._op_mul(x, y)


def _odiv(x, y):
    return M._op_truediv(x, y)


# ---------------------------------------------------------------- broadcasting
def _static_axes(x_shape, g_shape, other_shape=None):
    """Axes of g to sum over to get x's shape, or None when static shapes cannot tell."""
    if x_shape.ndims is None or g_shape.ndims is None:
        return None
    xs, gs = x_shape.as_list(), g_shape.as_list()
    n, k = len(gs), len(xs)
    if k > n:
        return None
    os_ = other_shape.as_list() if other_shape is not None and \
        other_shape.ndims is not None else None
    axes = []
    for i in range(n):
        j = i - (n - k)
        gd = gs[i]
        if j < 0:
            axes.append(i)
            continue
        xd = xs[j]
        if xd == 1:
            if gd != 1:
                axes.append(i)
        elif xd is None:
            if gd == 1:
                continue
            if os_ is not None:
                jo = i - (n - len(os_))
                if jo < 0 or os_[jo] == 1:
                    continue
            return None
    return axes


def sum_to(g, x, other=None):
    """Reduces gradient `g` (of a broadcast result) to the shape of input `x`."""
    if g is None:
        return None
    axes = _static_axes(x.shape, g.shape, other.shape if other is not None else None)
    if axes is not None:
        if not axes and x.shape.ndims == g.shape.ndims:
            return g
        r = _apply("Sum", [g, np.asarray(axes, np.int32)], keep_dims=True) if axes else g
        if x.shape.ndims != g.shape.ndims:
            target = (np.asarray(x.shape.as_list(), np.int32) if x.shape.is_fully_defined()
                      else _shape(x))
            r = _apply("Reshape", [r, target])
        return r
    sx = _shape(x)
    sy = _shape(other if other is not None else g, name="Shape_1")
    rx, _ = registry.apply_op("BroadcastGradientArgs", [sx, sy])._outputs
    return _apply("Reshape", [_apply("Sum", [g, rx]), sx])


def _binary_inputs(op):
    return op.inputs[0], op.inputs[1]


def _fully_equal(x, y):
    xs, ys = x.shape, y.shape
    return xs.is_fully_defined() and ys.is_fully_defined() and xs.as_list() == ys.as_list()


def _shape_or_const(x, name):
    if x.shape.is_fully_defined():
        return _const(np.asarray(x.shape.as_list(), np.int32), dtypes.int32, name=name)
    return _shape(x, name=name)


class _Bcast:
    """TF's broadcast-gradient bookkeeping: the input shapes ('Shape', 'Shape_1') and the
    axes each input was broadcast along (static lists when the static shapes decide them,
    else the outputs of a BroadcastGradientArgs op)."""

    def __init__(self, x, y, grad):
        self.x, self.y = x, y
        self.sx = _shape_or_const(x, "Shape")
        self.sy = _shape_or_const(y, "Shape_1")
        rx = _static_axes(x.shape, grad.shape, y.shape)
        ry = _static_axes(y.shape, grad.shape, x.shape)
        if rx is None or ry is None:
            rx, ry = registry.apply_op("BroadcastGradientArgs", [self.sx, self.sy])._outputs
        self.rx, self.ry = rx, ry

    @staticmethod
    def _reduce(g, r, s, t):
        if isinstance(r, list):
            if not r and t.shape.ndims == g.shape.ndims:
                return g
            if r:
                g = _apply("Sum", [g, np.asarray(r, np.int32)], keep_dims=True)
            return _apply("Reshape", [g, s])
        return _apply("Reshape", [_apply("Sum", [g, r], keep_dims=True), s])

    def gx(self, g):
        return self._reduce(g, self.rx, self.sx, self.x)

    def gy(self, g):
        return self._reduce(g, self.ry, self.sy, self.y)


# ---------------------------------------------------------------- binary grads
def _AddGrad(op, grad):  # noqa: N802 - TF's gradient naming
    x, y = _binary_inputs(op)
    if _fully_equal(x, y):
        return grad, grad
    b = _Bcast(x, y, grad)
    return b.gx(grad), b.gy(grad)


def _SubGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    if _fully_equal(x, y):
        return grad, _neg(grad)
    gy = _neg(grad)
    b = _Bcast(x, y, grad)
    return b.gx(grad), b.gy(gy)


def _MulGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    gx, gy = _mul(grad, y), _mul(x, grad)
    if _fully_equal(x, y):
        return gx, gy
    b = _Bcast(x, y, grad)
    return b.gx(gx), b.gy(gy)


def _RealDivGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    gx = _apply("RealDiv", [grad, y])
    gy = _omul(grad, _apply("RealDiv", [_apply("RealDiv", [_neg(x), y]), y]))
    return _pair(op, grad, gx, gy)


def _div_no_nan(a, b):
    from tensorweave.framework import graph as graph_lib

    with graph_lib.name_scope(None, "div_no_nan", [a, b]) as scope:
        return _apply("DivNoNan", [a, b], name=scope)


def _DivNoNanGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    gx = _div_no_nan(grad, y)
    gy = _omul(grad, _div_no_nan(_div_no_nan(_neg(x), y), y))
    return _pair(op, grad, gx, gy)


def _pair(op, grad, gx, gy):
    """Reduces full-shape gradients gx, gy to the shapes of op's two inputs."""
    x, y = _binary_inputs(op)
    if _fully_equal(x, y):
        return gx, gy
    b = _Bcast(x, y, grad)
    return b.gx(gx), b.gy(gy)


def _FloorModGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    gy = _omul(grad, _neg(_apply("FloorDiv", [x, y])))
    return _pair(op, grad, grad, gy)


def _PowGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    z = op.outputs[0]
    dt = _dt(x).np_dtype
    gy_scaled = _omul(grad, y)
    gx = _omul(gy_scaled, _apply("Pow", [x, M._op_sub(y, np.asarray(1, dt))]))
    # NOTE: d/dy x**y = log(x) * z, taken as 0 where x <= 0 (TF's guard against log(0)).
    mask = _apply("Greater", [x, np.asarray(0, dt)])
    safe_x = _apply("Select", [mask, x, _ones_like(x)])
    log_x = _apply("Select", [mask, _apply("Log", [safe_x]), _zeros_like(x)])
    gy = _omul(_omul(grad, z), log_x)
    return _pair(op, grad, gx, gy)


def _min_max_grad(op, grad, cmp):
    x, y = _binary_inputs(op)
    zeros = _zeros_like(grad)
    xmask = _apply(cmp, [x, y])
    gx = _apply("SelectV2", [xmask, grad, zeros])
    gy = _apply("SelectV2", [xmask, zeros, grad])
    return _pair(op, grad, gx, gy)


def _MaximumGrad(op, grad):  # noqa: N802
    return _min_max_grad(op, grad, "GreaterEqual")


def _MinimumGrad(op, grad):  # noqa: N802
    return _min_max_grad(op, grad, "LessEqual")


def _SquaredDifferenceGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    # NOTE: built as TF does: scalar_mul(2, grad) * (x - y), then its negation for y.
    scaled = _apply("Mul", [_const(2, _dt(grad), name="scalar"), grad])
    with_diff = M._op_mul(scaled, M._op_sub(x, y))
    return _pair(op, grad, with_diff, _neg(with_diff))


def _Atan2Grad(op, grad):  # noqa: N802
    y, x = _binary_inputs(op)
    inv = _odiv(grad, M._op_add(_apply("Square", [x]), _apply("Square", [y])))
    gy = _omul(x, inv)
    gx = _omul(_neg(y), inv)
    return _pair(op, grad, gy, gx)


def _XlogyGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    sx = _shape_or_const(x, "Shape")
    sy = _shape_or_const(y, "Shape_1")
    rx, ry = registry.apply_op("BroadcastGradientArgs", [sx, sy])._outputs
    zero = M.cast(np.asarray(0.0, _dt(x).np_dtype), _dt(x))
    not_zero_x = M.cast(_apply("NotEqual", [x, zero]), _dt(x))
    partial_x = _apply("Xlogy", [not_zero_x, y])
    partial_y = _apply("Xdivy", [x, y])
    gx = _apply("Reshape", [_apply("Sum", [_omul(partial_x, grad), rx]), sx])
    gy = _apply("Reshape", [_apply("Sum", [_omul(partial_y, grad), ry]), sy])
    return gx, gy


def _XdivyGrad(op, grad):  # noqa: N802
    x, y = _binary_inputs(op)
    sx = _shape_or_const(x, "Shape")
    sy = _shape_or_const(y, "Shape_1")
    rx, ry = registry.apply_op("BroadcastGradientArgs", [sx, sy])._outputs
    zero = M.cast(np.asarray(0.0, _dt(x).np_dtype), _dt(x))
    not_zero_x = M.cast(_apply("NotEqual", [x, zero]), _dt(x))
    partial_x = _apply("Xdivy", [not_zero_x, y])
    partial_y = _apply("Xdivy", [_neg(x), _apply("Square", [y])])
    gx = _apply("Reshape", [_apply("Sum", [_omul(partial_x, grad), rx]), sx])
    gy = _apply("Reshape", [_apply("Sum", [_omul(partial_y, grad), ry]), sy])
    return gx, gy


for _t, _g in (("Add", _AddGrad), ("AddV2", _AddGrad), ("Sub", _SubGrad), ("Mul", _MulGrad),
               ("RealDiv", _RealDivGrad), ("Div", _RealDivGrad),
               ("DivNoNan", _DivNoNanGrad), ("FloorMod", _FloorModGrad), ("Pow", _PowGrad),
               ("Maximum", _MaximumGrad), ("Minimum", _MinimumGrad),
               ("SquaredDifference", _SquaredDifferenceGrad), ("Atan2", _Atan2Grad),
               ("Xlogy", _XlogyGrad), ("Xdivy", _XdivyGrad)):
    _set(_t, _g)


def _NoGrad2(op, grad):  # noqa: N802
    return None, None


for _t in ("FloorDiv", "TruncateDiv"):
    _set(_t, _NoGrad2)


def _TruncateModGrad(op, grad):  # noqa: N802
    # NOTE: x - truncatediv(x, y) * y, with truncatediv locally constant (TF registers none).
    x, y = _binary_inputs(op)
    gy = _omul(grad, _neg(_apply("TruncateDiv", [x, y])))
    return _pair(op, grad, grad, gy)


_set("TruncateMod", _TruncateModGrad)


# ---------------------------------------------------------------- unary grads
def _x(op):
    return op.inputs[0]


def _unary(op_type):
    def deco(fn):
        _set(op_type, fn)
        return fn

    return deco


@_unary("Neg")
def _NegGrad(op, grad):  # noqa: N802
    return _neg(grad)


@_unary("Abs")
def _AbsGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Sign", [_x(op)]))


@_unary("Sign")
def _SignGrad(op, grad):  # noqa: N802
    return _zeros_like(_x(op))


def _NoneGrad(op, grad):  # noqa: N802
    return None


for _t in ("Floor", "Ceil", "Round", "Rint"):
    _set(_t, _NoneGrad)


@_unary("Square")
def _SquareGrad(op, grad):  # noqa: N802
    x = _x(op)
    return _mul(grad, _mul(x, _const(2, _dt(x), name="Const")))


@_unary("Sqrt")
def _SqrtGrad(op, grad):  # noqa: N802
    return _apply("SqrtGrad", [op.outputs[0], grad])


@_unary("Rsqrt")
def _RsqrtGrad(op, grad):  # noqa: N802
    return _apply("RsqrtGrad", [op.outputs[0], grad])


@_unary("Reciprocal")
def _ReciprocalGrad(op, grad):  # noqa: N802
    return _apply("ReciprocalGrad", [op.outputs[0], grad])


@_unary("Inv")
def _InvGrad(op, grad):  # noqa: N802
    return _apply("InvGrad", [op.outputs[0], grad])


@_unary("Sigmoid")
def _SigmoidGrad(op, grad):  # noqa: N802
    return _apply("SigmoidGrad", [op.outputs[0], grad])


@_unary("Tanh")
def _TanhGrad(op, grad):  # noqa: N802
    return _apply("TanhGrad", [op.outputs[0], grad])


@_unary("Exp")
def _ExpGrad(op, grad):  # noqa: N802
    return _omul(grad, op.outputs[0])


@_unary("Expm1")
def _Expm1Grad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Exp", [_x(op)]))


@_unary("Log")
def _LogGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Reciprocal", [_x(op)]))


@_unary("Log1p")
def _Log1pGrad(op, grad):  # noqa: N802
    x = _x(op)
    return _omul(grad, _apply("Reciprocal", [M._op_add(np.asarray(1, _dt(x).np_dtype), x)]))


@_unary("Sin")
def _SinGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Cos", [_x(op)]))


@_unary("Cos")
def _CosGrad(op, grad):  # noqa: N802
    ng = _neg(grad)
    return _omul(ng, _apply("Sin", [_x(op)]))


@_unary("Tan")
def _TanGrad(op, grad):  # noqa: N802
    sec = _apply("Reciprocal", [_apply("Cos", [_x(op)])])
    return _omul(grad, _apply("Square", [sec]))


def _inv_sqrt_one_minus_x2(x):
    x2 = _apply("Square", [x])
    one = _const(1, _dt(x), name="Const")
    return _apply("Reciprocal", [_apply("Sqrt", [_apply("Sub", [one, x2])])])


@_unary("Asin")
def _AsinGrad(op, grad):  # noqa: N802
    return _omul(grad, _inv_sqrt_one_minus_x2(_x(op)))


@_unary("Acos")
def _AcosGrad(op, grad):  # noqa: N802
    inv = _inv_sqrt_one_minus_x2(_x(op))
    return _omul(_neg(grad), inv)


@_unary("Atan")
def _AtanGrad(op, grad):  # noqa: N802
    x = _x(op)
    x2 = _apply("Square", [x])
    one = _const(1, _dt(x), name="Const")
    return _omul(grad, _apply("Reciprocal", [_apply("AddV2", [one, x2], name="Add")]))


@_unary("Sinh")
def _SinhGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Cosh", [_x(op)]))


@_unary("Cosh")
def _CoshGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Sinh", [_x(op)]))


@_unary("Asinh")
def _AsinhGrad(op, grad):  # noqa: N802
    return _odiv(grad, _apply("Cosh", [op.outputs[0]]))


@_unary("Acosh")
def _AcoshGrad(op, grad):  # noqa: N802
    return _odiv(grad, _apply("Sinh", [op.outputs[0]]))


@_unary("Atanh")
def _AtanhGrad(op, grad):  # noqa: N802
    x = _x(op)
    x2 = _apply("Square", [x])
    one = _const(1, _dt(x), name="Const")
    return _omul(grad, _apply("Reciprocal", [_apply("Sub", [one, x2])]))


def _erf_like_grad(op, grad, coef):
    x = _x(op)
    c = _const(coef, _dt(grad), name="Const")
    scaled = _omul(grad, c)
    return _omul(scaled, _apply("Exp", [_neg(_apply("Square", [x]))]))


@_unary("Erf")
def _ErfGrad(op, grad):  # noqa: N802
    return _erf_like_grad(op, grad, 2 / np.sqrt(np.pi))


@_unary("Erfc")
def _ErfcGrad(op, grad):  # noqa: N802
    return _erf_like_grad(op, grad, -2 / np.sqrt(np.pi))


@_unary("Lgamma")
def _LgammaGrad(op, grad):  # noqa: N802
    return _omul(grad, _apply("Digamma", [_x(op)]))


@_unary("Digamma")
def _DigammaGrad(op, grad):  # noqa: N802
    x = _x(op)
    return _omul(grad, _apply("Polygamma", [_const(1, _dt(x), name="Const"), x]))


@_unary("Polygamma")
def _PolygammaGrad(op, grad):  # noqa: N802
    a, x = op.inputs
    da = _apply("Polygamma", [_apply("AddV2", [a, _const(1, _dt(a))]), x])
    return None, sum_to(_mul(grad, da), x, a)


@_unary("Conj")
def _ConjGrad(op, grad):  # noqa: N802
    return _apply("Conj", [grad])


@_unary("MulNoNan")
def _MulNoNanGrad(op, grad):  # noqa: N802
    x, y = op.inputs
    return _pair(op, grad, _apply("MulNoNan", [grad, y]), _apply("MulNoNan", [x, grad]))


# Second-order: gradients of the *Grad helper ops.
@_unary("SigmoidGrad")
def _SigmoidGradGrad(op, grad):  # noqa: N802
    y, dy = op.inputs
    two = _const(2, _dt(y))
    gy = _mul(_mul(grad, dy), _apply("Sub", [_const(1, _dt(y)), _mul(two, y)]))
    return gy, _apply("SigmoidGrad", [y, grad])


@_unary("TanhGrad")
def _TanhGradGrad(op, grad):  # noqa: N802
    y, dy = op.inputs
    gy = _mul(_mul(_const(-2, _dt(y)), grad), _mul(dy, y))
    return gy, _apply("TanhGrad", [y, grad])


@_unary("ReciprocalGrad")
def _ReciprocalGradGrad(op, grad):  # noqa: N802
    y, dy = op.inputs
    gy = _mul(_mul(_const(-2, _dt(y)), grad), _mul(dy, y))
    return gy, _apply("ReciprocalGrad", [y, grad])


@_unary("SqrtGrad")
def _SqrtGradGrad(op, grad):  # noqa: N802
    y = op.inputs[0]
    z = op.outputs[0]
    ga = _apply("RealDiv", [grad, y])
    return _neg(_mul(ga, z)), _mul(ga, _const(0.5, _dt(y)))


@_unary("RsqrtGrad")
def _RsqrtGradGrad(op, grad):  # noqa: N802
    y, dy = op.inputs
    gy = _mul(_mul(_const(-1.5, _dt(y)), grad), _mul(dy, _apply("Square", [y])))
    return gy, _apply("RsqrtGrad", [y, grad])


# ---------------------------------------------------------------- select / clip / cast
def _SelectGrad(op, grad):  # noqa: N802
    c = op.inputs[0]
    zeros = _zeros_like(op.inputs[1])
    return None, _apply("Select", [c, grad, zeros]), _apply("Select", [c, zeros, grad])


def _SelectV2Grad(op, grad):  # noqa: N802
    c, x, y = op.inputs
    zero = _const(0, _dt(grad), name="zeros")
    gx = _apply("SelectV2", [c, grad, zero])
    gy = _apply("SelectV2", [c, zero, grad])
    out_t = op.outputs[0]
    return None, _reduce_to_input(gx, x, out_t, "Shape", "Shape_1"), \
        _reduce_to_input(gy, y, out_t, "Shape_2", "Shape_3")


def _reduce_to_input(g, t, out_t, name_in, name_out):
    """Reduces g (shaped like out_t) to t's shape, as TF's SelectV2 gradient does."""
    s_in = _shape_or_const(t, name_in)
    s_out = _shape_or_const(out_t, name_out)
    axes = _static_axes(t.shape, out_t.shape)
    if axes is None:
        r, _ = registry.apply_op("BroadcastGradientArgs", [s_in, s_out])._outputs
        return _apply("Reshape", [_apply("Sum", [g, r], keep_dims=True), s_in])
    if not axes and t.shape.ndims == out_t.shape.ndims:
        return g
    if axes:
        g = _apply("Sum", [g, np.asarray(axes, np.int32)], keep_dims=True)
    return _apply("Reshape", [g, s_in])


def _ClipByValueGrad(op, grad):  # noqa: N802
    x, lo, hi = op.inputs
    zero = _apply("ZerosLike", [grad])
    below = _apply("Less", [x, lo])
    above = _apply("Greater", [x, hi])
    outside = _apply("LogicalOr", [below, above])
    gx = _apply("SelectV2", [outside, zero, grad])
    glo = _apply("SelectV2", [below, grad, zero])
    ghi = _apply("SelectV2", [above, grad, zero])
    return gx, sum_to(glo, lo, None), sum_to(ghi, hi, None)


def _CastGrad(op, grad):  # noqa: N802
    src = _dt(op.inputs[0])
    dst = _dt(op.outputs[0])
    ok = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.bfloat16, dtypes.complex64,
          dtypes.complex128)
    if src in ok and dst in ok:
        return _apply("Cast", [grad], DstT=src)
    return None


def _AddNGrad(op, grad):  # noqa: N802
    return [grad] * len(op.inputs)


_set("Select", _SelectGrad)
_set("SelectV2", _SelectV2Grad)
_set("ClipByValue", _ClipByValueGrad)
_set("Cast", _CastGrad)
_set("AddN", _AddNGrad)


# ---------------------------------------------------------------- reductions
def _reduced_axes(op):
    """Sorted non-negative reduced axes when static, else None."""
    x = op.inputs[0]
    axis = tensor_util.constant_value(op.inputs[1])
    n = x.shape.ndims
    if axis is None or n is None:
        return None
    return sorted({int(a) % n if n else 0 for a in np.asarray(axis).reshape(-1)})


def _kept_shape(op, axes):
    """Static kept-dims shape list (None for unknown dims) of a reduction."""
    dims = op.inputs[0].shape.as_list()
    return [1 if i in axes else d for i, d in enumerate(dims)]


def _reshape_to_kept(op, grad):
    """(grad reshaped to the kept-dims shape, static kept shape list or None)."""
    if op._attrs.get("keep_dims"):
        axes = _reduced_axes(op)
        return grad, (_kept_shape(op, axes) if axes is not None else None)
    axes = _reduced_axes(op)
    x = op.inputs[0]
    if axes is not None:
        kept = _kept_shape(op, axes)
        if None not in kept:
            return _apply("Reshape", [grad, np.asarray(kept, np.int32)]), kept
        mask = np.asarray([0 if i in axes else 1 for i in range(len(kept))], np.int32)
        shape = _apply("AddV2", [_mul(_shape(x), _const(mask, dtypes.int32)),
                                 _const(1 - mask, dtypes.int32)])
        return _apply("Reshape", [grad, shape]), kept
    if _reduces_all(op):
        ones = _apply("Fill", [_shape(_shape(x)), _const(1, dtypes.int32)])
        return _apply("Reshape", [grad, ones]), None
    raise NotImplementedError(
        "tensorweave: the gradient of %s '%s' needs constant reduction axes (got a computed "
        "axis tensor) or an input of known rank." % (op.type, op.name))


def _reduces_all(op):
    ax = op.inputs[1].op
    if ax.type != "Range":
        return False
    lim = ax.inputs[1].op
    return lim.type == "Rank" and lim.inputs[0] is op.inputs[0]


def _tile_to(g, x, kept):
    """Broadcasts kept-dims gradient g over x's shape."""
    xs = x.shape
    if kept is not None and xs.is_fully_defined() and None not in kept:
        mult = [int(a) // max(int(b), 1) for a, b in zip(xs.as_list(), kept)]
        if all(m == 1 for m in mult):
            return g
        return _apply("Tile", [g, _const(np.asarray(mult, np.int32), dtypes.int32)])
    sx = _shape(x)
    if kept is not None and None not in kept:
        if all(k == 1 for k in kept):
            mult = sx
        else:
            mult = _apply("FloorDiv", [sx, _const(np.maximum(np.asarray(kept, np.int32), 1),
                                                  dtypes.int32)])
    else:
        mult = _apply("FloorDiv", [sx, _apply("Maximum", [_shape(g),
                                                          _const(1, dtypes.int32)])])
    r = _apply("Tile", [g, mult])
    try:
        r.set_shape(xs)
    except ValueError:
        pass
    return r


def _static_sum_grad(op, grad):
    """TF's graph for a Sum gradient with a fully known input shape and constant axes."""
    x = op.inputs[0]
    axes = _reduced_axes(op)
    if axes is None or not x.shape.is_fully_defined():
        return None
    dims = x.shape.as_list()
    n = len(dims)
    i32 = np.int32
    if axes == list(range(n)):
        g = _apply("Reshape", [grad, np.ones(n, i32)])
        return _apply("Tile", [g, _const(np.asarray(dims, i32), dtypes.int32, name="Const")])
    kept = [1 if i in axes else d for i, d in enumerate(dims)]
    # NOTE: TF emits the (constant) tile-scaling ops Maximum/floordiv once per graph for each
    # (input shape, axes) pair and reuses them (its reduced-shape cache), so a graph that
    # reduces the same shape twice has them once; we keep the same per-graph record.
    g = grad.graph
    cache = g.__dict__.setdefault("_tw_reduced_shape_cache", set())
    key = (tuple(dims), tuple(axes))
    if key not in cache:
        cache.add(key)
        m = _apply("Maximum", [np.asarray(kept, i32), i32(1)])
        M.floordiv(np.asarray(dims, i32), m)
    g = _apply("Reshape", [grad, np.asarray(kept, i32)])
    mult = [d // max(k, 1) for d, k in zip(dims, kept)]
    return _apply("Tile", [g, np.asarray(mult, i32)])


def _range_from0(limit):
    from tensorweave.framework import graph as graph_lib

    with graph_lib.name_scope(None, "range", [limit]) as scope:
        start = _const(0, dtypes.int32, name="start")
        delta = _const(1, dtypes.int32, name="delta")
        return _apply("Range", [start, limit, delta], name=scope)


def _rank_of(x, name):
    """x's rank as an int32 scalar: a Const when known (TF's optimized Size/Rank)."""
    r = x.shape.ndims
    if r is not None:
        return _const(r, dtypes.int32, name=name)
    return None


def _dynamic_reduced_shape(op):
    """(Shape(x), kept-dims shape) built as TF's reduced_shape: DynamicStitch of the input
    shape and ones at the reduced axes."""
    from tensorweave.framework import graph as graph_lib

    x, axes = op.inputs[0], op.inputs[1]
    input_shape = _shape(x)
    size = _rank_of(x, "Size")
    if size is None:
        size = _apply("Size", [input_shape], name="Size")
    axes = M._op_mod(M._op_add(axes, size), size)
    axes_shape = _shape_or_const(op.inputs[1], "Shape_1")
    rng = _range_from0(size)
    with graph_lib.name_scope(None, "ones", [axes_shape]) as scope:
        ones = _apply("Fill", [axes_shape, _const(1, dtypes.int32, name="Const")], name=scope)
    kept = _apply("DynamicStitch", [[rng, axes], [input_shape, ones]])
    return input_shape, kept


def _sum_grad_any(op, grad):
    """The Sum gradient (also the first half of Mean's), static or dynamic."""
    x = op.inputs[0]
    r = _static_sum_grad(op, grad)
    if r is not None:
        return r
    axes = _reduced_axes(op)
    n = x.shape.ndims
    if axes is not None and n is not None and axes == list(range(n)):
        g = _apply("Reshape", [grad, np.ones(n, np.int32)])
        r = _apply("Tile", [g, _shape(x)])
        r.set_shape(x.shape)
        return r
    if op._attrs.get("keep_dims"):
        r = _apply("BroadcastTo", [grad, _shape(x)])
    else:
        input_shape, kept = _dynamic_reduced_shape(op)
        r = _apply("BroadcastTo", [_apply("Reshape", [grad, kept]), input_shape])
    try:
        r.set_shape(x.shape)
    except ValueError:
        pass
    return r


def _SumGrad(op, grad):  # noqa: N802
    return _sum_grad_any(op, grad), None


def _MeanGrad(op, grad):  # noqa: N802
    x, y = op.inputs[0], op.outputs[0]
    static = x.shape.is_fully_defined() and y.shape.is_fully_defined() and \
        _reduced_axes(op) is not None
    sum_grad = _sum_grad_any(op, grad)
    if static:
        factor = max(x.shape.num_elements() // max(y.shape.num_elements(), 1), 1)
        c = _const(factor, _dt(grad), name="Const")
        return _apply("RealDiv", [sum_grad, c], name="truediv"), None
    # NOTE: the count is the product of the reduced input dims: Prod(Gather(Shape(x), axes)).
    input_shape = _shape(x)
    size = _rank_of(x, "Size")
    if size is None:
        size = _apply("Size", [input_shape], name="Size")
    axes = M._op_mod(M._op_add(op.inputs[1], size), size)
    gathered = _apply("GatherV2", [input_shape, axes, np.int32(0)])
    count = _apply("Prod", [gathered, M._reduction_dims(gathered, None)])
    return _apply("RealDiv", [sum_grad, _apply("Cast", [count], DstT=_dt(grad))],
                  name="truediv"), None


def _MinOrMaxGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    axes = _reduced_axes(op)
    if axes is not None and x.shape.is_fully_defined():
        dims = x.shape.as_list()
        kept = np.asarray([1 if i in axes else d for i, d in enumerate(dims)], np.int32)
        _const(np.asarray(dims, np.int32), dtypes.int32, name="Shape")
    else:
        _, kept = _dynamic_reduced_shape(op)
    y = _apply("Reshape", [op.outputs[0], kept])
    g = _apply("Reshape", [grad, kept])
    indicators = _apply("Cast", [_apply("Equal", [y, x])], DstT=_dt(grad))
    num_selected = _apply("Reshape", [_apply("Sum", [indicators, op.inputs[1]]), kept])
    # NOTE: ties share the gradient evenly, as in TF.
    r = _omul(_odiv(indicators, num_selected), g)
    try:
        r.set_shape(x.shape)
    except ValueError:
        pass
    return r, None


def _EuclideanNormGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    y, _ = _reshape_to_kept(op, op.outputs[0])
    g, _ = _reshape_to_kept(op, grad)
    return _mul(_apply("DivNoNan", [x, y]), g), None


def _ProdGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    axes = _reduced_axes(op)
    g, kept = _reshape_to_kept(op, grad)
    g = _tile_to(g, x, kept)
    if axes is None or not x.shape.is_fully_defined():
        # NOTE: without static shapes, d(prod)/dx = prod / x (wrong where x == 0).
        y, _ = _reshape_to_kept(op, op.outputs[0])
        return _mul(g, _apply("RealDiv", [y, x])), None
    dims = x.shape.as_list()
    n = len(dims)
    other = [i for i in range(n) if i not in axes]
    perm = axes + other
    inv = list(np.argsort(perm))
    red = int(np.prod([dims[i] for i in axes])) if axes else 1
    oth = int(np.prod([dims[i] for i in other])) if other else 1
    i32 = dtypes.int32
    xt = _apply("Transpose", [x, _const(np.asarray(perm, np.int32), i32)])
    permuted_shape = [dims[i] for i in perm]
    flat = _apply("Reshape", [xt, _const(np.asarray([red, oth], np.int32), i32)])
    zero = _const(0, i32)
    left = _apply("Cumprod", [flat, zero], exclusive=True)
    right = _apply("Cumprod", [flat, zero], exclusive=True, reverse=True)
    y = _apply("Reshape", [_mul(left, right),
                           _const(np.asarray(permuted_shape, np.int32), i32)])
    y = _apply("Transpose", [y, _const(np.asarray(inv, np.int32), i32)])
    return _mul(g, y), None


_set("Sum", _SumGrad)
_set("Mean", _MeanGrad)
_set("Max", _MinOrMaxGrad)
_set("Min", _MinOrMaxGrad)
_set("Prod", _ProdGrad)
_set("EuclideanNorm", _EuclideanNormGrad)
for _t in ("ArgMax", "ArgMin"):
    _set(_t, _NoGrad2)


def _CumsumGrad(op, grad):  # noqa: N802
    return _apply("Cumsum", [grad, op.inputs[1]], exclusive=op._attrs["exclusive"],
                  reverse=not op._attrs["reverse"]), None


def _CumprodGrad(op, grad):  # noqa: N802
    x, axis = op.inputs
    ex, rev = op._attrs["exclusive"], op._attrs["reverse"]
    prod = _apply("Cumprod", [x, axis], exclusive=ex, reverse=rev)
    o = _apply("Cumsum", [_omul(prod, grad), axis], exclusive=ex, reverse=not rev)
    return _div_no_nan(o, x), None


_set("Cumsum", _CumsumGrad)
_set("Cumprod", _CumprodGrad)


# ---------------------------------------------------------------- matmul
def _MatMulGrad(op, grad):  # noqa: N802
    a, b = op.inputs
    ta, tb = op._attrs["transpose_a"], op._attrs["transpose_b"]

    def mm(x, y, t_a, t_b, which):
        return _apply("MatMul", [x, y], transpose_a=t_a, transpose_b=t_b,
                      grad_a=which == "a", grad_b=which == "b")

    if not ta and not tb:
        return mm(grad, b, False, True, "a"), mm(a, grad, True, False, "b")
    if not ta and tb:
        return mm(grad, b, False, False, "a"), mm(grad, a, True, False, "b")
    if ta and not tb:
        return mm(b, grad, False, True, "a"), mm(a, grad, False, False, "b")
    return mm(b, grad, True, True, "a"), mm(grad, a, True, True, "b")


def _batch_mm_grads(op, grad, v2):
    x, y = op.inputs
    ax, ay = op._attrs["adj_x"], op._attrs["adj_y"]
    op_type = op.type

    def mm(p, q, adj_p, adj_q, which):
        extra = {"grad_x": which == "x", "grad_y": which == "y"}
        return _apply(op_type, [p, q], name="MatMul", adj_x=adj_p, adj_y=adj_q, **extra)

    if not ax and not ay:
        gx, gy = mm(grad, y, False, True, "x"), mm(x, grad, True, False, "y")
    elif not ax and ay:
        gx, gy = mm(grad, y, False, False, "x"), mm(grad, x, True, False, "y")
    elif ax and not ay:
        gx, gy = mm(y, grad, False, True, "x"), mm(x, grad, False, False, "y")
    else:
        gx, gy = mm(y, grad, True, True, "x"), mm(grad, x, True, True, "y")
    if v2:
        gx, gy = sum_to(gx, x, None), sum_to(gy, y, None)
    return gx, gy


def _BatchMatMulGrad(op, grad):  # noqa: N802
    return _batch_mm_grads(op, grad, False)


def _BatchMatMulV2Grad(op, grad):  # noqa: N802
    return _batch_mm_grads(op, grad, True)


_set("MatMul", _MatMulGrad)
_set("BatchMatMul", _BatchMatMulGrad)
_set("BatchMatMulV2", _BatchMatMulV2Grad)


def _EinsumGrad(op, grad):  # noqa: N802
    eq = op._attrs["equation"]
    if isinstance(eq, bytes):
        eq = eq.decode()
    ins, rhs = M._parse_equation(eq, len(op.inputs))
    if "..." in eq:
        raise NotImplementedError("tensorweave: Einsum gradients with '...' are not supported.")
    for i, t in enumerate(op.inputs):
        _shape_or_const(t, "Shape" if i == 0 else "Shape_%d" % i)
    grads = []
    for i, labels in enumerate(ins):
        others = [(ins[j], op.inputs[j]) for j in range(len(ins)) if j != i]
        avail = set(rhs).union(*[set(lab) for lab, _ in others])
        if len(set(labels)) != len(labels) or not set(labels) <= avail:
            raise NotImplementedError(
                "tensorweave: the gradient of einsum %r for input %d needs labels summed "
                "within one operand or repeated labels, which is not supported." % (eq, i))
        sub = ",".join([rhs] + [lab for lab, _ in others]) + "->" + labels
        grads.append(_apply("Einsum", [[grad] + [t for _, t in others]], equation=sub))
    return grads


_set("Einsum", _EinsumGrad)


def _MatrixDiagPartV3Grad(op, grad):  # noqa: N802
    xs = op.inputs[0].shape
    if xs.ndims is None or xs[-2] is None or xs[-1] is None:
        raise NotImplementedError("tensorweave: the gradient of a diagonal part needs the "
                                  "matrix dimensions statically known.")
    return M.matrix_diag(grad, num_rows=xs[-2], num_cols=xs[-1]), None, None


def _MatrixDiagV3Grad(op, grad):  # noqa: N802
    return M.matrix_diag_part(grad), None, None, None, None


_set("MatrixDiagPartV3", _MatrixDiagPartV3Grad)
_set("MatrixDiagV3", _MatrixDiagV3Grad)
_set("Diag", lambda op, grad: _apply("DiagPart", [grad]))
_set("DiagPart", lambda op, grad: _apply("Diag", [grad]))


# ---------------------------------------------------------------- linear algebra
def _mm(a, b, adj_a=False, adj_b=False):
    return _apply("BatchMatMulV2", [a, b], adj_x=adj_a, adj_y=adj_b)


def _MatrixInverseGrad(op, grad):  # noqa: N802
    ainv = op.outputs[0]
    return _neg(_mm(ainv, _mm(grad, ainv, adj_b=True), adj_a=True))


def _expand2(t):
    t = _apply("ExpandDims", [t, np.int32(-1)])
    return _apply("ExpandDims", [t, np.int32(-1)])


def _MatrixDeterminantGrad(op, grad):  # noqa: N802
    a, c = op.inputs[0], op.outputs[0]
    inv_t = _apply("MatrixInverse", [a], adjoint=True)
    return _mul(_expand2(_mul(grad, c)), inv_t)


def _LogMatrixDeterminantGrad(op, _, grad_b):  # noqa: N802
    inv_t = _apply("MatrixInverse", [op.inputs[0]], adjoint=True)
    return _mul(_expand2(grad_b), inv_t)


def _CholeskyGrad(op, grad):  # noqa: N802
    # NOTE: dA = 0.5 * (S + S^H), S = L^-H Phi(L^H dL) L^-1, Phi = lower triangle with the
    # diagonal halved (the standard symmetric Cholesky adjoint).
    low = op.outputs[0]
    n_lo, n_up = np.int64(-1), np.int64(0)
    eye_ = _apply("MatrixDiagV3", [_apply("Fill", [_apply("Shape", [_apply(
        "MatrixDiagPartV3", [low, np.int32(0), np.zeros((), _dt(low).np_dtype)])]),
        np.asarray(1, _dt(low).np_dtype)]), np.int32(0), np.int32(-1), np.int32(-1),
        np.zeros((), _dt(low).np_dtype)])
    l_inv = _apply("MatrixTriangularSolve", [low, eye_], lower=True, adjoint=False)
    middle = _mm(low, grad, adj_a=True)
    diag = _apply("MatrixDiagPartV3", [middle, np.int32(0), np.zeros((), _dt(low).np_dtype)])
    half_diag = _apply("MatrixDiagV3", [_mul(diag, _const(0.5, _dt(low))), np.int32(0),
                                        np.int32(-1), np.int32(-1),
                                        np.zeros((), _dt(low).np_dtype)])
    phi = _apply("Sub", [_apply("MatrixBandPart", [middle, n_lo, n_up]), half_diag])
    s = _mm(l_inv, _mm(phi, l_inv), adj_a=True)
    s_t = _apply("Transpose", [s, _perm_last2(s)])
    return _mul(_apply("AddV2", [s, s_t]), _const(0.5, _dt(low)))


def _perm_last2(t):
    n = t.shape.ndims
    if n is None:
        raise NotImplementedError("tensorweave: the Cholesky gradient needs a known rank.")
    perm = list(range(n))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return np.asarray(perm, np.int32)


def _MatrixSolveGrad(op, grad):  # noqa: N802
    a = op.inputs[0]
    c = op.outputs[0]
    adjoint = op._attrs["adjoint"]
    grad_b = _apply("MatrixSolve", [a, grad], adjoint=not adjoint)
    grad_a = _neg(_mm(c, grad_b, adj_b=True) if adjoint else _mm(grad_b, c, adj_b=True))
    return sum_to(grad_a, a, None), sum_to(grad_b, op.inputs[1], None)


def _MatrixTriangularSolveGrad(op, grad):  # noqa: N802
    a = op.inputs[0]
    c = op.outputs[0]
    adjoint, lower = op._attrs["adjoint"], op._attrs["lower"]
    grad_b = _apply("MatrixTriangularSolve", [a, grad], lower=lower, adjoint=not adjoint)
    grad_a = _neg(_mm(c, grad_b, adj_b=True) if adjoint else _mm(grad_b, c, adj_b=True))
    band = (np.int64(-1), np.int64(0)) if lower else (np.int64(0), np.int64(-1))
    grad_a = _apply("MatrixBandPart", [grad_a, band[0], band[1]])
    return sum_to(grad_a, a, None), sum_to(grad_b, op.inputs[1], None)


def _MatrixBandPartGrad(op, grad):  # noqa: N802
    return _apply("MatrixBandPart", [grad, op.inputs[1], op.inputs[2]]), None, None


_set("MatrixInverse", _MatrixInverseGrad)
_set("MatrixDeterminant", _MatrixDeterminantGrad)
_set("LogMatrixDeterminant", _LogMatrixDeterminantGrad)
_set("Cholesky", _CholeskyGrad)
_set("MatrixSolve", _MatrixSolveGrad)
_set("MatrixTriangularSolve", _MatrixTriangularSolveGrad)
_set("MatrixBandPart", _MatrixBandPartGrad)
