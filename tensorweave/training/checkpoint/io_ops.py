"""TF's checkpoint ops: SaveV2, RestoreV2, MergeV2Checkpoints, ShardedFilename, ShardedFilespec.

Their kernels read and write V2 tensor bundles through `tensorweave.formats.tensor_bundle`;
they take the file prefix as a string tensor at run time, exactly as TF's kernels do, so a
Saver's graph (and a MetaGraph imported from TF) drives them unchanged.
"""
import difflib
import os

import numpy as np

from tensorweave.formats import tensor_bundle
from tensorweave.framework import dtypes
from tensorweave.framework import errors
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework.registry import TYPE_LIST, register_op


def _text(v):
    v = v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _texts(arr):
    return [_text(v) for v in np.asarray(arr, dtype=object).reshape(-1)]


def _check_slices(op, slices, n):
    sl = _texts(slices)
    if len(sl) != n:
        raise errors.InvalidArgumentError(
            None, op, "shape_and_slices has %d entries, tensor_names has %d" % (len(sl), n))
    if any(sl):
        raise errors.UnimplementedError(
            None, op, "Saving or restoring slices of tensors (partitioned variables: %s) is not "
            "supported yet" % [s for s in sl if s][:3])


# ------------------------------------------------------------------ SaveV2
def _save_factory(op, state):
    def _save(prefix, tensor_names, shape_and_slices, *tensors):
        names = _texts(tensor_names)
        if len(names) != len(tensors):
            raise errors.InvalidArgumentError(
                None, op, "Got %d tensor names but %d tensors" % (len(names), len(tensors)))
        _check_slices(op, shape_and_slices, len(names))
        path = _text(prefix)
        order = sorted(range(len(names)), key=lambda i: names[i].encode("utf-8"))
        with tensor_bundle.BundleWriter(path) as w:
            for i in order:
                w.add(names[i], tensors[i])
        return None

    return _save


register_op(
    "SaveV2", inputs=["prefix: string", "tensor_names: string", "shape_and_slices: string",
                      "tensors: dtypes"],
    outputs=[], attrs={"dtypes": TYPE_LIST}, shape_fn=lambda op: [],
    kernel_factory=_save_factory, stateful=True)


# --------------------------------------------------------------- RestoreV2
def _expected_shapes(op):
    """{output index: (variable name, static shape)} from the Assign ops consuming `op`."""
    out = {}
    for i, t in enumerate(op._outputs):
        for c in t._consumers:
            if c.type in ("Assign",) and c._inputs and c._inputs[1] is t and \
                    c._attrs.get("validate_shape", True):
                var_t = c._inputs[0]
                if var_t.shape.is_fully_defined():
                    out[i] = (var_t.op.name, var_t.shape.as_list())
    return out


def _near(name, keys):
    near = difflib.get_close_matches(name, keys, n=3, cutoff=0.5)
    return (" Names in the checkpoint close to it: %s." % ", ".join(near)) if near else ""


def _restore_factory(op, state):
    want = [dtypes.as_dtype(d).base_dtype for d in op._attrs["dtypes"]]
    shapes = _expected_shapes(op)

    def _restore(prefix, tensor_names, shape_and_slices):
        names = _texts(tensor_names)
        if len(names) != len(want):
            raise errors.InvalidArgumentError(
                None, op, "RestoreV2 expects %d tensor names, got %d" % (len(want), len(names)))
        _check_slices(op, shape_and_slices, len(names))
        path = _text(prefix)
        with tensor_bundle.BundleReader(path) as r:
            outs = []
            for i, (name, dt) in enumerate(zip(names, want)):
                if not r.has_tensor(name):
                    raise errors.NotFoundError(
                        None, op, "Key %s not found in checkpoint %s (the graph expects a "
                        "variable named '%s'; the checkpoint holds %d tensors).%s" % (
                            name, path, name, len(r.keys()), _near(name, r.keys())))
                got_dt, got_shape = r.dtype_and_shape(name)
                if got_dt != dt:
                    raise errors.InvalidArgumentError(
                        None, op, "tensor_name = %s; expected dtype %s does not equal original "
                        "dtype %s (the graph's variable is %s, the checkpoint's tensor is %s)"
                        % (name, _tf_type_name(dt), _tf_type_name(got_dt), dt.name,
                           got_dt.name))
                exp = shapes.get(i)
                if exp is not None and list(exp[1]) != list(got_shape):
                    raise errors.InvalidArgumentError(
                        None, op, "Assign requires shapes of both tensors to match. lhs shape= "
                        "%s rhs shape= %s (variable '%s' has shape %s in the graph; tensor '%s' "
                        "has shape %s in checkpoint %s)" % (
                            _fmt(exp[1]), _fmt(got_shape), exp[0], _fmt(exp[1]), name,
                            _fmt(got_shape), path))
                outs.append(r.lookup(name))
        return tuple(outs) if len(outs) != 1 else outs[0]

    return _restore


