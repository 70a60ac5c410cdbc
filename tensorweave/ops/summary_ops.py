"""Summary ops (TF's logging_ops summaries) and the tf.summary.* graph wrappers.

Each kernel returns a scalar string tensor holding a serialized `Summary` proto, as TF's
kernels do: ScalarSummary (simple_value per tag), HistogramSummary (TF's default exponential
buckets), ImageSummary (PNG, TF's per-image float normalisation), AudioSummary/AudioSummaryV2
(16-bit PCM WAV), TensorSummary/TensorSummaryV2 (a TensorProto plus SummaryMetadata) and
MergeSummary (the union of its inputs, rejecting duplicate tags).

Tags and op names follow TF1's `summary_scope`: the op is named after a fresh name scope built
from `name` (cleaned of characters TensorBoard rejects) inside the current scopes, and the tag
is that scope without its trailing '/'; with `family`, the scope is `<family>/<name>` and the
tag gets `<family>/` in front, so TensorBoard groups it under the family's tab.
"""
import contextlib
import io
import logging
import re
import struct
import sys
import zlib

import numpy as np
from tensorboard.compat.proto import summary_pb2, tensor_pb2

from tensorweave.framework import dtypes, errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import INT, TYPE, out, register_op

_log = logging.getLogger("tensorweave")

_REAL_NUMBER_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8, dtypes.int16,
                      dtypes.int8, dtypes.int64, dtypes.bfloat16, dtypes.uint16,
                      dtypes.float16, dtypes.uint32, dtypes.uint64)
_IMAGE_TYPES = (dtypes.uint8, dtypes.float32, dtypes.float16, dtypes.float64)


def _fmt_shape(shape):
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _text(v):
    v = np.asarray(v).reshape(-1)[0] if np.ndim(v) else np.asarray(v).item()
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, np.bytes_)) else str(v)


def _serialized(summary):
    return np.array(summary.SerializeToString(), dtype=object)


def _scalar_out_shape(*checks):
    """A shape fn returning a scalar, after checking `(input index, arg name, allowed)`."""

    def fn(op):
        for idx, arg, allowed in checks:
            dt = op.inputs[idx].dtype.base_dtype
            if dt not in allowed:
                raise TypeError(
                    "Value passed to parameter '%s' has DataType %s not in list of allowed "
                    "values: %s" % (arg, dt.name, ", ".join(a.name for a in allowed)))
        return [tensor_shape.TensorShape([])]

    return fn


# ----------------------------------------------------------------- ScalarSummary
def _scalar_summary(tags, values):
    tags = np.asarray(tags)
    values = np.asarray(values)
    if tags.shape != values.shape:
        single = (" (tag '%s')" % _text(tags)) if tags.ndim == 0 else ""
        raise errors.InvalidArgumentError(
            None, None, "tags and values are not the same shape: %s != %s%s" % (
                _fmt_shape(tags.shape), _fmt_shape(values.shape), single))
    s = summary_pb2.Summary()
    flat_vals = values.reshape(-1).astype(np.float64).tolist()
    for tag, v in zip(tags.reshape(-1).tolist(), flat_vals):
        s.value.add(tag=tag.decode("utf-8", "replace") if isinstance(tag, bytes) else str(tag),
                    simple_value=v)
    return _serialized(s)


register_op("ScalarSummary", inputs=["tags: string", "values: T"], outputs=["summary: string"],
            attrs={"T": TYPE},
            shape_fn=_scalar_out_shape((1, "values", _REAL_NUMBER_TYPES)),
            kernel=_scalar_summary, kernel_attrs=())


# -------------------------------------------------------------- HistogramSummary
def _default_bucket_limits():
    # NOTE: TF's default histogram buckets: +-1e-12 * 1.1^k below 1e20 (computed by repeated
    # multiplication in double, exactly as TF does), +-DBL_MAX at the ends and 0 in the middle.
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(sys.float_info.max)
    neg = [-x for x in reversed(pos)]
    return np.array(neg + [0.0] + pos, dtype=np.float64)


DEFAULT_BUCKET_LIMITS = _default_bucket_limits()
_LIMITS_LIST = DEFAULT_BUCKET_LIMITS.tolist()


_CELL_SHIFT = 44  # a table cell: sign, exponent and the top 8 mantissa bits of a double
_cell_table = None


