"""The global step: tf.train.get_or_create_global_step and friends."""
from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.graph import GraphKeys


def _tf():
    import tensorweave

    return tensorweave


def get_global_step(graph=None):
    """The global step variable of `graph` (collection GLOBAL_STEP or 'global_step:0')."""
    graph = graph or graph_lib.get_default_graph()
    coll = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(coll) == 1:
        return coll[0]
    if len(coll) > 1:
        raise ValueError("Multiple variables in the global_step collection.")
    try:
        t = graph.get_tensor_by_name("global_step:0")
    except KeyError:
        return None
    assert_global_step(t)
    return t


def assert_global_step(global_step_tensor):
    dt = global_step_tensor.dtype.base_dtype
    if not dt.is_integer:
        raise TypeError("Existing \"global_step\" does not have integer type: %s" % dt)
    if global_step_tensor.get_shape().ndims not in (0, None):
        raise TypeError("Existing \"global_step\" is not scalar: %s" %
                        global_step_tensor.get_shape())


def create_global_step(graph=None):
    graph = graph or graph_lib.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    tf = _tf()
    with graph.as_default(), graph.name_scope(None):
        return tf.get_variable(
            GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
            initializer=tf.zeros_initializer(), trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    graph = graph or graph_lib.get_default_graph()
    gs = get_global_step(graph)
    if gs is None:
        gs = create_global_step(graph)
    return gs


def global_step(sess, global_step_tensor):
    """The value of the global step in `sess` as a Python int."""
    return int(sess.run(global_step_tensor))
