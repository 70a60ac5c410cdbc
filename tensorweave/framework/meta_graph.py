"""MetaGraphDef export and import (tf.train.export_meta_graph / import_meta_graph).

A MetaGraphDef is the GraphDef plus the SaverDef, the graph's collections (variables as
VariableDef protos, ops and tensors by name, strings, ints, floats), signatures and assets.
Files are read as binary protos (text format when that fails); nothing in them is evaluated.
"""
import os

from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2
from tensorboard.compat.proto import meta_graph_pb2
from tensorboard.compat.proto import op_def_pb2
from tensorboard.compat.proto import saver_pb2
from tensorboard.compat.proto import variable_pb2

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import graph_io

MetaGraphDef = meta_graph_pb2.MetaGraphDef

VARIABLE_COLLECTIONS = frozenset([
    graph_lib.GraphKeys.GLOBAL_VARIABLES, graph_lib.GraphKeys.TRAINABLE_VARIABLES,
    graph_lib.GraphKeys.MOVING_AVERAGE_VARIABLES, graph_lib.GraphKeys.LOCAL_VARIABLES,
    graph_lib.GraphKeys.MODEL_VARIABLES, graph_lib.GraphKeys.METRIC_VARIABLES])
_TF_VERSION = "1.15.5"


# ------------------------------------------------------------------- OpDefs
def op_def_to_proto(opdef):
    """Our registry OpDef as TF's OpDef proto (names, arg types, attrs with defaults)."""
    from tensorweave.framework import registry

    p = op_def_pb2.OpDef(name=opdef.type)

    def arg(dst, a):
        x = dst.add(name=a.name, is_ref=a.is_ref)
        if a.fixed is not None:
            x.type = a.fixed.as_datatype_enum
        if a.type_attr:
            x.type_attr = a.type_attr
        if a.number_attr:
            x.number_attr = a.number_attr
        if a.list_attr:
            x.type_list_attr = a.list_attr

    for a in opdef.inputs:
        arg(p.input_arg, a)
    for a in opdef.outputs:
        arg(p.output_arg, a)
    for k, v in opdef.attrs.items():
        at = p.attr.add(name=k)
        if v is registry.TYPE or isinstance(v, dtypes.DType):
            at.type = "type"
        elif v is registry.TYPE_LIST:
            at.type = "list(type)"
        elif v is registry.INT or isinstance(v, bool) is False and isinstance(v, int):
            at.type = "int"
        elif isinstance(v, bool):
            at.type = "bool"
        elif isinstance(v, float):
            at.type = "float"
        elif isinstance(v, str):
            at.type = "string"
        elif isinstance(v, list):
            at.type = "list(int)" if all(isinstance(i, int) for i in v) else "list(string)"
        elif k.endswith("shape"):
            at.type = "shape"
        else:
            at.type = "tensor" if k == "value" else "string"
        if not isinstance(v, registry._Sentinel) and v is not None:
            dv = graph_io.python_to_attr_value(v, k)
            if dv is not None:
                at.default_value.CopyFrom(dv)
    return p


def stripped_op_list_for_graph(graph_def):
    """OpList of the op types a GraphDef uses (MetaInfoDef.stripped_op_list)."""
    from tensorweave.framework import registry

    used = sorted(set(n.op for n in graph_def.node))
    lst = op_def_pb2.OpList()
    for t in used:
        od = registry._OPS.get(t)
        if od is not None:
            lst.op.add().CopyFrom(op_def_to_proto(od))
    return lst


# ------------------------------------------------------------------- export
def _strip_scope(name, scope):
    if not scope:
        return name
    if name.startswith("^"):
        return "^" + _strip_scope(name[1:], scope)
    if name.startswith("loc:@"):
        return "loc:@" + _strip_scope(name[5:], scope)
    return name[len(scope):] if name.startswith(scope) else name


