"""Indexing ops: strided slices and Tensor.__getitem__ against NumPy, gathers, scatters, where,
unique, top_k, segment sums, dynamic partition/stitch, embedding lookups, IndexedSlices."""
import numpy as np
import pytest

import tensorweave as tf

RNG = np.random.RandomState(7)
FLOATS = [np.float32, np.float64]


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


INDEXES = [
    np.s_[1:], np.s_[:, ::2], np.s_[1:, ::2, None, ...], np.s_[::-1], np.s_[-1], np.s_[..., 1],
    np.s_[:, -2:0:-1], np.s_[1, 2], np.s_[None], np.s_[:, None], np.s_[0, :, 1:3],
    np.s_[..., ::-2], np.s_[:1, 1:, :-1], np.s_[-2:, -1, ::3], np.s_[1, ..., None],
    np.s_[::-2, ::-1, -1:-5:-2], np.s_[5:], np.s_[-100:100, 1:1], np.s_[..., None, 0],
    np.s_[None, 1, None, ..., None], np.s_[:, :, :, None], np.s_[1, -1, -1], np.s_[...],
    np.s_[-1:-3:-1, 10:0:-1],
]


@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
def test_getitem_matches_numpy(dtype):
    x = (RNG.randn(2, 3, 4) * 10).astype(dtype)
    p = tf.placeholder(dtype, [2, 3, 4])
    q = tf.placeholder(dtype, [None, 3, None])
    outs = [p[i] for i in INDEXES] + [q[i] for i in INDEXES]
    got = run(outs, {p: x, q: x})
    for k, i in enumerate(INDEXES):
        want = x[i]
        assert got[k].dtype == dtype
        np.testing.assert_array_equal(got[k], want, err_msg=str(i))
        assert outs[k].shape.as_list() == list(want.shape), str(i)
        np.testing.assert_array_equal(got[len(INDEXES) + k], want, err_msg=str(i))
        assert outs[len(INDEXES) + k].shape.is_compatible_with(want.shape)


