"""tf.data fast paths: chunked sources (TFRecord, tensor slices) for map+batch, the C PNG
decoder and Example parser inside a vectorized map, and prefetch running PNG batches one ahead
with a native decode thread. Every result must equal the element-by-element Python path."""
import io

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import native
from tensorweave.data import runtime
from tensorweave.formats import tfrecord


def _png(img):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img, mode="L").save(buf, format="PNG")
    return buf.getvalue()


def _example(img_bytes, label):
    return tf.train.Example(features=tf.train.Features(feature={
        "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img_bytes])),
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
    })).SerializeToString()


def _write(path, records):
    with tf.python_io.TFRecordWriter(path) as w:
        for r in records:
            w.write(r)


def _images(n, seed=0, h=6, w=5):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, h, w), dtype=np.uint8), rng.integers(0, 10, n)


def _parse(s, h=6, w=5):
    f = tf.parse_single_example(s, {"image": tf.FixedLenFeature([], tf.string),
                                    "label": tf.FixedLenFeature([], tf.int64)})
    img = tf.io.decode_png(f["image"], channels=1)
    x = tf.cast(tf.reshape(img, [h * w]), tf.float32) * (1.0 / 255)
    return x, tf.one_hot(f["label"], 10)


def _drain(sess, t, limit=1000):
    out = []
    try:
        for _ in range(limit):
            out.append(sess.run(t))
    except tf.errors.OutOfRangeError:
        return out
    raise AssertionError("iterator did not end")


def _pipeline(path, bs, prefetch, parallel=2, drop=False, repeat=1):
    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([path]).repeat(repeat)
        ds = ds.map(_parse, num_parallel_calls=parallel).batch(bs, drop_remainder=drop)
        if prefetch:
            ds = ds.prefetch(2)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as sess:
            return _drain(sess, nxt)


def _want(imgs, labels, bs, drop=False):
    x = imgs.reshape(len(imgs), -1).astype(np.float32) * np.float32(1.0 / 255)
    y = np.eye(10, dtype=np.float32)[labels]
    n = len(imgs) // bs * bs if drop else len(imgs)
    return [(x[i:i + bs], y[i:i + bs]) for i in range(0, n, bs)]


@pytest.mark.parametrize("prefetch", [False, True])
@pytest.mark.parametrize("parallel", [None, 2])
@pytest.mark.parametrize("bs,drop", [(7, False), (7, True), (50, False), (1, False),
                                     (16, True), (300, False)])
def test_png_tfrecord_pipeline(tmp_path, prefetch, parallel, bs, drop):
    imgs, labels = _images(45)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])
    got = _pipeline(path, bs, prefetch, parallel, drop)
    want = _want(imgs, labels, bs, drop)
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want):
        assert gx.dtype == np.float32 and gy.dtype == np.float32
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)


def test_repeat_across_files_and_chunks(tmp_path):
    imgs, labels = _images(30, seed=1)
    paths = []
    for k in range(3):
        p = str(tmp_path / ("r%d.tfrecord" % k))
        _write(p, [_example(_png(i), int(l)) for i, l in zip(imgs[k * 10:(k + 1) * 10],
                                                            labels[k * 10:(k + 1) * 10])])
        paths.append(p)
    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset(paths).repeat(2).map(_parse, num_parallel_calls=2)
        nxt = tf.data.make_one_shot_iterator(ds.batch(8).prefetch(2)).get_next()
        with tf.Session() as sess:
            got = _drain(sess, nxt)
    want = _want(np.concatenate([imgs, imgs]), np.concatenate([labels, labels]), 8)
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want):
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)


@pytest.mark.parametrize("prefetch", [False, True])
def test_corrupt_png_error_at_its_batch(tmp_path, prefetch):
    imgs, labels = _images(20, seed=2)
    recs = [_example(_png(i), int(l)) for i, l in zip(imgs, labels)]
    recs[13] = _example(b"not a png", 1)
    path = str(tmp_path / "r.tfrecord")
    _write(path, recs)
    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([path]).map(_parse, num_parallel_calls=2).batch(5)
        if prefetch:
            ds = ds.prefetch(2)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as sess:
            for i in range(2):
                gx, _ = sess.run(nxt)
                np.testing.assert_array_equal(gx, _want(imgs, labels, 5)[i][0])
            with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid PNG data"):
                sess.run(nxt)


@pytest.mark.parametrize("prefetch", [False, True])
def test_images_of_other_shapes_error_as_before(tmp_path, prefetch):
    imgs, labels = _images(10, seed=3)
    recs = [_example(_png(i), int(l)) for i, l in zip(imgs, labels)]
    recs[7] = _example(_png(np.zeros((3, 3), np.uint8)), 0)
    path = str(tmp_path / "r.tfrecord")
    _write(path, recs)
    with tf.Graph().as_default():
        def parse(s):
            f = tf.parse_single_example(s, {"image": tf.FixedLenFeature([], tf.string)})
            return tf.io.decode_png(f["image"], channels=1)

        ds = tf.data.TFRecordDataset([path]).map(parse, num_parallel_calls=2).batch(5)
        if prefetch:
            ds = ds.prefetch(2)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(nxt)[..., 0], imgs[:5])
            with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors"):
                sess.run(nxt)


