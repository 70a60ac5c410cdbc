"""Array ops: kernels against NumPy on random inputs, static shapes with unknown dims, errors."""
import numpy as np
import pytest

import tensorweave as tf

RNG = np.random.RandomState(1234)
FLOATS = [np.float32, np.float64]


def rnd(*shape, dtype=np.float64):
    return RNG.randn(*shape).astype(dtype)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def ph(dtype, shape):
    return tf.placeholder(dtype, shape)


# ------------------------------------------------------------------------------ reshape
@pytest.mark.parametrize("dtype", FLOATS)
def test_reshape_values_and_neg_one(dtype):
    x = rnd(2, 3, 4, dtype=dtype)
    p = ph(dtype, [None, 3, 4])
    outs = [tf.reshape(p, [-1]), tf.reshape(p, [3, -1, 2]), tf.reshape(p, [4, 6]),
            tf.reshape(p, tf.shape(p)[::-1])]
    got = run(outs, {p: x})
    for g, want in zip(got, [x.reshape(-1), x.reshape(3, -1, 2), x.reshape(4, 6),
                             x.reshape(4, 3, 2)]):
        assert g.dtype == dtype
        np.testing.assert_array_equal(g, want)
    assert outs[0].shape.as_list() == [None]
    assert outs[1].shape.as_list() == [3, None, 2]
    assert outs[2].shape.as_list() == [4, 6]
    assert outs[3].shape.as_list() == [4, 3, None]


def test_reshape_static_inference():
    x = tf.placeholder(tf.float32, [2, 3, 4])
    assert tf.reshape(x, [-1, 12]).shape.as_list() == [2, 12]
    assert tf.reshape(x, tf.TensorShape([6, None])).shape.as_list() == [6, 4]
    n = tf.placeholder(tf.int32, [])
    assert tf.reshape(x, tf.stack([n, 4])).shape.as_list() == [6, 4]


def test_reshape_errors():
    x = tf.placeholder(tf.float32, [2, 3, 4])
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 24 elements"):
        tf.reshape(x, [5, 5])
    with pytest.raises(ValueError, match="24 elements"):
        tf.reshape(x, [5, -1])
    p = tf.placeholder(tf.float32, [None, 4])
    y = tf.reshape(p, [5, 5], name="bad_reshape")
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(y, {p: np.zeros((2, 4), np.float32)})
    msg = str(e.value)
    assert "bad_reshape" in msg and "8 values" in msg and "25" in msg and "[2,4]" in msg


# ------------------------------------------------------------------ shape, size, rank
def test_shape_size_rank_dynamic_and_const():
    x = rnd(2, 3, 4)
    p = ph(tf.float64, [None, 3, 4])
    s, s64, n, r, sn = (tf.shape(p), tf.shape(p, out_type=tf.int64), tf.size(p), tf.rank(p),
                        tf.shape_n([p, p[0]]))
    assert s.op.type == "Shape" and s.shape.as_list() == [3]
    got = run([s, s64, n, r] + sn, {p: x})
    np.testing.assert_array_equal(got[0], [2, 3, 4])
    assert got[0].dtype == np.int32 and got[1].dtype == np.int64
    assert got[2] == 24 and got[2].dtype == np.int32 and got[3] == 3
    np.testing.assert_array_equal(got[5], [3, 4])
    k = tf.placeholder(tf.float32, [2, 3])
    assert tf.shape(k).op.type == "Const" and tf.size(k).op.type == "Const"
    assert tf.rank(k).op.type == "Const"
    u = tf.placeholder(tf.float32)
    assert tf.rank(u).op.type == "Rank" and tf.shape(u).shape.as_list() == [None]