def test_getitem_names_and_tensor_indices():
    x = RNG.randn(2, 3, 4)
    p = tf.placeholder(tf.float64, [2, 3, 4])
    i = tf.placeholder(tf.int32, [])
    a = p[1:]
    assert a.op.name == "strided_slice" and a.op.type == "StridedSlice"
    assert a.op.inputs[1].op.name == "strided_slice/stack"
    b = p[i]
    c = p[:, i:i + 2]
    j64 = tf.placeholder(tf.int64, [])
    d = p[j64, 1]
    assert b.shape.as_list() == [3, 4] and c.shape.as_list() == [2, None, 4]
    assert d.op.inputs[1].dtype == tf.int64
    got = run([b, c, d], {p: x, i: 1, j64: 1})
    np.testing.assert_array_equal(got[0], x[1])
    np.testing.assert_array_equal(got[1], x[:, 1:3])
    np.testing.assert_array_equal(got[2], x[1, 1])
    with pytest.raises(TypeError, match="Only integers, slices"):
        p[1.5]
    with pytest.raises(TypeError):
        p[tf.placeholder(tf.int32, [2])]
    with pytest.raises(ValueError):
        p[2, 0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(b, {p: x, i: 5})


def test_strided_slice_masks():
    x = RNG.randn(2, 3, 4)
    p = tf.placeholder(tf.float64, [None, 3, 4])
    y = tf.strided_slice(p, [1, 0, 0], [2, 3, 4], [1, 1, 1], begin_mask=1, end_mask=2,
                         shrink_axis_mask=4)
    z = tf.strided_slice(p, [0, 1], [0, 0], [1, -1], ellipsis_mask=1, end_mask=2)
    assert y.shape.as_list() == [None, 3]
    got = run([y, z], {p: x})
    np.testing.assert_array_equal(got[0], x[:2, :, 0])
    np.testing.assert_array_equal(got[1], x[..., 1::-1])


def test_shape_slicing_keeps_partial_shapes():
    p = tf.placeholder(tf.float32, [None, 5, 7])
    s = tf.shape(p)
    r = tf.reshape(tf.zeros([35]), s[1:])
    assert r.shape.as_list() == [5, 7]
    f = tf.fill(tf.stack([s[0], 2]), 1.0)
    assert f.shape.as_list() == [None, 2]


# ------------------------------------------------------------------------- gathers
@pytest.mark.parametrize("dtype", FLOATS + [np.int32])
def test_gather_variants(dtype):
    params = (RNG.randn(5, 3, 2) * 10).astype(dtype)
    p = tf.placeholder(dtype, [None, 3, 2])
    idx = np.array([[4, 0], [2, 2]], np.int32)
    outs = [tf.gather(p, idx), tf.gather(p, [2, 0], axis=1), tf.gather(p, 3),
            tf.gather(p, np.array([1, 1], np.int64), axis=-1),
            tf.gather_nd(p, [[0, 1], [4, 2]]), tf.gather_nd(p, [[[1]], [[3]]]),
            tf.gather(p, [[0, 1], [2, 0], [1, 1], [0, 0], [1, 2]], axis=1, batch_dims=1),
            tf.nn.embedding_lookup(p, idx)]
    got = run(outs, {p: params})
    np.testing.assert_array_equal(got[0], params[idx])
    np.testing.assert_array_equal(got[1], params[:, [2, 0]])
    np.testing.assert_array_equal(got[2], params[3])
    np.testing.assert_array_equal(got[3], params[..., [1, 1]])
    np.testing.assert_array_equal(got[4], params[[0, 4], [1, 2]])
    np.testing.assert_array_equal(got[5], params[[[1]], ][:, :, 0] if False else
                                  params[np.array([[1], [3]])])
    bd = np.stack([params[b][[[0, 1], [2, 0], [1, 1], [0, 0], [1, 2]][b]] for b in range(5)])
    np.testing.assert_array_equal(got[6], bd)
    np.testing.assert_array_equal(got[7], params[idx])
    assert outs[0].shape.as_list() == [2, 2, 3, 2]
    assert outs[1].shape.as_list() == [None, 2, 2]
    assert outs[4].shape.as_list() == [2, 2]
    assert outs[7].name == "embedding_lookup/Identity:0"
    bad = tf.gather(p, tf.constant([5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="5 is not in \\[0, 5\\)"):
        run(bad, {p: params})


def test_sharded_embedding_lookup():
    table = RNG.randn(7, 3)
    ids = np.array([[6, 0, 3], [1, 1, 5]], np.int32)
    for strategy, shards in (("mod", [table[0::3], table[1::3], table[2::3]]),
                             ("div", [table[0:3], table[3:5], table[5:7]])):
        tf.reset_default_graph()
        out = tf.nn.embedding_lookup([tf.constant(s) for s in shards], ids,
                                     partition_strategy=strategy)
        assert out.shape.as_list() == [2, 3, 3]
        np.testing.assert_allclose(run(out), table[ids])


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatter_nd_sums_duplicates(dtype):
    idx = np.array([[1], [3], [1], [0]], np.int32)
    upd = RNG.randn(4, 3).astype(dtype)
    y = tf.scatter_nd(idx, upd, [5, 3])
    want = np.zeros((5, 3), dtype)
    np.add.at(want, idx[:, 0], upd)
    got = run(y)
    assert got.dtype == dtype and y.shape.as_list() == [5, 3]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    e = tf.scatter_nd(np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0]), [3, 4])
    w = np.zeros((3, 4))
    w[0, 1], w[2, 3] = 4.0, 2.0
    np.testing.assert_array_equal(run(e), w)


# ------------------------------------------------------------- where / boolean_mask
def test_where_and_boolean_mask():
    c = RNG.rand(3, 4) > 0.5
    x = RNG.randn(3, 4)
    pc = tf.placeholder(tf.bool, [None, 4])
    px = tf.placeholder(tf.float64, [3, 4])
    w = tf.where(pc)
    wn = tf.where(px > 0)
    m = tf.boolean_mask(px, [True, False, True])
    m2 = tf.boolean_mask(px, pc[:3])
    m3 = tf.boolean_mask(px, [True, False, False, True], axis=1)
    got = run([w, wn, m, m2, m3], {pc: c, px: x})
    assert got[0].dtype == np.int64 and w.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(got[0], np.argwhere(c))
    np.testing.assert_array_equal(got[1], np.argwhere(x > 0))
    np.testing.assert_array_equal(got[2], x[[0, 2]])
    np.testing.assert_array_equal(got[3], x[c])
    np.testing.assert_array_equal(got[4], x[:, [0, 3]])
    assert m.shape.as_list() == [None, 4] and m.name == "boolean_mask/GatherV2:0"
    with pytest.raises(ValueError):
        tf.where(pc, px)


# ------------------------------------------------------------------ unique / top_k
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32])
def test_unique(dtype):
    x = np.array([3, 1, 3, 0, 1, 7, 0, 3], dtype)
    y, idx = tf.unique(x)
    y2, idx2, cnt = tf.unique_with_counts(x, out_idx=tf.int64)
    got = run([y, idx, y2, idx2, cnt])
    np.testing.assert_array_equal(got[0], [3, 1, 0, 7])
    np.testing.assert_array_equal(got[1], [0, 1, 0, 2, 1, 3, 2, 0])
    assert got[1].dtype == np.int32 and got[3].dtype == np.int64
    np.testing.assert_array_equal(got[4], [3, 2, 2, 1])
    assert y.shape.as_list() == [None] and idx.shape.as_list() == [8]


