"""TF1's optimizers, each its update rule (a training op) plus TF's slot names and defaults."""
from tensorweave.framework import registry
from tensorweave.framework.graph import Tensor
from tensorweave.training import training_ops
from tensorweave.training.optimizer import Optimizer, _tf


def _t(value, name, dtype=None):
    if isinstance(value, Tensor):
        return value
    value = value() if callable(value) else value
    if dtype is not None:
        return registry.convert_to_tensor(value, dtype=dtype, name=name)
    return registry.convert_to_tensor(value, name=name)


def _cast_like(t, var):
    dt = var.dtype.base_dtype
    if t.dtype.base_dtype == dt:
        return t
    return _tf().cast(t, dt)


def _ref(var):
    return var._ref() if hasattr(var, "_ref") else var._as_graph_element()


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        self._learning_rate_tensor = _t(self._call_if_callable(self._learning_rate),
                                        "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_op(
            "ApplyGradientDescent",
            [_ref(var), _cast_like(self._learning_rate_tensor, var), grad],
            use_locking=self._use_locking)

    def _apply_sparse_duplicate_indices(self, grad, var):
        tf = _tf()
        delta = type(grad)(grad.values * _cast_like(self._learning_rate_tensor, var),
                           grad.indices, grad.dense_shape)
        return tf.scatter_sub(var, delta.indices, delta.values, use_locking=self._use_locking)


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _t(self._call_if_callable(self._learning_rate),
                                        "learning_rate")
        self._momentum_tensor = _t(self._call_if_callable(self._momentum), "momentum")

    def _apply_dense(self, grad, var):
        mom = self.get_slot(var, "momentum")
        return training_ops.apply_op(
            "ApplyMomentum", [_ref(var), _ref(mom), _cast_like(self._learning_rate_tensor, var),
                              grad, _cast_like(self._momentum_tensor, var)],
            use_locking=self._use_locking, use_nesterov=self._use_nesterov)

    def _apply_sparse(self, grad, var):
        mom = self.get_slot(var, "momentum")
        return training_ops.apply_op(
            "SparseApplyMomentum",
            [_ref(var), _ref(mom), _cast_like(self._learning_rate_tensor, var), grad.values,
             grad.indices, _cast_like(self._momentum_tensor, var)],
            use_locking=self._use_locking, use_nesterov=self._use_nesterov)


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) with TF's bias-corrected learning rate and beta power variables."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        from tensorweave.framework import graph as graph_lib

        g = graph_lib.get_default_graph()
        return (self._get_non_slot_variable("beta1_power", graph=g),
                self._get_non_slot_variable("beta2_power", graph=g))

    def _create_slots(self, var_list):
        first = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(initial_value=self._beta1, name="beta1_power",
                                       colocate_with=first)
        self._create_non_slot_variable(initial_value=self._beta2, name="beta2_power",
                                       colocate_with=first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = _t(self._call_if_callable(self._lr), "learning_rate")
        self._beta1_t = _t(self._call_if_callable(self._beta1), "beta1")
        self._beta2_t = _t(self._call_if_callable(self._beta2), "beta2")
        self._epsilon_t = _t(self._call_if_callable(self._epsilon), "epsilon")

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        b1p, b2p = self._get_beta_accumulators()
        return training_ops.apply_op(
            "ApplyAdam",
            [_ref(var), _ref(m), _ref(v), _cast_like(b1p, var), _cast_like(b2p, var),
             _cast_like(self._lr_t, var), _cast_like(self._beta1_t, var),
             _cast_like(self._beta2_t, var), _cast_like(self._epsilon_t, var), grad],
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        tf = _tf()
        b1p, b2p = self._get_beta_accumulators()
        b1p = _cast_like(b1p, var)
        b2p = _cast_like(b2p, var)
        lr_t = _cast_like(self._lr_t, var)
        beta1_t = _cast_like(self._beta1_t, var)
        beta2_t = _cast_like(self._beta2_t, var)
        eps_t = _cast_like(self._epsilon_t, var)
        lr = lr_t * tf.sqrt(1 - b2p) / (1 - b1p)
        m = self.get_slot(var, "m")
        m_scaled_g_values = grad.values * (1 - beta1_t)
        m_t = tf.assign(m, m * beta1_t, use_locking=self._use_locking)
        with tf.control_dependencies([m_t]):
            m_t = tf.scatter_add(m, grad.indices, m_scaled_g_values,
                                 use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_scaled_g_values = (grad.values * grad.values) * (1 - beta2_t)
        v_t = tf.assign(v, v * beta2_t, use_locking=self._use_locking)
        with tf.control_dependencies([v_t]):
            v_t = tf.scatter_add(v, grad.indices, v_scaled_g_values,
                                 use_locking=self._use_locking)
        v_sqrt = tf.sqrt(v_t)
        var_update = tf.assign_sub(var, lr * m_t / (v_sqrt + eps_t),
                                   use_locking=self._use_locking)
        return tf.group(*[var_update, m_t, v_t])

    def _finish(self, update_ops, name_scope):
        tf = _tf()
        with tf.control_dependencies(update_ops):
            b1p, b2p = self._get_beta_accumulators()
            with tf.colocate_with(b1p):
                update_beta1 = tf.assign(b1p, b1p * self._beta1_t, use_locking=self._use_locking)
                update_beta2 = tf.assign(b2p, b2p * self._beta2_t, use_locking=self._use_locking)
        return tf.group(*update_ops + [update_beta1, update_beta2], name=name_scope)


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s" %
                             initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        tf = _tf()
        for v in var_list:
            dtype = v.dtype.base_dtype
            init = tf.constant_initializer(self._initial_accumulator_value, dtype=dtype)
            self._get_or_make_slot_with_initializer(v, init, v.get_shape(), dtype,
                                                    "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _t(self._call_if_callable(self._learning_rate),
                                        "learning_rate")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_op(
            "ApplyAdagrad", [_ref(var), _ref(acc), _cast_like(self._learning_rate_tensor, var),
                             grad], use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_op(
            "SparseApplyAdagrad",
            [_ref(var), _ref(acc), _cast_like(self._learning_rate_tensor, var), grad.values,
             grad.indices], use_locking=self._use_locking)


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging; needs the global_step tensor at construction."""

    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError("initial_gradient_squared_accumulator_value must be positive")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gsq = initial_gradient_squared_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._global_step = global_step

    def _create_slots(self, var_list):
        tf = _tf()
        for v in var_list:
            with tf.colocate_with(v):
                g_val = tf.constant(0.0, shape=v.get_shape(), dtype=v.dtype.base_dtype)
                gg_val = tf.constant(self._initial_gsq, shape=v.get_shape(),
                                     dtype=v.dtype.base_dtype)
            self._get_or_make_slot(v, g_val, "gradient_accumulator", self._name)
            self._get_or_make_slot(v, gg_val, "gradient_squared_accumulator", self._name)

    def _prepare(self):
        tf = _tf()
        self._learning_rate_tensor = _t(self._learning_rate, "learning_rate")
        # NOTE: one copy of the step per apply (TF keeps it next to the learning rate).
        with tf.colocate_with(self._learning_rate_tensor):
            self._global_step_on_worker = tf.identity(self._global_step) + 1

    def _apply_dense(self, grad, var):
        tf = _tf()
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        global_step = tf.identity(self._global_step_on_worker)
        return training_ops.apply_op(
            "ApplyAdagradDA",
            [_ref(var), _ref(g_acc), _ref(gg_acc), grad,
             _cast_like(self._learning_rate_tensor, var),
             tf.cast(self._l1, var.dtype.base_dtype), tf.cast(self._l2, var.dtype.base_dtype),
             tf.cast(global_step, "int64")],
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        tf = _tf()
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        global_step = tf.identity(self._global_step_on_worker)
        return training_ops.apply_op(
            "SparseApplyAdagradDA",
            [_ref(var), _ref(g_acc), _ref(gg_acc), grad.values, grad.indices,
             _cast_like(self._learning_rate_tensor, var),
             tf.cast(self._l1, var.dtype.base_dtype), tf.cast(self._l2, var.dtype.base_dtype),
             tf.cast(global_step, "int64")],
            use_locking=self._use_locking)


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler): accum and accum_update running averages."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = _t(self._call_if_callable(self._lr), "lr")
        self._rho_t = _t(self._call_if_callable(self._rho), "rho")
        self._epsilon_t = _t(self._call_if_callable(self._epsilon), "epsilon")

    def _args(self, var):
        return [_cast_like(self._lr_t, var), _cast_like(self._rho_t, var),
                _cast_like(self._epsilon_t, var)]

    def _apply_dense(self, grad, var):
        return training_ops.apply_op(
            "ApplyAdadelta", [_ref(var), _ref(self.get_slot(var, "accum")),
                              _ref(self.get_slot(var, "accum_update"))] + self._args(var) +
            [grad], use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        return training_ops.apply_op(
            "SparseApplyAdadelta", [_ref(var), _ref(self.get_slot(var, "accum")),
                                    _ref(self.get_slot(var, "accum_update"))] +
            self._args(var) + [grad.values, grad.indices], use_locking=self._use_locking)


class RMSPropOptimizer(Optimizer):
    """RMSProp with optional momentum and centering; rms slot starts at ones as in TF."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        tf = _tf()
        for v in var_list:
            dtype = v.dtype.base_dtype
            if v.get_shape().is_fully_defined():
                init = tf.ones_initializer(dtype=dtype)
            else:
                init = tf.ones_like(v)
            self._get_or_make_slot_with_initializer(v, init, v.get_shape(), dtype, "rms",
                                                    self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _t(self._call_if_callable(self._learning_rate),
                                        "learning_rate")
        self._decay_tensor = _t(self._call_if_callable(self._decay), "decay")
        self._momentum_tensor = _t(self._call_if_callable(self._momentum), "momentum")
        self._epsilon_tensor = _t(self._call_if_callable(self._epsilon), "epsilon")

    def _hyper(self, var):
        return [_cast_like(self._learning_rate_tensor, var), _cast_like(self._decay_tensor, var),
                _cast_like(self._momentum_tensor, var), _cast_like(self._epsilon_tensor, var)]

    def _apply_dense(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_op(
                "ApplyCenteredRMSProp", [_ref(var), _ref(mg), _ref(rms), _ref(mom)] +
                self._hyper(var) + [grad], use_locking=self._use_locking)
        return training_ops.apply_op(
            "ApplyRMSProp", [_ref(var), _ref(rms), _ref(mom)] + self._hyper(var) + [grad],
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_op(
                "SparseApplyCenteredRMSProp", [_ref(var), _ref(mg), _ref(rms), _ref(mom)] +
                self._hyper(var) + [grad.values, grad.indices], use_locking=self._use_locking)
        return training_ops.apply_op(
            "SparseApplyRMSProp", [_ref(var), _ref(rms), _ref(mom)] + self._hyper(var) +
            [grad.values, grad.indices], use_locking=self._use_locking)


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal (McMahan et al.) with TF's accumulator/linear slots."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0, beta=None):
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero" %
                             initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero" %
                             learning_rate_power)
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        tf = _tf()

        def accum_initializer(shape, dtype=tf.float32, partition_info=None):
            return tf.ones(shape=shape, dtype=dtype) * self._initial_accumulator_value

        for v in var_list:
            self._get_or_make_slot_with_initializer(v, accum_initializer, v.get_shape(),
                                                    v.dtype.base_dtype, "accum",
                                                    self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        tf = _tf()
        self._learning_rate_tensor = _t(self._learning_rate, "learning_rate")
        self._l1_t = _t(self._l1, "l1_regularization_strength")
        # NOTE: TF folds beta into the L2 strength the update ops receive.
        self._adjusted_l2_t = _t(self._l2 + self._beta / (
            2.0 * tf.maximum(self._learning_rate, 1e-36)),
            "adjusted_l2_regularization_strength")
        self._beta_t = _t(self._beta, "beta")
        self._l2_shrinkage_t = _t(self._l2_shrinkage, "l2_shrinkage_regularization_strength")
        self._lr_power_t = _t(self._learning_rate_power, "learning_rate_power")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        c = lambda t: _cast_like(t, var)  # noqa: E731
        if self._l2_shrinkage <= 0.0:
            return training_ops.apply_op(
                "ApplyFtrl", [_ref(var), _ref(accum), _ref(linear), grad,
                              c(self._learning_rate_tensor), c(self._l1_t),
                              c(self._adjusted_l2_t), c(self._lr_power_t)],
                use_locking=self._use_locking)
        return training_ops.apply_op(
            "ApplyFtrlV2", [_ref(var), _ref(accum), _ref(linear), grad,
                            c(self._learning_rate_tensor), c(self._l1_t),
                            c(self._adjusted_l2_t), c(self._l2_shrinkage_t),
                            c(self._lr_power_t)],
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        c = lambda t: _cast_like(t, var)  # noqa: E731
        if self._l2_shrinkage > 0.0:
            return training_ops.apply_op(
                "SparseApplyFtrlV2",
                [_ref(var), _ref(accum), _ref(linear), grad.values, grad.indices,
                 c(self._learning_rate_tensor), c(self._l1_t), c(self._adjusted_l2_t),
                 c(self._l2_shrinkage_t), c(self._lr_power_t)], use_locking=self._use_locking)
        return training_ops.apply_op(
            "SparseApplyFtrl", [_ref(var), _ref(accum), _ref(linear), grad.values, grad.indices,
                                c(self._learning_rate_tensor), c(self._l1_t),
                                c(self._adjusted_l2_t), c(self._lr_power_t)],
            use_locking=self._use_locking)


class ProximalGradientDescentOptimizer(Optimizer):
    """Gradient descent followed by the L1/L2 proximal step."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False,
                 name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _prepare(self):
        self._learning_rate_tensor = _t(self._learning_rate, "learning_rate")
        self._l1_t = _t(self._l1, "l1_regularization_strength")
        self._l2_t = _t(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        c = lambda t: _cast_like(t, var)  # noqa: E731
        return training_ops.apply_op(
            "ApplyProximalGradientDescent",
            [_ref(var), c(self._learning_rate_tensor), c(self._l1_t), c(self._l2_t), grad],
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        c = lambda t: _cast_like(t, var)  # noqa: E731
        return training_ops.apply_op(
            "SparseApplyProximalGradientDescent",
            [_ref(var), c(self._learning_rate_tensor), c(self._l1_t), c(self._l2_t),
             grad.values, grad.indices], use_locking=self._use_locking)


class ProximalAdagradOptimizer(Optimizer):
    """Adagrad followed by the L1/L2 proximal step."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s" %
                             initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _create_slots(self, var_list):
        tf = _tf()
        for v in var_list:
            val = tf.constant(self._initial_accumulator_value, shape=v.get_shape(),
                              dtype=v.dtype.base_dtype)
            self._get_or_make_slot(v, val, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _t(self._learning_rate, "learning_rate")
        self._l1_t = _t(self._l1, "l1_regularization_strength")
        self._l2_t = _t(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        c = lambda t: _cast_like(t, var)  # noqa: E731
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_op(
            "ApplyProximalAdagrad",
            [_ref(var), _ref(acc), c(self._learning_rate_tensor), c(self._l1_t), c(self._l2_t),
             grad], use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        c = lambda t: _cast_like(t, var)  # noqa: E731
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_op(
            "SparseApplyProximalAdagrad",
            [_ref(var), _ref(acc), c(self._learning_rate_tensor), c(self._l1_t), c(self._l2_t),
             grad.values, grad.indices], use_locking=self._use_locking)

