"""V2 tensor bundles: TF's checkpoint format (core/util/tensor_bundle).

A bundle `<prefix>` is `<prefix>.index`, a table (see table.py) mapping "" to a
BundleHeaderProto and each tensor name to a BundleEntryProto, plus data shards
`<prefix>.data-%05d-of-%05d` holding the raw little-endian tensor bytes at the entries'
offsets. String tensors are stored as the varint64 lengths of all elements, the masked CRC32C
of those lengths (each taken as a little-endian uint32, or uint64 if it does not fit), then
the element bytes; their entry's crc32c covers the lengths (same encoding), the length
checksum and the bytes. Numeric tensors' crc32c covers their raw bytes.

Note: the proto classes are registered under TF's own file names; if real TensorFlow is
imported in the same process, import it first (its descriptors are then reused).
"""
import os
import struct
import threading
import uuid

import numpy as np
from tensorboard.compat.proto import tensor_shape_pb2, types_pb2, versions_pb2

from tensorweave.formats import crc32c as _crc
from tensorweave.formats._protos import build_file, field, message
from tensorweave.formats.table import TableReader, TableWriter, get_varint, put_varint
from tensorweave.framework import dtypes, errors

_slice = build_file("tensorflow/core/framework/tensor_slice.proto", "tensorflow", [
    message("TensorSliceProto", [field("extent", 1, ".tensorflow.TensorSliceProto.Extent",
                                       repeated=True)],
            nested=[message("Extent", [field("start", 1, "int64"),
                                       field("length", 2, "int64", oneof="has_length")])]),
])
TensorSliceProto = _slice["TensorSliceProto"]

_TB = "." + types_pb2.DESCRIPTOR.package  # the package tensorboard's copies of TF types use
_bundle = build_file("tensorflow/core/protobuf/tensor_bundle.proto", "tensorflow", [
    message("BundleHeaderProto", [
        field("num_shards", 1, "int32"),
        field("endianness", 2, "enum:.tensorflow.BundleHeaderProto.Endianness"),
        field("version", 3, _TB + ".VersionDef"),
    ], enums=[("Endianness", [("LITTLE", 0), ("BIG", 1)])]),
    message("BundleEntryProto", [
        field("dtype", 1, "enum:" + _TB + ".DataType"),
        field("shape", 2, _TB + ".TensorShapeProto"),
        field("shard_id", 3, "int32"),
        field("offset", 4, "int64"),
        field("size", 5, "int64"),
        field("crc32c", 6, "fixed32"),
        field("slices", 7, ".tensorflow.TensorSliceProto", repeated=True),
    ]),
], deps=[tensor_shape_pb2, types_pb2, versions_pb2,
         "tensorflow/core/framework/tensor_slice.proto"])
BundleHeaderProto = _bundle["BundleHeaderProto"]
BundleEntryProto = _bundle["BundleEntryProto"]

# The format version this code writes and reads (TF's kTensorBundleVersion).
BUNDLE_VERSION = 1
_NUMERIC_KINDS = "biufcV"


def data_filename(prefix, shard_id, num_shards):
    """`<prefix>.data-0000k-of-0000n`, the name of one data shard."""
    return "%s.data-%05d-of-%05d" % (prefix, shard_id, num_shards)


def index_filename(prefix):
    """`<prefix>.index`."""
    return prefix + ".index"


def _as_array(value):
    """Converts a value to an ndarray in TF's storage form plus its DType."""
    arr = np.asarray(value)
    if arr.dtype.kind in "OSU":
        return arr, dtypes.string
    try:
        dt = dtypes.dtype_from_numpy(arr.dtype.newbyteorder("="))
    except TypeError:
        raise errors.InvalidArgumentError(
            None, None, "Cannot save a tensor of NumPy dtype %s in a bundle." % arr.dtype) from None
    if dt.np_dtype is None or dt.np_dtype.kind not in _NUMERIC_KINDS:
        raise errors.InvalidArgumentError(None, None, "Cannot save %s tensors." % dt.name)
    # NOTE: bundles are little-endian; byte-swap big-endian inputs, keep the rest zero-copy.
    # (np.ascontiguousarray would turn a scalar into shape [1].)
    arr = np.asarray(arr, dtype=dt.np_dtype.newbyteorder("<"), order="C")
    return arr, dt


