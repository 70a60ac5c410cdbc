"""Array ops: constants, placeholders, identity, shapes, slicing, joining, gathering."""
import builtins

import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework import tensor_util
from tensorweave.framework.registry import TYPE, out, register_op

# ------------------------------------------------------------------------ Const


def _const_factory(op, state):
    value = op._attrs["value"]
    return lambda: value


register_op(
    "Const", outputs=["output: dtype"], attrs={"value": registry.REQUIRED, "dtype": TYPE},
    shape_fn=lambda op: [tensor_shape.TensorShape(op._attrs["value"].shape)],
    kernel_factory=_const_factory)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """tf.constant: a Const op holding `value` (broadcast or reshaped to `shape`)."""
    arr = tensor_util.to_array(value, dtype)
    if dtype is not None and arr.dtype != dtypes.as_dtype(dtype).np_dtype and \
            dtypes.as_dtype(dtype) is not dtypes.string:
        arr = arr.astype(dtypes.as_dtype(dtype).np_dtype)
    if shape is not None:
        shape = [int(d) for d in (shape.as_list() if hasattr(shape, "as_list") else (
            [shape] if isinstance(shape, (int, np.integer)) else shape))]
        if tuple(arr.shape) != tuple(shape):
            if verify_shape:
                raise TypeError("Expected Tensor's shape: %s, got %s." % (
                    tuple(shape), tuple(arr.shape)))
            if arr.size == 1:
                arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
            elif arr.size == int(np.prod(shape)):
                arr = arr.reshape(shape)
            elif arr.ndim == 1 and arr.size < int(np.prod(shape)):
                # NOTE: TF1 pads a short list with its last element.
                flat = np.empty(int(np.prod(shape)), dtype=arr.dtype)
                flat[:arr.size] = arr
                flat[arr.size:] = arr[-1]
                arr = flat.reshape(shape)
            else:
                raise TypeError("Eager execution of tf.constant with unsupported shape. Tensor "
                                "%s (converted from %r) has %d elements, but got `shape` %s with "
                                "%d elements)." % (arr, value, arr.size, tuple(shape),
                                                   int(np.prod(shape))))
    dt = dtypes.as_dtype(dtype) if dtype is not None else None
    return registry.constant_op(arr, name=name, dtype=dt)


# ------------------------------------------------------------------- Placeholder
def _placeholder_factory(op, state):
    def _fail():
        from tensorweave.runtime.executor import _missing_feed_error

        raise _missing_feed_error(op, [op])

    return _fail


register_op(
    "Placeholder", outputs=["output: dtype"], attrs={"dtype": TYPE, "shape": None},
    shape_fn=lambda op: [tensor_shape.as_shape(op._attrs.get("shape"))],
    kernel_factory=_placeholder_factory)


def placeholder(dtype, shape=None, name=None):
    """tf.placeholder: a tensor that must be fed."""
    s = tensor_shape.as_shape(shape) if shape is not None else tensor_shape.unknown_shape()
    return out(registry.apply_op("Placeholder", [], name=name, dtype=dtypes.as_dtype(dtype),
                                 shape=s))


def _identity(x):
    return x


register_op(
    "PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
    attrs={"dtype": TYPE, "shape": registry.REQUIRED},
    shape_fn=lambda op: [tensor_shape.as_shape(op._attrs["shape"])],
    kernel=_identity, kernel_attrs=(), grad=None)


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's arg name
    return out(registry.apply_op("PlaceholderWithDefault", [input], name=name,
                                 shape=tensor_shape.as_shape(shape)))


# ---------------------------------------------------------------------- Identity
def _IdentityGrad(op, grad):  # noqa: N802 - TF's gradient naming
    return grad


register_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=_identity, kernel_attrs=(),
            grad=_IdentityGrad)


def identity(input, name=None):  # noqa: A002
    """tf.identity."""
    if hasattr(input, "_tw_identity"):
        return input._tw_identity(name)
    x = registry.convert_to_tensor(input)
    if x.dtype.is_ref_dtype:
        return out(registry.apply_op("Identity", [x], name=name, T=x.dtype.base_dtype))
    return out(registry.apply_op("Identity", [x], name=name))


def _no_op():
    return None


register_op("NoOp", shape_fn=lambda op: [], kernel=_no_op, kernel_attrs=())


def no_op(name=None):
    """tf.no_op."""
    return registry.apply_op("NoOp", [], name=name)



# =============================================================================== helpers
_int32 = dtypes.int32
_int64 = dtypes.int64


def _apply(op_type, inputs, name=None, **attrs):
    """Builds one op of a registered type and returns its single output."""
    return out(registry.apply_op(op_type, inputs, name=name, **attrs))


def _cv(t):
    """Static value of tensor `t` (None if not known at graph-build time)."""
    return tensor_util.constant_value(t)


def _fmt_dims(dims):
    return "[%s]" % ",".join("?" if d is None else str(d) for d in dims)


def _np_dtype(dt):
    return dtypes.as_dtype(dt).np_dtype


def _is_tensor(x):
    return isinstance(x, graph_lib.Tensor)


def _to_tensor(x, name=None, dtype=None, preferred_dtype=None):
    return registry.convert_to_tensor(x, dtype=dtype, name=name, preferred_dtype=preferred_dtype)


def _sum(x, axes, keep_dims=False, name=None):
    return _apply("Sum", [x, axes], name=name, keep_dims=keep_dims)


def _cast(x, dtype, name=None):
    dtype = dtypes.as_dtype(dtype).base_dtype
    if x.dtype.base_dtype == dtype:
        return x
    return _apply("Cast", [x], name=name or "Cast", DstT=dtype, Truncate=False)


def _sub(x, y, name=None):
    return _apply("Sub", [x, y], name=name or "sub")


def _add(x, y, name=None):
    return _apply("AddV2", [x, y], name=name or "add")


def _canon_axis(axis, rank, what="axis"):
    if axis < -rank or axis >= rank:
        raise ValueError("%s %d is out of range for a tensor of rank %d (expected in [%d, %d))"
                         % (what, axis, rank, -rank, rank))
    return axis + rank if axis < 0 else axis


def _zeros_for_none(op, grads):
    """Replaces None output gradients of a multi-output op with zeros (TF's gradients do)."""
    return [g if g is not None else zeros_like(op.outputs[i]) for i, g in enumerate(grads)]


# ============================================================================= shapes
# ----------------------------------------------------------------------------- Shape
def _shape_kernel(x, out_type=_int32):
    return np.array(x.shape, dtype=out_type.np_dtype)


def _shape_shape(op):
    r = op.inputs[0].shape.ndims
    return [tensor_shape.TensorShape([r])]


register_op("Shape", inputs=["input: T"], outputs=["output: out_type"],
            attrs={"T": TYPE, "out_type": _int32}, shape_fn=_shape_shape,
            kernel=_shape_kernel, kernel_attrs=("out_type",), grad=None)


def shape(input, name=None, out_type=_int32):  # noqa: A002 - TF's arg name
    """tf.shape: the dynamic shape of `input` (a Const when statically known, as TF)."""
    return shape_internal(input, name, optimize=True, out_type=out_type)


def shape_internal(input, name=None, optimize=True, out_type=_int32):  # noqa: A002
    out_type = dtypes.as_dtype(out_type)
    with graph_lib.name_scope(name, "Shape", [input]) as scope:
        if hasattr(input, "dense_shape") and not _is_tensor(input):
            return _cast(_to_tensor(input.dense_shape), out_type)
        x = _to_tensor(input)
        s = x.shape
        if optimize and s.is_fully_defined():
            return constant(s.as_list(), out_type, name=scope)
        return _apply("Shape", [x], name=scope, out_type=out_type)


def _shape_n_kernel(*xs, out_type=_int32):
    return tuple(np.array(x.shape, dtype=out_type.np_dtype) for x in xs)


register_op("ShapeN", inputs=["input: N * T"], outputs=["output: N * out_type"],
            attrs={"N": registry.INT, "T": TYPE, "out_type": _int32},
            shape_fn=lambda op: [tensor_shape.TensorShape([t.shape.ndims]) for t in op.inputs],
            kernel=_shape_n_kernel, kernel_attrs=("out_type",), grad=None)


def shape_n(input, out_type=_int32, name=None):  # noqa: A002
    """tf.shape_n: the shapes of a list of tensors (one ShapeN op)."""
    return list(registry.apply_op("ShapeN", [list(input)], name=name,
                                  out_type=dtypes.as_dtype(out_type))._outputs)


# ------------------------------------------------------------------------------ Size
def _size_kernel(x, out_type=_int32):
    return np.asarray(x.size, dtype=out_type.np_dtype)


register_op("Size", inputs=["input: T"], outputs=["output: out_type"],
            attrs={"T": TYPE, "out_type": _int32}, shape_fn=registry.scalar_shape,
            kernel=_size_kernel, kernel_attrs=("out_type",), grad=None)


def size(input, name=None, out_type=_int32):  # noqa: A002
    """tf.size: the number of elements (a Const when statically known, as TF)."""
    out_type = dtypes.as_dtype(out_type)
    with graph_lib.name_scope(name, "Size", [input]) as scope:
        x = _to_tensor(input)
        n = x.shape.num_elements()
        if n is not None:
            return constant(n, out_type, name=scope)
        return _apply("Size", [x], name=scope, out_type=out_type)


# ------------------------------------------------------------------------------ Rank
def _rank_kernel(x):
    return np.asarray(x.ndim, dtype=np.int32)


register_op("Rank", inputs=["input: T"], outputs=["output: int32"], attrs={"T": TYPE},
            shape_fn=registry.scalar_shape, kernel=_rank_kernel, kernel_attrs=(), grad=None)


def rank(input, name=None):  # noqa: A002
    """tf.rank: the number of dimensions (a Const when statically known, as TF)."""
    with graph_lib.name_scope(name, "Rank", [input]) as scope:
        x = _to_tensor(input)
        r = x.shape.ndims
        if r is not None:
            return constant(r, _int32, name=scope)
        return _apply("Rank", [x], name=scope)


# --------------------------------------------------------------------------- Reshape
def _reshape_kernel(x, shape):
    try:
        return np.reshape(x, shape)
    except ValueError:
        dims = [int(d) for d in np.reshape(shape, -1)]
        known = int(np.prod([d for d in dims if d != -1])) if dims else 1
        if -1 in dims:
            detail = "the requested shape requires a multiple of %d" % known
        else:
            detail = "the requested shape has %d" % known
        raise ValueError("Input to reshape is a tensor with %d values, but %s (input shape %s, "
                         "requested shape %s)" % (x.size, detail, _fmt_dims(x.shape),
                                                  _fmt_dims(dims))) from None


def _reshape_shape(op):
    in_shape = op.inputs[0].shape
    n_in = in_shape.num_elements()
    val = _cv(op.inputs[1])
    if val is not None:
        if val.ndim > 1:
            raise ValueError("Shape must be rank 1 but is rank %d" % val.ndim)
        dims = [int(d) for d in val.reshape(-1)]
        if dims.count(-1) > 1:
            raise ValueError("Cannot infer multiple unknown dimensions in shape %s" %
                             _fmt_dims(dims))
        if any(d < -1 for d in dims):
            raise ValueError("Size %d must be non-negative, not %d" % (
                [i for i, d in enumerate(dims) if d < -1][0], min(dims)))
        known = 1
        for d in dims:
            if d != -1:
                known *= d
        if -1 in dims:
            if n_in is not None:
                if (known == 0 and n_in != 0) or (known and n_in % known):
                    raise ValueError(
                        "Cannot reshape a tensor with %d elements to shape %s (%d elements)" % (
                            n_in, _fmt_dims([None if d == -1 else d for d in dims]), known))
                dims[dims.index(-1)] = n_in // known if known else 0
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n_in is not None and n_in != known:
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                             % (n_in, _fmt_dims(dims), known))
        return [tensor_shape.TensorShape(dims)]
    partial = tensor_util.constant_value_as_shape(op.inputs[1])
    if partial.ndims is None:
        return [partial]
    dims = partial.as_list()
    unknown = [i for i, d in enumerate(dims) if d is None]
    if n_in is not None and len(unknown) == 1:
        known = 1
        for d in dims:
            if d is not None:
                known *= d
        if known and n_in % known == 0:
            dims[unknown[0]] = n_in // known
    return [tensor_shape.TensorShape(dims)]


