"""tf.train.Optimizer: compute_gradients / apply_gradients / minimize with TF1's slots and names.

Names follow TF1 so checkpoints interoperate: slot variables are `<var>/<OptName>`,
`<var>/<OptName>_1`, ...; non-slot variables (Adam's beta1_power) sit at the top level; the
update ops live under `<OptName>/update_<var>/`; with a global_step the returned op is the
`AssignAdd` named `<OptName>`.
"""
import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework.graph import GraphKeys, Tensor
from tensorweave.training import gradients as gradients_lib
from tensorweave.training.gradients import is_indexed_slices

GATE_NONE = 0
GATE_OP = 1
GATE_GRAPH = 2

_VALID_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


def _tf():
    import tensorweave

    return tensorweave


def _var_op_name(v):
    return v.op.name


def _as_ref(v):
    ref = getattr(v, "_ref", None)
    if callable(ref):
        return ref()
    el = getattr(v, "_as_graph_element", None)
    return el() if callable(el) else v


def _const(value, dtype, name):
    return registry.constant_op(np.asarray(value, dtype=dtype.np_dtype), name=name)


class _NullScope:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class Optimizer:
    """Base class of TF1 optimizers."""

    GATE_NONE = GATE_NONE
    GATE_OP = GATE_OP
    GATE_GRAPH = GATE_GRAPH

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}
        self._non_slot_dict = {}

    def get_name(self):
        return self._name

    # ------------------------------------------------------------ gradients
    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """[(gradient, variable)] for `loss` w.r.t. var_list (default: trainable variables)."""
        if callable(loss):
            loss = loss()
        if gate_gradients not in (GATE_NONE, GATE_OP, GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             "Optimizer.GATE_OP, Optimizer.GATE_GRAPH. Not %s" % gate_gradients)
        loss = registry.convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([registry.convert_to_tensor(grad_loss)])
        if var_list is None:
            var_list = (loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES) +
                        loss.graph.get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES))
        else:
            var_list = list(var_list)
        var_list += loss.graph.get_collection(GraphKeys._STREAMING_MODEL_PORTS)
        if not var_list:
            raise ValueError(
                "No variables to optimize: the graph of %s has no trainable variables and no "
                "var_list was given. Create the model's tf.Variable/tf.get_variable weights "
                "(trainable=True) before calling minimize()." % loss.name)
        var_refs = [_as_ref(v) for v in var_list]
        grads = gradients_lib.gradients(
            loss, var_refs, grad_ys=grad_loss, gate_gradients=(gate_gradients == GATE_OP),
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == GATE_GRAPH:
            grads = gradients_lib.gating_tuple(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def _assert_valid_dtypes(self, tensors):
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError("Invalid type %r for %s, expected: %s." % (
                    dtype, t.op.name if hasattr(t, "op") else t.name,
                    [v for v in valid]))

    def _valid_dtypes(self):
        return set(_VALID_DTYPES)

    # ---------------------------------------------------------------- apply
    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Applies (gradient, variable) pairs; increments global_step once if given."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                if not is_indexed_slices(g):
                    try:
                        g = registry.convert_to_tensor(g)
                    except TypeError:
                        raise TypeError("Gradient must be convertible to a Tensor or "
                                        "IndexedSlices, or None: %s" % (g,))
                vshape = v.get_shape()
                gshape = g.get_shape() if isinstance(g, Tensor) else None
                if gshape is not None and not gshape.is_compatible_with(vshape):
                    raise ValueError(
                        "Shapes %s and %s are incompatible: the gradient for variable %s has "
                        "shape %s but the variable has shape %s." % (
                            gshape, vshape, v.name, gshape, vshape))
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable, check your graph for ops "
                             "that do not support gradients, between variables %s and loss." %
                             ([str(v.name) for _, v in converted],))
        with graph_lib.get_default_graph().control_dependencies(None):
            self._create_slots(var_list)
        update_ops = []
        with graph_lib.name_scope(name, self._name) as name:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                g = graph_lib.get_default_graph()
                with g.name_scope("update_" + _var_op_name(var)), g.colocate_with(var.op):
                    if is_indexed_slices(grad):
                        update_ops.append(self._apply_sparse_duplicate_indices(grad, var))
                    else:
                        update_ops.append(self._apply_dense(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, name)
            else:
                g = graph_lib.get_default_graph()
                with g.control_dependencies([self._finish(update_ops, "update")]):
                    with g.colocate_with(global_step.op):
                        apply_updates = _tf().assign_add(global_step, 1, name=name)
        if isinstance(apply_updates, Tensor):
            apply_updates = apply_updates.op
        train_op = graph_lib.get_default_graph().get_collection_ref(GraphKeys.TRAIN_OP)
        if apply_updates not in train_op:
            train_op.append(apply_updates)
        return apply_updates

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """compute_gradients then apply_gradients; returns the training op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables %s and loss %s." % (
                    [str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    # ------------------------------------------------------------- hooks
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse(self, grad, var):
        raise NotImplementedError("%s does not support sparse gradients" % type(self).__name__)

    def _apply_sparse_duplicate_indices(self, grad, var):
        tf = _tf()
        unique_indices, new_index_positions = tf.unique(grad.indices)
        summed = tf.unsorted_segment_sum(grad.values, new_index_positions,
                                         tf.shape(unique_indices)[0])
        return self._apply_sparse(type(grad)(summed, unique_indices, grad.dense_shape), var)

    def _finish(self, update_ops, name_scope):
        return _tf().group(*update_ops, name=name_scope)

    # -------------------------------------------------------------- slots
    def get_slot(self, var, name):
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def get_slot_names(self):
        return sorted(self._slots.keys())

    def variables(self):
        out = []
        for named in self._slots.values():
            out.extend(named.values())
        out.extend(v for v in self._non_slot_dict.values())
        return sorted(out, key=lambda v: v.name)

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_slot(var, val, op_name)
        return named[_var_key(var)]

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name,
                                           op_name):
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_slot_with_initializer(var, initializer, shape, dtype,
                                                                op_name)
        return named[_var_key(var)]

    def _zeros_slot(self, var, slot_name, op_name):
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_zeros_slot(var, op_name)
        return named[_var_key(var)]

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        key = (name, colocate_with.graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            g = colocate_with.graph
            with g.as_default(), g.colocate_with(colocate_with.op):
                v = _tf().Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        if graph is None:
            graph = graph_lib.get_default_graph()
        return self._non_slot_dict.get((name, graph))

    def _call_if_callable(self, param):
        return param() if callable(param) else param


def _var_key(var):
    return (var.op.graph, var.op.name)


# ------------------------------------------------------------------ slot creation
def _slot_scope(primary, name):
    tf = _tf()
    return tf.variable_scope(None, default_name=primary.op.name + "/" + name)


def _create_slot_var(primary, val, shape, dtype, validate_shape):
    tf = _tf()
    scope = tf.get_variable_scope()
    saved = getattr(scope, "partitioner", None)
    if saved is not None:
        scope.set_partitioner(None)
    try:
        kwargs = dict(initializer=val, trainable=False, validate_shape=validate_shape)
        if shape is not None:
            kwargs["shape"] = shape
        if dtype is not None:
            kwargs["dtype"] = dtype
        slot = tf.get_variable("", **kwargs)
    finally:
        if saved is not None:
            scope.set_partitioner(saved)
    return slot


def create_slot(primary, val, name, colocate_with_primary=True):
    """A slot variable for `primary` initialised from tensor `val`, named `<primary>/<name>`."""
    validate_shape = val.get_shape().is_fully_defined()
    with _slot_scope(primary, name):
        g = graph_lib.get_default_graph()
        with g.colocate_with(primary.op) if colocate_with_primary else _NullScope():
            return _create_slot_var(primary, val, None, None, validate_shape)


def create_slot_with_initializer(primary, initializer, shape, dtype, name,
                                 colocate_with_primary=True):
    validate_shape = shape.is_fully_defined()
    with _slot_scope(primary, name):
        g = graph_lib.get_default_graph()
        with g.colocate_with(primary.op) if colocate_with_primary else _NullScope():
            return _create_slot_var(primary, initializer, shape, dtype, validate_shape)


def create_zeros_slot(primary, name, dtype=None, colocate_with_primary=True):
    tf = _tf()
    dtype = dtype or primary.dtype.base_dtype
    slot_shape = primary.get_shape()
    if slot_shape.is_fully_defined():
        return create_slot_with_initializer(primary, tf.zeros_initializer(), slot_shape, dtype,
                                            name, colocate_with_primary)
    val = tf.zeros_like(primary.initialized_value() if hasattr(primary, "initialized_value")
                        else primary, dtype=dtype)
    return create_slot(primary, val, name, colocate_with_primary)
