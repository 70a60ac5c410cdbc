"""Graph <-> GraphDef (TF's protos), AttrValue <-> Python values, ndarray <-> TensorProto, and
`import_graph_def`.

In-graph attr values are Python objects: DType for `type`, TensorShape for `shape`, ndarray
for `tensor` (a Const's `value`), str for `s` (bytes when not UTF-8, and inside `_class`),
int/float/bool, and lists of those. Everything here is data: nothing read from a proto is ever
evaluated or unpickled.
"""
import numpy as np
from tensorboard.compat.proto import attr_value_pb2
from tensorboard.compat.proto import graph_pb2
from tensorboard.compat.proto import node_def_pb2
from tensorboard.compat.proto import tensor_pb2
from tensorboard.compat.proto import tensor_shape_pb2

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import tensor_shape

# dtypes whose values TF's make_tensor_proto stores as raw `tensor_content` (size > 1).
_CONTENT_DTYPES = frozenset(
    d.as_datatype_enum for d in (
        dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8,
        dtypes.uint16, dtypes.int16, dtypes.int8, dtypes.int64, dtypes.complex64,
        dtypes.complex128, dtypes.qint8, dtypes.quint8, dtypes.qint16, dtypes.quint16,
        dtypes.qint32, dtypes.uint32, dtypes.uint64, dtypes.bfloat16))

_INT_VAL = frozenset(d.as_datatype_enum for d in (
    dtypes.int32, dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.uint16, dtypes.qint8,
    dtypes.quint8, dtypes.qint16, dtypes.quint16, dtypes.qint32))


# ------------------------------------------------------------------ tensors
def shape_to_proto(shape):
    """TensorShape (or list / None) -> TensorShapeProto."""
    shape = tensor_shape.as_shape(shape) if not isinstance(
        shape, tensor_shape.TensorShape) else shape
    p = tensor_shape_pb2.TensorShapeProto()
    if shape.ndims is None:
        p.unknown_rank = True
        return p
    for d in shape.as_list():
        p.dim.add(size=-1 if d is None else int(d))
    return p


def shape_from_proto(p):
    """TensorShapeProto -> TensorShape (-1 dims are unknown)."""
    if p.unknown_rank:
        return tensor_shape.unknown_shape()
    return tensor_shape.TensorShape([None if d.size < 0 else d.size for d in p.dim])


def ndarray_to_tensor_proto(arr, dtype=None):
    """An ndarray as a TensorProto laid out as TF's make_tensor_proto lays it out."""
    arr = np.asarray(arr)
    if dtype is not None:
        dt = dtypes.as_dtype(dtype).base_dtype
    else:
        dt = dtypes.dtype_from_numpy(arr.dtype) if arr.dtype.kind not in "US" else dtypes.string
    p = tensor_pb2.TensorProto(dtype=dt.as_datatype_enum)
    p.tensor_shape.SetInParent()
    for n in arr.shape:
        p.tensor_shape.dim.add(size=int(n))
    enum = dt.as_datatype_enum
    if dt == dtypes.string:
        p.string_val.extend(v.encode("utf-8") if isinstance(v, str) else bytes(v)
                            for v in arr.reshape(-1))
        return p
    if dt.np_dtype is not None and arr.dtype != dt.np_dtype:
        arr = arr.astype(dt.np_dtype)
    if enum in _CONTENT_DTYPES and arr.size > 1:
        p.tensor_content = np.ascontiguousarray(arr).astype(
            arr.dtype.newbyteorder("<"), copy=False).tobytes()
        return p
    flat = arr.reshape(-1)
    if dt in (dtypes.float32,):
        p.float_val.extend(flat.tolist())
    elif dt == dtypes.float64:
        p.double_val.extend(flat.tolist())
    elif dt in (dtypes.float16, dtypes.bfloat16):
        p.half_val.extend(flat.view(np.uint16).astype(np.int32).tolist())
    elif enum in _INT_VAL:
        p.int_val.extend(int(v) for v in flat.tolist())
    elif dt == dtypes.int64:
        p.int64_val.extend(flat.tolist())
    elif dt == dtypes.uint32:
        p.uint32_val.extend(flat.tolist())
    elif dt == dtypes.uint64:
        p.uint64_val.extend(flat.tolist())
    elif dt == dtypes.bool:
        p.bool_val.extend(bool(v) for v in flat.tolist())
    elif dt == dtypes.complex64:
        p.scomplex_val.extend(x for v in flat.tolist() for x in (v.real, v.imag))
    elif dt == dtypes.complex128:
        p.dcomplex_val.extend(x for v in flat.tolist() for x in (v.real, v.imag))
    else:
        raise TypeError("Cannot make a TensorProto of dtype %s" % dt.name)
    return p


