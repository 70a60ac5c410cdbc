"""FuncGraph: a graph traced once from a Python callable, capturing tensors of outer graphs.

Function graphs hold the branches of `If` and the cond/body of `While`. While one is being
built (it is the default graph), an op that uses a tensor of an enclosing graph does not reach
into that graph: `registry.apply_op` calls `FuncGraph._capture(t)`, which creates a
Placeholder inside the function graph and records the pair (outer tensor, placeholder). The
op that calls the function (If/While) then receives the outer tensors as extra inputs, in the
order of `captures`, exactly as TF's function graphs do.

Also holds `nest`-style helpers (flatten / pack_sequence_as) for structures of tensors.
"""
import collections
import contextlib
import itertools

from tensorweave.framework import dtypes, registry, tensor_shape
from tensorweave.framework import graph as graph_lib

_FUNC_IDS = itertools.count(1)
VARIABLE_OP_TYPES = frozenset(["VariableV2", "Variable", "TemporaryVariable"])


def unique_function_name(prefix):
    """A process-unique function name like TF's 'cond_true_4'."""
    prefix = prefix.replace("/", "_") or "fn"
    return "%s_%d" % (prefix, next(_FUNC_IDS))


class FuncGraph(graph_lib.Graph):
    """A function body: `inputs` (placeholders), `outputs` and the `captures` it made.

    Attributes a gradient builder needs:
      name: the function's name in the outer graph's function library.
      inputs: placeholders, explicit arguments first, then one per capture.
      outputs: the traced output tensors (flat).
      captures: list of (outer tensor, inner placeholder), in input order after the args.
      structured_outputs: the Python structure the callable returned.
      python_func: the traced callable.
      outer_graph: the graph the calling op lives in.
    """

    def __init__(self, name, outer_graph):
        super().__init__()
        self.name = name
        self._building_function = True
        self._outer_graph = outer_graph
        self.outer_graph = outer_graph
        self.inputs = []
        self.outputs = []
        self.structured_outputs = None
        self.python_func = None
        self._captures = collections.OrderedDict()
        self.mirrored_variables = {}
        self.outer_control_inputs = []
        # Share what TF's FuncGraph shares with its outer graph.
        self._collections = outer_graph._collections
        self._seed = outer_graph._seed
        self._gradient_override_map = dict(outer_graph._gradient_override_map)
        self._stateful_python = outer_graph._stateful_python
        self._functions = outer_graph._functions

    @property
    def captures(self):
        return list(self._captures.values())

    @property
    def external_captures(self):
        return [o for o, _ in self._captures.values()]

    @property
    def internal_captures(self):
        return [i for _, i in self._captures.values()]

    def _add_function(self, func):
        self._outer_graph._add_function(func)

    @property
    def definition(self):
        """This function as a FunctionDef proto (TF's function-body input naming)."""
        from tensorboard.compat.proto import function_pb2

        from tensorweave.framework import graph_io

        fdef = function_pb2.FunctionDef()
        sig = fdef.signature
        sig.name = self.name
        arg_of = {}
        used = set()
        for ph in self.inputs:
            n = _arg_name(ph.op.name, used)
            arg_of[id(ph)] = n
            sig.input_arg.add(name=n, type=ph.dtype.base_dtype.as_datatype_enum)
        stateful = False
        for op in self.get_operations():
            if op.type == "Placeholder" and id(op._outputs[0]) in arg_of:
                continue
            if op._opdef is not None and op._opdef.stateful:
                stateful = True
            nd = graph_io.op_to_node_def(op)
            del nd.input[:]
            for t in op._inputs:
                nd.input.append(_fn_input_name(t, arg_of))
            for c in op._control_inputs:
                nd.input.append("^" + c.name)
            fdef.node_def.add().CopyFrom(nd)
        sig.is_stateful = stateful
        for i, t in enumerate(self.outputs):
            n = "output_%d" % i
            sig.output_arg.add(name=n, type=t.dtype.base_dtype.as_datatype_enum)
            fdef.ret[n] = _fn_input_name(t, arg_of)
        return fdef

    def add_placeholder(self, dtype, shape, name):
        """A new input placeholder of this function graph (not recorded in `inputs`)."""
        saved_stack, saved_cd = self._name_stack, self._control_dependencies_stack
        self._name_stack = ""
        self._control_dependencies_stack = []
        try:
            with self.as_default():
                op = registry.apply_op("Placeholder", [], name=name,
                                       dtype=dtypes.as_dtype(dtype).base_dtype,
                                       shape=tensor_shape.as_shape(shape))
        finally:
            self._name_stack, self._control_dependencies_stack = saved_stack, saved_cd
        return op._outputs[0]

    def _capture(self, tensor):
        key = id(tensor)
        hit = self._captures.get(key)
        if hit is not None:
            return hit[1]
        if tensor.graph is self:
            return tensor
        outer = self._outer_graph
        if tensor.graph is not outer:
            if not _is_ancestor(tensor.graph, outer):
                return graph_lib.Graph._capture(self, tensor)
            # Capture through each enclosing function graph in turn.
            outer_t = outer._capture(tensor)
        else:
            outer_t = tensor
        inner = self.add_placeholder(tensor.dtype.base_dtype, tensor.shape,
                                     tensor.op.name.split("/")[-1])
        self._captures[key] = (outer_t, inner)
        return inner

    def _capture_ref(self, tensor):
        """A ref input (Assign...) of an outer variable: a same-named variable op here.

        Reads of outer variables are ordinary captures (their value enters as an input of the
        calling op, so gradients reach the variable); writes need the variable itself.
        """
        if tensor.graph is self:
            return tensor
        if tensor.dtype.is_ref_dtype and tensor.op.type in VARIABLE_OP_TYPES:
            return self._mirror_variable(tensor)
        return self._capture(tensor)

    def _mirror_variable(self, tensor):
        """A same-named variable op inside the function: it shares the session's value."""
        key = id(tensor)
        op = tensor.op
        if op.name in self.mirrored_variables:
            return self.mirrored_variables[op.name]._outputs[tensor.value_index]
        saved_stack, saved_cd = self._name_stack, self._control_dependencies_stack
        self._name_stack = ""
        self._control_dependencies_stack = []
        try:
            attrs = {k: v for k, v in op._attrs.items()}
            new = registry.create_op_raw(self, op.type, [], [t.dtype for t in op._outputs],
                                         op.name + "/", attrs)
        finally:
            self._name_stack, self._control_dependencies_stack = saved_stack, saved_cd
        self._names_in_use[op.name.lower()] = 1
        for t_in, t_out in zip(op._outputs, new._outputs):
            t_out._shape = t_in._shape
        self.mirrored_variables[op.name] = new
        del key
        return new._outputs[tensor.value_index]

    def _current_control_inputs(self, input_ops):
        ret = []
        for c in graph_lib.Graph._current_control_inputs(self, input_ops):
            if c.graph is self:
                ret.append(c)
            elif c not in self.outer_control_inputs:
                # NOTE: control inputs from outer graphs become control inputs of the caller.
                self.outer_control_inputs.append(c)
        return ret


