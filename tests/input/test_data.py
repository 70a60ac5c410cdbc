"""tf.data: sources, transformations, iterators, op types/names, functions traced once."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.data.dataset import Dataset, Iterator, map_and_batch, shuffle_and_repeat
from tensorweave.formats import example_pb2, tfrecord
from tensorweave.ops import parsing_ops as po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _drain(sess, t, limit=10000):
    out = []
    try:
        for _ in range(limit):
            out.append(sess.run(t))
    except tf.errors.OutOfRangeError:
        return out
    raise AssertionError("iterator did not end")


def test_graph_matches_tf_names_and_types():
    x = tf.constant(list(range(10)))
    ds = Dataset.from_tensor_slices(x).map(lambda v: v * 2, num_parallel_calls=2).batch(
        3).prefetch(1)
    it = ds.make_one_shot_iterator()
    n = it.get_next()
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert types == ["Const", "TensorSliceDataset", "Const", "ParallelMapDatasetV2", "Const",
                     "Const", "BatchDatasetV2", "Const", "PrefetchDataset", "OneShotIterator",
                     "IteratorGetNext"]
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names[2] == "num_parallel_calls" and names[4:6] == ["batch_size", "drop_remainder"]
    assert n.name == "IteratorGetNext:0" and n.shape.as_list() == [None]
    assert ds.output_types == tf.int32 and ds.output_shapes.as_list() == [None]
    fg = it._iterator_resource.op.get_attr("dataset_factory")
    assert [o.type for o in fg.get_operations()][-1] == "PrefetchDataset"
    with tf.Session() as sess:
        got = _drain(sess, n)
    assert [g.tolist() for g in got] == [[0, 2, 4], [6, 8, 10], [12, 14, 16], [18]]


def test_map_function_traced_once_and_captures():
    calls = []
    w = tf.constant(3)

    def f(v):
        calls.append(1)
        return v * w

    ds = Dataset.range(5).map(lambda v: tf.cast(v, tf.int32)).map(f)
    n = ds.make_one_shot_iterator().get_next()
    assert len(calls) == 1
    mop = [op for op in tf.get_default_graph().get_operations() if op.type == "MapDataset"][-1]
    assert len(mop.inputs) == 2  # the input dataset and the captured `w`
    with tf.Session() as sess:
        assert _drain(sess, n) == [0, 3, 6, 9, 12]
    assert len(calls) == 1


def test_nested_structures_filter_shuffle_repeat_take_skip():
    ds = Dataset.from_tensor_slices({"a": np.arange(8, dtype=np.float32),
                                     "b": (np.arange(8), np.arange(8) * 10)})
    assert ds.output_types == {"a": tf.float32, "b": (tf.int64, tf.int64)}
    ds = ds.filter(lambda e: tf.equal(e["b"][0] % 2, 0)).skip(1).take(2).repeat(2)
    n = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = _drain(sess, n)
    assert [g["b"][1] for g in got] == [20, 40, 20, 40]
    ds2 = Dataset.range(20).shuffle(20, seed=5, reshuffle_each_iteration=True).repeat(2)
    n2 = ds2.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = _drain(sess, n2)
    assert sorted(got[:20]) == list(range(20)) and sorted(got[20:]) == list(range(20))
    assert got[:20] != list(range(20)) and got[:20] != got[20:]


def test_shuffle_is_deterministic_with_seed():
    def run():
        tf.reset_default_graph()
        tf.set_random_seed(1)
        n = Dataset.range(30).shuffle(10).make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            return _drain(sess, n)

    assert run() == run()


def test_initializable_reinitializable_and_string_handle_iterators():
    lim = tf.placeholder(tf.int64, [])
    ds = Dataset.range(lim)
    it = ds.make_initializable_iterator()
    n = it.get_next()
    st = Iterator.from_structure(tf.int64, tf.TensorShape([]))
    a_init = st.make_initializer(Dataset.range(3))
    b_init = st.make_initializer(Dataset.range(10, 12))
    sn = st.get_next()
    h = tf.placeholder(tf.string, [])
    feedable = Iterator.from_string_handle(h, tf.int64, tf.TensorShape([]))
    fn = feedable.get_next()
    one = Dataset.range(100, 103).make_one_shot_iterator()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(n)
        sess.run(it.initializer, {lim: 3})
        assert _drain(sess, n) == [0, 1, 2]
        sess.run(it.initializer, {lim: 2})
        assert _drain(sess, n) == [0, 1]
        sess.run(a_init)
        assert _drain(sess, sn) == [0, 1, 2]
        sess.run(b_init)
        assert _drain(sess, sn) == [10, 11]
        handle = sess.run(one.string_handle())
        assert sess.run(fn, {h: handle}) == 100
        assert sess.run(fn, {h: handle}) == 101
    with pytest.raises(TypeError):
        st.make_initializer(Dataset.range(3).map(lambda v: tf.cast(v, tf.int32)))


def test_flat_map_interleave_zip_concatenate_padded_batch_cache():
    d = Dataset.range(1, 4).flat_map(lambda i: Dataset.from_tensors(i).repeat(i))
    il = Dataset.from_tensor_slices(np.array([1, 2], dtype=np.int64)).interleave(
        lambda i: Dataset.from_tensors(i).repeat(3), cycle_length=2, block_length=2)
    z = Dataset.zip((Dataset.range(3), Dataset.range(10, 13))).concatenate(
        Dataset.zip((Dataset.range(7, 8), Dataset.range(8, 9))))
    pb = Dataset.range(1, 4).map(lambda i: tf.fill(tf.reshape(tf.cast(i, tf.int32), [1]), i)
                                 ).padded_batch(2, padded_shapes=[None], padding_values=-1)
    c = Dataset.range(3).cache().repeat(2)
    nodes = [x.make_one_shot_iterator().get_next() for x in (d, il, z, pb, c)]
    with tf.Session() as sess:
        assert _drain(sess, nodes[0]) == [1, 2, 2, 3, 3, 3]
        assert _drain(sess, nodes[1]) == [1, 1, 2, 2, 1, 2]
        assert [tuple(v) for v in _drain(sess, nodes[2])] == [(0, 10), (1, 11), (2, 12),
                                                               (7, 8)]
        got = _drain(sess, nodes[3])
        assert got[0].tolist() == [[1, -1], [2, 2]] and got[1].tolist() == [[3, 3, 3]]
        assert _drain(sess, nodes[4]) == [0, 1, 2, 0, 1, 2]


def test_batch_drop_remainder_static_shape_and_experimental():
    ds = Dataset.range(10).batch(4, drop_remainder=True)
    assert ds.output_shapes.as_list() == [4]
    mb = Dataset.range(10).apply(map_and_batch(lambda v: v * 2, 3, drop_remainder=True))
    sr = Dataset.range(5).apply(shuffle_and_repeat(5, count=2, seed=1))
    with tf.Session() as sess:
        assert [b.tolist() for b in _drain(sess, ds.make_one_shot_iterator().get_next())] == [
            [0, 1, 2, 3], [4, 5, 6, 7]]
        got = _drain(sess, mb.make_one_shot_iterator().get_next())
        assert [g.tolist() for g in got] == [[0, 2, 4], [6, 8, 10], [12, 14, 16]]
        assert sorted(_drain(sess, sr.make_one_shot_iterator().get_next())) == sorted(
            list(range(5)) * 2)


def test_from_generator_and_file_datasets(tmp_path):
    gen = Dataset.from_generator(lambda: ((i, [i] * i) for i in range(1, 4)),
                                 (tf.int32, tf.float32), (tf.TensorShape([]),
                                                          tf.TensorShape([None])))
    path = str(tmp_path / "r.tfrecord")
    with tfrecord.TFRecordWriter(path) as w:
        for i in range(4):
            ex = example_pb2.Example()
            ex.features.feature["x"].int64_list.value.append(i)
            w.write(ex.SerializeToString())
    rec = tf.data.TFRecordDataset([path]).map(
        lambda s: po.parse_single_example(s, {"x": po.FixedLenFeature([], tf.int64)})["x"],
        num_parallel_calls=2)
    txt = tmp_path / "t.txt"
    txt.write_text("l1\nl2\n")
    lines = tf.data.TextLineDataset([str(txt)])
    fixed = tmp_path / "f.bin"
    fixed.write_bytes(bytes(range(6)))
    fl = tf.data.FixedLengthRecordDataset([str(fixed)], 2)
    lf = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    ns = [x.make_one_shot_iterator().get_next() for x in (gen, rec, lines, fl, lf)]
    with tf.Session() as sess:
        g = _drain(sess, ns[0])
        assert [a for a, _ in g] == [1, 2, 3] and g[2][1].tolist() == [3.0, 3.0, 3.0]
        assert _drain(sess, ns[1]) == [0, 1, 2, 3]
        assert _drain(sess, ns[2]) == [b"l1", b"l2"]
        assert _drain(sess, ns[3]) == [b"\x00\x01", b"\x02\x03", b"\x04\x05"]
        assert _drain(sess, ns[4]) == [str(txt).encode()]


def test_one_shot_iterator_cannot_capture_placeholder():
    p = tf.placeholder(tf.int64, [None])
    with pytest.raises(ValueError, match="placeholder"):
        Dataset.from_tensor_slices(p).make_one_shot_iterator()


def test_map_error_surfaces_and_parallel_map_keeps_order():
    ds = Dataset.range(50).map(lambda v: v * 3, num_parallel_calls=4).prefetch(4)
    bad = Dataset.from_tensor_slices(np.array(["1", "x"])).map(po.string_to_number)
    with tf.Session() as sess:
        assert _drain(sess, ds.make_one_shot_iterator().get_next()) == [
            3 * i for i in range(50)]
        n = bad.make_one_shot_iterator().get_next()
        assert sess.run(n) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(n)


def test_seed_shuffle_batch_program_runs_through_runner():
    import importlib

    train_mod = importlib.import_module("tensorweave.compat.api.train")

    if not hasattr(train_mod, "QueueRunner"):
        pytest.skip("tf.train does not re-export compat/api/train_input.py yet (lead's file)")
    prog = os.path.join(ROOT, "tests", "programs", "seed_shuffle_batch.py")
    r = subprocess.run([sys.executable, "-m", "tensorweave", "run", prog], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = [line.strip("[] ").split() for line in r.stdout.strip().splitlines()]
    vals = [int(v) for row in rows for v in row]
    assert len(rows) == 10 and sorted(vals) == list(range(100))


def test_map_batch_fusion_matches_unfused_results(tmp_path):
    """map(f).batch(n) runs f vectorized once per batch; values equal the per-element path."""
    from tensorweave.ops import image_io_ops

    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (10, 5, 4, 1)).astype(np.uint8)
    path = str(tmp_path / "imgs.tfrecord")
    with tf.Session() as sess:
        ph = tf.placeholder(tf.uint8, [5, 4, 1])
        enc = image_io_ops.encode_png(ph)
        pngs = [sess.run(enc, {ph: im}) for im in imgs]
    with tfrecord.TFRecordWriter(path) as w:
        for i, p in enumerate(pngs):
            ex = example_pb2.Example()
            ex.features.feature["img"].bytes_list.value.append(p)
            ex.features.feature["label"].int64_list.value.append(i % 3)
            w.write(ex.SerializeToString())
    scale = tf.constant(0.5)

    def parse(s):
        f = po.parse_single_example(s, {"img": po.FixedLenFeature([], tf.string),
                                        "label": po.FixedLenFeature([], tf.int64)})
        x = tf.cast(tf.reshape(image_io_ops.decode_png(f["img"], channels=1), [20]),
                    tf.float32) * scale
        return x + 1.0, tf.one_hot(f["label"], 3), f["label"] * 2

    fused = tf.data.TFRecordDataset([path]).map(parse, num_parallel_calls=2).batch(4)
    unfused = tf.data.TFRecordDataset([path]).map(parse).prefetch(1).batch(4)
    a = fused.make_one_shot_iterator().get_next()
    b = unfused.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        ra, rb = _drain(sess, a), _drain(sess, b)
    assert len(ra) == len(rb) == 3
    for x, y in zip(ra, rb):
        for u, v in zip(x, y):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(ra[0][0], imgs[:4].reshape(4, 20) * 0.5 + 1.0)


def test_map_batch_fusion_falls_back_per_element():
    # Elements of different shapes, broadcasting against a vector, and a failing element.
    ds = Dataset.range(1, 7).map(lambda i: tf.cast(i, tf.float32) * tf.constant([1.0, 2.0]))
    ragged = Dataset.range(1, 4).map(lambda i: tf.fill(tf.reshape(tf.cast(i, tf.int32), [1]),
                                                       i)).batch(2)
    bad = Dataset.from_tensor_slices(np.array(["1", "2", "x", "4"])).map(
        po.string_to_number).batch(2)
    n1 = ds.batch(4).make_one_shot_iterator().get_next()
    n2 = ragged.make_one_shot_iterator().get_next()
    n3 = bad.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = _drain(sess, n1)
        np.testing.assert_array_equal(got[0], [[1, 2], [2, 4], [3, 6], [4, 8]])
        assert got[1].shape == (2, 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch"):
            sess.run(n2)
        np.testing.assert_array_equal(sess.run(n3), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(n3)


def test_map_batch_with_stateful_function_keeps_element_order():
    counter = tf.Variable(0, dtype=tf.int64)

    def f(v):
        with tf.control_dependencies([tf.assign_add(counter, 1)]):
            return v * 10 + tf.identity(counter.read_value() if hasattr(
                counter, "read_value") else tf.identity(counter))

    it = Dataset.range(4).map(f).batch(4).make_initializable_iterator()
    n = it.get_next()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(it.initializer)
        assert sess.run(n).tolist() == [1, 12, 23, 34]