def _bucket_table():
    # NOTE: one cell spans a relative width of 2**-8, less than a bucket's 10%, so at most one
    # limit falls inside a cell: the table holds upper_bound() of the cell's lowest value and
    # one comparison with the next limit finishes the lookup.
    global _cell_table
    if _cell_table is None:
        cells = np.arange(1 << (64 - _CELL_SHIFT), dtype=np.uint64) << np.uint64(_CELL_SHIFT)
        negative = cells >= np.uint64(1 << 63)
        low = np.where(negative, cells | np.uint64((1 << _CELL_SHIFT) - 1), cells)
        with np.errstate(invalid="ignore"):
            lowest = low.view(np.float64)
        lowest = np.where(np.isnan(lowest), 0.0, lowest)
        table = np.searchsorted(DEFAULT_BUCKET_LIMITS, lowest, side="right")
        _cell_table = np.minimum(table, len(DEFAULT_BUCKET_LIMITS) - 1).astype(np.int16)
    return _cell_table


def bucket_indices(v):
    """For finite float64 values `v`, the index of the first default limit > v (C++
    upper_bound, as TF's Histogram::Add), by table lookup on the float's top bits."""
    v = np.ascontiguousarray(v, dtype=np.float64)
    idx = _bucket_table()[v.view(np.uint64) >> np.uint64(_CELL_SHIFT)].astype(np.intp)
    idx += DEFAULT_BUCKET_LIMITS[idx] <= v
    np.minimum(idx, len(DEFAULT_BUCKET_LIMITS) - 1, out=idx)
    return idx


def histogram_proto(values, op_name="histogram"):
    """A HistogramProto of `values` as TF's HistogramSummary kernel builds it: default buckets,
    runs of empty buckets collapsed into one (keeping the run's last limit)."""
    v = np.asarray(values).reshape(-1)
    if v.dtype != np.float64:
        v = v.astype(np.float64)
    h = summary_pb2.HistogramProto()
    if v.size == 0:
        h.min = sys.float_info.max
        h.max = -sys.float_info.max
        h.bucket_limit.append(sys.float_info.max)
        h.bucket.append(0.0)
        return h
    # NOTE: TF accumulates sum and sum of squares one value at a time in double; cumsum keeps
    # that order (np.sum's pairwise order can differ in the last bits).
    total = np.cumsum(v)[-1]
    if not np.isfinite(total):  # a NaN or Inf (or an overflowing sum: then check each value)
        finite = np.isfinite(v)
        if not finite.all():
            first = v[np.argmin(finite)]
            if np.isnan(first):
                raise errors.InvalidArgumentError(
                    None, None, "Nan in summary histogram for: %s" % op_name)
            raise errors.InvalidArgumentError(
                None, None, "Infinity in Histogram for: %s" % op_name)
    counts = np.bincount(bucket_indices(v), minlength=len(DEFAULT_BUCKET_LIMITS))
    nonzero = counts > 0
    keep = nonzero.copy()
    keep[:-1] |= nonzero[1:]
    keep[-1] = True
    kept = np.flatnonzero(keep)
    h.min = float(v.min())
    h.max = float(v.max())
    h.num = float(v.size)
    h.sum = float(total)
    h.sum_squares = float(np.cumsum(v * v)[-1])
    h.bucket_limit.extend(DEFAULT_BUCKET_LIMITS[kept].tolist())
    h.bucket.extend(counts[kept].astype(np.float64).tolist())
    return h


def _histogram_factory(op, state):
    name = op.name

    def _histogram(tag, values):
        s = summary_pb2.Summary()
        val = s.value.add(tag=_text(tag))
        val.histo.CopyFrom(histogram_proto(values, name))
        return _serialized(s)

    return _histogram


register_op("HistogramSummary", inputs=["tag: string", "values: T"],
            outputs=["summary: string"], attrs={"T": dtypes.float32},
            shape_fn=_scalar_out_shape((1, "values", _REAL_NUMBER_TYPES)),
            kernel_factory=_histogram_factory)