def _string_payload(arr):
    """Returns ([chunks], crc) of a string tensor in TF's on-disk layout."""
    elems = []
    for v in arr.reshape(-1):
        if isinstance(v, str):
            v = v.encode("utf-8")
        elems.append(bytes(v))
    lengths = bytearray()
    crc = 0
    for e in elems:
        put_varint(lengths, len(e))
        # NOTE: the checksum covers each length as a fixed uint32 (uint64 when it does not
        # fit), not the varint bytes: TF kept this for older readers.
        n = len(e)
        crc = _crc.extend(crc, struct.pack("<I", n) if n <= 0xFFFFFFFF else struct.pack("<Q", n))
    length_crc = struct.pack("<I", _crc.mask(crc))
    crc = _crc.extend(crc, length_crc)
    for e in elems:
        crc = _crc.extend(crc, e)
    return [bytes(lengths), length_crc] + elems, crc


class BundleWriter:
    """Writes one V2 bundle (a single data shard) at `prefix`.

    `add(key, array)` streams the tensor into a temporary data file; `finish()` writes the
    index to a temporary file and renames both into place, data first and index last, so a
    failure at any point leaves an earlier bundle at the same prefix untouched and no partial
    final files. TF's Saver adds keys in sorted order; do the same for TF-identical files.
    Use as a context manager to abort (delete the temporaries) on an exception.
    """

    def __init__(self, prefix, shard_id=0, num_shards=1):
        self.prefix = os.fspath(prefix)
        self._shard_id = shard_id
        self._num_shards = num_shards
        d = os.path.dirname(self.prefix)
        if d:
            os.makedirs(d, exist_ok=True)
        tag = ".tempstate" + uuid.uuid4().hex
        self._data_final = data_filename(self.prefix, shard_id, num_shards)
        self._data_tmp = self._data_final + tag
        self._index_tmp = index_filename(self.prefix) + tag
        try:
            self._f = open(self._data_tmp, "wb")
        except PermissionError:
            raise errors.PermissionDeniedError(
                None, None, "%s; Permission denied" % self._data_tmp) from None
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, "%s; No such file or directory"
                                       % self._data_tmp) from None
        self._offset = 0
        self._entries = {}
        self._done = False

    def add(self, key, value):
        """Appends tensor `value` (array-like; str/bytes arrays as DT_STRING) under `key`."""
        if self._done:
            raise errors.FailedPreconditionError(None, None, "BundleWriter already finished.")
        key = key.decode("utf-8") if isinstance(key, bytes) else str(key)
        if key == "":
            raise errors.InvalidArgumentError(None, None, "Bundle keys must be non-empty.")
        if key in self._entries:
            raise errors.InvalidArgumentError(None, None, "Adding duplicate key: %s" % key)
        arr, dt = _as_array(value)
        entry = BundleEntryProto(dtype=dt.as_datatype_enum, shard_id=self._shard_id,
                                 offset=self._offset)
        entry.shape.SetInParent()
        for n in arr.shape:
            entry.shape.dim.add(size=n)
        try:
            if dt == dtypes.string:
                chunks, crc = _string_payload(arr)
                size = 0
                for c in chunks:
                    self._write(c)
                    size += len(c)
            else:
                raw = arr.reshape(-1).view(np.uint8)
                self._write(raw)
                size = raw.nbytes
                crc = _crc.crc32c(raw)
        except BaseException:
            self.abort()
            raise
        entry.size = size
        entry.crc32c = _crc.mask(crc)
        self._offset += size
        self._entries[key] = entry

    def _write(self, buf):
        # The data goes straight from the array's buffer to the file: no per-element work.
        self._f.write(buf)

    def add_entry(self, key, entry):
        """Adds a prepared BundleEntryProto (e.g. when merging shards); no data is written."""
        self._entries[key] = entry

    def finish(self):
        """Writes the index and moves the files into place atomically (index last)."""
        if self._done:
            return
        try:
            self._f.close()
            header = BundleHeaderProto(num_shards=self._num_shards)
            header.version.producer = BUNDLE_VERSION
            with open(self._index_tmp, "wb") as f:
                table = TableWriter(f)
                table.add(b"", header.SerializeToString())
                for key in sorted(self._entries, key=lambda k: k.encode("utf-8")):
                    table.add(key.encode("utf-8"), self._entries[key].SerializeToString())
                table.finish()
            os.replace(self._data_tmp, self._data_final)
            os.replace(self._index_tmp, index_filename(self.prefix))
        except BaseException:
            self.abort()
            raise
        self._done = True

    def abort(self):
        """Discards the temporary files; the bundle is not written."""
        self._done = True
        try:
            self._f.close()
        except OSError:
            pass
        for p in (self._data_tmp, self._index_tmp):
            try:
                os.remove(p)
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.finish()
        else:
            self.abort()