def _ReshapeGrad(op, grad):  # noqa: N802
    return [reshape(grad, shape(op.inputs[0])), None]


register_op("Reshape", inputs=["tensor: T", "shape: Tshape"], outputs=["output: T"],
            attrs={"T": TYPE, "Tshape": _int32}, shape_fn=_reshape_shape,
            kernel=_reshape_kernel, kernel_attrs=(), grad=_ReshapeGrad)


def reshape(tensor, shape, name=None):  # noqa: A002,F811 - TF's arg names
    """tf.reshape."""
    if isinstance(shape, tensor_shape.TensorShape):
        shape = [-1 if d is None else d for d in shape.as_list()]
    return _apply("Reshape", [tensor, shape], name=name)


# ------------------------------------------------------------------------ ExpandDims
def _expand_dims_kernel(x, dim):
    d = int(dim.reshape(-1)[0]) if dim.ndim else int(dim)
    if d < -x.ndim - 1 or d > x.ndim:
        raise ValueError("Tried to expand dim index %d for tensor with %d dimensions." % (
            d, x.ndim))
    return np.expand_dims(x, d)


def _expand_dims_shape(op):
    s = op.inputs[0].shape
    d = _cv(op.inputs[1])
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    if d is None:
        return [tensor_shape.unknown_shape(s.ndims + 1)]
    if np.size(d) != 1:
        raise ValueError("'dim' input must be a tensor with a single value")
    d = int(np.reshape(d, -1)[0])
    r = s.ndims
    if d < -r - 1 or d > r:
        raise ValueError("Tried to expand dim index %d for tensor with %d dimensions" % (d, r))
    if d < 0:
        d += r + 1
    dims = s.as_list()
    return [tensor_shape.TensorShape(dims[:d] + [1] + dims[d:])]


def _ExpandDimsGrad(op, grad):  # noqa: N802
    return [reshape(grad, shape(op.inputs[0])), None]


register_op("ExpandDims", inputs=["input: T", "dim: Tdim"], outputs=["output: T"],
            attrs={"T": TYPE, "Tdim": _int32}, shape_fn=_expand_dims_shape,
            kernel=_expand_dims_kernel, kernel_attrs=(), grad=_ExpandDimsGrad)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """tf.expand_dims (TF1 accepts the deprecated `dim`)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return _apply("ExpandDims", [input, axis], name=name)


# --------------------------------------------------------------------------- Squeeze
def _squeeze_kernel(x, squeeze_dims=()):
    if not squeeze_dims:
        return np.reshape(x, [d for d in x.shape if d != 1])
    axes = tuple(d + x.ndim if d < 0 else d for d in squeeze_dims)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d" % (
                a, x.shape[a]))
    return np.squeeze(x, axis=axes)


def _squeeze_shape(op):
    s = op.inputs[0].shape
    sq = list(op._attrs.get("squeeze_dims") or [])
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    dims = s.as_list()
    r = len(dims)
    if not sq:
        if any(d is None for d in dims):
            return [tensor_shape.unknown_shape()]
        return [tensor_shape.TensorShape([d for d in dims if d != 1])]
    axes = set()
    for a in sq:
        if a < -r or a >= r:
            raise ValueError("Tried to squeeze dim index %d for tensor with %d dimensions." % (
                a, r))
        a = a + r if a < 0 else a
        if dims[a] is not None and dims[a] != 1:
            raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d" % (
                a, dims[a]))
        axes.add(a)
    return [tensor_shape.TensorShape([d for i, d in enumerate(dims) if i not in axes])]


def _SqueezeGrad(op, grad):  # noqa: N802
    return [reshape(grad, shape(op.inputs[0]))]


register_op("Squeeze", inputs=["input: T"], outputs=["output: T"],
            attrs={"T": TYPE, "squeeze_dims": []}, shape_fn=_squeeze_shape,
            kernel=_squeeze_kernel, kernel_attrs=("squeeze_dims",), grad=_SqueezeGrad)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """tf.squeeze (TF1 accepts the deprecated `squeeze_dims`)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        axis = squeeze_dims
    if np.isscalar(axis) or isinstance(axis, (int, np.integer)):
        axis = [axis]
    axis = [int(a) for a in (axis or [])]
    return _apply("Squeeze", [input], name=name, squeeze_dims=axis)


# ------------------------------------------------------------------------- Transpose
def _transpose_kernel(x, perm):
    if perm.size != x.ndim:
        raise ValueError("transpose expects a vector of size %d. But input(1) is a vector of "
                         "size %d" % (x.ndim, perm.size))
    return np.transpose(x, perm)


def _transpose_shape(op):
    s = op.inputs[0].shape
    p = _cv(op.inputs[1])
    pshape = op.inputs[1].shape
    r = s.ndims
    if r is None and pshape.ndims == 1 and pshape[0].value is not None:
        r = pshape[0].value
    if p is None:
        return [tensor_shape.unknown_shape(r)]
    p = [int(v) for v in np.reshape(p, -1)]
    if r is not None and len(p) != r:
        raise ValueError("Dimension must be %d but is %d" % (r, len(p)))
    if s.ndims is None:
        return [tensor_shape.unknown_shape(len(p))]
    dims = s.as_list()
    for v in p:
        if v < 0 or v >= len(p):
            raise ValueError("perm dim %d is out of range of input rank %d" % (v, len(p)))
    return [tensor_shape.TensorShape([dims[v] for v in p])]


def _TransposeGrad(op, grad):  # noqa: N802
    p = op.inputs[1]
    pv = _cv(p)
    if pv is not None:
        inv = np.argsort(np.reshape(pv, -1)).astype(pv.dtype)
        return [transpose(grad, inv), None]
    return [transpose(grad, invert_permutation(p)), None]


register_op("Transpose", inputs=["x: T", "perm: Tperm"], outputs=["y: T"],
            attrs={"T": TYPE, "Tperm": _int32}, shape_fn=_transpose_shape,
            kernel=_transpose_kernel, kernel_attrs=(), grad=_TransposeGrad)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """tf.transpose (perm defaults to the reversed dimensions)."""
    with graph_lib.name_scope(name, "transpose", [a]) as scope:
        a = _to_tensor(a, name="a")
        if perm is None:
            r = a.shape.ndims
            if r is not None:
                perm = np.arange(r - 1, -1, -1, dtype=np.int32)
            else:
                rk = rank(a)
                perm = _sub(_sub(rk, 1), range(0, rk, 1))
        y = _apply("Transpose", [a, perm], name=scope)
        if conjugate and a.dtype.is_complex:
            y = _apply("Conj", [y])
        return y


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """tf.linalg.transpose / tf.matrix_transpose: swaps the last two dimensions."""
    with graph_lib.name_scope(name, "transpose", [a]):
        a = _to_tensor(a, name="a")
        r = a.shape.ndims
        if r is not None:
            if r < 2:
                raise ValueError("Argument `a` should be a (batch) matrix with rank >= 2.  "
                                 "Received `a` = %s with shape: %s" % (a, a.shape))
            perm = list(np.arange(r - 2)) + [r - 1, r - 2]
        else:
            rk = rank(a)
            perm = concat([range(rk - 2), [rk - 1, rk - 2]], 0)
        return transpose(a, perm=perm, conjugate=conjugate)


def _invert_permutation_kernel(x):
    n = x.size
    if n and (x.min() < 0 or x.max() >= n or np.unique(x).size != n):
        raise ValueError("%s is not a permutation of 0..%d" % (x.tolist(), n - 1))
    y = np.empty_like(x)
    y[x] = np.arange(n, dtype=x.dtype)
    return y


register_op("InvertPermutation", inputs=["x: T"], outputs=["y: T"], attrs={"T": _int32},
            shape_fn=registry.unchanged_shape, kernel=_invert_permutation_kernel,
            kernel_attrs=(), grad=None)


def invert_permutation(x, name=None):
    """tf.invert_permutation."""
    return _apply("InvertPermutation", [x], name=name)


# ============================================================================ joining
# ---------------------------------------------------------------------------- Concat
def _concat_kernel(*args):
    axis = int(args[-1])
    return np.concatenate(args[:-1], axis=axis)


def _concat_shape(op):
    values = op.inputs[:-1]
    axis = _cv(op.inputs[-1])
    rank_ = None
    for v in values:
        if v.shape.ndims is not None:
            if rank_ is not None and v.shape.ndims != rank_:
                raise ValueError("Shape must be rank %d but is rank %d" % (rank_, v.shape.ndims))
            rank_ = v.shape.ndims
    if rank_ is None:
        return [tensor_shape.unknown_shape()]
    if axis is None:
        return [tensor_shape.unknown_shape(rank_)]
    axis = int(axis)
    if axis < -rank_ or axis >= rank_:
        raise ValueError("ConcatOp : Expected concatenating dimensions in the range [%d, %d), "
                         "but got %d" % (-rank_, rank_, axis))
    if axis < 0:
        axis += rank_
    dims = [None] * rank_
    total = 0
    first = True
    for v in values:
        if v.shape.ndims is None:
            total = None
            continue
        vd = v.shape.as_list()
        for i in builtins.range(rank_):
            if i == axis:
                continue
            if first and dims[i] is None:
                dims[i] = vd[i]
            elif vd[i] is not None:
                if dims[i] is not None and dims[i] != vd[i]:
                    raise ValueError("Dimension %d in both shapes must be equal, but are %d and "
                                     "%d. Shapes are %s and %s" % (
                                         i, dims[i], vd[i], _fmt_dims(dims), _fmt_dims(vd)))
                dims[i] = vd[i]
        first = False
        if total is not None:
            total = None if vd[axis] is None else total + vd[axis]
    dims[axis] = total
    return [tensor_shape.TensorShape(dims)]


def _ConcatV2Grad(op, grad):  # noqa: N802
    values = op.inputs[:-1]
    axis_t = op.inputs[-1]
    if len(values) == 1:
        return [grad, None]
    axis = _cv(axis_t)
    r = values[0].shape.ndims
    if axis is not None and r is not None:
        axis = int(axis) % r
        shapes = [v.shape for v in values]
        if all(s.is_fully_defined() for s in shapes):
            sizes = [s.as_list()[axis] for s in shapes]
            return list(_apply_split_v(grad, sizes, axis)) + [None]
        non_neg = constant(axis, _int32)
    else:
        non_neg = _apply("FloorMod", [_cast(axis_t, _int32), rank(values[0])])
    sizes = shape_n(values)
    offsets = registry.apply_op("ConcatOffset", [non_neg, sizes])._outputs
    return [slice(grad, o, s) for o, s in zip(offsets, sizes)] + [None]


def _apply_split_v(value, sizes, axis):
    op = registry.apply_op("SplitV", [value, np.asarray(sizes, dtype=np.int32),
                                      np.asarray(axis, dtype=np.int32)],
                           name="split", num_split=len(sizes))
    return op._outputs


register_op("ConcatV2", inputs=["values: N * T", "axis: Tidx"], outputs=["output: T"],
            attrs={"N": registry.INT, "T": TYPE, "Tidx": _int32}, shape_fn=_concat_shape,
            kernel=_concat_kernel, kernel_attrs=(), grad=_ConcatV2Grad)


def _concat_offset_kernel(axis, *shapes):
    axis = int(axis)
    offs = []
    acc = 0
    for s in shapes:
        o = np.zeros_like(s)
        o[axis] = acc
        acc += s[axis]
        offs.append(o)
    return tuple(offs)


