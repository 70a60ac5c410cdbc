"""tf.layers convolutions: Conv1D/2D/3D, Conv2DTranspose, SeparableConv2D (+ functional)."""
from tensorweave.framework import tensor_shape
from tensorweave.layers import base
from tensorweave.layers.core import get_activation


def _tf():
    import tensorweave

    return tensorweave


def normalize_tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %s" %
                         (name, n, value))
    return value


def normalize_data_format(value, rank):
    if value is None:
        value = "channels_last"
    v = value.lower()
    if v not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of \"channels_first\", "
                         "\"channels_last\". Received: " + str(value))
    return v


def _nn_format(data_format, rank):
    last = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[rank]
    first = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[rank]
    return last if data_format == "channels_last" else first


def conv_output_length(length, filter_size, padding, stride, dilation=1):
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "same":
        out = length
    elif padding == "valid":
        out = length - dilated + 1
    else:
        out = length + dilated - 1
    return (out + stride - 1) // stride


def deconv_output_length(length, filter_size, padding, stride):
    if length is None:
        return None
    length *= stride
    if padding == "valid":
        length += max(filter_size - stride, 0)
    elif padding == "full":
        length -= (stride + filter_size - 2)
    return length


class _Conv(base.Layer):
    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = padding.lower()
        self.data_format = normalize_data_format(data_format, rank)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _in_channels(self, input_shape):
        input_shape = tensor_shape.TensorShape(input_shape)
        c = input_shape.as_list()[self._channel_axis()]
        if c is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             "Found `None`.")
        return c

    def _kernel_shape(self, in_ch):
        return list(self.kernel_size) + [in_ch, self.filters]

    def build(self, input_shape):
        tf = _tf()
        in_ch = self._in_channels(input_shape)
        self.kernel = self.add_weight(
            "kernel", shape=self._kernel_shape(in_ch), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                "bias", shape=[self.filters],
                initializer=self.bias_initializer or tf.zeros_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _conv(self, inputs):
        tf = _tf()
        fmt = _nn_format(self.data_format, self.rank)
        pad = self.padding.upper()
        if self.rank == 1:
            return tf.nn.conv1d(inputs, self.kernel, stride=self.strides[0], padding=pad,
                                data_format=fmt, name="conv1d")
        if self.rank == 2 and self.dilation_rate == (1, 1):
            s = [1] + list(self.strides) + [1] if fmt == "NHWC" else [1, 1] + list(self.strides)
            return tf.nn.conv2d(inputs, self.kernel, strides=s, padding=pad, data_format=fmt,
                                name="Conv2D")
        if self.rank == 3 and self.dilation_rate == (1, 1, 1):
            s = [1] + list(self.strides) + [1] if fmt == "NDHWC" else [1, 1] + list(self.strides)
            return tf.nn.conv3d(inputs, self.kernel, strides=s, padding=pad, data_format=fmt,
                                name="Conv3D")
        return tf.nn.convolution(inputs, self.kernel, padding=pad, strides=self.strides,
                                 dilation_rate=self.dilation_rate, data_format=fmt)

    def call(self, inputs):
        tf = _tf()
        outputs = self._conv(tf.convert_to_tensor(inputs))
        if self.use_bias:
            if self.data_format == "channels_first" and self.rank != 2:
                shape = [1, self.filters] + [1] * self.rank
                outputs = outputs + tf.reshape(self.bias, shape)
            else:
                outputs = tf.nn.bias_add(
                    outputs, self.bias,
                    data_format="NCHW" if self.data_format == "channels_first" else "NHWC")
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        dims = tensor_shape.TensorShape(input_shape).as_list()
        sp = dims[1:-1] if self.data_format == "channels_last" else dims[2:]
        new = [conv_output_length(d, k, self.padding, s, r) for d, k, s, r in
               zip(sp, self.kernel_size, self.strides, self.dilation_rate)]
        if self.data_format == "channels_last":
            return tensor_shape.TensorShape([dims[0]] + new + [self.filters])
        return tensor_shape.TensorShape([dims[0], self.filters] + new)


class Conv1D(_Conv):
    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


class Conv2D(_Conv):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1), **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