def write_bundle(prefix, tensors):
    """Writes {name: array} as a bundle at `prefix`, data in sorted key order (as TF's Saver)."""
    with BundleWriter(prefix) as w:
        for key in sorted(tensors, key=lambda k: k.encode("utf-8") if isinstance(k, str) else k):
            w.add(key, tensors[key])


def merge_bundles(prefixes, merged_prefix):
    """Merges single-shard bundles into one bundle of len(prefixes) shards (TF's
    MergeV2Checkpoints): data files are renamed to `<merged>.data-0000i-of-0000n`, entries are
    re-pointed at their shard, and the merged index is written last, atomically."""
    n = len(prefixes)
    entries = {}
    for i, p in enumerate(prefixes):
        r = BundleReader(p)
        if r.num_shards != 1:
            raise errors.InvalidArgumentError(None, None, "Cannot merge %s: it has %d shards"
                                              % (p, r.num_shards))
        for k in r.keys():
            if k in entries:
                raise errors.InvalidArgumentError(
                    None, None, "Duplicate tensor %s in bundles being merged" % k)
            e = BundleEntryProto()
            e.CopyFrom(r.entry(k))
            e.shard_id = i
            entries[k] = e
        r.close()
    for i, p in enumerate(prefixes):
        os.replace(data_filename(p, 0, 1), data_filename(merged_prefix, i, n))
    header = BundleHeaderProto(num_shards=n)
    header.version.producer = BUNDLE_VERSION
    final = index_filename(merged_prefix)
    tmp = final + ".tempstate" + uuid.uuid4().hex
    try:
        with open(tmp, "wb") as f:
            table = TableWriter(f)
            table.add(b"", header.SerializeToString())
            for key in sorted(entries, key=lambda k: k.encode("utf-8")):
                table.add(key.encode("utf-8"), entries[key].SerializeToString())
            table.finish()
        os.replace(tmp, final)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    for p in prefixes:
        if os.path.abspath(index_filename(p)) != os.path.abspath(final):
            os.remove(index_filename(p))