register_op("ConcatOffset", inputs=["concat_dim: int32", "shape: N * shape_type"],
            outputs=["offset: N * shape_type"],
            attrs={"N": registry.INT, "shape_type": _int32},
            shape_fn=lambda op: [t.shape for t in op.inputs[1:]],
            kernel=_concat_offset_kernel, kernel_attrs=(), grad=None)


def concat(values, axis, name="concat"):
    """tf.concat (a single value becomes an Identity, as TF does)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with graph_lib.name_scope(name) as scope:
            ax = _to_tensor(axis, name="concat_dim", dtype=_int32)
            ax.shape.assert_has_rank(0)
            del scope
            return identity(values[0], name=name)
    return _apply("ConcatV2", [list(values), axis], name=name)


# ---------------------------------------------------------------------- Pack / Unpack
def _pack_kernel(*values, axis=0):
    return np.stack(values, axis=axis)


def _pack_shape(op):
    values = op.inputs
    axis = op._attrs.get("axis", 0)
    merged = tensor_shape.unknown_shape()
    for v in values:
        s = v.shape
        if merged.ndims is not None and s.ndims is not None and merged.ndims != s.ndims:
            raise ValueError("Shapes must be equal rank, but are %d and %d" % (
                merged.ndims, s.ndims))
        try:
            merged = merged.merge_with(s)
        except ValueError:
            raise ValueError("Shapes %s and %s are not compatible" % (merged, s))
    if merged.ndims is None:
        return [tensor_shape.unknown_shape()]
    r = merged.ndims + 1
    if axis < -r or axis >= r:
        raise ValueError("Invalid axis: %d; must be in [%d,%d)" % (axis, -r, r))
    if axis < 0:
        axis += r
    dims = merged.as_list()
    return [tensor_shape.TensorShape(dims[:axis] + [len(values)] + dims[axis:])]


def _PackGrad(op, grad):  # noqa: N802
    return unstack(grad, num=op._attrs["N"], axis=op._attrs["axis"])


register_op("Pack", inputs=["values: N * T"], outputs=["output: T"],
            attrs={"N": registry.INT, "T": TYPE, "axis": 0}, shape_fn=_pack_shape,
            kernel=_pack_kernel, kernel_attrs=("axis",), grad=_PackGrad)


def _unpack_kernel(x, num=None, axis=0):
    if x.shape[axis] != num:
        raise ValueError("Input shape axis %d must equal %d, got shape %s" % (
            axis, num, _fmt_dims(x.shape)))
    return tuple(np.moveaxis(x, axis, 0))


def _unpack_shape(op):
    s = op.inputs[0].shape
    num = op._attrs["num"]
    axis = op._attrs.get("axis", 0)
    if s.ndims is None:
        return [tensor_shape.unknown_shape()] * num
    r = s.ndims
    if axis < -r or axis >= r:
        raise ValueError("Invalid axis: %d; must be in [%d,%d)" % (axis, -r, r))
    if axis < 0:
        axis += r
    dims = s.as_list()
    if dims[axis] is not None and dims[axis] != num:
        raise ValueError("Dimension must be %d but is %d" % (num, dims[axis]))
    return [tensor_shape.TensorShape(dims[:axis] + dims[axis + 1:])] * num


def _UnpackGrad(op, *grads):  # noqa: N802
    return stack(_zeros_for_none(op, grads), axis=op._attrs["axis"])


register_op("Unpack", inputs=["value: T"], outputs=["output: num * T"],
            attrs={"num": registry.INT, "T": TYPE, "axis": 0}, shape_fn=_unpack_shape,
            kernel=_unpack_kernel, kernel_attrs=("num", "axis"), grad=_UnpackGrad)


def _should_not_autopack(v):
    stack_ = [v]
    while stack_:
        e = stack_.pop()
        if isinstance(e, (list, tuple)):
            stack_.extend(e)
        elif _is_tensor(e) or registry._is_dtyped(e) and not isinstance(
                e, (np.ndarray, np.generic)):
            return False
    return True


def _nested_dtype(v):
    for e in v:
        if isinstance(e, (list, tuple)):
            d = _nested_dtype(e)
            if d is not None:
                return d
        elif _is_tensor(e) or (registry._is_dtyped(e) and not isinstance(
                e, (np.ndarray, np.generic))):
            return e.dtype.base_dtype
    return None


def _autopacking_helper(values, dtype, name):
    must_pack = False
    converted = []
    with graph_lib.name_scope(name) as scope:
        for i, e in enumerate(values):
            if _is_tensor(e) or (registry._is_dtyped(e) and not isinstance(
                    e, (np.ndarray, np.generic))):
                e = _to_tensor(e)
                if dtype is not None and e.dtype.base_dtype != dtype:
                    raise TypeError("Cannot convert a list containing a tensor of dtype %s to "
                                    "%s (Tensor is: %r)" % (e.dtype.base_dtype.name,
                                                            dtype.name, e))
                converted.append(e)
                must_pack = True
            elif isinstance(e, (list, tuple)):
                c = _autopacking_helper(e, dtype, str(i))
                if _is_tensor(c):
                    must_pack = True
                converted.append(c)
            else:
                converted.append(e)
        if must_pack:
            elems = [e if _is_tensor(e) else constant(e, dtype=dtype, name=str(i))
                     for i, e in enumerate(converted)]
            return _apply("Pack", [elems], name=scope)
        return converted


def _autopacking_conversion_function(v, dtype=None, name=None, as_ref=False):
    if as_ref or _should_not_autopack(v):
        return NotImplemented
    inferred = _nested_dtype(v)
    if inferred is None:
        return NotImplemented
    if dtype is None:
        dtype = inferred
    elif dtype.base_dtype != inferred:
        return NotImplemented
    return _autopacking_helper(v, dtype.base_dtype, name or "packed")


registry.register_tensor_conversion_function((list, tuple), _autopacking_conversion_function,
                                             priority=99)


def stack(values, axis=0, name="stack"):
    """tf.stack (tf.pack): a constant list becomes one Const, as TF does."""
    if axis == 0 and isinstance(values, (list, tuple)):
        try:
            return _to_tensor(values, name=name)
        except (TypeError, ValueError):
            pass
    if _is_tensor(values):
        return values
    values = list(values)
    first = _to_tensor(values[0], name=name)
    values[0] = first
    s = first.shape
    if s.ndims is not None:
        r = s.ndims + 1
        if axis < -r or axis >= r:
            raise ValueError("Argument `axis` = %d not in range [%d, %d)" % (axis, -r, r))
    return _apply("Pack", [values], name=name, axis=axis)


def parallel_stack(values, name="parallel_stack"):
    """tf.parallel_stack (built as a Pack here: same value, same shape)."""
    return stack(values, axis=0, name=name)


def unstack(value, num=None, axis=0, name="unstack"):
    """tf.unstack (tf.unpack)."""
    value = _to_tensor(value)
    if num is None:
        s = value.shape
        if s.ndims is None:
            raise ValueError("Cannot infer argument `num` from shape %s" % s)
        r = s.ndims
        if axis < -r or axis >= r:
            raise ValueError("Argument `axis` = %d not in range [%d, %d)" % (axis, -r, r))
        num = s.as_list()[axis]
        if num is None:
            raise ValueError("Cannot infer argument `num` from shape %s" % s)
    return list(registry.apply_op("Unpack", [value], name=name, num=int(num),
                                  axis=axis)._outputs)


# ----------------------------------------------------------------------------- Split
def _split_kernel(axis, value, num_split=1):
    axis = int(axis)
    n = value.shape[axis]
    if n % num_split:
        raise ValueError("Number of ways to split should evenly divide the split dimension, "
                         "but got split_dim %d (size = %d) and num_split %d" % (
                             axis, n, num_split))
    step = n // num_split
    pre = (builtin_slice(None),) * (axis % value.ndim)
    return tuple(value[pre + (builtin_slice(i * step, (i + 1) * step),)]
                 for i in builtins.range(num_split))


def _split_shape(op):
    num = op._attrs["num_split"]
    s = op.inputs[1].shape
    axis = _cv(op.inputs[0])
    if s.ndims is None:
        return [tensor_shape.unknown_shape()] * num
    r = s.ndims
    if axis is None:
        return [tensor_shape.unknown_shape(r)] * num
    axis = int(axis)
    if axis < -r or axis >= r:
        raise ValueError("Dimension must be in range [%d, %d)" % (-r, r))
    axis %= r
    dims = s.as_list()
    d = dims[axis]
    if d is not None:
        if d % num:
            raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (num, d))
        dims[axis] = d // num
    return [tensor_shape.TensorShape(dims)] * num


def _SplitGrad(op, *grads):  # noqa: N802
    return [None, concat(_zeros_for_none(op, grads), op.inputs[0])]


register_op("Split", inputs=["split_dim: int32", "value: T"], outputs=["output: num_split * T"],
            attrs={"num_split": registry.INT, "T": TYPE}, shape_fn=_split_shape,
            kernel=_split_kernel, kernel_attrs=("num_split",), grad=_SplitGrad)


def _resolve_sizes(sizes, n):
    sizes = [int(v) for v in np.reshape(sizes, -1)]
    if sizes.count(-1) > 1:
        raise ValueError("Only one dimensions can have a value of -1. Second one found at "
                         "dimension %d" % [i for i, v in enumerate(sizes) if v == -1][1])
    if -1 in sizes:
        rest = sum(v for v in sizes if v != -1)
        sizes[sizes.index(-1)] = n - rest
    if sum(sizes) != n or any(v < 0 for v in sizes):
        raise ValueError("Determined shape must either match input shape along split_dim "
                         "exactly if fully specified, or be less than the size of the input "
                         "along split_dim if not fully specified.  Got: %d" % sum(sizes))
    return sizes


def _split_v_kernel(value, size_splits, axis, num_split=1):
    axis = int(axis)
    if axis < 0:
        axis += value.ndim
    sizes = _resolve_sizes(size_splits, value.shape[axis])
    pre = (builtin_slice(None),) * axis
    res = []
    start = 0
    for sz in sizes:
        res.append(value[pre + (builtin_slice(start, start + sz),)])
        start += sz
    return tuple(res)


def _split_v_shape(op):
    num = op._attrs["num_split"]
    s = op.inputs[0].shape
    sizes = _cv(op.inputs[1])
    axis = _cv(op.inputs[2])
    if s.ndims is None:
        return [tensor_shape.unknown_shape()] * num
    r = s.ndims
    if axis is None:
        return [tensor_shape.unknown_shape(r)] * num
    axis = int(axis)
    if axis < -r or axis >= r:
        raise ValueError("Dimension must be in range [%d, %d)" % (-r, r))
    axis %= r
    dims = s.as_list()
    if sizes is None:
        return [tensor_shape.TensorShape(dims[:axis] + [None] + dims[axis + 1:])] * num
    sizes = [int(v) for v in np.reshape(sizes, -1)]
    if len(sizes) != num:
        raise ValueError("Length of size_splits should be equal to num_split (%d vs %d)" % (
            len(sizes), num))
    if dims[axis] is not None:
        sizes = _resolve_sizes(sizes, dims[axis])
    res = []
    for v in sizes:
        d = list(dims)
        d[axis] = None if v == -1 else v
        res.append(tensor_shape.TensorShape(d))
    return res


def _SplitVGrad(op, *grads):  # noqa: N802
    return [concat(_zeros_for_none(op, grads), op.inputs[2]), None, None]


register_op("SplitV", inputs=["value: T", "size_splits: Tlen", "split_dim: int32"],
            outputs=["output: num_split * T"],
            attrs={"num_split": registry.INT, "T": TYPE, "Tlen": _int64},
            shape_fn=_split_v_shape, kernel=_split_v_kernel, kernel_attrs=("num_split",),
            grad=_SplitVGrad)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """tf.split: an int splits evenly (Split), a list of sizes uses SplitV."""
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
            num_or_size_splits, bool):
        return list(registry.apply_op("Split", [axis, value], name=name,
                                      num_split=int(num_or_size_splits))._outputs)
    size_splits = _to_tensor(num_or_size_splits)
    if size_splits.shape.ndims == 0 and size_splits.dtype.is_integer:
        v = _cv(size_splits)
        if v is not None:
            return list(registry.apply_op("Split", [axis, value], name=name,
                                          num_split=int(v))._outputs)
    if num is None:
        s = size_splits.shape
        if s.ndims is None or s.as_list()[0] is None:
            raise ValueError("Cannot infer argument `num` from shape %s" % s)
        num = s.as_list()[0]
    return list(registry.apply_op("SplitV", [value, size_splits, axis], name=name,
                                  num_split=int(num))._outputs)


# ============================================================================= slicing
# ----------------------------------------------------------------------------- Slice
def _slice_kernel(x, begin, size):
    idx = []
    for i in np.arange(x.ndim):
        b = int(begin[i])
        s = int(size[i])
        d = x.shape[i]
        if s == -1:
            s = d - b
        if b < 0 or s < 0 or b + s > d:
            raise ValueError("Expected size[%d] in [0, %d], but got %d" % (i, d - b, s)
                             if 0 <= b <= d else
                             "Expected begin[%d] in [0, %d], but got %d" % (i, d, b))
        idx.append(builtin_slice(b, b + s))
    return x[tuple(idx)]


def _slice_shape(op):
    s = op.inputs[0].shape
    b = _cv(op.inputs[1])
    sz = _cv(op.inputs[2])
    r = s.ndims
    for t in op.inputs[1:]:
        if t.shape.ndims == 1 and t.shape[0].value is not None:
            if r is not None and t.shape[0].value != r:
                raise ValueError("Shape must be rank %d but is rank %d" % (
                    t.shape[0].value, r))
            r = t.shape[0].value
    if r is None:
        return [tensor_shape.unknown_shape()]
    dims = s.as_list() if s.ndims is not None else [None] * r
    if sz is None:
        partial = tensor_util.constant_value_as_shape(op.inputs[2])
        if partial.ndims == r:
            return [tensor_shape.TensorShape(partial.as_list())]
        return [tensor_shape.unknown_shape(r)]
    sz = [int(v) for v in np.reshape(sz, -1)]
    out_dims = []
    for i in builtins.range(r):
        if sz[i] >= 0:
            if b is not None and dims[i] is not None:
                bi = int(np.reshape(b, -1)[i])
                if bi + sz[i] > dims[i] or bi < 0:
                    raise ValueError("Expected size[%d] in [0, %d], but got %d" % (
                        i, dims[i] - bi, sz[i]))
            out_dims.append(sz[i])
        elif sz[i] == -1:
            if b is not None and dims[i] is not None:
                out_dims.append(dims[i] - int(np.reshape(b, -1)[i]))
            else:
                out_dims.append(None)
        else:
            raise ValueError("Expected size[%d] in [0, %s], but got %d" % (
                i, "?" if dims[i] is None else dims[i], sz[i]))
    return [tensor_shape.TensorShape(out_dims)]


def _SliceGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    begin = op.inputs[1]
    r = rank(x)
    slice_size = shape(op.outputs[0], out_type=begin.dtype)
    sh = stack([r, 1])
    before = reshape(begin, sh)
    after = reshape(_sub(_sub(shape(x, out_type=begin.dtype), slice_size), begin), sh)
    paddings = concat([before, after], 1)
    return [pad(grad, paddings), None, None]


register_op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
            attrs={"T": TYPE, "Index": TYPE}, shape_fn=_slice_shape, kernel=_slice_kernel,
            kernel_attrs=(), grad=_SliceGrad)

builtin_slice = slice  # NOTE: `slice` is rebound to tf.slice below


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's public name
    """tf.slice."""
    return _apply("Slice", [input_, begin, size], name=name)


# ============================================================================== tiling
def _tile_kernel(x, multiples):
    if multiples.size != x.ndim:
        raise ValueError("Expected multiples argument to be a vector of length %d but got "
                         "length %d" % (x.ndim, multiples.size))
    return np.tile(x, multiples)


def _tile_shape(op):
    s = op.inputs[0].shape
    m = _cv(op.inputs[1])
    r = s.ndims
    ms = op.inputs[1].shape
    if r is None and ms.ndims == 1:
        r = ms[0].value
    if r is None:
        return [tensor_shape.unknown_shape()]
    if m is None:
        partial = tensor_util.constant_value_as_shape(op.inputs[1])
        if partial.ndims != r or s.ndims is None:
            return [tensor_shape.unknown_shape(r)]
        return [tensor_shape.TensorShape([None if a is None or b is None else a * b
                                          for a, b in zip(s.as_list(), partial.as_list())])]
    m = [int(v) for v in np.reshape(m, -1)]
    if len(m) != r:
        raise ValueError("Shape must be rank %d but is rank %d" % (r, len(m)))
    dims = s.as_list() if s.ndims is not None else [None] * r
    return [tensor_shape.TensorShape([None if d is None else d * k for d, k in zip(dims, m)])]


def _TileGrad(op, grad):  # noqa: N802
    mult = op.inputs[1]
    in_shape = shape(op.inputs[0], out_type=mult.dtype)
    split_shape = reshape(transpose(stack([mult, in_shape])), [-1])
    axes = range(0, size(split_shape), 2)
    g = _sum(reshape(grad, split_shape), axes)
    g.set_shape(op.inputs[0].shape)
    return [g, None]


register_op("Tile", inputs=["input: T", "multiples: Tmultiples"], outputs=["output: T"],
            attrs={"T": TYPE, "Tmultiples": _int32}, shape_fn=_tile_shape,
            kernel=_tile_kernel, kernel_attrs=(), grad=_TileGrad)


def tile(input, multiples, name=None):  # noqa: A002
    """tf.tile."""
    return _apply("Tile", [input, multiples], name=name)


# =============================================================================== Pad
def _check_paddings(x, paddings):
    p = np.asarray(paddings)
    if p.shape != (x.ndim, 2):
        raise ValueError("The first dimension of paddings must be the rank of inputs[%d,2], "
                         "got %s" % (x.ndim, _fmt_dims(p.shape)))
    if p.size and p.min() < 0:
        raise ValueError("Paddings must be non-negative: %s" % p.tolist())
    return p


def _pad_constant(x, paddings, value):
    p = _check_paddings(x, paddings)
    out_shape = tuple(int(d + a + b) for d, (a, b) in zip(x.shape, p))
    out_ = np.full(out_shape, value, dtype=x.dtype) if value != 0 else np.zeros(
        out_shape, dtype=x.dtype)
    out_[tuple(builtin_slice(int(a), int(a) + d) for d, (a, _) in zip(x.shape, p))] = x
    return out_


def _pad_kernel(x, paddings):
    return _pad_constant(x, paddings, 0)


def _pad_v2_kernel(x, paddings, constant_values):
    return _pad_constant(x, paddings, constant_values.reshape(()))


def _pad_shape(op):
    s = op.inputs[0].shape
    p = _cv(op.inputs[1])
    ps = op.inputs[1].shape
    r = s.ndims
    if r is None and ps.ndims == 2 and ps[0].value is not None:
        r = ps[0].value
    if r is None:
        return [tensor_shape.unknown_shape()]
    if ps.ndims is not None and ps.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % ps.ndims)
    if p is None:
        return [tensor_shape.unknown_shape(r)]
    p = np.reshape(p, (-1, 2)) if p.size else np.zeros((0, 2), np.int64)
    if p.shape[0] != r:
        raise ValueError("Dimension must be %d but is %d" % (r, p.shape[0]))
    if p.size and p.min() < 0:
        raise ValueError("Paddings must be non-negative")
    dims = s.as_list() if s.ndims is not None else [None] * r
    return [tensor_shape.TensorShape([None if d is None else d + int(a) + int(b)
                                      for d, (a, b) in zip(dims, p)])]


def _PadGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    a = op.inputs[1]
    pad_before = slice(a, [0, 0], stack([rank(x), 1]))
    begin = reshape(pad_before, [-1])
    sizes = shape(x, out_type=begin.dtype)
    xg = slice(grad, begin, sizes)
    if len(op.inputs) == 3:
        return [xg, None, None]
    return [xg, None]


register_op("Pad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs={"T": TYPE, "Tpaddings": _int32}, shape_fn=_pad_shape, kernel=_pad_kernel,
            kernel_attrs=(), grad=_PadGrad)
register_op("PadV2", inputs=["input: T", "paddings: Tpaddings", "constant_values: T"],
            outputs=["output: T"], attrs={"T": TYPE, "Tpaddings": _int32},
            shape_fn=_pad_shape, kernel=_pad_v2_kernel, kernel_attrs=(), grad=_PadGrad)


def _mode_str(mode):
    return mode.decode() if isinstance(mode, bytes) else mode


def _mirror_pad_kernel(x, paddings, mode="REFLECT"):
    p = _check_paddings(x, paddings)
    mode = _mode_str(mode)
    off = 1 if mode == "REFLECT" else 0
    for i, (a, b) in enumerate(p):
        lim = x.shape[i] - off
        if a > lim or b > lim:
            raise ValueError("paddings must be less than%s the dimension size: %d, %d not less "
                             "than %d" % (" or equal to" if off == 0 else "", a, b,
                                          x.shape[i] + (1 - off)))
    return np.pad(x, p, mode="reflect" if mode == "REFLECT" else "symmetric")


def _mirror_pad_grad_kernel(g, paddings, mode="REFLECT"):
    p = np.asarray(paddings)
    off = 1 if _mode_str(mode) == "REFLECT" else 0
    for axis, (a, b) in enumerate(p):
        a, b = int(a), int(b)
        if a == 0 and b == 0:
            continue
        n = g.shape[axis] - a - b
        g = np.moveaxis(g, axis, 0)
        core = g[a:a + n].copy()
        if a:
            core[off:off + a] += g[:a][::-1]
        if b:
            core[n - b - off:n - off] += g[a + n:][::-1]
        g = np.moveaxis(core, 0, axis)
    return np.ascontiguousarray(g)


def _mirror_pad_grad_shape(op):
    s = op.inputs[0].shape
    p = _cv(op.inputs[1])
    if s.ndims is None or p is None:
        return [tensor_shape.unknown_shape(s.ndims)]
    p = np.reshape(p, (-1, 2))
    return [tensor_shape.TensorShape([None if d is None else d - int(a) - int(b)
                                      for d, (a, b) in zip(s.as_list(), p)])]


def _MirrorPadGrad(op, grad):  # noqa: N802
    return [_apply("MirrorPadGrad", [grad, op.inputs[1]], mode=op._attrs["mode"]), None]


def _MirrorPadGradGrad(op, grad):  # noqa: N802
    return [_apply("MirrorPad", [grad, op.inputs[1]], mode=op._attrs["mode"]), None]


register_op("MirrorPad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs={"T": TYPE, "Tpaddings": _int32, "mode": registry.REQUIRED},
            shape_fn=_pad_shape, kernel=_mirror_pad_kernel, kernel_attrs=("mode",),
            grad=_MirrorPadGrad)
register_op("MirrorPadGrad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs={"T": TYPE, "Tpaddings": _int32, "mode": registry.REQUIRED},
            shape_fn=_mirror_pad_grad_shape, kernel=_mirror_pad_grad_kernel,
            kernel_attrs=("mode",), grad=_MirrorPadGradGrad)


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """tf.pad: CONSTANT (Pad, or PadV2 for a non-zero value), REFLECT or SYMMETRIC (MirrorPad)."""
    m = mode.upper() if isinstance(mode, str) else mode
    if m == "CONSTANT":
        if not _is_tensor(constant_values) and np.ndim(constant_values) == 0 and \
                constant_values == 0:
            result = _apply("Pad", [tensor, paddings], name=name)
        else:
            x = _to_tensor(tensor)
            result = _apply("PadV2", [x, paddings, constant_values], name=name)
    elif m in ("REFLECT", "SYMMETRIC"):
        result = _apply("MirrorPad", [tensor, paddings], name=name, mode=m)
    else:
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", '
                         '"REFLECT", or "SYMMETRIC". Received `mode` = %s' % mode)
    return result


# ================================================================= fill / zeros / ones
def _fill_kernel(dims, value):
    if value.ndim != 0:
        raise ValueError("value must be a scalar, got shape %s" % _fmt_dims(value.shape))
    return np.full(dims, value, dtype=value.dtype)


def _fill_shape(op):
    if op.inputs[1].shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d" % op.inputs[1].shape.ndims)
    return [tensor_util.constant_value_as_shape(op.inputs[0])]


def _FillGrad(op, grad):  # noqa: N802
    r = grad.shape.ndims
    axes = np.arange(r, dtype=np.int32) if r is not None else range(0, rank(grad), 1)
    return [None, _sum(grad, axes)]


register_op("Fill", inputs=["dims: index_type", "value: T"], outputs=["output: T"],
            attrs={"T": TYPE, "index_type": _int32}, shape_fn=_fill_shape,
            kernel=_fill_kernel, kernel_attrs=(), grad=_FillGrad)


def fill(dims, value, name=None):
    """tf.fill."""
    return _apply("Fill", [dims, value], name=name)


def _zeros_like_kernel(x):
    return np.zeros_like(x)


def _ones_like_kernel(x):
    return np.ones_like(x)


register_op("ZerosLike", inputs=["x: T"], outputs=["y: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=_zeros_like_kernel, kernel_attrs=(),
            grad=None)
register_op("OnesLike", inputs=["x: T"], outputs=["y: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=_ones_like_kernel, kernel_attrs=(),
            grad=None)


def _filled(value, shape_, dtype, name, default_name):
    dtype = dtypes.as_dtype(dtype).base_dtype
    with graph_lib.name_scope(name, default_name, [shape_]) as scope:
        if dtype is dtypes.bool:
            v = bool(value)
        elif dtype is dtypes.string:
            v = b"" if value == 0 else b""
        else:
            v = value
        if not _is_tensor(shape_):
            try:
                if isinstance(shape_, tensor_shape.TensorShape):
                    dims = shape_.as_list()
                elif isinstance(shape_, (int, np.integer)):
                    dims = [int(shape_)]
                else:
                    dims = [int(d) if not isinstance(d, tensor_shape.Dimension) else d.value
                            for d in shape_]
                if any(d is None for d in dims):
                    raise ValueError("partially known")
                if int(np.prod(dims)) < 1000:
                    return constant(v, dtype=dtype, shape=dims, name=scope)
                shape_ = constant(dims, dtype=_int64 if max(dims + [0]) >= 2 ** 31 else _int32,
                                  name="shape_as_tensor")
            except (TypeError, ValueError):
                shape_ = _to_tensor(shape_, dtype=_int32)
        if shape_.shape.ndims == 0:
            shape_ = reshape(shape_, [-1])
        return _apply("Fill", [shape_, constant(v, dtype=dtype)], name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    """tf.zeros (a Const when small, else Fill, as TF)."""
    return _filled(0, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None):  # noqa: F811
    """tf.ones (a Const when small, else Fill, as TF)."""
    return _filled(1, shape, dtype, name, "ones")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """tf.zeros_like."""
    with graph_lib.name_scope(name, "zeros_like", [tensor]) as scope:
        t = _to_tensor(tensor, name="tensor")
        if optimize and t.shape.is_fully_defined() and t.dtype.base_dtype is not \
                dtypes.variant:
            return zeros(t.shape, dtype=dtype or t.dtype.base_dtype, name=scope)
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype != t.dtype.base_dtype:
            return zeros(shape_internal(t, optimize=optimize), dtype=dtype, name=scope)
        return _apply("ZerosLike", [t], name=scope)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """tf.ones_like."""
    with graph_lib.name_scope(name, "ones_like", [tensor]) as scope:
        t = _to_tensor(tensor, name="tensor")
        s = shape_internal(t, optimize=optimize)
        if optimize and t.shape.is_fully_defined():
            s = _rename_shape_const(t.shape)
        ret = ones(s, dtype=dtype or t.dtype.base_dtype, name=scope)
        ret.set_shape(t.shape)
        return ret


def _rename_shape_const(s):
    # NOTE: TF names this constant 'Shape/shape_as_tensor' inside the ones_like scope.
    with graph_lib.name_scope(None, "Shape"):
        return constant(s.as_list(), _int32, name="shape_as_tensor")


# ============================================================================= Range
def _range_kernel(start, limit, delta):
    s, lim, d = start.item(), limit.item(), delta.item()
    if d == 0:
        raise ValueError("Requires delta != 0: %s" % d)
    if d > 0 and s > lim:
        raise ValueError("Requires start <= limit when delta > 0: %s/%s" % (s, lim))
    if d < 0 and s < lim:
        raise ValueError("Requires start >= limit when delta < 0: %s/%s" % (s, lim))
    return np.arange(s, lim, d, dtype=start.dtype)


def _range_size(s, lim, d, integer):
    if integer:
        return int((abs(lim - s) + abs(d) - 1) // abs(d))
    return int(np.ceil(abs((lim - s) / d)))


def _range_shape(op):
    vals = [_cv(t) for t in op.inputs]
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d" % t.shape.ndims)
    if any(v is None for v in vals):
        return [tensor_shape.TensorShape([None])]
    s, lim, d = (v.item() for v in vals)
    if d == 0:
        raise ValueError("Requires delta != 0")
    if (d > 0 and s > lim) or (d < 0 and s < lim):
        raise ValueError("Requires start <= limit when delta > 0: %s/%s" % (s, lim)
                         if d > 0 else
                         "Requires start >= limit when delta < 0: %s/%s" % (s, lim))
    return [tensor_shape.TensorShape([_range_size(s, lim, d, op.outputs[0].dtype.is_integer)])]


register_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
            outputs=["output: Tidx"], attrs={"Tidx": _int32}, shape_fn=_range_shape,
            kernel=_range_kernel, kernel_attrs=(), grad=None)


@tensor_util.register_constant_value("Range")
def _range_value(t):
    vals = [tensor_util.constant_value(x) for x in t.op.inputs]
    if any(v is None for v in vals):
        return None
    return _range_kernel(*vals)


_RANGE_ORDER = [_int32, _int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """tf.range."""
    if limit is None:
        start, limit = 0, start
    with graph_lib.name_scope(name, "Range", [start, limit, delta]) as scope:
        if not _is_tensor(start):
            start = _to_tensor(start, dtype=dtype, name="start")
        if not _is_tensor(limit):
            limit = _to_tensor(limit, dtype=dtype, name="limit")
        if not _is_tensor(delta):
            delta = _to_tensor(delta, dtype=dtype, name="delta")
        if dtype is None:
            ds = [a.dtype.base_dtype for a in (start, limit, delta)]
            dt = max(ds, key=lambda d: _RANGE_ORDER.index(d) if d in _RANGE_ORDER else -1)
        else:
            dt = dtypes.as_dtype(dtype)
        start, limit, delta = _cast(start, dt), _cast(limit, dt), _cast(delta, dt)
        return _apply("Range", [start, limit, delta], name=scope)


# ============================================================================ LinSpace
def _lin_space_kernel(start, stop, num):
    n = int(num)
    if n <= 0:
        raise ValueError("Requires num > 0: %d" % n)
    dt = start.dtype
    s = start.reshape(()).astype(dt)
    e = stop.reshape(()).astype(dt)
    steps = max(n - 1, 1)
    delta = (e - s) / dt.type(steps)
    res = np.empty(n, dtype=dt)
    res[0] = s
    if n > 1:
        res[1:n - 1] = s + delta * np.arange(1, n - 1, dtype=dt)
        res[n - 1] = e
    return res


def _lin_space_shape(op):
    n = _cv(op.inputs[2])
    return [tensor_shape.TensorShape([None if n is None else int(n)])]


register_op("LinSpace", inputs=["start: T", "stop: T", "num: Tidx"], outputs=["output: T"],
            attrs={"T": TYPE, "Tidx": _int32}, shape_fn=_lin_space_shape,
            kernel=_lin_space_kernel, kernel_attrs=(), grad=None)


def linspace(start, stop, num, name=None, axis=0):
    """tf.linspace / tf.lin_space (scalar start/stop): LinSpace, then the Slice TF ends on."""
    with graph_lib.name_scope(name, "linspace", [start, stop]):
        start = _to_tensor(start, name="start")
        stop = _to_tensor(stop, name="stop", dtype=start.dtype.base_dtype)
        num_t = _to_tensor(num, name="num", dtype=_int32) if not _is_tensor(num) else num
        if start.shape.ndims not in (None, 0) or stop.shape.ndims not in (None, 0):
            raise NotImplementedError("tensorweave's tf.linspace supports scalar start/stop")
        res = _apply("LinSpace", [start, stop, num_t])
        nv = _cv(num_t)
        return slice(res, [0], [int(nv)] if nv is not None else reshape(num_t, [1]))


lin_space = linspace


# ================================================================== Broadcast helpers
def _bcast_dims(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    res = []
    for x, y in zip(a, b):
        if x == 1:
            res.append(y)
        elif y == 1 or x == y:
            res.append(x)
        elif x is None:
            res.append(y)
        elif y is None:
            res.append(x)
        else:
            raise ValueError("Incompatible shapes: %s vs. %s" % (_fmt_dims(a), _fmt_dims(b)))
    return res


def _broadcast_args_kernel(s0, s1):
    return np.asarray(np.broadcast_shapes(tuple(s0), tuple(s1)), dtype=s0.dtype)


def _broadcast_gradient_args_kernel(s0, s1):
    a, b = [int(d) for d in s0], [int(d) for d in s1]
    if a == b:
        e = np.zeros(0, dtype=s0.dtype)
        return e, e.copy()
    n = max(len(a), len(b))
    a2 = [1] * (n - len(a)) + a
    b2 = [1] * (n - len(b)) + b
    r0, r1 = [], []
    for i, (x, y) in enumerate(zip(a2, b2)):
        if x != y and x != 1 and y != 1:
            raise ValueError("Incompatible shapes: %s vs. %s" % (_fmt_dims(a), _fmt_dims(b)))
        if x == 1:
            r0.append(i)
        if y == 1:
            r1.append(i)
    return np.asarray(r0, dtype=s0.dtype), np.asarray(r1, dtype=s0.dtype)


register_op("BroadcastArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T"], attrs={"T": _int32},
            shape_fn=lambda op: [tensor_shape.TensorShape([None])],
            kernel=_broadcast_args_kernel, kernel_attrs=(), grad=None)
register_op("BroadcastGradientArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T", "r1: T"],
            attrs={"T": _int32},
            shape_fn=lambda op: [tensor_shape.TensorShape([None])] * 2,
            kernel=_broadcast_gradient_args_kernel, kernel_attrs=(), grad=None)


def broadcast_dynamic_shape(shape_x, shape_y):
    """tf.broadcast_dynamic_shape."""
    return _apply("BroadcastArgs", [shape_x, shape_y])


def broadcast_static_shape(shape_x, shape_y):
    """tf.broadcast_static_shape."""
    x, y = tensor_shape.as_shape(shape_x), tensor_shape.as_shape(shape_y)
    if x.ndims is None or y.ndims is None:
        return tensor_shape.unknown_shape()
    return tensor_shape.TensorShape(_bcast_dims(x.as_list(), y.as_list()))


def _broadcast_to_kernel(x, shape_):
    try:
        return np.broadcast_to(x, tuple(int(d) for d in shape_))
    except ValueError:
        raise ValueError("Unable to broadcast tensor of shape %s to tensor of shape %s" % (
            _fmt_dims(x.shape), _fmt_dims(shape_))) from None


def _broadcast_to_shape(op):
    target = tensor_util.constant_value_as_shape(op.inputs[1])
    s = op.inputs[0].shape
    if target.ndims is None:
        return [target]
    if s.ndims is not None:
        if s.ndims > target.ndims:
            raise ValueError("Rank of input (%d) must be no greater than rank of output shape "
                             "(%d)" % (s.ndims, target.ndims))
        t = target.as_list()
        dims = [1] * (target.ndims - s.ndims) + s.as_list()
        for i, (d, o) in enumerate(zip(dims, t)):
            if d is not None and o is not None and d != 1 and d != o:
                raise ValueError("Dimensions must be equal, but are %d and %d" % (o, d))
    return [target]


def _BroadcastToGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    bshape = op.inputs[1]
    in_shape = shape(x, out_type=bshape.dtype)
    static = tensor_util.constant_value_as_shape(bshape)
    if static.is_fully_defined():
        bshape = constant(static.as_list(), dtype=bshape.dtype)
    _, axes = registry.apply_op("BroadcastGradientArgs", [bshape, in_shape])._outputs
    g = _sum(grad, axes, keep_dims=True)
    return [reshape(g, in_shape), None]


register_op("BroadcastTo", inputs=["input: T", "shape: Tidx"], outputs=["output: T"],
            attrs={"T": TYPE, "Tidx": _int32}, shape_fn=_broadcast_to_shape,
            kernel=_broadcast_to_kernel, kernel_attrs=(), grad=_BroadcastToGrad)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """tf.broadcast_to."""
    return _apply("BroadcastTo", [input, shape], name=name)


# ============================================================= StopGradient & friends
register_op("StopGradient", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=_identity, kernel_attrs=(), grad=None)


def stop_gradient(input, name=None):  # noqa: A002
    """tf.stop_gradient: identity whose gradient is None."""
    return _apply("StopGradient", [input], name=name)


def _PreventGradientGrad(op, grad):  # noqa: N802
    msg = op._attrs.get("message", "")
    if isinstance(msg, bytes):
        msg = msg.decode()
    raise LookupError("Gradient explicitly disabled. Reason: %s" % msg)


register_op("PreventGradient", inputs=["input: T"], outputs=["output: T"],
            attrs={"T": TYPE, "message": ""}, shape_fn=registry.unchanged_shape,
            kernel=_identity, kernel_attrs=(), grad=_PreventGradientGrad)


def prevent_gradient(input, message="", name=None):  # noqa: A002
    return _apply("PreventGradient", [input], name=name, message=message)


@tensor_util.register_constant_value("StopGradient")
def _stop_gradient_value(t):
    return tensor_util.constant_value(t.op.inputs[0])


# ============================================================================ Reverse
def _reverse_v2_kernel(x, axis):
    if axis.size == 0:
        return x
    return np.flip(x, axis=tuple(int(a) for a in axis))


def _reverse_v2_shape(op):
    s = op.inputs[0].shape
    ax = _cv(op.inputs[1])
    if ax is not None and s.ndims is not None:
        r = s.ndims
        seen = set()
        for a in np.reshape(ax, -1):
            a = int(a)
            if a < -r or a >= r:
                raise ValueError("'axis'[%d] = %d is out of valid range [%d, %d]" % (
                    len(seen), a, -r, r - 1))
            a %= r
            if a in seen:
                raise ValueError("axis %d specified more than once." % a)
            seen.add(a)
    return [s]


def _ReverseV2Grad(op, grad):  # noqa: N802
    return [_apply("ReverseV2", [grad, op.inputs[1]]), None]


register_op("ReverseV2", inputs=["tensor: T", "axis: Tidx"], outputs=["output: T"],
            attrs={"Tidx": _int32, "T": TYPE}, shape_fn=_reverse_v2_shape,
            kernel=_reverse_v2_kernel, kernel_attrs=(), grad=_ReverseV2Grad)


def reverse(tensor, axis, name=None):
    """tf.reverse / tf.reverse_v2 (axis: list of dimensions to flip)."""
    return _apply("ReverseV2", [tensor, axis], name=name)


reverse_v2 = reverse


def _reverse_kernel(x, dims):
    return np.flip(x, axis=tuple(np.nonzero(dims)[0])) if dims.any() else x


def _ReverseGrad(op, grad):  # noqa: N802
    return [_apply("Reverse", [grad, op.inputs[1]]), None]


register_op("Reverse", inputs=["tensor: T", "dims: bool"], outputs=["output: T"],
            attrs={"T": TYPE}, shape_fn=registry.unchanged_shape, kernel=_reverse_kernel,
            kernel_attrs=(), grad=_ReverseGrad)


# ========================================================================== OneHot
def _one_hot_kernel(indices, depth, on_value, off_value, axis=-1):
    d = int(depth)
    if d < 0:
        raise ValueError("depth must be non-negative, got: %d" % d)
    hit = indices[..., None] == np.arange(d, dtype=indices.dtype)
    res = np.where(hit, on_value.reshape(()), off_value.reshape(()))
    if axis != -1 and axis != indices.ndim:
        res = np.moveaxis(res, -1, axis)
    return res


def _one_hot_shape(op):
    s = op.inputs[0].shape
    d = _cv(op.inputs[1])
    axis = op._attrs.get("axis", -1)
    d = None if d is None else int(d)
    if s.ndims is None:
        return [tensor_shape.unknown_shape()]
    r = s.ndims
    if axis < -1 or axis > r:
        raise ValueError("Expected axis to be -1 or between [0, %d).  But received: %d" % (
            r + 1, axis))
    dims = s.as_list()
    pos = r if axis == -1 else axis
    return [tensor_shape.TensorShape(dims[:pos] + [d] + dims[pos:])]


register_op("OneHot", inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"],
            outputs=["output: T"], attrs={"axis": -1, "T": TYPE, "TI": _int64},
            shape_fn=_one_hot_shape, kernel=_one_hot_kernel, kernel_attrs=("axis",), grad=None)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """tf.one_hot."""
    with graph_lib.name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        on_exists = on_value is not None
        off_exists = off_value is not None
        if on_exists:
            on_value = _to_tensor(on_value)
        if off_exists:
            off_value = _to_tensor(off_value)
        on_dtype = on_value.dtype.base_dtype if on_exists else None
        off_dtype = off_value.dtype.base_dtype if off_exists else None
        if on_exists or off_exists:
            if dtype is not None:
                dtype = dtypes.as_dtype(dtype)
                if on_exists and on_dtype != dtype:
                    raise TypeError("dtype {0} of on_value does not match dtype parameter "
                                    "{1}".format(on_dtype, dtype))
                if off_exists and off_dtype != dtype:
                    raise TypeError("dtype {0} of off_value does not match dtype parameter "
                                    "{1}".format(off_dtype, dtype))
            else:
                dtype = on_dtype if on_exists else off_dtype
            if on_exists and off_exists and on_dtype != off_dtype:
                raise TypeError("dtype {0} of on_value does not match dtype {1} of "
                                "off_value".format(on_dtype, off_dtype))
        else:
            dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.float32
        if not on_exists:
            on_value = _to_tensor(1, dtype=dtype, name="on_value")
        if not off_exists:
            off_value = _to_tensor(0, dtype=dtype, name="off_value")
        return _apply("OneHot", [indices, depth, on_value, off_value], name=scope,
                      axis=-1 if axis is None else axis)


# ================================================================ sequence_mask, meshgrid
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """tf.sequence_mask."""
    with graph_lib.name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = _to_tensor(lengths)
        if maxlen is None:
            r = lengths.shape.ndims
            axes = constant(np.arange(r, dtype=np.int32)) if r is not None else \
                range(0, rank(lengths))
            maxlen = _apply("Max", [lengths, axes], keep_dims=False)
            maxlen = _apply("Maximum", [constant(0, maxlen.dtype), maxlen])
        else:
            maxlen = _to_tensor(maxlen)
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError("Argument `maxlen` must be scalar for sequence_mask, received "
                             "`maxlen` = %s with shape '%s' instead" % (maxlen, maxlen.shape))
        row = _apply("Range", [constant(0, maxlen.dtype), maxlen, constant(1, maxlen.dtype)])
        matrix = _apply("Cast", [expand_dims(lengths, -1)], DstT=maxlen.dtype.base_dtype,
                        Truncate=False)
        result = _apply("Less", [row, matrix])
        if dtype is None or dtypes.as_dtype(dtype).base_dtype is dtypes.bool:
            return result
        return _apply("Cast", [result], DstT=dtypes.as_dtype(dtype), Truncate=False)


def meshgrid(*args, **kwargs):
    """tf.meshgrid(*args, indexing='xy', name=None)."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError("'{}' is an invalid keyword argument for this function".format(
            list(kwargs)[0]))
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         "'%s'" % indexing)
    with graph_lib.name_scope(name, "meshgrid", args):
        ndim = len(args)
        s0 = (1,) * ndim
        if not ndim:
            return []
        output = []
        for i, x in enumerate(args):
            output.append(reshape(stack(x), s0[:i] + (-1,) + s0[i + 1:]))
        shapes = [size(x) for x in args]
        output_dtype = _to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult = ones(shapes, output_dtype)
        return [_apply("Mul", [x, mult], name="mul") for x in output]


