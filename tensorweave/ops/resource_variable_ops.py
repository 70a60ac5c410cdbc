"""TF's resource-variable ops (VarHandleOp, ReadVariableOp, AssignVariableOp, ResourceApply*,
...), so graphs written by TF 1.15+/2.x `compat.v1` (MetaGraphs, SavedModels) load and run.

A VarHandleOp's value here is its variable's name: a 0-d object array holding the op's
`shared_name` (the op name when that is empty). The variable's array lives in the Session's
`SessionState.variables` under that name -- the same dict reference variables (VariableV2) use
-- so consumers (ReadVariableOp, AssignVariableOp, the ResourceApply* optimizer updates) find
it from the handle value at run time. ReadVariableOp returns a copy (a snapshot, as TF), since
the update ops change the stored array in place.

`ResourceVariable` wraps the ops of a resource variable imported from a MetaGraph's
VariableDef (`is_resource: true`).
"""
import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.ops import state_ops
from tensorweave.ops import variables as variables_lib
from tensorweave.training import training_ops


# ------------------------------------------------------------------ helpers
def _text(s):
    return s.decode("utf-8") if isinstance(s, bytes) else str(s)


def handle_name(op):
    """The variable name a VarHandleOp stands for: its shared_name, else its op name."""
    return _text(op._attrs.get("shared_name") or "") or op.name


def _handle_op(t):
    """The VarHandleOp behind handle tensor `t` (through Identity ops), or None."""
    op = t.op
    for _ in range(64):
        if op.type == "VarHandleOp":
            return op
        if op.type not in ("Identity", "IdentityN") or not op.inputs:
            return None
        op = op.inputs[0].op
    return None


def _name_of(handle):
    if isinstance(handle, np.ndarray):
        handle = handle.item() if handle.ndim == 0 else handle.reshape(-1)[0]
    return _text(handle)


