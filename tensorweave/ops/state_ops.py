"""State ops: TF1 reference variables (VariableV2) and the ops that read and update them.

A VariableV2 op names a variable; its value lives in the Session's `SessionState.variables`
(a dict op name -> ndarray), so two sessions on one graph hold independent values. Ops with a
`Ref(T)` input (Assign, AssignAdd, ScatterUpdate, ...) find the variable's name statically
(`executor.var_name_of_ref`) and read or update the stored array; the executor does not read
the variable for them.
"""
import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework.registry import TYPE, out, register_op

_MAX_LISTED = 25


# ------------------------------------------------------------------ helpers
def _var_name(op):
    from tensorweave.runtime.executor import var_name_of_ref

    return var_name_of_ref(op.inputs[0])


def _variable_ops(graph):
    from tensorweave.runtime.executor import VARIABLE_OP_TYPES

    return [op for op in graph.get_operations() if op.type in VARIABLE_OP_TYPES]


def _initializer_records(graph):
    """[(init_op, frozenset(variable op names))] for initializer ops built by
    tf.variables_initializer / tf.global_variables_initializer (see variables.py)."""
    return getattr(graph, "_tw_variable_initializers", ())


def _late_note(var_op, graph):
    """The initializer op built before `var_op` was created, when no initializer covers it."""
    records = _initializer_records(graph)
    if var_op._id is None or any(var_op.name in names for _, names in records):
        return None
    before = [op for op, _ in records if op._id is not None and op._id < var_op._id]
    return before[-1] if before else None


def uninitialized_message(op, state, name=None):
    """The text of the FailedPreconditionError for reading uninitialized variable `op`."""
    name = name or op.name
    graph = op.graph
    lines = ["Attempting to use uninitialized value %s" % name,
             "\t [[node %s (defined at %s) ]]" % (op.name, graph_lib.format_site(op._site))]
    store = state.variables
    missing = [v for v in _variable_ops(graph) if v.name not in store]
    late = []
    if missing:
        lines.append("%d of the graph's %d variables are uninitialized in this session:" % (
            len(missing), len(_variable_ops(graph))))
        for v in missing[:_MAX_LISTED]:
            init_op = _late_note(v, graph)
            note = ""
            if init_op is not None:
                late.append((v, init_op))
                note = ", after the initializer op '%s' was built at %s" % (
                    init_op.name, graph_lib.format_site(init_op._site))
            lines.append("  %s (created at %s%s)" % (v.name, graph_lib.format_site(v._site),
                                                      note))
        if len(missing) > _MAX_LISTED:
            lines.append("  ... and %d more" % (len(missing) - _MAX_LISTED))
    if late:
        v, init_op = late[0]
        lines.append(
            "%s created after '%s' was built, so running '%s' does not initialize %s: "
            "tf.global_variables_initializer() covers only the variables that exist when it is "
            "called (optimizer slots and counters such as Adam's are created by minimize()). "
            "Build `init = tf.global_variables_initializer()` after the whole model, including "
            "the optimizer's minimize(), or run tf.variables_initializer([...]) for the new "
            "variables." % (
                "Variable '%s' was" % v.name if len(late) == 1 else
                "%d variables (e.g. '%s') were" % (len(late), v.name),
                init_op.name, init_op.name, "it" if len(late) == 1 else "them"))
    elif not store:
        lines.append("No variable has been initialized in this session: run "
                     "sess.run(tf.global_variables_initializer()) after building the model and "
                     "before using it.")
    else:
        local = graph.get_collection(graph_lib.GraphKeys.LOCAL_VARIABLES)
        if any(getattr(v, "op", None) is op for v in local):
            lines.append("%s is a local variable: run sess.run(tf.local_variables_initializer()) "
                         "(metrics and input epochs use local variables)." % name)
        else:
            lines.append("Run its initializer (sess.run(tf.global_variables_initializer()) or "
                         "sess.run(%s.initializer)) before using it." % name.split("/")[-1])
    return "\n".join(lines)


def _uninitialized(op, state, name=None):
    return errors.FailedPreconditionError(None, op, uninitialized_message(op, state, name))


