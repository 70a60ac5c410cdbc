"""Forward kernels, static shapes and errors of the nn ops against NumPy references."""
import numpy as np
import pytest

import tensorweave as tf

R = np.random.default_rng(3)


def run(t, feed=None):
    with tf.Session() as s:
        return s.run(t, feed)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_activations(dt):
    x = (R.standard_normal((3, 4)) * 4).astype(dt)
    sc, al = 1.0507009873554805, 1.6732632423543772
    refs = {
        tf.nn.relu: np.maximum(x, 0), tf.nn.relu6: np.clip(x, 0, 6),
        tf.nn.elu: np.where(x < 0, np.expm1(x), x),
        tf.nn.selu: sc * np.where(x > 0, x, al * np.expm1(x)),
        tf.nn.softplus: np.log1p(np.exp(x)), tf.nn.softsign: x / (1 + np.abs(x)),
        tf.nn.leaky_relu: np.where(x > 0, x, x * dt(np.float32(0.2))),
    }
    for fn, ref in refs.items():
        y = fn(tf.constant(x))
        assert y.dtype == tf.as_dtype(dt)
        v = run(y)
        assert v.dtype == dt
        np.testing.assert_allclose(v, ref, rtol=1e-5 if dt == np.float32 else 1e-12, atol=1e-6)
    np.testing.assert_allclose(run(tf.nn.crelu(tf.constant(x))),
                               np.maximum(np.concatenate([x, -x], -1), 0))


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_softmax_and_xent(dt):
    x = R.standard_normal((3, 5)).astype(dt)
    e = np.exp(x - x.max(1, keepdims=True))
    sm = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(run(tf.nn.softmax(x)), sm, rtol=1e-5)
    np.testing.assert_allclose(run(tf.nn.log_softmax(x)), np.log(sm), rtol=1e-5, atol=1e-6)
    e0 = np.exp(x - x.max(0))
    np.testing.assert_allclose(run(tf.nn.softmax(x, axis=0)), e0 / e0.sum(0), rtol=1e-5)
    lab = R.uniform(size=(3, 5)).astype(dt)
    lab /= lab.sum(1, keepdims=True)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lab, logits=x)
    np.testing.assert_allclose(run(loss), -(lab * np.log(sm)).sum(1), rtol=1e-5)
    idx = np.array([0, 4, 2], np.int32)
    sp = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=idx, logits=x)
    np.testing.assert_allclose(run(sp), -np.log(sm[np.arange(3), idx]), rtol=1e-5)
    z = R.uniform(size=(3, 5)).astype(dt)
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    p = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(run(sig), -(z * np.log(p) + (1 - z) * np.log(1 - p)), rtol=1e-5)


def test_sparse_xent_bad_label():
    x = tf.placeholder(tf.float32, [2, 3])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3], logits=x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
        run(loss, {x: np.zeros((2, 3), np.float32)})


def test_xent_names_and_shapes():
    lg = tf.placeholder(tf.float32, [None, 4])
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=tf.zeros_like(lg), logits=lg)
    assert loss.name == "softmax_cross_entropy_with_logits_sg/Reshape_2:0"
    assert loss.shape.as_list() == [None]
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(lg, lg)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_bias_add_l2(dt):
    x = R.standard_normal((2, 3, 4)).astype(dt)
    b = R.standard_normal(4).astype(dt)
    np.testing.assert_allclose(run(tf.nn.bias_add(x, b)), x + b)
    xn = R.standard_normal((2, 4, 3, 3)).astype(dt)
    np.testing.assert_allclose(run(tf.nn.bias_add(xn, b, data_format="NCHW")),
                               xn + b[:, None, None])
    v = run(tf.nn.l2_loss(x))
    assert v.dtype == dt and v.shape == ()
    np.testing.assert_allclose(v, (x ** 2).sum() / 2, rtol=1e-5)
    with pytest.raises(ValueError):
        tf.nn.bias_add(tf.constant(x), tf.constant(np.zeros(5, dt)))