# ------------------------------------------------------------------- expand / squeeze
@pytest.mark.parametrize("dtype", FLOATS)
def test_expand_dims_squeeze(dtype):
    x = rnd(2, 1, 3, 1, dtype=dtype)
    p = ph(dtype, [None, 1, 3, 1])
    outs = [tf.expand_dims(p, 0), tf.expand_dims(p, -1), tf.expand_dims(p, dim=2),
            tf.squeeze(p), tf.squeeze(p, [1]), tf.squeeze(p, axis=-1),
            tf.squeeze(p, squeeze_dims=[1, 3])]
    want = [x[None], x[..., None], np.expand_dims(x, 2), np.squeeze(x), np.squeeze(x, 1),
            np.squeeze(x, -1), np.squeeze(x, (1, 3))]
    for g, w in zip(run(outs, {p: x}), want):
        np.testing.assert_array_equal(g, w)
    assert outs[0].shape.as_list() == [1, None, 1, 3, 1]
    assert outs[3].shape.ndims is None
    assert outs[4].shape.as_list() == [None, 3, 1]
    with pytest.raises(ValueError, match="Can not squeeze dim\\[2\\]"):
        tf.squeeze(p, [2])
    with pytest.raises(ValueError):
        tf.expand_dims(p, 6)


# ------------------------------------------------------------------------- transpose
@pytest.mark.parametrize("dtype", FLOATS + [np.int32])
def test_transpose(dtype):
    x = (rnd(2, 3, 4) * 10).astype(dtype)
    p = ph(dtype, [None, 3, 4])
    perm = tf.placeholder(tf.int32, [3])
    outs = [tf.transpose(p), tf.transpose(p, [1, 0, 2]), tf.transpose(p, perm),
            tf.matrix_transpose(p), tf.invert_permutation(perm)]
    got = run(outs, {p: x, perm: [2, 0, 1]})
    np.testing.assert_array_equal(got[0], x.T)
    np.testing.assert_array_equal(got[1], x.transpose(1, 0, 2))
    np.testing.assert_array_equal(got[2], x.transpose(2, 0, 1))
    np.testing.assert_array_equal(got[3], x.transpose(0, 2, 1))
    np.testing.assert_array_equal(got[4], [1, 2, 0])
    assert outs[0].shape.as_list() == [4, 3, None]
    assert outs[2].shape.as_list() == [None, None, None]
    assert outs[0].op.name == "transpose" and outs[3].op.name == "matrix_transpose/transpose"


# ----------------------------------------------------------------- concat/stack/split
@pytest.mark.parametrize("dtype", FLOATS)
def test_concat_stack_unstack(dtype):
    a, b = rnd(2, 3, dtype=dtype), rnd(2, 3, dtype=dtype)
    pa, pb = ph(dtype, [None, 3]), ph(dtype, [2, 3])
    outs = [tf.concat([pa, pb], 0), tf.concat([pa, pb, pa], -1), tf.stack([pa, pb]),
            tf.stack([pa, pb], axis=-1)] + tf.unstack(pb, axis=1)
    got = run(outs, {pa: a, pb: b})
    np.testing.assert_array_equal(got[0], np.concatenate([a, b]))
    np.testing.assert_array_equal(got[1], np.concatenate([a, b, a], 1))
    np.testing.assert_array_equal(got[2], np.stack([a, b]))
    np.testing.assert_array_equal(got[3], np.stack([a, b], -1))
    for i in range(3):
        np.testing.assert_array_equal(got[4 + i], b[:, i])
    assert outs[0].shape.as_list() == [None, 3]
    assert outs[1].shape.as_list() == [2, 9]
    assert outs[2].shape.as_list() == [2, 2, 3]


def test_concat_stack_errors_and_consts():
    a = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        tf.concat([a, tf.placeholder(tf.float32, [2, 4])], 0)
    with pytest.raises(ValueError, match="rank"):
        tf.concat([a, tf.placeholder(tf.float32, [2])], 0)
    with pytest.raises(ValueError, match="Cannot infer argument `num`"):
        tf.unstack(tf.placeholder(tf.float32, [None, 3]))
    c = tf.stack([1, 2, 3])
    assert c.op.type == "Const" and c.op.name == "stack"
    t = tf.placeholder(tf.int32, [])
    auto = tf.stack([t, 4])
    assert auto.op.type == "Pack" and run(auto, {t: 7}).tolist() == [7, 4]
    single = tf.concat([a], 0)
    assert single.op.type == "Identity" and single.name.endswith("/concat:0")


