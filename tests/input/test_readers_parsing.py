"""Readers, TFRecord files written by real TF, tf.Example parsing, decode ops and image codecs."""
import gzip
import json
import os

import numpy as np
import pytest
from tensorboard.compat.proto import config_pb2

import tensorweave as tf
from tensorweave.formats import example_pb2, tfrecord
from tensorweave.ops import data_flow_ops as dfo
from tensorweave.ops import image_io_ops, io_ops
from tensorweave.ops import parsing_ops as po
from tensorweave.training import coordinator as coord_lib
from tensorweave.training import input as inp
from tensorweave.training import queue_runner as qr_lib

FIX = os.path.join(os.path.dirname(__file__), "..", "data", "tf_fixtures", "tfrecord")
OPTS = config_pb2.RunOptions(timeout_in_ms=10000)


def _expected():
    with open(os.path.join(FIX, "expected.json")) as f:
        exp = json.load(f)["examples"]
    for e in exp:
        e["name"] = [e["name"][0].encode(), bytes.fromhex(e["name"][1])]
    return exp


FEATURES = {"name": po.VarLenFeature(tf.string),
            "score": po.FixedLenFeature([3], tf.float32),
            "ids": po.FixedLenFeature([3], tf.int64)}


def _check(parsed, exp):
    assert list(parsed["name"].values) == exp["name"]
    np.testing.assert_array_equal(parsed["name"].indices, [[0], [1]])
    np.testing.assert_array_equal(parsed["name"].dense_shape, [2])
    np.testing.assert_array_equal(parsed["score"], np.float32(exp["score"]))
    np.testing.assert_array_equal(parsed["ids"], np.int64(exp["ids"]))
    assert parsed["score"].dtype == np.float32 and parsed["ids"].dtype == np.int64


@pytest.mark.parametrize("fname,comp", [("examples.tfrecord", None),
                                        ("examples.tfrecord.gz", "GZIP"),
                                        ("examples.tfrecord.zlib", "ZLIB")])
def test_tf_written_tfrecord_through_reader_queue(fname, comp):
    path = os.path.join(FIX, fname)
    fq = inp.string_input_producer([path], num_epochs=1, shuffle=False)
    reader = io_ops.TFRecordReader(options=comp)
    key, value = reader.read(fq)
    parsed = po.parse_single_example(value, FEATURES)
    assert parsed["score"].shape.as_list() == [3]
    assert parsed["name"].indices.op.type == "ParseExampleV2"
    assert parsed["name"].indices.op.name == "ParseSingleExample/ParseExample/ParseExampleV2"
    n = reader.num_records_produced()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = coord_lib.Coordinator()
        threads = qr_lib.start_queue_runners(sess, coord)
        got = []
        try:
            while True:
                got.append(sess.run([key, parsed], options=OPTS))
        except tf.errors.OutOfRangeError:
            pass
        assert sess.run(n) == 5
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    exp = _expected()
    assert len(got) == 5
    for (k, p), e in zip(got, exp):
        assert k.startswith(path.encode() + b":")
        _check(p, e)


def test_parse_example_batch_and_errors():
    raw = list(tfrecord.tf_record_iterator(os.path.join(FIX, "examples.tfrecord")))
    s = tf.placeholder(tf.string, [None])
    p = po.parse_example(s, dict(FEATURES, missing=po.FixedLenFeature(
        [2], tf.float32, default_value=[7.0, 8.0])))
    assert p["score"].shape.as_list() == [None, 3]
    assert p["name"].indices.shape.as_list() == [None, 2]
    req = po.parse_example(s, {"nope": po.FixedLenFeature([], tf.int64)})
    wrong = po.parse_example(s, {"score": po.FixedLenFeature([3], tf.int64)})
    with tf.Session() as sess:
        out = sess.run(p, {s: raw})
        exp = _expected()
        np.testing.assert_array_equal(out["score"], np.float32([e["score"] for e in exp]))
        np.testing.assert_array_equal(out["ids"], np.int64([e["ids"] for e in exp]))
        np.testing.assert_array_equal(out["missing"], np.float32([[7, 8]] * 5))
        assert out["name"].dense_shape.tolist() == [5, 2]
        assert out["name"].indices[:, 0].tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
        with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
            sess.run(req, {s: raw})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Data types don't match"):
            sess.run(wrong, {s: raw})


