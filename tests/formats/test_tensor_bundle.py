import glob
import json
import os

import numpy as np
import pytest

from tensorweave.formats import tensor_bundle as tb
from tensorweave.formats.crc32c import masked_crc32c
from tensorweave.formats.table import TableReader
from tensorweave.framework import dtypes, errors

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    BF16 = None


def _values():
    rng = np.random.RandomState(0)
    vals = {
        "f32": rng.randn(3, 4).astype(np.float32),
        "f64": rng.randn(5),
        "f16": rng.randn(2, 2).astype(np.float16),
        "i8": np.array([-128, 0, 127], np.int8),
        "i16": np.array([[-3, 4]], np.int16),
        "i32": np.array(7, np.int32),
        "i64": np.array([2 ** 40, -1], np.int64),
        "u8": np.arange(10, dtype=np.uint8),
        "u16": np.array([65535], np.uint16),
        "u32": np.array([2 ** 32 - 1], np.uint32),
        "u64": np.array([2 ** 64 - 1], np.uint64),
        "bool": np.array([True, False, True]),
        "c64": np.array([1 + 2j, -3j], np.complex64),
        "c128": np.array([[1e300 + 1j]], np.complex128),
        "empty": np.zeros((0, 3), np.float32),
        "scalar_f32": np.float32(3.5),
        "str": np.array([b"a", b"", b"\x00\xff" * 300], dtype=object),
        "str_scalar": np.array(b"hello", dtype=object),
        "str_2d": np.array([["x", "yy"], ["zzz", "é"]]),
        "scope/nested/name": np.ones((2, 2), np.float32),
    }
    if BF16 is not None:
        vals["bf16"] = np.array([1.0, -2.5, 3e38], BF16)
    return vals


def _expected(v):
    v = np.asarray(v)
    if v.dtype.kind in "U":
        return np.vectorize(lambda s: s.encode("utf-8"), otypes=[object])(v)
    return v


def test_round_trip_all_dtypes(tmp_path):
    prefix = str(tmp_path / "ckpt")
    vals = _values()
    tb.write_bundle(prefix, vals)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.data-00000-of-00001", "ckpt.index"]
    r = tb.BundleReader(prefix)
    assert r.keys() == sorted(vals)
    for k, v in vals.items():
        want = _expected(v)
        dt, shape = r.dtype_and_shape(k)
        assert shape == list(want.shape), k
        got = r.lookup(k)
        assert got.shape == want.shape, k
        if dt == dtypes.string:
            assert got.dtype == object and got.tolist() == want.tolist(), k
        else:
            assert dt.np_dtype == want.dtype, k
            np.testing.assert_array_equal(got, want)
    r.close()


def test_layout_and_header(tmp_path):
    prefix = str(tmp_path / "m")
    a = np.arange(4, dtype=np.float32)
    with tb.BundleWriter(prefix) as w:
        w.add("b", a)
        w.add("a", np.array(1, np.int64))
    data = open(prefix + ".data-00000-of-00001", "rb").read()
    assert data == a.tobytes() + np.int64(1).tobytes()  # add order, raw little-endian
    items = dict(TableReader(prefix + ".index").items())
    header = tb.BundleHeaderProto.FromString(items[b""])
    assert header.num_shards == 1 and header.endianness == 0 and header.version.producer == 1
    e = tb.BundleEntryProto.FromString(items[b"b"])
    assert (e.dtype, e.offset, e.size) == (1, 0, 16)
    assert e.crc32c == masked_crc32c(a.tobytes())
    assert tb.BundleEntryProto.DESCRIPTOR.full_name == "tensorflow.BundleEntryProto"
    assert (tb.BundleEntryProto.DESCRIPTOR.file.name
            == "tensorflow/core/protobuf/tensor_bundle.proto")


def test_duplicate_and_bad_keys(tmp_path):
    with tb.BundleWriter(str(tmp_path / "m")) as w:
        w.add("x", np.zeros(1))
        with pytest.raises(errors.InvalidArgumentError, match="duplicate"):
            w.add("x", np.zeros(1))
        with pytest.raises(errors.InvalidArgumentError):
            w.add("", np.zeros(1))


