"""Array ops that index: StridedSlice and Python indexing, gathers, scatters, where, unique,
top_k, segment sums, dynamic partition/stitch, embedding lookups, IndexedSlices and the basic
SparseTensor classes."""
import builtins
import collections
import numbers
import warnings

import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.framework import tensor_util
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.ops import array_ops as _A

_int32 = dtypes.int32
_int64 = dtypes.int64
_pyrange = builtins.range
_pyslice = builtins.slice
_apply = _A._apply
_cv = _A._cv
_fmt_dims = _A._fmt_dims
_is_tensor = _A._is_tensor
_to_tensor = _A._to_tensor


# ====================================================================== StridedSlice
def _dense_spec(ndims, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                new_axis_mask, shrink_axis_mask):
    """TF's sparse -> dense slice spec: per input dim (b, e, s, b_masked, e_masked, shrink)
    and the final-shape recipe (dense dim index, or -1 for a new axis)."""
    n = len(strides)
    after_new = 0
    seen = False
    for i in _pyrange(n):
        if seen and (new_axis_mask >> i) & 1:
            after_new += 1
        if (ellipsis_mask >> i) & 1:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << n
        n_sparse = n + 1
    else:
        n_sparse = n
    dense = []
    final = []
    full = 0
    for i in _pyrange(n_sparse):
        bit = 1 << i
        if ellipsis_mask & bit:
            nxt = min(ndims - (n_sparse - i) + 1 + after_new, ndims)
            while full < nxt:
                dense.append((0, 0, 1, True, True, False))
                final.append(full)
                full += 1
        elif new_axis_mask & bit:
            final.append(-1)
        else:
            if full >= ndims:
                raise ValueError("Index out of range using input dim %d; input has only %d "
                                 "dims" % (full, ndims))
            b = None if begin is None else int(begin[i])
            e = None if end is None else int(end[i])
            shrink = bool(shrink_axis_mask & bit)
            dense.append((b, e, int(strides[i]), bool(begin_mask & bit), bool(end_mask & bit),
                          shrink))
            if not shrink:
                final.append(full)
            full += 1
    while full < ndims:  # only reached when an ellipsis covered nothing past the end
        dense.append((0, 0, 1, True, True, False))
        final.append(full)
        full += 1
    return dense, final


