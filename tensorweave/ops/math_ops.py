"""Math ops: elementwise arithmetic, comparisons, reductions, matmul, casting."""
import numpy as np

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework.registry import TYPE, out, register_op


def broadcast_shape(op):
    """Static shape of a NumPy-broadcasting binary op (unknown dims stay unknown)."""
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.ndims is None or b.ndims is None:
        return [tensor_shape.unknown_shape()]
    x, y = a.as_list(), b.as_list()
    n = max(len(x), len(y))
    x = [1] * (n - len(x)) + x
    y = [1] * (n - len(y)) + y
    dims = []
    for i, (p, q) in enumerate(zip(x, y)):
        if p == 1:
            dims.append(q)
        elif q == 1:
            dims.append(p)
        elif p is None:
            dims.append(q)
        elif q is None:
            dims.append(p)
        elif p == q:
            dims.append(p)
        else:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (p, q))
    return [tensor_shape.TensorShape(dims)]


def _binary(op_type, fn, grad=None):
    register_op(op_type, inputs=["x: T", "y: T"], outputs=["z: T"], attrs={"T": TYPE},
                shape_fn=broadcast_shape, kernel=fn, kernel_attrs=(), grad=grad)


_binary("AddV2", np.add)
_binary("Add", np.add)
_binary("Sub", np.subtract)
_binary("Mul", np.multiply)


def _real_div(x, y):
    return np.true_divide(x, y).astype(x.dtype, copy=False)


_binary("RealDiv", _real_div)


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
            attrs={"transpose_a": False, "transpose_b": False, "T": TYPE},
            shape_fn=_matmul_shape, kernel=_matmul, kernel_attrs=("transpose_a", "transpose_b"))


def add(x, y, name=None):
    return out(registry.apply_op("AddV2", [x, y], name=name or "add"))


def subtract(x, y, name=None):
    return out(registry.apply_op("Sub", [x, y], name=name or "sub"))


def multiply(x, y, name=None):
    return out(registry.apply_op("Mul", [x, y], name=name or "mul"))


def truediv(x, y, name=None):
    return out(registry.apply_op("RealDiv", [x, y], name=name or "truediv"))


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    return out(registry.apply_op("MatMul", [a, b], name=name or "MatMul",
                                 transpose_a=transpose_a or adjoint_a,
                                 transpose_b=transpose_b or adjoint_b))


def _binop(fn, default_name):
    def forward(x, y):
        with graph_lib.name_scope(None, default_name, [x, y]) as scope:
            return fn(x, y, name=scope)

    def reverse(y, x):
        with graph_lib.name_scope(None, default_name, [x, y]) as scope:
            return fn(x, y, name=scope)

    return forward, reverse


for _name, _fn, _default in (("add", add, "add"), ("sub", subtract, "sub"),
                             ("mul", multiply, "mul"), ("truediv", truediv, "truediv"),
                             ("matmul", matmul, "matmul")):
    _f, _r = _binop(_fn, _default)
    graph_lib.Tensor._override_operator("__%s__" % _name, _f)
    graph_lib.Tensor._override_operator("__r%s__" % _name, _r)