def tensor_proto_to_ndarray(proto):
    """TensorProto -> ndarray (TF's MakeNdarray: short value lists repeat their last value)."""
    dt = dtypes.as_dtype(proto.dtype).base_dtype
    shape = [d.size for d in proto.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64))
    if dt == dtypes.string:
        vals = list(proto.string_val)
        out = np.empty(n, dtype=object)
        if vals:
            out[:len(vals)] = vals[:n]
            if len(vals) < n:
                out[len(vals):] = vals[-1]
        else:
            out[:] = b""
        return out.reshape(shape)
    if dt.np_dtype is None or dt.np_dtype.kind == "O":
        raise TypeError("Cannot convert a TensorProto of dtype %s to an ndarray" % dt.name)
    npd = dt.np_dtype
    if proto.tensor_content:
        le = npd.newbyteorder("<") if npd.itemsize > 1 and npd.kind != "V" else npd
        buf = proto.tensor_content
        if len(buf) != n * npd.itemsize:
            raise ValueError("TensorProto of %s%s has %d content bytes, expected %d" % (
                dt.name, shape, len(buf), n * npd.itemsize))
        return np.frombuffer(buf, dtype=le).astype(npd).reshape(shape)
    if dt == dtypes.float32:
        vals = np.array(proto.float_val, dtype=npd)
    elif dt == dtypes.float64:
        vals = np.array(proto.double_val, dtype=npd)
    elif dt in (dtypes.float16, dtypes.bfloat16):
        vals = np.array(proto.half_val, dtype=np.int32).astype(np.uint16).view(npd)
    elif dt.as_datatype_enum in _INT_VAL:
        vals = np.array(proto.int_val, dtype=np.int64).astype(npd)
    elif dt == dtypes.int64:
        vals = np.array(proto.int64_val, dtype=npd)
    elif dt == dtypes.uint32:
        vals = np.array(proto.uint32_val, dtype=npd)
    elif dt == dtypes.uint64:
        vals = np.array(proto.uint64_val, dtype=npd)
    elif dt == dtypes.bool:
        vals = np.array(proto.bool_val, dtype=npd)
    elif dt == dtypes.complex64:
        f = np.array(proto.scomplex_val, dtype=np.float32)
        vals = (f[0::2] + 1j * f[1::2]).astype(npd)
    elif dt == dtypes.complex128:
        f = np.array(proto.dcomplex_val, dtype=np.float64)
        vals = (f[0::2] + 1j * f[1::2]).astype(npd)
    else:
        raise TypeError("Cannot convert a TensorProto of dtype %s to an ndarray" % dt.name)
    if vals.size == n:
        return vals.reshape(shape)
    if vals.size == 0:
        return np.zeros(shape, dtype=npd)
    if vals.size > n:
        raise ValueError("TensorProto of shape %s holds %d values" % (shape, vals.size))
    out = np.empty(n, dtype=npd)
    out[:vals.size] = vals
    out[vals.size:] = vals[-1]
    return out.reshape(shape)


# -------------------------------------------------------------------- attrs
def _is_shape_like(v):
    return isinstance(v, tensor_shape.TensorShape)