def _resolve(shape, dense, final):
    """Per dense dim: a NumPy index (int, slice, or None if unknown) and its size; the final
    shape (None where unknown)."""
    idx = []
    sizes = []
    for j, (b, e, s, bm, em, shrink) in enumerate(dense):
        d = shape[j]
        if s == 0:
            raise ValueError("strides[%d] must be non-zero" % j)
        if shrink:
            if s <= 0:
                raise ValueError("only stride 1 allowed on non-range indexing.")
            if b is None or d is None:
                idx.append(None)
                sizes.append(1)
                continue
            bb = b + d if b < 0 else b
            if bb < 0 or bb >= d:
                raise ValueError("slice index %d of dimension %d out of bounds." % (b, j))
            idx.append(bb)
            sizes.append(1)
            continue
        if d is None:
            idx.append(None)
            sizes.append(None)
            continue

        def canon(x, masked, is_begin):
            if masked:
                if s > 0:
                    return 0 if is_begin else d
                return d - 1 if is_begin else -1
            if x is None:
                return None
            xf = x + d if x < 0 else x
            lo, hi = (0, d) if s > 0 else (-1, d - 1)
            return min(max(xf, lo), hi)

        bb = canon(b, bm, True)
        ee = canon(e, em, False)
        if bb is None or ee is None:
            idx.append(None)
            sizes.append(None)
            continue
        if s > 0:
            sz = max(0, -(-(ee - bb) // s))
        else:
            sz = max(0, -(-(bb - ee) // (-s)))
        sizes.append(sz)
        if sz == 0:
            idx.append(_pyslice(0, 0))
        elif s > 0:
            idx.append(_pyslice(bb, ee, s))
        else:
            idx.append(_pyslice(bb, None if ee < 0 else ee, s))
    final_shape = [1 if f == -1 else sizes[f] for f in final]
    return idx, final_shape


def _ss_attrs(attrs):
    return (attrs.get("begin_mask", 0), attrs.get("end_mask", 0), attrs.get("ellipsis_mask", 0),
            attrs.get("new_axis_mask", 0), attrs.get("shrink_axis_mask", 0))


def _ss_index(shape, begin, end, strides, masks):
    if strides.ndim != 1 or begin.shape != strides.shape or end.shape != strides.shape:
        raise ValueError("Expected begin, end, and strides to be 1D equal size tensors, but "
                         "got shapes %s, %s, and %s instead." % (
                             _fmt_dims(begin.shape), _fmt_dims(end.shape),
                             _fmt_dims(strides.shape)))
    dense, final = _dense_spec(len(shape), begin.tolist(), end.tolist(), strides.tolist(),
                               *masks)
    return _resolve(list(shape), dense, final)


def _strided_slice_kernel(x, begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                          new_axis_mask=0, shrink_axis_mask=0):
    idx, final_shape = _ss_index(x.shape, begin, end, strides, (
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
    res = x[tuple(idx)]
    if res.ndim != len(final_shape):
        res = res.reshape(final_shape)
    return res


def _strided_slice_factory(op, state):
    masks = _ss_attrs(op._attrs)
    cache = {}

    # NOTE: the dense spec depends only on the input shape and the (usually constant)
    # begin/end/strides values, so it is computed once per distinct key.
    def fn(x, begin, end, strides):
        key = (x.shape, begin.tobytes(), end.tobytes(), strides.tobytes())
        hit = cache.get(key)
        if hit is None:
            if len(cache) > 32:
                cache.clear()
            idx, final_shape = _ss_index(x.shape, begin, end, strides, masks)
            hit = cache[key] = (tuple(idx), tuple(final_shape))
        res = x[hit[0]]
        if res.ndim != len(hit[1]):
            res = res.reshape(hit[1])
        return res

    return fn


def _strided_slice_shape(op):
    s = op.inputs[0].shape
    strides = _cv(op.inputs[3])
    if s.ndims is None or strides is None:
        return [tensor_shape.unknown_shape()]
    begin = _cv(op.inputs[1])
    end = _cv(op.inputs[2])
    strides = np.reshape(strides, -1)
    n = strides.size
    for name, v in (("begin", begin), ("end", end)):
        if v is not None and np.size(v) != n:
            raise ValueError("Shape must be rank %d but is rank %d for %s" % (n, np.size(v), name))
    dense, final = _dense_spec(
        s.ndims, None if begin is None else np.reshape(begin, -1).tolist(),
        None if end is None else np.reshape(end, -1).tolist(), strides.tolist(),
        *_ss_attrs(op._attrs))
    _, final_shape = _resolve(s.as_list(), dense, final)
    return [tensor_shape.TensorShape(final_shape)]


def _StridedSliceGrad(op, grad):  # noqa: N802
    begin, end, strides = op.inputs[1], op.inputs[2], op.inputs[3]
    x = op.inputs[0]
    xs = _A.shape(x, out_type=begin.dtype)
    masks = dict(zip(("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                      "shrink_axis_mask"), _ss_attrs(op._attrs)))
    return [_apply("StridedSliceGrad", [xs, begin, end, strides, grad], **masks), None, None,
            None]


register_op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
            outputs=["output: T"],
            attrs={"T": TYPE, "Index": TYPE, "begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
                   "new_axis_mask": 0, "shrink_axis_mask": 0},
            shape_fn=_strided_slice_shape, kernel=_strided_slice_kernel,
            kernel_attrs=("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                          "shrink_axis_mask"),
            kernel_factory=_strided_slice_factory, grad=_StridedSliceGrad)


def _strided_slice_grad_kernel(shape, begin, end, strides, dy, begin_mask=0, end_mask=0,
                               ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0):
    shp = tuple(int(d) for d in shape)
    idx, _ = _ss_index(shp, begin, end, strides, (
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
    res = np.zeros(shp, dtype=dy.dtype)
    view = res[tuple(idx)]
    view[...] = dy.reshape(view.shape)
    return res


def _StridedSliceGradGrad(op, grad):  # noqa: N802
    masks = dict(zip(("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                      "shrink_axis_mask"), _ss_attrs(op._attrs)))
    return [None, None, None, None,
            _apply("StridedSlice", [grad, op.inputs[1], op.inputs[2], op.inputs[3]], **masks)]


register_op("StridedSliceGrad",
            inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
            outputs=["output: T"],
            attrs={"T": TYPE, "Index": TYPE, "begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
                   "new_axis_mask": 0, "shrink_axis_mask": 0},
            shape_fn=lambda op: [tensor_util.constant_value_as_shape(op.inputs[0])],
            kernel=_strided_slice_grad_kernel,
            kernel_attrs=("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                          "shrink_axis_mask"),
            grad=_StridedSliceGradGrad)


@tensor_util.register_constant_value_as_shape("StridedSlice")
def _strided_slice_as_shape(t):
    op = t.op
    vals = [_cv(x) for x in op.inputs[1:]]
    if any(v is None or np.size(v) != 1 for v in vals):
        return None
    b, e, s = (int(np.reshape(v, -1)[0]) for v in vals)
    bm, em, elm, nam, sam = _ss_attrs(op._attrs)
    if elm or nam or sam or bm not in (0, 1) or em not in (0, 1):
        return None
    prev = tensor_util.constant_value_as_shape(op.inputs[0])
    if prev.ndims is None:
        return None
    return tensor_shape.TensorShape(prev.as_list()[_pyslice(None if bm else b, None if em else e,
                                                              s)])


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """tf.strided_slice."""
    if strides is None:
        strides = _A.ones_like(begin)
    return _apply("StridedSlice", [input_, begin, end, strides], name=name,
                  begin_mask=begin_mask, end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                  new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                     "scalar tf.int32/tf.int64 tensors are valid indices")
_SLICE_DTYPES = (dtypes.int16, dtypes.int32, dtypes.int64)


def _check_index(idx):
    if isinstance(idx, (numbers.Integral, tensor_shape.Dimension)) and not isinstance(idx, bool):
        return
    dt = getattr(idx, "dtype", None)
    if dt is None or not isinstance(dt, dtypes.DType) and not isinstance(dt, np.dtype):
        raise TypeError(_SLICE_TYPE_ERROR + ", got {!r}".format(idx))
    try:
        base = dtypes.as_dtype(dt).base_dtype
    except (TypeError, KeyError, ValueError):
        raise TypeError(_SLICE_TYPE_ERROR + ", got {!r}".format(idx))
    s = getattr(idx, "shape", None)
    if base not in _SLICE_DTYPES or (s is not None and len(tuple(
            s.as_list() if hasattr(s, "as_list") and s.ndims is not None else
            (s if not hasattr(s, "as_list") else ()))) == 1):
        raise TypeError(_SLICE_TYPE_ERROR + ", got {!r}".format(idx))


def _undefined_dim(x):
    return isinstance(x, tensor_shape.Dimension) and x.value is None


def _idx_value(x):
    return x.value if isinstance(x, tensor_shape.Dimension) else x


def _slice_helper(tensor, slice_spec, var=None):
    """Tensor.__getitem__: Python indexing as TF builds it (one 'strided_slice' op)."""
    if isinstance(slice_spec, bool) or (
            _is_tensor(slice_spec) and slice_spec.dtype.base_dtype is dtypes.bool) or (
            isinstance(slice_spec, np.ndarray) and slice_spec.dtype == np.bool_):
        return boolean_mask(tensor, slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    index = 0
    new_axis_mask = shrink_axis_mask = begin_mask = end_mask = ellipsis_mask = 0
    for s in slice_spec:
        if isinstance(s, _pyslice):
            if s.start is not None and not _undefined_dim(s.start):
                _check_index(s.start)
                begin.append(_idx_value(s.start))
            else:
                begin.append(0)
                begin_mask |= 1 << index
            if s.stop is not None and not _undefined_dim(s.stop):
                _check_index(s.stop)
                end.append(_idx_value(s.stop))
            else:
                end.append(0)
                end_mask |= 1 << index
            if s.step is not None and not _undefined_dim(s.step):
                _check_index(s.step)
                strides.append(_idx_value(s.step))
            else:
                strides.append(1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            s = _idx_value(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            shrink_axis_mask |= 1 << index
        index += 1
    with graph_lib.name_scope(None, "strided_slice",
                              [tensor] + begin + end + strides) as name:
        if begin:
            pb, pe, ps = _A.stack(begin), _A.stack(end), _A.stack(strides)
            if _int64 in (pb.dtype.base_dtype, pe.dtype.base_dtype, ps.dtype.base_dtype):
                pb, pe, ps = (_A._cast(t, _int64) for t in (pb, pe, ps))
        else:
            pb = pe = ps = _A.constant([], dtype=_int32)
        return strided_slice(tensor, pb, pe, ps, begin_mask=begin_mask, end_mask=end_mask,
                             shrink_axis_mask=shrink_axis_mask, new_axis_mask=new_axis_mask,
                             ellipsis_mask=ellipsis_mask, var=var, name=name)


graph_lib.Tensor._override_operator("__getitem__", _slice_helper)


# ==================================================================== segment sums
def _segment_sum_2d(d2, ids, n):
    """Sums rows of d2 ([m, k]) into n segments by ids (negative ids dropped)."""
    res = np.zeros((n, d2.shape[1]), dtype=d2.dtype)
    if ids.size == 0:
        return res
    if ids.min() < 0:
        keep = ids >= 0
        ids = ids[keep]
        d2 = d2[keep]
        if ids.size == 0:
            return res
    order = np.argsort(ids, kind="stable")
    sids = ids[order]
    starts = np.concatenate([[0], np.flatnonzero(sids[1:] != sids[:-1]) + 1])
    res[sids[starts]] = np.add.reduceat(d2[order], starts, axis=0)
    return res


def _unsorted_segment_sum_kernel(data, segment_ids, num_segments):
    n = int(num_segments)
    ids = segment_ids.reshape(-1)
    if ids.size and ids.max() >= n:
        bad = int(np.argmax(ids >= n))
        raise ValueError("segment_ids[%d] = %d is out of range [0, %d)" % (bad, ids[bad], n))
    tail = data.shape[segment_ids.ndim:]
    if data.shape[:segment_ids.ndim] != segment_ids.shape:
        raise ValueError("data.shape = %s does not start with segment_ids.shape = %s" % (
            _fmt_dims(data.shape), _fmt_dims(segment_ids.shape)))
    d2 = data.reshape(ids.size, -1) if ids.size else data.reshape(0, int(np.prod(tail)))
    return _segment_sum_2d(d2, ids, n).reshape((n,) + tail)


def _unsorted_segment_sum_shape(op):
    d, ids = op.inputs[0].shape, op.inputs[1].shape
    n = _cv(op.inputs[2])
    if d.ndims is None or ids.ndims is None:
        return [tensor_shape.unknown_shape()]
    n = None if n is None else int(n)
    return [tensor_shape.TensorShape([n] + d.as_list()[ids.ndims:])]


def _gather_drop_negatives(params, ids):
    clipped = _apply("Maximum", [ids, _A.zeros_like(ids)])
    gathered = gather(params, clipped)
    is_pos = _apply("GreaterEqual", [ids, _A.constant(0, ids.dtype.base_dtype)])
    is_pos_shape = _A.shape(is_pos)
    bshape = _A.concat([is_pos_shape, _A.ones(
        _A.stack([_A._sub(_A.rank(gathered), _A.rank(is_pos))]), dtype=is_pos_shape.dtype)], 0)
    is_pos = _A.reshape(is_pos, bshape)
    return _apply("SelectV2", [is_pos, gathered, _A.zeros_like(gathered)])


def _UnsortedSegmentSumGrad(op, grad):  # noqa: N802
    return [_gather_drop_negatives(grad, op.inputs[1]), None, None]


register_op("UnsortedSegmentSum",
            inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
            outputs=["output: T"], attrs={"T": TYPE, "Tindices": TYPE, "Tnumsegments": _int32},
            shape_fn=_unsorted_segment_sum_shape, kernel=_unsorted_segment_sum_kernel,
            kernel_attrs=(), grad=_UnsortedSegmentSumGrad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """tf.math.unsorted_segment_sum."""
    return _apply("UnsortedSegmentSum", [data, segment_ids, num_segments], name=name)


def _segment_sum_kernel(data, segment_ids):
    ids = segment_ids.reshape(-1)
    if ids.size and np.any(ids[1:] < ids[:-1]):
        raise ValueError("segment ids are not increasing")
    if ids.size and ids[0] < 0:
        raise ValueError("segment ids must be >= 0")
    n = int(ids[-1]) + 1 if ids.size else 0
    d2 = data.reshape(ids.size, -1)
    return _segment_sum_2d(d2, ids, n).reshape((n,) + data.shape[1:])


def _SegmentSumGrad(op, grad):  # noqa: N802
    return [gather(grad, op.inputs[1]), None]


register_op("SegmentSum", inputs=["data: T", "segment_ids: Tindices"], outputs=["output: T"],
            attrs={"T": TYPE, "Tindices": TYPE},
            shape_fn=lambda op: [tensor_shape.TensorShape([None]).concatenate(
                op.inputs[0].shape[1:]) if op.inputs[0].shape.ndims is not None
                else tensor_shape.unknown_shape()],
            kernel=_segment_sum_kernel, kernel_attrs=(), grad=_SegmentSumGrad)


def segment_sum(data, segment_ids, name=None):
    """tf.math.segment_sum."""
    return _apply("SegmentSum", [data, segment_ids], name=name)


# ===================================================================== IndexedSlices
class IndexedSlices:
    """tf.IndexedSlices: a sparse set of slices (rows) of a dense tensor."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self):
        return self._values

    @property
    def indices(self):
        return self._indices

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def name(self):
        return self._values.name

    @property
    def device(self):
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    @property
    def shape(self):
        if self._dense_shape is None:
            return tensor_shape.unknown_shape()
        return tensor_util.constant_value_as_shape(self._dense_shape).merge_with(
            tensor_shape.unknown_shape(None).concatenate(self._values.shape[1:])
            if self._values.shape.ndims is not None else tensor_shape.unknown_shape())

    def get_shape(self):
        return self.shape

    def consumers(self):
        return self._values.consumers()

    def _tw_fetch_expand(self):
        parts = [self._values, self._indices]
        if self._dense_shape is not None:
            parts.append(self._dense_shape)
        return parts, lambda v: IndexedSlicesValue(v[0], v[1], v[2] if len(v) > 2 else None)

    def __neg__(self):
        return IndexedSlices(_apply("Neg", [self._values]), self._indices, self._dense_shape)

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s%s)" % (
            self._indices, self._values,
            (", dense_shape=%s" % (self._dense_shape,)) if self._dense_shape is not None else "")

    __str__ = __repr__


IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue",
                                            ["values", "indices", "dense_shape"])
_LARGE_SPARSE_NUM_ELEMENTS = 100000000


def _indexed_slices_to_tensor(value, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtype.is_compatible_with(value.dtype):
        raise ValueError("Tensor conversion requested dtype %s for IndexedSlices with dtype %s"
                         % (dtype.name, value.dtype.name))
    if value.dense_shape is None:
        raise ValueError("Tensor conversion requested for IndexedSlices without dense_shape: %s"
                         % str(value))
    dsv = tensor_util.constant_value(value.dense_shape)
    if dsv is not None:
        n = int(np.prod(dsv))
        if n >= _LARGE_SPARSE_NUM_ELEMENTS:
            warnings.warn("Converting sparse IndexedSlices to a dense Tensor with %d elements. "
                          "This may consume a large amount of memory." % n)
    else:
        warnings.warn("Converting sparse IndexedSlices to a dense Tensor of unknown shape. "
                      "This may consume a large amount of memory.")
    return unsorted_segment_sum(value.values, value.indices, value.dense_shape[0], name=name)


registry.register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)


def _dense(x):
    return registry.convert_to_tensor(x) if isinstance(x, IndexedSlices) else x


# ============================================================================ gathers
def _check_indices(indices, n, what="indices"):
    if indices.size:
        lo, hi = indices.min(), indices.max()
        if lo < 0 or hi >= n:
            flat = indices.reshape(-1)
            bad = int(np.argmax((flat < 0) | (flat >= n)))
            pos = np.unravel_index(bad, indices.shape)
            raise ValueError("%s[%s] = %d is not in [0, %d)" % (
                what, ",".join(str(int(p)) for p in pos), flat[bad], n))


def _gather_kernel(params, indices, axis, batch_dims=0):
    axis = int(axis)
    if axis < 0:
        axis += params.ndim
    if batch_dims < 0:
        batch_dims += indices.ndim
    _check_indices(indices, params.shape[axis])
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    bshape = params.shape[:batch_dims]
    nb = int(np.prod(bshape))
    p = params.reshape((nb,) + params.shape[batch_dims:])
    ix = indices.reshape((nb,) + indices.shape[batch_dims:])
    parts = [np.take(p[b], ix[b], axis=axis - batch_dims) for b in _pyrange(nb)]
    res = np.stack(parts) if parts else np.zeros(
        (0,) + params.shape[batch_dims:axis] + indices.shape[batch_dims:] +
        params.shape[axis + 1:], params.dtype)
    return res.reshape(bshape + res.shape[1:])


def _gather_v1_kernel(params, indices, validate_indices=True):
    return _gather_kernel(params, indices, 0)


def _gather_shape_impl(p, i, axis, batch_dims):
    if p.ndims is None or i.ndims is None:
        if axis is None or p.ndims is None or i.ndims is None:
            if p.ndims is not None and i.ndims is not None:
                return tensor_shape.unknown_shape(p.ndims + i.ndims - 1 - batch_dims)
            return tensor_shape.unknown_shape()
    if axis is None:
        return tensor_shape.unknown_shape(p.ndims + i.ndims - 1 - batch_dims)
    axis = int(axis)
    r = p.ndims
    if axis < -r or axis >= r:
        raise ValueError("Shape must be at least rank %d but is rank %d" % (
            (axis + 1) if axis >= 0 else -axis, r))
    if axis < 0:
        axis += r
    if batch_dims < 0:
        batch_dims += i.ndims
    if axis < batch_dims:
        raise ValueError("batch_dims (%d) must be less than or equal to axis (%d)." % (
            batch_dims, axis))
    pd = p.as_list()
    return tensor_shape.TensorShape(pd[:axis] + i.as_list()[batch_dims:] + pd[axis + 1:])


def _gather_v2_shape(op):
    return [_gather_shape_impl(op.inputs[0].shape, op.inputs[1].shape, _cv(op.inputs[2]),
                               op._attrs.get("batch_dims", 0))]


def _GatherV2Grad(op, grad):  # noqa: N802
    params, indices, axis_t = op.inputs[0], op.inputs[1], op.inputs[2]
    grad = _dense(grad)
    with graph_lib.colocate_with(params.op):
        params_shape = _A.shape(params)
    indices_size = _A.expand_dims(_A.size(indices), 0)
    axis = _cv(axis_t)
    batch_dims = op._attrs.get("batch_dims", 0)
    if axis is not None and int(axis) == 0 and batch_dims == 0:
        values_shape = _A.concat([indices_size, params_shape[1:]], 0)
        values = _A.reshape(grad, values_shape)
        idx = _A.reshape(indices, indices_size)
        return [IndexedSlices(values, idx, params_shape), None, None]
    r = params.shape.ndims
    ri = indices.shape.ndims
    if axis is None or r is None or ri is None:
        raise NotImplementedError("tensorweave: the gradient of GatherV2 needs a constant axis "
                                  "and known params/indices ranks (op %s)" % op.name)
    if batch_dims < 0:
        batch_dims += ri
    if batch_dims:
        return [_batch_gather_grad(grad, params_shape, indices, int(axis) % r, batch_dims, r,
                                   ri), None, None]
    axis = int(axis) % r
    outer = params_shape[:axis]
    inner = params_shape[axis + 1:]
    values = _A.reshape(grad, _A.concat([outer, [-1], inner], 0))
    perm = [axis] + list(_pyrange(axis)) + list(_pyrange(axis + 1, r))
    inv = list(np.argsort(perm))
    vt = _A.transpose(values, perm)
    g = unsorted_segment_sum(vt, _A.reshape(indices, [-1]), params_shape[axis])
    return [_A.transpose(g, inv), None, None]


def _batch_gather_grad(grad, ps, indices, ax, bd, r, ri):
    """params gradient of a GatherV2 with batch_dims: one segment sum over (batch, index)."""
    nm, nj = ax - bd, ri - bd
    batch = list(_pyrange(bd))
    mid = list(_pyrange(bd, bd + nm))
    jdims = list(_pyrange(bd + nm, bd + nm + nj))
    inner = list(_pyrange(bd + nm + nj, bd + nm + nj + r - ax - 1))
    gt = _A.transpose(grad, batch + jdims + mid + inner)
    is_ = _A.shape(indices)
    nb = _apply("Prod", [ps[:bd], [0]], keep_dims=False)
    nidx = _apply("Prod", [is_[bd:], [0]], keep_dims=False)
    n = ps[ax]
    gt = _A.reshape(gt, _A.concat([_A.stack([_apply("Mul", [nb, nidx])]), ps[bd:ax],
                                   ps[ax + 1:]], 0))
    offs = _apply("Mul", [_A.reshape(_A.range(nb), _A.stack([nb, 1])), n])
    ids = _A._add(offs, _A.reshape(_A._cast(indices, _int32), _A.stack([nb, nidx])))
    seg = unsorted_segment_sum(gt, _A.reshape(ids, [-1]), _apply("Mul", [nb, n]))
    seg = _A.reshape(seg, _A.concat([ps[:bd], _A.stack([n]), ps[bd:ax], ps[ax + 1:]], 0))
    perm = batch + [bd + 1 + i for i in _pyrange(nm)] + [bd] + list(_pyrange(bd + 1 + nm, r))
    return _A.transpose(seg, perm)


def _GatherGrad(op, grad):  # noqa: N802
    params, indices = op.inputs[0], op.inputs[1]
    grad = _dense(grad)
    with graph_lib.colocate_with(params.op):
        params_shape = _A.shape(params)
    indices_size = _A.expand_dims(_A.size(indices), 0)
    values = _A.reshape(grad, _A.concat([indices_size, params_shape[1:]], 0))
    return [IndexedSlices(values, _A.reshape(indices, indices_size), params_shape), None]


register_op("GatherV2", inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"],
            outputs=["output: Tparams"],
            attrs={"batch_dims": 0, "Tparams": TYPE, "Tindices": TYPE, "Taxis": TYPE},
            shape_fn=_gather_v2_shape, kernel=_gather_kernel, kernel_attrs=("batch_dims",),
            grad=_GatherV2Grad)
register_op("Gather", inputs=["params: Tparams", "indices: Tindices"],
            outputs=["output: Tparams"],
            attrs={"validate_indices": True, "Tparams": TYPE, "Tindices": TYPE},
            shape_fn=lambda op: [_gather_shape_impl(op.inputs[0].shape, op.inputs[1].shape,
                                                    0, 0)],
            kernel=_gather_v1_kernel, kernel_attrs=(), grad=_GatherGrad)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """tf.gather (GatherV2)."""
    del validate_indices
    if axis is None:
        axis = batch_dims
    if hasattr(params, "sparse_read") and not _is_tensor(params):
        return params.sparse_read(indices, name=name)
    return _apply("GatherV2", [params, indices, axis], name=name, batch_dims=batch_dims)


def batch_gather(params, indices, name=None):
    """tf.batch_gather."""
    with graph_lib.name_scope(name, "BatchGather", [params, indices]):
        indices = _to_tensor(indices, name="indices")
        params = _to_tensor(params, name="params")
        bd = indices.shape.ndims - 1
        return gather(params, indices, axis=bd, batch_dims=bd)


def _gather_nd_kernel(params, indices, bad_indices_policy=""):
    k = indices.shape[-1]
    lead = indices.shape[:-1]
    if k > params.ndim:
        raise ValueError("index innermost dimension length must be <= params rank; saw: %d vs. "
                         "%d" % (k, params.ndim))
    tail = params.shape[k:]
    if k == 0:
        return np.broadcast_to(params, lead + params.shape).copy()
    idx = indices.reshape(-1, k)
    for j in _pyrange(k):
        col = idx[:, j]
        if col.size and (col.min() < 0 or col.max() >= params.shape[j]):
            bad = int(np.argmax((col < 0) | (col >= params.shape[j])))
            raise ValueError("indices%s = %s does not index into param shape %s" % (
                list(np.unravel_index(bad, lead)) if lead else "[]", idx[bad].tolist(),
                _fmt_dims(params.shape)))
    res = params[tuple(idx.T)]
    return res.reshape(lead + tail)


def _gather_nd_shape(op):
    p, i = op.inputs[0].shape, op.inputs[1].shape
    if i.ndims is None:
        return [tensor_shape.unknown_shape()]
    if i.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    k = i.as_list()[-1]
    if k is None or p.ndims is None:
        return [tensor_shape.unknown_shape()]
    if k > p.ndims:
        raise ValueError("indices.shape[-1] must be <= params.rank, but saw indices shape: %s "
                         "and params shape: %s" % (_fmt_dims(i.as_list()),
                                                   _fmt_dims(p.as_list())))
    return [tensor_shape.TensorShape(i.as_list()[:-1] + p.as_list()[k:])]


def _GatherNdGrad(op, grad):  # noqa: N802
    ref, indices = op.inputs[0], op.inputs[1]
    ref_shape = _A.shape(ref, out_type=indices.dtype)
    grad = _dense(grad)
    if indices.shape.ndims == 2 and indices.shape.as_list()[-1] == 1:
        return [IndexedSlices(grad, _A.squeeze(indices, axis=-1), ref_shape), None]
    return [scatter_nd(indices, grad, ref_shape), None]


register_op("GatherNd", inputs=["params: Tparams", "indices: Tindices"],
            outputs=["output: Tparams"],
            attrs={"Tparams": TYPE, "Tindices": TYPE, "bad_indices_policy": ""},
            shape_fn=_gather_nd_shape, kernel=_gather_nd_kernel, kernel_attrs=(),
            grad=_GatherNdGrad)


def gather_nd(params, indices, name=None, batch_dims=0):
    """tf.gather_nd."""
    if batch_dims:
        raise NotImplementedError("tensorweave: tf.gather_nd with batch_dims > 0")
    return _apply("GatherNd", [params, indices], name=name)


def _scatter_nd_kernel(indices, updates, shape, bad_indices_policy=""):
    shp = tuple(int(d) for d in shape)
    k = indices.shape[-1]
    idx = indices.reshape(-1, k)
    for j in _pyrange(k):
        col = idx[:, j]
        if col.size and (col.min() < 0 or col.max() >= shp[j]):
            bad = int(np.argmax((col < 0) | (col >= shp[j])))
            raise ValueError("indices[%d] = %s does not index into shape %s" % (
                bad, idx[bad].tolist(), _fmt_dims(shp)))
    inner = int(np.prod(shp[k:]))
    outer = int(np.prod(shp[:k]))
    lin = np.ravel_multi_index(tuple(idx.T), shp[:k]) if k else np.zeros(idx.shape[0], np.intp)
    res = _segment_sum_2d(updates.reshape(idx.shape[0], inner), lin, outer)
    return res.reshape(shp)


def _ScatterNdGrad(op, grad):  # noqa: N802
    return [None, gather_nd(_dense(grad), op.inputs[0]), None]


register_op("ScatterNd", inputs=["indices: Tindices", "updates: T", "shape: Tindices"],
            outputs=["output: T"], attrs={"T": TYPE, "Tindices": TYPE, "bad_indices_policy": ""},
            shape_fn=lambda op: [tensor_util.constant_value_as_shape(op.inputs[2])],
            kernel=_scatter_nd_kernel, kernel_attrs=(), grad=_ScatterNdGrad)


def scatter_nd(indices, updates, shape, name=None):
    """tf.scatter_nd (duplicate indices are summed)."""
    return _apply("ScatterNd", [indices, updates, shape], name=name)


# ============================================================================= where
def _where_kernel(x):
    return np.argwhere(x).astype(np.int64, copy=False)


register_op("Where", inputs=["input: T"], outputs=["index: int64"], attrs={"T": dtypes.bool},
            shape_fn=lambda op: [tensor_shape.TensorShape([None, op.inputs[0].shape.ndims])
                                 if op.inputs[0].shape.ndims is not None else
                                 tensor_shape.TensorShape([None, None])],
            kernel=_where_kernel, kernel_attrs=(), grad=None)


def where(condition, x=None, y=None, name=None):
    """tf.where (TF1): coordinates of true elements, or Select(condition, x, y)."""
    if x is None and y is None:
        with graph_lib.name_scope(name, "Where", [condition]) as scope:
            condition = _to_tensor(condition, preferred_dtype=dtypes.bool, name="condition")
            return _apply("Where", [condition], name=scope)
    if x is not None and y is not None:
        return _apply("Select", [condition, x, y], name=name)
    raise ValueError("x and y must both be non-None or both be None.")


def where_v2(condition, x=None, y=None, name=None):
    """tf.where_v2: coordinates, or broadcasting SelectV2."""
    if x is None and y is None:
        with graph_lib.name_scope(name, "Where", [condition]) as scope:
            condition = _to_tensor(condition, preferred_dtype=dtypes.bool, name="condition")
            return _apply("Where", [condition], name=scope)
    if x is not None and y is not None:
        return _apply("SelectV2", [condition, x, y], name=name)
    raise ValueError("x and y must both be non-None or both be None.")


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """tf.boolean_mask (Reshape + Where + Squeeze + GatherV2, as TF builds it)."""
    with graph_lib.name_scope(name, None, [tensor, mask]):
        tensor = _to_tensor(tensor, name="tensor")
        mask = _to_tensor(mask, name="mask")
        shape_mask = mask.shape
        nm = shape_mask.ndims
        shape_tensor = tensor.shape
        if nm == 0:
            raise ValueError("mask cannot be scalar.")
        if nm is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None "
                             "is not.")
        axis = 0 if axis is None else axis
        axis_value = _cv(axis)
        if axis_value is not None:
            axis = int(axis_value)
            shape_tensor[axis:axis + nm].assert_is_compatible_with(shape_mask)
        leading = _apply("Prod", [_A.shape(tensor)[axis:axis + nm], [0]], keep_dims=False)
        tensor = _A.reshape(tensor, _A.concat([_A.shape(tensor)[:axis], [leading],
                                               _A.shape(tensor)[axis + nm:]], 0))
        if axis_value is not None and shape_tensor.ndims is not None:
            first = shape_tensor[axis:axis + nm].num_elements()
            tensor.set_shape(tensor_shape.as_shape(shape_tensor[:axis]).concatenate(
                [first]).concatenate(shape_tensor[axis + nm:]))
        mask = _A.reshape(mask, [-1])
        indices = _A.squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


# ============================================================================ unique
UniqueOutput = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCountsOutput = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique_parts(x):
    if x.ndim != 1:
        raise ValueError("unique expects a 1D vector.")
    u, first, inv = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank_ = np.empty_like(order)
    rank_[order] = np.arange(order.size)
    return u[order], rank_[inv.reshape(-1)]


def _unique_kernel(x, out_idx=_int32):
    y, idx = _unique_parts(x)
    return y, idx.astype(out_idx.np_dtype)


def _unique_with_counts_kernel(x, out_idx=_int32):
    y, idx = _unique_parts(x)
    counts = np.bincount(idx, minlength=y.size)
    return y, idx.astype(out_idx.np_dtype), counts.astype(out_idx.np_dtype)


def _unique_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % s.ndims)
    res = [tensor_shape.TensorShape([None]), s.with_rank(1)]
    if len(op._outputs) == 3:
        res.append(tensor_shape.TensorShape([None]))
    return res


register_op("Unique", inputs=["x: T"], outputs=["y: T", "idx: out_idx"],
            attrs={"T": TYPE, "out_idx": _int32}, shape_fn=_unique_shape,
            kernel=_unique_kernel, kernel_attrs=("out_idx",), grad=None)
register_op("UniqueWithCounts", inputs=["x: T"],
            outputs=["y: T", "idx: out_idx", "count: out_idx"],
            attrs={"T": TYPE, "out_idx": _int32}, shape_fn=_unique_shape,
            kernel=_unique_with_counts_kernel, kernel_attrs=("out_idx",), grad=None)


def unique(x, out_idx=_int32, name=None):
    """tf.unique: (y, idx) with y in order of first occurrence."""
    op = registry.apply_op("Unique", [x], name=name, out_idx=dtypes.as_dtype(out_idx))
    return UniqueOutput(*op._outputs)


def unique_with_counts(x, out_idx=_int32, name=None):
    """tf.unique_with_counts."""
    op = registry.apply_op("UniqueWithCounts", [x], name=name, out_idx=dtypes.as_dtype(out_idx))
    return UniqueWithCountsOutput(*op._outputs)


# ============================================================================= top_k
TopKOutput = collections.namedtuple("TopKV2", ["values", "indices"])


def _top_k_kernel(x, k, sorted=True, index_type=_int32):  # noqa: A002 - TF's attr name
    k = int(k)
    if k < 0:
        raise ValueError("Need k >= 0, got %d" % k)
    if x.ndim < 1:
        raise ValueError("input must be >= 1-D, got shape %s" % _fmt_dims(x.shape))
    n = x.shape[-1]
    if n < k:
        raise ValueError("input must have at least k columns. Had %d, needed %d" % (n, k))
    if x.dtype.kind == "f":
        key = -x
    elif x.dtype.kind == "u":
        key = -(x.astype(np.int64))
    else:
        key = -(x.astype(np.int64))
    if k < n // 8:
        part = np.argpartition(key, k - 1, axis=-1)[..., :k] if k else key[..., :0].astype(
            np.intp)
        # NOTE: ties at the cut must keep the lowest indices, as TF: fall back to a full sort
        # when the k-th value is repeated.
        kth = np.take_along_axis(key, part, -1).max(axis=-1, keepdims=True) if k else None
        if k and np.all((key == kth).sum(axis=-1) == (np.take_along_axis(key, part, -1) ==
                                                     kth).sum(axis=-1)):
            sub = np.take_along_axis(key, part, -1)
            o = np.lexsort((part, sub), axis=-1)
            idx = np.take_along_axis(part, o, -1)
        else:
            idx = np.argsort(key, axis=-1, kind="stable")[..., :k]
    else:
        idx = np.argsort(key, axis=-1, kind="stable")[..., :k]
    vals = np.take_along_axis(x, idx, -1)
    return vals, idx.astype(index_type.np_dtype)


def _top_k_shape(op):
    s = op.inputs[0].shape
    k = _cv(op.inputs[1])
    k = None if k is None else int(k)
    if s.ndims is None:
        return [tensor_shape.unknown_shape()] * 2
    if s.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    dims = s.as_list()
    if k is not None and dims[-1] is not None and dims[-1] < k:
        raise ValueError("input must have last dimension >= k = %d but is %d" % (k, dims[-1]))
    return [tensor_shape.TensorShape(dims[:-1] + [k])] * 2


def _TopKGrad(op, grad, _):  # noqa: N802
    in_shape = _A.shape(op.inputs[0])
    ind_shape = _A.shape(op.outputs[1])
    ind_lastdim = gather(ind_shape, _A._sub(_A.size(ind_shape), 1))
    ind_2d = _A.reshape(op.outputs[1], _A.stack([-1, ind_lastdim]))
    in_lastdim = gather(in_shape, _A._sub(_A.size(in_shape), 1))
    outerdim = _A.shape(ind_2d)[0]
    offsets = _A.expand_dims(_A.range(0, _apply("Mul", [outerdim, in_lastdim]), in_lastdim), -1)
    ind = _A.reshape(_A._add(_A._cast(ind_2d, _int32), offsets), [-1])
    total = _apply("Prod", [in_shape, [0]], keep_dims=False)
    dense = scatter_nd(_A.expand_dims(ind, -1), _A.reshape(grad, [-1]), _A.stack([total]))
    return [_A.reshape(dense, in_shape), _A.zeros([], dtype=op.inputs[1].dtype.base_dtype)]


register_op("TopKV2", inputs=["input: T", "k: Tk"], outputs=["values: T", "indices: index_type"],
            attrs={"sorted": True, "T": TYPE, "Tk": _int32, "index_type": _int32},
            shape_fn=_top_k_shape, kernel=_top_k_kernel, kernel_attrs=("sorted", "index_type"),
            grad=_TopKGrad)


def top_k(input, k=1, sorted=True, name=None, index_type=_int32):  # noqa: A002
    """tf.nn.top_k / tf.math.top_k: (values, indices) of the k largest along the last axis."""
    op = registry.apply_op("TopKV2", [input, k], name=name, sorted=sorted,
                           index_type=dtypes.as_dtype(index_type))
    return TopKOutput(*op._outputs)


# ================================================================ dynamic partition/stitch
def _dynamic_partition_kernel(data, partitions, num_partitions=1):
    p = partitions.reshape(-1)
    if p.size and (p.min() < 0 or p.max() >= num_partitions):
        bad = int(np.argmax((p < 0) | (p >= num_partitions)))
        raise ValueError("partitions[%d] = %d is not in [0, %d)" % (bad, p[bad], num_partitions))
    d = data.reshape((p.size,) + data.shape[partitions.ndim:])
    order = np.argsort(p, kind="stable")
    counts = np.bincount(p, minlength=num_partitions)
    return tuple(np.split(d[order], np.cumsum(counts)[:-1]))


def _dynamic_partition_shape(op):
    d, p = op.inputs[0].shape, op.inputs[1].shape
    n = op._attrs["num_partitions"]
    if d.ndims is None or p.ndims is None:
        return [tensor_shape.unknown_shape()] * n
    return [tensor_shape.TensorShape([None] + d.as_list()[p.ndims:])] * n


def _DynamicPartitionGrads(op, *grads):  # noqa: N802
    data, indices = op.inputs[0], op.inputs[1]
    n = op._attrs["num_partitions"]
    prefix = _A.shape(indices)
    original = _A.reshape(_A.range(_apply("Prod", [prefix, [0]], keep_dims=False)), prefix)
    parts = dynamic_partition(original, indices, n)
    grads = _A._zeros_for_none(op, [_dense(g) for g in grads])
    rec = parallel_dynamic_stitch(parts, grads)
    return [_A.reshape(rec, _A.shape(data)), None]


register_op("DynamicPartition", inputs=["data: T", "partitions: int32"],
            outputs=["outputs: num_partitions * T"],
            attrs={"num_partitions": registry.INT, "T": TYPE},
            shape_fn=_dynamic_partition_shape, kernel=_dynamic_partition_kernel,
            kernel_attrs=("num_partitions",), grad=_DynamicPartitionGrads)


def dynamic_partition(data, partitions, num_partitions, name=None):
    """tf.dynamic_partition."""
    return list(registry.apply_op("DynamicPartition", [data, partitions], name=name,
                                  num_partitions=int(num_partitions))._outputs)


def _dynamic_stitch_kernel(*args):
    n = len(args) // 2
    idxs, datas = args[:n], args[n:]
    flat_idx = np.concatenate([i.reshape(-1) for i in idxs]) if n else np.zeros(0, np.int32)
    tail = datas[0].shape[idxs[0].ndim:]
    m = int(flat_idx.max()) + 1 if flat_idx.size else 0
    if flat_idx.size and flat_idx.min() < 0:
        raise ValueError("indices must be non-negative, got %d" % flat_idx.min())
    res = np.zeros((m,) + tail, dtype=datas[0].dtype)
    flat_data = np.concatenate([d.reshape((i.size,) + tail) for i, d in zip(idxs, datas)])
    res[flat_idx] = flat_data
    return res


def _dynamic_stitch_shape(op):
    n = len(op.inputs) // 2
    i0, d0 = op.inputs[0].shape, op.inputs[n].shape
    if i0.ndims is None or d0.ndims is None:
        return [tensor_shape.unknown_shape()]
    # As TF: with all indices constant, the row count is the largest index + 1.
    idx = [tensor_util.constant_value(op.inputs[i]) for i in _pyrange(n)]
    rows = None
    if all(v is not None for v in idx):
        rows = builtins.max([int(np.max(v)) for v in idx if np.size(v)], default=-1) + 1
    return [tensor_shape.TensorShape([rows] + d0.as_list()[i0.ndims:])]


def _DynamicStitchGrads(op, grad):  # noqa: N802
    n = len(op.inputs) // 2
    grad = _dense(grad)
    return [None] * n + [gather(grad, _A._cast(op.inputs[i], _int32)) for i in _pyrange(n)]


for _t in ("DynamicStitch", "ParallelDynamicStitch"):
    register_op(_t, inputs=["indices: N * int32", "data: N * T"], outputs=["merged: T"],
                attrs={"N": registry.INT, "T": TYPE}, shape_fn=_dynamic_stitch_shape,
                kernel=_dynamic_stitch_kernel, kernel_attrs=(), grad=_DynamicStitchGrads)


def dynamic_stitch(indices, data, name=None):
    """tf.dynamic_stitch."""
    return _apply("DynamicStitch", [list(indices), list(data)], name=name)


def parallel_dynamic_stitch(indices, data, name=None):
    """tf.parallel_dynamic_stitch."""
    return _apply("ParallelDynamicStitch", [list(indices), list(data)], name=name)


# =================================================================== embedding_lookup
def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """tf.nn.embedding_lookup (one table: GatherV2 + Identity; sharded: partition + stitch)."""
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    if not isinstance(params, (list, tuple)):
        params = [params]
    params = list(params)
    if max_norm is not None:
        raise NotImplementedError("tensorweave: embedding_lookup(max_norm=...)")
    with graph_lib.name_scope(name, "embedding_lookup", params + [ids]) as scope:
        n = len(params)
        params = [p if hasattr(p, "sparse_read") and not _is_tensor(p) else
                  _to_tensor(p, name="params") for p in params]
        ids = _to_tensor(ids, name="ids")
        if n == 1:
            p0 = params[0]
            colo = p0.op if hasattr(p0, "op") else None
            with graph_lib.colocate_with(colo):
                result = gather(p0, ids, name=scope)
            return _A.identity(result)
        flat_ids = _A.reshape(ids, [-1])
        original = _A.range(_A.size(flat_ids))
        if partition_strategy == "mod":
            p_assign = _apply("FloorMod", [flat_ids, _A.constant(n, flat_ids.dtype.base_dtype)])
            new_ids = _apply("FloorDiv", [flat_ids, _A.constant(n, flat_ids.dtype.base_dtype)])
        elif partition_strategy == "div":
            dim0 = 0
            for p in params:
                d = p.shape[0].value if p.shape.ndims else None
                if d is None:
                    dim0 = None
                    break
                dim0 += d
            dt = flat_ids.dtype.base_dtype
            if dim0 is not None:
                total = _A.constant(dim0, dt)
            else:
                total = _A._cast(_apply("AddN", [[_A.shape(p)[0] for p in params]]), dt)
            per = _apply("FloorDiv", [total, _A.constant(n, dt)])
            extras = _apply("FloorMod", [total, _A.constant(n, dt)])
            p_assign = _apply("Maximum", [
                _apply("FloorDiv", [flat_ids, _A._add(per, _A.constant(1, dt))]),
                _apply("FloorDiv", [_A._sub(flat_ids, extras), per])])
            new_ids = _apply("Select", [
                _apply("Less", [p_assign, extras]),
                _apply("FloorMod", [flat_ids, _A._add(per, _A.constant(1, dt))]),
                _apply("FloorMod", [_A._sub(flat_ids, extras), per])])
        else:
            raise ValueError("Unrecognized partition strategy: " + partition_strategy +
                             ". Must be one of either `mod` or `div`.")
        p_assign = _A._cast(p_assign, _int32)
        gather_ids = dynamic_partition(new_ids, p_assign, n)
        pindices = dynamic_partition(original, p_assign, n)
        parts = []
        for i in _pyrange(n):
            with graph_lib.colocate_with(params[i].op if hasattr(params[i], "op") else None):
                parts.append(gather(params[i], gather_ids[i]))
        ret = parallel_dynamic_stitch(pindices, parts, name=scope)
        es = params[0].shape[1:]
        for p in params[1:]:
            es = es.merge_with(p.shape[1:])
        if es.is_fully_defined():
            ed = es.as_list()
        else:
            ed = _A.shape(params[0])[1:]
        ret = _A.reshape(ret, _A.concat([_A.shape(ids), ed], 0))
        ret.set_shape(ids.shape.concatenate(es))
        return ret


# ===================================================================== SparseTensor
SparseTensorValue = collections.namedtuple("SparseTensorValue",
                                           ["indices", "values", "dense_shape"])


class SparseTensor:
    """tf.SparseTensor: indices (int64 [N, rank]), values ([N]) and dense_shape (int64)."""

    def __init__(self, indices, values, dense_shape):
        with graph_lib.name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            self._indices = _to_tensor(indices, name="indices", dtype=_int64)
            self._values = _to_tensor(values, name="values")
            self._dense_shape = _to_tensor(dense_shape, name="dense_shape", dtype=_int64)
        self._dense_shape_default = tensor_util.constant_value_as_shape(self._dense_shape)

    @classmethod
    def from_value(cls, value):
        if isinstance(value, SparseTensor):
            return value
        return cls(value.indices, value.values, value.dense_shape)

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    op = property(lambda self: self._values.op)
    graph = property(lambda self: self._indices.graph)
    shape = property(lambda self: self._dense_shape_default)

    def get_shape(self):
        return self._dense_shape_default

    def _tw_fetch_expand(self):
        return ([self._indices, self._values, self._dense_shape],
                lambda v: SparseTensorValue(v[0], v[1], v[2]))

    def _tw_feed_expand(self, value):
        if isinstance(value, SparseTensor):
            raise TypeError("The value of a feed cannot be a tf.SparseTensor object.")
        if not (isinstance(value, tuple) and len(value) == 3):
            raise TypeError("Feeding a SparseTensor needs a SparseTensorValue or an "
                            "(indices, values, dense_shape) tuple, got %r" % (value,))
        return [(self._indices, value[0]), (self._values, value[1]),
                (self._dense_shape, value[2])]

    def eval(self, feed_dict=None, session=None):
        from tensorweave.runtime import session as session_lib

        return session_lib.eval_in_session(self, feed_dict, session, self.graph)

    def __repr__(self):
        return "SparseTensor(indices=%s, values=%s, dense_shape=%s)" % (
            self._indices, self._values, self._dense_shape)


def sparse_placeholder(dtype, shape=None, name=None):
    """tf.sparse_placeholder: a SparseTensor of three placeholders (feed a SparseTensorValue)."""
    shape_name = (name + "/shape") if name is not None else None
    if shape is None:
        rank = None
        dense_shape = _A.placeholder(_int64, [rank], name=shape_name)
    else:
        ts = tensor_shape.as_shape(shape)
        rank = ts.ndims
        if ts.is_fully_defined():
            dense_shape = _A.constant(ts.as_list(), dtype=_int64, name=shape_name)
        else:
            dense_shape = _A.placeholder(_int64, [rank], name=shape_name)
    return SparseTensor(
        values=_A.placeholder(dtype, [None], name=(name + "/values") if name else None),
        indices=_A.placeholder(_int64, [None, rank], name=(name + "/indices") if name else None),
        dense_shape=dense_shape)


def _sparse_to_dense_kernel(sparse_indices, output_shape, sparse_values, default_value,
                            validate_indices=True):
    shp = tuple(int(d) for d in np.reshape(output_shape, -1))
    res = np.full(shp, default_value.reshape(()), dtype=sparse_values.dtype)
    idx = sparse_indices
    if idx.ndim < 2:
        idx = idx.reshape(-1, 1) if len(shp) == 1 else idx.reshape(1, -1)
    if idx.size:
        for j in _pyrange(idx.shape[1]):
            col = idx[:, j]
            if col.min() < 0 or col.max() >= shp[j]:
                bad = int(np.argmax((col < 0) | (col >= shp[j])))
                raise ValueError("indices[%d] = %s is out of bounds: need 0 <= index < %s" % (
                    bad, idx[bad].tolist(), _fmt_dims(shp)))
    vals = np.broadcast_to(sparse_values, (idx.shape[0],))
    res[tuple(idx.T)] = vals
    return res


register_op("SparseToDense",
            inputs=["sparse_indices: Tindices", "output_shape: Tindices", "sparse_values: T",
                    "default_value: T"], outputs=["dense: T"],
            attrs={"validate_indices": True, "T": TYPE, "Tindices": TYPE},
            shape_fn=lambda op: [tensor_util.constant_value_as_shape(op.inputs[1])],
            kernel=_sparse_to_dense_kernel, kernel_attrs=(), grad=None)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """tf.sparse_to_dense."""
    sparse_values = _to_tensor(sparse_values)
    return _apply("SparseToDense", [sparse_indices, output_shape, sparse_values,
                                    _to_tensor(default_value,
                                               dtype=sparse_values.dtype.base_dtype)],
                  name=name, validate_indices=validate_indices)


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """tf.sparse.to_dense / tf.sparse_tensor_to_dense."""
    sp_input = SparseTensor.from_value(sp_input)
    if default_value is None:
        default_value = np.zeros((), dtype=sp_input.dtype.base_dtype.np_dtype)
    return sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values,
                           default_value=default_value, validate_indices=validate_indices,
                           name=name)


tensor_util.register_constant_value("GatherV2")(_A._fold(_gather_kernel, ("batch_dims",)))
_ss_fold = _A._fold(_strided_slice_kernel, ("begin_mask", "end_mask", "ellipsis_mask",
                                            "new_axis_mask", "shrink_axis_mask"))


@tensor_util.register_constant_value("StridedSlice")
def _strided_slice_value(t):
    v = _ss_fold(t)
    if v is not None:
        return v
    src = t.op.inputs[0]
    if src.op.type != "Shape" or src.op.inputs[0].shape.ndims is None:
        return None
    # NOTE: as TF's shape inference, a slice of a Shape is static where the dims it picks are.
    vals = [_cv(x) for x in t.op.inputs[1:]]
    if any(v is None for v in vals):
        return None
    dims = np.array([-1 if d is None else d for d in src.op.inputs[0].shape.as_list()],
                    dtype=np.int64)
    picked = _strided_slice_kernel(dims, *vals, **{
        k: t.op._attrs.get(k, 0) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                           "new_axis_mask", "shrink_axis_mask")})
    if np.any(picked < 0):
        return None
    return np.asarray(picked, dtype=t.dtype.np_dtype)


__all__ = [
    "strided_slice", "boolean_mask", "where", "where_v2", "gather", "batch_gather", "gather_nd",
    "scatter_nd", "unique", "unique_with_counts", "top_k", "unsorted_segment_sum",
    "segment_sum", "dynamic_partition", "dynamic_stitch", "parallel_dynamic_stitch",
    "embedding_lookup", "IndexedSlices", "IndexedSlicesValue", "SparseTensor",
    "SparseTensorValue", "sparse_to_dense", "sparse_tensor_to_dense", "sparse_placeholder",
]
out  # noqa: B018 - re-exported helper used by readers of this module
