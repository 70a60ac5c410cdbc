"""Builds real protobuf message classes from a compact description, without .proto files.

TF's messages that tensorboard.compat.proto does not ship (Example, BundleEntryProto, ...) are
declared with TF's file names, package and field numbers, so their bytes, text format and full
names match TF's. If the default descriptor pool already holds a file of that name (real
TensorFlow imported first in the same process), its messages are reused instead of clashing.
"""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
OPTIONAL, REPEATED = F.LABEL_OPTIONAL, F.LABEL_REPEATED
TYPES = {
    "double": F.TYPE_DOUBLE, "float": F.TYPE_FLOAT, "int64": F.TYPE_INT64,
    "int32": F.TYPE_INT32, "bool": F.TYPE_BOOL, "string": F.TYPE_STRING,
    "bytes": F.TYPE_BYTES, "fixed32": F.TYPE_FIXED32,
}


def field(name, number, type_, repeated=False, oneof=None, packed=None):
    """Describes one field. `type_` is a scalar name from TYPES, `enum:.pkg.Name` or
    `.pkg.Message` (a fully qualified message name)."""
    return dict(name=name, number=number, type_=type_, repeated=repeated, oneof=oneof,
                packed=packed)


def message(name, fields, nested=(), maps=(), enums=()):
    """Describes a message; `maps` lists (field_name, number, value_type) map<string, V>;
    `enums` lists nested (enum name, [(value name, number), ...])."""
    return dict(name=name, fields=list(fields), nested=list(nested), maps=list(maps),
                enums=list(enums))


def _fill_enum(ed, ename, values):
    ed.name = ename
    for vname, num in values:
        ed.value.add(name=vname, number=num)


def _fill_field(fd, spec):
    fd.name = spec["name"]
    fd.number = spec["number"]
    fd.label = REPEATED if spec["repeated"] else OPTIONAL
    t = spec["type_"]
    if t in TYPES:
        fd.type = TYPES[t]
    elif t.startswith("enum:"):
        fd.type = F.TYPE_ENUM
        fd.type_name = t[5:]
    else:
        fd.type = F.TYPE_MESSAGE
        fd.type_name = t
    if spec["packed"] is not None:
        fd.options.packed = spec["packed"]


def _fill_message(md, spec, scope):
    md.name = spec["name"]
    full = scope + "." + spec["name"]
    oneofs = []
    for f in spec["fields"]:
        fd = md.field.add()
        _fill_field(fd, f)
        if f["oneof"] is not None:
            if f["oneof"] not in oneofs:
                oneofs.append(f["oneof"])
                md.oneof_decl.add().name = f["oneof"]
            fd.oneof_index = oneofs.index(f["oneof"])
    for fname, number, vtype in spec["maps"]:
        entry = "".join(p.capitalize() for p in fname.split("_")) + "Entry"
        nd = md.nested_type.add()
        nd.name = entry
        nd.options.map_entry = True
        _fill_field(nd.field.add(), field("key", 1, "string"))
        _fill_field(nd.field.add(), field("value", 2, vtype))
        _fill_field(md.field.add(), field(fname, number, full + "." + entry, repeated=True))
    for n in spec["nested"]:
        _fill_message(md.nested_type.add(), n, full)
    for ename, values in spec["enums"]:
        _fill_enum(md.enum_type.add(), ename, values)


def build_file(name, package, messages, deps=(), enums=()):
    """Registers a proto file in the default pool and returns {message name: class}.

    `deps` are pb2 modules (or file names) whose types the fields refer to; `enums` lists
    (enum name, [(value name, number), ...]) declared at file level.
    """
    pool = descriptor_pool.Default()
    try:
        fdesc = pool.FindFileByName(name)
    except KeyError:
        fp = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3")
        for d in deps:
            fp.dependency.append(d if isinstance(d, str) else d.DESCRIPTOR.name)
        for ename, values in enums:
            _fill_enum(fp.enum_type.add(), ename, values)
        for spec in messages:
            _fill_message(fp.message_type.add(), spec, "." + package)
        fdesc = pool.AddSerializedFile(fp.SerializeToString())
    return {n: message_factory.GetMessageClass(d) for n, d in fdesc.message_types_by_name.items()}