@contextlib.contextmanager
def lift_to_outermost_graph():
    """Builds in the outermost non-function graph (TF's init_scope lifting), keeping the
    current name scope and clearing control dependencies; yields that graph.

    Variable creation belongs in it: a variable first created inside a cond branch or a
    while body (an RNN cell traced in the loop body) must live, with its initializer, in
    the graph the Session runs; the body then reads it through a capture.
    """
    g = graph_lib.get_default_graph()
    outer = g
    while outer._building_function:
        outer = outer._outer_graph
    saved_stack, saved_cd = outer._name_stack, outer._control_dependencies_stack
    outer._control_dependencies_stack = []
    if outer is not g:
        outer._name_stack = g._name_stack
    try:
        with outer.as_default():
            yield outer
    finally:
        outer._name_stack, outer._control_dependencies_stack = saved_stack, saved_cd


def _arg_name(name, used):
    base = "".join(c if c.isalnum() else "_" for c in name.lower()) or "arg"
    if not base[0].isalpha():
        base = "arg_" + base
    n, k = base, 1
    while n in used:
        n = "%s_%d" % (base, k)
        k += 1
    used.add(n)
    return n


def _fn_input_name(t, arg_of):
    """'arg' for a function argument, else 'op:out_arg:index' as FunctionDefs name them."""
    if id(t) in arg_of:
        return arg_of[id(t)]
    op = t.op
    opdef = op._opdef
    idx = t.value_index
    if opdef is None:
        return "%s:output:%d" % (op.name, idx)
    for arg in opdef.outputs:
        if arg.number_attr:
            n = int(op._attrs.get(arg.number_attr, 0))
        elif arg.list_attr:
            n = len(op._attrs.get(arg.list_attr) or [])
        else:
            n = 1
        if idx < n:
            return "%s:%s:%d" % (op.name, arg.name, idx)
        idx -= n
    return "%s:output:%d" % (op.name, t.value_index)