@pytest.mark.parametrize("dtype", FLOATS)
def test_split(dtype):
    x = rnd(2, 6, 4, dtype=dtype)
    p = ph(dtype, [None, 6, 4])
    s1 = tf.split(p, 3, axis=1)
    s2 = tf.split(p, [1, -1, 2], 1)
    s3 = tf.split(value=p, num_or_size_splits=2, axis=-1)
    got = run(s1 + s2 + s3, {p: x})
    want = np.split(x, 3, 1) + np.split(x, [1, 4], 1) + np.split(x, 2, -1)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert s1[0].op.type == "Split" and s2[0].op.type == "SplitV"
    assert [t.shape.as_list() for t in s2] == [[None, 1, 4], [None, 3, 4], [None, 2, 4]]
    with pytest.raises(ValueError, match="evenly divisible"):
        tf.split(p, 4, axis=1)


# ---------------------------------------------------------------------- slice / tile
@pytest.mark.parametrize("dtype", FLOATS)
def test_slice_tile(dtype):
    x = rnd(3, 4, 5, dtype=dtype)
    p = ph(dtype, [None, 4, 5])
    b = tf.placeholder(tf.int32, [3])
    outs = [tf.slice(p, [1, 0, 2], [-1, 2, -1]), tf.slice(p, b, [1, 2, 3]),
            tf.tile(p, [2, 1, 3]), tf.tile(p, tf.placeholder_with_default([1, 2, 1], [3]))]
    got = run(outs, {p: x, b: [1, 1, 1]})
    np.testing.assert_array_equal(got[0], x[1:, 0:2, 2:])
    np.testing.assert_array_equal(got[1], x[1:2, 1:3, 1:4])
    np.testing.assert_array_equal(got[2], np.tile(x, [2, 1, 3]))
    np.testing.assert_array_equal(got[3], np.tile(x, [1, 2, 1]))
    assert outs[0].shape.as_list() == [None, 2, 3]
    assert outs[1].shape.as_list() == [1, 2, 3]
    assert outs[2].shape.as_list() == [None, 4, 15]
    q = tf.placeholder(tf.float32, [3, 4])
    with pytest.raises(ValueError):
        tf.slice(q, [2, 0], [2, 1])
    bad = tf.slice(p, b, [1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(bad, {p: x, b: [3, 3, 3]})


# ------------------------------------------------------------------------------- pad
@pytest.mark.parametrize("dtype", FLOATS)
def test_pad_modes(dtype):
    x = rnd(3, 4, dtype=dtype)
    p = ph(dtype, [None, 4])
    pads = [[1, 2], [2, 1]]
    outs = [tf.pad(p, pads), tf.pad(p, pads, constant_values=1.5), tf.pad(p, pads, "REFLECT"),
            tf.pad(p, pads, mode="symmetric")]
    got = run(outs, {p: x})
    np.testing.assert_array_equal(got[0], np.pad(x, pads))
    np.testing.assert_array_equal(got[1], np.pad(x, pads, constant_values=1.5))
    np.testing.assert_array_equal(got[2], np.pad(x, pads, mode="reflect"))
    np.testing.assert_array_equal(got[3], np.pad(x, pads, mode="symmetric"))
    assert [o.op.type for o in outs] == ["Pad", "PadV2", "MirrorPad", "MirrorPad"]
    assert outs[0].shape.as_list() == [None, 7]
    with pytest.raises(ValueError, match="mode"):
        tf.pad(p, pads, "WRAP")
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.pad(p, [[3, 0], [0, 0]], "REFLECT"), {p: x})


# ----------------------------------------------------------- fill / zeros / ones / like
def test_fill_zeros_ones_like():
    x = rnd(2, 3).astype(np.float32)
    p = ph(tf.float32, [None, 3])
    s = tf.placeholder(tf.float64, [])
    outs = [tf.fill([2, 3], s), tf.zeros([2, 3]), tf.ones([3], tf.int32), tf.zeros_like(p),
            tf.ones_like(p), tf.zeros_like(p, dtype=tf.int64), tf.ones_like(p, tf.float64),
            tf.zeros([40, 40]), tf.fill(tf.shape(p), 7)]
    got = run(outs, {p: x, s: 2.5})
    np.testing.assert_array_equal(got[0], np.full((2, 3), 2.5))
    assert got[1].dtype == np.float32 and not got[1].any()
    assert got[2].dtype == np.int32 and (got[2] == 1).all()
    assert got[3].shape == (2, 3) and got[5].dtype == np.int64
    assert (got[4] == 1).all() and got[6].dtype == np.float64
    assert outs[1].op.type == "Const" and outs[7].op.type == "Fill" and got[7].shape == (40, 40)
    assert outs[8].shape.as_list() == [None, 3] and got[8].dtype == np.int32
    assert outs[3].shape.as_list() == [None, 3] and outs[4].shape.as_list() == [None, 3]
    k = tf.placeholder(tf.float32, [2, 3])
    assert tf.zeros_like(k).op.type == "Const" and tf.zeros_like(p).op.type == "ZerosLike"


# ------------------------------------------------------------ range / linspace / one_hot
def test_range_linspace():
    n = tf.placeholder(tf.int32, [])
    outs = [tf.range(5), tf.range(1, 10, 3), tf.range(0.0, 1.0, 0.25), tf.range(5, 0, -2),
            tf.range(4, dtype=tf.float64), tf.range(n), tf.linspace(-1.0, 2.0, 5),
            tf.lin_space(tf.constant(0.0, tf.float64), 1.0, 7)]
    got = run(outs, {n: 4})
    for g, w in zip(got, [np.arange(5), np.arange(1, 10, 3), np.arange(0, 1, 0.25),
                          np.arange(5, 0, -2), np.arange(4.0), np.arange(4),
                          np.linspace(-1, 2, 5), np.linspace(0, 1, 7)]):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert got[0].dtype == np.int32 and got[2].dtype == np.float32
    assert got[4].dtype == np.float64 and got[7].dtype == np.float64
    assert outs[1].shape.as_list() == [3] and outs[5].shape.as_list() == [None]
    assert outs[6].name == "linspace/Slice:0" and outs[6].shape.as_list() == [5]
    with pytest.raises(ValueError):
        tf.range(5, 0, 1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.range(0, n, 0), {n: 3})


def test_one_hot():
    idx = np.array([[0, 2, -1], [1, 3, 2]], np.int64)
    p = tf.placeholder(tf.int64, [None, 3])
    outs = [tf.one_hot(p, 3), tf.one_hot(p, 4, on_value=5.0, off_value=-1.0, axis=0),
            tf.one_hot(p, 3, 1, 0), tf.one_hot(p, 3, dtype=tf.float64, axis=1)]
    got = run(outs, {p: idx})
    eye = np.eye(3)
    want0 = np.where(idx[..., None] == np.arange(3), 1.0, 0.0)
    np.testing.assert_array_equal(got[0], want0)
    assert got[0].dtype == np.float32 and got[2].dtype == np.int32
    want1 = np.moveaxis(np.where(idx[..., None] == np.arange(4), 5.0, -1.0), -1, 0)
    np.testing.assert_array_equal(got[1], want1)
    np.testing.assert_array_equal(got[3], np.moveaxis(want0, -1, 1))
    assert outs[0].shape.as_list() == [None, 3, 3]
    assert outs[1].shape.as_list() == [4, None, 3]
    del eye
    with pytest.raises(TypeError):
        tf.one_hot(p, 3, on_value=1.0, off_value=0, dtype=tf.float64)


# ---------------------------------------------------------------- reverse, broadcast
@pytest.mark.parametrize("dtype", FLOATS)
def test_reverse_broadcast_to(dtype):
    x = rnd(2, 3, 4, dtype=dtype)
    p = ph(dtype, [None, 3, 4])
    outs = [tf.reverse(p, [1]), tf.reverse(p, axis=[0, -1]), tf.reverse_v2(p, [2]),
            tf.broadcast_to(p[:, :1], [5, 2, 3, 4]), tf.stop_gradient(p)]
    got = run(outs, {p: x})
    np.testing.assert_array_equal(got[0], x[:, ::-1])
    np.testing.assert_array_equal(got[1], x[::-1, :, ::-1])
    np.testing.assert_array_equal(got[2], x[..., ::-1])
    np.testing.assert_array_equal(got[3], np.broadcast_to(x[:, :1], (5, 2, 3, 4)))
    np.testing.assert_array_equal(got[4], x)
    assert outs[3].shape.as_list() == [5, 2, 3, 4]
    assert tf.broadcast_static_shape(tf.TensorShape([None, 1, 3]),
                                     tf.TensorShape([4, 1])).as_list() == [None, 4, 3]
    with pytest.raises(ValueError):
        tf.reverse(p, [3])


def test_sequence_mask_meshgrid():
    n = tf.placeholder(tf.int32, [3])
    lens = np.array([0, 3, 5], np.int32)
    m1, m2 = tf.sequence_mask(n, 5), tf.sequence_mask(n, dtype=tf.float32)
    g1, g2 = run([m1, m2], {n: lens})
    np.testing.assert_array_equal(g1, np.arange(5) < lens[:, None])
    np.testing.assert_array_equal(g2, (np.arange(5) < lens[:, None]).astype(np.float32))
    assert m1.shape.as_list() == [3, 5] and m2.shape.as_list() == [3, None]
    a, b = np.arange(3.0), np.arange(4.0) * 2
    xy = tf.meshgrid(a, b)
    ij = tf.meshgrid(a, b, indexing="ij")
    got = run(xy + ij)
    for g, w in zip(got, np.meshgrid(a, b) + np.meshgrid(a, b, indexing="ij")):
        np.testing.assert_array_equal(g, w)
    assert xy[0].shape.as_list() == [4, 3] and xy[0].name == "meshgrid/mul:0"


def test_variables_lists_and_numpy_accepted():
    v = tf.Variable(np.arange(6.0).reshape(2, 3))
    outs = [tf.reshape(v, [-1]), tf.concat([v, np.ones((1, 3))], 0), tf.gather(v, [1]),
            tf.transpose(v), v[1, ::-1], tf.stack([v, v]), tf.shape(v)]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outs)
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(got[0], a.reshape(-1))
    np.testing.assert_array_equal(got[1], np.concatenate([a, np.ones((1, 3))]))
    np.testing.assert_array_equal(got[2], a[[1]])
    np.testing.assert_array_equal(got[3], a.T)
    np.testing.assert_array_equal(got[4], a[1, ::-1])
    np.testing.assert_array_equal(got[6], [2, 3])


