"""The C Example parser and TFRecord framing (tensorweave/native/_example.c) against the
Python implementations (protobuf parser, RecordReader)."""
import struct

import numpy as np
import pytest

from tensorweave import native
from tensorweave.formats import crc32c as crc_lib
from tensorweave.formats import example_pb2 as pb
from tensorweave.formats import tfrecord as tr
from tensorweave.framework import dtypes, errors
from tensorweave.ops import parsing_ops as po

m = native.load("_example")
pytestmark = pytest.mark.skipif(m is None, reason="C example kernels not built")

_DT = {"b": dtypes.string, "f": dtypes.float32, "i": dtypes.int64}


def _feature(kind, vals):
    if kind == "b":
        return pb.Feature(bytes_list=pb.BytesList(value=vals))
    if kind == "f":
        return pb.Feature(float_list=pb.FloatList(value=vals))
    return pb.Feature(int64_list=pb.Int64List(value=vals))


def _vals(rng, kind, n):
    if kind == "b":
        return [bytes(rng.integers(0, 256, int(rng.integers(0, 6)), dtype=np.uint8))
                for _ in range(n)]
    if kind == "f":
        v = rng.standard_normal(n).astype(np.float32)
        v[rng.random(n) < 0.1] = np.inf
        return [float(x) for x in v]
    return [int(x) for x in rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64)]


def _run(records, keys, kinds, shapes, defaults, scalar=False, native_ok=True):
    ser = np.empty(len(records), dtype=object)
    ser[:] = records
    if scalar:
        ser = np.array(records[0], dtype=object)
    dts = [_DT[k] for k in kinds]
    args = dict(num_sparse=0, sparse_types=(), dense_shapes=shapes, Tdense=dts)
    dk = np.array([k.encode() for k in keys], dtype=object)
    dd = [np.asarray(d, dtype=object if dt == dtypes.string else dt.np_dtype)
          for d, dt in zip(defaults, dts)]

    def call():
        try:
            return po._parse_example_impl(ser, None, np.array([], object), dk, None, *dd,
                                          **args)
        except errors.InvalidArgumentError as e:
            return e

    got = call()
    orig = po._parse_dense_native
    po._parse_dense_native = lambda *a: None
    try:
        ref = call()
    finally:
        po._parse_dense_native = orig
    if isinstance(ref, Exception):
        assert isinstance(got, errors.InvalidArgumentError) and str(got) == str(ref)
        return None
    assert not isinstance(got, Exception), got
    assert len(got) == len(ref)
    for g, r in zip(got, ref):
        g, r = np.asarray(g), np.asarray(r)
        assert g.dtype == r.dtype and g.shape == r.shape
        if g.dtype == object:
            assert g.reshape(-1).tolist() == r.reshape(-1).tolist()
        else:
            np.testing.assert_array_equal(g, r)
    # Was the C parser used where it should have been?
    direct = po._parse_dense_native(list(np.asarray(ser).reshape(-1)) if not scalar else
                                    [records[0]], list(keys), dts,
                                    [list(s) for s in shapes], dd)
    if native_ok:
        assert direct is not None
    return got


def _random_case(rng):
    nk = int(rng.integers(1, 5))
    keys = ["k%d" % i for i in range(nk)]
    kinds = [str(rng.choice(list("bfi"))) for _ in keys]
    shapes = [[int(d) for d in rng.integers(1, 4, int(rng.integers(0, 3)))] for _ in keys]
    defaults = []
    for kind, shp in zip(kinds, shapes):
        n = int(np.prod(shp)) if shp else 1
        r = rng.random()
        if r < 0.4:
            defaults.append([])
        elif r < 0.7:
            defaults.append(np.asarray(_vals(rng, kind, n), dtype=object if kind == "b"
                                       else None).reshape(shp))
        else:
            defaults.append(_vals(rng, kind, 1)[0])
    return keys, kinds, shapes, defaults