def test_reads_tf_checkpoint(tf_fixtures, load_expected):
    exp = load_expected("checkpoint")
    prefix = os.path.join(tf_fixtures, "checkpoint", exp["prefix"])
    r = tb.BundleReader(prefix)
    assert r.keys() == exp["keys"]
    # Adam slots and the optimizer's power accumulators are there.
    assert {"dense/kernel/Adam", "dense/kernel/Adam_1", "beta1_power", "global_step"} <= set(
        r.keys())
    for key, t in exp["tensors"].items():
        dt, shape = r.dtype_and_shape(key)
        assert dt.name == t["dtype"] and shape == t["shape"], key
        got = r.lookup(key)
        assert list(got.shape) == t["shape"]
        if dt == dtypes.string:
            assert [bytes(x).hex() for x in got.reshape(-1)] == t["values"]
        else:
            assert got.dtype == dt.np_dtype
            np.testing.assert_array_equal(got.reshape(-1), np.array(t["values"], got.dtype))
    assert r.lookup("global_step") == 2


def test_rewrites_tf_checkpoint_byte_for_byte(tf_fixtures, tmp_path):
    prefix = os.path.join(tf_fixtures, "checkpoint", "model.ckpt-2")
    r = tb.BundleReader(prefix)
    tb.write_bundle(str(tmp_path / "m"), {k: r.lookup(k) for k in r.keys()})
    for suffix in (".index", ".data-00000-of-00001"):
        assert open(str(tmp_path / "m") + suffix, "rb").read() == open(prefix + suffix,
                                                                      "rb").read()


def test_reads_tf_sharded_checkpoint(tf_fixtures):
    d = os.path.join(tf_fixtures, "sharded_checkpoint")
    exp = json.load(open(os.path.join(d, "expected.json")))
    r = tb.BundleReader(os.path.join(d, exp["prefix"]))
    assert r.num_shards == 2
    assert {r.entry(k).shard_id for k in r.keys()} == {0, 1}
    for k, v in exp["tensors"].items():
        np.testing.assert_array_equal(r.lookup(k), np.array(v))


def test_merge_into_shards(tmp_path):
    p0, p1 = str(tmp_path / "t0"), str(tmp_path / "t1")
    tb.write_bundle(p0, {"a": np.arange(3.0), "c": np.array([b"s"], object)})
    tb.write_bundle(p1, {"b": np.arange(4, dtype=np.int32)})
    merged = str(tmp_path / "model")
    tb.merge_bundles([p0, p1], merged)
    assert sorted(os.listdir(tmp_path)) == ["model.data-00000-of-00002",
                                            "model.data-00001-of-00002", "model.index"]
    r = tb.BundleReader(merged)
    np.testing.assert_array_equal(r.lookup("b"), np.arange(4))
    assert r.lookup("c").tolist() == [b"s"]
    assert r.entry("b").shard_id == 1


def test_missing_key_and_prefix(tmp_path):
    prefix = str(tmp_path / "m")
    tb.write_bundle(prefix, {"w": np.zeros(2)})
    r = tb.BundleReader(prefix)
    with pytest.raises(errors.NotFoundError, match="Key nope not found"):
        r.lookup("nope")
    with pytest.raises(errors.NotFoundError, match="nope"):
        r.dtype_and_shape("nope")
    with pytest.raises(errors.NotFoundError):
        tb.BundleReader(str(tmp_path / "absent"))
    os.remove(prefix + ".data-00000-of-00001")
    with pytest.raises(errors.NotFoundError, match="data"):
        tb.BundleReader(prefix).lookup("w")


def _bundle(tmp_path):
    prefix = str(tmp_path / "m")
    tb.write_bundle(prefix, {"w": np.arange(100, dtype=np.float32),
                             "s": np.array([b"abc", b"defg"], object)})
    return prefix