def _is_ancestor(g, graph):
    while graph is not None:
        if graph is g:
            return True
        graph = getattr(graph, "_outer_graph", None)
    return False


def trace(python_func, name, outer_graph, arg_specs, arg_names=None, call=None):
    """Traces `python_func` into a new FuncGraph.

    arg_specs: list of (dtype, shape) for the explicit inputs (placeholders in order).
    call: fn(placeholders) -> structure returned by the traced function; default calls
      python_func(*placeholders).
    Returns the FuncGraph with `structured_outputs` set (outputs not yet flattened).
    """
    fg = FuncGraph(name, outer_graph)
    fg.python_func = python_func
    for i, (dt, shape) in enumerate(arg_specs):
        n = arg_names[i] if arg_names else "arg%d" % i
        fg.inputs.append(fg.add_placeholder(dt, shape, n))
    with fg.as_default():
        if call is None:
            fg.structured_outputs = python_func(*fg.inputs)
        else:
            fg.structured_outputs = call(list(fg.inputs))
    return fg


# ------------------------------------------------------------------- nest
def is_sequence(x):
    return isinstance(x, (list, tuple, dict)) and not isinstance(x, str)


def flatten(structure):
    """Leaves of a nested structure (dicts in sorted key order, as tf.nest does)."""
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out):
    if hasattr(s, "_tw_loop_vars"):
        # NOTE: composite values (e.g. a TensorArray: its flow) travel as their tensors;
        # `_tw_from_loop_vars(tensors)` rebuilds them inside and after the loop/branch.
        out.extend(s._tw_loop_vars())
    elif isinstance(s, dict):
        for k in _sorted_keys(s):
            _flatten_into(s[k], out)
    elif isinstance(s, (list, tuple)):
        for v in s:
            _flatten_into(v, out)
    else:
        out.append(s)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def pack_sequence_as(structure, flat):
    """Rebuilds `structure` with the leaves taken in order from `flat`."""
    flat = list(flat)
    it = iter(flat)
    res = _pack(structure, it)
    rest = list(it)
    if rest:
        raise ValueError("Structure had %d leaves, but flat_sequence had %d." % (
            len(flat) - len(rest), len(flat)))
    return res


def _pack(s, it):
    if hasattr(s, "_tw_loop_vars"):
        n = len(s._tw_loop_vars())
        try:
            return s._tw_from_loop_vars([next(it) for _ in range(n)])
        except StopIteration:
            raise ValueError("flat_sequence has fewer elements than the structure.")
    if isinstance(s, dict):
        vals = {k: _pack(s[k], it) for k in _sorted_keys(s)}
        return type(s)((k, vals[k]) for k in s) if type(s) is not dict else {
            k: vals[k] for k in s}
    if isinstance(s, tuple) and hasattr(s, "_fields"):
        return type(s)(*[_pack(v, it) for v in s])
    if isinstance(s, (list, tuple)):
        return type(s)(_pack(v, it) for v in s)
    try:
        return next(it)
    except StopIteration:
        raise ValueError("flat_sequence has fewer elements than the structure.")


def assert_same_structure(a, b, what="structures"):
    """ValueError (TF's wording) when two structures differ in nesting or length."""
    if is_sequence(a) != is_sequence(b):
        raise ValueError("The two structures don't have the same nested structure.\n\nFirst "
                         "structure: %s\n\nSecond structure: %s" % (a, b))
    if is_sequence(a):
        if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
            raise ValueError("The two structures don't have the same nested structure.\n\n"
                             "First structure: %s\n\nSecond structure: %s" % (a, b))
        if isinstance(a, dict):
            if set(a) != set(b):
                raise ValueError("The two dictionaries don't have the same set of keys. First "
                                 "structure has keys %s, while second structure has keys %s." %
                                 (list(a), list(b)))
            for k in a:
                assert_same_structure(a[k], b[k], what)
        else:
            for x, y in zip(a, b):
                assert_same_structure(x, y, what)