def python_to_attr_value(value, name=""):
    """A Python attr value (as stored on an Operation) -> AttrValue."""
    a = attr_value_pb2.AttrValue()
    if isinstance(value, attr_value_pb2.AttrValue):
        a.CopyFrom(value)
    elif isinstance(value, dtypes.DType):
        a.type = value.as_datatype_enum
    elif isinstance(value, tensor_shape.TensorShape):
        a.shape.CopyFrom(shape_to_proto(value))
    elif isinstance(value, tensor_shape_pb2.TensorShapeProto):
        a.shape.CopyFrom(value)
    elif isinstance(value, tensor_pb2.TensorProto):
        a.tensor.CopyFrom(value)
    elif isinstance(value, attr_value_pb2.NameAttrList):
        a.func.CopyFrom(value)
    elif isinstance(value, np.ndarray):
        a.tensor.CopyFrom(ndarray_to_tensor_proto(value))
    elif isinstance(value, (bool, np.bool_)):
        a.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        a.i = int(value)
    elif isinstance(value, (float, np.floating)):
        a.f = float(value)
    elif isinstance(value, str):
        a.s = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        a.s = bytes(value)
    elif value is None:
        if name == "shape":
            a.shape.unknown_rank = True
        else:
            return None
    elif isinstance(value, (list, tuple)) and (name in ("shape", "element_shape") or
                                               name.endswith("_shape")):
        a.shape.CopyFrom(shape_to_proto(tensor_shape.TensorShape(list(value))))
    elif isinstance(value, (list, tuple)):
        a.list.SetInParent()
        lst = a.list
        for v in value:
            if isinstance(v, dtypes.DType):
                lst.type.append(v.as_datatype_enum)
            elif isinstance(v, (tensor_shape.TensorShape,)):
                lst.shape.add().CopyFrom(shape_to_proto(v))
            elif v is None or isinstance(v, (list, tuple)) and name.endswith("shapes"):
                lst.shape.add().CopyFrom(shape_to_proto(tensor_shape.as_shape(v)))
            elif isinstance(v, np.ndarray):
                lst.tensor.add().CopyFrom(ndarray_to_tensor_proto(v))
            elif isinstance(v, tensor_pb2.TensorProto):
                lst.tensor.add().CopyFrom(v)
            elif isinstance(v, (bool, np.bool_)):
                lst.b.append(bool(v))
            elif isinstance(v, (int, np.integer)):
                lst.i.append(int(v))
            elif isinstance(v, (float, np.floating)):
                lst.f.append(float(v))
            elif isinstance(v, str):
                lst.s.append(v.encode("utf-8"))
            elif isinstance(v, (bytes, bytearray)):
                lst.s.append(bytes(v))
            elif isinstance(v, attr_value_pb2.NameAttrList):
                lst.func.add().CopyFrom(v)
            else:
                raise TypeError("Cannot serialise attr %r element %r" % (name, v))
    elif hasattr(value, "definition") and hasattr(value, "name"):
        a.func.name = value.name
    else:
        try:
            a.shape.CopyFrom(shape_to_proto(tensor_shape.as_shape(value)))
        except (TypeError, ValueError):
            raise TypeError("Cannot serialise attr %r value %r" % (name, value)) from None
    return a


def _s(v, keep_bytes):
    if keep_bytes:
        return v
    try:
        return v.decode("utf-8")
    except UnicodeDecodeError:
        return v


def attr_value_to_python(attr_value, name=""):
    """AttrValue -> the Python value stored on an Operation (see module docstring)."""
    which = attr_value.WhichOneof("value")
    keep = name.startswith("_")
    if which is None:
        return []
    if which == "s":
        return _s(attr_value.s, keep)
    if which == "i":
        return int(attr_value.i)
    if which == "f":
        return float(attr_value.f)
    if which == "b":
        return bool(attr_value.b)
    if which == "type":
        return dtypes.as_dtype(attr_value.type)
    if which == "shape":
        return shape_from_proto(attr_value.shape)
    if which == "tensor":
        return tensor_proto_to_ndarray(attr_value.tensor)
    if which == "func":
        return attr_value.func
    if which == "placeholder":
        raise ValueError("Attr %r is a function placeholder (%s); not supported" % (
            name, attr_value.placeholder))
    lst = attr_value.list
    if len(lst.s):
        return [_s(v, keep) for v in lst.s]
    if len(lst.i):
        return [int(v) for v in lst.i]
    if len(lst.f):
        return [float(v) for v in lst.f]
    if len(lst.b):
        return [bool(v) for v in lst.b]
    if len(lst.type):
        return [dtypes.as_dtype(v) for v in lst.type]
    if len(lst.shape):
        return [shape_from_proto(v) for v in lst.shape]
    if len(lst.tensor):
        return [tensor_proto_to_ndarray(v) for v in lst.tensor]
    if len(lst.func):
        return list(lst.func)
    return []


# ------------------------------------------------------------------- graphs
def op_to_node_def(op):
    """The NodeDef of an Operation (name, op, inputs, device, attrs with TF's names)."""
    nd = node_def_pb2.NodeDef(name=op.name, op=op.type)
    for t in op._inputs:
        nd.input.append(t._as_node_def_input())
    for c in op._control_inputs:
        nd.input.append("^" + c.name)
    if op._device:
        nd.device = op._device
    for k, v in op._attrs.items():
        a = python_to_attr_value(v, k)
        if a is not None:
            nd.attr[k].CopyFrom(a)
    return nd