class Conv3D(_Conv):
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution; kernel [kh, kw, filters, in_channels]."""

    def _kernel_shape(self, in_ch):
        return list(self.kernel_size) + [self.filters, in_ch]

    def _conv(self, inputs):
        tf = _tf()
        shape = tf.shape(inputs)
        batch = shape[0]
        if self.data_format == "channels_first":
            h, w = 2, 3
        else:
            h, w = 1, 2
        static = inputs.get_shape().as_list()
        out_h = deconv_output_length(static[h], self.kernel_size[0], self.padding,
                                     self.strides[0])
        out_w = deconv_output_length(static[w], self.kernel_size[1], self.padding,
                                     self.strides[1])
        if out_h is None:
            out_h = deconv_output_length(shape[h], self.kernel_size[0], self.padding,
                                         self.strides[0])
        if out_w is None:
            out_w = deconv_output_length(shape[w], self.kernel_size[1], self.padding,
                                         self.strides[1])
        if self.data_format == "channels_first":
            out_shape = tf.stack([batch, self.filters, out_h, out_w])
            s = [1, 1] + list(self.strides)
            fmt = "NCHW"
        else:
            out_shape = tf.stack([batch, out_h, out_w, self.filters])
            s = [1] + list(self.strides) + [1]
            fmt = "NHWC"
        out = tf.nn.conv2d_transpose(inputs, self.kernel, out_shape, strides=s,
                                     padding=self.padding.upper(), data_format=fmt)
        out.set_shape(self.compute_output_shape(inputs.get_shape()))
        return out

    def compute_output_shape(self, input_shape):
        dims = tensor_shape.TensorShape(input_shape).as_list()
        sp = dims[1:3] if self.data_format == "channels_last" else dims[2:]
        new = [deconv_output_length(d, k, self.padding, s) for d, k, s in
               zip(sp, self.kernel_size, self.strides)]
        if self.data_format == "channels_last":
            return tensor_shape.TensorShape([dims[0]] + new + [self.filters])
        return tensor_shape.TensorShape([dims[0], self.filters] + new)


class SeparableConv2D(Conv2D):
    """Depthwise then pointwise convolution (tf.nn.separable_conv2d)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1), depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=None,
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, trainable=trainable, name=name,
                         **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape):
        tf = _tf()
        in_ch = self._in_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=list(self.kernel_size) + [in_ch, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=[1, 1, in_ch * self.depth_multiplier, self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                "bias", shape=[self.filters],
                initializer=self.bias_initializer or tf.zeros_initializer(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def _conv(self, inputs):
        tf = _tf()
        fmt = _nn_format(self.data_format, 2)
        s = [1] + list(self.strides) + [1] if fmt == "NHWC" else [1, 1] + list(self.strides)
        return tf.nn.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                      strides=s, padding=self.padding.upper(),
                                      rate=self.dilation_rate, data_format=fmt)


def _functional(cls):
    def fn(inputs, filters, kernel_size, strides=1, padding="valid",
           data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
        if bias_initializer is None:
            bias_initializer = _tf().zeros_initializer()
        kw = {}
        if cls is not Conv2DTranspose:
            kw["dilation_rate"] = dilation_rate
        layer = cls(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                    data_format=data_format, activation=activation, use_bias=use_bias,
                    kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                    kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                    activity_regularizer=activity_regularizer,
                    kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                    trainable=trainable, name=name, _reuse=reuse, _scope=name, **kw)
        return layer.apply(inputs)
    return fn


conv1d = _functional(Conv1D)
conv1d.__doc__ = "tf.layers.conv1d."
conv2d = _functional(Conv2D)
conv2d.__doc__ = "tf.layers.conv2d."
conv3d = _functional(Conv3D)
conv3d.__doc__ = "tf.layers.conv3d."
_conv2d_transpose = _functional(Conv2DTranspose)


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """tf.layers.conv2d_transpose."""
    return _conv2d_transpose(
        inputs, filters, kernel_size, strides=strides, padding=padding,
        data_format=data_format, activation=activation, use_bias=use_bias,
        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, trainable=trainable, name=name, reuse=reuse)


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", dilation_rate=(1, 1), depth_multiplier=1,
                     activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """tf.layers.separable_conv2d."""
    layer = SeparableConv2D(
        filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
        dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
        use_bias=use_bias, depthwise_initializer=depthwise_initializer,
        pointwise_initializer=pointwise_initializer,
        bias_initializer=bias_initializer or _tf().zeros_initializer(),
        depthwise_regularizer=depthwise_regularizer,
        pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
        pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Deconvolution2D = Deconv2D = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
convolution1d, convolution2d, convolution3d = conv1d, conv2d, conv3d
