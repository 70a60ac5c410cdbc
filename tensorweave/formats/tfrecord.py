"""TFRecord files: TF's record framing, optionally inside a GZIP or ZLIB stream.

Each record is `uint64 length | uint32 masked_crc32c(length bytes) | data | uint32
masked_crc32c(data)`, all little-endian. Compression wraps the whole stream, so offsets
reported for compressed files are offsets in the uncompressed stream (as in TF).
"""
import gzip
import os
import struct
import zlib

from tensorweave.formats.crc32c import masked_crc32c
from tensorweave.framework import errors

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
HEADER_SIZE = 12
FOOTER_SIZE = 4


class TFRecordCompressionType:
    """The compression of a TFRecord file, as `tf.python_io.TFRecordCompressionType`."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
          TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """Options for TFRecord reading and writing, as `tf.python_io.TFRecordOptions`.

    `compression_type` is a TFRecordCompressionType value, "", "ZLIB", "GZIP" or None.
    `compression_level` (0..9, default zlib's 6) applies to writing.
    """

    compression_type_map = dict((v, k) for k, v in _NAMES.items())

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """Returns "", "ZLIB" or "GZIP" for a TFRecordOptions, a string or a type value."""
        return _NAMES[_compression(options)]


def _compression(options):
    """Normalises options (None, str, int, TFRecordOptions) to a TFRecordCompressionType."""
    if options is None:
        return TFRecordCompressionType.NONE
    if isinstance(options, TFRecordOptions):
        return _compression(options.compression_type)
    if isinstance(options, str):
        key = options.upper()
        if key in TFRecordOptions.compression_type_map:
            return TFRecordOptions.compression_type_map[key]
    elif options in _NAMES:
        return options
    raise errors.InvalidArgumentError(
        None, None, "Unsupported TFRecord compression type %r; expected '', 'ZLIB' or 'GZIP'."
        % (options,))


def _level(options):
    level = getattr(options, "compression_level", None)
    return zlib.Z_DEFAULT_COMPRESSION if level is None else level


def _open_error(path, exc):
    """Maps an OSError from opening `path` to the TF error class a user expects."""
    if isinstance(exc, FileNotFoundError):
        return errors.NotFoundError(None, None, "%s; No such file or directory" % path)
    if isinstance(exc, PermissionError):
        return errors.PermissionDeniedError(None, None, "%s; Permission denied" % path)
    return errors.UnknownError(None, None, "%s; %s" % (path, exc))


class _ZlibWriter:
    """A write-only file wrapper producing a zlib (RFC 1950) stream."""

    def __init__(self, raw, level):
        self._raw = raw
        self._z = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS)

    def write(self, data):
        self._raw.write(self._z.compress(data))

    def flush(self):
        # NOTE: Z_SYNC_FLUSH makes everything written so far decodable without ending the
        # stream, so readers see flushed records (what TF's ZlibOutputBuffer::Flush does).
        self._raw.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._raw.flush()

    def close(self):
        self._raw.write(self._z.flush(zlib.Z_FINISH))
        self._raw.close()


class _ZlibReader:
    """A read-only file wrapper decoding a zlib stream with `read(n)`."""

    def __init__(self, raw):
        self._raw = raw
        self._z = zlib.decompressobj(zlib.MAX_WBITS)
        self._buf = bytearray()

    def read(self, n):
        while len(self._buf) < n and not self._z.eof:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                break
            self._buf += self._z.decompress(chunk)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def close(self):
        self._raw.close()


class TFRecordWriter:
    """Writes records to a TFRecord file, as `tf.python_io.TFRecordWriter`.

    Usable as a context manager. `write` accepts bytes-like objects (str is UTF-8 encoded).
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        comp = _compression(options)
        try:
            raw = open(self._path, "wb")
        except OSError as e:
            raise _open_error(self._path, e) from None
        if comp == TFRecordCompressionType.GZIP:
            # NOTE: mtime=0 keeps the output deterministic; TF's gzip header has no mtime.
            self._f = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=_gzip_level(options),
                                    mtime=0)
            self._raw = raw
        elif comp == TFRecordCompressionType.ZLIB:
            self._f = _ZlibWriter(raw, _level(options))
            self._raw = None
        else:
            self._f = raw
            self._raw = None
        self._closed = False

    def write(self, record):
        """Appends one record."""
        if self._closed:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter is closed.")
        if isinstance(record, str):
            record = record.encode("utf-8")
        self._f.write(encode_record(record))

    def flush(self):
        """Flushes buffered records to the file (decodable by readers for compressed files)."""
        if self._closed:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter is closed.")
        if isinstance(self._f, gzip.GzipFile):
            self._f.flush(zlib.Z_SYNC_FLUSH)
            self._raw.flush()
        else:
            self._f.flush()

    def close(self):
        """Flushes and closes the file. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._f.close()
        if self._raw is not None:
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _gzip_level(options):
    level = _level(options)
    return 6 if level == zlib.Z_DEFAULT_COMPRESSION else level


def encode_record(data):
    """Returns the framed bytes of one record (header, data, footer)."""
    length = struct.pack("<Q", len(data))
    return b"".join((length, struct.pack("<I", masked_crc32c(length)), bytes(data),
                     struct.pack("<I", masked_crc32c(data))))


class RecordReader:
    """Reads records one by one from an open binary file object or a path.

    `read_record()` returns `(offset, data)` for the next record, or None at the end of the
    stream; `offset` is where the record starts (in the uncompressed stream). A corrupted
    length or data checksum raises DataLossError naming the file and offset. A record cut off
    at the end raises DataLossError too, unless `allow_truncated_tail` is set: then it returns
    None and, for an uncompressed seekable file, rewinds to the record start so a later call
    can pick the record up once a writer has finished it (what event-file readers need).
    """

    def __init__(self, source, options=None, name=None, allow_truncated_tail=False,
                 offset=0):
        self._owns = isinstance(source, (str, bytes, os.PathLike))
        if self._owns:
            self.name = os.fspath(source)
            try:
                raw = open(self.name, "rb")
            except OSError as e:
                raise _open_error(self.name, e) from None
        else:
            raw = source
            self.name = name or getattr(source, "name", "<stream>")
        self._comp = _compression(options)
        if self._comp == TFRecordCompressionType.GZIP:
            self._f = gzip.GzipFile(fileobj=raw, mode="rb")
        elif self._comp == TFRecordCompressionType.ZLIB:
            self._f = _ZlibReader(raw)
        else:
            self._f = raw
        self._raw = raw
        self.allow_truncated_tail = allow_truncated_tail
        self.offset = 0
        if offset:
            self._skip_to(offset)

    def _skip_to(self, offset):
        if self._comp == TFRecordCompressionType.NONE and hasattr(self._raw, "seek"):
            self._raw.seek(offset)
        else:
            while offset - self.offset > 0:
                got = self._f.read(min(offset - self.offset, 1 << 20))
                if not got:
                    break
                self.offset += len(got)
            return
        self.offset = offset

    def _read(self, n):
        try:
            return self._f.read(n)
        except (OSError, EOFError, zlib.error) as e:
            raise errors.DataLossError(
                None, None, "corrupted compressed stream in %s near offset %d: %s"
                % (self.name, self.offset, e)) from None

    def _truncated(self, start, got):
        if self.allow_truncated_tail:
            if self._comp == TFRecordCompressionType.NONE and hasattr(self._raw, "seek"):
                self._raw.seek(start)
            return None
        raise errors.DataLossError(
            None, None, "truncated record at %d in %s (read %d bytes of a partial record)"
            % (start, self.name, got))

    def read_record(self):
        """Returns `(offset, bytes)` of the next record or None at the end of the stream."""
        start = self.offset
        header = self._read(HEADER_SIZE)
        if not header:
            return None
        if len(header) < HEADER_SIZE:
            return self._truncated(start, len(header))
        length, length_crc = _HEADER.unpack(header)
        if masked_crc32c(header[:8]) != length_crc:
            raise errors.DataLossError(
                None, None, "corrupted record at %d in %s: length checksum mismatch"
                % (start, self.name))
        body = self._read(length + FOOTER_SIZE)
        if len(body) < length + FOOTER_SIZE:
            return self._truncated(start, HEADER_SIZE + len(body))
        data = body[:length]
        if masked_crc32c(data) != _FOOTER.unpack_from(body, length)[0]:
            raise errors.DataLossError(
                None, None, "corrupted record at %d in %s: data checksum mismatch"
                % (start, self.name))
        self.offset = start + HEADER_SIZE + length + FOOTER_SIZE
        return start, data

    def __iter__(self):
        while True:
            rec = self.read_record()
            if rec is None:
                return
            yield rec[1]

    def close(self):
        """Closes the file if this reader opened it (a borrowed file object stays open)."""
        if self._owns:
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_record_batches(path, options=None, chunk_size=1 << 20, batch=256):
    """Yields the records (bytes) of a TFRecord file in lists, many records at a time.

    Same records and errors as `RecordReader` (DataLossError naming the offset on a checksum
    mismatch or a truncated record; records before a bad one are yielded first). An
    uncompressed file is read in chunks of `chunk_size` bytes, framed and checksummed by the C
    kernel with the GIL released; otherwise (or without the C kernels) lists of up to `batch`
    records come from `RecordReader`.
    """
    from tensorweave import native

    m = native.load("_example")
    if m is None or _compression(options) != TFRecordCompressionType.NONE:
        with RecordReader(path, options) as r:
            recs = []
            for rec in r:
                recs.append(rec)
                if len(recs) >= batch:
                    yield recs
                    recs = []
            if recs:
                yield recs
        return
    name = os.fspath(path)
    try:
        f = open(name, "rb", buffering=0)
    except OSError as e:
        raise _open_error(name, e) from None
    with f:
        size = os.fstat(f.fileno()).st_size
        # NOTE: one reused buffer (the records are copied out by the kernel): a fresh 1 MB
        # bytes per read cost its allocation and page faults, and `rest + data` a copy.
        buf = bytearray(chunk_size)
        have = 0  # valid bytes at the front of buf
        base = 0  # file offset of buf[0]
        eof = False
        while True:
            with memoryview(buf) as mv, mv[:have] as cur:
                recs, end, status = m.tfrecord_split(cur, 0)
            if recs:
                yield recs
            if status:
                raise errors.DataLossError(
                    None, None, "corrupted record at %d in %s: %s checksum mismatch"
                    % (base + end, name, "length" if status == 1 else "data"))
            rest = have - end
            base += end
            if eof:
                if rest:
                    raise errors.DataLossError(
                        None, None, "truncated record at %d in %s (read %d bytes of a partial "
                        "record)" % (base, name, rest))
                return
            if rest and end:
                buf[:rest] = buf[end:have]
            need = chunk_size
            if rest >= HEADER_SIZE:
                need = max(need, HEADER_SIZE + _HEADER.unpack_from(buf)[0] + FOOTER_SIZE - rest)
            if size - base - rest < need:
                size = os.fstat(f.fileno()).st_size
            need = max(1, min(need, size - base - rest))
            if len(buf) < rest + need:
                buf.extend(bytes(rest + need - len(buf)))
            with memoryview(buf) as mv, mv[rest:rest + need] as dst:
                got = f.readinto(dst) or 0
            if not got:
                eof = True
            have = rest + got


def tf_record_iterator(path, options=None):
    """Yields the records (bytes) of a TFRecord file, as `tf.python_io.tf_record_iterator`."""
    with RecordReader(path, options) as reader:
        yield from reader
