"""tf.train.Example parsing (ParseExampleV2, ParseSequenceExampleV2), DecodeRaw, DecodeCSV,
StringToNumber.

Feature specs as TF1: FixedLenFeature(shape, dtype, default_value), VarLenFeature(dtype) (a
tf.SparseTensor), FixedLenSequenceFeature(shape, dtype, allow_missing, default_value).
Outputs come sparse first then dense, each in sorted key order, as TF orders them.
"""
import collections

import numpy as np

from tensorweave import native
from tensorweave.formats import example_pb2
from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import INT, TYPE, TYPE_LIST, register_op

_S = tensor_shape.TensorShape
_KIND = {dtypes_lib.float32: "float_list", dtypes_lib.int64: "int64_list",
         dtypes_lib.string: "bytes_list"}
_KIND_NAME = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """Configuration for parsing a variable-length input feature (a SparseTensor)."""


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """Configuration for parsing a fixed-length input feature."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """Configuration for parsing a variable-length input feature into a dense Tensor."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class SparseFeature(collections.namedtuple("SparseFeature", [
        "index_key", "value_key", "dtype", "size", "already_sorted"])):
    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


# ================================================================== kernels
def _values(feature, kind, key, dtype):
    which = feature.WhichOneof("kind")
    if which is None:
        return None
    if which != kind:
        raise errors.InvalidArgumentError(
            None, None, "Name: <unknown>, Feature: %s.  Data types don't match. Data type: %s "
            "but expected type: %s" % (key, _KIND_NAME[which], _KIND_NAME[kind]))
    vals = getattr(feature, which).value
    if kind == "bytes_list":
        a = np.empty(len(vals), dtype=object)
        a[:] = list(vals)
        return a
    return np.asarray(vals, dtype=dtype.np_dtype)


def _parse_one(data):
    ex = example_pb2.Example()
    try:
        ex.ParseFromString(bytes(data))
    except Exception:
        raise errors.InvalidArgumentError(None, None, "Could not parse example input, value: "
                                          "'%r'" % (bytes(data)[:40],))
    return ex.features.feature


def _dense_from(vals, key, dshape, dtype, default, batch_pos):
    """One example's dense value; dshape's first dim may be -1 (variable)."""
    shape = [int(d) for d in dshape]
    if shape and shape[0] == -1:
        inner = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        if vals is None:
            vals = np.zeros(0, dtype=dtype.np_dtype) if dtype != dtypes_lib.string else \
                np.empty(0, dtype=object)
        if inner and vals.size % inner:
            raise errors.InvalidArgumentError(
                None, None, "Name: <unknown>, Key: %s, Index: %d.  Number of float values is "
                "not a multiple of stride length. Saw %d values, expected a multiple of %d" % (
                    key, batch_pos, vals.size, inner))
        return vals.reshape([-1] + shape[1:])
    n = int(np.prod(shape)) if shape else 1
    if vals is None:
        if default is None or default.size == 0:
            raise errors.InvalidArgumentError(
                None, None, "Name: <unknown>, Feature: %s (data type: %s) is required but "
                "could not be found." % (key, _KIND_NAME[_KIND[dtype]]))
        return np.broadcast_to(default.reshape(-1) if default.size == n else default,
                               (n,)).reshape(shape) if default.size in (1, n) else \
            default.reshape(shape)
    if vals.size != n:
        raise errors.InvalidArgumentError(
            None, None, "Name: <unknown>, Key: %s, Index: %d.  Number of %s values != "
            "expected.  Values size: %d but output shape: [%s]" % (
                key, batch_pos, _KIND_NAME[_KIND[dtype]], vals.size,
                ",".join(str(d) for d in shape)))
    return vals.reshape(shape)


def _pad_stack(parts, dtype, default):
    maxlen = max((p.shape[0] for p in parts), default=0)
    rest = parts[0].shape[1:] if parts else ()
    fill = default.reshape(-1)[0] if default is not None and default.size else (
        b"" if dtype == dtypes_lib.string else 0)
    out = np.full((len(parts), maxlen) + tuple(rest), fill, dtype=dtype.np_dtype)
    for i, p in enumerate(parts):
        out[i, :p.shape[0]] = p
    return out