@pytest.mark.parametrize("dtype", FLOATS + [np.int32])
def test_top_k(dtype):
    x = RNG.permutation(60).reshape(3, 20).astype(dtype)
    x[0, 5] = x[0, 9] = 100  # tie: the lower index comes first
    p = tf.placeholder(dtype, [None, 20])
    ks = (1, 2, 7, 20)
    outs = [tf.nn.top_k(p, k) for k in ks]
    got = run([list(o) for o in outs], {p: x})
    for k, (v, i), (gv, gi) in zip(ks, outs, got):
        order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[:, :k]
        np.testing.assert_array_equal(gi, order)
        np.testing.assert_array_equal(gv, np.take_along_axis(x, order, -1))
        assert v.shape.as_list() == [None, k] and gi.dtype == np.int32
    with pytest.raises(ValueError):
        tf.nn.top_k(p, 21)


# ------------------------------------------------------ segments, partition, stitch
@pytest.mark.parametrize("dtype", FLOATS)
def test_segment_sums(dtype):
    data = RNG.randn(6, 3).astype(dtype)
    ids = np.array([2, 0, -1, 2, 4, 0], np.int32)
    u = tf.unsorted_segment_sum(data, ids, 5)
    s = tf.segment_sum(data, np.array([0, 0, 1, 3, 3, 3]))
    gu, gs = run([u, s])
    wu = np.zeros((5, 3), dtype)
    np.add.at(wu, ids[ids >= 0], data[ids >= 0])
    ws = np.zeros((4, 3), dtype)
    np.add.at(ws, [0, 0, 1, 3, 3, 3], data)
    np.testing.assert_allclose(gu, wu, rtol=1e-6)
    np.testing.assert_allclose(gs, ws, rtol=1e-6)
    assert u.shape.as_list() == [5, 3] and gu.dtype == dtype


def test_dynamic_partition_and_stitch():
    data = RNG.randn(6, 2)
    parts = np.array([1, 0, 2, 1, 1, 0], np.int32)
    outs = tf.dynamic_partition(data, parts, 3)
    got = run(outs)
    for i in range(3):
        np.testing.assert_array_equal(got[i], data[parts == i])
    st = tf.dynamic_stitch([[0, 2], [1, 3, 2]], [data[:2], data[2:5]])
    want = np.zeros((4, 2))
    want[[0, 2]] = data[:2]
    want[[1, 3, 2]] = data[2:5]
    np.testing.assert_array_equal(run(st), want)
    assert outs[0].shape.as_list() == [None, 2]


def test_indexed_slices_and_sparse():
    vals = tf.constant(RNG.randn(3, 2))
    s = tf.IndexedSlices(vals, tf.constant([0, 3, 0]), tf.constant([4, 2]))
    dense = tf.convert_to_tensor(s)
    v = run(vals)
    want = np.zeros((4, 2))
    np.add.at(want, [0, 3, 0], v)
    np.testing.assert_allclose(run(dense), want)
    assert dense.op.type == "UnsortedSegmentSum"
    sp = tf.SparseTensor(indices=[[0, 1], [2, 0]], values=[1.5, -2.0], dense_shape=[3, 3])
    d = tf.sparse_tensor_to_dense(sp)
    w = np.zeros((3, 3), np.float32)
    w[0, 1], w[2, 0] = 1.5, -2.0
    np.testing.assert_array_equal(run(d), w)
    np.testing.assert_array_equal(run(tf.sparse.to_dense(sp, default_value=1.0)),
                                  np.where(w == 0, 1.0, w))
    assert d.shape.as_list() == [3, 3]


def test_fetch_and_feed_sparse_structures():
    p = tf.placeholder(tf.float64, [5, 3])
    g = tf.gradients(tf.reduce_sum(tf.gather(p, [1, 4])), p)[0]
    sp = tf.sparse_placeholder(tf.float32, shape=[3, 3])
    dense = tf.sparse_tensor_to_dense(sp)
    value = tf.SparseTensorValue(np.array([[0, 1], [2, 2]]), np.array([1.0, 2.0], np.float32),
                                 np.array([3, 3]))
    with tf.Session() as sess:
        gv, d, spv = sess.run([g, dense, sp], {p: np.ones((5, 3)), sp: value})
    assert isinstance(gv, tf.IndexedSlicesValue) if hasattr(tf, "IndexedSlicesValue") else True
    np.testing.assert_array_equal(gv.indices, [1, 4])
    np.testing.assert_array_equal(gv.values, np.ones((2, 3)))
    np.testing.assert_array_equal(d, [[0, 1, 0], [0, 0, 0], [0, 0, 2]])
    assert isinstance(spv, tf.SparseTensorValue)
    np.testing.assert_array_equal(spv.indices, value.indices)