def _fmt(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


def _site(op):
    return "\n\t [[node %s (defined at %s) ]]" % (op.name, graph_lib.format_site(op._site))


def _uninitialized(op, state, name):
    var_op = _handle_op(op.inputs[0]) if op.inputs else None
    msg = ("Error while reading resource variable %s from Container: localhost. This could "
           "mean that the variable was uninitialized. Not found: Resource localhost/%s/"
           "N10tensorflow3VarE does not exist.\n" % (name, name))
    return errors.FailedPreconditionError(
        None, op, msg + state_ops.uninitialized_message(var_op or op, state, name))


def _lookup(op, state, name):
    try:
        return state.variables[name]
    except KeyError:
        raise _uninitialized(op, state, name) from None


def _check_dtype(op, cur, want, what):
    if want is not None and cur.dtype != want and not (
            cur.dtype.kind in "OSU" and want.kind in "OSU"):
        raise errors.InvalidArgumentError(
            None, op, "Trying to %s variable with wrong dtype. Expected %s got %s%s" % (
                what, dtypes.dtype_from_numpy(cur.dtype).name,
                dtypes.dtype_from_numpy(want).name, _site(op)))


def _np_dtype(op, attr="dtype"):
    dt = op._attrs.get(attr)
    return None if dt is None else dtypes.as_dtype(dt).as_numpy_dtype


def _no_outputs(op):
    return []


def _static_var_shape(handle):
    """The variable shape a handle tensor stands for (VarHandleOp's `shape` attr)."""
    op = _handle_op(handle)
    if op is None or op._attrs.get("shape") is None:
        return tensor_shape.unknown_shape()
    return tensor_shape.as_shape(op._attrs["shape"])


# ------------------------------------------------------------------- VarHandleOp
def _var_handle_factory(op, state):
    value = np.array(handle_name(op), dtype=object)

    def _var_handle():
        return value

    return _var_handle


register_op(
    "VarHandleOp", outputs=["resource: resource"],
    attrs={"container": "", "shared_name": "", "debug_name": "", "dtype": TYPE,
           "shape": registry.REQUIRED, "allowed_devices": []},
    shape_fn=registry.scalar_shape, kernel_factory=_var_handle_factory, grad=None,
    stateful=True)


def var_handle_op(dtype, shape, container="", shared_name="", name=None, debug_name=""):
    """A VarHandleOp (the handle of a resource variable)."""
    return out(registry.apply_op("VarHandleOp", [], name=name or "VarHandleOp",
                                 container=container, shared_name=shared_name,
                                 debug_name=debug_name, dtype=dtypes.as_dtype(dtype).base_dtype,
                                 shape=tensor_shape.as_shape(shape)))


# ---------------------------------------------------------------- ReadVariableOp
def _read_factory(op, state):
    want = _np_dtype(op)

    def _read(handle):
        name = _name_of(handle)
        cur = _lookup(op, state, name)
        _check_dtype(op, cur, want, "read")
        return np.array(cur, copy=True)

    return _read


def _ReadGrad(op, grad):  # noqa: N802 - TF's name
    """The gradient of a read flows to the handle (TF's _ReadGrad)."""
    return [grad]


register_op(
    "ReadVariableOp", inputs=["resource: resource"], outputs=["value: dtype"],
    attrs={"dtype": TYPE}, shape_fn=lambda op: [_static_var_shape(op.inputs[0])],
    kernel_factory=_read_factory, grad=_ReadGrad, stateful=True)


def read_variable_op(resource, dtype, name=None):
    return out(registry.apply_op("ReadVariableOp", [resource], name=name or "ReadVariableOp",
                                 dtype=dtypes.as_dtype(dtype).base_dtype))


# ------------------------------------------------------- Assign*VariableOp
def _assign_factory(op, state):
    validate = bool(op._attrs.get("validate_shape", False))
    store = state.variables
    want = _np_dtype(op)

    def _assign(handle, value):
        name = _name_of(handle)
        new = np.array(value, dtype=want, copy=True) if want is not None and \
            np.asarray(value).dtype != want else np.array(value, copy=True)
        old = store.get(name)
        if old is not None:
            _check_dtype(op, old, new.dtype, "assign")
            if validate and old.shape != new.shape:
                raise errors.InvalidArgumentError(
                    None, op, "Trying to assign to variable with tensor with wrong shape. "
                    "Expected %s got %s%s" % (_fmt(old.shape), _fmt(new.shape), _site(op)))
        store[name] = new

    return _assign


def _assign_shape_fn(op):
    if op._attrs.get("validate_shape"):
        state_ops._merge(_static_var_shape(op.inputs[0]), op.inputs[1].shape)
    return []


register_op(
    "AssignVariableOp", inputs=["resource: resource", "value: dtype"],
    attrs={"dtype": TYPE, "validate_shape": False}, shape_fn=_assign_shape_fn,
    kernel_factory=_assign_factory, grad=None, stateful=True)


def _update_factory(np_fn, what):
    def factory(op, state):
        def _update(handle, value):
            name = _name_of(handle)
            cur = _lookup(op, state, name)
            if cur.shape != np.shape(value):
                raise errors.InvalidArgumentError(
                    None, op, "Cannot update variable with shape %s using a Tensor with shape "
                    "%s, shapes must be equal. (%s of variable %s)%s" % (
                        _fmt(cur.shape), _fmt(np.shape(value)), what, name, _site(op)))
            np_fn(cur, value, out=cur)

        return _update

    return factory


register_op(
    "AssignAddVariableOp", inputs=["resource: resource", "value: dtype"],
    attrs={"dtype": TYPE}, shape_fn=_no_outputs,
    kernel_factory=_update_factory(np.add, "AssignAddVariableOp"), grad=None, stateful=True)
register_op(
    "AssignSubVariableOp", inputs=["resource: resource", "value: dtype"],
    attrs={"dtype": TYPE}, shape_fn=_no_outputs,
    kernel_factory=_update_factory(np.subtract, "AssignSubVariableOp"), grad=None,
    stateful=True)


def assign_variable_op(resource, value, name=None, validate_shape=False):
    return registry.apply_op("AssignVariableOp", [resource, value],
                             name=name or "AssignVariableOp", validate_shape=validate_shape)


def assign_add_variable_op(resource, value, name=None):
    return registry.apply_op("AssignAddVariableOp", [resource, value],
                             name=name or "AssignAddVariableOp")


def assign_sub_variable_op(resource, value, name=None):
    return registry.apply_op("AssignSubVariableOp", [resource, value],
                             name=name or "AssignSubVariableOp")


# ------------------------------------------------ VarIsInitializedOp, Destroy
def _is_initialized_factory(op, state):
    store = state.variables
    true, false = np.asarray(True), np.asarray(False)

    def _is_initialized(handle):
        return true if _name_of(handle) in store else false

    return _is_initialized


register_op(
    "VarIsInitializedOp", inputs=["resource: resource"], outputs=["is_initialized: bool"],
    shape_fn=registry.scalar_shape, kernel_factory=_is_initialized_factory, grad=None,
    stateful=True)


def var_is_initialized_op(resource, name=None):
    return out(registry.apply_op("VarIsInitializedOp", [resource],
                                 name=name or "VarIsInitializedOp"))


def _destroy_factory(op, state):
    store = state.variables
    ignore = bool(op._attrs.get("ignore_lookup_error", True))

    def _destroy(handle):
        name = _name_of(handle)
        if store.pop(name, None) is None and not ignore:
            raise errors.NotFoundError(None, op, "Resource localhost/%s/N10tensorflow3VarE "
                                       "does not exist.%s" % (name, _site(op)))

    return _destroy


register_op(
    "DestroyResourceOp", inputs=["resource: resource"],
    attrs={"ignore_lookup_error": True}, shape_fn=_no_outputs,
    kernel_factory=_destroy_factory, grad=None, stateful=True)


def _variable_shape_factory(op, state):
    out_dt = _np_dtype(op, "out_type")

    def _variable_shape(handle):
        return np.asarray(_lookup(op, state, _name_of(handle)).shape, dtype=out_dt)

    return _variable_shape


def _variable_shape_shape(op):
    s = _static_var_shape(op.inputs[0])
    return [tensor_shape.TensorShape([s.ndims] if s.ndims is not None else [None])]


register_op(
    "VariableShape", inputs=["input: resource"], outputs=["output: out_type"],
    attrs={"out_type": dtypes.int32}, shape_fn=_variable_shape_shape,
    kernel_factory=_variable_shape_factory, grad=None, stateful=True)


def variable_shape(handle, out_type=dtypes.int32, name=None):
    return out(registry.apply_op("VariableShape", [handle], name=name or "VariableShape",
                                 out_type=out_type))


# ----------------------------------------------------------------- ResourceGather
def _gather_factory(op, state):
    from tensorweave.ops import indexing

    batch_dims = int(op._attrs.get("batch_dims", 0))
    want = _np_dtype(op)

    def _gather(handle, indices):
        name = _name_of(handle)
        cur = _lookup(op, state, name)
        _check_dtype(op, cur, want, "read")
        try:
            return indexing._gather_kernel(cur, np.asarray(indices), batch_dims, batch_dims)
        except (ValueError, IndexError) as e:
            raise errors.InvalidArgumentError(None, op, "%s (variable %s)%s" % (
                e, name, _site(op))) from None

    return _gather


def _gather_shape(op):
    p, i = _static_var_shape(op.inputs[0]), op.inputs[1].shape
    b = int(op._attrs.get("batch_dims", 0))
    if p.ndims is None or i.ndims is None:
        return [tensor_shape.unknown_shape()]
    if b < 0:
        b += i.ndims
    return [tensor_shape.TensorShape(i.as_list() + p.as_list()[b + 1:])]


def _ResourceGatherGrad(op, grad):  # noqa: N802
    """An IndexedSlices of the gathered rows (TF's _GatherGrad for ResourceGather)."""
    from tensorweave.ops import array_ops
    from tensorweave.ops import indexing

    if int(op._attrs.get("batch_dims", 0)) != 0:
        raise NotImplementedError("tensorweave: the gradient of ResourceGather with "
                                  "batch_dims != 0 is not implemented")
    handle, indices = op.inputs
    params_shape = variable_shape(handle)
    size = array_ops.expand_dims(array_ops.size(indices), 0)
    values_shape = array_ops.concat([size, params_shape[1:]], 0)
    values = array_ops.reshape(grad, values_shape)
    indices = array_ops.reshape(indices, size)
    return [indexing.IndexedSlices(values, indices, params_shape), None]


register_op(
    "ResourceGather", inputs=["resource: resource", "indices: Tindices"],
    outputs=["output: dtype"],
    attrs={"batch_dims": 0, "validate_indices": True, "dtype": TYPE, "Tindices": TYPE},
    shape_fn=_gather_shape, kernel_factory=_gather_factory, grad=_ResourceGatherGrad,
    stateful=True)


def resource_gather(resource, indices, dtype, batch_dims=0, validate_indices=True, name=None):
    return out(registry.apply_op("ResourceGather", [resource, indices],
                                 name=name or "ResourceGather", dtype=dtype,
                                 batch_dims=batch_dims, validate_indices=validate_indices))


# ------------------------------------------------------------- ResourceScatter*
_SCATTER_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum,
                   "min": np.minimum}