def naive_conv(x, w, s, pad):
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    if pad == "SAME":
        oh, ow = -(-h // s), -(-wd // s)
        ph = max((oh - 1) * s + kh - h, 0)
        pw = max((ow - 1) * s + kw - wd, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // s + 1, (wd - kw) // s + 1
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * s:i * s + kh, j * s:j * s + kw, :]
            out[:, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize("pad,s", [("SAME", 1), ("VALID", 2), ("SAME", 2)])
def test_conv2d_values_and_shapes(pad, s):
    x = R.standard_normal((2, 7, 6, 3)).astype(np.float32)
    w = R.standard_normal((3, 3, 3, 4)).astype(np.float32)
    xp = tf.placeholder(tf.float32, [None, 7, 6, 3])
    y = tf.nn.conv2d(xp, w, [1, s, s, 1], pad)
    ref = naive_conv(x, w, s, pad)
    assert y.shape.as_list() == [None] + list(ref.shape[1:])
    np.testing.assert_allclose(run(y, {xp: x}), ref, rtol=1e-4, atol=1e-4)
    yn = tf.nn.conv2d(np.transpose(x, (0, 3, 1, 2)), w, [1, 1, s, s], pad, data_format="NCHW")
    np.testing.assert_allclose(run(yn), ref.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-4)
    ye = tf.nn.conv2d(x, w, [1, 1, 1, 1], [[0, 0], [1, 1], [1, 1], [0, 0]])
    np.testing.assert_allclose(run(ye), naive_conv(x, w, 1, "SAME"), rtol=1e-4, atol=1e-4)


def test_conv_errors():
    with pytest.raises(ValueError, match="Depth of input"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 3]), tf.zeros([2, 2, 2, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError):
        tf.nn.conv2d(tf.zeros([4, 4, 3]), tf.zeros([2, 2, 3, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides should be of length"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 3]), tf.zeros([2, 2, 3, 1]), [1, 1, 1], "SAME")


def test_pools():
    x = R.standard_normal((2, 4, 6, 3)).astype(np.float32)
    mp = run(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"))
    np.testing.assert_allclose(mp, x.reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4)))
    ap = run(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"))
    np.testing.assert_allclose(ap, x.reshape(2, 2, 2, 3, 2, 3).mean(axis=(2, 4)), rtol=1e-6)
    xp = tf.placeholder(tf.float32, [None, 5, 5, 2])
    assert tf.nn.max_pool(xp, [1, 3, 3, 1], [1, 2, 2, 1], "SAME").shape.as_list() == \
        [None, 3, 3, 2]
    assert tf.nn.max_pool(xp, 2, 2, "SAME").op.name == "MaxPool_2"


def test_fused_batch_norm_and_moments():
    x = R.standard_normal((4, 3, 3, 2)).astype(np.float32)
    s = R.standard_normal(2).astype(np.float32)
    o = R.standard_normal(2).astype(np.float32)
    y, m, v = run(tf.nn.fused_batch_norm(x, s, o, epsilon=1e-3))
    mu, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-3) * s + o, rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(m, mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v, var * 36 / 35, rtol=1e-5)
    mean, variance = run(tf.nn.moments(tf.constant(x), [0, 1, 2]))
    np.testing.assert_allclose(mean, mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(variance, var, rtol=1e-5)
    with pytest.raises(ValueError):
        tf.nn.fused_batch_norm(x, s, o, is_training=False)


def test_dropout():
    x = np.ones((200, 50), np.float32)
    y = tf.nn.dropout(x, 0.5, seed=1)
    assert y.op.type == "SelectV2"
    v = run(y)
    assert set(np.unique(v)) <= {0.0, 2.0}
    assert 0.4 < (v == 0).mean() < 0.6
    kp = tf.placeholder(tf.float32)
    v2 = run(tf.nn.dropout(x, keep_prob=kp), {kp: 1.0})
    np.testing.assert_array_equal(v2, x)
    with pytest.raises(ValueError):
        tf.nn.dropout(x, rate=1.5)
    ns = run(tf.nn.dropout(x, rate=0.5, noise_shape=[200, 1]))
    assert np.all((ns == 0).all(1) | (ns == 2).all(1))


def test_in_top_k_and_lrn():
    p = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.2]], np.float32)
    np.testing.assert_array_equal(run(tf.nn.in_top_k(p, [2, 1], 1)), [False, True])
    x = R.standard_normal((1, 2, 2, 6)).astype(np.float32)
    sq = np.stack([(x[..., max(0, c - 2):c + 3] ** 2).sum(-1) for c in range(6)], -1)
    np.testing.assert_allclose(run(tf.nn.lrn(x, 2, 1.0, 0.5, 0.75)),
                               x / (1 + 0.5 * sq) ** 0.75, rtol=1e-5)