# ===================================================== space/batch/depth rearrangements
def _s2b_kernel(x, block_shape, paddings):
    bs = [int(b) for b in block_shape]
    m = len(bs)
    p = np.asarray(paddings).reshape(m, 2)
    pad_width = [(0, 0)] + [(int(a), int(b)) for a, b in p] + [(0, 0)] * (x.ndim - 1 - m)
    xp = np.pad(x, pad_width) if p.any() else x
    n = x.shape[0]
    spatial = xp.shape[1:1 + m]
    for i, (s, b) in enumerate(zip(spatial, bs)):
        if s % b:
            raise ValueError("padded_shape[%d]=%d is not divisible by block_shape[%d]=%d" % (
                i, s, i, b))
    rest = xp.shape[1 + m:]
    shp = [n]
    for s, b in zip(spatial, bs):
        shp += [s // b, b]
    y = xp.reshape(shp + list(rest))
    perm = [2 + 2 * i for i in builtins.range(m)] + [0] + [1 + 2 * i for i in builtins.range(m)]
    perm += list(builtins.range(1 + 2 * m, y.ndim))
    y = y.transpose(perm)
    return np.ascontiguousarray(y).reshape(
        [n * int(np.prod(bs))] + [s // b for s, b in zip(spatial, bs)] + list(rest))


def _b2s_kernel(x, block_shape, crops):
    bs = [int(b) for b in block_shape]
    m = len(bs)
    c = np.asarray(crops).reshape(m, 2)
    nb = int(np.prod(bs))
    if x.shape[0] % nb:
        raise ValueError("Input batch dimension (%d) is not divisible by product of block "
                         "sizes (%d)" % (x.shape[0], nb))
    n = x.shape[0] // nb
    spatial = x.shape[1:1 + m]
    rest = x.shape[1 + m:]
    y = x.reshape(bs + [n] + list(spatial) + list(rest))
    perm = [m]
    for i in builtins.range(m):
        perm += [m + 1 + i, i]
    perm += list(builtins.range(2 * m + 1, y.ndim))
    y = np.ascontiguousarray(y.transpose(perm)).reshape(
        [n] + [s * b for s, b in zip(spatial, bs)] + list(rest))
    idx = [builtin_slice(None)] + [builtin_slice(int(a), s * b - int(e))
                                   for (a, e), s, b in zip(c, spatial, bs)]
    return y[tuple(idx)]


def _s2b_shape(op):
    s = op.inputs[0].shape
    bs, p = _cv(op.inputs[1]), _cv(op.inputs[2])
    if s.ndims is None or bs is None:
        return [tensor_shape.unknown_shape(s.ndims)]
    bs = [int(b) for b in np.reshape(bs, -1)]
    m = len(bs)
    dims = s.as_list()
    nb = int(np.prod(bs))
    out_ = [None if dims[0] is None else dims[0] * nb]
    for i in builtins.range(m):
        d = dims[1 + i]
        if p is None or d is None:
            out_.append(None)
        else:
            pp = np.reshape(p, (m, 2))
            tot = d + int(pp[i, 0]) + int(pp[i, 1])
            if tot % bs[i]:
                raise ValueError("padded_shape[%d]=%d is not divisible by block_shape[%d]=%d"
                                 % (i, tot, i, bs[i]))
            out_.append(tot // bs[i])
    return [tensor_shape.TensorShape(out_ + dims[1 + m:])]


def _b2s_shape(op):
    s = op.inputs[0].shape
    bs, c = _cv(op.inputs[1]), _cv(op.inputs[2])
    if s.ndims is None or bs is None:
        return [tensor_shape.unknown_shape(s.ndims)]
    bs = [int(b) for b in np.reshape(bs, -1)]
    m = len(bs)
    dims = s.as_list()
    nb = int(np.prod(bs))
    if dims[0] is not None and dims[0] % nb:
        raise ValueError("batch is not divisible by product of block_shape")
    out_ = [None if dims[0] is None else dims[0] // nb]
    for i in builtins.range(m):
        d = dims[1 + i]
        if c is None or d is None:
            out_.append(None)
        else:
            cc = np.reshape(c, (m, 2))
            out_.append(d * bs[i] - int(cc[i, 0]) - int(cc[i, 1]))
    return [tensor_shape.TensorShape(out_ + dims[1 + m:])]


def _SpaceToBatchNDGrad(op, grad):  # noqa: N802
    return [_apply("BatchToSpaceND", [grad, op.inputs[1], op.inputs[2]]), None, None]


def _BatchToSpaceNDGrad(op, grad):  # noqa: N802
    return [_apply("SpaceToBatchND", [grad, op.inputs[1], op.inputs[2]]), None, None]


register_op("SpaceToBatchND", inputs=["input: T", "block_shape: Tblock_shape",
                                      "paddings: Tpaddings"], outputs=["output: T"],
            attrs={"T": TYPE, "Tblock_shape": _int32, "Tpaddings": _int32},
            shape_fn=_s2b_shape, kernel=_s2b_kernel, kernel_attrs=(), grad=_SpaceToBatchNDGrad)
register_op("BatchToSpaceND", inputs=["input: T", "block_shape: Tblock_shape",
                                      "crops: Tcrops"], outputs=["output: T"],
            attrs={"T": TYPE, "Tblock_shape": _int32, "Tcrops": _int32},
            shape_fn=_b2s_shape, kernel=_b2s_kernel, kernel_attrs=(), grad=_BatchToSpaceNDGrad)


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002
    """tf.space_to_batch_nd."""
    return _apply("SpaceToBatchND", [input, block_shape, paddings], name=name)


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002
    """tf.batch_to_space_nd."""
    return _apply("BatchToSpaceND", [input, block_shape, crops], name=name)


def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None):  # noqa: A002
    """tf.space_to_batch (TF1: square blocks over the two spatial dims)."""
    if block_size is None:
        block_size = block_shape
    return space_to_batch_nd(input, np.array([block_size, block_size], np.int64), paddings,
                             name=name)


def batch_to_space(input, crops, block_size, name=None, block_shape=None):  # noqa: A002
    """tf.batch_to_space (TF1: square blocks over the two spatial dims)."""
    if block_size is None:
        block_size = block_shape
    return batch_to_space_nd(input, np.array([block_size, block_size], np.int64), crops,
                             name=name)


def _to_nhwc(x, data_format):
    fmt = _mode_str(data_format)
    return (np.transpose(x, (0, 2, 3, 1)), True) if fmt == "NCHW" else (x, False)


def _s2d_kernel(x, block_size=2, data_format="NHWC"):
    x, nchw = _to_nhwc(x, data_format)
    b = block_size
    n, h, w, c = x.shape
    if h % b or w % b:
        raise ValueError("Image width %d and height %d should be divisible by block_size: %d"
                         % (w, h, b))
    y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
    y = np.ascontiguousarray(y).reshape(n, h // b, w // b, b * b * c)
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2)) if nchw else y


def _d2s_kernel(x, block_size=2, data_format="NHWC"):
    x, nchw = _to_nhwc(x, data_format)
    b = block_size
    n, h, w, c = x.shape
    if c % (b * b):
        raise ValueError("Input depth dimension %d should be divisible by: %d" % (c, b * b))
    y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    y = np.ascontiguousarray(y).reshape(n, h * b, w * b, c // (b * b))
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2)) if nchw else y


def _depth_shape(op, to_depth):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape(4)]
    if s.ndims != 4:
        raise ValueError("Shape must be rank 4 but is rank %d" % s.ndims)
    b = op._attrs["block_size"]
    nchw = _mode_str(op._attrs.get("data_format", "NHWC")) == "NCHW"
    n, c, h, w = (s.as_list()[i] for i in ((0, 1, 2, 3) if nchw else (0, 3, 1, 2)))

    def f(d, mul):
        if d is None:
            return None
        if mul:
            return d * b
        if d % b:
            raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (b, d))
        return d // b

    if to_depth:
        h, w, c = f(h, False), f(w, False), None if c is None else c * b * b
    else:
        if c is not None and c % (b * b):
            raise ValueError("Dimension size must be evenly divisible by %d but is %d" % (
                b * b, c))
        h, w, c = f(h, True), f(w, True), None if c is None else c // (b * b)
    return [tensor_shape.TensorShape([n, c, h, w] if nchw else [n, h, w, c])]