def _random_example(rng, keys, kinds, shapes, bad=0.0, missing=0.2):
    feats = {}
    for key, kind, shp in zip(keys, kinds, shapes):
        if rng.random() < missing:
            continue
        n = int(np.prod(shp)) if shp else 1
        k = kind
        if rng.random() < bad:
            if rng.random() < 0.5:
                k = str(rng.choice([c for c in "bfi" if c != kind]))
            else:
                n = int(rng.integers(0, n + 2))
        feats[key] = _feature(k, _vals(rng, k, n))
    if rng.random() < 0.3:
        feats["other"] = _feature("i", [1, 2, 3])
    return pb.Example(features=pb.Features(feature=feats)).SerializeToString()


def test_random_examples_equal_python():
    rng = np.random.default_rng(0)
    for trial in range(300):
        keys, kinds, shapes, defaults = _random_case(rng)
        bad = 0.0 if trial % 3 else 0.05
        recs = [_random_example(rng, keys, kinds, shapes, bad=bad, missing=0.15 * (trial % 2))
                for _ in range(int(rng.integers(0, 12)))]
        _run(recs, keys, kinds, shapes, defaults, native_ok=False)
        if recs:
            _run(recs[:1], keys, kinds, shapes, defaults, scalar=True, native_ok=False)


def test_plain_case_uses_c_parser():
    rng = np.random.default_rng(1)
    keys, kinds, shapes = ["image", "label", "w"], ["b", "i", "f"], [[], [], [2, 3]]
    recs = [_random_example(rng, keys, kinds, shapes, missing=0) for _ in range(50)]
    _run(recs, keys, kinds, shapes, [[], [], []])
    _run(recs[:1], keys, kinds, shapes, [[], [], []], scalar=True)
    _run([], keys, kinds, shapes, [[], [], []])
    # missing features with defaults (scalar and full-size)
    recs = [_random_example(rng, keys, kinds, shapes, missing=0.5) for _ in range(50)]
    _run(recs, keys, kinds, shapes, [b"x", 7, np.arange(6, dtype=np.float32).reshape(2, 3)])


def _varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(field, body):
    return _varint(field << 3 | 2) + _varint(len(body)) + body


def _entry(key, feature_bytes=None, extra=b""):
    body = _ld(1, key) + (b"" if feature_bytes is None else _ld(2, feature_bytes)) + extra
    return _ld(1, body)


def _example(*entries, extra=b""):
    return _ld(1, b"".join(entries)) + extra