# ------------------------------------------------------------------ PNG encoding
def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png_zlib(image):
    """PNG bytes of a uint8 [height, width, channels] array (1, 2, 3 or 4 channels), filter 0
    rows deflated with zlib; the fallback when Pillow is not installed."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    h, w, c = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = np.zeros((h, 1 + w * c), dtype=np.uint8)
    raw[:, 1:] = image.reshape(h, w * c)
    return b"".join([b"\x89PNG\r\n\x1a\n",
                     _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)),
                     _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)),
                     _png_chunk(b"IEND", b"")])


def encode_png_pillow(image):
    """PNG bytes of a uint8 [height, width, channels] array, written by Pillow."""
    from PIL import Image

    image = np.ascontiguousarray(image, dtype=np.uint8)
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[image.shape[2]]
    arr = image[:, :, 0] if image.shape[2] == 1 else image
    buf = io.BytesIO()
    Image.fromarray(arr, mode=mode if mode != "L" else None).save(buf, format="PNG")
    return buf.getvalue()


try:
    import PIL.Image  # noqa: F401

    encode_png = encode_png_pillow
except ImportError:  # pragma: no cover - depends on the environment
    encode_png = encode_png_zlib


# ----------------------------------------------------------------- ImageSummary
_BAD_COLOR = tensor_pb2.TensorProto(dtype=dtypes.uint8.as_datatype_enum, int_val=[255, 0, 0, 255])
_BAD_COLOR.tensor_shape.dim.add(size=4)


def _bad_color_array(value):
    if isinstance(value, tensor_pb2.TensorProto):
        from tensorweave.framework import graph_io

        return graph_io.tensor_proto_to_ndarray(value).astype(np.uint8).reshape(-1)
    return np.asarray(value, dtype=np.uint8).reshape(-1)


def normalize_float_images(images, bad_color):
    """TF's ImageSummary normalisation of float images [n, h, w, c] to uint8, per image: all
    values >= 0 are scaled so the largest is 255; with negatives, 0 maps to 128 and the largest
    magnitude to 128 +- 127. Pixels with a non-finite channel take `bad_color`."""
    n, h, w, c = images.shape
    t = images.dtype
    flat = images.reshape(n, h * w, c)
    finite_px = np.isfinite(flat).all(axis=2)  # [n, hw]
    as_f32 = flat.astype(np.float32, copy=False)
    masked_min = np.where(finite_px[:, :, None], as_f32, np.float32(np.inf))
    masked_max = np.where(finite_px[:, :, None], as_f32, np.float32(-np.inf))
    mins = masked_min.reshape(n, -1).min(axis=1) if h * w * c else np.full(n, np.inf, np.float32)
    maxs = masked_max.reshape(n, -1).max(axis=1) if h * w * c else np.full(n, -np.inf, np.float32)
    result = np.empty((n, h * w, c), dtype=np.uint8)
    zero = np.float32(1e-6)
    for i in range(n):  # per image: a handful of images, each vectorised
        lo, hi = np.float32(mins[i]), np.float32(maxs[i])
        if lo < 0:
            max_val = max(abs(lo), abs(hi))
            scale = np.float32(0.0) if max_val < zero else np.float32(127.0) / max_val
            offset = 128.0
        else:
            scale = np.float32(0.0) if hi < zero else np.float32(255.0) / hi
            offset = 0.0
        vals = flat[i] * t.type(scale) + t.type(offset)
        with np.errstate(invalid="ignore"):
            img = vals.astype(np.uint8)  # C's float -> uint8 conversion truncates
        img[~finite_px[i]] = bad_color[:c]
        result[i] = img
    return result.reshape(n, h, w, c)


def _image_factory(op, state):
    max_images = int(op._attrs.get("max_images", 3))
    bad_color = _bad_color_array(op._attrs.get("bad_color", _BAD_COLOR))

    def _image(tag, tensor):
        tensor = np.asarray(tensor)
        if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
            raise errors.InvalidArgumentError(
                None, None, "Tensor must be 4-D with last dim 1, 3, or 4, not %s" %
                _fmt_shape(tensor.shape))
        base = _text(tag)
        n, h, w, c = tensor.shape
        n = min(n, max_images)
        if n == 0:
            return _serialized(summary_pb2.Summary())
        if bad_color.size < c:
            raise errors.InvalidArgumentError(
                None, None, "expected depth <= bad_color.size, got depth = %d, bad_color.size "
                "= %d" % (c, bad_color.size))
        if tensor.dtype == np.uint8:
            images = tensor[:n]
        else:
            images = normalize_float_images(tensor[:n], bad_color)
        s = summary_pb2.Summary()
        for i in range(n):
            v = s.value.add(tag=base + "/image" if max_images == 1 else
                            "%s/image/%d" % (base, i))
            v.image.height = h
            v.image.width = w
            v.image.colorspace = c
            v.image.encoded_image_string = encode_png(images[i])
        return _serialized(s)

    return _image


register_op("ImageSummary", inputs=["tag: string", "tensor: T"], outputs=["summary: string"],
            attrs={"max_images": 3, "T": dtypes.float32, "bad_color": _BAD_COLOR},
            shape_fn=_scalar_out_shape((1, "tensor", _IMAGE_TYPES)),
            kernel_factory=_image_factory)


# ----------------------------------------------------------------- AudioSummary
def encode_wav(audio, sample_rate):
    """16-bit PCM WAV bytes of float audio [frames, channels] in [-1, 1] (TF's wav encoder:
    round half away from zero of x * 32768, clipped to int16)."""
    a = np.asarray(audio, dtype=np.float32)
    channels = a.shape[1]
    x = a.astype(np.float64) * 32768.0
    x = np.sign(x) * np.floor(np.abs(x) + 0.5)
    pcm = np.clip(x, -32768, 32767).astype("<i2").tobytes()
    rate = int(sample_rate)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1,
                         channels, rate, rate * channels * 2, channels * 2, 16, b"data",
                         len(pcm))
    return header + pcm


def _audio_summary(op_max_outputs, tag, tensor, sample_rate):
    tensor = np.asarray(tensor)
    if tensor.ndim not in (2, 3):
        raise errors.InvalidArgumentError(
            None, None, "Tensor must be 3-D or 2-D, got: %s" % _fmt_shape(tensor.shape))
    base = _text(tag)
    batch, frames = tensor.shape[:2]
    channels = tensor.shape[2] if tensor.ndim == 3 else 1
    n = min(batch, op_max_outputs)
    s = summary_pb2.Summary()
    for i in range(n):
        v = s.value.add(tag=base + "/audio" if op_max_outputs == 1 else
                        "%s/audio/%d" % (base, i))
        v.audio.sample_rate = float(sample_rate)
        v.audio.num_channels = channels
        v.audio.length_frames = frames
        v.audio.encoded_audio_string = encode_wav(tensor[i].reshape(frames, channels),
                                                  sample_rate)
        v.audio.content_type = "audio/wav"
    return _serialized(s)


def _audio_v2_factory(op, state):
    max_outputs = int(op._attrs.get("max_outputs", 3))

    def _audio(tag, tensor, sample_rate):
        sr = np.asarray(sample_rate)
        if sr.size != 1:
            raise errors.InvalidArgumentError(
                None, None, "sample_rate must be rank-0 or contain a single element, got "
                "shape: %s" % _fmt_shape(sr.shape))
        return _audio_summary(max_outputs, tag, tensor, float(sr.reshape(-1)[0]))

    return _audio


register_op("AudioSummaryV2", inputs=["tag: string", "tensor: float", "sample_rate: float"],
            outputs=["summary: string"], attrs={"max_outputs": 3},
            shape_fn=registry.scalar_shape, kernel_factory=_audio_v2_factory)


def _audio_v1_factory(op, state):
    max_outputs = int(op._attrs.get("max_outputs", 3))
    rate = float(op._attrs["sample_rate"])
    return lambda tag, tensor: _audio_summary(max_outputs, tag, tensor, rate)


register_op("AudioSummary", inputs=["tag: string", "tensor: float"],
            outputs=["summary: string"], attrs={"sample_rate": registry.REQUIRED,
                                                "max_outputs": 3},
            shape_fn=registry.scalar_shape, kernel_factory=_audio_v1_factory)


# ---------------------------------------------------------------- TensorSummary
def tensor_to_proto_content(arr):
    """A TensorProto of `arr` as TF's Tensor::AsProtoTensorContent writes it (numbers in
    tensor_content, strings in string_val)."""
    arr = np.asarray(arr)
    if arr.dtype.kind in "OSU":
        p = tensor_pb2.TensorProto(dtype=dtypes.string.as_datatype_enum)
        p.string_val.extend(v if isinstance(v, bytes) else str(v).encode("utf-8")
                            for v in arr.reshape(-1).tolist())
    else:
        dt = dtypes.dtype_from_numpy(arr.dtype)
        p = tensor_pb2.TensorProto(dtype=dt.as_datatype_enum)
        p.tensor_content = np.ascontiguousarray(arr).astype(
            arr.dtype.newbyteorder("<"), copy=False).tobytes()
    p.tensor_shape.SetInParent()
    for d in arr.shape:
        p.tensor_shape.dim.add(size=int(d))
    return p


def _tensor_summary_v2(tag, tensor, serialized_summary_metadata):
    s = summary_pb2.Summary()
    v = s.value.add(tag=_text(tag))
    v.metadata.ParseFromString(np.asarray(serialized_summary_metadata).reshape(-1)[0])
    v.tensor.CopyFrom(tensor_to_proto_content(tensor))
    return _serialized(s)


register_op("TensorSummaryV2", inputs=["tag: string", "tensor: T",
                                       "serialized_summary_metadata: string"],
            outputs=["summary: string"], attrs={"T": TYPE}, shape_fn=registry.scalar_shape,
            kernel=_tensor_summary_v2, kernel_attrs=())


def _tensor_summary_v1_factory(op, state):
    def _s(v):
        return v.decode("utf-8") if isinstance(v, bytes) else (v or "")

    description = _s(op._attrs.get("description", ""))
    display_name = _s(op._attrs.get("display_name", ""))

    def _tensor_summary(tensor):
        s = summary_pb2.Summary()
        v = s.value.add(node_name=op.name)
        v.metadata.display_name = display_name
        v.metadata.summary_description = description
        v.tensor.CopyFrom(tensor_to_proto_content(tensor))
        return _serialized(s)

    return _tensor_summary


register_op("TensorSummary", inputs=["tensor: T"], outputs=["summary: string"],
            attrs={"T": TYPE, "description": "", "labels": [], "display_name": ""},
            shape_fn=registry.scalar_shape, kernel_factory=_tensor_summary_v1_factory)


# ----------------------------------------------------------------- MergeSummary
def _merge_summary(*inputs):
    tags = set()
    parts = []
    parse = summary_pb2.Summary.FromString
    for x in inputs:
        for blob in np.asarray(x).reshape(-1).tolist():
            try:
                summ = parse(blob)
            except Exception:  # noqa: BLE001 - protobuf's DecodeError
                raise errors.InvalidArgumentError(
                    None, None, "Could not parse one of the summary inputs") from None
            for v in summ.value:
                if v.tag:
                    if v.tag in tags:
                        raise errors.InvalidArgumentError(
                            None, None, "Duplicate tag %s found in summary inputs " % v.tag)
                    tags.add(v.tag)
            # NOTE: a Summary holds one repeated field, so concatenating serialized inputs is
            # the serialization of the merged message.
            parts.append(blob)
    return np.array(b"".join(parts), dtype=object)


register_op("MergeSummary", inputs=["inputs: N * string"], outputs=["summary: string"],
            attrs={"N": INT}, shape_fn=registry.scalar_shape, kernel=_merge_summary,
            kernel_attrs=())


# =================================================================== tf.summary
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def clean_tag(name):
    """Replaces characters TensorBoard rejects in tags with '_' and drops leading '/'."""
    if name is not None:
        new = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
        if new != name:
            _log.info("Summary name %s is illegal; using %s instead.", name, new)
            name = new
    return name


@contextlib.contextmanager
def summary_scope(name, family=None, default_name=None, values=None):
    """TF's summary_scope: yields (tag, scope) for a summary op named `name`."""
    name = clean_tag(name)
    family = clean_tag(family)
    base = name if family is None else "%s/%s" % (family, name)
    with graph_lib.name_scope(base, default_name, values) as scope:
        if family is None:
            tag = scope.rstrip("/")
        else:
            tag = "%s/%s" % (family, scope.rstrip("/"))
        yield tag, scope