class BundleReader:
    """Reads the bundle at `prefix` (any number of shards).

    `keys()`, `dtype_and_shape(key)`, `lookup(key)` (checksum-verified ndarray; DT_STRING as
    an object array of bytes), `has_tensor`, `var_to_shape_map`, `var_to_dtype_map`.
    """

    def __init__(self, prefix):
        self.prefix = os.fspath(prefix)
        index = index_filename(self.prefix)
        if not os.path.exists(index):
            raise errors.NotFoundError(
                None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                "matching files for %s (no %s)" % (self.prefix, index))
        table = TableReader(index)
        self._entries = {}
        header = None
        for k, v in table.items():
            if k == b"":
                header = BundleHeaderProto.FromString(v)
            else:
                self._entries[k.decode("utf-8", "surrogateescape")] = v
        if header is None:
            raise errors.DataLossError(None, None, "%s has no bundle header" % index)
        if header.endianness != BundleHeaderProto.LITTLE:
            raise errors.UnimplementedError(
                None, None, "%s was written on a big-endian machine; not supported" % index)
        v = header.version
        if v.min_consumer > BUNDLE_VERSION or BUNDLE_VERSION in v.bad_consumers:
            raise errors.InvalidArgumentError(
                None, None, "%s needs a newer reader (bundle version producer=%d "
                "min_consumer=%d; this reader is %d)"
                % (index, v.producer, v.min_consumer, BUNDLE_VERSION))
        self.num_shards = header.num_shards
        self._files = {}
        self._lock = threading.Lock()

    def keys(self):
        """The tensor names, sorted."""
        return sorted(self._entries)

    def has_tensor(self, key):
        """True if `key` is stored."""
        return key in self._entries

    def entry(self, key):
        """The BundleEntryProto of `key` (NotFoundError if absent)."""
        try:
            raw = self._entries[key]
        except KeyError:
            raise errors.NotFoundError(
                None, None, "Key %s not found in checkpoint %s" % (key, self.prefix)) from None
        if isinstance(raw, bytes):
            raw = self._entries[key] = BundleEntryProto.FromString(raw)
        return raw

    def dtype_and_shape(self, key):
        """Returns (DType, [dims]) of `key`."""
        e = self.entry(key)
        return dtypes.as_dtype(e.dtype), [d.size for d in e.shape.dim]

    def var_to_shape_map(self):
        """{name: [dims]} for every tensor, as CheckpointReader.get_variable_to_shape_map."""
        return {k: self.dtype_and_shape(k)[1] for k in self._entries}

    def var_to_dtype_map(self):
        """{name: DType} for every tensor."""
        return {k: self.dtype_and_shape(k)[0] for k in self._entries}

    def _file(self, shard):
        with self._lock:
            return self._open_shard(shard)

    def _open_shard(self, shard):
        f = self._files.get(shard)
        if f is None:
            path = data_filename(self.prefix, shard, self.num_shards)
            try:
                f = self._files[shard] = open(path, "rb")
            except FileNotFoundError:
                raise errors.NotFoundError(None, None, "Data file %s of bundle %s is missing"
                                           % (path, self.prefix)) from None
        return f

    def _read(self, e, key, out):
        # NOTE: positional reads (no shared seek position) keep concurrent lookups safe, and
        # reading into `out` puts the bytes straight into the result array.
        fd = self._file(e.shard_id).fileno()
        view = memoryview(out).cast("B")
        got = 0
        while got < len(view):
            n = os.preadv(fd, [view[got:got + (1 << 30)]], e.offset + got)
            if n == 0:
                break
            got += n
        if got != len(view):
            raise errors.DataLossError(
                None, None, "Truncated data for %s in shard %d of %s: read %d of %d bytes at "
                "offset %d" % (key, e.shard_id, self.prefix, got, len(view), e.offset))

    def lookup(self, key):
        """Reads tensor `key` and verifies its checksum (DataLossError on mismatch)."""
        e = self.entry(key)
        if len(e.slices):
            raise errors.UnimplementedError(
                None, None, "%s is stored as slices (a partitioned variable); reading sliced "
                "entries is not supported yet" % key)
        dt = dtypes.as_dtype(e.dtype)
        shape = [d.size for d in e.shape.dim]
        if dt == dtypes.string:
            buf = bytearray(e.size)
            self._read(e, key, buf)
            arr, crc = self._decode_strings(buf, shape, key)
        else:
            if dt.np_dtype is None or dt.np_dtype.kind not in _NUMERIC_KINDS:
                raise errors.UnimplementedError(None, None, "Cannot read %s tensor %s"
                                                % (dt.name, key))
            arr = np.empty(shape, dtype=dt.np_dtype.newbyteorder("<"))
            raw = arr.reshape(-1).view(np.uint8)
            if raw.nbytes != e.size:
                raise errors.DataLossError(
                    None, None, "Entry %s in %s has size %d, expected %d for %s%s"
                    % (key, self.prefix, e.size, raw.nbytes, dt.name, shape))
            # NOTE: read straight into the result's buffer: one copy from disk, no per element.
            self._read(e, key, raw)
            crc = _crc.crc32c(raw)
        if _crc.mask(crc) != e.crc32c:
            raise errors.DataLossError(
                None, None, "Checksum does not match: stored %d vs. calculated on the restored "
                "bytes %d for tensor %s in %s" % (e.crc32c, _crc.mask(crc), key, self.prefix))
        return arr

    get_tensor = lookup

    def _decode_strings(self, buf, shape, key):
        n = int(np.prod(shape, dtype=np.int64))
        pos = 0
        lengths = []
        crc = 0
        try:
            for _ in range(n):
                ln, pos = get_varint(buf, pos)
                lengths.append(ln)
                crc = _crc.extend(crc, struct.pack("<I", ln) if ln <= 0xFFFFFFFF
                                  else struct.pack("<Q", ln))
        except errors.DataLossError:
            raise errors.DataLossError(None, None, "Corrupted string lengths for %s in %s"
                                       % (key, self.prefix)) from None
        stored = bytes(buf[pos:pos + 4])
        if len(stored) < 4 or struct.unpack("<I", stored)[0] != _crc.mask(crc):
            raise errors.DataLossError(None, None, "Checksum of string lengths does not match "
                                       "for tensor %s in %s" % (key, self.prefix))
        crc = _crc.extend(crc, stored)
        pos += 4
        out = np.empty(n, dtype=object)
        for i, ln in enumerate(lengths):
            out[i] = bytes(buf[pos:pos + ln])
            pos += ln
        if pos != len(buf):
            raise errors.DataLossError(None, None, "String data size mismatch for %s in %s"
                                       % (key, self.prefix))
        crc = _crc.extend(crc, memoryview(buf)[len(buf) - sum(lengths):])
        return out.reshape(shape), crc

    def close(self):
        """Closes the data files."""
        for f in self._files.values():
            f.close()
        self._files.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