def _add_collection(mgd, graph, key, export_scope):
    items = graph.get_collection(key)
    if not items:
        return
    cd = meta_graph_pb2.CollectionDef()
    kind = None
    for v in items:
        if key in VARIABLE_COLLECTIONS and hasattr(v, "to_proto"):
            proto = v.to_proto(export_scope=export_scope)
            if proto is None:
                continue
            cd.bytes_list.value.append(proto.SerializeToString())
            kind = "bytes"
        elif isinstance(v, graph_lib.Operation) or isinstance(v, graph_lib.Tensor):
            if export_scope and not v.name.startswith(export_scope):
                continue
            cd.node_list.value.append(_strip_scope(v.name, export_scope))
            kind = "node"
        elif hasattr(v, "to_proto") and hasattr(v.to_proto(), "SerializeToString"):
            proto = v.to_proto(export_scope=export_scope) if export_scope else v.to_proto()
            if proto is None:
                continue
            cd.bytes_list.value.append(proto.SerializeToString())
            kind = "bytes"
        elif isinstance(v, (bytes, str)):
            cd.bytes_list.value.append(v.encode() if isinstance(v, str) else v)
            kind = "bytes"
        elif isinstance(v, bool):
            return  # as TF: collections it cannot serialise are skipped
        elif isinstance(v, int):
            cd.int64_list.value.append(v)
            kind = "int"
        elif isinstance(v, float):
            cd.float_list.value.append(v)
            kind = "float"
        else:
            return
    if kind is not None:
        mgd.collection_def[key].CopyFrom(cd)


def create_meta_graph_def(meta_info_def=None, graph_def=None, saver_def=None,
                          collection_list=None, graph=None, export_scope=None,
                          exclude_nodes=None, clear_extraneous_savers=False,
                          strip_default_attrs=False):
    """Builds a MetaGraphDef of `graph` (default: the default graph)."""
    graph = graph or graph_lib.get_default_graph()
    mgd = MetaGraphDef()
    if meta_info_def is not None:
        mgd.meta_info_def.CopyFrom(meta_info_def)
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    if export_scope:
        export_scope = export_scope.rstrip("/") + "/"
        gd = graph_pb2.GraphDef()
        gd.versions.CopyFrom(graph_def.versions)
        gd.library.CopyFrom(graph_def.library)
        for n in graph_def.node:
            if not n.name.startswith(export_scope):
                continue
            m = gd.node.add()
            m.CopyFrom(n)
            m.name = _strip_scope(n.name, export_scope)
            del m.input[:]
            m.input.extend(_strip_scope(i, export_scope) for i in n.input)
            if "_class" in m.attr:
                vals = [_strip_scope(s.decode(), export_scope).encode()
                        for s in m.attr["_class"].list.s]
                del m.attr["_class"].list.s[:]
                m.attr["_class"].list.s.extend(vals)
        graph_def = gd
    mgd.graph_def.CopyFrom(graph_def)
    if not mgd.meta_info_def.tensorflow_version:
        mgd.meta_info_def.tensorflow_version = _TF_VERSION
        mgd.meta_info_def.tensorflow_git_version = "tensorweave"
    mgd.meta_info_def.stripped_op_list.CopyFrom(stripped_op_list_for_graph(graph_def))
    if saver_def is not None:
        mgd.saver_def.CopyFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        if key == graph_lib.GraphKeys.SAVERS and clear_extraneous_savers:
            continue
        _add_collection(mgd, graph, key, export_scope)
    return mgd


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, **kwargs):
    """tf.train.export_meta_graph: returns the MetaGraphDef and writes it to `filename`."""
    graph = graph or graph_lib.get_default_graph()
    if saver_def is None:
        savers = graph.get_collection(graph_lib.GraphKeys.SAVERS)
        if savers and hasattr(savers[0], "saver_def"):
            saver_def = savers[0].saver_def
    mgd = create_meta_graph_def(meta_info_def, graph_def, saver_def, collection_list, graph,
                                export_scope, clear_extraneous_savers=clear_extraneous_savers,
                                strip_default_attrs=strip_default_attrs)
    if clear_devices:
        for n in mgd.graph_def.node:
            n.device = ""
    if filename:
        write_proto(filename, mgd, as_text)
    return mgd


def write_proto(path, proto, as_text=False):
    """Writes a proto atomically (temporary file + rename)."""
    path = os.fspath(path)
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    tmp = path + ".tmp%d" % os.getpid()
    data = text_format.MessageToString(proto).encode() if as_text else \
        proto.SerializeToString()
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_meta_graph_file(filename):
    """Reads a MetaGraphDef (binary, else text format)."""
    filename = os.fspath(filename)
    if not os.path.exists(filename):
        raise IOError("File %s does not exist." % filename)
    with open(filename, "rb") as f:
        data = f.read()
    mgd = MetaGraphDef()
    try:
        mgd.ParseFromString(data)
        return mgd
    except Exception:  # noqa: BLE001 - fall back to text format as TF does
        pass
    try:
        text_format.Merge(data.decode("utf-8"), mgd)
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise IOError("Cannot parse file %s: %s." % (filename, e))
    return mgd


# ------------------------------------------------------------------- import
def _scoped(name, scope):
    return scope + name if scope else name


