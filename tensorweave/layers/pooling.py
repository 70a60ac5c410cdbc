"""tf.layers pooling: Max/AveragePooling 1D/2D/3D and their functional forms."""
from tensorweave.framework import tensor_shape
from tensorweave.layers import base
from tensorweave.layers.convolutional import (
    conv_output_length,
    normalize_data_format,
    normalize_tuple,
)


def _tf():
    import tensorweave

    return tensorweave


class _Pooling(base.Layer):
    _rank = 2
    _kind = "max"

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        n = self._rank
        self.pool_size = normalize_tuple(pool_size, n, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else pool_size, n,
                                       "strides")
        self.padding = padding.lower()
        self.data_format = normalize_data_format(data_format, n)

    def call(self, inputs):
        tf = _tf()
        inputs = tf.convert_to_tensor(inputs)
        pad = self.padding.upper()
        last = self.data_format == "channels_last"
        if self._rank == 1:
            axis = 1 if last else 2
            x = tf.expand_dims(inputs, axis)
            k = [1, 1] + list(self.pool_size)
            s = [1, 1] + list(self.strides)
            if last:
                k = [1, 1, self.pool_size[0], 1]
                s = [1, 1, self.strides[0], 1]
            fn = tf.nn.max_pool if self._kind == "max" else tf.nn.avg_pool
            out = fn(x, k, s, pad, data_format="NHWC" if last else "NCHW")
            return tf.squeeze(out, [axis])
        if last:
            k = [1] + list(self.pool_size) + [1]
            s = [1] + list(self.strides) + [1]
        else:
            k = [1, 1] + list(self.pool_size)
            s = [1, 1] + list(self.strides)
        if self._rank == 2:
            fmt = "NHWC" if last else "NCHW"
            fn = tf.nn.max_pool if self._kind == "max" else tf.nn.avg_pool
        else:
            fmt = "NDHWC" if last else "NCDHW"
            fn = tf.nn.max_pool3d if self._kind == "max" else tf.nn.avg_pool3d
        return fn(inputs, k, s, pad, data_format=fmt)

    def compute_output_shape(self, input_shape):
        dims = tensor_shape.TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        sp = dims[1:-1] if last else dims[2:]
        new = [conv_output_length(d, k, self.padding, s) for d, k, s in
               zip(sp, self.pool_size, self.strides)]
        if last:
            return tensor_shape.TensorShape([dims[0]] + new + [dims[-1]])
        return tensor_shape.TensorShape(dims[:2] + new)


def _make(name, rank, kind):
    cls = type(name, (_Pooling,), {"_rank": rank, "_kind": kind})
    cls.__doc__ = "tf.layers.%s" % name
    return cls


MaxPooling1D = _make("MaxPooling1D", 1, "max")
MaxPooling2D = _make("MaxPooling2D", 2, "max")
MaxPooling3D = _make("MaxPooling3D", 3, "max")
AveragePooling1D = _make("AveragePooling1D", 1, "avg")
AveragePooling2D = _make("AveragePooling2D", 2, "avg")
AveragePooling3D = _make("AveragePooling3D", 3, "avg")
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D


def _functional(cls):
    def fn(inputs, pool_size, strides, padding="valid", data_format="channels_last",
           name=None):
        return cls(pool_size=pool_size, strides=strides, padding=padding,
                   data_format=data_format, name=name).apply(inputs)
    fn.__doc__ = "tf.layers functional form of %s." % cls.__name__
    return fn


max_pooling1d = _functional(MaxPooling1D)
max_pooling2d = _functional(MaxPooling2D)
max_pooling3d = _functional(MaxPooling3D)
average_pooling1d = _functional(AveragePooling1D)
average_pooling2d = _functional(AveragePooling2D)
average_pooling3d = _functional(AveragePooling3D)
