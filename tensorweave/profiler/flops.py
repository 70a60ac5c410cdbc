"""FLOPs per op, by TF's statistics rules for each op type (None when not countable).

The rules (counted from the op's static shapes, which must be fully known):
- MatMul: 2*m*k*n; Conv2D: 2 * output elements * kh*kw*in_depth; DepthwiseConv2dNative:
  2 * output elements * kh*kw; Conv2DBackpropInput/Filter: 2 * kh*kw*in*out * N*H*W/(sh*sw);
- elementwise binary ops: output elements times 1 (SquaredDifference 2, RsqrtGrad 4);
  unary Reciprocal/Square/Log/Neg 1, Rsqrt 2 per input element;
  L2Loss 3*n - 1; Softmax 5*n; AddN (inputs-1)*n; BiasAdd: output elements;
- reductions: in elements * reduce + out elements * (finalize - reduce) with Mean (1, 1),
  Sum/ArgMax/ArgMin/BiasAddGrad (1, 0);
- MaxPool/AvgPool: kernel area * output elements; AvgPoolGrad 2 * kernel area * grad
  elements; MaxPoolGrad (kernel area + 1) * grad elements.
"""


def _n(shape):
    if shape is None or shape.ndims is None or not shape.is_fully_defined():
        return None
    n = 1
    for d in shape.as_list():
        n *= d
    return n


def _dims(shape):
    if shape is None or shape.ndims is None or not shape.is_fully_defined():
        return None
    return shape.as_list()


def _attr(op, name, default=None):
    try:
        v = op.get_attr(name)
    except (ValueError, KeyError):
        return default
    return v.decode() if isinstance(v, bytes) else v


# NOTE: TF registers AssignAdd/AssignSub too, but its profiler never counts them for
# variables (their ref input's shape lookup fails), so they are left out here.
_UNARY = {"Reciprocal": 1, "Square": 1, "Rsqrt": 2, "Log": 1, "Neg": 1}
_BINARY = {"Add": 1, "AddV2": 1, "Sub": 1, "Mul": 1, "RealDiv": 1, "Maximum": 1, "Minimum": 1,
           "Pow": 1, "RsqrtGrad": 4, "GreaterEqual": 1, "Greater": 1, "LessEqual": 1,
           "Less": 1, "Equal": 1, "NotEqual": 1, "SquaredDifference": 2, "BiasAdd": 1}
_REDUCE = {"Mean": (1, 1), "Sum": (1, 0), "ArgMax": (1, 0), "ArgMin": (1, 0),
           "BiasAddGrad": (1, 0)}


def _spatial(vals, fmt):
    """(h, w) entries of a 4-entry NHWC/NCHW attr or shape."""
    return (vals[2], vals[3]) if fmt and fmt.startswith("NC") else (vals[1], vals[2])


def op_flops(op):
    """Float operations of one run of `op` (an int/float), or None when TF counts none."""
    t = op.type
    try:
        if t in _UNARY:
            return _times(_n(op.inputs[0].shape), _UNARY[t])
        if t in _BINARY:
            return _times(_n(op.outputs[0].shape), _BINARY[t])
        if t in _REDUCE:
            a, b = _n(op.inputs[0].shape), _n(op.outputs[0].shape)
            if a is None or b is None:
                return None
            red, fin = _REDUCE[t]
            return a * red + b * (fin - red)
        if t == "L2Loss":
            n = _n(op.inputs[0].shape)
            return None if n is None else 3 * n - 1
        if t == "Softmax":
            return _times(_n(op.inputs[0].shape), 5)
        if t == "AddN":
            n = _n(op.outputs[0].shape)
            return None if n is None else (len(op.inputs) - 1) * n
        if t == "MatMul":
            a, b = _dims(op.inputs[0].shape), _dims(op.inputs[1].shape)
            if a is None or b is None:
                return None
            k = a[0] if _attr(op, "transpose_a", False) else a[1]
            m = a[1] if _attr(op, "transpose_a", False) else a[0]
            n = b[0] if _attr(op, "transpose_b", False) else b[1]
            return 2 * m * k * n
        if t == "Conv2D":
            out, f = _n(op.outputs[0].shape), _dims(op.inputs[1].shape)
            if out is None or f is None:
                return None
            return 2 * out * f[0] * f[1] * f[2]
        if t == "DepthwiseConv2dNative":
            out, f = _n(op.outputs[0].shape), _dims(op.inputs[1].shape)
            if out is None or f is None:
                return None
            return 2 * out * f[0] * f[1]
        if t in ("Conv2DBackpropInput", "Conv2DBackpropFilter"):
            x = _dims(op.outputs[0].shape if t == "Conv2DBackpropInput" else op.inputs[0].shape)
            f = _dims(op.outputs[0].shape if t == "Conv2DBackpropFilter" else op.inputs[1].shape)
            if x is None or f is None:
                return None
            fmt = _attr(op, "data_format", "NHWC")
            sh, sw = _spatial(list(_attr(op, "strides", [1, 1, 1, 1])), fmt)
            h, w = _spatial(x, fmt)
            return 2.0 * f[0] * f[1] * f[2] * f[3] * x[0] * (h / sh) * (w / sw)
        if t in ("MaxPool", "AvgPool", "AvgPoolGrad", "MaxPoolGrad"):
            ksize = list(_attr(op, "ksize", [1, 1, 1, 1]))
            kh, kw = _spatial(ksize, _attr(op, "data_format", "NHWC"))
            if t in ("MaxPool", "AvgPool"):
                return _times(_n(op.outputs[0].shape), kh * kw)
            g = _n(op.inputs[-1].shape)
            if t == "AvgPoolGrad":
                return _times(g, 2 * kh * kw)
            return _times(g, kh * kw + 1)
    except (IndexError, TypeError, ValueError):
        return None
    return None


def _times(n, k):
    return None if n is None else n * k