def test_wire_format_variants():
    packed_f = _ld(2, _ld(1, struct.pack("<2f", 1.5, -2.0)))
    unpacked_f = _ld(2, _varint(1 << 3 | 5) + struct.pack("<f", 1.5) + _varint(1 << 3 | 5) +
                     struct.pack("<f", -2.0))
    mixed_f = _ld(2, _ld(1, struct.pack("<f", 1.5)) + _varint(1 << 3 | 5) +
                  struct.pack("<f", -2.0))
    packed_i = _ld(3, _ld(1, _varint(5) + _varint(-3)))
    unpacked_i = _ld(3, _varint(1 << 3) + _varint(5) + _varint(1 << 3) + _varint(-3))
    bytes_f = _ld(1, _ld(1, b"ab") + _ld(1, b""))
    unknown = _varint(7 << 3) + _varint(99) + _varint(8 << 3 | 5) + b"abcd"
    cases = [
        [_example(_entry(b"f", packed_f), _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        [_example(_entry(b"f", unpacked_f), _entry(b"i", unpacked_i), _entry(b"b", bytes_f))],
        [_example(_entry(b"f", mixed_f), _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        # unknown fields everywhere
        [_example(_entry(b"f", packed_f + unknown, extra=unknown),
                  _entry(b"i", _ld(3, unknown + _ld(1, _varint(5) + _varint(-3)))),
                  _entry(b"b", bytes_f), extra=unknown) + unknown],
        # a key twice: the last entry wins; two Features fields merge
        [_example(_entry(b"f", _ld(2, _ld(1, struct.pack("<2f", 9, 9)))),
                  _entry(b"i", packed_i), _entry(b"b", bytes_f)) +
         _example(_entry(b"f", packed_f))],
        # an entry without a value: missing (-> default or error)
        [_example(_entry(b"f"), _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        [_example(_entry(b"f", b""), _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        # two kinds in one Feature (oneof: the last wins), kinds twice (merge)
        [_example(_entry(b"f", packed_i + packed_f), _entry(b"i", packed_i),
                  _entry(b"b", bytes_f))],
        [_example(_entry(b"f", _ld(2, _ld(1, struct.pack("<f", 1))) +
                         _ld(2, _ld(1, struct.pack("<f", 2)))),
                  _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        # non-ASCII and invalid UTF-8 keys
        [_example(_entry("é".encode(), packed_f), _entry(b"f", packed_f),
                  _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        [_example(_entry(b"\xff\xfe", packed_f), _entry(b"f", packed_f),
                  _entry(b"i", packed_i), _entry(b"b", bytes_f))],
        # truncated / malformed
        [_example(_entry(b"f", packed_f), _entry(b"i", packed_i))[:-3]],
        [b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"],
        [b"\x0b"],
        [b""],
    ]
    for recs in cases:
        _run(recs, ["b", "f", "i"], ["b", "f", "i"], [[2], [2], [2]],
             [[b"d", b"e"], [0.5, 0.25], [1, 2]], native_ok=False)
        _run(recs, ["b", "f", "i"], ["b", "f", "i"], [[2], [2], [2]], [[], [], []],
             native_ok=False)
    _run(cases[0], ["b", "f", "i"], ["b", "f", "i"], [[2], [2], [2]], [[], [], []])
    _run(cases[3], ["b", "f", "i"], ["b", "f", "i"], [[2], [1, 2], [2, 1]], [[], [], []])


def test_fuzzed_bytes_do_not_crash():
    rng = np.random.default_rng(2)
    keys, kinds, shapes = ["a", "b", "c"], ["b", "f", "i"], [[2], [3], []]
    base = [_random_example(rng, keys, kinds, shapes, missing=0.1, bad=0.1)
            for _ in range(20)]
    for _ in range(2000):
        r = bytearray(base[int(rng.integers(len(base)))])
        for _ in range(int(rng.integers(1, 4))):
            x = rng.random()
            if r and x < 0.6:
                r[int(rng.integers(len(r)))] = int(rng.integers(256))
            elif x < 0.8:
                r = r[:int(rng.integers(len(r) + 1))]
            else:
                i = int(rng.integers(len(r) + 1))
                r = r[:i] + bytes(rng.integers(0, 256, int(rng.integers(1, 4)), np.uint8)) + r[i:]
        _run([bytes(r)], keys, kinds, shapes, [[b"x", b"y"], 1.0, 3], native_ok=False)


def test_parse_in_graph():
    import tensorweave as tf

    rng = np.random.default_rng(3)
    recs = [_random_example(rng, ["a", "b"], ["i", "f"], [[], [2]], missing=0.3)
            for _ in range(8)]
    spec = {"a": tf.FixedLenFeature([], tf.int64, default_value=-1),
            "b": tf.FixedLenFeature([2], tf.float32, default_value=[0.5, 0.5])}
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [None])
        one = tf.placeholder(tf.string, [])
        batch = tf.parse_example(s, spec)
        single = tf.parse_single_example(one, spec)
        with tf.Session() as sess:
            got = sess.run(batch, {s: recs})
            for i, r in enumerate(recs):
                g1 = sess.run(single, {one: r})
                assert g1["a"] == got["a"][i]
                np.testing.assert_array_equal(g1["b"], got["b"][i])
    for i, r in enumerate(recs):
        f = pb.Example.FromString(r).features.feature
        want_a = f["a"].int64_list.value[0] if "a" in f else -1
        want_b = list(f["b"].float_list.value) if "b" in f else [0.5, 0.5]
        assert got["a"][i] == want_a
        np.testing.assert_array_equal(got["b"][i], np.float32(want_b))


def test_parse_dense_argument_checks():
    with pytest.raises(ValueError):
        m.parse_dense([b""], (b"a",), b"\x01", (2,), (np.zeros(1, np.float32),),
                      np.zeros(1, np.uint8))
    with pytest.raises(ValueError):
        m.parse_dense([b""], (b"a",), b"\x01", (1,), (np.zeros(1, np.float32),),
                      np.zeros(0, np.uint8))
    with pytest.raises(ValueError):
        m.parse_dense([b""], (b"a",), b"\x07", (1,), (np.zeros(1, np.float32),),
                      np.zeros(1, np.uint8))
    with pytest.raises(ValueError):
        m.parse_dense([b""], (b"a", b"b"), b"\x01", (1,), (None,), np.zeros(2, np.uint8))
    assert m.parse_dense(["str"], (b"a",), b"\x01", (1,), (np.zeros(1, np.float32),),
                         np.zeros(1, np.uint8)) is None


# ------------------------------------------------------------------ TFRecords
def test_crc32c_matches():
    rng = np.random.default_rng(4)
    for n in [0, 1, 7, 8, 9, 63, 64, 1000, 4097]:
        b = bytes(rng.integers(0, 256, n, dtype=np.uint8))
        assert m.crc32c(b) == crc_lib.crc32c(b)
        assert m.crc32c(b[n // 2:], m.crc32c(b[:n // 2])) == crc_lib.crc32c(b)


def _write(path, recs):
    with tr.TFRecordWriter(path) as w:
        for r in recs:
            w.write(r)


def _read_all(fn):
    out = []
    try:
        for x in fn():
            out.append(x)
    except errors.DataLossError as e:
        return out, str(e)
    return out, None


def _compare(path, chunk_size=1 << 20):
    ref = _read_all(lambda: tr.tf_record_iterator(path))
    got = _read_all(lambda: (r for b in tr.read_record_batches(path, chunk_size=chunk_size)
                             for r in b))
    assert got == ref
    return ref


def test_read_record_batches(tmp_path):
    rng = np.random.default_rng(5)
    recs = [bytes(rng.integers(0, 256, int(rng.integers(0, 3000)), dtype=np.uint8))
            for _ in range(300)]
    path = str(tmp_path / "r.tfrecord")
    _write(path, recs)
    for cs in (1, 17, 4096, 1 << 20):
        assert _compare(path, cs) == (recs, None)
    data = open(path, "rb").read()
    for trial in range(60):
        b = bytearray(data)
        k = trial % 3
        if k == 0:
            b = b[:int(rng.integers(len(b)))]
        elif k == 1:
            b[int(rng.integers(len(b)))] ^= 1 << int(rng.integers(8))
        else:
            i = int(rng.integers(len(b)))
            b = b[:i] + b[i + int(rng.integers(1, 40)):]
        with open(path, "wb") as f:
            f.write(bytes(b))
        _compare(path, int(rng.choice([5, 1000, 1 << 20])))
    with pytest.raises(errors.NotFoundError):
        list(tr.read_record_batches(str(tmp_path / "nope")))


def test_read_record_batches_compressed(tmp_path):
    recs = [b"a" * i for i in range(600)]
    for comp in ("GZIP", "ZLIB"):
        path = str(tmp_path / ("r." + comp))
        with tr.TFRecordWriter(path, comp) as w:
            for r in recs:
                w.write(r)
        assert [r for b in tr.read_record_batches(path, comp) for r in b] == recs


def test_tfrecord_split_checks():
    with pytest.raises(ValueError):
        m.tfrecord_split(b"abc", 4)
    assert m.tfrecord_split(b"", 0) == ([], 0, 0)
    one = tr.encode_record(b"xyz")
    assert m.tfrecord_split(one * 2 + one[:5], 0) == ([b"xyz", b"xyz"], 2 * len(one), 0)
    assert m.tfrecord_split(one, len(one)) == ([], len(one), 0)
    bad = bytearray(one)
    bad[-1] ^= 1
    assert m.tfrecord_split(one + bytes(bad), 0) == ([b"xyz"], len(one), 2)
    bad = bytearray(one)
    bad[9] ^= 1
    assert m.tfrecord_split(bytes(bad), 0) == ([], 0, 1)
