"""Graph, Operation and Tensor: TF1's symbolic dataflow IR and its scoping rules."""
import contextlib
import os
import re
import sys
import threading

from tensorweave.framework import device_spec
from tensorweave.framework import dtypes
from tensorweave.framework import tensor_shape

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


def user_frame(skip=2):
    """(filename, lineno, function) of the innermost caller outside tensorweave."""
    f = sys._getframe(skip)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def format_site(site):
    if not site:
        return "<unknown>"
    return "%s:%d" % (os.path.basename(site[0]), site[1])


class GraphKeys:
    """Standard collection names (TF1's tf.GraphKeys)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    _SUMMARY_COLLECTION = "_SUMMARY_V2"
    _STREAMING_MODEL_PORTS = "streaming_model_ports"
    VARIABLES = GLOBAL_VARIABLES


class Tensor:
    """A symbolic handle to one output of an Operation."""

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "__weakref__")
    # NOTE: makes NumPy defer to our reflected operators (np.float32(2) * t).
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = tensor_shape.TensorShape(None)
        self._consumers = []

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return "%s:%d" % (self._op._name, self._value_index)

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Merges `shape` into the static shape (ValueError when incompatible)."""
        shape = tensor_shape.as_shape(shape)
        try:
            self._shape = self._shape.merge_with(shape)
        except ValueError:
            raise ValueError("Shapes %s and %s are incompatible" % (self._shape, shape))

    def consumers(self):
        return list(self._consumers)

    def _as_node_def_input(self):
        if self._value_index == 0:
            return self._op._name
        return "%s:%d" % (self._op._name, self._value_index)

    def _as_tf_output(self):
        return self

    def eval(self, feed_dict=None, session=None):
        """Runs the graph to compute this tensor in `session` or the default session."""
        from tensorweave.runtime import session as session_lib

        return session_lib.eval_in_session(self, feed_dict, session, self.graph)

    def __repr__(self):
        # NOTE: the form TF1 prints, Tensor("mul:0", shape=(2,), dtype=float32), in shells too.
        return self.__str__()

    def __str__(self):
        shape = self._shape
        return 'Tensor("%s"%s%s%s)' % (
            self.name,
            (", shape=%s" % shape) if shape.ndims is not None else ", shape=<unknown>",
            (", dtype=%s" % self._dtype.name) if self._dtype else "",
            (", device=%s" % self.device) if self.device else "")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such "
            "as tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors. (%s) Please call "
                        "`x.shape` rather than `len(x)` for shape information." % self.name)

    def __iter__(self):
        shape = self._shape
        if shape.ndims is None:
            raise TypeError("Cannot iterate over a tensor with unknown shape.")
        if shape.ndims == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if shape.as_list()[0] is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        for i in range(shape.as_list()[0]):
            yield self[i]

    @classmethod
    def _override_operator(cls, operator, func):
        setattr(cls, operator, func)


class Operation:
    """A node in the dataflow graph."""

    __slots__ = ("_graph", "_name", "_type", "_inputs", "_control_inputs", "_outputs",
                 "_attrs", "_device", "_id", "_site", "_opdef", "_control_outputs",
                 "_original_op", "__weakref__")

    def __init__(self, graph, name, op_type, inputs, output_dtypes, attrs, opdef,
                 control_inputs=(), device=""):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = list(inputs)
        self._control_inputs = list(control_inputs)
        self._attrs = attrs
        self._device = device
        self._opdef = opdef
        self._id = None
        self._site = None
        self._control_outputs = []
        self._original_op = None
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_dtypes)]
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._type

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return tuple(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    def values(self):
        return tuple(self._outputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def _control_outputs_list(self):
        return list(self._control_outputs)

    @property
    def device(self):
        return self._device

    @property
    def op_def(self):
        return self._opdef

    @property
    def traceback(self):
        return [self._site] if self._site else []

    @property
    def node_def(self):
        from tensorweave.framework import graph_io

        return graph_io.op_to_node_def(self)

    def _set_device(self, device):
        self._device = device_spec.canonical_name(device)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)
            self._graph._structure_version += 1

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def _update_input(self, index, tensor):
        old = self._inputs[index]
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)
        self._graph._structure_version += 1

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' has no attr named '%s'." % (self._name, name))

    def _set_attr(self, name, value):
        self._attrs[name] = value

    @property
    def node_attrs(self):
        return self._attrs

    def run(self, feed_dict=None, session=None):
        """Runs this operation in `session` or the default session."""
        from tensorweave.runtime import session as session_lib

        session_lib.eval_in_session(self, feed_dict, session, self._graph)

    def colocation_groups(self):
        locs = self._attrs.get("_class")
        if locs:
            return [x for x in locs if x.startswith(b"loc:@" if isinstance(x, bytes) else "loc:@")]
        return [("loc:@" + self._name).encode()]

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self._name, self._type)

    def __str__(self):
        return str(self.node_def)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


