"""tf.contrib.framework variable helpers (slim.variable, model_variable, get_variables...)."""
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.graph import GraphKeys


def _tf():
    import tensorweave

    return tensorweave


@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
             collections=None, caching_device=None, device=None, partitioner=None,
             custom_getter=None, use_resource=None, synchronization=None, aggregation=None):
    """tf.get_variable + extra collections (GLOBAL_VARIABLES always)."""
    tf = _tf()
    collections = list(collections if collections is not None else
                       [GraphKeys.GLOBAL_VARIABLES])
    collections = list(set(collections))
    if GraphKeys.GLOBAL_VARIABLES not in collections:
        collections.append(GraphKeys.GLOBAL_VARIABLES)
    getter = tf.get_variable
    if custom_getter is not None:
        # NOTE: as TF's slim: the custom getter replaces tf.get_variable (full names).
        reuse = tf.get_variable_scope().reuse

        def getter(name, **kw):
            return custom_getter(name, reuse=reuse, **kw)
    with tf.device(device or ""):
        return getter(name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      caching_device=caching_device, partitioner=partitioner)


@add_arg_scope
def model_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, collections=None, caching_device=None, device=None,
                   partitioner=None, custom_getter=None, use_resource=None,
                   synchronization=None, aggregation=None):
    """A variable also in MODEL_VARIABLES."""
    tf = _tf()
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype or tf.float32, initializer=initializer,
                    regularizer=regularizer, trainable=trainable, collections=collections,
                    caching_device=caching_device, device=device, partitioner=partitioner,
                    custom_getter=custom_getter)


def add_model_variable(var):
    g = graph_lib.get_default_graph()
    if var not in g.get_collection(GraphKeys.MODEL_VARIABLES):
        g.add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    if scope is not None and not isinstance(scope, str):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        return [v for v in graph_lib.get_default_graph().get_collection(collection, scope)
                if suffix in v.name]
    return graph_lib.get_default_graph().get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None):
    if include is None:
        vars_to_include = get_variables()
    else:
        vars_to_include = []
        for scope in include:
            vars_to_include += get_variables(scope)
    vars_to_exclude = set()
    for scope in exclude or []:
        vars_to_exclude |= set(get_variables(scope))
    return [v for v in vars_to_include if v not in vars_to_exclude]


def get_variables_by_suffix(suffix, scope=None):
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    suffix = "/" + given_name + ":|^" + given_name + ":"
    import re
    return [v for v in get_variables(scope) if re.search(suffix, v.name)]


def get_unique_variable(var_op_name):
    candidates = get_variables(scope=var_op_name)
    for c in candidates:
        if c.op.name == var_op_name:
            return c
    raise ValueError("Variable %s does not uniquely identify a variable" % var_op_name)


def assign_from_values(var_names_to_values):
    tf = _tf()
    feed = {}
    assigns = []
    for name, value in var_names_to_values.items():
        var = get_unique_variable(name)
        ph = tf.placeholder(var.dtype.base_dtype, shape=var.get_shape(),
                            name="placeholder/" + var.op.name)
        assigns.append(tf.assign(var, ph))
        feed[ph] = value
    return tf.group(*assigns), feed


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False,
                              reshape_variables=False):
    tf = _tf()
    if isinstance(var_list, dict):
        var_list = dict(var_list)
    saver = tf.train.Saver(var_list, reshape=reshape_variables)

    def callback(session):
        saver.restore(session, model_path)
    return callback