def _scatter_factory(kind):
    def factory(op, state):
        def _scatter(handle, indices, updates):
            name = _name_of(handle)
            cur = _lookup(op, state, name)
            idx = np.asarray(indices)
            n = cur.shape[0] if cur.ndim else 0
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                flat = idx.reshape(-1)
                bad = int(np.nonzero((flat < 0) | (flat >= n))[0][0])
                raise errors.InvalidArgumentError(
                    None, op, "indices[%d] = %d is not in [0, %d)%s" % (
                        bad, flat[bad], n, _site(op)))
            upd = np.asarray(updates, dtype=cur.dtype)
            want = idx.shape + cur.shape[1:]
            if upd.shape != want:
                if upd.ndim != 0:
                    raise errors.InvalidArgumentError(
                        None, op, "Must have updates.shape = indices.shape + params.shape[1:] "
                        "or updates.shape = [], got updates.shape %s, indices.shape %s, "
                        "params.shape %s%s" % (_fmt(upd.shape), _fmt(idx.shape),
                                               _fmt(cur.shape), _site(op)))
                upd = np.broadcast_to(upd, want)
            if kind == "update":
                cur[idx] = upd
            elif kind == "div":
                (np.divide if cur.dtype.kind in "fc" else np.floor_divide).at(cur, idx, upd)
            else:
                _SCATTER_UFUNCS[kind].at(cur, idx, upd)

        return _scatter

    return factory


