"""Python functions as ops: tf.py_func (PyFunc/PyFuncStateless), tf.numpy_function and
tf.py_function (EagerPyFunc).

The callable is kept on the graph in `graph._stateful_python[token]`; the op carries only the
token string (attr `token`), as TF's does, so the GraphDef stays serialisable. Gradients are
None unless the user registers one and maps it with `gradient_override_map`.
"""
import itertools

import numpy as np

from tensorweave.framework import dtypes, errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE_LIST, register_op

_TOKENS = itertools.count()


def _convert_result(value, dtype, op, i):
    np_dt = dtype.np_dtype
    if dtype == dtypes.string:
        arr = np.asarray(value, dtype=object)
        flat = arr.reshape(-1)
        for k in range(flat.size):
            v = flat[k]
            if isinstance(v, str):
                flat[k] = v.encode("utf-8")
            elif isinstance(v, np.bytes_):
                flat[k] = bytes(v)
            elif not isinstance(v, bytes):
                raise errors.InvalidArgumentError(
                    None, None, "%s returned %r at output %d; expected string values." % (
                        op.name, v, i))
        return arr
    try:
        arr = np.asarray(value)
    except Exception as e:  # noqa: BLE001
        raise errors.InvalidArgumentError(
            None, None, "Could not convert output %d of %s (%r) to an array: %s" % (
                i, op.name, type(value).__name__, e))
    if arr.dtype == np_dt:
        return arr
    if arr.dtype.kind == "O" or (arr.dtype.kind in "fc" and np_dt.kind in "iub") or (
            arr.dtype.kind == "c" and np_dt.kind != "c"):
        raise errors.InvalidArgumentError(
            None, None,
            "%s: output %d of the Python function has dtype %s, but the op declared Tout[%d] ="
            " %s. Return a %s array (e.g. np.asarray(result, np.%s)) or change Tout." % (
                op.name, i, arr.dtype, i, dtype.name, dtype.name,
                np_dt.name if np_dt.kind != "O" else "object"))
    # NOTE: TF requires exact dtypes for arrays; Python scalars/lists adopt the declared one.
    if isinstance(value, np.ndarray) and value.dtype != np_dt and not (
            value.ndim == 0):
        raise errors.InvalidArgumentError(
            None, None,
            "%s: output %d of the Python function is a %s array, but Tout[%d] is %s. Convert it "
            "with .astype(np.%s) or declare Tout=%s." % (
                op.name, i, arr.dtype, i, dtype.name, np_dt.name,
                "tf." + dtypes.dtype_from_numpy(arr.dtype).name
                if arr.dtype.kind != "O" else "tf.string"))
    return arr.astype(np_dt)


def _pyfunc_factory(op, state):
    token = op._attrs["token"]
    if isinstance(token, bytes):
        token = token.decode()
    entry = op._graph._stateful_python.get(token)
    if entry is None:
        raise errors.UnimplementedError(
            None, op, "The Python function of %s (token %s) is not available: py_func ops "
                      "only run in the process (and graph) that created them." % (
                          op.name, token))
    func, eager = entry
    tout = [dtypes.as_dtype(d) for d in op._attrs.get("Tout") or []]

    def _call(*args):
        if eager:
            args = [np.asarray(a) for a in args]
        args = [a.item() if isinstance(a, np.ndarray) and a.dtype == object and a.ndim == 0
                else a for a in args]
        try:
            res = func(*args)
        except errors.OpError:
            raise
        except Exception as e:
            raise errors.UnknownError(None, None, "%s: %s" % (type(e).__name__, e)) from e
        if not tout:
            return None
        if len(tout) == 1:
            if isinstance(res, (list, tuple)) and len(res) == 1:
                res = res[0]
            return _convert_result(res, tout[0], op, 0)
        if not isinstance(res, (list, tuple)) or len(res) != len(tout):
            raise errors.InvalidArgumentError(
                None, None, "%s: the Python function returned %s values, but Tout has %d "
                            "dtypes." % (op.name, len(res) if isinstance(res, (list, tuple))
                                         else 1, len(tout)))
        return tuple(_convert_result(r, d, op, i) for i, (r, d) in enumerate(zip(res, tout)))

    return _call


for _t, _stateful in (("PyFunc", True), ("PyFuncStateless", False), ("EagerPyFunc", True)):
    _attrs = {"token": registry.REQUIRED, "Tin": TYPE_LIST, "Tout": TYPE_LIST}
    if _t == "EagerPyFunc":
        _attrs["is_async"] = False
    register_op(_t, inputs=["input: Tin"], outputs=["output: Tout"], attrs=_attrs,
                shape_fn=registry.unknown_shape_fn, kernel_factory=_pyfunc_factory,
                grad=None, stateful=_stateful)


def _internal_py_func(func, inp, Tout, stateful, eager, name):
    if not callable(func):
        raise ValueError(  # noqa: TRY004 - TF raises ValueError here
            "Expected func to be callable, got func of type %s" % type(func))
    is_list = isinstance(Tout, (list, tuple))
    tout = [dtypes.as_dtype(d) for d in (Tout if is_list else [Tout])]
    g = graph_lib.get_default_graph()
    token = "pyfunc_%d" % next(_TOKENS)
    target = g
    while getattr(target, "_outer_graph", None) is not None:
        target = target._outer_graph
    target._stateful_python[token] = (func, eager)
    if g is not target:
        g._stateful_python[token] = (func, eager)
    op_type = "EagerPyFunc" if eager else ("PyFunc" if stateful else "PyFuncStateless")
    inputs = [registry.convert_to_tensor(x) for x in (inp or [])]
    op = registry.apply_op(op_type, [inputs], name=name, token=token, Tout=tout)
    outs = list(op._outputs)
    if is_list:
        return outs if outs else op
    return outs[0] if outs else op


def py_func(func, inp, Tout, stateful=True, name=None):
    """tf.py_func: a PyFunc op calling `func` on NumPy arrays (outputs have unknown shape)."""
    return _internal_py_func(func, inp, Tout, stateful, False, name)


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """tf.numpy_function: as tf.py_func."""
    return _internal_py_func(func, inp, Tout, stateful, False, name)


def py_function(func, inp, Tout, name=None):
    """tf.py_function: an EagerPyFunc op; here `func` receives NumPy arrays."""
    return _internal_py_func(func, inp, Tout, True, True, name)


_ = tensor_shape