# ----------------------------------------------- space/batch/depth, roll, setdiff1d
def test_space_batch_depth_rearrangements():
    doc = np.array([[[[1], [2]], [[3], [4]]]], np.float32)
    s2d, s2b = tf.space_to_depth(doc, 2), tf.space_to_batch_nd(doc, [2, 2], [[0, 0], [0, 0]])
    g1, g2 = run([s2d, s2b])
    np.testing.assert_array_equal(g1.reshape(-1), [1, 2, 3, 4])
    assert g1.shape == (1, 1, 1, 4) and g2.shape == (4, 1, 1, 1)
    np.testing.assert_array_equal(g2.reshape(-1), [1, 2, 3, 4])
    x = RNG.randn(2, 4, 6, 3)
    p = tf.placeholder(tf.float64, [None, 4, 6, 3])
    a = tf.space_to_batch_nd(p, [2, 3], [[0, 0], [1, 2]])
    b = tf.batch_to_space_nd(a, [2, 3], [[0, 0], [1, 2]])
    c = tf.space_to_depth(p[:, :, :4], 2)
    d = tf.depth_to_space(c, 2)
    cn = tf.space_to_depth(tf.transpose(p[:, :, :4], [0, 3, 1, 2]), 2, data_format="NCHW")
    got = run([a, b, c, d, cn], {p: x})
    assert a.shape.as_list() == [None, 2, 3, 3] and got[0].shape == (12, 2, 3, 3)
    np.testing.assert_array_equal(got[1], x)
    assert c.shape.as_list() == [None, 2, 2, 12]
    np.testing.assert_array_equal(got[3], x[:, :, :4])
    np.testing.assert_array_equal(got[4].transpose(0, 2, 3, 1), got[2])
    with pytest.raises(ValueError):
        tf.space_to_depth(tf.placeholder(tf.float32, [1, 3, 4, 1]), 2)