class _ControlDependenciesController:
    __slots__ = ("control_inputs", "new_ops")

    def __init__(self, control_inputs):
        self.control_inputs = control_inputs
        self.new_ops = set()


class Graph:
    """A TF1 dataflow graph: operations, name scopes, collections and scoped defaults."""

    def __init__(self):
        self._lock = threading.RLock()
        self._ops = []
        self._nodes_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._device_stack = []
        self._control_dependencies_stack = []
        self._colocation_stack = []
        self._collections = {}
        self._finalized = False
        self._structure_version = 0
        self._seed = None
        self._gradient_override_map = {}
        self._functions = {}
        self._unfeedable = set()
        self._unfetchable = set()
        self._run_count = 0
        self._grew_after_run_warned = False
        self._growth_sites = {}
        self._building_function = False
        self._outer_graph = None
        self._variable_creator_stack = []
        self._container = ""
        self._kernel_label_map = {}
        self._stateful_python = {}

    # ---------------------------------------------------------------- defaults
    def as_default(self):
        return _default_graph_stack.get_controller(self)

    @property
    def version(self):
        return len(self._ops)

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    @property
    def building_function(self):
        return self._building_function

    @property
    def _last_id(self):
        return len(self._ops)

    # ------------------------------------------------------------------ names
    def get_name_scope(self):
        return self._name_stack

    def unique_name(self, name, mark_as_used=True):
        """TF1's unique naming: 'x', 'x_1', 'x_2'… compared case-insensitively."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while "%s_%d" % (base, i) in self._names_in_use:
                i += 1
            if mark_as_used:
                self._names_in_use["%s_%d" % (base, i)] = 1
            name = "%s_%d" % (name, i)
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; yields the scope string ending in '/' (or '')."""
        if name:
            if isinstance(name, bytes):
                name = name.decode()
            if not isinstance(name, str):
                raise TypeError("name for name_scope must be a string.")
            if self._name_stack:
                if not _VALID_SCOPE_NAME.match(name):
                    raise ValueError("'%s' is not a valid scope name" % name)
            elif not _VALID_OP_NAME.match(name):
                raise ValueError("'%s' is not a valid scope name" % name)
        old = self._name_stack
        try:
            if not name:
                new = ""
            elif name[-1] == "/":
                new = name[:-1]
            else:
                new = self.unique_name(name)
            self._name_stack = new
            yield "" if not new else new + "/"
        finally:
            self._name_stack = old

    # ---------------------------------------------------------------- devices
    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Sets the device (string, DeviceSpec or function of an op) for new ops."""
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _apply_device(self, op):
        dev = ""
        for spec in self._device_stack:
            if spec is None:
                dev = ""
            elif callable(spec) and not isinstance(spec, (str, device_spec.DeviceSpec)):
                dev = device_spec.merge_device(dev, spec(op) or "")
            else:
                if hasattr(spec, "to_string"):
                    spec = spec.to_string()
                dev = device_spec.merge_device(dev, spec)
        return dev

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        if op is not None and not isinstance(op, Operation):
            op = getattr(op, "op", None) or _as_op(op)
        saved_devices = None
        if ignore_existing:
            saved = self._colocation_stack
            self._colocation_stack = []
        if op is not None:
            self._colocation_stack.append(op)
            saved_devices = self._device_stack
            self._device_stack = [op.device] if op.device else []
        try:
            yield
        finally:
            if op is not None:
                self._colocation_stack.pop()
                self._device_stack = saved_devices
            if ignore_existing:
                self._colocation_stack = saved

    @contextlib.contextmanager
    def container(self, container_name):
        old = self._container
        self._container = container_name
        try:
            yield container_name
        finally:
            self._container = old

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        for k, v in op_type_map.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        saved = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = saved

    @contextlib.contextmanager
    def _kernel_label_map_scope(self, op_to_kernel_label_map):
        saved = dict(self._kernel_label_map)
        self._kernel_label_map.update(op_to_kernel_label_map)
        try:
            yield
        finally:
            self._kernel_label_map = saved

    # ----------------------------------------------------- control dependencies
    def control_dependencies(self, control_inputs):
        """Ops created in the block run after `control_inputs` (None clears them)."""
        if control_inputs is None:
            return _ClearControlDeps(self)
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                if callable(c):
                    c = c()
                    c = c.op if isinstance(c, Tensor) else c
                if not isinstance(c, Operation):
                    raise TypeError("Control input must be Operation or Tensor: %s" % (c,))
            if c.graph is not self and not self._building_function:
                raise ValueError("Control input %s is not an element of this graph." % c.name)
            ops.append(c)
        return _PushControlDeps(self, ops)

    def _current_control_inputs(self, input_ops):
        ret = []
        seen = set()
        for controller in self._control_dependencies_stack:
            dominated = any(op in controller.new_ops for op in input_ops)
            if dominated:
                continue
            for c in controller.control_inputs:
                if id(c) not in seen and c not in input_ops:
                    seen.add(id(c))
                    ret.append(c)
        return ret

    # --------------------------------------------------------- op construction
    def _add_op(self, op, name):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if name in self._nodes_by_name:
            raise ValueError("Duplicate node name in graph: '%s'" % name)
        op._id = len(self._ops) + 1
        self._ops.append(op)
        self._nodes_by_name[name] = op
        for controller in self._control_dependencies_stack:
            controller.new_ops.add(op)
        if self._run_count and not self._grew_after_run_warned:
            # NOTE: only a line that adds ops between three different runs is a loop.
            last, n = self._growth_sites.get(op._site, (None, 0))
            if last != self._run_count:
                n += 1
                self._growth_sites[op._site] = (self._run_count, n)
                if n >= 3:
                    self._warn_grew_after_run(op)

    def _warn_grew_after_run(self, op):
        import warnings

        self._grew_after_run_warned = True
        warnings.warn(
            "tensorweave: op '%s' (%s) was created at %s after the graph had already been run. "
            "Building ops inside a training loop makes the graph grow every step and slows it "
            "down; build them once before the loop, and call graph.finalize() to catch this." % (
                op.name, op.type, format_site(op._site)), RuntimeWarning, stacklevel=4)

    def create_op(self, op_type, inputs, dtypes=None, input_types=None, name=None, attrs=None,
                  op_def=None, compute_shapes=True, compute_device=True):
        """Low-level op creation (TF1's Graph.create_op); prefer registry.apply_op."""
        from tensorweave.framework import registry

        attrs = dict(attrs or {})
        for k, v in list(attrs.items()):
            if hasattr(v, "WhichOneof"):
                from tensorweave.framework import graph_io

                attrs[k] = graph_io.attr_value_to_python(v)
        return registry.create_op_raw(self, op_type, list(inputs),
                                      [dtypes_as(d) for d in (dtypes or [])], name, attrs)

    # ------------------------------------------------------------- lookups
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings (or similar), not %s." %
                            type(name).__name__)
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def _get_operation_by_name_unsafe(self, name):
        return self._nodes_by_name[name]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                op_name, idx = obj.rsplit(":", 1)
                try:
                    idx = int(idx)
                except ValueError:
                    raise ValueError("The name %r looks a like a Tensor name, but is not a "
                                     "valid one. Tensor names must be of the form "
                                     "\"<op_name>:<output_index>\"." % obj)
                op = self._nodes_by_name.get(op_name)
                if op is None:
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, does not exist in the graph." % (obj, op_name))
                if idx >= len(op._outputs):
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, exists but only has %d outputs." %
                                   (obj, op_name, len(op._outputs)))
                return op._outputs[idx]
            if ":" in obj and not allow_tensor:
                raise ValueError("Name %r appears to refer to a Tensor, not a Operation." % obj)
            if ":" not in obj and allow_operation:
                op = self._nodes_by_name.get(obj)
                if op is None:
                    raise KeyError("The name %r refers to an Operation not in the graph." % obj)
                return op
            if ":" not in obj and not allow_operation:
                if obj in self._nodes_by_name:
                    raise ValueError(
                        "The name %r refers to an Operation, not a Tensor. Tensor names must be "
                        "of the form \"<op_name>:<output_index>\"." % obj)
                raise KeyError("The name %r refers to an Operation not in the graph." % obj)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj)
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj)
            return obj
        types = [t for t, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok]
        raise TypeError("Can not convert a %s into a %s." % (type(obj).__name__,
                                                              " or ".join(types)))

    # ------------------------------------------------------------ collections
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for n in names:
            self.add_to_collection(n, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        coll = self._collections.get(name)
        if coll is None:
            return []
        if scope is None:
            return list(coll)
        regex = re.compile(scope)
        out = []
        for item in coll:
            try:
                if regex.match(item.name):
                    out.append(item)
            except AttributeError:
                pass
        return out

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # ------------------------------------------------------------- feeding
    def prevent_feeding(self, tensor):
        self._unfeedable.add(tensor)

    def prevent_fetching(self, op):
        self._unfetchable.add(op)

    def is_feedable(self, tensor):
        return tensor not in self._unfeedable

    def is_fetchable(self, tensor_or_op):
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    # ---------------------------------------------------------- serialisation
    def as_graph_def(self, from_version=None, add_shapes=False):
        from tensorweave.framework import graph_io

        return graph_io.graph_to_graph_def(self, add_shapes=add_shapes)

    @property
    def graph_def_versions(self):
        from tensorboard.compat.proto import versions_pb2

        return versions_pb2.VersionDef(producer=27, min_consumer=12)

    def _is_function(self, name):
        return name in self._functions

    def _get_function(self, name):
        return self._functions.get(name)

    def _add_function(self, func):
        self._functions[func.name] = func

    def _capture(self, tensor):
        raise ValueError(
            "Tensor %s must be from the same graph as the op that uses it. It belongs to graph "
            "%#x; the op is being built in graph %#x. Build both in one graph (one "
            "`with tf.Graph().as_default():` block), or call tf.reset_default_graph() before "
            "rebuilding the model." % (tensor.name, id(tensor.graph), id(self)))


def dtypes_as(d):
    return dtypes.as_dtype(d)


def _as_op(obj):
    if isinstance(obj, Operation):
        return obj
    if isinstance(obj, Tensor):
        return obj.op
    if hasattr(obj, "_as_graph_element"):
        el = obj._as_graph_element()
        return el.op if isinstance(el, Tensor) else el
    if hasattr(obj, "op"):
        return obj.op
    raise TypeError("Expected an Operation or Tensor, got %r" % (obj,))


class _PushControlDeps:
    def __init__(self, graph, ops):
        self._graph = graph
        self._controller = _ControlDependenciesController(ops)

    def __enter__(self):
        self._graph._control_dependencies_stack.append(self._controller)

    def __exit__(self, *exc):
        self._graph._control_dependencies_stack.remove(self._controller)
        return False


class _ClearControlDeps:
    def __init__(self, graph):
        self._graph = graph

    def __enter__(self):
        self._saved = self._graph._control_dependencies_stack
        self._graph._control_dependencies_stack = []

    def __exit__(self, *exc):
        self._graph._control_dependencies_stack = self._saved
        return False


# --------------------------------------------------------------- default graph
class _DefaultStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []

    def get_controller(self, obj):
        return _StackController(self, obj)


class _StackController:
    def __init__(self, owner, obj):
        self._owner = owner
        self._obj = obj

    def __enter__(self):
        self._owner.stack.append(self._obj)
        return self._obj

    def __exit__(self, *exc):
        stack = self._owner.stack
        if stack and stack[-1] is self._obj:
            stack.pop()
        elif self._obj in stack:
            stack.remove(self._obj)
        return False


class _DefaultGraphStack(_DefaultStack):
    _global_default = None

    def get_default(self):
        if self.stack:
            return self.stack[-1]
        if _DefaultGraphStack._global_default is None:
            _DefaultGraphStack._global_default = Graph()
        return _DefaultGraphStack._global_default

    def reset(self):
        _DefaultGraphStack._global_default = None


_default_graph_stack = _DefaultGraphStack()


def get_default_graph():
    return _default_graph_stack.get_default()


def reset_default_graph():
    """Clears the default graph stack and resets the global default graph."""
    if _default_graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new "
                             "graph.")
    _default_graph_stack.reset()
    from tensorweave.runtime import session as session_lib

    session_lib._reset_default_session_for_graph_reset()


def has_default_graph():
    return bool(_default_graph_stack.stack)


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """TF1's ops.name_scope(name, default_name, values) for composite op wrappers."""
    n = default_name if name is None else name
    g = None
    for v in values or ():
        g = getattr(v, "graph", None)
        if g is not None:
            break
    if g is None or get_default_graph()._building_function:
        # NOTE: inside a function graph, outer tensors are captured, not built next to.
        g = get_default_graph()
    if g is not get_default_graph():
        with g.as_default(), g.name_scope(n) as scope:
            yield scope
    else:
        with g.name_scope(n) as scope:
            yield scope


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def container(container_name):
    return get_default_graph().container(container_name)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def get_name_scope():
    return get_default_graph().get_name_scope()


def op_scope(values, name, default_name=None):
    return name_scope(name, default_name, values)
