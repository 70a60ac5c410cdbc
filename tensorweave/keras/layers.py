"""tf.keras.layers for TF1 graph mode, built on the tf.layers classes.

Keras naming: layer names `dense`, `dense_1` (per-graph uids), weights created with
tf.Variable under the layer's name scope (`dense/kernel:0`), ops under `dense/`. `training`
defaults to the `keras_learning_phase` placeholder (fit feeds True).
"""
import numpy as np

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import tensor_shape
from tensorweave.keras import activations, initializers, regularizers
from tensorweave.keras import backend as K
from tensorweave.layers import base as tfl_base
from tensorweave.layers import convolutional as tfl_conv
from tensorweave.layers import core as tfl_core
from tensorweave.layers import normalization as tfl_norm
from tensorweave.layers import pooling as tfl_pool


def _tf():
    import tensorweave

    return tensorweave


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


# NOTE: tensors have __slots__; the Keras history (producing layer, its inputs) is kept here,
# keyed by tensor id with the tensor held so the id stays valid.
_HISTORY = {}


def set_keras_history(t, layer, inputs):
    _HISTORY[id(t)] = (t, layer, inputs)


def get_keras_history(t):
    h = _HISTORY.get(id(t))
    if h is None or h[0] is not t:
        return None
    return h[1], h[2]


class Layer(tfl_base.Layer):
    """Keras layer semantics on top of tf.layers.Layer."""

    _takes_training = False

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("weights", None)
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        self._batch_input_shape = batch_input_shape
        if not name:
            self._name = K.unique_object_name(tfl_base.to_snake_case(type(self).__name__))
        self._inbound = []

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **kwargs):
        tf = _tf()
        dtype = tf.as_dtype(dtype or self._dtype or K.floatx())
        init = initializers.get(initializer) if initializer is not None else \
            initializers.GlorotUniform()
        shape = tensor_shape.TensorShape(shape).as_list()
        var = tf.Variable(lambda: init(shape, dtype=dtype), name=name, dtype=dtype,
                          trainable=bool(trainable), constraint=constraint)
        if regularizer is not None:
            with tf.name_scope(name + "/Regularizer"):
                loss = regularizer(var)
            self.add_loss(loss)
        if trainable:
            self._trainable_weights.append(var)
        else:
            self._non_trainable_weights.append(var)
        return var

    def add_loss(self, losses, inputs=None):
        self._losses.extend(v for v in _flat(losses) if v is not None)

    def add_update(self, updates, inputs=None):
        self._updates.extend(_flat(updates))

    def __call__(self, inputs, *args, **kwargs):
        tf = _tf()
        if self._takes_training and kwargs.get("training") is None:
            kwargs["training"] = K.learning_phase()
        g = graph_lib.get_default_graph()
        with tf.name_scope(self._name):
            if not self.built:
                self._graph = g
                shapes = [tensor_shape.TensorShape(t.get_shape()) for t in _flat(inputs)]
                self.build(shapes if isinstance(inputs, (list, tuple)) else shapes[0])
                self.built = True
            outputs = self.call(inputs, *args, **kwargs)
        self._inbound.append((inputs, outputs))
        for o in _flat(outputs):
            set_keras_history(o, self, inputs)
        return outputs

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        if len(weights) != len(self.weights):
            raise ValueError("You called `set_weights(weights)` on layer \"%s\" with a weight "
                             "list of length %d, but the layer was expecting %d weights." %
                             (self.name, len(weights), len(self.weights)))
        K.batch_set_value(list(zip(self.weights, weights)))

    @property
    def input(self):
        return self._inbound[0][0]

    @property
    def output(self):
        return self._inbound[0][1]

    @property
    def output_shape(self):
        return tuple(self.output.get_shape().as_list())

    @property
    def input_shape(self):
        return tuple(self.input.get_shape().as_list())


class InputLayer(Layer):
    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 name=None, batch_input_shape=None, **kwargs):
        tf = _tf()
        if not name:
            name = "input_%d" % K.get_uid("input")
        super().__init__(name=name, dtype=dtype)
        if batch_input_shape is None:
            batch_input_shape = (batch_size,) + tuple(input_shape or ())
        if input_tensor is None:
            input_tensor = tf.placeholder(dtype or K.floatx(), shape=batch_input_shape,
                                          name=name)
        set_keras_history(input_tensor, self, None)
        self.built = True
        self._inbound.append((None, input_tensor))


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None,
          batch_shape=None, **kwargs):
    """A Keras input: a placeholder `input_1`, `input_2`, ... of shape (batch,) + shape."""
    layer = InputLayer(input_shape=shape, batch_size=batch_size, dtype=dtype,
                       input_tensor=tensor, name=name, batch_input_shape=batch_shape)
    return layer.output