def _parse_example_kernel(*args, **attrs):
    r = _parse_example_impl(*args, **attrs)
    return r[0] if len(r) == 1 else r


_NATIVE_KIND = {dtypes_lib.string: 0, dtypes_lib.float32: 1, dtypes_lib.int64: 2}


def _native_cfg(keys, dtypes, shapes):
    return (keys, dtypes, shapes, tuple(int(np.prod(sh)) if sh else 1 for sh in shapes),
            bytes(_NATIVE_KIND[dt] for dt in dtypes), tuple(k.encode() for k in keys),
            [None if dt == dtypes_lib.string else dt.np_dtype for dt in dtypes])


def _parse_dense_native(records, keys, dtypes, shapes, defaults, cfg=None):
    """Dense features of serialized Examples with the C parser: a list of [B] + shape arrays,
    or None where the Python parser must run (C kernels not built, malformed data, type or
    size mismatches, a missing feature without default: the Python parser then raises)."""
    m = native.load("_example")
    if m is None:
        return None
    if cfg is None:
        cfg = _native_cfg(keys, dtypes, shapes)
    keys, dtypes, shapes, sizes, kinds, bkeys, np_dts = cfg
    b = len(records)
    outs = tuple(None if nd is None else np.empty((b, n), nd) for nd, n in zip(np_dts, sizes))
    missing = np.empty((b, len(keys)), np.uint8)
    got = m.parse_dense(records, bkeys, kinds, sizes, outs, missing)
    if got is None:
        return None
    res = []
    any_missing = missing.any()
    for j, (nd, shp, n) in enumerate(zip(np_dts, shapes, sizes)):
        if nd is None:
            arr = np.empty(b * n, dtype=object)
            arr[:] = got[j]
            arr = arr.reshape(b, n)
        else:
            arr = outs[j]
        if any_missing:
            miss = missing[:, j].view(bool)
            if miss.any():
                default = np.asarray(defaults[j])
                if default.size == 0 or default.size not in (1, n):
                    return None
                arr[miss] = default.reshape(-1)
        res.append(arr.reshape([b] + shp))
    return res


_CFG_CACHE = {}


def _native_config(dense_keys, dense_shapes, Tdense):
    """The C parser's configuration for a ParseExampleV2's dense keys, shapes and types, or
    None when it cannot take them. Cached per attribute objects (a plan passes the same ones
    on every run), keeping them alive so their ids stay unique."""
    ck = (id(dense_keys), id(dense_shapes), id(Tdense))
    hit = _CFG_CACHE.get(ck)
    if hit is not None and hit[0] is dense_keys and hit[1] is dense_shapes and \
            hit[2] is Tdense:
        return hit[3]
    cfg = None
    shapes = [_shape_list(sh) for sh in dense_shapes]
    dts = [dtypes_lib.as_dtype(d) for d in Tdense]
    if dts and all(d >= 0 for sh in shapes for d in sh) and all(d in _NATIVE_KIND for d in dts):
        keys = [_decode(k) for k in np.asarray(dense_keys).reshape(-1)]
        if len(keys) == len(dts):
            cfg = _native_cfg(keys, dts, shapes)
    if len(_CFG_CACHE) > 256:
        _CFG_CACHE.clear()
    _CFG_CACHE[ck] = (dense_keys, dense_shapes, Tdense, cfg)
    return cfg


