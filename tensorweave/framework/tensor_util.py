"""Python/NumPy values -> arrays with TF's dtype rules; static constant folding for shapes."""
import numbers

import numpy as np

from tensorweave.framework import dtypes

_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def _infer_python(value):
    """The array and DType TF infers for a Python (non-NumPy) value."""
    if isinstance(value, bool):
        return np.array(value, dtype=np.bool_)
    if isinstance(value, numbers.Integral) and not isinstance(value, np.generic):
        if _INT32_MIN <= value <= _INT32_MAX:
            return np.array(value, dtype=np.int32)
        return np.array(value, dtype=np.int64)
    if isinstance(value, float):
        return np.array(value, dtype=np.float32)
    if isinstance(value, (str, bytes)):
        return np.array(_to_bytes(value), dtype=object)
    arr = np.array(value)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in ("i", "u"):
        if arr.size == 0:
            return arr.astype(np.float32)
        if arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX:
            return arr.astype(np.int32)
        return arr.astype(np.int64)
    if kind in ("U", "S", "O"):
        return _string_array(value)
    if kind == "c":
        return arr.astype(np.complex128)
    return arr


def _to_bytes(v):
    return v.encode("utf-8") if isinstance(v, str) else v


def _string_array(value):
    arr = np.array(value, dtype=object)
    flat = arr.reshape(-1)
    for i in range(flat.size):
        v = flat[i]
        if isinstance(v, str):
            flat[i] = v.encode("utf-8")
        elif isinstance(v, np.bytes_):
            flat[i] = bytes(v)
        elif not isinstance(v, bytes):
            raise TypeError("Failed to convert elements of %r to Tensor." % (value,))
    return arr


def to_array(value, dtype=None):
    """Converts a constant value to an ndarray of `dtype` (or TF's inferred dtype).

    Raises TypeError when the value does not fit the requested dtype, as TF does
    ('Expected int32, got 1.5 of type 'float' instead.').
    """
    if dtype is None:
        if isinstance(value, np.ndarray):
            if value.dtype.kind in ("U", "S"):
                return _string_array(value)
            return value
        if isinstance(value, np.generic):
            return np.asarray(value)
        return _infer_python(value)
    dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype is dtypes.string:
        if isinstance(value, np.ndarray) and value.dtype == object:
            return value
        return _string_array(value)
    npd = dtype.np_dtype
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype != npd:
            if arr.dtype.kind in ("U", "S", "O"):
                raise TypeError("Expected %s, got %r of type '%s' instead." % (
                    dtype.name, value, type(value).__name__))
            arr = arr.astype(npd)
        return arr
    try:
        arr = np.array(value, dtype=npd) if not dtype.is_bool else np.array(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError("Expected %s, got %r of type '%s' instead." % (
            dtype.name, value, type(value).__name__))
    if dtype.is_integer or dtype.is_bool:
        probe = np.array(value, dtype=object) if not isinstance(value, (list, tuple)) else None
        src = np.asarray(value)
        if src.dtype.kind == "f" and src.size and not np.all(src == np.floor(src)):
            raise TypeError("Expected %s, got %r of type '%s' instead." % (
                dtype.name, value, type(value).__name__))
        if dtype.is_bool and src.dtype.kind not in ("b",) and src.size:
            raise TypeError("Expected bool, got %r of type '%s' instead." % (
                value, type(value).__name__))
        del probe
        if dtype.is_bool:
            arr = src.astype(np.bool_)
    return arr


# ---------------------------------------------------------------- constant_value
_CONSTANT_VALUE_FNS = {}


def register_constant_value(op_type):
    """Registers fn(op) -> ndarray or None computing an op's output 0 statically."""

    def deco(fn):
        _CONSTANT_VALUE_FNS[op_type] = fn
        return fn

    return deco


def constant_value(tensor, partial=False):
    """The value of `tensor` if it can be computed at graph-build time, else None."""
    from tensorweave.framework.graph import Tensor

    if isinstance(tensor, np.ndarray):
        return tensor
    if not isinstance(tensor, Tensor):
        try:
            return to_array(tensor)
        except TypeError:
            return None
    fn = _CONSTANT_VALUE_FNS.get(tensor.op.type)
    if fn is None:
        return None
    try:
        return fn(tensor)
    except (ValueError, TypeError, IndexError):
        return None


@register_constant_value("Const")
def _const_value(t):
    return t.op._attrs["value"]


@register_constant_value("Identity")
def _identity_value(t):
    return constant_value(t.op.inputs[0])


@register_constant_value("Shape")
def _shape_value(t):
    s = t.op.inputs[0].shape
    if s.is_fully_defined():
        return np.array(s.as_list(), dtype=t.dtype.np_dtype)
    return None


@register_constant_value("ShapeN")
def _shape_n_value(t):
    s = t.op.inputs[t.value_index].shape
    if s.is_fully_defined():
        return np.array(s.as_list(), dtype=t.dtype.np_dtype)
    return None


@register_constant_value("Size")
def _size_value(t):
    n = t.op.inputs[0].shape.num_elements()
    return None if n is None else np.array(n, dtype=t.dtype.np_dtype)


@register_constant_value("Rank")
def _rank_value(t):
    r = t.op.inputs[0].shape.ndims
    return None if r is None else np.array(r, dtype=np.int32)


def constant_value_as_shape(tensor):
    """A TensorShape from a shape-valued 1-D tensor, with unknown dims where not constant."""
    from tensorweave.framework import tensor_shape

    shape = tensor.shape.with_rank(1) if hasattr(tensor, "shape") else None
    val = constant_value(tensor)
    if val is not None:
        return tensor_shape.TensorShape([None if d == -1 else int(d) for d in val.reshape(-1)])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack":
        dims = []
        for x in op.inputs:
            v = constant_value(x)
            dims.append(None if v is None or int(v) == -1 else int(v))
        return tensor_shape.TensorShape(dims)
    if op.type == "ConcatV2":
        out = tensor_shape.TensorShape([])
        for x in op.inputs[:-1]:
            out = out.concatenate(constant_value_as_shape(x))
        return out
    fn = _CONSTANT_AS_SHAPE_FNS.get(op.type)
    if fn is not None:
        res = fn(tensor)
        if res is not None:
            return res
    if shape is not None and shape[0].value is not None:
        return tensor_shape.unknown_shape(shape[0].value)
    return tensor_shape.unknown_shape()


_CONSTANT_AS_SHAPE_FNS = {}


def register_constant_value_as_shape(op_type):
    """Registers fn(tensor) -> TensorShape or None: a partial shape from a shape tensor made by
    an op of `op_type` (e.g. a StridedSlice of a Shape), as TF's shape inference derives."""

    def deco(fn):
        _CONSTANT_AS_SHAPE_FNS[op_type] = fn
        return fn

    return deco


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False):
    from tensorweave.framework import graph_io

    arr = to_array(values, dtype)
    if shape is not None:
        arr = np.broadcast_to(arr, shape) if arr.size == 1 else arr.reshape(shape)
    return graph_io.ndarray_to_tensor_proto(np.asarray(arr), dtype)


def MakeNdarray(tensor_proto):  # noqa: N802 - TF's public name
    from tensorweave.framework import graph_io

    return graph_io.tensor_proto_to_ndarray(tensor_proto)