def test_fixed_len_sequence_feature_and_sequence_example():
    exs = []
    for n in (1, 3):
        ex = example_pb2.Example()
        ex.features.feature["v"].int64_list.value.extend(range(n))
        exs.append(ex.SerializeToString())
    s = tf.placeholder(tf.string, [None])
    p = po.parse_example(s, {"v": po.FixedLenSequenceFeature([], tf.int64, allow_missing=True,
                                                             default_value=-1)})
    with open(os.path.join(FIX, "sequence_example.pb"), "rb") as f:
        seq_bytes = f.read()
    ctx, seq = po.parse_single_sequence_example(
        tf.constant(seq_bytes), context_features={"len": po.FixedLenFeature([], tf.int64)},
        sequence_features={"tokens": po.FixedLenSequenceFeature([], tf.string)})
    assert seq["tokens"].shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(p, {s: exs})["v"], [[0, -1, -1], [0, 1, 2]])
        c, q = sess.run([ctx, seq])
    assert c["len"] == 2 and list(q["tokens"]) == [b"a", b"b"]


def test_we_write_tfrecord_that_parses_back_gzip(tmp_path):
    path = str(tmp_path / "ours.tfrecord.gz")
    with tfrecord.TFRecordWriter(path, tfrecord.TFRecordOptions("GZIP")) as w:
        for i in range(3):
            ex = example_pb2.Example(features=example_pb2.Features(feature={
                "x": example_pb2.Feature(float_list=example_pb2.FloatList(value=[i, 0.5])),
                "s": example_pb2.Feature(bytes_list=example_pb2.BytesList(value=[b"k%d" % i])),
            }))
            w.write(ex.SerializeToString())
    with gzip.open(path) as f:
        assert len(f.read()) > 0
    recs = list(tfrecord.tf_record_iterator(path, "GZIP"))
    s = tf.placeholder(tf.string, [None])
    p = po.parse_example(s, {"x": po.FixedLenFeature([2], tf.float32),
                             "s": po.FixedLenFeature([], tf.string)})
    with tf.Session() as sess:
        out = sess.run(p, {s: recs})
    np.testing.assert_array_equal(out["x"], [[0, 0.5], [1, 0.5], [2, 0.5]])
    assert list(out["s"]) == [b"k0", b"k1", b"k2"]


def test_text_fixed_whole_identity_readers(tmp_path):
    a = tmp_path / "a.csv"
    a.write_bytes(b"h1,h2\n1,x\n2,y\r\n")
    b = tmp_path / "b.bin"
    b.write_bytes(b"HD" + bytes(range(12)) + b"F")
    tq = dfo.FIFOQueue(5, [tf.string], shapes=[[]])
    fill = tq.enqueue_many([[str(a)]])
    close = tq.close()
    tr = io_ops.TextLineReader(skip_header_lines=1)
    k, v = tr.read(tq)
    cols = po.decode_csv(v, [[0], ["?"]])
    fq = dfo.FIFOQueue(5, [tf.string], shapes=[[]])
    fr = io_ops.FixedLengthRecordReader(record_bytes=4, header_bytes=2, footer_bytes=1)
    fk, fv = fr.read_up_to(fq, 10)
    raw = po.decode_raw(fv, tf.uint8)
    wq = dfo.FIFOQueue(5, [tf.string], shapes=[[]])
    wk, wv = io_ops.WholeFileReader().read(wq)
    iq = dfo.FIFOQueue(5, [tf.string], shapes=[[]])
    ik, iv = io_ops.IdentityReader().read(iq)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(close)
        r1 = sess.run([k, cols])
        r2 = sess.run([k, cols])
        assert r1[0] == (str(a) + ":2").encode() and r1[1][0] == 1 and r1[1][1] == b"x"
        assert r2[1][0] == 2 and r2[1][1] == b"y"
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(v, options=OPTS)
        sess.run(fq.enqueue_many([[str(b)]]))
        sess.run(fq.close())
        keys, rows = sess.run([fk, raw])
        np.testing.assert_array_equal(rows, np.arange(12).reshape(3, 4))
        assert keys[2] == (str(b) + ":2").encode()
        sess.run(wq.enqueue(str(b)))
        assert sess.run([wk, wv]) == [str(b).encode(), b.read_bytes()]
        sess.run(iq.enqueue("work"))
        assert sess.run([ik, iv]) == [b"work", b"work"]