def _collect(val, collections, default_collections):
    for key in (default_collections if collections is None else collections):
        graph_lib.add_to_collection(key, val)


def scalar(name, tensor, collections=None, family=None):
    """tf.summary.scalar: a ScalarSummary op; returns its serialized `Summary` string."""
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = out(registry.apply_op("ScalarSummary", [tag, tensor], name=scope))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def histogram(name, values, collections=None, family=None):
    """tf.summary.histogram: a HistogramSummary op (TF's default buckets)."""
    with summary_scope(name, family, values=[values],
                       default_name="HistogramSummary") as (tag, scope):
        val = out(registry.apply_op("HistogramSummary", [tag, values], name=scope))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """tf.summary.image: up to `max_outputs` PNG images of a [batch, h, w, 1|3|4] tensor,
    tagged `<tag>/image/<i>` (`<tag>/image` when max_outputs is 1)."""
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = out(registry.apply_op("ImageSummary", [tag, tensor], name=scope,
                                    max_images=int(max_outputs)))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """tf.summary.audio: up to `max_outputs` WAV clips of a [batch, frames(, channels)] float
    tensor in [-1, 1]."""
    with summary_scope(name, family=family, values=[tensor]) as (tag, scope):
        sample_rate = registry.convert_to_tensor(sample_rate, dtype=dtypes.float32,
                                                 name="sample_rate")
        val = out(registry.apply_op("AudioSummaryV2", [tag, tensor, sample_rate], name=scope,
                                    max_outputs=int(max_outputs)))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """tf.summary.tensor_summary: a TensorSummaryV2 op serializing `tensor` with metadata."""
    if summary_metadata is None:
        summary_metadata = summary_pb2.SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = out(registry.apply_op("TensorSummaryV2", [tag, tensor, serialized], name=scope))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None):
    """tf.summary.text: a string tensor for TensorBoard's text plugin (markdown)."""
    if not isinstance(tensor, graph_lib.Tensor):
        tensor = registry.convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != dtypes.string:
        raise ValueError("Expected tensor %s to have dtype string, got %r" % (
            tensor.name, tensor.dtype))
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name=name, tensor=tensor, summary_metadata=metadata,
                          collections=collections)