def _parse_example_impl(serialized, names, sparse_keys, dense_keys, ragged_keys,
                          *dense_defaults, num_sparse=0, sparse_types=(), dense_shapes=(),
                          Tdense=(), ragged_value_types=(), ragged_split_types=()):
    ser = np.asarray(serialized)
    scalar = ser.ndim == 0
    if not num_sparse and ser.ndim <= 1 and Tdense:
        cfg = _native_config(dense_keys, dense_shapes, Tdense)
        if cfg is not None:
            records = [ser[()]] if scalar else ser.tolist()
            dense = _parse_dense_native(records, None, None, None, dense_defaults, cfg)
            if dense is not None:
                return tuple(d[0, ...] for d in dense) if scalar else tuple(dense)
    records = [ser[()]] if scalar else list(ser.reshape(-1))
    feats = [_parse_one(r) for r in records]
    skeys = [_decode(k) for k in np.asarray(sparse_keys).reshape(-1)]
    dkeys = [_decode(k) for k in np.asarray(dense_keys).reshape(-1)]
    sp_idx, sp_val, sp_shape = [], [], []
    for key, dt in zip(skeys, sparse_types):
        dt = dtypes_lib.as_dtype(dt)
        kind = _KIND[dt]
        idx_parts, val_parts = [], []
        maxlen = 0
        for b, f in enumerate(feats):
            v = _values(f[key], kind, key, dt) if key in f else None
            if v is None or v.size == 0:
                continue
            n = v.size
            maxlen = max(maxlen, n)
            ar = np.arange(n, dtype=np.int64)
            idx_parts.append(ar[:, None] if scalar else np.stack(
                [np.full(n, b, dtype=np.int64), ar], axis=1))
            val_parts.append(v)
        rank = 1 if scalar else 2
        sp_idx.append(np.concatenate(idx_parts) if idx_parts else
                      np.zeros((0, rank), dtype=np.int64))
        if val_parts:
            sp_val.append(np.concatenate(val_parts).astype(dt.np_dtype, copy=False))
        else:
            sp_val.append(np.zeros(0, dtype=dt.np_dtype) if dt != dtypes_lib.string else
                          np.empty(0, dtype=object))
        sp_shape.append(np.asarray([maxlen] if scalar else [len(feats), maxlen],
                                   dtype=np.int64))
    dense = []
    for key, dt, dshape, default in zip(dkeys, Tdense, dense_shapes, dense_defaults):
        dt = dtypes_lib.as_dtype(dt)
        kind = _KIND[dt]
        shp = _shape_list(dshape)
        if scalar and not (shp and shp[0] == -1):
            # NOTE: the common single-example path, without per-batch stacking.
            f = feats[0]
            v = _values(f[key], kind, key, dt) if key in f else None
            dense.append(_dense_from(v, key, shp, dt, np.asarray(default), 0))
            continue
        parts = []
        for b, f in enumerate(feats):
            v = _values(f[key], kind, key, dt) if key in f else None
            parts.append(_dense_from(v, key, shp, dt, np.asarray(default), b))
        if shp and shp[0] == -1:
            out = _pad_stack(parts, dt, np.asarray(default))
        else:
            out = np.stack(parts).astype(dt.np_dtype, copy=False) if parts else np.zeros(
                [0] + shp, dtype=dt.np_dtype)
        dense.append(out[0] if scalar else out)
    return tuple(sp_idx + sp_val + sp_shape + dense)


def _shape_list(s):
    if isinstance(s, tensor_shape.TensorShape):
        if s.ndims is None:
            return []
        return [-1 if d is None else int(d) for d in s.as_list()]
    return [int(d) for d in s]


def _decode(k):
    return k.decode() if isinstance(k, bytes) else str(k)


def _parse_example_shape(op):
    a = op._attrs
    ns = int(a.get("num_sparse", 0))
    ser = op.inputs[0].shape
    scalar = ser.ndims == 0
    batch = None if scalar or ser.ndims is None else ser.as_list()[0]
    rank = 1 if scalar else 2
    out = [_S([None, rank])] * ns + [_S([None])] * ns + [_S([rank])] * ns
    for s in a.get("dense_shapes") or []:
        dims = [None if d == -1 else d for d in _shape_list(s)]
        out.append(_S(dims) if scalar else _S([batch] + dims))
    return out


