"""Readers (TFRecord, TextLine, FixedLengthRecord, WholeFile, Identity), MatchingFiles,
ReadFile and WriteFile.

A reader is a session resource holding its current work unit (a filename taken from a queue)
and its position in it; `ReaderReadV2` returns (key, value) and dequeues the next filename from
the queue when the current file is exhausted, so the queue's OutOfRangeError ends the reading.
"""
import glob
import os
import threading

import numpy as np

from tensorweave.formats import tfrecord
from tensorweave.framework import errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import REQUIRED, register_op
from tensorweave.ops.data_flow_ops import _unwrap, handle_array

_S = tensor_shape.TensorShape


def _str(b):
    return b.decode() if isinstance(b, bytes) else str(b)


# ============================================================== record sources
def _tfrecord_records(path, compression_type=""):
    with tfrecord.RecordReader(path, compression_type or None) as r:
        while True:
            rec = r.read_record()
            if rec is None:
                return
            off, data = rec
            yield ("%s:%d" % (path, off)).encode(), data


def _text_lines(path, skip_header_lines=0):
    try:
        f = open(path, "rb")
    except OSError as e:
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % path) from e
    with f:
        for i, line in enumerate(f, 1):
            if i <= skip_header_lines:
                continue
            if line.endswith(b"\n"):
                line = line[:-1]
                if line.endswith(b"\r"):
                    line = line[:-1]
            yield ("%s:%d" % (path, i)).encode(), line


def _fixed_length(path, header_bytes=0, record_bytes=1, footer_bytes=0, hop_bytes=0,
                  encoding=""):
    data = _read_all(path, encoding)
    end = len(data) - footer_bytes
    pos = header_bytes
    n = 0
    step = hop_bytes if hop_bytes > 0 else record_bytes
    while pos + record_bytes <= end:
        yield ("%s:%d" % (path, n)).encode(), data[pos:pos + record_bytes]
        pos += step
        n += 1


def _read_all(path, encoding=""):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % path) from e
    if encoding == "GZIP":
        import gzip

        data = gzip.decompress(data)
    elif encoding == "ZLIB":
        import zlib

        data = zlib.decompress(data)
    return data


def _whole_file(path):
    yield path.encode(), _read_all(path)


def _identity(work):
    yield work.encode(), work.encode()


class ReaderImpl:
    """A session's reader: work units from a queue, records from the current unit."""

    def __init__(self, name, source):
        self.name = name
        self.source = source
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.records = None
        self.produced = 0
        self.completed = 0

    def _next(self, queue):
        while True:
            if self.records is None:
                work = queue.dequeue()
                work = work[0] if isinstance(work, tuple) else work
                w = np.asarray(work).reshape(())[()]
                self.records = self.source(_str(w))
            try:
                rec = next(self.records)
            except StopIteration:
                self.records = None
                self.completed += 1
                continue
            self.produced += 1
            return rec

    def read(self, queue):
        with self.lock:
            try:
                return self._next(queue)
            except errors.OutOfRangeError as e:
                raise errors.OutOfRangeError(None, None, str(e).split("\n")[0]) from None

    def read_up_to(self, queue, n):
        keys, values = [], []
        with self.lock:
            try:
                while len(keys) < n:
                    k, v = self._next(queue)
                    keys.append(k)
                    values.append(v)
            except errors.OutOfRangeError as e:
                if not keys:
                    raise errors.OutOfRangeError(None, None, str(e).split("\n")[0]) from None
        return keys, values


def _reader_factory(make_source):
    def factory(op, state):
        attrs = op._attrs
        key = ("reader", attrs.get("container") or "", attrs.get("shared_name") or op.name)

        def create():
            return ReaderImpl(op.name, make_source(attrs))

        def kernel():
            return handle_array(state.resource(key, create))

        return kernel

    return factory


def _scalar_resource(op):
    return [_S([])]


_RATTRS = {"container": "", "shared_name": ""}
register_op("TFRecordReaderV2", outputs=["reader_handle: resource"],
            attrs=dict(_RATTRS, compression_type=""), shape_fn=_scalar_resource,
            kernel_factory=_reader_factory(lambda a: lambda p: _tfrecord_records(
                p, _str(a.get("compression_type") or ""))), stateful=True)