def _SpaceToDepthGrad(op, grad):  # noqa: N802
    return [_apply("DepthToSpace", [grad], block_size=op._attrs["block_size"],
                   data_format=op._attrs.get("data_format", "NHWC"))]


def _DepthToSpaceGrad(op, grad):  # noqa: N802
    return [_apply("SpaceToDepth", [grad], block_size=op._attrs["block_size"],
                   data_format=op._attrs.get("data_format", "NHWC"))]


register_op("SpaceToDepth", inputs=["input: T"], outputs=["output: T"],
            attrs={"T": TYPE, "block_size": registry.REQUIRED, "data_format": "NHWC"},
            shape_fn=lambda op: _depth_shape(op, True), kernel=_s2d_kernel,
            kernel_attrs=("block_size", "data_format"), grad=_SpaceToDepthGrad)
register_op("DepthToSpace", inputs=["input: T"], outputs=["output: T"],
            attrs={"T": TYPE, "block_size": registry.REQUIRED, "data_format": "NHWC"},
            shape_fn=lambda op: _depth_shape(op, False), kernel=_d2s_kernel,
            kernel_attrs=("block_size", "data_format"), grad=_DepthToSpaceGrad)


def space_to_depth(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """tf.space_to_depth."""
    return _apply("SpaceToDepth", [input], name=name, block_size=int(block_size),
                  data_format=data_format)


def depth_to_space(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """tf.depth_to_space."""
    return _apply("DepthToSpace", [input], name=name, block_size=int(block_size),
                  data_format=data_format)


# ================================================================ ensure_shape, roll, ...
def _ensure_shape_factory(op, state):
    want = tensor_shape.as_shape(op._attrs["shape"])

    def fn(x):
        if not want.is_compatible_with(x.shape):
            raise ValueError("Shape of tensor %s %s is not compatible with expected shape %s." % (
                op.inputs[0].name, _fmt_dims(x.shape), want))
        return x

    return fn


def _EnsureShapeGrad(op, grad):  # noqa: N802
    return grad


register_op("EnsureShape", inputs=["input: T"], outputs=["output: T"],
            attrs={"shape": registry.REQUIRED, "T": TYPE},
            shape_fn=lambda op: [op.inputs[0].shape.merge_with(
                tensor_shape.as_shape(op._attrs["shape"]))],
            kernel_factory=_ensure_shape_factory, grad=_EnsureShapeGrad)


def ensure_shape(x, shape, name=None):  # noqa: F811
    """tf.ensure_shape: checks the runtime shape and refines the static one."""
    return _apply("EnsureShape", [x], name=name, shape=tensor_shape.as_shape(shape))


def _roll_kernel(x, shift, axis):
    return np.roll(x, tuple(np.reshape(shift, -1).tolist()), tuple(np.reshape(axis, -1).tolist())
                   ) if np.ndim(shift) else np.roll(x, int(shift), int(axis))


def _RollGrad(op, grad):  # noqa: N802
    shift = op.inputs[1]
    return [_apply("Roll", [grad, _apply("Neg", [shift]), op.inputs[2]]), None, None]


register_op("Roll", inputs=["input: T", "shift: Tshift", "axis: Taxis"], outputs=["output: T"],
            attrs={"T": TYPE, "Tshift": TYPE, "Taxis": TYPE}, shape_fn=registry.unchanged_shape,
            kernel=_roll_kernel, kernel_attrs=(), grad=_RollGrad)


def roll(input, shift, axis, name=None):  # noqa: A002
    """tf.roll / tf.manip.roll."""
    return _apply("Roll", [input, shift, axis], name=name)


def _list_diff_kernel(x, y, out_idx=_int32):
    keep = ~np.isin(x, y)
    return x[keep], np.flatnonzero(keep).astype(out_idx.np_dtype)


register_op("ListDiff", inputs=["x: T", "y: T"], outputs=["out: T", "idx: out_idx"],
            attrs={"T": TYPE, "out_idx": _int32},
            shape_fn=lambda op: [tensor_shape.TensorShape([None])] * 2,
            kernel=_list_diff_kernel, kernel_attrs=("out_idx",), grad=None)


def setdiff1d(x, y, index_dtype=_int32, name=None):
    """tf.setdiff1d: (values of x not in y, their indices in x)."""
    op = registry.apply_op("ListDiff", [x, y], name=name, out_idx=dtypes.as_dtype(index_dtype))
    return tuple(op._outputs)


def _unravel_index_kernel(indices, dims):
    return np.asarray(np.unravel_index(indices, tuple(int(d) for d in dims)),
                      dtype=indices.dtype)


register_op("UnravelIndex", inputs=["indices: Tidx", "dims: Tidx"], outputs=["output: Tidx"],
            attrs={"Tidx": _int32},
            shape_fn=lambda op: [tensor_shape.TensorShape(
                [op.inputs[1].shape[0].value if op.inputs[1].shape.ndims == 1 else None]
            ).concatenate(op.inputs[0].shape) if op.inputs[0].shape.ndims is not None
                else tensor_shape.unknown_shape()],
            kernel=_unravel_index_kernel, kernel_attrs=(), grad=None)


def unravel_index(indices, dims, name=None):
    """tf.unravel_index."""
    return _apply("UnravelIndex", [indices, dims], name=name)


# ====================================================================== tensor scatters
def _tensor_scatter(mode):
    def kernel(tensor, indices, updates, bad_indices_policy=""):
        res = tensor.copy()
        k = indices.shape[-1]
        idx = indices.reshape(-1, k)
        for j in builtins.range(k):
            col = idx[:, j]
            if col.size and (col.min() < 0 or col.max() >= tensor.shape[j]):
                bad = int(np.argmax((col < 0) | (col >= tensor.shape[j])))
                raise ValueError("indices[%d] = %s does not index into shape %s" % (
                    bad, idx[bad].tolist(), _fmt_dims(tensor.shape)))
        key = tuple(idx.T)
        upd = updates.reshape((idx.shape[0],) + tensor.shape[k:])
        if mode == "update":
            res[key] = upd
        elif mode == "add":
            np.add.at(res, key, upd)
        else:
            np.subtract.at(res, key, upd)
        return res
    return kernel


def _TensorScatterUpdateGrad(op, grad):  # noqa: N802
    indices, updates = op.inputs[1], op.inputs[2]
    from tensorweave.ops import indexing

    ugrad = indexing.gather_nd(grad, indices)
    tgrad = _apply("TensorScatterUpdate", [identity(grad), indices, zeros_like(updates)])
    return [tgrad, None, ugrad]


def _TensorScatterAddGrad(op, grad):  # noqa: N802
    from tensorweave.ops import indexing

    return [identity(grad), None, indexing.gather_nd(grad, op.inputs[1])]


def _TensorScatterSubGrad(op, grad):  # noqa: N802
    from tensorweave.ops import indexing

    return [identity(grad), None, _apply("Neg", [indexing.gather_nd(grad, op.inputs[1])])]


for _t, _m, _g in (("TensorScatterUpdate", "update", _TensorScatterUpdateGrad),
                   ("TensorScatterAdd", "add", _TensorScatterAddGrad),
                   ("TensorScatterSub", "sub", _TensorScatterSubGrad)):
    register_op(_t, inputs=["tensor: T", "indices: Tindices", "updates: T"],
                outputs=["output: T"],
                attrs={"T": TYPE, "Tindices": TYPE, "bad_indices_policy": ""},
                shape_fn=registry.unchanged_shape, kernel=_tensor_scatter(_m), kernel_attrs=(),
                grad=_g)


def tensor_scatter_update(tensor, indices, updates, name=None):
    """tf.tensor_scatter_update / tf.tensor_scatter_nd_update."""
    return _apply("TensorScatterUpdate", [tensor, indices, updates], name=name)


def tensor_scatter_add(tensor, indices, updates, name=None):
    """tf.tensor_scatter_add / tf.tensor_scatter_nd_add."""
    return _apply("TensorScatterAdd", [tensor, indices, updates], name=name)


def tensor_scatter_sub(tensor, indices, updates, name=None):
    """tf.tensor_scatter_sub / tf.tensor_scatter_nd_sub."""
    return _apply("TensorScatterSub", [tensor, indices, updates], name=name)


# ======================================================================== searchsorted
def _bound_kernel(side):
    def kernel(sorted_inputs, values, out_type=_int32):
        if sorted_inputs.shape[0] != values.shape[0]:
            raise ValueError("Leading dim_size of both tensors must match.")
        res = np.empty(values.shape, dtype=out_type.np_dtype)
        for r in builtins.range(values.shape[0]):
            res[r] = np.searchsorted(sorted_inputs[r], values[r], side=side)
        return res
    return kernel


for _t, _side in (("LowerBound", "left"), ("UpperBound", "right")):
    register_op(_t, inputs=["sorted_inputs: T", "values: T"], outputs=["output: out_type"],
                attrs={"T": TYPE, "out_type": _int32},
                shape_fn=lambda op: [op.inputs[1].shape], kernel=_bound_kernel(_side),
                kernel_attrs=("out_type",), grad=None)


def searchsorted(sorted_sequence, values, side="left", out_type=_int32, name=None):
    """tf.searchsorted (over the innermost dimension)."""
    sorted_sequence = _to_tensor(sorted_sequence)
    values = _to_tensor(values)
    seq_size = shape_internal(sorted_sequence)[-1]
    val_size = shape_internal(values)[-1]
    s2 = reshape(sorted_sequence, stack([-1, seq_size]))
    v2 = reshape(values, stack([-1, val_size]))
    if side == "right":
        res = _apply("UpperBound", [s2, v2], name=name, out_type=dtypes.as_dtype(out_type))
    elif side == "left":
        res = _apply("LowerBound", [s2, v2], name=name, out_type=dtypes.as_dtype(out_type))
    else:
        raise ValueError("Argument `side` must be either 'right' or 'left'. Received: "
                         "`side` = '%s'." % side)
    return reshape(res, shape_internal(values))


# =============================================================== identity-like, bitcast
register_op("Snapshot", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=lambda x: x.copy(), kernel_attrs=(),
            grad=_IdentityGrad)
register_op("GuaranteeConst", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE},
            shape_fn=registry.unchanged_shape, kernel=_identity, kernel_attrs=(), grad=None)


def guarantee_const(input, name=None):  # noqa: A002
    """tf.guarantee_const."""
    return _apply("GuaranteeConst", [input], name=name)


def _bitcast_kernel(x, type=None):  # noqa: A002 - TF's attr name
    to = type.np_dtype
    src = x.dtype.itemsize
    dst = np.dtype(to).itemsize
    if src == dst:
        return x.view(to)
    if src > dst:
        return np.ascontiguousarray(x).view(to).reshape(x.shape + (src // dst,))
    if x.shape[-1] != dst // src:
        raise ValueError("Cannot bitcast from %s to %s: shape %s" % (x.dtype, to,
                                                                    _fmt_dims(x.shape)))
    return np.ascontiguousarray(x).view(to).reshape(x.shape[:-1])


def _bitcast_shape(op):
    s = op.inputs[0].shape
    src = op.inputs[0].dtype.base_dtype.size
    dst = op._attrs["type"].size
    if s.ndims is None or src == dst:
        return [s]
    if src > dst:
        return [s.concatenate([src // dst])]
    d = s.as_list()
    if d and d[-1] is not None and d[-1] != dst // src:
        raise ValueError("Cannot bitcast due to shape. %d does not match %d" % (
            d[-1], dst // src))
    return [tensor_shape.TensorShape(d[:-1])]


register_op("Bitcast", inputs=["input: T"], outputs=["output: type"],
            attrs={"T": TYPE, "type": TYPE}, shape_fn=_bitcast_shape, kernel=_bitcast_kernel,
            kernel_attrs=("type",), grad=None)


def bitcast(input, type, name=None):  # noqa: A002
    """tf.bitcast."""
    return _apply("Bitcast", [input], name=name, type=dtypes.as_dtype(type))


# ================================================================ ExtractImagePatches
def _patch_geometry(size, k, s, r, padding):
    eff = (k - 1) * r + 1
    if padding == "VALID":
        out_ = (size - eff + s) // s if size >= eff else 0
        pad_before = 0
    else:
        out_ = -(-size // s)
        total = max((out_ - 1) * s + eff - size, 0)
        pad_before = total // 2
    return out_, pad_before


def _extract_patches_kernel(images, ksizes=None, strides=None, rates=None, padding="VALID"):
    padding = _mode_str(padding)
    n, h, w, c = images.shape
    kr, kc = ksizes[1], ksizes[2]
    sr, sc = strides[1], strides[2]
    rr, rc = rates[1], rates[2]
    oh, ph = _patch_geometry(h, kr, sr, rr, padding)
    ow, pw = _patch_geometry(w, kc, sc, rc, padding)
    need_h = (oh - 1) * sr + (kr - 1) * rr + 1 if oh else 0
    need_w = (ow - 1) * sc + (kc - 1) * rc + 1 if ow else 0
    pad_h = (ph, max(need_h - h - ph, 0))
    pad_w = (pw, max(need_w - w - pw, 0))
    xp = np.pad(images, ((0, 0), pad_h, pad_w, (0, 0))) if any(pad_h + pad_w) else images
    rows = (np.arange(oh) * sr)[:, None] + (np.arange(kr) * rr)[None, :]  # [oh, kr]
    cols = (np.arange(ow) * sc)[:, None] + (np.arange(kc) * rc)[None, :]  # [ow, kc]
    res = xp[:, rows[:, None, :, None], cols[None, :, None, :], :]  # [n, oh, ow, kr, kc, c]
    return res.reshape(n, oh, ow, kr * kc * c)


def _extract_patches_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [tensor_shape.unknown_shape(4)]
    n, h, w, c = s.as_list()
    k, st, r = op._attrs["ksizes"], op._attrs["strides"], op._attrs["rates"]
    pad = _mode_str(op._attrs["padding"])
    oh = None if h is None else _patch_geometry(h, k[1], st[1], r[1], pad)[0]
    ow = None if w is None else _patch_geometry(w, k[2], st[2], r[2], pad)[0]
    return [tensor_shape.TensorShape([n, oh, ow, None if c is None else k[1] * k[2] * c])]


def _ExtractImagePatchesGrad(op, grad):  # noqa: N802
    x = op.inputs[0]
    _, h, w, c = x.shape.as_list() if x.shape.ndims == 4 else (None,) * 4
    if h is None or w is None or c is None:
        raise NotImplementedError("tensorweave: the gradient of ExtractImagePatches needs "
                                  "static height, width and depth (op %s)" % op.name)
    attrs = {k: op._attrs[k] for k in ("ksizes", "strides", "rates", "padding")}
    idx_img = constant(np.arange(1, h * w + 1, dtype=np.int64).reshape(1, h, w, 1))
    pidx = _apply("ExtractImagePatches", [idx_img], **attrs)  # [1, oh, ow, kr*kc]
    kk = attrs["ksizes"][1] * attrs["ksizes"][2]
    n = shape(grad)[0]
    g = reshape(grad, stack([n, -1, kk, c]))  # [n, oh*ow, kk, c]
    g = transpose(g, [1, 2, 0, 3])  # [oh*ow, kk, n, c]
    g = reshape(g, stack([-1, n, c]))
    from tensorweave.ops import indexing

    summed = indexing.unsorted_segment_sum(g, reshape(pidx, [-1]), h * w + 1)
    summed = slice(summed, [1, 0, 0], [-1, -1, -1])
    return [transpose(reshape(summed, stack([h, w, n, c])), [2, 0, 1, 3])]


register_op("ExtractImagePatches", inputs=["images: T"], outputs=["patches: T"],
            attrs={"ksizes": registry.REQUIRED, "strides": registry.REQUIRED,
                   "rates": registry.REQUIRED, "T": TYPE, "padding": registry.REQUIRED},
            shape_fn=_extract_patches_shape, kernel=_extract_patches_kernel,
            kernel_attrs=("ksizes", "strides", "rates", "padding"),
            grad=_ExtractImagePatchesGrad)


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None,
                          name=None, sizes=None):
    """tf.extract_image_patches / tf.image.extract_image_patches."""
    if ksizes is None:
        ksizes = sizes
    return _apply("ExtractImagePatches", [images], name=name, ksizes=list(ksizes),
                  strides=list(strides), rates=list(rates), padding=padding)


# ====================================================== constant_value for shape folding
@tensor_util.register_constant_value("Pack")
def _pack_value(t):
    vals = [tensor_util.constant_value(x) for x in t.op.inputs]
    if any(v is None for v in vals):
        return None
    return np.stack(vals, axis=t.op._attrs.get("axis", 0)).astype(t.dtype.np_dtype)


@tensor_util.register_constant_value("ConcatV2")
def _concat_value(t):
    vals = [tensor_util.constant_value(x) for x in t.op.inputs]
    if any(v is None for v in vals):
        return None
    return np.concatenate(vals[:-1], axis=int(vals[-1]))


@tensor_util.register_constant_value("Fill")
def _fill_value(t):
    d = tensor_util.constant_value(t.op.inputs[0])
    v = tensor_util.constant_value(t.op.inputs[1])
    if d is None or v is None:
        return None
    return np.full(d, v, dtype=t.dtype.np_dtype)


@tensor_util.register_constant_value("Unpack")
def _unpack_value(t):
    v = tensor_util.constant_value(t.op.inputs[0])
    if v is None:
        return None
    return np.moveaxis(v, t.op._attrs.get("axis", 0), 0)[t.value_index]




def _fold(kernel, attr_names=()):
    """constant_value for an op whose inputs are all static (C++ shape inference folds these
    small constant subgraphs too)."""

    def fn(t):
        vals = [tensor_util.constant_value(x) for x in t.op.inputs]
        if any(v is None for v in vals):
            return None
        if any(np.size(v) > 1000 for v in vals):
            return None
        res = kernel(*vals, **{k: t.op._attrs[k] for k in attr_names if k in t.op._attrs})
        if isinstance(res, tuple):
            res = res[t.value_index]
        return np.asarray(res)

    return fn


for _t, _k, _a in (("Reshape", _reshape_kernel, ()), ("ExpandDims", _expand_dims_kernel, ()),
                   ("Squeeze", _squeeze_kernel, ("squeeze_dims",)),
                   ("Slice", _slice_kernel, ()), ("Transpose", _transpose_kernel, ()),
                   ("Tile", _tile_kernel, ())):
    tensor_util.register_constant_value(_t)(_fold(_k, _a))

newaxis = None

# NOTE: the indexing module (StridedSlice, gathers, scatters, where, unique, top_k, segment
# sums, IndexedSlices) is imported last: it builds on everything above.
from tensorweave.ops.indexing import *  # noqa: E402,F401,F403