for _type, _kind in (("ResourceScatterUpdate", "update"), ("ResourceScatterAdd", "add"),
                     ("ResourceScatterSub", "sub"), ("ResourceScatterMul", "mul"),
                     ("ResourceScatterDiv", "div"), ("ResourceScatterMax", "max"),
                     ("ResourceScatterMin", "min")):
    register_op(
        _type, inputs=["resource: resource", "indices: Tindices", "updates: dtype"],
        attrs={"dtype": TYPE, "Tindices": TYPE}, shape_fn=_no_outputs,
        kernel_factory=_scatter_factory(_kind), kernel_attrs=(), grad=None, stateful=True)


def resource_scatter(op_type, resource, indices, updates, name=None):
    """Builds a ResourceScatter{Update,Add,Sub,Mul,Div,Max,Min} op."""
    return registry.apply_op(op_type, [resource, indices, updates], name=name or op_type)


# ---------------------------------------------------------- ResourceApply*
def _apply_factory(update, n_handles):
    """A kernel factory running training_ops' in-place update on the handles' arrays."""

    def factory(op, state):
        attrs = {k: v for k, v in op._attrs.items() if k in ("use_nesterov", "update_slots")}

        def kernel(*args):
            refs = [_lookup(op, state, _name_of(h)) for h in args[:n_handles]]
            update(*refs, *args[n_handles:], **attrs)

        return kernel

    return factory


