"""tf.layers Dense / Dropout / Flatten and their functional forms."""
import numpy as np

from tensorweave.framework import tensor_shape
from tensorweave.layers import base


def _tf():
    import tensorweave

    return tensorweave


def get_activation(activation):
    """None, a callable, or a Keras activation name ('relu', 'softmax', ...)."""
    if activation is None or callable(activation):
        return activation
    from tensorweave.keras import activations
    return activations.get(activation)


class Dense(base.Layer):
    """outputs = activation(inputs . kernel + bias); kernel [in, units]."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        tf = _tf()
        input_shape = tensor_shape.TensorShape(input_shape)
        last = input_shape[-1] if input_shape.ndims else None
        last = getattr(last, "value", last)
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        self.kernel = self.add_weight(
            "kernel", shape=[last, self.units], initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            trainable=True)
        if self.use_bias:
            self.bias = self.add_weight(
                "bias", shape=[self.units],
                initializer=self.bias_initializer or tf.zeros_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                trainable=True)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        tf = _tf()
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if rank is not None and rank > 2:
            outputs = tf.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            shape = inputs.get_shape().as_list()
            outputs.set_shape(shape[:-1] + [self.units])
        else:
            if inputs.dtype.base_dtype != self.kernel.dtype.base_dtype:
                inputs = tf.cast(inputs, self.kernel.dtype.base_dtype)
            outputs = tf.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tensor_shape.TensorShape(input_shape)
        return input_shape[:-1].concatenate(self.units)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable=True, name=None, reuse=None):
    """tf.layers.dense."""
    if bias_initializer is None:
        bias_initializer = _tf().zeros_initializer()
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                  trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


class Dropout(base.Layer):
    """Drops units with probability `rate` when training (tf.nn.dropout), else identity."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        tf = _tf()
        return base.smart_cond(
            training,
            lambda: tf.nn.dropout(inputs, noise_shape=self.noise_shape, seed=self.seed,
                                  rate=self.rate),
            lambda: tf.identity(inputs))

    def compute_output_shape(self, input_shape):
        return tensor_shape.TensorShape(input_shape)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """tf.layers.dropout (rate = fraction dropped; identity unless training)."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(base.Layer):
    """[batch, d1, d2, ...] -> [batch, d1*d2*...]."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        tf = _tf()
        inputs = tf.convert_to_tensor(inputs)
        shape = inputs.get_shape()
        if self.data_format == "channels_first" and shape.ndims and shape.ndims > 2:
            perm = [0] + list(range(2, shape.ndims)) + [1]
            inputs = tf.transpose(inputs, perm)
            shape = inputs.get_shape()
        if shape.ndims == 1:
            return tf.expand_dims(inputs, 1)
        dims = shape.as_list() if shape.ndims is not None else None
        if dims is not None and all(d is not None for d in dims[1:]):
            flat = tf.constant([-1, int(np.prod(dims[1:]))])
        elif dims is not None and dims[0] is not None:
            flat = tf.constant([dims[0], -1])
        else:
            flat = [tf.shape(inputs)[0], -1]
        outputs = tf.reshape(inputs, flat)
        if dims is not None:
            outputs.set_shape(self.compute_output_shape(shape))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = tensor_shape.TensorShape(input_shape).as_list()
        rest = dims[1:]
        n = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return tensor_shape.TensorShape([dims[0], n])


def flatten(inputs, name=None, data_format="channels_last"):
    """tf.layers.flatten."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
