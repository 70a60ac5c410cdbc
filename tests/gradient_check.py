"""The shared gradient-check helper: every registered gradient is checked through it.

check_gradient(fn, *arrays) feeds float64 copies of the float arrays through placeholders,
builds y = fn(*tensors) and compares TF-style analytic Jacobians (one-hot dy through
tf.gradients) with central differences; it asserts the largest absolute difference is below
`atol` and returns the per-input errors.
"""
import numpy as np

import tensorweave as tf
from tensorweave.training import gradient_checker


def check_gradient(fn, *arrays, atol=1e-6, delta=1e-6, wrt=None):
    g = tf.Graph()
    with g.as_default():
        tensors = []
        float_phs = []
        values = []
        for i, a in enumerate(arrays):
            a = np.asarray(a)
            if a.dtype.kind == "f":
                ph = tf.placeholder(tf.float64, a.shape, name="x%d" % i)
                tensors.append(ph)
                float_phs.append(ph)
                values.append(a.astype(np.float64))
            else:
                tensors.append(tf.constant(a))
        y = fn(*tensors)
        y_shape = tuple(y.shape.as_list())
        idx = range(len(float_phs)) if wrt is None else wrt
        errs = []
        with tf.Session(graph=g):
            for i in idx:
                feed = {p: v for j, (p, v) in enumerate(zip(float_phs, values)) if j != i}
                err = gradient_checker.compute_gradient_error(
                    float_phs[i], values[i].shape, y, y_shape, x_init_value=values[i],
                    delta=delta, extra_feed_dict=feed)
                errs.append(err)
    worst = max(errs) if errs else 0.0
    assert worst < atol, "gradient error %g exceeds %g (per input: %s)" % (worst, atol, errs)
    return errs