def _register_apply(op_type, handle_names, dense_names, update, extra_attrs=None):
    inputs = ["%s: resource" % n for n in handle_names] + [
        ("global_step: int64" if n == "global_step" else "%s: T" % n) for n in dense_names]
    attrs = {"T": TYPE, "use_locking": False}
    attrs.update(extra_attrs or {})
    register_op(op_type, inputs=inputs, attrs=attrs, shape_fn=_no_outputs,
                kernel_factory=_apply_factory(update, len(handle_names)), grad=None,
                stateful=True)


_register_apply("ResourceApplyGradientDescent", ["var"], ["alpha", "delta"], training_ops._gd)
_register_apply("ResourceApplyMomentum", ["var", "accum"], ["lr", "grad", "momentum"],
                training_ops._momentum, {"use_nesterov": False})
_register_apply("ResourceApplyAdam", ["var", "m", "v"],
                ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"],
                training_ops._adam, {"use_nesterov": False})
_register_apply("ResourceApplyAdagrad", ["var", "accum"], ["lr", "grad"],
                training_ops._adagrad, {"update_slots": True})
_register_apply("ResourceApplyAdadelta", ["var", "accum", "accum_update"],
                ["lr", "rho", "epsilon", "grad"], training_ops._adadelta)
_register_apply("ResourceApplyRMSProp", ["var", "ms", "mom"],
                ["lr", "rho", "momentum", "epsilon", "grad"], training_ops._rmsprop)
_register_apply("ResourceApplyCenteredRMSProp", ["var", "mg", "ms", "mom"],
                ["lr", "rho", "momentum", "epsilon", "grad"], training_ops._centered_rmsprop)
_register_apply("ResourceApplyFtrl", ["var", "accum", "linear"],
                ["grad", "lr", "l1", "l2", "lr_power"], training_ops._ftrl,
                {"multiply_linear_by_lr": False})
_register_apply("ResourceApplyFtrlV2", ["var", "accum", "linear"],
                ["grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power"], training_ops._ftrl_v2,
                {"multiply_linear_by_lr": False})
_register_apply("ResourceApplyProximalGradientDescent", ["var"], ["alpha", "l1", "l2", "delta"],
                training_ops._proximal_gd)
_register_apply("ResourceApplyProximalAdagrad", ["var", "accum"], ["lr", "l1", "l2", "grad"],
                training_ops._proximal_adagrad)
_register_apply("ResourceApplyAdagradDA",
                ["var", "gradient_accumulator", "gradient_squared_accumulator"],
                ["grad", "lr", "l1", "l2", "global_step"], training_ops._adagrad_da)


def resource_apply(op_type, inputs, name=None, **attrs):
    """Builds a ResourceApply* op (no outputs); returns the Operation."""
    return registry.apply_op(op_type, inputs, name=name or op_type, **attrs)


