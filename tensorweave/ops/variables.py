"""tf.Variable: TF1's reference variable (RefVariable), its collections and initializers.

A Variable is four ops: `<name>` (VariableV2, the reference), `<name>/initial_value` (when
built from a Python value), `<name>/Assign` (the initializer) and `<name>/read` (the Identity
snapshot that expressions read). In expressions a Variable behaves like its snapshot tensor.
"""
import contextlib

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.ops import state_ops

GraphKeys = graph_lib.GraphKeys


@contextlib.contextmanager
def init_scope():
    """TF's ops.init_scope: build in the outermost (non-function) graph, keeping the name
    scope and ignoring surrounding control dependencies, so variables first created inside a
    cond branch or while body live in the graph the Session runs."""
    from tensorweave.ops import func_graph

    with func_graph.lift_to_outermost_graph():
        yield


def _set_class_attr(g, first_index, loc):
    """Gives the ops created since `first_index` the colocation attr `_class: [loc:@...]`."""
    for op in g._ops[first_index:]:
        op._attrs["_class"] = [("loc:@" + loc).encode()]


class Variable:
    """A TF1 reference variable (`tf.Variable`)."""

    # NOTE: NumPy defers to our reflected operators (np.float32(2) * v).
    __array_priority__ = 100
    _tw_is_ref_variable = True

    def __init__(self, initial_value=None, trainable=None, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError("variable_def and initial_value are mutually exclusive.")
            self._init_from_proto(variable_def, import_scope)
            return
        self._init_from_args(initial_value, trainable, collections, validate_shape,
                             caching_device, name, dtype, constraint)

    # -------------------------------------------------------------- construction
    def _init_from_args(self, initial_value, trainable, collections, validate_shape,
                        caching_device, name, dtype, constraint):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value)
        if trainable is None:
            trainable = True
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError("collections argument to Variable constructor must be a list, "
                             "tuple, or set. Got %s of type %s" % (collections,
                                                                   type(collections)))
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        self._trainable = bool(trainable)
        self._constraint = constraint
        self._save_slice_info = None
        self._caching_device = caching_device
        g = graph_lib.get_default_graph()
        values = [] if init_from_fn else [initial_value]
        with init_scope(), graph_lib.name_scope(name, "Variable", values) as scope:
            if init_from_fn:
                true_name = scope[:-1]
                first = len(g._ops)
                with g.name_scope("Initializer"):
                    self._initial_value = registry.convert_to_tensor(
                        initial_value(), name="initial_value", dtype=dtype)
                shape = (self._initial_value.get_shape() if validate_shape
                         else tensor_shape.unknown_shape())
                self._variable = state_ops.variable_op_v2(
                    shape, self._initial_value.dtype.base_dtype, name=scope)
                _set_class_attr(g, first, true_name)
            else:
                self._initial_value = registry.convert_to_tensor(
                    initial_value, name="initial_value", dtype=dtype)
                if self._initial_value.dtype.is_ref_dtype:
                    raise ValueError("initial_value must not be a reference tensor (use the "
                                     "variable's value(), e.g. other.initialized_value()).")
                shape = (self._initial_value.get_shape() if validate_shape
                         else tensor_shape.unknown_shape())
                self._variable = state_ops.variable_op_v2(
                    shape, self._initial_value.dtype.base_dtype, name=scope)
            if validate_shape and not self._initial_value.get_shape().is_fully_defined():
                raise ValueError("initial_value must have a shape specified: %s" %
                                 self._initial_value)
            with g.colocate_with(self._variable.op):
                self._initializer_op = state_ops.assign(
                    self._variable, self._initial_value, validate_shape=validate_shape).op
            if caching_device is not None:
                with g.device(caching_device):
                    self._snapshot = _identity(self._variable, "read")
            else:
                with g.colocate_with(self._variable.op):
                    self._snapshot = _identity(self._variable, "read")
        g.add_to_collections(collections, self)

    def _init_from_proto(self, variable_def, import_scope=None):
        from tensorboard.compat.proto import variable_pb2

        if isinstance(variable_def, bytes):
            variable_def = variable_pb2.VariableDef.FromString(variable_def)
        g = graph_lib.get_default_graph()

        def _scoped(name):
            if import_scope and name:
                return import_scope.rstrip("/") + "/" + name
            return name

        self._variable = g.as_graph_element(_scoped(variable_def.variable_name))
        self._initializer_op = g.as_graph_element(_scoped(variable_def.initializer_name))
        if variable_def.initial_value_name:
            self._initial_value = g.as_graph_element(_scoped(variable_def.initial_value_name))
        else:
            self._initial_value = None
        self._trainable = bool(getattr(variable_def, "trainable", True))
        self._snapshot = g.as_graph_element(_scoped(variable_def.snapshot_name))
        self._constraint = None
        self._caching_device = None
        self._save_slice_info = None
        if variable_def.HasField("save_slice_info_def"):
            self._save_slice_info = _SaveSliceInfo.from_proto(
                variable_def.save_slice_info_def, import_scope)

    # ---------------------------------------------------------------- properties
    @property
    def name(self):
        return self._variable.name

    @property
    def _shared_name(self):
        return self.name[:self.name.index(":")]

    @property
    def _unique_id(self):
        return self._shared_name

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def device(self):
        return self._variable.device

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    @property
    def shape(self):
        return self._variable.get_shape()

    def get_shape(self):
        return self._variable.get_shape()

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return 0

    @property
    def aggregation(self):
        return 0

    @property
    def _in_graph_mode(self):
        return True

    def _ref(self):
        """The VariableV2 reference tensor."""
        return self._variable

    def _as_graph_element(self):
        return self._variable

    def value(self):
        """The snapshot tensor `<name>/read`."""
        return self._snapshot

    def read_value(self):
        """A new Identity of the variable (op `read` in the current name scope)."""
        return _identity(self._variable, "read")

    def initialized_value(self):
        """The variable's value, or its initial value when it is not yet initialized."""
        from tensorweave.ops import control_flow_ops

        with init_scope():
            return control_flow_ops.cond(
                state_ops.is_variable_initialized(self), self.read_value,
                lambda: self.initial_value)

    def is_initialized(self, name=None):
        return state_ops.is_variable_initialized(self._variable, name=name)

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    # -------------------------------------------------------------- updates
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Assigns `value`; returns the updated reference (or the op, read_value=False)."""
        t = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def _sparse(self, sparse_delta, fn, use_locking, name):
        if not (hasattr(sparse_delta, "indices") and hasattr(sparse_delta, "values")):
            raise TypeError("sparse_delta is not IndexedSlices: %s" % (sparse_delta,))
        return fn(self._variable, sparse_delta.indices, sparse_delta.values,
                  use_locking=use_locking, name=name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_update, use_locking, name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_add, use_locking, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_sub, use_locking, name)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_mul, use_locking, name)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_div, use_locking, name)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_max, use_locking, name)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._sparse(sparse_delta, state_ops.scatter_min, use_locking, name)

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self.scatter_update(sparse_delta, use_locking, name)

    def scatter_nd_update(self, indices, updates, name=None):
        return state_ops.scatter_nd_update(self._variable, indices, updates, True, name)

    def scatter_nd_add(self, indices, updates, name=None):
        return state_ops.scatter_nd_add(self._variable, indices, updates, False, name)

    def scatter_nd_sub(self, indices, updates, name=None):
        return state_ops.scatter_nd_sub(self._variable, indices, updates, False, name)

    def count_up_to(self, limit):
        return state_ops.count_up_to(self._variable, limit=limit)

    # -------------------------------------------------------------- sessions
    def eval(self, session=None):
        """The variable's current value in `session` (or the default session)."""
        return self._variable.eval(session=session)

    def load(self, value, session=None):
        """Assigns `value` through the initializer op (no new ops)."""
        from tensorweave.runtime import session as session_lib

        session = session or session_lib.get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session "
                             "should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -------------------------------------------------------------- protos
    def to_proto(self, export_scope=None):
        """A VariableDef naming this variable's ops (None when outside export_scope)."""
        from tensorboard.compat.proto import variable_pb2

        if export_scope is not None and not self._variable.name.startswith(export_scope):
            return None

        def _strip(name):
            if export_scope and name.startswith(export_scope.rstrip("/") + "/"):
                return name[len(export_scope.rstrip("/")) + 1:]
            return name

        d = variable_pb2.VariableDef()
        d.variable_name = _strip(self._variable.name)
        if self._initial_value is not None:
            d.initial_value_name = _strip(self._initial_value.name)
        d.trainable = self._trainable
        d.initializer_name = _strip(self._initializer_op.name)
        d.snapshot_name = _strip(self._snapshot.name)
        if self._save_slice_info is not None:
            d.save_slice_info_def.MergeFrom(self._save_slice_info.to_proto(export_scope))
        return d

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        return Variable(variable_def=variable_def, import_scope=import_scope)

    def _set_save_slice_info(self, save_slice_info):
        self._save_slice_info = save_slice_info

    def _get_save_slice_info(self):
        return self._save_slice_info

    # -------------------------------------------------------------- python
    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s>" % (self.name, self.get_shape(),
                                                          self.dtype.name)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __array__(self, dtype=None):
        raise NotImplementedError(
            "Cannot convert a symbolic tf.Variable (%s) to a numpy array. Evaluate it first: "
            "sess.run(%s) or %s.eval(session=sess)." % (
                self.name, self._shared_name.split("/")[-1], self._shared_name.split("/")[-1]))

    def __getitem__(self, slice_spec):
        return graph_lib.Tensor.__getitem__(self.value(), slice_spec)

    # NOTE: TF1 keeps `variable -= x` from rebinding through assign_sub; like Tensor, the
    # augmented operators build a new tensor.