def _fmt(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


def _tf_type_name(dt):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dt.name, dt.name)


def _restore_shape_fn(op):
    return [tensor_shape.unknown_shape() for _ in op._outputs]


register_op(
    "RestoreV2", inputs=["prefix: string", "tensor_names: string",
                         "shape_and_slices: string"],
    outputs=["tensors: dtypes"], attrs={"dtypes": TYPE_LIST}, shape_fn=_restore_shape_fn,
    kernel_factory=_restore_factory, stateful=True)


# -------------------------------------------------------- sharded checkpoints
def _sharded_filename(basename, shard, num_shards):
    return np.array(("%s-%05d-of-%05d" % (_text(basename), int(shard),
                                          int(num_shards))).encode(), dtype=object)


register_op(
    "ShardedFilename", inputs=["basename: string", "shard: int32", "num_shards: int32"],
    outputs=["filename: string"], shape_fn=registry.scalar_shape, kernel=_sharded_filename,
    kernel_attrs=())


def _sharded_filespec(basename, num_shards):
    return np.array(("%s-?????-of-%05d" % (_text(basename), int(num_shards))).encode(),
                    dtype=object)


register_op(
    "ShardedFilespec", inputs=["basename: string", "num_shards: int32"],
    outputs=["filename: string"], shape_fn=registry.scalar_shape, kernel=_sharded_filespec,
    kernel_attrs=())


def _merge_factory(op, state):
    delete_old_dirs = bool(op._attrs.get("delete_old_dirs", True))
    allow_missing = bool(op._attrs.get("allow_missing_files", False))

    def _merge(checkpoint_prefixes, destination_prefix):
        prefixes = _texts(checkpoint_prefixes)
        dest = _text(destination_prefix)
        if allow_missing:
            prefixes = [p for p in prefixes if os.path.exists(p + ".index")]
        tensor_bundle.merge_bundles(prefixes, dest)
        if delete_old_dirs:
            for p in prefixes:
                d = os.path.dirname(p)
                if d and os.path.abspath(d) != os.path.abspath(os.path.dirname(dest) or "."):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
        return None

    return _merge


register_op(
    "MergeV2Checkpoints", inputs=["checkpoint_prefixes: string", "destination_prefix: string"],
    outputs=[], attrs={"delete_old_dirs": True, "allow_missing_files": False},
    shape_fn=lambda op: [], kernel_factory=_merge_factory, stateful=True)


# ------------------------------------------------- string ops the save graph uses
def _string_join(*inputs, separator=""):
    arrs = [np.asarray(a, dtype=object) for a in inputs]
    shape = np.broadcast_shapes(*[a.shape for a in arrs])
    out = np.empty(shape, dtype=object)
    flat = [np.broadcast_to(a, shape).reshape(-1) for a in arrs]
    sep = separator.encode() if isinstance(separator, str) else separator
    res = out.reshape(-1)
    for i in range(res.size):
        res[i] = sep.join(bytes(f[i]) for f in flat)
    return out


def _static_regex_full_match(x, pattern=""):
    import re

    rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
    arr = np.asarray(x, dtype=object)
    flat = [rx.fullmatch(bytes(v)) is not None for v in arr.reshape(-1)]
    return np.array(flat, dtype=np.bool_).reshape(arr.shape)


def ensure_string_ops():
    """Registers StringJoin / StaticRegexFullMatch (TF's save-graph string ops) unless the
    string-ops library already did. Called when a graph that needs them is built or
    imported, after every op module has registered its ops."""
    ops = registry._OPS
    if "StringJoin" not in ops:
        register_op(
            "StringJoin", inputs=["inputs: N * string"], outputs=["output: string"],
            attrs={"N": registry.INT, "separator": ""},
            shape_fn=lambda op: [_broadcast_static([t.shape for t in op.inputs])],
            kernel=_string_join, kernel_attrs=("separator",))
    if "StaticRegexFullMatch" not in ops:
        register_op(
            "StaticRegexFullMatch", inputs=["input: string"], outputs=["output: bool"],
            attrs={"pattern": registry.REQUIRED}, shape_fn=registry.unchanged_shape,
            kernel=_static_regex_full_match, kernel_attrs=("pattern",))


def _broadcast_static(shapes):
    out = tensor_shape.TensorShape([])
    for s in shapes:
        if s.ndims is None:
            return tensor_shape.unknown_shape()
        if s.ndims:
            out = s
    return out
