"""tf.graph_util: freezing (convert_variables_to_constants), extract_sub_graph,
remove_training_nodes, tensor_shape_from_node_def_name, and tf.train.write_graph."""
import copy
import os

from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2
from tensorboard.compat.proto import node_def_pb2

from tensorweave.framework import dtypes
from tensorweave.framework import graph_io

_VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")


def _node_name(n):
    if n.startswith("^"):
        return n[1:]
    return n.split(":")[0]


def _check_graph_def(graph_def):
    if not isinstance(graph_def, graph_pb2.GraphDef):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto, got %s" %
                        type(graph_def).__name__)


def _bfs_reachable(graph_def, dest_nodes):
    name_to_node = {n.name: n for n in graph_def.node}
    for d in dest_nodes:
        if d not in name_to_node:
            raise AssertionError("%s is not in graph" % d)
    keep = set()
    stack = list(dest_nodes)
    while stack:
        n = stack.pop()
        if n in keep:
            continue
        keep.add(n)
        for i in name_to_node[n].input:
            stack.append(_node_name(i))
    return keep


def extract_sub_graph(graph_def, dest_nodes):
    """The GraphDef of `dest_nodes` and everything they depend on (original order)."""
    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    keep = _bfs_reachable(graph_def, dest_nodes)
    out = graph_pb2.GraphDef()
    for n in graph_def.node:
        if n.name in keep:
            out.node.add().CopyFrom(n)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """Freezes a graph: variables reachable from `output_node_names` become Const nodes with
    their current values in `sess`; their `read` Identity nodes stay (as in TF)."""
    _check_graph_def(input_graph_def)
    inference = extract_sub_graph(input_graph_def, output_node_names)
    var_names = []
    for n in inference.node:
        if n.op in _VARIABLE_OPS:
            if variable_names_whitelist is not None and n.name not in variable_names_whitelist:
                continue
            if variable_names_blacklist is not None and n.name in variable_names_blacklist:
                continue
            var_names.append(n.name)
    values = {}
    if var_names:
        g = sess.graph
        fetched = sess.run([g.get_tensor_by_name(v + ":0") for v in var_names])
        values = dict(zip(var_names, fetched))
    out = graph_pb2.GraphDef()
    for n in inference.node:
        m = out.node.add()
        if n.name in values:
            arr = values[n.name]
            dt = dtypes.as_dtype(n.attr["dtype"].type)
            m.op = "Const"
            m.name = n.name
            m.attr["dtype"].CopyFrom(n.attr["dtype"])
            m.attr["value"].tensor.CopyFrom(graph_io.ndarray_to_tensor_proto(arr, dt))
        elif n.op == "Identity" and n.input and _node_name(n.input[0]) in values:
            # the variable's reads: keep the node, its dtype is no longer a reference
            m.CopyFrom(n)
            if "_class" in m.attr:
                del m.attr["_class"]
        elif n.op in ("Assign", "AssignAdd", "AssignSub") and n.input and \
                _node_name(n.input[0]) in values:
            m.CopyFrom(n)  # left as is (TF rewrites only what outputs need)
        else:
            m.CopyFrom(n)
    out.library.CopyFrom(inference.library)
    out.versions.CopyFrom(inference.versions)
    return out


def remove_training_nodes(input_graph, protected_nodes=None):
    """Removes Identity and CheckNumerics nodes (rewiring their consumers) and drops
    control inputs that only trained the graph (TF's remove_training_nodes)."""
    _check_graph_def(input_graph)
    protected = set(protected_nodes or [])
    types_to_remove = {"CheckNumerics": True}
    input_nodes = input_graph.node
    names_to_remove = {}
    for n in input_nodes:
        if n.op in types_to_remove and n.name not in protected:
            names_to_remove[n.name] = True
    nodes_after_removal = []
    for n in input_nodes:
        if n.name in names_to_remove:
            continue
        m = node_def_pb2.NodeDef()
        m.CopyFrom(n)
        ins = list(m.input)
        del m.input[:]
        for i in ins:
            if _node_name(i) in names_to_remove:
                continue
            m.input.append(i)
        nodes_after_removal.append(m)
    types_to_splice = {"Identity": True}
    control_input_names = set()
    node_names_with_control_input = set()
    for n in nodes_after_removal:
        for i in n.input:
            if "^" in i:
                control_input_names.add(i.replace("^", ""))
                node_names_with_control_input.add(n.name)
    names_to_splice = {}
    for n in nodes_after_removal:
        if n.op in types_to_splice and n.name not in protected:
            if n.name in node_names_with_control_input:
                continue
            names_to_splice[n.name] = n.input[0]
    names_to_splice = {k: v for k, v in names_to_splice.items()
                       if k not in control_input_names}
    nodes_after_splicing = []
    for n in nodes_after_removal:
        if n.name in names_to_splice:
            continue
        m = copy.deepcopy(n)
        ins = list(m.input)
        del m.input[:]
        for i in ins:
            src = i
            while _node_name(src) in names_to_splice and not src.startswith("^"):
                src = names_to_splice[_node_name(src)]
            m.input.append(src)
        nodes_after_splicing.append(m)
    out = graph_pb2.GraphDef()
    out.node.extend(nodes_after_splicing)
    out.library.CopyFrom(input_graph.library)
    out.versions.CopyFrom(input_graph.versions)
    return out


def tensor_shape_from_node_def_name(graph, input_name):
    """The static shape of tensor `input_name` ('x' means 'x:0') in `graph`."""
    if ":" not in input_name:
        input_name += ":0"
    return graph.get_tensor_by_name(input_name).get_shape()


def must_run_on_cpu(node, pin_variables_on_cpu=False):
    """True for ops TF pins to the CPU (string consts, variables when asked)."""
    if hasattr(node, "node_def"):
        node = node.node_def
    if pin_variables_on_cpu and node.op in _VARIABLE_OPS:
        return True
    if node.op == "Const":
        return node.attr["dtype"].type == dtypes.string.as_datatype_enum
    if node.op in ("DynamicStitch", "ParallelDynamicStitch"):
        return True
    return False


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """tf.train.write_graph: writes a GraphDef (text by default) atomically; returns the
    path."""
    if hasattr(graph_or_graph_def, "as_graph_def"):
        graph_def = graph_or_graph_def.as_graph_def()
    else:
        graph_def = graph_or_graph_def
    logdir = os.fspath(logdir)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = text_format.MessageToString(graph_def).encode() if as_text else \
        graph_def.SerializeToString()
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def import_graph_def(*args, **kwargs):
    """tf.graph_util.import_graph_def (same as tf.import_graph_def)."""
    return graph_io.import_graph_def(*args, **kwargs)