def _flip(path, pos):
    data = bytearray(open(path, "rb").read())
    data[pos] ^= 0x01
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize("pos", [0, 17, 399])
def test_flipped_data_byte(tmp_path, pos):
    prefix = _bundle(tmp_path)
    _flip(prefix + ".data-00000-of-00001", pos)  # "s" is at 0..15, "w" at 16..415
    r = tb.BundleReader(prefix)
    key = "s" if pos < 16 else "w"
    with pytest.raises(errors.DataLossError, match=key):
        r.lookup(key)


def test_flipped_index_bytes(tmp_path):
    prefix = _bundle(tmp_path)
    size = os.path.getsize(prefix + ".index")
    for pos in range(0, size):
        p2 = str(tmp_path / ("c%d" % pos))
        os.makedirs(p2)
        data = bytearray(open(prefix + ".index", "rb").read())
        data[pos] ^= 0x01
        open(p2 + "/m.index", "wb").write(bytes(data))
        with pytest.raises(errors.DataLossError):
            tb.BundleReader(p2 + "/m")


def test_truncated_files(tmp_path):
    prefix = _bundle(tmp_path)
    data_path = prefix + ".data-00000-of-00001"
    data = open(data_path, "rb").read()
    open(data_path, "wb").write(data[:-10])
    with pytest.raises(errors.DataLossError, match="Truncated"):
        tb.BundleReader(prefix).lookup("w")
    idx = open(prefix + ".index", "rb").read()
    open(prefix + ".index", "wb").write(idx[:-5])
    with pytest.raises(errors.DataLossError):
        tb.BundleReader(prefix)


def _files(tmp_path):
    return {p: open(p, "rb").read() for p in glob.glob(str(tmp_path / "*"))}


def test_interrupted_data_write_keeps_old_bundle(tmp_path, monkeypatch):
    prefix = str(tmp_path / "m")
    tb.write_bundle(prefix, {"w": np.arange(10.0)})
    before = _files(tmp_path)
    calls = []

    def failing_write(self, buf):
        calls.append(len(memoryview(buf)))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        self._f.write(buf)

    monkeypatch.setattr(tb.BundleWriter, "_write", failing_write)
    with pytest.raises(OSError, match="No space"):
        with tb.BundleWriter(prefix) as w:
            w.add("w", np.arange(10.0) + 1)
            w.add("x", np.arange(5.0))
            w.finish()
    assert _files(tmp_path) == before  # old bundle intact, no temporaries left
    np.testing.assert_array_equal(tb.BundleReader(prefix).lookup("w"), np.arange(10.0))


def test_interrupted_finish_keeps_old_bundle(tmp_path, monkeypatch):
    prefix = str(tmp_path / "m")
    tb.write_bundle(prefix, {"w": np.arange(10.0)})
    before = _files(tmp_path)
    w = tb.BundleWriter(prefix)
    w.add("w", np.zeros(10))

    def boom(self):
        raise KeyboardInterrupt()

    monkeypatch.setattr(tb.TableWriter, "finish", boom)
    with pytest.raises(KeyboardInterrupt):
        w.finish()
    assert _files(tmp_path) == before


def test_large_tensor_round_trip(tmp_path):
    a = np.random.RandomState(1).rand(3, 1 << 20).astype(np.float32)  # 12 MiB, > a CRC chunk
    prefix = str(tmp_path / "big")
    tb.write_bundle(prefix, {"a": a})
    np.testing.assert_array_equal(tb.BundleReader(prefix).lookup("a"), a)


def test_unsupported_dtype(tmp_path):
    with tb.BundleWriter(str(tmp_path / "m")) as w:
        with pytest.raises((errors.InvalidArgumentError, TypeError)):
            w.add("d", np.array(["2020-01-01"], dtype="datetime64[D]"))


def test_concurrent_lookups(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    vals = {"t%02d" % i: np.full((64, 64), i, np.float32) for i in range(32)}
    prefix = str(tmp_path / "m")
    tb.write_bundle(prefix, vals)
    r = tb.BundleReader(prefix)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(r.lookup, sorted(vals) * 4))
    for k, g in zip(sorted(vals) * 4, got, strict=True):
        np.testing.assert_array_equal(g, vals[k])
