"""tf.layers.BatchNormalization / batch_normalization (TF1 semantics).

Variables `gamma`, `beta` (trainable), `moving_mean`, `moving_variance` (not trainable);
training uses batch statistics and adds the moving-average updates (`AssignMovingAvg`,
`variable -= (variable - batch_stat) * (1 - momentum)`) to UPDATE_OPS, so programs wrap
their train op in `tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))`.
4-D inputs use FusedBatchNormV3 (whose batch variance is Bessel-corrected, as TF's);
other ranks use tf.nn.moments + tf.nn.batch_normalization.
"""
from tensorweave.framework import tensor_shape
from tensorweave.layers import base


def _tf():
    import tensorweave

    return tensorweave


def assign_moving_average(variable, value, momentum):
    """Keras' update: variable -= (variable - value) * (1 - momentum), op 'AssignMovingAvg'."""
    tf = _tf()
    with tf.name_scope(None, "AssignMovingAvg", [variable, value, momentum]) as scope:
        with tf.colocate_with(variable):
            decay = tf.convert_to_tensor(1.0 - momentum, name="decay") \
                if not isinstance(momentum, tf.Tensor) else tf.subtract(1.0, momentum,
                                                                        name="decay")
            if decay.dtype.base_dtype != variable.dtype.base_dtype:
                decay = tf.cast(decay, variable.dtype.base_dtype)
            value = tf.cast(value, variable.dtype.base_dtype) \
                if value.dtype.base_dtype != variable.dtype.base_dtype else value
            update_delta = (variable - value) * decay
            return tf.assign_sub(variable, update_delta, name=scope)


class BatchNormalization(base.Layer):
    """Batch normalization layer (Ioffe & Szegedy, 2015), TF1 tf.layers defaults."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=None, gamma_initializer=None,
                 moving_mean_initializer=None, moving_variance_initializer=None,
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm:
            raise NotImplementedError("tensorweave: batch renormalization (renorm=True) is "
                                      "not supported yet")
        if virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("tensorweave: virtual_batch_size/adjustment are not "
                                      "supported yet")
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        tf = _tf()
        self.beta_initializer = beta_initializer or tf.zeros_initializer()
        self.gamma_initializer = gamma_initializer or tf.ones_initializer()
        self.moving_mean_initializer = moving_mean_initializer or tf.zeros_initializer()
        self.moving_variance_initializer = moving_variance_initializer or tf.ones_initializer()
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = True if fused is None else fused
        self._fused_requested = fused

    def build(self, input_shape):
        input_shape = tensor_shape.TensorShape(input_shape)
        ndims = input_shape.ndims
        if ndims is None:
            raise ValueError("Input has undefined rank:", input_shape)
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        axes = [a + ndims if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= ndims:
                raise ValueError("Invalid axis: %d" % a)
        self._axes = axes
        self.fused = bool(self.fused) and ndims == 4 and len(axes) == 1 and axes[0] in (1, 3)
        if self._fused_requested and not self.fused:
            self.fused = False
        self._data_format = "NCHW" if self.fused and axes[0] == 1 else "NHWC"
        dims = input_shape.as_list()
        param_shape = [dims[a] for a in axes]
        if any(d is None for d in param_shape):
            raise ValueError("Input has undefined `axis` dimension. Input shape: ",
                             input_shape)
        if len(axes) == 1:
            param_shape = param_shape[0:1]
        dtype = self._dtype or _tf().float32
        if self.scale:
            self.gamma = self.add_weight("gamma", shape=param_shape, dtype=dtype,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight("beta", shape=param_shape, dtype=dtype,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        else:
            self.beta = None
        self.moving_mean = self.add_weight("moving_mean", shape=param_shape, dtype=dtype,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=param_shape,
                                               dtype=dtype,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _add_moving_updates(self, mean, variance, training):
        tf = _tf()
        tv = base.constant_value(training)
        if tv is False:
            return
        if tv is None:
            momentum = base.smart_cond(training, lambda: tf.constant(self.momentum),
                                       lambda: tf.constant(1.0))
        else:
            momentum = self.momentum
        mean_update = assign_moving_average(self.moving_mean, mean, momentum)
        var_update = assign_moving_average(self.moving_variance, variance, momentum)
        self.add_update(mean_update)
        self.add_update(var_update)

    def _fused_call(self, inputs, training):
        tf = _tf()
        c = self.moving_mean.get_shape().as_list()[0]
        gamma = self.gamma if self.gamma is not None else tf.constant(
            1.0, dtype=inputs.dtype, shape=[c])
        beta = self.beta if self.beta is not None else tf.constant(
            0.0, dtype=inputs.dtype, shape=[c])

        def _train():
            return tf.nn.fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon,
                                          data_format=self._data_format)

        def _infer():
            return tf.nn.fused_batch_norm(inputs, gamma, beta, mean=self.moving_mean,
                                          variance=self.moving_variance,
                                          epsilon=self.epsilon, is_training=False,
                                          data_format=self._data_format)

        output, mean, variance = base.smart_cond(training, _train, _infer)
        self._add_moving_updates(mean, variance, training)
        return output

    def call(self, inputs, training=False):
        tf = _tf()
        inputs = tf.convert_to_tensor(inputs)
        if self.fused:
            return self._fused_call(inputs, training)
        ndims = inputs.get_shape().ndims
        reduction = [i for i in range(ndims) if i not in self._axes]
        broadcast = None
        if self._axes != [ndims - 1]:
            dims = inputs.get_shape().as_list()
            broadcast = [1] * ndims
            for a in self._axes:
                broadcast[a] = dims[a]

        def _b(v):
            if v is None or broadcast is None:
                return v
            return tf.reshape(v, broadcast)

        def _train():
            m, v = tf.nn.moments(inputs, reduction, keep_dims=broadcast is not None)
            return m, v

        def _infer():
            return _b(self.moving_mean), _b(self.moving_variance)

        tv = base.constant_value(training)
        if tv is None:
            mean, variance = tf.cond(training, _train, _infer)
        elif tv:
            mean, variance = _train()
        else:
            mean, variance = _infer()
        outputs = tf.nn.batch_normalization(inputs, mean, variance, _b(self.beta),
                                            _b(self.gamma), self.epsilon)
        if tv is not False:
            sm = mean if broadcast is None else tf.reshape(mean, [-1])
            sv = variance if broadcast is None else tf.reshape(variance, [-1])
            self._add_moving_updates(sm, sv, training)
        return outputs

    def compute_output_shape(self, input_shape):
        return tensor_shape.TensorShape(input_shape)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                        scale=True, beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """tf.layers.batch_normalization; remember the UPDATE_OPS control dependencies."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs, training=training)


BatchNorm = BatchNormalization