def merge(inputs, collections=None, name=None):
    """tf.summary.merge: one MergeSummary op over `inputs` (scope 'Merge')."""
    inputs = list(inputs)
    name = clean_tag(name)
    with graph_lib.name_scope(name, "Merge", inputs):
        if not inputs:
            raise ValueError("List argument 'inputs' to 'MergeSummary' Op with length 0 "
                             "shorter than minimum length 1.")
        val = out(registry.apply_op("MergeSummary", [inputs], name=name))
        _collect(val, collections, [])
    return val


def merge_all(key=graph_lib.GraphKeys.SUMMARIES, scope=None, name=None):
    """tf.summary.merge_all: merges the summaries in collection `key` (filtered by `scope`);
    None when there are none."""
    summary_ops = graph_lib.get_collection(key, scope=scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)


def all_v2_summary_ops():
    """tf.summary.all_v2_summary_ops: the TF2 summary ops of the graph (none here)."""
    return graph_lib.get_collection("_SUMMARY_V2")


def get_summary_description(node_def):
    """The SummaryDescription stored in a TensorSummary op's NodeDef."""
    from google.protobuf import json_format

    if node_def.op != "TensorSummary":
        raise ValueError("Can't get_summary_description on %s" % node_def.op)
    desc = node_def.attr["description"].s
    desc = desc.decode("utf-8") if isinstance(desc, bytes) else str(desc)
    result = summary_pb2.SummaryDescription()
    json_format.Parse(desc, result)
    return result