def import_scoped_meta_graph(meta_graph_or_file, clear_devices=False, graph=None,
                             import_scope=None, input_map=None, unbound_inputs_col_name=None,
                             restore_collections_predicate=lambda key: True,
                             return_elements=None):
    """Imports graph and collections; returns {variable name: Variable} (as TF's
    import_scoped_meta_graph) and the element list when return_elements is given."""
    if isinstance(meta_graph_or_file, MetaGraphDef):
        mgd = meta_graph_or_file
    elif hasattr(meta_graph_or_file, "SerializeToString") and hasattr(
            meta_graph_or_file, "graph_def"):
        mgd = MetaGraphDef.FromString(meta_graph_or_file.SerializeToString())
    else:
        mgd = read_meta_graph_file(meta_graph_or_file)
    graph = graph or graph_lib.get_default_graph()
    gd = graph_pb2.GraphDef()
    gd.CopyFrom(mgd.graph_def)
    if clear_devices:
        for n in gd.node:
            n.device = ""
    scope = ""
    with graph.as_default():
        if import_scope:
            with graph.name_scope(import_scope.rstrip("/")) as s:
                scope = s
        ret = graph_io.import_graph_def(gd, input_map=input_map, name=scope or "",
                                        return_elements=return_elements)
        _restore_collections(mgd, graph, scope, restore_collections_predicate)
    var_objs = {}
    for v in graph.get_collection(graph_lib.GraphKeys.GLOBAL_VARIABLES):
        if hasattr(v, "op") and (not scope or v.op.name.startswith(scope)):
            var_objs[v.op.name[len(scope):]] = v
    return (var_objs, ret) if return_elements is not None else var_objs


def _restore_collections(mgd, graph, scope, predicate):
    from tensorweave.ops import resource_variable_ops as rv

    made_vars = {}
    for key in sorted(mgd.collection_def):
        if not predicate(key):
            continue
        cd = mgd.collection_def[key]
        kind = cd.WhichOneof("kind")
        if kind == "node_list":
            for name in cd.node_list.value:
                try:
                    graph.add_to_collection(key, graph.as_graph_element(_scoped(name, scope)))
                except (KeyError, ValueError):
                    pass
        elif kind == "bytes_list":
            if key in VARIABLE_COLLECTIONS:
                for raw in cd.bytes_list.value:
                    vd = variable_pb2.VariableDef.FromString(raw)
                    var_name = _scoped(vd.variable_name, scope)
                    v = made_vars.get(var_name)
                    if v is None:
                        v = rv.variable_from_proto(vd, import_scope=scope.rstrip("/") or None)
                        made_vars[var_name] = v
                    graph.add_to_collection(key, v)
            elif key == graph_lib.GraphKeys.SAVERS:
                from tensorweave.training import saver as saver_lib

                for raw in cd.bytes_list.value:
                    sd = saver_pb2.SaverDef.FromString(raw)
                    graph.add_to_collection(key, saver_lib.Saver.from_proto(
                        sd, import_scope=scope.rstrip("/") or None))
            else:
                for raw in cd.bytes_list.value:
                    graph.add_to_collection(key, raw)
        elif kind == "int64_list":
            for v in cd.int64_list.value:
                graph.add_to_collection(key, int(v))
        elif kind == "float_list":
            for v in cd.float_list.value:
                graph.add_to_collection(key, float(v))


def import_meta_graph_with_saver(meta_graph_or_file, clear_devices=False, import_scope=None,
                                 **kwargs):
    """tf.train.import_meta_graph: imports the meta graph and returns a Saver for it (from its
    SaverDef; or a new Saver when it has variables but no SaverDef; else None)."""
    from tensorweave.training import saver as saver_lib

    if isinstance(meta_graph_or_file, MetaGraphDef):
        mgd = meta_graph_or_file
    else:
        mgd = read_meta_graph_file(meta_graph_or_file)
    return_elements = kwargs.pop("return_elements", None)
    res = import_scoped_meta_graph(mgd, clear_devices=clear_devices, import_scope=import_scope,
                                   return_elements=return_elements, **kwargs)
    if mgd.HasField("saver_def"):
        saver = saver_lib.Saver.from_proto(mgd.saver_def, import_scope=import_scope)
    else:
        g = graph_lib.get_default_graph()
        if g.get_collection(graph_lib.GraphKeys.GLOBAL_VARIABLES) or g.get_collection(
                graph_lib.GraphKeys.SAVEABLE_OBJECTS):
            saver = saver_lib.Saver()
        else:
            saver = None
    if return_elements is not None:
        return saver, res[1]
    return saver