def _fmt(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


# ------------------------------------------------------------------- VariableV2
def _variable_factory(op, state):
    name = op.name
    store = state.variables

    def _variable():
        try:
            return store[name]
        except KeyError:
            raise _uninitialized(op, state) from None

    return _variable


register_op(
    "VariableV2", outputs=["ref: Ref(dtype)"],
    attrs={"shape": registry.REQUIRED, "dtype": TYPE, "container": "", "shared_name": ""},
    shape_fn=lambda op: [tensor_shape.as_shape(op._attrs["shape"])],
    kernel_factory=_variable_factory, grad=None)


def variable_op_v2(shape, dtype, name="Variable", container="", shared_name=""):
    """A VariableV2 op (the reference tensor of a TF1 variable)."""
    g = graph_lib.get_default_graph()
    if not container:
        container = g._container or ""
    return out(registry.apply_op("VariableV2", [], name=name, shape=tensor_shape.as_shape(shape),
                                 dtype=dtypes.as_dtype(dtype).base_dtype, container=container,
                                 shared_name=shared_name))


# -------------------------------------------------------------------- Assign
def _merge_shapes_fn(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    return [_merge(a, b)]


def _merge(a, b):
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise ValueError("Shapes must be equal rank, but are %d and %d" % (a.ndims, b.ndims))
    dims = []
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise ValueError("Dimension %d in both shapes must be equal, but are %d and %d. "
                             "Shapes are %s and %s." % (i, x, y, _fmt_static(a), _fmt_static(b)))
        dims.append(x if x is not None else y)
    return tensor_shape.TensorShape(dims)


def _fmt_static(s):
    return "[%s]" % ",".join("?" if d is None else str(d) for d in s.as_list())


def _assign_shape_fn(op):
    if op._attrs.get("validate_shape", True):
        return [_merge(op.inputs[0].shape, op.inputs[1].shape)]
    return [op.inputs[1].shape]


def _assign_factory(op, state):
    name = _var_name(op)
    store = state.variables
    validate = bool(op._attrs.get("validate_shape", True))

    def _assign(ref, value):
        # NOTE: copy: other ops (and the caller's feed) may alias `value`; optimizers then
        # update the stored array in place.
        new = np.array(value, copy=True)
        if validate:
            old = store.get(name)
            if old is not None and old.shape != new.shape:
                raise errors.InvalidArgumentError(
                    None, op, "Assign requires shapes of both tensors to match. lhs shape= %s "
                    "rhs shape= %s\n\t [[node %s (defined at %s) ]]" % (
                        _fmt(old.shape), _fmt(new.shape), op.name,
                        graph_lib.format_site(op._site)))
        store[name] = new
        return new

    return _assign


register_op(
    "Assign", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
    attrs={"T": TYPE, "validate_shape": True, "use_locking": True},
    shape_fn=_assign_shape_fn, kernel_factory=_assign_factory, grad=None, stateful=True)


def _update_factory(np_fn, what):
    def factory(op, state):
        name = _var_name(op)
        store = state.variables

        def _update(ref, value):
            try:
                cur = store[name]
            except KeyError:
                raise _uninitialized(op.inputs[0].op if op.inputs[0].op.type == "VariableV2"
                                     else op, state, name) from None
            if cur.shape != np.shape(value):
                raise errors.InvalidArgumentError(
                    None, op, "%s: the update must have the variable's shape: variable %s has "
                    "shape %s, the value has shape %s\n\t [[node %s (defined at %s) ]]" % (
                        what, name, _fmt(cur.shape), _fmt(np.shape(value)), op.name,
                        graph_lib.format_site(op._site)))
            np_fn(cur, value, out=cur)
            return cur

        return _update

    return factory


register_op(
    "AssignAdd", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
    attrs={"T": TYPE, "use_locking": False}, shape_fn=_merge_shapes_fn,
    kernel_factory=_update_factory(np.add, "AssignAdd"), grad=None, stateful=True)
register_op(
    "AssignSub", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
    attrs={"T": TYPE, "use_locking": False}, shape_fn=_merge_shapes_fn,
    kernel_factory=_update_factory(np.subtract, "AssignSub"), grad=None, stateful=True)


def _ref_of(ref):
    """The reference tensor of a Variable-like (or a ref tensor itself)."""
    if isinstance(ref, graph_lib.Tensor):
        return ref
    r = getattr(ref, "_ref", None)
    if r is not None:
        return r()
    return registry.convert_to_tensor(ref, as_ref=True)


def _is_ref(ref):
    return isinstance(ref, graph_lib.Tensor) and ref.dtype.is_ref_dtype or \
        getattr(ref, "_tw_is_ref_variable", False)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """tf.assign: stores `value` in the variable `ref`; returns the updated reference."""
    if _is_ref(ref):
        return out(registry.apply_op("Assign", [_ref_of(ref), value], name=name or "Assign",
                                     validate_shape=validate_shape, use_locking=use_locking))
    return ref.assign(value, name=name)


def assign_add(ref, value, use_locking=None, name=None):
    """tf.assign_add: ref += value."""
    if _is_ref(ref):
        return out(registry.apply_op("AssignAdd", [_ref_of(ref), value],
                                     name=name or "AssignAdd", use_locking=use_locking))
    return ref.assign_add(value)


def assign_sub(ref, value, use_locking=None, name=None):
    """tf.assign_sub: ref -= value."""
    if _is_ref(ref):
        return out(registry.apply_op("AssignSub", [_ref_of(ref), value],
                                     name=name or "AssignSub", use_locking=use_locking))
    return ref.assign_sub(value)


# ------------------------------------------------------------------- Scatter*
def _scatter_shape_fn(op):
    ref, idx, upd = (t.shape for t in op.inputs)
    if ref.ndims is not None and idx.ndims is not None and upd.ndims is not None:
        want = tensor_shape.TensorShape(idx.as_list() + ref.as_list()[1:])
        try:
            _merge(upd, want)
        except ValueError as e:
            raise ValueError("Shapes of updates and indices+ref[1:] do not match: %s" % e) from None
    return [ref]


def _check_indices(op, idx, n, name):
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        flat = idx.reshape(-1)
        bad = int(np.nonzero((flat < 0) | (flat >= n))[0][0])
        raise errors.InvalidArgumentError(
            None, op, "indices[%d] = %d is not in [0, %d) (variable %s)\n\t [[node %s (defined "
            "at %s) ]]" % (bad, flat[bad], n, name, op.name, graph_lib.format_site(op._site)))


def _scatter_factory(kind):
    def factory(op, state):
        name = _var_name(op)
        store = state.variables

        def _scatter(ref, indices, updates):
            try:
                cur = store[name]
            except KeyError:
                raise _uninitialized(op.inputs[0].op if op.inputs[0].op.type == "VariableV2"
                                     else op, state, name) from None
            idx = np.asarray(indices)
            _check_indices(op, idx, cur.shape[0] if cur.ndim else 0, name)
            upd = np.asarray(updates)
            want = idx.shape + cur.shape[1:]
            if upd.shape != want:
                if upd.ndim == 0:
                    upd = np.broadcast_to(upd, want)
                else:
                    raise errors.InvalidArgumentError(
                        None, op, "Must have updates.shape = indices.shape + params.shape[1:] "
                        "or updates.shape = [], got updates.shape %s, indices.shape %s, "
                        "params.shape %s" % (_fmt(upd.shape), _fmt(idx.shape),
                                             _fmt(cur.shape)))
            if kind == "update":
                cur[idx] = upd
            elif kind == "add":
                np.add.at(cur, idx, upd)
            elif kind == "sub":
                np.subtract.at(cur, idx, upd)
            elif kind == "mul":
                np.multiply.at(cur, idx, upd)
            elif kind == "div":
                np.divide.at(cur, idx, upd) if cur.dtype.kind in "fc" else \
                    np.floor_divide.at(cur, idx, upd)
            elif kind == "max":
                np.maximum.at(cur, idx, upd)
            else:
                np.minimum.at(cur, idx, upd)
            return cur

        return _scatter

    return factory


for _type, _kind, _locking in (("ScatterUpdate", "update", True), ("ScatterAdd", "add", False),
                               ("ScatterSub", "sub", False), ("ScatterMul", "mul", False),
                               ("ScatterDiv", "div", False), ("ScatterMax", "max", False),
                               ("ScatterMin", "min", False)):
    register_op(
        _type, inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
        outputs=["output_ref: Ref(T)"],
        attrs={"T": TYPE, "Tindices": TYPE, "use_locking": _locking},
        shape_fn=_scatter_shape_fn, kernel_factory=_scatter_factory(_kind), kernel_attrs=(),
        grad=None, stateful=True)


def _scatter(op_type, ref, indices, updates, use_locking, name):
    return out(registry.apply_op(op_type, [_ref_of(ref), indices, updates], name=name or op_type,
                                 use_locking=use_locking))


def scatter_update(ref, indices, updates, use_locking=True, name=None):
    """tf.scatter_update: ref[indices, ...] = updates."""
    return _scatter("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None):
    """tf.scatter_add: ref[indices, ...] += updates (duplicates accumulate)."""
    return _scatter("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    """tf.scatter_sub: ref[indices, ...] -= updates (duplicates accumulate)."""
    return _scatter("ScatterSub", ref, indices, updates, use_locking, name)


def scatter_mul(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterMul", ref, indices, updates, use_locking, name)


def scatter_div(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterDiv", ref, indices, updates, use_locking, name)


def scatter_max(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterMax", ref, indices, updates, use_locking, name)


def scatter_min(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterMin", ref, indices, updates, use_locking, name)


# ---------------------------------------------------------------- ScatterNd*
def _scatter_nd_shape_fn(op):
    ref, idx, upd = (t.shape for t in op.inputs)
    if ref.ndims is not None and idx.ndims is not None and upd.ndims is not None and \
            idx.as_list()[-1] is not None:
        k = idx.as_list()[-1]
        want = tensor_shape.TensorShape(idx.as_list()[:-1] + ref.as_list()[k:])
        try:
            _merge(upd, want)
        except ValueError as e:
            raise ValueError(
                "Shapes of updates and indices[:-1]+ref[K:] do not match: %s" % e) from None
    return [ref]


def _scatter_nd_factory(kind):
    def factory(op, state):
        name = _var_name(op)
        store = state.variables

        def _scatter_nd(ref, indices, updates):
            try:
                cur = store[name]
            except KeyError:
                raise _uninitialized(op.inputs[0].op if op.inputs[0].op.type == "VariableV2"
                                     else op, state, name) from None
            idx = np.asarray(indices)
            k = idx.shape[-1]
            bounds = np.asarray(cur.shape[:k]).reshape((1,) * (idx.ndim - 1) + (k,))
            if idx.size and ((idx < 0).any() or (idx >= bounds).any()):
                raise errors.InvalidArgumentError(
                    None, op, "indices has an entry outside the variable's shape %s (variable "
                    "%s)" % (_fmt(cur.shape), name))
            where = tuple(np.moveaxis(idx, -1, 0))
            upd = np.asarray(updates)
            if kind == "update":
                cur[where] = upd
            elif kind == "add":
                np.add.at(cur, where, upd)
            else:
                np.subtract.at(cur, where, upd)
            return cur

        return _scatter_nd

    return factory


for _type, _kind, _locking in (("ScatterNdUpdate", "update", True), ("ScatterNdAdd", "add", False),
                               ("ScatterNdSub", "sub", False)):
    register_op(
        _type, inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
        outputs=["output_ref: Ref(T)"],
        attrs={"T": TYPE, "Tindices": TYPE, "use_locking": _locking, "bad_indices_policy": ""},
        shape_fn=_scatter_nd_shape_fn, kernel_factory=_scatter_nd_factory(_kind),
        kernel_attrs=(), grad=None, stateful=True)


def scatter_nd_update(ref, indices, updates, use_locking=True, name=None):
    """tf.scatter_nd_update: ref[indices[..., :K]] = updates."""
    return _scatter("ScatterNdUpdate", ref, indices, updates, use_locking, name)


def scatter_nd_add(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterNdAdd", ref, indices, updates, use_locking, name)


def scatter_nd_sub(ref, indices, updates, use_locking=False, name=None):
    return _scatter("ScatterNdSub", ref, indices, updates, use_locking, name)


# ------------------------------------------------------- IsVariableInitialized
def _is_initialized_factory(op, state):
    name = _var_name(op)
    store = state.variables
    true, false = np.asarray(True), np.asarray(False)

    def _is_initialized(ref):
        return true if name in store else false

    return _is_initialized


register_op(
    "IsVariableInitialized", inputs=["ref: Ref(dtype)"], outputs=["is_initialized: bool"],
    attrs={"dtype": TYPE}, shape_fn=registry.scalar_shape,
    kernel_factory=_is_initialized_factory, grad=None)


def is_variable_initialized(ref, name=None):
    """tf.is_variable_initialized: a bool scalar, True once the variable holds a value."""
    if _is_ref(ref):
        r = _ref_of(ref)
        return out(registry.apply_op("IsVariableInitialized", [r], name=name,
                                     dtype=r.dtype.base_dtype))
    return ref.is_initialized(name=name)


# ------------------------------------------------------------------ CountUpTo
def _count_up_to_factory(op, state):
    name = _var_name(op)
    store = state.variables
    limit = int(op._attrs["limit"])

    def _count_up_to(ref):
        try:
            cur = store[name]
        except KeyError:
            raise _uninitialized(op.inputs[0].op if op.inputs[0].op.type == "VariableV2"
                                 else op, state, name) from None
        before = cur.copy()
        if before >= limit:
            raise errors.OutOfRangeError(None, op, "Reached limit of %d" % limit)
        cur += 1
        return before

    return _count_up_to


def _count_up_to_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 0:
        raise ValueError("Shape must be rank 0 but is rank %d" % s.ndims)
    return [tensor_shape.TensorShape([])]


register_op(
    "CountUpTo", inputs=["ref: Ref(T)"], outputs=["output: T"],
    attrs={"limit": registry.REQUIRED, "T": TYPE}, shape_fn=_count_up_to_shape,
    kernel_factory=_count_up_to_factory, grad=None, stateful=True)


def count_up_to(ref, limit, name=None):
    """tf.count_up_to: increments `ref` until it reaches `limit` (then OutOfRangeError)."""
    if _is_ref(ref):
        return out(registry.apply_op("CountUpTo", [_ref_of(ref)], name=name, limit=int(limit)))
    return ref.count_up_to(limit)
