import io
import os

import pytest

from tensorweave.formats import tfrecord as tr
from tensorweave.formats.example_pb2 import Example
from tensorweave.framework import errors

RECORDS = [b"", b"a", b"hello world" * 100, bytes(range(256)) * 50]


@pytest.mark.parametrize("comp", [None, "", "GZIP", "ZLIB", tr.TFRecordCompressionType.GZIP,
                                  tr.TFRecordOptions(tr.TFRecordCompressionType.ZLIB)])
def test_round_trip(tmp_path, comp):
    path = str(tmp_path / "r.tfrecord")
    with tr.TFRecordWriter(path, comp) as w:
        for r in RECORDS:
            w.write(r)
        w.write("text")  # str is written as UTF-8
    assert list(tr.tf_record_iterator(path, comp)) == RECORDS + [b"text"]


def test_uncompressed_layout(tmp_path):
    path = str(tmp_path / "r")
    with tr.TFRecordWriter(path) as w:
        w.write(b"abc")
    data = open(path, "rb").read()
    assert len(data) == tr.HEADER_SIZE + 3 + tr.FOOTER_SIZE
    assert data[:8] == (3).to_bytes(8, "little")


def test_options_strings():
    get = tr.TFRecordOptions.get_compression_type_string
    assert get(None) == ""
    assert get(tr.TFRecordOptions("GZIP")) == "GZIP"
    assert get(tr.TFRecordCompressionType.ZLIB) == "ZLIB"
    with pytest.raises(errors.InvalidArgumentError):
        get("SNAPPY")


@pytest.mark.parametrize("fname,comp", [("examples.tfrecord", None),
                                        ("examples.tfrecord.gz", "GZIP"),
                                        ("examples.tfrecord.zlib", "ZLIB")])
def test_reads_tf_written_examples(tf_fixtures, load_expected, fname, comp):
    expected = load_expected("tfrecord")["examples"]
    recs = list(tr.tf_record_iterator(os.path.join(tf_fixtures, "tfrecord", fname), comp))
    assert len(recs) == len(expected)
    for rec, want in zip(recs, expected):
        f = Example.FromString(rec).features.feature
        assert list(f["name"].bytes_list.value) == [want["name"][0].encode(),
                                                    bytes.fromhex(want["name"][1])]
        assert list(f["score"].float_list.value) == pytest.approx(want["score"], rel=1e-7)
        assert list(f["ids"].int64_list.value) == want["ids"]


def test_streaming_reader_offsets(tmp_path):
    path = str(tmp_path / "r")
    with tr.TFRecordWriter(path) as w:
        for r in RECORDS:
            w.write(r)
    with open(path, "rb") as f:
        reader = tr.RecordReader(f)
        offsets = []
        while True:
            rec = reader.read_record()
            if rec is None:
                break
            offsets.append(rec[0])
    assert offsets[0] == 0 and offsets[1] == 16 and offsets[2] == 16 + 17
    # Resuming at a recorded offset yields the rest.
    with tr.RecordReader(path, offset=offsets[2]) as reader:
        assert list(reader) == RECORDS[2:]


def _write(tmp_path, records=(b"first", b"second record")):
    path = str(tmp_path / "r")
    with tr.TFRecordWriter(path) as w:
        for r in records:
            w.write(r)
    return path


@pytest.mark.parametrize("pos,what", [(3, "length"), (12 + 2, "data"), (12 + 5 + 1, "data")])
def test_corruption_raises_dataloss_with_file_and_offset(tmp_path, pos, what):
    path = _write(tmp_path)
    data = bytearray(open(path, "rb").read())
    data[pos] ^= 0x40
    open(path, "wb").write(bytes(data))
    with pytest.raises(errors.DataLossError) as e:
        list(tr.tf_record_iterator(path))
    assert path in str(e.value) and "at 0" in str(e.value) and what in str(e.value)


def test_corruption_in_second_record_names_its_offset(tmp_path):
    path = _write(tmp_path)
    data = bytearray(open(path, "rb").read())
    data[-6] ^= 1
    open(path, "wb").write(bytes(data))
    it = tr.tf_record_iterator(path)
    assert next(it) == b"first"
    with pytest.raises(errors.DataLossError, match="at 21"):
        next(it)


@pytest.mark.parametrize("cut", [1, 4, 10, 13])
def test_truncated_tail(tmp_path, cut):
    path = _write(tmp_path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-cut])
    with pytest.raises(errors.DataLossError, match="truncated record at 21"):
        list(tr.tf_record_iterator(path))
    with tr.RecordReader(path, allow_truncated_tail=True) as r:
        assert list(r) == [b"first"]


def test_truncated_tail_resumes_when_writer_finishes(tmp_path):
    path = str(tmp_path / "r")
    full = tr.encode_record(b"one") + tr.encode_record(b"two")
    open(path, "wb").write(full[:-3])
    f = open(path, "rb")
    reader = tr.RecordReader(f, allow_truncated_tail=True)
    assert reader.read_record() == (0, b"one")
    assert reader.read_record() is None
    with open(path, "ab") as w:
        w.write(full[-3:])
    assert reader.read_record() == (19, b"two")
    f.close()


def test_truncated_gzip_stream(tmp_path):
    path = str(tmp_path / "r.gz")
    with tr.TFRecordWriter(path, "GZIP") as w:
        w.write(b"x" * 1000)
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])
    with pytest.raises(errors.DataLossError):
        list(tr.tf_record_iterator(path, "GZIP"))


def test_flush_makes_compressed_records_readable(tmp_path):
    path = str(tmp_path / "r.z")
    w = tr.TFRecordWriter(path, "ZLIB")
    w.write(b"abc")
    w.flush()
    with tr.RecordReader(path, "ZLIB", allow_truncated_tail=True) as r:
        assert list(r) == [b"abc"]
    w.close()


def test_missing_file():
    with pytest.raises(errors.NotFoundError):
        list(tr.tf_record_iterator("/nonexistent/file.tfrecord"))


def test_reader_on_bytesio():
    buf = io.BytesIO(tr.encode_record(b"a") + tr.encode_record(b"bc"))
    assert list(tr.RecordReader(buf)) == [b"a", b"bc"]