register_op("TextLineReaderV2", outputs=["reader_handle: resource"],
            attrs=dict(_RATTRS, skip_header_lines=0), shape_fn=_scalar_resource,
            kernel_factory=_reader_factory(lambda a: lambda p: _text_lines(
                p, int(a.get("skip_header_lines", 0)))), stateful=True)
register_op("FixedLengthRecordReaderV2", outputs=["reader_handle: resource"],
            attrs=dict(_RATTRS, header_bytes=0, record_bytes=REQUIRED, footer_bytes=0,
                       hop_bytes=0, encoding=""), shape_fn=_scalar_resource,
            kernel_factory=_reader_factory(lambda a: lambda p: _fixed_length(
                p, int(a["header_bytes"]), int(a["record_bytes"]), int(a["footer_bytes"]),
                int(a["hop_bytes"]), _str(a.get("encoding") or ""))), stateful=True)
register_op("WholeFileReaderV2", outputs=["reader_handle: resource"], attrs=dict(_RATTRS),
            shape_fn=_scalar_resource,
            kernel_factory=_reader_factory(lambda a: _whole_file), stateful=True)
register_op("IdentityReaderV2", outputs=["reader_handle: resource"], attrs=dict(_RATTRS),
            shape_fn=_scalar_resource,
            kernel_factory=_reader_factory(lambda a: _identity), stateful=True)


def _read_kernel(reader, queue):
    k, v = _unwrap(reader).read(_unwrap(queue))
    return np.asarray(k, dtype=object), np.asarray(v, dtype=object)


def _read_up_to_kernel(reader, queue, n):
    ks, vs = _unwrap(reader).read_up_to(_unwrap(queue), int(np.asarray(n).reshape(())))
    ka = np.empty(len(ks), dtype=object)
    ka[:] = ks
    va = np.empty(len(vs), dtype=object)
    va[:] = vs
    return ka, va


def _num_records_kernel(reader):
    return np.asarray(_unwrap(reader).produced, dtype=np.int64)


def _num_completed_kernel(reader):
    return np.asarray(_unwrap(reader).completed, dtype=np.int64)


def _reset_kernel(reader):
    r = _unwrap(reader)
    with r.lock:
        r.reset()


register_op("ReaderReadV2", inputs=["reader_handle: resource", "queue_handle: resource"],
            outputs=["key: string", "value: string"],
            shape_fn=lambda op: [_S([]), _S([])], kernel=_read_kernel, kernel_attrs=(),
            stateful=True)
register_op("ReaderReadUpToV2", inputs=["reader_handle: resource", "queue_handle: resource",
                                        "num_records: int64"],
            outputs=["keys: string", "values: string"],
            shape_fn=lambda op: [_S([None]), _S([None])], kernel=_read_up_to_kernel,
            kernel_attrs=(), stateful=True)
register_op("ReaderNumRecordsProducedV2", inputs=["reader_handle: resource"],
            outputs=["records_produced: int64"], shape_fn=registry.scalar_shape,
            kernel=_num_records_kernel, kernel_attrs=(), stateful=True)
register_op("ReaderNumWorkUnitsCompletedV2", inputs=["reader_handle: resource"],
            outputs=["units_completed: int64"], shape_fn=registry.scalar_shape,
            kernel=_num_completed_kernel, kernel_attrs=(), stateful=True)
register_op("ReaderResetV2", inputs=["reader_handle: resource"], shape_fn=lambda op: [],
            kernel=_reset_kernel, kernel_attrs=(), stateful=True)

try:
    from tensorweave.runtime import executor as _executor

    _executor.UNLOCKED_OP_TYPES.update(["ReaderReadV2", "ReaderReadUpToV2"])
except (ImportError, AttributeError):  # pragma: no cover
    pass


