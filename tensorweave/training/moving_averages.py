"""ExponentialMovingAverage and assign_moving_average (TF1's shadow variables)."""
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework.graph import GraphKeys, Tensor
from tensorweave.training import optimizer as slot_creator


def _tf():
    import tensorweave

    return tensorweave


def _zero_debias(unbiased_var, value, decay):
    """Bias-corrected update delta for averages that start at zero (Adam-style)."""
    tf = _tf()
    with tf.variable_scope(unbiased_var.op.name, values=[unbiased_var, value, decay]):
        with tf.control_dependencies(None):
            biased = tf.get_variable("biased", initializer=tf.zeros_initializer(),
                                     shape=unbiased_var.get_shape(),
                                     dtype=unbiased_var.dtype.base_dtype, trainable=False)
            local_step = tf.get_variable("local_step", shape=[],
                                         dtype=unbiased_var.dtype.base_dtype,
                                         initializer=tf.zeros_initializer(), trainable=False)
        update_biased = tf.assign_sub(biased, (biased - value) * decay)
        update_local_step = tf.assign_add(local_step, 1)
        bias_factor = 1 - tf.pow(1.0 - decay, update_local_step)
        return unbiased_var - update_biased / bias_factor


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """variable -= (1 - decay) * (variable - value), as one AssignSub op."""
    tf = _tf()
    with graph_lib.name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        with tf.colocate_with(variable):
            decay = registry.convert_to_tensor(1.0 - decay, name="decay")
            if decay.dtype.base_dtype != variable.dtype.base_dtype:
                decay = tf.cast(decay, variable.dtype.base_dtype)
            if zero_debias:
                update_delta = _zero_debias(variable, value, decay)
            else:
                update_delta = (variable - value) * decay
            return tf.assign_sub(variable, update_delta, name=scope)


class ExponentialMovingAverage:
    """Maintains shadow copies of variables: shadow = decay * shadow + (1 - decay) * var."""

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates shadow variables and returns the op that updates them all."""
        tf = _tf()
        if var_list is None:
            var_list = tf.trainable_variables()
        var_list = list(var_list)
        zero_debias_true = set()
        for var in var_list:
            if var.dtype.base_dtype not in (tf.float16, tf.float32, tf.float64, tf.bfloat16):
                raise TypeError("The variables must be half, float, or double: %s" % var.name)
            key = _key(var)
            if key in self._averages:
                continue
            with tf.control_dependencies(None):
                if hasattr(var, "initialized_value"):
                    avg = slot_creator.create_slot(var, var.initialized_value(), self._name,
                                                   colocate_with_primary=True)
                    tf.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    avg = slot_creator.create_zeros_slot(var, self._name,
                                                         colocate_with_primary=(
                                                             var.op.type in ("Variable",
                                                                             "VariableV2")))
                    if self._zero_debias:
                        zero_debias_true.add(key)
            self._averages[key] = avg
        with graph_lib.name_scope(self._name) as scope:
            decay = registry.convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = tf.cast(self._num_updates, tf.float32, name="num_updates")
                decay = tf.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = []
            for var in var_list:
                key = _key(var)
                zero_debias = key in zero_debias_true
                updates.append(assign_moving_average(self._averages[key], var, decay,
                                                     zero_debias=zero_debias))
            return tf.group(*updates, name=scope)

    def average(self, var):
        return self._averages.get(_key(var))

    def average_name(self, var):
        if _key(var) in self._averages:
            return self._averages[_key(var)].op.name
        return var.op.name + "/" + self._name

    def variables_to_restore(self, moving_avg_variables=None):
        """{checkpoint name: variable} restoring shadow values into the model's variables."""
        tf = _tf()
        name_map = {}
        if moving_avg_variables is None:
            moving_avg_variables = tf.trainable_variables() + tf.moving_average_variables()
        ma_keys = set()
        for v in moving_avg_variables:
            name_map[self.average_name(v)] = v
            ma_keys.add(_key(v))
        for v in tf.global_variables():
            if _key(v) not in ma_keys and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map


def _key(var):
    return (var.op.graph, var.op.name) if not isinstance(var, Tensor) else (var.graph, var.name)
