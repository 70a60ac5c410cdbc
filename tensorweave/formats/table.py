"""Sorted string tables in LevelDB's format, as TF's `.index` files use (core/lib/io/table*).

Layout: data blocks, an (empty) metaindex block, an index block, a 48-byte footer. A block is a
run of prefix-compressed entries `varint32 shared | varint32 unshared | varint32 value_len |
key suffix | value`, a restart array (fixed32 offsets of entries stored with shared=0, one
every `restart_interval` entries) and its fixed32 count; on disk each block is followed by a
1-byte compression type and the masked CRC32C of block + type. The footer holds the metaindex
and index block handles (varint64 offset, varint64 size), zero-padded to 40 bytes, then the
magic number.
"""
import bisect
import os
import struct

from tensorweave.formats.crc32c import crc32c, mask
from tensorweave.framework import errors

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
NO_COMPRESSION = 0
SNAPPY_COMPRESSION = 1
DEFAULT_BLOCK_SIZE = 256 * 1024  # TF's table::Options default for bundle .index files.
DEFAULT_RESTART_INTERVAL = 16


def put_varint(out, value):
    """Appends the unsigned LEB128 varint of `value` to the bytearray `out`."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def get_varint(buf, pos):
    """Decodes a varint at `buf[pos]`; returns (value, next position)."""
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise errors.DataLossError(None, None, "bad varint in table or bundle data")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


class _BlockBuilder:
    """Accumulates sorted entries of one block with prefix compression and restarts."""

    def __init__(self, restart_interval):
        self.restart_interval = restart_interval
        self.reset()

    def reset(self):
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""

    def empty(self):
        return not self.buf

    def size_estimate(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def add(self, key, value):
        shared = 0
        if self.counter < self.restart_interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        put_varint(self.buf, shared)
        put_varint(self.buf, len(key) - shared)
        put_varint(self.buf, len(value))
        self.buf += key[shared:]
        self.buf += value
        self.last_key = key
        self.counter += 1

    def finish(self):
        out = bytes(self.buf) + struct.pack("<%dI" % len(self.restarts), *self.restarts)
        return out + struct.pack("<I", len(self.restarts))


def _shortest_separator(start, limit):
    """A short key k with start <= k < limit (LevelDB's bytewise comparator rule)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xFF and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def _short_successor(key):
    """A short key k >= key: the first non-0xff byte incremented, the rest dropped."""
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


def _handle(offset, size):
    out = bytearray()
    put_varint(out, offset)
    put_varint(out, size)
    return bytes(out)


class TableWriter:
    """Writes a table to a binary file object. Keys (bytes) must be added in sorted order."""

    def __init__(self, f, block_size=DEFAULT_BLOCK_SIZE,
                 restart_interval=DEFAULT_RESTART_INTERVAL):
        self._f = f
        self._block_size = block_size
        self._data = _BlockBuilder(restart_interval)
        # NOTE: index entries are looked up by binary search on every key, so (as LevelDB)
        # the index block restarts at every entry.
        self._index = _BlockBuilder(1)
        self._offset = 0
        self._last_key = None
        self._pending = None  # handle of the last flushed block, awaiting its index key

    def add(self, key, value):
        """Adds one entry; `key` must sort after every key added before."""
        key, value = bytes(key), bytes(value)
        if self._last_key is not None:
            if key <= self._last_key:
                raise errors.InvalidArgumentError(
                    None, None, "table keys must be added in increasing order: %r after %r"
                    % (key, self._last_key))
            # An entry much larger than a block goes into its own block (as TF does).
            if len(key) + len(value) >= 2 * self._block_size:
                self._flush()
        if self._pending is not None:
            self._index.add(_shortest_separator(self._last_key, key), self._pending)
            self._pending = None
        self._last_key = key
        self._data.add(key, value)
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def _flush(self):
        if self._data.empty():
            return
        self._pending = self._write_block(self._data)

    def _write_block(self, builder):
        contents = builder.finish()
        builder.reset()
        trailer_type = bytes([NO_COMPRESSION])
        crc = mask(crc32c(trailer_type, crc32c(contents)))
        handle = _handle(self._offset, len(contents))
        self._f.write(contents)
        self._f.write(trailer_type + struct.pack("<I", crc))
        self._offset += len(contents) + TRAILER_SIZE
        return handle

    def finish(self):
        """Writes the remaining data block, the metaindex and index blocks and the footer."""
        self._flush()
        meta = self._write_block(_BlockBuilder(DEFAULT_RESTART_INTERVAL))
        if self._pending is not None:
            self._index.add(_short_successor(self._last_key), self._pending)
            self._pending = None
        index = self._write_block(self._index)
        footer = (meta + index).ljust(40, b"\0") + struct.pack("<II", MAGIC & 0xFFFFFFFF,
                                                               MAGIC >> 32)
        self._f.write(footer)
        self._offset += len(footer)
        return self._offset


def _parse_block(contents, name):
    """Decodes every (key, value) of one block's contents."""
    if len(contents) < 4:
        raise errors.DataLossError(None, None, "bad block contents in %s" % name)
    num_restarts = struct.unpack_from("<I", contents, len(contents) - 4)[0]
    limit = len(contents) - 4 - 4 * num_restarts
    if limit < 0:
        raise errors.DataLossError(None, None, "bad block contents in %s" % name)
    out = []
    key = b""
    pos = 0
    while pos < limit:
        shared, pos = get_varint(contents, pos)
        unshared, pos = get_varint(contents, pos)
        vlen, pos = get_varint(contents, pos)
        if shared > len(key) or pos + unshared + vlen > limit:
            raise errors.DataLossError(None, None, "bad entry in block of %s" % name)
        key = key[:shared] + contents[pos:pos + unshared]
        pos += unshared
        out.append((key, contents[pos:pos + vlen]))
        pos += vlen
    return out


class TableReader:
    """Reads a whole table (bytes or a path) and verifies every block checksum.

    `items()` yields (key, value) in order; `get(key)` returns a value or None. Blocks are
    decoded on first use, so opening a large table only reads its index.
    """

    def __init__(self, source, name=None):
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._buf = bytes(source)
            self.name = name or "<table>"
        else:
            self.name = os.fspath(source)
            try:
                with open(self.name, "rb") as f:
                    self._buf = f.read()
            except FileNotFoundError:
                raise errors.NotFoundError(None, None, "%s; No such file or directory"
                                           % self.name) from None
        buf = self._buf
        if len(buf) < FOOTER_SIZE:
            raise errors.DataLossError(None, None, "%s is too short to be a table (%d bytes)"
                                       % (self.name, len(buf)))
        lo, hi = struct.unpack_from("<II", buf, len(buf) - 8)
        if lo | (hi << 32) != MAGIC:
            raise errors.DataLossError(None, None, "%s is not a table file (bad magic number)"
                                       % self.name)
        footer = buf[len(buf) - FOOTER_SIZE:]
        meta_off, pos = get_varint(footer, 0)
        meta_size, pos = get_varint(footer, pos)
        index_off, pos = get_varint(footer, pos)
        index_size, pos = get_varint(footer, pos)
        # The footer has no checksum of its own; writers zero-pad it, so insist on that.
        if any(footer[pos:40]):
            raise errors.DataLossError(None, None, "%s has a corrupted table footer" % self.name)
        self._block(meta_off, meta_size)  # verified for its checksum; holds no filters here
        self._index = []
        for key, handle in _parse_block(self._block(index_off, index_size), self.name):
            off, p = get_varint(handle, 0)
            size, _ = get_varint(handle, p)
            self._index.append((key, off, size))
        self._index_keys = [k for k, _, _ in self._index]
        self._cache = {}

    def _block(self, offset, size):
        buf = self._buf
        end = offset + size
        if end + TRAILER_SIZE > len(buf):
            raise errors.DataLossError(None, None, "truncated block read in %s at offset %d"
                                       % (self.name, offset))
        contents = buf[offset:end]
        ctype = buf[end]
        stored = struct.unpack_from("<I", buf, end + 1)[0]
        if mask(crc32c(buf[end:end + 1], crc32c(contents))) != stored:
            raise errors.DataLossError(None, None, "block checksum mismatch in %s at offset %d"
                                       % (self.name, offset))
        if ctype == SNAPPY_COMPRESSION:
            raise errors.UnimplementedError(
                None, None, "%s uses snappy-compressed blocks, which tensorweave does not read "
                "(TF's tensor bundles never write them)" % self.name)
        if ctype != NO_COMPRESSION:
            raise errors.DataLossError(None, None, "bad block compression type %d in %s"
                                       % (ctype, self.name))
        return contents

    def _entries(self, i):
        if i not in self._cache:
            _, off, size = self._index[i]
            self._cache[i] = _parse_block(self._block(off, size), self.name)
        return self._cache[i]

    def items(self):
        """Yields every (key, value) pair in key order."""
        for i in range(len(self._index)):
            yield from self._entries(i)

    def get(self, key):
        """Returns the value stored under `key` (bytes), or None."""
        key = bytes(key)
        # Each index key is >= every key of its block and < every key of the next one.
        i = bisect.bisect_left(self._index_keys, key)
        if i == len(self._index):
            return None
        for k, v in self._entries(i):
            if k == key:
                return v
        return None
