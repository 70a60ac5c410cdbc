"""tf.keras.backend for TF1 graph mode: one Session per default graph, per-graph layer uids,
the learning-phase placeholder, image data format."""
import collections

from tensorweave.framework import graph as graph_lib


def _tf():
    import tensorweave

    return tensorweave


_SESSION = None
_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX = "float32"
_EPSILON = 1e-7
_UIDS = collections.defaultdict(lambda: collections.defaultdict(int))
_LEARNING_PHASE = {}
_INITIALIZED = {}


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Unknown data_format: " + str(data_format))
    _IMAGE_DATA_FORMAT = str(data_format)


def floatx():
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    _FLOATX = str(value)


def epsilon():
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = value


def backend():
    return "tensorflow"


def get_uid(prefix=""):
    g = graph_lib.get_default_graph()
    _UIDS[g][prefix] += 1
    return _UIDS[g][prefix]


def unique_object_name(name, zero_based=True):
    g = graph_lib.get_default_graph()
    n = _UIDS[g][name]
    _UIDS[g][name] += 1
    if zero_based:
        return name if n == 0 else "%s_%d" % (name, n)
    return "%s_%d" % (name, n + 1)


def reset_uids():
    _UIDS.clear()


def learning_phase():
    """The bool placeholder `keras_learning_phase` (default False) of the default graph."""
    tf = _tf()
    g = graph_lib.get_default_graph()
    if g not in _LEARNING_PHASE:
        with g.as_default(), tf.name_scope(""):
            _LEARNING_PHASE[g] = tf.placeholder_with_default(False, shape=(),
                                                             name="keras_learning_phase")
    return _LEARNING_PHASE[g]


def set_learning_phase(value):
    g = graph_lib.get_default_graph()
    _LEARNING_PHASE[g] = bool(value)


def get_session():
    """The Keras session on the default graph; initializes variables it has not seen."""
    global _SESSION
    tf = _tf()
    g = graph_lib.get_default_graph()
    if _SESSION is None or _SESSION.graph is not g or getattr(_SESSION, "_closed", False):
        _SESSION = tf.Session(graph=g)
    _initialize_variables(_SESSION)
    return _SESSION


def _initialize_variables(sess):
    tf = _tf()
    with sess.graph.as_default():
        variables = tf.global_variables() + tf.local_variables()
    done = _INITIALIZED.setdefault(id(sess), set())
    new = [v for v in variables if v.op.name not in done]
    if not new:
        return
    with sess.graph.as_default():
        flags = sess.run([tf.is_variable_initialized(v) for v in new])
        todo = [v for v, f in zip(new, flags) if not f]
        if todo:
            sess.run(tf.variables_initializer(todo))
    done.update(v.op.name for v in new)


def set_session(session):
    global _SESSION
    _SESSION = session


def clear_session():
    """Resets the default graph, the Keras session and layer-name uids."""
    global _SESSION
    tf = _tf()
    if _SESSION is not None:
        try:
            _SESSION.close()
        except Exception:  # noqa: BLE001, S110 - closing a dead session is best-effort
            pass
    _SESSION = None
    _LEARNING_PHASE.clear()
    _INITIALIZED.clear()
    tf.reset_default_graph()
    reset_uids()
    from tensorweave.keras import layers as _layers
    _layers._HISTORY.clear()


def name_scope(name):
    return _tf().name_scope(name)


def variable(value, dtype=None, name=None):
    tf = _tf()
    return tf.Variable(value, dtype=dtype or floatx(), name=name)


def placeholder(shape=None, ndim=None, dtype=None, name=None):
    tf = _tf()
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return tf.placeholder(dtype or floatx(), shape=shape, name=name)


def get_value(x):
    return get_session().run(x)


def batch_get_value(xs):
    return get_session().run(list(xs)) if xs else []


def set_value(x, value):
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    import numpy as np
    tf = _tf()
    sess = get_session()
    ops, feed = [], {}
    for var, value in tuples:
        ph = getattr(var, "_keras_assign_ph", None)
        if ph is None or ph.graph is not var.graph:
            with var.graph.as_default():
                ph = tf.placeholder(var.dtype.base_dtype, shape=var.get_shape())
                var._keras_assign_ph = ph
                var._keras_assign_op = tf.assign(var, ph)
        ops.append(var._keras_assign_op)
        feed[ph] = np.asarray(value)
    if ops:
        sess.run(ops, feed_dict=feed)


def int_shape(x):
    try:
        return tuple(x.get_shape().as_list())
    except ValueError:
        return None


def shape(x):
    return _tf().shape(x)


def ndim(x):
    return x.get_shape().ndims


def dtype(x):
    return x.dtype.base_dtype.name


def cast_to_floatx(x):
    import numpy as np
    return np.asarray(x, dtype=floatx())


def function(inputs, outputs, updates=None, **kwargs):
    updates = list(updates or [])

    def fn(values):
        sess = get_session()
        feed = dict(zip(inputs, values))
        res = sess.run(list(outputs) + updates, feed_dict=feed)
        return res[:len(outputs)]
    return fn


def _math(name):
    def fn(*args, **kwargs):
        return getattr(_tf(), name)(*args, **kwargs)
    fn.__name__ = name
    return fn


sum = _math("reduce_sum")
mean = _math("reduce_mean")
max = _math("reduce_max")
min = _math("reduce_min")
square = _math("square")
sqrt = _math("sqrt")
exp = _math("exp")
log = _math("log")
abs = _math("abs")
dot = _math("matmul")
concatenate = _math("concat")
reshape = _math("reshape")
argmax = _math("argmax")
equal = _math("equal")
cast = _math("cast")
constant = _math("constant")
zeros = _math("zeros")
ones = _math("ones")