register_op("ParseExampleV2",
            inputs=["serialized: string", "names: string", "sparse_keys: string",
                    "dense_keys: string", "ragged_keys: string", "dense_defaults: Tdense"],
            outputs=["sparse_indices: num_sparse * int64", "sparse_values: sparse_types",
                     "sparse_shapes: num_sparse * int64", "dense_values: Tdense",
                     "ragged_values: ragged_value_types",
                     "ragged_row_splits: ragged_split_types"],
            attrs={"Tdense": TYPE_LIST, "num_sparse": INT, "sparse_types": [],
                   "ragged_value_types": [], "ragged_split_types": [], "dense_shapes": []},
            shape_fn=_parse_example_shape, kernel=_parse_example_kernel,
            kernel_attrs=("num_sparse", "sparse_types", "dense_shapes", "Tdense"))


def _features_split(features):
    sparse_keys, sparse_types, dense_keys, dense_types, dense_defaults, dense_shapes = \
        [], [], [], [], [], []
    for key in sorted(features):
        f = features[key]
        if isinstance(f, VarLenFeature):
            sparse_keys.append(key)
            sparse_types.append(dtypes_lib.as_dtype(f.dtype))
        elif isinstance(f, (FixedLenFeature, FixedLenSequenceFeature)):
            dense_keys.append(key)
            dense_types.append(dtypes_lib.as_dtype(f.dtype))
            shape = list(tensor_shape.as_shape(f.shape).as_list())
            if isinstance(f, FixedLenSequenceFeature):
                if not f.allow_missing:
                    raise ValueError("Unsupported: FixedLenSequenceFeature requires "
                                     "allow_missing to be True.")
                shape = [None] + shape
            dense_shapes.append(shape)
            dense_defaults.append(f.default_value)
        elif isinstance(f, SparseFeature):
            raise NotImplementedError("SparseFeature is not supported by tensorweave yet")
        else:
            raise ValueError("Unsupported feature type %r for key %r" % (type(f), key))
    return sparse_keys, sparse_types, dense_keys, dense_types, dense_defaults, dense_shapes


def _dense_default_tensor(default, dt, shape, key):
    from tensorweave.ops import array_ops

    if default is None:
        if shape and shape[0] is None:
            return array_ops.constant(b"" if dt == dtypes_lib.string else 0, dtype=dt,
                                      name="key_%s" % key)
        return array_ops.constant([], dtype=dt)
    t = registry.convert_to_tensor(default, dtype=dt, name="key_%s" % key)
    if shape and shape[0] is None:
        return t
    return array_ops.reshape(t, [d for d in shape])


def _parse_example_raw(serialized, features, names=None, name=None):
    from tensorweave.ops import array_ops

    with graph_lib.name_scope(name, "ParseExample", [serialized, names]):
        skeys, stypes, dkeys, dtypes_, ddefaults, dshapes = _features_split(features)
        defaults = [_dense_default_tensor(d, t, s, k)
                    for d, t, s, k in zip(ddefaults, dtypes_, dshapes, dkeys)]
        serialized = registry.convert_to_tensor(serialized, dtype=dtypes_lib.string,
                                                name="serialized")
        names_t = array_ops.constant([] if names is None else names, dtype=dtypes_lib.string)
        op = registry.apply_op(
            "ParseExampleV2", [serialized, names_t,
                               array_ops.constant(skeys, dtype=dtypes_lib.string),
                               array_ops.constant(dkeys, dtype=dtypes_lib.string),
                               array_ops.constant([], dtype=dtypes_lib.string), defaults],
            num_sparse=len(skeys), sparse_types=stypes,
            dense_shapes=[tensor_shape.as_shape(s) for s in dshapes])
        outs = op._outputs
        ns = len(skeys)
        result = {}
        for i, k in enumerate(skeys):
            result[k] = _sparse(outs[i], outs[ns + i], outs[2 * ns + i])
        for j, k in enumerate(dkeys):
            result[k] = outs[3 * ns + j]
        return result