@pytest.mark.parametrize("prefetch", [False, True])
@pytest.mark.parametrize("parallel", [None, 2])
def test_corrupt_record_error_after_earlier_batches(tmp_path, prefetch, parallel):
    imgs, labels = _images(12, seed=4)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])
    data = bytearray(open(path, "rb").read())
    data[-20] ^= 0xFF  # the last record's data
    open(path, "wb").write(bytes(data))
    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([path]).map(_parse, num_parallel_calls=parallel).batch(4)
        if prefetch:
            ds = ds.prefetch(2)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as sess:
            got = []
            with pytest.raises(tf.errors.DataLossError, match="checksum mismatch"):
                for _ in range(4):
                    got.append(sess.run(nxt)[0])
    # batches before the bad record arrive first (parallel map reads one batch ahead)
    assert len(got) >= (1 if parallel else 2)
    for i, g in enumerate(got):
        np.testing.assert_array_equal(g, _want(imgs, labels, 4)[i][0])


def test_tensor_slices_chunks_equal_elements():
    x = np.arange(2600, dtype=np.float32).reshape(1300, 2)
    y = np.arange(1300)
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices((x, y)).map(
            lambda a, b: (a * 2.0, b + 1), num_parallel_calls=2).batch(300)
        nxt = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session() as sess:
            got = _drain(sess, nxt)
    assert [len(g[0]) for g in got] == [300, 300, 300, 300, 100]
    np.testing.assert_array_equal(np.concatenate([g[0] for g in got]), x * 2)
    np.testing.assert_array_equal(np.concatenate([g[1] for g in got]), y + 1)


def test_rechunk():
    chunks = [(np.arange(a, b),) for a, b in [(0, 3), (3, 3), (3, 10), (10, 11), (11, 25)]]
    got = list(runtime.rechunk(iter(chunks), 4, False))
    assert [g[0].tolist() for g in got] == [list(range(i, min(i + 4, 25)))
                                            for i in range(0, 25, 4)]
    got = list(runtime.rechunk(iter(chunks), 4, True))
    assert [len(g[0]) for g in got] == [4] * 6


@pytest.mark.skipif(native.load("_image") is None, reason="C image kernels not built")
def test_prefetch_runs_png_batches_one_ahead_without_a_thread(tmp_path):
    imgs, labels = _images(20, seed=5)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])
    import threading

    before = {t.name for t in threading.enumerate()}
    got = _pipeline(path, 5, True)
    assert len(got) == 4
    # no tw_data_prefetch thread was started for it
    assert not any(t.name.startswith("tw_data_prefetch") for t in threading.enumerate()
                   if t.name not in before)


def test_read_record_batches_matches_reader(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    recs = [bytes([i % 256]) * (i * 7 % 5000) for i in range(700)]
    _write(path, recs)
    got = [r for b in tfrecord.read_record_batches(path, chunk_size=3000) for r in b]
    assert got == recs


def test_same_results_with_native_kernels_off(tmp_path, monkeypatch):
    imgs, labels = _images(23, seed=6)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])
    on = _pipeline(path, 5, True)
    monkeypatch.setenv("TENSORWEAVE_NATIVE", "0")
    off = _pipeline(path, 5, True)
    assert len(on) == len(off) == 5
    for (a, b), (c, d) in zip(on, off):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_super_batches_keep_batch_boundaries(tmp_path, monkeypatch):
    # 4 batches run as one: values, batch sizes and the short last batch as one by one
    imgs, labels = _images(61, seed=7)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])
    for m in (1, 2, 4):
        monkeypatch.setattr(runtime, "SUPER_BATCHES", m)
        for drop in (False, True):
            got = _pipeline(path, 6, True, drop=drop, repeat=2)
            want = _want(np.concatenate([imgs, imgs]), np.concatenate([labels, labels]), 6,
                         drop)
            assert [len(g[0]) for g in got] == [len(w[0]) for w in want]
            for (gx, gy), (wx, wy) in zip(got, want):
                np.testing.assert_array_equal(gx, wx)
                np.testing.assert_array_equal(gy, wy)


@pytest.mark.parametrize("dtype,scale", [(tf.float32, 1.0 / 255), (tf.float64, 0.1),
                                         (tf.float32, -3.5)])
def test_decode_reshape_cast_scale_chain(tmp_path, dtype, scale):
    imgs, labels = _images(30, seed=8)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])

    def parse(s):
        f = tf.parse_single_example(s, {"image": tf.FixedLenFeature([], tf.string)})
        img = tf.io.decode_png(f["image"], channels=1)
        return tf.cast(tf.reshape(img, [6, 5]), dtype) * scale

    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([path]).map(parse, num_parallel_calls=2).batch(4)
        nxt = tf.data.make_one_shot_iterator(ds.prefetch(2)).get_next()
        with tf.Session() as sess:
            got = np.concatenate(_drain(sess, nxt))
    np_dt = np.float32 if dtype == tf.float32 else np.float64
    want = imgs.astype(np_dt) * np_dt(scale)
    assert got.dtype == np_dt
    np.testing.assert_array_equal(got, want)


def test_bad_reshape_after_decode_errors_as_before(tmp_path):
    imgs, labels = _images(8, seed=9)
    path = str(tmp_path / "r.tfrecord")
    _write(path, [_example(_png(i), int(l)) for i, l in zip(imgs, labels)])

    def parse(s):
        f = tf.parse_single_example(s, {"image": tf.FixedLenFeature([], tf.string)})
        img = tf.io.decode_png(f["image"], channels=1)
        return tf.cast(tf.reshape(img, [7]), tf.float32) * 2.0

    with tf.Graph().as_default():
        ds = tf.data.TFRecordDataset([path]).map(parse, num_parallel_calls=2).batch(4)
        nxt = tf.data.make_one_shot_iterator(ds.prefetch(2)).get_next()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(nxt)