def _keras_kwargs(kwargs, names=("kernel_initializer", "bias_initializer",
                                 "depthwise_initializer", "pointwise_initializer",
                                 "beta_initializer", "gamma_initializer",
                                 "moving_mean_initializer", "moving_variance_initializer")):
    for n in names:
        if n in kwargs:
            kwargs[n] = initializers.get(kwargs[n])
    for n in ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
              "beta_regularizer", "gamma_regularizer"):
        if n in kwargs:
            kwargs[n] = regularizers.get(kwargs[n])
    return kwargs


class Dense(tfl_core.Dense, Layer):
    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        kwargs = _keras_kwargs(dict(kwargs, kernel_initializer=kernel_initializer,
                                    bias_initializer=bias_initializer))
        tfl_core.Dense.__init__(self, units, activation=activations.get(activation),
                                use_bias=use_bias, **kwargs)


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class Dropout(tfl_core.Dropout, Layer):
    _takes_training = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        tfl_core.Dropout.__init__(self, rate, noise_shape=noise_shape, seed=seed, **kwargs)


class Flatten(tfl_core.Flatten, Layer):
    def __init__(self, data_format=None, **kwargs):
        tfl_core.Flatten.__init__(self, data_format=data_format or K.image_data_format(),
                                  **kwargs)


def _conv_class(base_cls, name):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        kwargs = _keras_kwargs(dict(kwargs, kernel_initializer=kernel_initializer,
                                    bias_initializer=bias_initializer))
        base_cls.__init__(self, filters, kernel_size, strides=strides, padding=padding,
                          data_format=data_format or K.image_data_format(),
                          activation=activations.get(activation), **kwargs)
    return type(name, (base_cls, Layer), {"__init__": __init__})


Conv1D = Convolution1D = _conv_class(tfl_conv.Conv1D, "Conv1D")
Conv2D = Convolution2D = _conv_class(tfl_conv.Conv2D, "Conv2D")
Conv3D = Convolution3D = _conv_class(tfl_conv.Conv3D, "Conv3D")
Conv2DTranspose = Convolution2DTranspose = _conv_class(tfl_conv.Conv2DTranspose,
                                                       "Conv2DTranspose")


def _pool_class(base_cls, name, default_pool):
    def __init__(self, pool_size=default_pool, strides=None, padding="valid",
                 data_format=None, **kwargs):
        base_cls.__init__(self, pool_size, strides, padding=padding,
                          data_format=data_format or K.image_data_format(), **kwargs)
    return type(name, (base_cls, Layer), {"__init__": __init__})


MaxPooling1D = MaxPool1D = _pool_class(tfl_pool.MaxPooling1D, "MaxPooling1D", 2)
MaxPooling2D = MaxPool2D = _pool_class(tfl_pool.MaxPooling2D, "MaxPooling2D", (2, 2))
MaxPooling3D = MaxPool3D = _pool_class(tfl_pool.MaxPooling3D, "MaxPooling3D", (2, 2, 2))
AveragePooling1D = AvgPool1D = _pool_class(tfl_pool.AveragePooling1D, "AveragePooling1D", 2)
AveragePooling2D = AvgPool2D = _pool_class(tfl_pool.AveragePooling2D, "AveragePooling2D",
                                           (2, 2))


class GlobalAveragePooling2D(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or K.image_data_format()

    def call(self, inputs):
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        return _tf().reduce_mean(inputs, axes)


class GlobalMaxPooling2D(GlobalAveragePooling2D):
    def call(self, inputs):
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        return _tf().reduce_max(inputs, axes)


class BatchNormalization(tfl_norm.BatchNormalization, Layer):
    _takes_training = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 **kwargs):
        kwargs = _keras_kwargs(dict(
            kwargs, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer))
        tfl_norm.BatchNormalization.__init__(self, axis=axis, momentum=momentum,
                                             epsilon=epsilon, center=center, scale=scale,
                                             **kwargs)


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}

    def call(self, inputs):
        return self.function(inputs, **self.arguments)


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        tf = _tf()
        return tf.reshape(inputs, (-1,) + self.target_shape)


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        init = initializers.get(embeddings_initializer)
        if isinstance(init, initializers.RandomUniform) and embeddings_initializer == "uniform":
            init = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = init
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", [self.input_dim, self.output_dim],
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer)
        self.built = True

    def call(self, inputs):
        tf = _tf()
        if inputs.dtype.base_dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        return tf.nn.embedding_lookup(self.embeddings, inputs)


class _Merge(Layer):
    def call(self, inputs):
        return self._merge(list(inputs))


class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, inputs):
        return _tf().concat(inputs, self.axis)


class Add(_Merge):
    def _merge(self, inputs):
        return _tf().add_n(inputs)


class Multiply(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for t in inputs[1:]:
            out = out * t
        return out


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


__all__ = [n for n in dir() if n[:1].isupper() or n in ("concatenate", "add", "multiply")]
del np