def _fetchable_sparse_class():
    from tensorweave.ops import indexing

    global _FetchableSparse
    if _FetchableSparse is None:
        if hasattr(indexing.SparseTensor, "_tw_fetch_expand"):
            _FetchableSparse = indexing.SparseTensor
        else:
            class SparseTensor(indexing.SparseTensor):
                """tf.SparseTensor that Session.run fetches as a SparseTensorValue."""

                def _tw_fetch_expand(self):
                    return ([self._indices, self._values, self._dense_shape],
                            lambda v: indexing.SparseTensorValue(*v))

            _FetchableSparse = SparseTensor
    return _FetchableSparse


_FetchableSparse = None


def _sparse(indices, values, shape):
    cls = _fetchable_sparse_class()
    st = cls.__new__(cls)
    st._indices = indices
    st._values = values
    st._dense_shape = shape
    from tensorweave.framework import tensor_util

    st._dense_shape_default = tensor_util.constant_value_as_shape(shape)
    return st


def parse_example(serialized, features, name=None, example_names=None):
    """Parses a batch of serialized Example protos (dict of Tensors / SparseTensors)."""
    if not features:
        raise ValueError("Missing: features was %s." % features)
    return _parse_example_raw(serialized, features, example_names, name)


def parse_single_example(serialized, features, name=None, example_names=None):
    """Parses one serialized Example proto."""
    if not features:
        raise ValueError("Missing: features was %s." % features)
    with graph_lib.name_scope(name, "ParseSingleExample", [serialized, example_names]):
        return _parse_example_raw(serialized, features, example_names, None)