# ------------------------------------------------------------ FunctionDef import
def from_function_def(fdef, outer_graph):
    """A FuncGraph rebuilt from a FunctionDef (an If/While body of an imported GraphDef)."""
    from tensorweave.framework import graph_io

    fg = FuncGraph(fdef.signature.name, outer_graph)
    by_arg = {}
    for i, arg in enumerate(fdef.signature.input_arg):
        shape = None
        aa = fdef.arg_attr.get(i) if len(fdef.arg_attr) else None
        if aa is not None and "_output_shapes" in aa.attr:
            shapes = graph_io.attr_value_to_python(aa.attr["_output_shapes"], "_output_shapes")
            shape = shapes[0] if shapes else None
        ph = fg.add_placeholder(dtypes.as_dtype(arg.type), shape, arg.name)
        by_arg[arg.name] = ph
        fg.inputs.append(ph)
    nodes = {nd.name: nd for nd in fdef.node_def}
    created = {}

    def resolve(ref):
        if ref in by_arg:
            return by_arg[ref]
        parts = ref.split(":")
        op = build(parts[0])
        if len(parts) == 1:
            return op._outputs[0]
        if len(parts) == 2:
            return op._outputs[int(parts[1])]
        return op._outputs[_flat_output_index(op, parts[1], int(parts[2]))]

    def build(name):
        op = created.get(name)
        if op is not None:
            return op
        nd = nodes.get(name)
        if nd is None:
            raise ValueError("Function %s: unknown node %r" % (fdef.signature.name, name))
        if nd.op not in registry._OPS:
            raise ValueError("Function %s: node '%s' has op type '%s', which tensorweave does "
                             "not implement" % (fdef.signature.name, nd.name, nd.op))
        inputs, control = [], []
        for ref in nd.input:
            if ref.startswith("^"):
                control.append(build(ref[1:]))
            else:
                inputs.append(resolve(ref))
        attrs = {k: graph_io.attr_value_to_python(v, k) for k, v in nd.attr.items()
                 if k != "_output_shapes"}
        saved_stack, saved_cd = fg._name_stack, fg._control_dependencies_stack
        fg._name_stack = ""
        fg._control_dependencies_stack = []
        try:
            op = registry.create_op_raw(fg, nd.op, inputs, None, nd.name + "/", attrs)
        finally:
            fg._name_stack, fg._control_dependencies_stack = saved_stack, saved_cd
        fg._names_in_use[nd.name.lower()] = 1
        for c in control:
            op._add_control_input(c)
        created[name] = op
        return op

    for nd in fdef.node_def:
        build(nd.name)
    fg.outputs = [resolve(fdef.ret[arg.name]) for arg in fdef.signature.output_arg]
    fg.structured_outputs = list(fg.outputs)
    return fg


def _flat_output_index(op, arg_name, idx):
    opdef = op._opdef
    if opdef is None:
        return idx
    base = 0
    for arg in opdef.outputs:
        if arg.number_attr:
            n = int(op._attrs.get(arg.number_attr, 0))
        elif arg.list_attr:
            n = len(op._attrs.get(arg.list_attr) or [])
        else:
            n = 1
        if arg.name == arg_name:
            return base + idx
        base += n
    raise ValueError("Op %s (%s) has no output arg %r" % (op.name, op.type, arg_name))


def resolve_function(op, attr):
    """The FuncGraph an If/While attr names (built from an imported FunctionDef once)."""
    v = op._attrs[attr]
    if isinstance(v, FuncGraph):
        return v
    name = getattr(v, "name", v)
    if isinstance(name, bytes):
        name = name.decode()
    lib = op.graph._functions
    f = lib.get(name)
    if f is None:
        raise ValueError("Function %r used by op '%s' is not in the graph's function "
                         "library" % (name, op.name))
    if not isinstance(f, FuncGraph):
        f = from_function_def(f, op.graph)
        lib[name] = f
    return f