def _identity(ref, name):
    return registry.out(registry.apply_op("Identity", [ref], name=name,
                                          T=ref.dtype.base_dtype))


_OVERLOADED = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
               "__div__", "__rdiv__", "__truediv__", "__rtruediv__", "__floordiv__",
               "__rfloordiv__", "__mod__", "__rmod__", "__lt__", "__le__", "__gt__", "__ge__",
               "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__pow__",
               "__rpow__", "__invert__", "__neg__", "__abs__", "__matmul__", "__rmatmul__")


def _forward(opname):
    def method(self, *args):
        fn = getattr(graph_lib.Tensor, opname, None)
        if fn is None:
            return NotImplemented
        return fn(self._snapshot, *args)

    method.__name__ = opname
    return method


for _op in _OVERLOADED:
    setattr(Variable, _op, _forward(_op))

RefVariable = Variable
VariableV1 = Variable


def _dense_var_to_tensor(var, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(var.dtype):
        raise ValueError("Incompatible type conversion requested to type '%s' for variable of "
                         "type '%s'" % (dtypes.as_dtype(dtype).name, var.dtype.name))
    return var._ref() if as_ref else var.value()


registry.register_tensor_conversion_function(Variable, _dense_var_to_tensor)


class _SaveSliceInfo:
    """Where a partition lives in its full variable (Variable.SaveSliceInfo)."""

    def __init__(self, full_name=None, full_shape=None, var_offset=None, var_shape=None,
                 save_slice_info_def=None, import_scope=None):
        if save_slice_info_def is not None:
            full_name = save_slice_info_def.full_name
            if import_scope:
                full_name = import_scope.rstrip("/") + "/" + full_name
            full_shape = list(save_slice_info_def.full_shape)
            var_offset = list(save_slice_info_def.var_offset)
            var_shape = list(save_slice_info_def.var_shape)
        self.full_name = full_name
        self.full_shape = full_shape
        self.var_offset = var_offset
        self.var_shape = var_shape

    @property
    def spec(self):
        full = " ".join("%d" % d for d in self.full_shape) + " "
        sl = ":".join("%d,%d" % (o, s) for o, s in zip(self.var_offset, self.var_shape))
        return full + sl

    def to_proto(self, export_scope=None):
        from tensorboard.compat.proto import variable_pb2

        d = variable_pb2.SaveSliceInfoDef()
        name = self.full_name
        if export_scope and name.startswith(export_scope.rstrip("/") + "/"):
            name = name[len(export_scope.rstrip("/")) + 1:]
        d.full_name = name
        d.full_shape.extend(int(x) for x in self.full_shape)
        d.var_offset.extend(int(x) for x in self.var_offset)
        d.var_shape.extend(int(x) for x in self.var_shape)
        return d

    @classmethod
    def from_proto(cls, d, import_scope=None):
        return cls(save_slice_info_def=d, import_scope=import_scope)


Variable.SaveSliceInfo = _SaveSliceInfo


# ---------------------------------------------------------------- collections
def global_variables(scope=None):
    """tf.global_variables: the GLOBAL_VARIABLES collection (optionally filtered by scope)."""
    return graph_lib.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables():
    return global_variables()


def trainable_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


# ---------------------------------------------------------------- initializers
def _group(ops, name):
    """tf.group of `ops` (one NoOp per device, then the named NoOp) without importing
    control flow."""
    from tensorweave.ops import array_ops

    g = graph_lib.get_default_graph()
    by_device = {}
    for op in ops:
        by_device.setdefault(op.device, []).append(op)
    with graph_lib.name_scope(name, "group_deps", ops) as scope:
        if len(by_device) == 1:
            (dev, deps), = by_device.items()
            with g.control_dependencies(deps), g.device(dev):
                return array_ops.no_op(name=scope)
        firsts = []
        for dev in sorted(by_device, key=lambda d: d or ""):
            with g.control_dependencies(by_device[dev]), g.device(dev):
                firsts.append(array_ops.no_op())
        with g.control_dependencies(firsts):
            return array_ops.no_op(name=scope)


def variables_initializer(var_list, name="init"):
    """tf.variables_initializer: one op running the initializers of `var_list`."""
    from tensorweave.ops import array_ops

    var_list = list(var_list)
    g = graph_lib.get_default_graph()
    if var_list:
        op = _group([v.initializer for v in var_list], name)
    else:
        op = array_ops.no_op(name=name)
    records = g.__dict__.setdefault("_tw_variable_initializers", [])
    records.append((op, frozenset(v.op.name for v in var_list)))
    return op


def initialize_variables(var_list, name="init"):
    return variables_initializer(var_list, name)


def global_variables_initializer():
    """tf.global_variables_initializer: op 'init' running every global variable's
    initializer (only the variables that exist now)."""
    return variables_initializer(global_variables())


def initialize_all_variables():
    return global_variables_initializer()


def local_variables_initializer():
    return variables_initializer(local_variables())


def initialize_local_variables():
    return local_variables_initializer()


def _default_var_list():
    var_list = global_variables() + local_variables()
    if not var_list:
        from tensorweave.runtime.executor import VARIABLE_OP_TYPES

        var_list = [op.outputs[0] for op in graph_lib.get_default_graph().get_operations()
                    if op.type in VARIABLE_OP_TYPES]
    return var_list


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the uninitialized variables."""
    from tensorweave.ops import array_ops
    from tensorweave.ops import math_ops

    if var_list is None:
        var_list = _default_var_list()
    g = graph_lib.get_default_graph()
    with g.name_scope(name):
        if var_list:
            init_vars = [state_ops.is_variable_initialized(v) for v in var_list]
        with g.device("/cpu:0"):
            if not var_list:
                return array_ops.constant([], dtype=dtypes.string)
            mask = math_ops.logical_not(array_ops.stack(init_vars))
            names = array_ops.constant([_op_of(v).name for v in var_list])
            return array_ops.boolean_mask(names, mask)


def _op_of(v):
    return v.op


def assert_variables_initialized(var_list=None):
    """An op that fails (FailedPrecondition) when a variable of var_list is uninitialized."""
    from tensorweave.ops import array_ops

    if var_list is None:
        var_list = _default_var_list()
    if not var_list:
        return None
    g = graph_lib.get_default_graph()
    ranks = []
    for v in var_list:
        with g.colocate_with(v.op):
            # NOTE: a Rank op (never folded to a Const) so that running it reads `v`.
            with graph_lib.name_scope(None, "Rank", [v]) as scope:
                ranks.append(registry.out(registry.apply_op(
                    "Rank", [registry.convert_to_tensor(v)], name=scope)))
    if len(ranks) == 1:
        return ranks[0]
    return array_ops.stack(ranks)