def graph_to_graph_def(graph, add_shapes=False):
    """GraphDef of `graph` (nodes in creation order, TF's versions; `_output_shapes` when
    add_shapes)."""
    gd = graph_pb2.GraphDef()
    gd.versions.CopyFrom(graph.graph_def_versions)
    for op in graph.get_operations():
        nd = gd.node.add()
        nd.CopyFrom(op_to_node_def(op))
        if add_shapes:
            lst = nd.attr["_output_shapes"].list
            lst.SetInParent()
            for t in op._outputs:
                lst.shape.add().CopyFrom(shape_to_proto(t.shape))
    lib = getattr(graph, "_functions", None)
    if lib:
        for f in lib.values():
            fdef = f if hasattr(f, "signature") else getattr(f, "definition", None)
            if fdef is not None and hasattr(fdef, "SerializeToString"):
                gd.library.function.add().CopyFrom(fdef)
    return gd


def _parse_input(name):
    """'^a' -> ('a', -1); 'a:1' -> ('a', 1); 'a' -> ('a', 0)."""
    if name.startswith("^"):
        return name[1:], -1
    op, sep, idx = name.rpartition(":")
    if sep and idx.isdigit():
        return op, int(idx)
    return name, 0


def _canon(name):
    if name.startswith("^"):
        return name
    op, idx = _parse_input(name)
    return "%s:%d" % (op, idx)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Imports a GraphDef into the default graph (tf.import_graph_def).

    Nodes are named `<name>/<node name>` (`name` defaults to "import"; "" for no prefix);
    `input_map` maps GraphDef tensor names ("x:0" or "x", "^x" for control inputs) to
    Tensors/Operations of this graph; `return_elements` are names of tensors ("x:0") or ops
    ("x") to return. Unknown op types raise ValueError naming the node.
    """
    from tensorweave.framework import registry

    del op_dict, producer_op_list
    if isinstance(graph_def, (bytes, bytearray)):
        graph_def = graph_pb2.GraphDef.FromString(bytes(graph_def))
    if not isinstance(graph_def, graph_pb2.GraphDef):
        if hasattr(graph_def, "SerializeToString"):
            graph_def = graph_pb2.GraphDef.FromString(graph_def.SerializeToString())
        else:
            raise TypeError("graph_def must be a GraphDef proto.")
    input_map = dict(input_map or {})
    canon_map = {}
    for k, v in input_map.items():
        if not isinstance(k, str):
            raise TypeError("input_map must be a dictionary mapping strings to Tensor objects.")
        canon_map[_canon(k)] = v
    g = graph_lib.get_default_graph()
    nodes = list(graph_def.node)
    by_name = {}
    for nd in nodes:
        if nd.name in by_name:
            raise ValueError("Duplicate node name in graph def: '%s'" % nd.name)
        by_name[nd.name] = nd
    for nd in nodes:
        if nd.op not in registry._OPS:
            raise ValueError(
                "Node '%s' has op type '%s', which tensorweave does not implement (no OpDef "
                "registered for '%s'); the GraphDef cannot be imported." % (
                    nd.name, nd.op, nd.op))
    for k in canon_map:
        op_name = k.lstrip("^").rsplit(":", 1)[0] if not k.startswith("^") else k[1:]
        if op_name not in by_name:
            raise ValueError("Attempted to map inputs that were not found in graph_def: [%s]"
                             % k)
    order = _topo_order(nodes, by_name)
    for fdef in graph_def.library.function:
        # NOTE: FunctionDefs (If/While bodies) are kept by name; the control-flow kernels
        # turn them into function graphs when first run.
        g._functions.setdefault(fdef.signature.name, fdef)
    if name is None:
        name = "import"
    with g.as_default():
        saved_stack = g._name_stack
        if name:
            with g.name_scope(name) as scope:
                prefix = scope
        else:
            prefix = saved_stack + "/" if saved_stack else ""
        created = {}
        g._name_stack = ""
        try:
            for nd in order:
                created[nd.name] = _import_node(g, registry, nd, prefix, created, canon_map,
                                                by_name)
        finally:
            g._name_stack = saved_stack
    if return_elements is None:
        return None
    ret = []
    for r in return_elements:
        if ":" in r and not r.startswith("^"):
            op_name, idx = _parse_input(r)
            key = "%s:%d" % (op_name, idx)
            if key in canon_map and isinstance(canon_map[key], graph_lib.Tensor):
                ret.append(canon_map[key])
                continue
            op = created.get(op_name)
            if op is None:
                raise ValueError("Requested return_element %r not found in graph_def." % r)
            ret.append(op._outputs[idx])
        else:
            op = created.get(r)
            if op is None:
                raise ValueError("Requested return_element %r not found in graph_def." % r)
            ret.append(op)
    return ret


def _topo_order(nodes, by_name):
    indeg = {}
    users = {}
    for nd in nodes:
        deps = set()
        for i in nd.input:
            src, _ = _parse_input(i)
            if src not in by_name:
                raise ValueError("Node '%s': Unknown input node '%s'" % (nd.name, i))
            if nd.op in ("Merge", "RefMerge") and by_name[src].op in (
                    "NextIteration", "RefNextIteration"):
                continue  # back edge of a while loop
            deps.add(src)
        indeg[nd.name] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(nd.name)
    ready = [nd.name for nd in nodes if indeg[nd.name] == 0]
    ready.reverse()
    order = []
    while ready:
        n = ready.pop()
        order.append(by_name[n])
        for u in reversed(users.get(n, ())):
            indeg[u] -= 1
            if indeg[u] == 0:
                ready.append(u)
    if len(order) != len(nodes):
        stuck = sorted(n for n, d in indeg.items() if d > 0)[:5]
        raise ValueError("GraphDef has a cycle through nodes %s" % ", ".join(stuck))
    return order


def _import_node(g, registry, nd, prefix, created, canon_map, by_name):
    inputs = []
    control = []
    pending_back_edges = []
    for pos, i in enumerate(nd.input):
        key = _canon(i)
        src, idx = _parse_input(i)
        if key in canon_map:
            v = canon_map[key]
            if idx < 0:
                control.append(v.op if isinstance(v, graph_lib.Tensor) else v)
            else:
                if not isinstance(v, graph_lib.Tensor):
                    from tensorweave.framework import registry as _r

                    v = _r.convert_to_tensor(v)
                inputs.append(v)
            continue
        op = created.get(src)
        if op is None:  # a while-loop back edge; patched after its source exists
            pending_back_edges.append((len(inputs), src, idx))
            inputs.append(None)
            continue
        if idx < 0:
            control.append(op)
        else:
            if idx >= len(op._outputs):
                raise ValueError("Node '%s': input '%s' refers to output %d of '%s', which has "
                                 "%d outputs" % (nd.name, i, idx, src, len(op._outputs)))
            inputs.append(op._outputs[idx])
    if pending_back_edges:
        raise ValueError("Node '%s': while-loop back edges are not supported by "
                         "import_graph_def yet" % nd.name)
    attrs = {}
    output_shapes = None
    for k, v in nd.attr.items():
        if k == "_output_shapes":
            output_shapes = attr_value_to_python(v, k)
            continue
        val = attr_value_to_python(v, k)
        if k == "_class":
            val = [("loc:@" + prefix + x[5:].decode()).encode()
                   if isinstance(x, bytes) and x.startswith(b"loc:@") else x for x in val]
        attrs[k] = val
    opdef = registry._OPS[nd.op]
    for k, default in opdef.attrs.items():
        if k not in attrs and isinstance(default, registry._Sentinel) and \
                default is not registry.TYPE_LIST:
            # NOTE: TF fills missing attrs from the OpDef defaults; a required attr without
            # one means the GraphDef is malformed.
            if k not in _implied_attrs(opdef, inputs):
                raise ValueError("NodeDef '%s' (%s) is missing attr '%s'" % (nd.name, nd.op, k))
    for k, v in _implied_attrs(opdef, inputs).items():
        attrs.setdefault(k, v)
    full = prefix + nd.name
    key = full.lower()
    if full in g._nodes_by_name:
        raise ValueError("Duplicate node name in graph: '%s'" % full)
    g._names_in_use[key] = max(g._names_in_use.get(key, 0), 1)
    # NOTE: imported nodes keep exactly their own control inputs (none from open scopes).
    saved_cd = g._control_dependencies_stack
    g._control_dependencies_stack = []
    saved_dev = g._device_stack
    try:
        op = registry.create_op_raw(g, nd.op, inputs, None, full + "/", attrs)
    finally:
        g._control_dependencies_stack = saved_cd
    for c in control:
        op._add_control_input(c)
    if nd.device:
        op._device = nd.device
    elif saved_dev:
        op._device = g._apply_device(op)
    if output_shapes:
        for t, s in zip(op._outputs, output_shapes):
            try:
                t._shape = t._shape.merge_with(s)
            except ValueError:
                pass
    return op


def _implied_attrs(opdef, inputs):
    """Type/number attrs implied by the input tensors (for GraphDefs that omit them)."""
    out = {}
    pos = 0
    for arg in opdef.inputs:
        if arg.number_attr:
            # the number of inputs of this arg is not known without the attr; stop here
            break
        if arg.list_attr:
            break
        if pos < len(inputs) and inputs[pos] is not None and arg.type_attr:
            out.setdefault(arg.type_attr, inputs[pos].dtype.base_dtype)
        pos += 1
    return out