def test_roll_setdiff_unravel_ensure_shape():
    x = RNG.randn(3, 4)
    p = tf.placeholder(tf.float64, [None, 4])
    e = tf.ensure_shape(p, [3, None])
    outs = [tf.roll(p, 1, 0), tf.roll(p, [1, -2], [0, 1]), e,
            tf.setdiff1d([5, 1, 7, 1, 3], [1, 3])[0], tf.unravel_index([5, 7], [3, 4])]
    got = run(outs, {p: x})
    np.testing.assert_array_equal(got[0], np.roll(x, 1, 0))
    np.testing.assert_array_equal(got[1], np.roll(x, (1, -2), (0, 1)))
    np.testing.assert_array_equal(got[3], [5, 7])
    np.testing.assert_array_equal(got[4], [[1, 1], [1, 3]])
    assert e.shape.as_list() == [3, 4]
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(e, {p: x[:2]})


# ------------------------------------------ tensor scatters, searchsorted, patches, bitcast
def _naive_patches(x, k, s, r, padding):
    n, h, w, c = x.shape
    if padding == "VALID":
        oh = (h - ((k[0] - 1) * r[0] + 1)) // s[0] + 1
        ow = (w - ((k[1] - 1) * r[1] + 1)) // s[1] + 1
        ph = pw = 0
    else:
        oh, ow = -(-h // s[0]), -(-w // s[1])
        ph = max((oh - 1) * s[0] + (k[0] - 1) * r[0] + 1 - h, 0) // 2
        pw = max((ow - 1) * s[1] + (k[1] - 1) * r[1] + 1 - w, 0) // 2
    out = np.zeros((n, oh, ow, k[0] * k[1] * c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            vals = []
            for a in range(k[0]):
                for b in range(k[1]):
                    y, z = i * s[0] + a * r[0] - ph, j * s[1] + b * r[1] - pw
                    vals.append(x[:, y, z] if 0 <= y < h and 0 <= z < w else
                                np.zeros((n, c), x.dtype))
            out[:, i, j] = np.concatenate(vals, axis=-1)
    return out


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_extract_image_patches(padding):
    x = RNG.randn(2, 5, 7, 3).astype(np.float32)
    cfgs = [((2, 3), (1, 2), (1, 1)), ((3, 2), (2, 2), (1, 2)), ((2, 2), (3, 1), (2, 1))]
    outs = [tf.extract_image_patches(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1],
                                     [1, r[0], r[1], 1], padding) for k, s, r in cfgs]
    for o, g, (k, s, r) in zip(outs, run(outs), cfgs):
        want = _naive_patches(x, k, s, r, padding)
        assert o.shape.as_list() == list(want.shape)
        np.testing.assert_array_equal(g, want)


def test_tensor_scatter_searchsorted_bitcast():
    t = RNG.randn(4, 3)
    idx = np.array([[1], [3], [1]], np.int32)
    upd = RNG.randn(3, 3)
    outs = [tf.tensor_scatter_update(t, idx[:2], upd[:2]), tf.tensor_scatter_nd_add(t, idx, upd),
            tf.tensor_scatter_sub(t, idx, upd),
            tf.searchsorted([[1.0, 3, 5, 7], [2, 4, 6, 8]], [[0.0, 3, 7.5], [4, 4, 9]]),
            tf.searchsorted([1, 3, 5], [3, 4], side="right"),
            tf.bitcast(np.array([1.5, 2.0], np.float32), tf.int32),
            tf.guarantee_const(t)]
    got = run(outs)
    w = t.copy()
    w[[1, 3]] = upd[:2]
    np.testing.assert_array_equal(got[0], w)
    w = t.copy()
    np.add.at(w, idx[:, 0], upd)
    np.testing.assert_allclose(got[1], w)
    w = t.copy()
    np.subtract.at(w, idx[:, 0], upd)
    np.testing.assert_allclose(got[2], w)
    np.testing.assert_array_equal(got[3], [[0, 1, 4], [1, 1, 4]])
    np.testing.assert_array_equal(got[4], [2, 2])
    np.testing.assert_array_equal(got[5], np.array([1.5, 2.0], np.float32).view(np.int32))
    np.testing.assert_array_equal(got[6], t)
