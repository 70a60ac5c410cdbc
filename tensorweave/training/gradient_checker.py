"""TF's gradient checker: analytic Jacobians (one-hot dy) against central differences."""
import numpy as np

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.runtime import session as session_lib
from tensorweave.training import gradients as gradients_lib


def _session_for(graph):
    sess = session_lib.get_default_session()
    if sess is not None and sess.graph is graph:
        return sess, False
    return session_lib.Session(graph=graph), True


def _to_dense(v, shape):
    if isinstance(v, tuple) and len(v) == 3:  # IndexedSlicesValue-like (values, indices, shape)
        values, indices, _ = v
        dense = np.zeros(shape, dtype=values.dtype)
        np.add.at(dense, indices, values)
        return dense
    if hasattr(v, "indices") and hasattr(v, "values"):
        dense = np.zeros(shape, dtype=v.values.dtype)
        np.add.at(dense, v.indices, v.values)
        return dense
    return np.asarray(v)


def _jacobians(x, x_shape, x_value, y, y_shape, delta, sess, feed):
    x_size = int(np.prod(x_shape))
    y_size = int(np.prod(y_shape))
    with y.graph.as_default():
        dy = registry.out(registry.apply_op("Placeholder", [], name="gradient_checker_dy",
                                            dtype=y.dtype.base_dtype, shape=list(y_shape)))
        g = gradients_lib.gradients(y, x, grad_ys=dy)[0]
    theoretical = np.zeros((x_size, y_size), dtype=np.float64)
    if g is not None:
        fetch = g if isinstance(g, graph_lib.Tensor) else (g.values, g.indices, g.dense_shape)
        for j in range(y_size):
            onehot = np.zeros(y_size, dtype=y.dtype.base_dtype.np_dtype)
            onehot[j] = 1
            f = dict(feed)
            f[x] = x_value
            f[dy] = onehot.reshape(y_shape)
            val = sess.run(fetch, f)
            theoretical[:, j] = _to_dense(val, x_shape).reshape(-1)
    numerical = np.zeros((x_size, y_size), dtype=np.float64)
    xv = np.array(x_value, dtype=x.dtype.base_dtype.np_dtype, copy=True)
    flat = xv.reshape(-1)
    for i in range(x_size):
        orig = flat[i]
        flat[i] = orig + delta
        f = dict(feed)
        f[x] = xv
        # NOTE: copies: a fetched view of the fed array would change with the next perturbation.
        y_pos = np.array(sess.run(y, f), dtype=np.float64).reshape(-1)
        flat[i] = orig - delta
        f[x] = xv
        y_neg = np.array(sess.run(y, f), dtype=np.float64).reshape(-1)
        flat[i] = orig
        numerical[i, :] = (y_pos - y_neg) / (2 * delta)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """(theoretical, numerical) Jacobians of y w.r.t. x, each of shape (x_size, y_size).

    With a list of xs, returns one pair per x. Uses the default session when it runs y's graph.
    """
    if isinstance(x, (list, tuple)):
        values = x_init_value if x_init_value is not None else [None] * len(x)
        out = []
        for xi, si, vi in zip(x, x_shape, values):
            feed = dict(extra_feed_dict or {})
            for xj, sj, vj in zip(x, x_shape, values):
                if xj is not xi:
                    feed[xj] = vj if vj is not None else np.random.random_sample(sj)
            out.append(compute_gradient(xi, si, y, y_shape, vi, delta, init_targets, feed))
        return out
    sess, own = _session_for(y.graph)
    try:
        if init_targets is not None:
            for t in init_targets:
                sess.run(t)
        if x_init_value is None:
            x_init_value = np.random.random_sample(x_shape)
        x_init_value = np.asarray(x_init_value, dtype=x.dtype.base_dtype.np_dtype).reshape(
            x_shape)
        return _jacobians(x, tuple(x_shape), x_init_value, y, tuple(y_shape), delta, sess,
                          dict(extra_feed_dict or {}))
    finally:
        if own:
            sess.close()


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None):
    """The largest absolute difference between theoretical and numerical Jacobians."""
    grad = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                            extra_feed_dict)
    if isinstance(grad, tuple):
        grad = [grad]
    err = 0.0
    for theoretical, numerical in grad:
        if theoretical.size:
            err = max(err, float(np.max(np.abs(theoretical - numerical))))
    return err
