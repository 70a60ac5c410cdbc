"""Array ops: constants, placeholders, identity, shapes, slicing, joining, gathering."""
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
    x = registry.convert_to_tensor(input)
    return out(registry.apply_op("PlaceholderWithDefault", [x], name=name,
                                 dtype=x.dtype.base_dtype, shape=tensor_shape.as_shape(shape)))


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


graph_lib.Graph  # noqa: B018 - keeps the import explicit for readers of the layer rule
