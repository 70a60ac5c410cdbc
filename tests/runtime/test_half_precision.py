"""float16/bfloat16 storage: convolutions compute in float32 and store the input's dtype."""
import ml_dtypes
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.kernels import conv


@pytest.mark.parametrize("np_dtype,tol", [(np.float16, 2e-3), (ml_dtypes.bfloat16, 2e-2)])
def test_half_conv_forward_and_gradients(np_dtype, tol):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 7, 3)).astype(np_dtype)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np_dtype)
    s = [1, 1, 1, 1]
    y = conv.conv2d(x, w, s, "SAME")
    ref = conv.conv2d(x.astype(np.float32), w.astype(np.float32), s, "SAME")
    assert y.dtype == np_dtype
    np.testing.assert_allclose(y.astype(np.float32), ref, rtol=tol, atol=tol * np.abs(ref).max())
    dy = rng.standard_normal(y.shape).astype(np_dtype)
    gx = conv.conv2d_backprop_input([2, 7, 7, 3], w, dy, s, "SAME")
    gw = conv.conv2d_backprop_filter(x, [3, 3, 3, 4], dy, s, "SAME")
    assert gx.dtype == np_dtype and gw.dtype == np_dtype
    gw_ref = conv.conv2d_backprop_filter(x.astype(np.float32), [3, 3, 3, 4],
                                         dy.astype(np.float32), s, "SAME")
    np.testing.assert_allclose(gw.astype(np.float32), gw_ref, rtol=tol,
                               atol=tol * np.abs(gw_ref).max())


def test_half_graph_keeps_dtype_end_to_end():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float16, [2, 6, 6, 1])
        w = tf.Variable(np.ones((3, 3, 1, 2), np.float16))
        y = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")),
                           [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        gw = tf.gradients(tf.reduce_sum(y), [w])[0]
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    yv, gwv = sess.run([y, gw], {x: np.ones((2, 6, 6, 1), np.float16)})
    assert yv.dtype == np.float16 and gwv.dtype == np.float16
    assert yv.max() == 9.0
