import numpy as np

from tensorweave.formats import crc32c as c


def test_known_values():
    # The standard CRC-32C check value and the values of iSCSI's test vectors (RFC 3720).
    assert c.crc32c(b"123456789") == 0xE3069283
    assert c.crc32c(b"\x00" * 32) == 0x8A9136AA
    assert c.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert c.crc32c(bytes(range(32))) == 0x46DD794E


def test_masked_known_values():
    assert c.masked_crc32c(b"") == 0xA282EAD8  # mask(0) is the mask delta
    assert c.masked_crc32c(b"123456789") == 0xC78AB0E5
    # The header of the first record of a TFRecord file real TF wrote: length 0x49, then the
    # masked crc of those 8 bytes.
    assert c.masked_crc32c(bytes.fromhex("4900000000000000")) == 0xA30E2536
    for v in (0, 1, 0xFFFFFFFF, 0x12345678, 0xA282EAD8):
        assert c.unmask(c.mask(v)) == v


def test_empty_record_header_matches_tf():
    # TF writes an empty record as 8 zero length bytes, their masked crc, and masked_crc(b"").
    from tensorweave.formats.tfrecord import encode_record
    rec = encode_record(b"")
    assert rec[:8] == b"\x00" * 8
    assert int.from_bytes(rec[8:12], "little") == c.masked_crc32c(b"\x00" * 8)
    assert int.from_bytes(rec[12:], "little") == 0xA282EAD8


def test_buffers_and_chunks_agree():
    data = np.random.RandomState(0).bytes((1 << 22) * 2 + 123)
    arr = np.frombuffer(data, np.uint8)
    want = c.crc32c(data)
    assert c.crc32c(arr) == want
    assert c.crc32c(memoryview(data)) == want
    assert c.extend(c.crc32c(data[:1000]), data[1000:]) == want
    assert c.crc32c(np.arange(6, dtype=np.float32).reshape(2, 3)) == c.crc32c(
        np.arange(6, dtype=np.float32).tobytes())