# ------------------------------------------------------------- sequences
def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one SequenceExample: (context dict, feature_list dict).

    NOTE: TF's ParseSequenceExampleV2 also has ragged outputs; ours has the dense and sparse
    ones (ragged features are not supported).
    """
    from tensorweave.ops import array_ops

    context_features = context_features or {}
    sequence_features = sequence_features or {}
    with graph_lib.name_scope(name, "ParseSingleSequenceExample", [serialized]):
        with graph_lib.name_scope(None, "ParseSequenceExample", [serialized]):
            c_sk, c_st, c_dk, c_dt, c_dd, c_ds = _features_split(context_features)
            f_sk, f_st, f_dk, f_dt, _, f_ds = _features_split(
                {k: (FixedLenSequenceFeature(v.shape, v.dtype, True, v.default_value)
                     if isinstance(v, FixedLenSequenceFeature) else v)
                 for k, v in sequence_features.items()})
            defaults = [_dense_default_tensor(d, t, s, k)
                        for d, t, s, k in zip(c_dd, c_dt, c_ds, c_dk)]
            s = registry.convert_to_tensor(serialized, dtype=dtypes_lib.string)

            def keys(ks):
                return array_ops.constant(ks, dtype=dtypes_lib.string)

            op = registry.apply_op(
                "ParseSequenceExampleV2",
                [s, array_ops.constant(example_name or "", dtype=dtypes_lib.string),
                 keys(c_sk), keys(c_dk), keys([]), keys(f_sk), keys(f_dk), keys([]),
                 array_ops.constant([True] * len(f_dk), dtype=dtypes_lib.bool,
                                    shape=[len(f_dk)]), defaults],
                Ncontext_sparse=len(c_sk), context_sparse_types=c_st,
                context_dense_shapes=[tensor_shape.as_shape(x) for x in c_ds],
                Nfeature_list_sparse=len(f_sk), Nfeature_list_dense=len(f_dk),
                feature_list_sparse_types=f_st, feature_list_dense_types=f_dt,
                feature_list_dense_shapes=[tensor_shape.as_shape(x[1:]) for x in f_ds])
            o = list(op._outputs)
            ncs, nfs, nfd, ncd = len(c_sk), len(f_sk), len(f_dk), len(c_dk)
            pos = 0

            def take(n):
                nonlocal pos
                r = o[pos:pos + n]
                pos += n
                return r

            ci, cv, cs, cd = take(ncs), take(ncs), take(ncs), take(ncd)
            fi, fv, fs, fd, _fl = take(nfs), take(nfs), take(nfs), take(nfd), take(nfd)
            context = {k: _sparse(ci[i], cv[i], cs[i]) for i, k in enumerate(c_sk)}
            context.update({k: cd[i] for i, k in enumerate(c_dk)})
            seq = {k: _sparse(fi[i], fv[i], fs[i]) for i, k in enumerate(f_sk)}
            seq.update({k: fd[i] for i, k in enumerate(f_dk)})
            return context, seq


def _parse_seq_kernel(serialized, debug_name, c_sparse_keys, c_dense_keys, c_ragged_keys,
                      f_sparse_keys, f_dense_keys, f_ragged_keys, f_missing_empty,
                      *context_dense_defaults, Ncontext_sparse=0, context_sparse_types=(),
                      Tcontext_dense=(), context_dense_shapes=(), Nfeature_list_sparse=0,
                      Nfeature_list_dense=0, feature_list_sparse_types=(),
                      feature_list_dense_types=(), feature_list_dense_shapes=()):
    ser = np.asarray(serialized).reshape(())[()]
    se = example_pb2.SequenceExample()
    try:
        se.ParseFromString(bytes(ser))
    except Exception:
        raise errors.InvalidArgumentError(None, None, "Could not parse SequenceExample")
    ctx = _parse_example_impl(
        np.asarray(example_pb2.Example(features=se.context).SerializeToString(), dtype=object),
        None, np.asarray(c_sparse_keys), np.asarray(c_dense_keys), None,
        *context_dense_defaults, num_sparse=Ncontext_sparse,
        sparse_types=context_sparse_types, dense_shapes=context_dense_shapes,
        Tdense=Tcontext_dense)
    fl = se.feature_lists.feature_list
    fsi, fsv, fss = [], [], []
    for key, dt in zip([_decode(k) for k in np.asarray(f_sparse_keys).reshape(-1)],
                       feature_list_sparse_types):
        dt = dtypes_lib.as_dtype(dt)
        rows = [(_values(f, _KIND[dt], key, dt)) for f in fl[key].feature] if key in fl else []
        idx, vals, maxlen = [], [], 0
        for t, v in enumerate(rows):
            if v is None or not v.size:
                continue
            maxlen = max(maxlen, v.size)
            idx.append(np.stack([np.full(v.size, t, np.int64), np.arange(v.size)], 1))
            vals.append(v)
        fsi.append(np.concatenate(idx) if idx else np.zeros((0, 2), np.int64))
        fsv.append(np.concatenate(vals) if vals else np.zeros(0, dt.np_dtype))
        fss.append(np.asarray([len(rows), maxlen], np.int64))
    fdv, fdl = [], []
    for key, dt, shp in zip([_decode(k) for k in np.asarray(f_dense_keys).reshape(-1)],
                            feature_list_dense_types, feature_list_dense_shapes):
        dt = dtypes_lib.as_dtype(dt)
        shp = _shape_list(shp)
        rows = [_values(f, _KIND[dt], key, dt) for f in fl[key].feature] if key in fl else []
        parts = [r.reshape(shp) for r in rows]
        fdv.append(np.stack(parts).astype(dt.np_dtype) if parts else
                   np.zeros([0] + shp, dtype=dt.np_dtype))
        fdl.append(np.asarray(len(parts), np.int64))
    r = tuple(list(ctx) + fsi + fsv + fss + fdv + fdl)
    return r[0] if len(r) == 1 else r


def _parse_seq_shape(op):
    a = op._attrs
    ncs = int(a.get("Ncontext_sparse", 0))
    nfs = int(a.get("Nfeature_list_sparse", 0))
    out = [_S([None, 1])] * ncs + [_S([None])] * ncs + [_S([1])] * ncs
    out += [_S([None if d == -1 else d for d in _shape_list(s)])
            for s in a.get("context_dense_shapes") or []]
    out += [_S([None, 2])] * nfs + [_S([None])] * nfs + [_S([2])] * nfs
    out += [_S([None]).concatenate(_S(_shape_list(s)))
            for s in a.get("feature_list_dense_shapes") or []]
    out += [_S([])] * int(a.get("Nfeature_list_dense", 0))
    return out


register_op("ParseSequenceExampleV2",
            inputs=["serialized: string", "debug_name: string",
                    "context_sparse_keys: string", "context_dense_keys: string",
                    "context_ragged_keys: string", "feature_list_sparse_keys: string",
                    "feature_list_dense_keys: string", "feature_list_ragged_keys: string",
                    "feature_list_dense_missing_assumed_empty: bool",
                    "context_dense_defaults: Tcontext_dense"],
            outputs=["context_sparse_indices: Ncontext_sparse * int64",
                     "context_sparse_values: context_sparse_types",
                     "context_sparse_shapes: Ncontext_sparse * int64",
                     "context_dense_values: Tcontext_dense",
                     "feature_list_sparse_indices: Nfeature_list_sparse * int64",
                     "feature_list_sparse_values: feature_list_sparse_types",
                     "feature_list_sparse_shapes: Nfeature_list_sparse * int64",
                     "feature_list_dense_values: feature_list_dense_types",
                     "feature_list_dense_lengths: Nfeature_list_dense * int64"],
            attrs={"Ncontext_sparse": 0, "Tcontext_dense": TYPE_LIST,
                   "context_sparse_types": [], "context_ragged_value_types": [],
                   "context_ragged_split_types": [], "context_dense_shapes": [],
                   "Nfeature_list_sparse": 0, "Nfeature_list_dense": 0,
                   "feature_list_dense_types": [], "feature_list_dense_shapes": [],
                   "feature_list_sparse_types": [], "feature_list_ragged_value_types": [],
                   "feature_list_ragged_split_types": []},
            shape_fn=_parse_seq_shape, kernel=_parse_seq_kernel,
            kernel_attrs=("Ncontext_sparse", "context_sparse_types", "Tcontext_dense",
                          "context_dense_shapes", "Nfeature_list_sparse",
                          "Nfeature_list_dense", "feature_list_sparse_types",
                          "feature_list_dense_types", "feature_list_dense_shapes"))


# ============================================================ decode ops
def _decode_raw_kernel(data, out_type=None, little_endian=True):
    dt = np.dtype(dtypes_lib.as_dtype(out_type).np_dtype)
    if dt.itemsize > 1:
        dt = dt.newbyteorder("<" if little_endian else ">")
    arr = np.asarray(data)
    flat = arr.reshape(-1)
    if flat.size == 0:
        return np.zeros(arr.shape + (0,), dtype=dt.newbyteorder("="))
    rows = [np.frombuffer(b if isinstance(b, (bytes, bytearray)) else str(b).encode(),
                          dtype=dt) for b in flat]
    n = rows[0].size
    for r in rows:
        if r.size != n:
            raise ValueError("DecodeRaw requires input strings to all be the same size, but "
                             "element %d has size %d != %d" % (0, r.size * dt.itemsize,
                                                               n * dt.itemsize))
    out = np.stack(rows).astype(dt.newbyteorder("="), copy=False)
    return out.reshape(arr.shape + (n,))


register_op("DecodeRaw", inputs=["bytes: string"], outputs=["output: out_type"],
            attrs={"out_type": TYPE, "little_endian": True},
            shape_fn=lambda op: [op.inputs[0].shape.concatenate(_S([None]))
                                 if op.inputs[0].shape.ndims is not None else
                                 tensor_shape.unknown_shape()],
            kernel=_decode_raw_kernel)


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):
    """Reinterprets the bytes of a string as a vector of numbers."""
    if input_bytes is None:
        input_bytes = bytes
    return registry.out(registry.apply_op("DecodeRaw", [input_bytes], name=name,
                                          out_type=dtypes_lib.as_dtype(out_type),
                                          little_endian=little_endian))


def _decode_csv_kernel(records, *defaults, OUT_TYPE=(), field_delim=",", use_quote_delim=True,
                       na_value="", select_cols=()):
    import csv

    recs = np.asarray(records)
    flat = recs.reshape(-1)
    delim = field_delim.decode() if isinstance(field_delim, bytes) else field_delim
    na = na_value.decode() if isinstance(na_value, bytes) else na_value
    ncols = len(OUT_TYPE)
    cols = [[] for _ in range(ncols)]
    for r in flat:
        line = r.decode() if isinstance(r, bytes) else str(r)
        if use_quote_delim:
            fields = next(csv.reader([line], delimiter=delim)) if line else [""]
        else:
            fields = line.split(delim)
        if select_cols:
            fields = [fields[i] for i in select_cols if i < len(fields)]
        if len(fields) != ncols:
            raise errors.InvalidArgumentError(
                None, None, "Expect %d fields but have %d in record 0" % (ncols, len(fields)))
        for i, f in enumerate(fields):
            cols[i].append(f)
    outs = []
    for i, dt in enumerate(OUT_TYPE):
        dt = dtypes_lib.as_dtype(dt)
        d = np.asarray(defaults[i]).reshape(-1)
        vals = []
        for f in cols[i]:
            if f == "" or (na and f == na):
                if d.size == 0:
                    raise errors.InvalidArgumentError(
                        None, None, "Field %d is required but missing in record 0!" % i)
                vals.append(d[0])
            elif dt == dtypes_lib.string:
                vals.append(f.encode())
            else:
                try:
                    vals.append(float(f) if dt.is_floating else int(f))
                except ValueError:
                    raise errors.InvalidArgumentError(
                        None, None, "Field %d in record 0 is not a valid %s: %s" % (
                            i, "float" if dt.is_floating else "int", f))
        if dt == dtypes_lib.string:
            a = np.empty(len(vals), dtype=object)
            a[:] = vals
        else:
            a = np.asarray(vals, dtype=dt.np_dtype)
        outs.append(a.reshape(recs.shape))
    return outs[0] if len(outs) == 1 else tuple(outs)


register_op("DecodeCSV", inputs=["records: string", "record_defaults: OUT_TYPE"],
            outputs=["output: OUT_TYPE"],
            attrs={"OUT_TYPE": TYPE_LIST, "field_delim": ",", "use_quote_delim": True,
                   "na_value": "", "select_cols": []},
            shape_fn=lambda op: [op.inputs[0].shape for _ in op._outputs],
            kernel=_decode_csv_kernel)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """Converts CSV records to tensors; each column maps to one tensor."""
    defaults = []
    for i, d in enumerate(record_defaults):
        if isinstance(d, graph_lib.Tensor):
            defaults.append(d)
        else:
            arr = np.asarray(d)
            if arr.dtype.kind in "USO":
                defaults.append(registry.convert_to_tensor(d, dtype=dtypes_lib.string))
            else:
                defaults.append(registry.convert_to_tensor(d))
    op = registry.apply_op("DecodeCSV", [records, defaults], name=name,
                           field_delim=field_delim, use_quote_delim=use_quote_delim,
                           na_value=na_value, select_cols=list(select_cols or []))
    return list(op._outputs)


def _string_to_number_kernel(string_tensor, out_type=None):
    dt = dtypes_lib.as_dtype(out_type)
    arr = np.asarray(string_tensor)
    flat = arr.reshape(-1)
    out = np.empty(flat.shape, dtype=dt.np_dtype)
    for i, s in enumerate(flat):
        t = s.decode() if isinstance(s, bytes) else str(s)
        try:
            out[i] = float(t) if dt.is_floating else int(t)
        except ValueError:
            raise errors.InvalidArgumentError(
                None, None, "StringToNumberOp could not correctly convert string: %s" % t)
    return out.reshape(arr.shape)


register_op("StringToNumber", inputs=["string_tensor: string"], outputs=["output: out_type"],
            attrs={"out_type": dtypes_lib.float32}, shape_fn=registry.unchanged_shape,
            kernel=_string_to_number_kernel)


def string_to_number(string_tensor, out_type=dtypes_lib.float32, name=None):
    """Converts each string in the input Tensor to the specified numeric type."""
    return registry.out(registry.apply_op("StringToNumber", [string_tensor], name=name,
                                          out_type=dtypes_lib.as_dtype(out_type)))


del INT