class ReaderBase:
    """Base class for readers (tf.ReaderBase): read, read_up_to, num_records_produced ..."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        return self._supports_serialize

    @staticmethod
    def _queue_ref(queue):
        return queue.queue_ref if hasattr(queue, "queue_ref") else queue

    def read(self, queue, name=None):
        """Returns the next record (key, value) pair produced by a reader."""
        op = registry.apply_op("ReaderReadV2", [self._reader_ref, self._queue_ref(queue)],
                               name=name)
        return op._outputs[0], op._outputs[1]

    def read_up_to(self, queue, num_records, name=None):
        """Returns up to num_records (key, value) pairs produced by a reader."""
        op = registry.apply_op("ReaderReadUpToV2", [self._reader_ref, self._queue_ref(queue),
                                                    num_records], name=name)
        return op._outputs[0], op._outputs[1]

    def num_records_produced(self, name=None):
        return registry.out(registry.apply_op("ReaderNumRecordsProducedV2",
                                              [self._reader_ref], name=name))

    def num_work_units_completed(self, name=None):
        return registry.out(registry.apply_op("ReaderNumWorkUnitsCompletedV2",
                                              [self._reader_ref], name=name))

    def reset(self, name=None):
        return registry.apply_op("ReaderResetV2", [self._reader_ref], name=name)

    def serialize_state(self, name=None):
        raise NotImplementedError("Reader state serialization is not supported yet")

    def restore_state(self, state, name=None):
        raise NotImplementedError("Reader state serialization is not supported yet")


def _make_reader(op_type, name, **attrs):
    return registry.out(registry.apply_op(op_type, [], name=name, **attrs))


class TFRecordReader(ReaderBase):
    """A Reader that outputs the records from a TFRecords file."""

    def __init__(self, name=None, options=None):
        comp = tfrecord.TFRecordOptions.get_compression_type_string(options)
        super().__init__(_make_reader("TFRecordReaderV2", name, compression_type=comp))


class TextLineReader(ReaderBase):
    """A Reader that outputs the lines of a file delimited by newlines."""

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(_make_reader("TextLineReaderV2", name,
                                      skip_header_lines=skip_header_lines or 0))


class FixedLengthRecordReader(ReaderBase):
    """A Reader that outputs fixed-length records from a file."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
                 name=None, encoding=None):
        super().__init__(_make_reader(
            "FixedLengthRecordReaderV2", name, record_bytes=record_bytes,
            header_bytes=header_bytes or 0, footer_bytes=footer_bytes or 0,
            hop_bytes=hop_bytes or 0, encoding=encoding or ""))


class WholeFileReader(ReaderBase):
    """A Reader that outputs the entire contents of a file as a value (key: filename)."""

    def __init__(self, name=None):
        super().__init__(_make_reader("WholeFileReaderV2", name))


class IdentityReader(ReaderBase):
    """A Reader that outputs the queued work as both the key and value."""

    def __init__(self, name=None):
        super().__init__(_make_reader("IdentityReaderV2", name))


# ==================================================================== files
def _matching_files_kernel(pattern):
    pats = np.asarray(pattern).reshape(-1)
    out = []
    for p in pats:
        p = _str(p)
        hits = sorted(glob.glob(p))
        if not hits and not glob.has_magic(p) and os.path.exists(p):
            hits = [p]
        out.extend(hits)
    if not out:
        raise errors.NotFoundError(None, None, "No files matched pattern: %s" % ",".join(
            _str(p) for p in pats))
    res = np.empty(len(out), dtype=object)
    res[:] = [h.encode() for h in out]
    return res


register_op("MatchingFiles", inputs=["pattern: string"], outputs=["filenames: string"],
            shape_fn=lambda op: [_S([None])], kernel=_matching_files_kernel, kernel_attrs=())


def matching_files(pattern, name=None):
    """Returns the set of files matching one or more glob patterns."""
    return registry.out(registry.apply_op("MatchingFiles", [pattern], name=name))


def _read_file_kernel(filename):
    return np.asarray(_read_all(_str(np.asarray(filename).reshape(())[()])), dtype=object)


def _write_file_kernel(filename, contents):
    path = _str(np.asarray(filename).reshape(())[()])
    data = np.asarray(contents).reshape(())[()]
    if isinstance(data, str):
        data = data.encode()
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


register_op("ReadFile", inputs=["filename: string"], outputs=["contents: string"],
            shape_fn=registry.scalar_shape, kernel=_read_file_kernel, kernel_attrs=())
register_op("WriteFile", inputs=["filename: string", "contents: string"],
            shape_fn=lambda op: [], kernel=_write_file_kernel, kernel_attrs=(), stateful=True)


def read_file(filename, name=None):
    """Reads the entire contents of the input filename."""
    return registry.out(registry.apply_op("ReadFile", [filename], name=name))


def write_file(filename, contents, name=None):
    """Writes contents to the file at input filename (creating it)."""
    return registry.apply_op("WriteFile", [filename, contents], name=name)


del graph_lib