# ---------------------------------------------------------- ResourceVariable
class ResourceVariable(variables_lib.Variable):
    """A resource variable imported from a VariableDef with `is_resource: true`: its op is
    the VarHandleOp, `value()` the `<name>/Read/ReadVariableOp` snapshot, updates are
    Assign*VariableOp ops."""

    _tw_is_ref_variable = False

    def __init__(self, initial_value=None, trainable=None, collections=None,
                 validate_shape=True, caching_device=None, name=None, dtype=None,
                 variable_def=None, import_scope=None, constraint=None, **kwargs):
        if variable_def is None:
            raise NotImplementedError(
                "tensorweave: ResourceVariables are only created from a VariableDef (an "
                "imported MetaGraph/SavedModel); use tf.Variable / tf.get_variable "
                "(use_resource=False) to create variables")
        if initial_value is not None:
            raise ValueError("variable_def and initial_value are mutually exclusive.")
        self._init_from_proto(variable_def, import_scope)
        self._dtype = dtypes.as_dtype(self._variable.op._attrs["dtype"])

    @property
    def handle(self):
        return self._variable

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return _static_var_shape(self._variable)

    def get_shape(self):
        return self.shape

    def read_value(self):
        with graph_lib.name_scope("Read"):
            return read_variable_op(self._variable, self._dtype)

    def _read_after(self, op):
        with graph_lib.control_dependencies([op]):
            return self.read_value()

    def is_initialized(self, name=None):
        return var_is_initialized_op(self._variable, name=name)

    def initialized_value(self):
        from tensorweave.ops import control_flow_ops

        with variables_lib.init_scope():
            return control_flow_ops.cond(self.is_initialized(), self.read_value,
                                         lambda: self.initial_value)

    def set_shape(self, shape):
        raise NotImplementedError("ResourceVariable does not implement set_shape()")

    def assign(self, value, use_locking=None, name=None, read_value=True):
        op = assign_variable_op(self._variable, value, name=name)
        return self._read_after(op) if read_value else op

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        op = assign_add_variable_op(self._variable, delta, name=name)
        return self._read_after(op) if read_value else op

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        op = assign_sub_variable_op(self._variable, delta, name=name)
        return self._read_after(op) if read_value else op

    def _scatter(self, op_type, sparse_delta, name):
        if not (hasattr(sparse_delta, "indices") and hasattr(sparse_delta, "values")):
            raise TypeError("sparse_delta is not IndexedSlices: %s" % (sparse_delta,))
        op = resource_scatter(op_type, self._variable, sparse_delta.indices,
                              sparse_delta.values, name=name)
        return self._read_after(op)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterUpdate", sparse_delta, name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterAdd", sparse_delta, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterSub", sparse_delta, name)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMul", sparse_delta, name)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterDiv", sparse_delta, name)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMax", sparse_delta, name)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter("ResourceScatterMin", sparse_delta, name)

    def sparse_read(self, indices, name=None):
        with graph_lib.name_scope(name, "Gather", [indices]):
            return resource_gather(self._variable, indices, self._dtype)

    def count_up_to(self, limit):
        raise NotImplementedError("tensorweave: count_up_to on a resource variable")

    def _as_graph_element(self):
        # NOTE: as TF's `_graph_element`: fetching the variable fetches its value.
        return self._snapshot

    def eval(self, session=None):
        return self._snapshot.eval(session=session)

    def to_proto(self, export_scope=None):
        d = super().to_proto(export_scope)
        if d is not None:
            d.is_resource = True
        return d

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        return ResourceVariable(variable_def=variable_def, import_scope=import_scope)

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s>" % (self.name, self.get_shape(),
                                                         self._dtype.name)


def variable_from_proto(variable_def, import_scope=None):
    """A Variable (ResourceVariable when `is_resource`) from a VariableDef."""
    if variable_def.is_resource:
        return ResourceVariable(variable_def=variable_def, import_scope=import_scope)
    return variables_lib.Variable(variable_def=variable_def, import_scope=import_scope)


# ------------------------------------------------------------------ Saver support
def saved_tensor(handle):
    """What a Saver writes for a resource handle: the variable's value -- its existing
    `<name>/Read/ReadVariableOp` snapshot (TF's `var._graph_element`), else a new read."""
    g = handle.graph
    try:
        snap = g.as_graph_element(handle.op.name + "/Read/ReadVariableOp:0")
        if snap.op.inputs and snap.op.inputs[0] is handle:
            return snap
    except (KeyError, ValueError):
        pass
    with g.colocate_with(handle.op):
        return read_variable_op(handle, value_dtype(handle))


def value_dtype(handle):
    """The dtype of the variable behind a resource handle tensor."""
    op = _handle_op(handle)
    if op is None:
        raise ValueError("Cannot find the VarHandleOp behind resource tensor %s" % handle.name)
    return dtypes.as_dtype(op._attrs["dtype"])


def restore_assign(handle, restored):
    """TF's restore of a resource variable: `Identity` then `AssignVariableOp`."""
    g = handle.graph
    ident = out(registry.apply_op("Identity", [restored], name="Identity"))
    with g.colocate_with(handle.op):
        return assign_variable_op(handle, ident)