# ------------------------------------------------- TF 0.x names old tutorials use
def scalar_summary(tags, values, collections=None, name=None):
    """tf.scalar_summary (TF <= 0.12): `tags` is used as given, without name scopes."""
    with graph_lib.name_scope(name, "ScalarSummary", [tags, values]) as scope:
        val = out(registry.apply_op("ScalarSummary", [tags, values], name=scope))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def histogram_summary(tag, values, collections=None, name=None):
    """tf.histogram_summary (TF <= 0.12)."""
    with graph_lib.name_scope(name, "HistogramSummary", [tag, values]) as scope:
        val = out(registry.apply_op("HistogramSummary", [tag, values], name=scope))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """tf.image_summary (TF <= 0.12)."""
    with graph_lib.name_scope(name, "ImageSummary", [tag, tensor]) as scope:
        val = out(registry.apply_op("ImageSummary", [tag, tensor], name=scope,
                                    max_images=int(max_images)))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """tf.audio_summary (TF <= 0.12)."""
    with graph_lib.name_scope(name, "AudioSummary", [tag, tensor]) as scope:
        sample_rate = registry.convert_to_tensor(sample_rate, dtype=dtypes.float32,
                                                 name="sample_rate")
        val = out(registry.apply_op("AudioSummaryV2", [tag, tensor, sample_rate], name=scope,
                                    max_outputs=int(max_outputs)))
        _collect(val, collections, [graph_lib.GraphKeys.SUMMARIES])
    return val


def merge_summary(inputs, collections=None, name=None):
    """tf.merge_summary (TF <= 0.12)."""
    inputs = list(inputs)
    with graph_lib.name_scope(name, "MergeSummary", inputs) as scope:
        val = out(registry.apply_op("MergeSummary", [inputs], name=scope))
        _collect(val, collections, [])
    return val


def merge_all_summaries(key=graph_lib.GraphKeys.SUMMARIES):
    """tf.merge_all_summaries (TF <= 0.12)."""
    summary_ops = graph_lib.get_collection(key)
    if not summary_ops:
        return None
    return merge_summary(summary_ops)
