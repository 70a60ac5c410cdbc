import io
import os

import pytest

from tensorweave.formats import table as tb
from tensorweave.framework import errors


def _build(items, **kw):
    f = io.BytesIO()
    w = tb.TableWriter(f, **kw)
    for k, v in items:
        w.add(k, v)
    w.finish()
    return f.getvalue()


def test_round_trip_many_blocks():
    items = [(b"key%06d" % i, b"v" * (i % 50)) for i in range(5000)]
    data = _build(items, block_size=4096)
    r = tb.TableReader(data)
    assert len(r._index) > 10  # several data blocks
    assert list(r.items()) == items
    for k, v in items[::97]:
        assert r.get(k) == v
    assert r.get(b"key") is None and r.get(b"zzz") is None and r.get(b"key000000x") is None


def test_empty_table_and_empty_key():
    assert list(tb.TableReader(_build([])).items()) == []
    items = [(b"", b"header"), (b"a", b"")]
    assert list(tb.TableReader(_build(items)).items()) == items


def test_keys_must_increase():
    w = tb.TableWriter(io.BytesIO())
    w.add(b"b", b"")
    with pytest.raises(errors.InvalidArgumentError):
        w.add(b"a", b"")


def test_footer_and_magic():
    data = _build([(b"a", b"1")])
    assert data[-8:] == (0xDB4775248B80FB57).to_bytes(8, "little")
    assert len(data) >= tb.FOOTER_SIZE


def test_restart_points_every_16_keys():
    items = [(b"k%03d" % i, b"") for i in range(40)]
    data = _build(items)
    r = tb.TableReader(data)
    (_, off, size), = r._index
    block = data[off:off + size]
    assert int.from_bytes(block[-4:], "little") == 3  # restarts at entries 0, 16, 32


def test_rewrites_tf_index_byte_for_byte(tf_fixtures):
    path = os.path.join(tf_fixtures, "checkpoint", "model.ckpt-2.index")
    original = open(path, "rb").read()
    assert _build(list(tb.TableReader(path).items())) == original


@pytest.mark.parametrize("where", ["block", "trailer", "footer_magic"])
def test_corruption(where):
    data = bytearray(_build([(b"k%03d" % i, b"value") for i in range(100)]))
    pos = {"block": 5, "trailer": len(data) - 48 - 2, "footer_magic": len(data) - 3}[where]
    data[pos] ^= 0x10
    with pytest.raises(errors.DataLossError):
        r = tb.TableReader(bytes(data))
        list(r.items())


def test_truncated():
    data = _build([(b"a", b"1")])
    with pytest.raises(errors.DataLossError):
        tb.TableReader(data[:-10])
    with pytest.raises(errors.DataLossError):
        tb.TableReader(data[:20])


def test_snappy_block_is_a_clear_error():
    import struct

    from tensorweave.formats.crc32c import crc32c, mask
    contents = b"\x00\x00\x00\x00\x01\x00\x00\x00"  # an empty block body
    # Re-label the (empty) index block as snappy and fix its checksum.
    data = bytearray(_build([]))
    index_off = len(data) - 48 - 5 - len(contents)
    data[index_off + len(contents)] = 1
    crc = mask(crc32c(b"\x01", crc32c(bytes(data[index_off:index_off + len(contents)]))))
    data[index_off + len(contents) + 1:index_off + len(contents) + 5] = struct.pack("<I", crc)
    with pytest.raises(errors.UnimplementedError, match="snappy"):
        tb.TableReader(bytes(data))


def test_varint():
    for v in (0, 1, 127, 128, 300, 2 ** 32, 2 ** 64 - 1):
        out = bytearray()
        tb.put_varint(out, v)
        assert tb.get_varint(bytes(out), 0) == (v, len(out))