def test_files_ops_and_match_filenames_once(tmp_path):
    for n in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / n).write_text(n)
    pattern = str(tmp_path / "x*.txt")
    m = io_ops.matching_files(pattern)
    mo = inp.match_filenames_once(pattern)
    rf = io_ops.read_file(str(tmp_path / "y.txt"))
    wf = io_ops.write_file(str(tmp_path / "out" / "z.txt"), "hello")
    assert m.op.type == "MatchingFiles" and rf.op.type == "ReadFile" and wf.type == "WriteFile"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert [os.path.basename(p) for p in sess.run(m)] == [b"x1.txt", b"x2.txt"]
        assert len(sess.run(mo)) == 2
        assert sess.run(rf) == b"y.txt"
        sess.run(wf)
        with pytest.raises(tf.errors.NotFoundError):
            sess.run(io_ops.matching_files(str(tmp_path / "none*")))
    assert (tmp_path / "out" / "z.txt").read_text() == "hello"


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int32, np.uint16])
def test_decode_raw_and_string_to_number(dt):
    rng = np.random.default_rng(0)
    vals = (rng.standard_normal((2, 5)) * 100).astype(dt)
    s = tf.placeholder(tf.string, [2])
    d = po.decode_raw(s, tf.as_dtype(dt))
    assert d.shape.as_list() == [2, None]
    n = po.string_to_number(tf.constant(["1.5", "-2"]))
    ni = po.string_to_number(tf.constant(["7"]), out_type=tf.int64)
    with tf.Session() as sess:
        got = sess.run(d, {s: [vals[0].tobytes(), vals[1].tobytes()]})
        np.testing.assert_array_equal(got, vals)
        np.testing.assert_array_equal(sess.run(n), np.float32([1.5, -2]))
        assert sess.run(ni).dtype == np.int64
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(po.string_to_number(tf.constant("abc")))


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png_roundtrip_and_jpeg(channels):
    rng = np.random.default_rng(channels)
    img = rng.integers(0, 256, (7, 5, channels)).astype(np.uint8)
    x = tf.placeholder(tf.uint8, [None, None, channels])
    enc = image_io_ops.encode_png(x)
    dec = image_io_ops.decode_png(enc, channels=channels)
    assert dec.shape.as_list() == [None, None, channels]
    assert enc.op.type == "EncodePng" and dec.op.type == "DecodePng"
    smooth = np.tile(np.linspace(0, 255, 16, dtype=np.uint8)[None, :, None], (16, 1, 3))
    jx = tf.placeholder(tf.uint8, [16, 16, 3])
    jdec = image_io_ops.decode_jpeg(image_io_ops.encode_jpeg(jx, quality=95))
    gen = image_io_ops.decode_image(enc)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dec, {x: img}), img)
        np.testing.assert_array_equal(sess.run(gen, {x: img}), img)
        assert np.abs(sess.run(jdec, {jx: smooth}).astype(int) - smooth).max() <= 8
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(image_io_ops.decode_png(tf.constant(b"not a png")))
