"""tf.contrib.layers / slim layer functions with TF1 contrib semantics and names.

Variables are model variables named `<scope>/weights`, `<scope>/biases` (default scopes
`fully_connected`, `Conv`, `Conv2d_transpose`, `BatchNorm`, ...), created by the tf.layers
classes through a custom getter that renames kernel/bias, as TF1's contrib does. Every
function takes defaults from `arg_scope`.
"""
from tensorweave.contrib.framework import variables as fw_vars
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.graph import GraphKeys
from tensorweave.layers import base as layers_base
from tensorweave.layers import convolutional as conv_layers
from tensorweave.layers import core as core_layers
from tensorweave.ops import init_ops


def _tf():
    import tensorweave

    return tensorweave


def _relu(x, name=None):
    return _tf().nn.relu(x, name=name)


class _Default:
    """Marks defaults that are built lazily (initializers)."""


_XAVIER = _Default()
_ZEROS = _Default()


def _weights_init(v):
    return init_ops.xavier_initializer() if v is _XAVIER else v


def _biases_init(v):
    return init_ops.zeros_initializer() if v is _ZEROS else v


def collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` (with `.aliases`) to the given collections."""
    if collections:
        g = graph_lib.get_default_graph()
        try:
            aliases = list(getattr(outputs, "aliases", []))
            aliases.append(alias)
            outputs.aliases = aliases
        except AttributeError:
            pass
        for c in collections if isinstance(collections, (list, tuple)) else [collections]:
            g.add_to_collection(c, outputs)
    return outputs


def _get_collections(variables_collections, name):
    if isinstance(variables_collections, dict):
        c = variables_collections.get(name, None)
    else:
        c = variables_collections
    if c is None:
        return []
    return list(c) if isinstance(c, (list, tuple)) else [c]


def _add_to_collections(var, variables_collections, name):
    g = graph_lib.get_default_graph()
    for c in _get_collections(variables_collections, name):
        if var not in g.get_collection(c):
            g.add_to_collection(c, var)


def _build_variable_getter(rename):
    def layer_variable_getter(getter, name, shape=None, dtype=None, initializer=None,
                              regularizer=None, trainable=True, collections=None,
                              caching_device=None, partitioner=None, **kwargs):
        parts = name.split("/")
        if parts[-1] in rename:
            parts[-1] = rename[parts[-1]]
        name = "/".join(parts)
        collections = list(collections or [])
        for c in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
            if c not in collections:
                collections.append(c)
        return getter(name=name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      caching_device=caching_device, partitioner=partitioner, **kwargs)
    return layer_variable_getter


_RENAME = {"bias": "biases", "kernel": "weights"}


def _finish(outputs, sc, normalizer_fn, normalizer_params, activation_fn,
            outputs_collections):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=_relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=_XAVIER,
                    weights_regularizer=None, biases_initializer=_ZEROS,
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """activation_fn(inputs . weights + biases) in scope `fully_connected`."""
    tf = _tf()
    if not isinstance(num_outputs, int):
        raise ValueError("num_outputs type should be one of %s, got %s." % (
            (int,), type(num_outputs)))
    weights_initializer = _weights_init(weights_initializer)
    biases_initializer = _biases_init(biases_initializer)
    with tf.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                           custom_getter=_build_variable_getter(_RENAME)) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = core_layers.Dense(
            units=num_outputs, activation=None,
            use_bias=not normalizer_fn and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.bias is not None:
            _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


def _df(data_format):
    return "channels_first" if data_format and data_format.startswith("NC") else \
        "channels_last"


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                rate=1, activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                weights_initializer=_XAVIER, weights_regularizer=None,
                biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                variables_collections=None, outputs_collections=None, trainable=True,
                scope=None, conv_dims=None, strides=None):
    """N-D convolution (from the input rank) in scope `Conv`; weights [k.., in, out]."""
    tf = _tf()
    if strides is not None:  # NOTE: accepted as an alias of `stride` (common typo).
        stride = strides
    weights_initializer = _weights_init(weights_initializer)
    biases_initializer = _biases_init(biases_initializer)
    with tf.variable_scope(scope, "Conv", [inputs], reuse=reuse,
                           custom_getter=_build_variable_getter(_RENAME)) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if conv_dims is not None and conv_dims + 2 != rank:
            raise ValueError("Convolution expects input with rank %d, got %d" %
                             (conv_dims + 2, rank))
        cls = {3: conv_layers.Conv1D, 4: conv_layers.Conv2D, 5: conv_layers.Conv3D}.get(rank)
        if cls is None:
            raise ValueError("Convolution not supported for input with rank", rank)
        layer = cls(filters=num_outputs, kernel_size=kernel_size, strides=stride,
                    padding=padding, data_format=_df(data_format), dilation_rate=rate,
                    activation=None, use_bias=not normalizer_fn and biases_initializer,
                    kernel_initializer=weights_initializer,
                    bias_initializer=biases_initializer,
                    kernel_regularizer=weights_regularizer,
                    bias_regularizer=biases_regularizer, trainable=trainable, name=sc.name,
                    dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.use_bias:
            _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


@add_arg_scope
def convolution2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                  rate=1, activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                  weights_initializer=_XAVIER, weights_regularizer=None,
                  biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                  variables_collections=None, outputs_collections=None, trainable=True,
                  scope=None, strides=None):
    """tf.contrib.layers.conv2d / slim.conv2d."""
    return convolution(inputs, num_outputs, kernel_size, stride=stride, padding=padding,
                       data_format=data_format, rate=rate, activation_fn=activation_fn,
                       normalizer_fn=normalizer_fn, normalizer_params=normalizer_params,
                       weights_initializer=weights_initializer,
                       weights_regularizer=weights_regularizer,
                       biases_initializer=biases_initializer,
                       biases_regularizer=biases_regularizer, reuse=reuse,
                       variables_collections=variables_collections,
                       outputs_collections=outputs_collections, trainable=trainable,
                       scope=scope, conv_dims=2, strides=strides)


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format="NHWC", activation_fn=_relu, normalizer_fn=None,
                            normalizer_params=None, weights_initializer=_XAVIER,
                            weights_regularizer=None, biases_initializer=_ZEROS,
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """Transposed convolution in scope `Conv2d_transpose`; weights [kh, kw, out, in]."""
    tf = _tf()
    weights_initializer = _weights_init(weights_initializer)
    biases_initializer = _biases_init(biases_initializer)
    with tf.variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse,
                           custom_getter=_build_variable_getter(_RENAME)) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = conv_layers.Conv2DTranspose(
            filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
            data_format=_df(data_format), activation=None,
            use_bias=not normalizer_fn and biases_initializer,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.use_bias:
            _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


@add_arg_scope
def separable_convolution2d(inputs, num_outputs, kernel_size, depth_multiplier=1, stride=1,
                            padding="SAME", data_format="NHWC", rate=1, activation_fn=_relu,
                            normalizer_fn=None, normalizer_params=None,
                            weights_initializer=_XAVIER, pointwise_initializer=None,
                            weights_regularizer=None, biases_initializer=_ZEROS,
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """Depthwise-separable convolution in scope `SeparableConv2d`."""
    tf = _tf()
    weights_initializer = _weights_init(weights_initializer)
    biases_initializer = _biases_init(biases_initializer)
    if num_outputs is None:
        raise NotImplementedError("tensorweave: separable_conv2d with num_outputs=None "
                                  "(depthwise only) is not supported yet")
    rename = {"depthwise_kernel": "depthwise_weights", "pointwise_kernel": "pointwise_weights",
              "bias": "biases"}
    with tf.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse,
                           custom_getter=_build_variable_getter(rename)) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = conv_layers.SeparableConv2D(
            filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
            data_format=_df(data_format), dilation_rate=rate,
            depth_multiplier=depth_multiplier, activation=None,
            use_bias=not normalizer_fn and biases_initializer,
            depthwise_initializer=weights_initializer,
            pointwise_initializer=pointwise_initializer or weights_initializer,
            bias_initializer=biases_initializer, depthwise_regularizer=weights_regularizer,
            pointwise_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        return _finish(outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections)


def _pool(kind, default_scope, inputs, kernel_size, stride, padding, data_format,
          outputs_collections, scope):
    tf = _tf()
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    k = conv_layers.normalize_tuple(kernel_size, 2, "kernel_size")
    s = conv_layers.normalize_tuple(stride, 2, "stride")
    if data_format == "NHWC":
        ksize, strides = [1, k[0], k[1], 1], [1, s[0], s[1], 1]
    else:
        ksize, strides = [1, 1, k[0], k[1]], [1, 1, s[0], s[1]]
    with tf.name_scope(scope, default_scope, [inputs]) as sc:
        fn = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool
        outputs = fn(inputs, ksize, strides, padding.upper(), data_format=data_format,
                     name="MaxPool" if kind == "max" else "AvgPool")
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """2-D max pooling in name scope `MaxPool2D`."""
    return _pool("max", "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC",
               outputs_collections=None, scope=None):
    """2-D average pooling in name scope `AvgPool2D`."""
    return _pool("avg", "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, ...] -> [batch, k] in name scope `Flatten`."""
    tf = _tf()
    with tf.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = tf.convert_to_tensor(inputs)
        if inputs.get_shape().ndims is not None and inputs.get_shape().ndims < 2:
            raise ValueError("Inputs must have a least 2 dimensions.")
        outputs = core_layers.flatten(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """Keeps each unit with probability keep_prob when is_training (scope `Dropout`)."""
    tf = _tf()
    with tf.variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = core_layers.Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                                    name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False,
               renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """tf.contrib.layers.batch_norm (TF1): scope `BatchNorm`, beta (center) and gamma
    (scale, off by default), moving_mean/moving_variance updated with `decay`; updates go
    to `updates_collections` (UPDATE_OPS), or run in place when it is None."""
    tf = _tf()
    if batch_weights is not None or renorm or adjustment is not None:
        raise NotImplementedError("tensorweave: batch_norm with batch_weights/renorm/"
                                  "adjustment is not supported yet")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    param_initializers = param_initializers or {}
    param_regularizers = param_regularizers or {}
    with tf.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        shape = inputs.get_shape()
        rank = shape.ndims
        if rank is None:
            raise ValueError("Inputs %s has undefined rank." % inputs.name)
        dtype = inputs.dtype.base_dtype
        axis = 1 if data_format == "NCHW" and rank > 2 else rank - 1
        c = shape.as_list()[axis]
        if c is None:
            raise ValueError("Inputs %s has undefined channels dimension %s." %
                             (inputs.name, shape))
        params = [c]

        def _var(name, init, trainable_var, collections_key, regularizer=None):
            collections = _get_collections(variables_collections, collections_key)
            return fw_vars.model_variable(name, shape=params, dtype=dtype,
                                          initializer=param_initializers.get(name, init),
                                          regularizer=regularizer, collections=collections,
                                          trainable=trainable_var)

        beta = _var("beta", tf.zeros_initializer(), trainable, "beta",
                    param_regularizers.get("beta")) if center else None
        gamma = _var("gamma", tf.ones_initializer(), trainable, "gamma",
                     param_regularizers.get("gamma")) if scale else None
        moving_mean = _var("moving_mean", tf.zeros_initializer(), False, "moving_mean")
        moving_variance = _var("moving_variance", tf.ones_initializer(), False,
                               "moving_variance")
        use_fused = (fused is None or fused) and rank in (2, 4)
        is_training_value = layers_base.constant_value(is_training)

        if use_fused:
            x = inputs
            if rank == 2:
                x = tf.reshape(inputs, [-1, 1, 1, c])
            fmt = data_format if rank == 4 else "NHWC"
            g = gamma if gamma is not None else tf.constant(1.0, dtype=dtype, shape=params)
            b = beta if beta is not None else tf.constant(0.0, dtype=dtype, shape=params)

            def _train():
                return tf.nn.fused_batch_norm(x, g, b, epsilon=epsilon, data_format=fmt)

            def _infer():
                return tf.nn.fused_batch_norm(x, g, b, mean=moving_mean,
                                              variance=moving_variance, epsilon=epsilon,
                                              is_training=False, data_format=fmt)

            outputs, mean, variance = layers_base.smart_cond(is_training, _train, _infer)
            if rank == 2:
                outputs = tf.reshape(outputs, tf.shape(inputs))
                outputs.set_shape(shape)
        else:
            axes = [i for i in range(rank) if i != axis]
            bshape = None
            if axis != rank - 1:
                bshape = [1] * rank
                bshape[axis] = c

            def _b(v):
                return v if v is None or bshape is None else tf.reshape(v, bshape)

            def _train():
                return tf.nn.moments(inputs, axes)

            def _infer():
                return moving_mean, moving_variance

            mean, variance = layers_base.smart_cond(is_training, _train, _infer)
            outputs = tf.nn.batch_normalization(inputs, _b(mean), _b(variance), _b(beta),
                                                _b(gamma), epsilon)

        if is_training_value is not False:
            from tensorweave.training import moving_averages
            if is_training_value is None:
                d = layers_base.smart_cond(is_training, lambda: tf.constant(decay, dtype),
                                           lambda: tf.constant(1.0, dtype))
            else:
                d = decay
            upd_mean = moving_averages.assign_moving_average(
                moving_mean, mean, d, zero_debias=zero_debias_moving_mean)
            upd_var = moving_averages.assign_moving_average(moving_variance, variance, d,
                                                            zero_debias=False)
            if updates_collections is None:
                with tf.control_dependencies([upd_mean, upd_var]):
                    outputs = tf.identity(outputs)
            else:
                keys = updates_collections if isinstance(updates_collections,
                                                         (list, tuple)) else \
                    [updates_collections]
                for k in keys:
                    tf.add_to_collection(k, upd_mean)
                    tf.add_to_collection(k, upd_var)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Layer normalization over axes [begin_norm_axis, rank) in scope `LayerNorm`."""
    tf = _tf()
    with tf.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        shape = inputs.get_shape()
        rank = shape.ndims
        if rank is None:
            raise ValueError("Inputs %s has undefined rank." % inputs.name)
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError("begin_params_axis (%d) and begin_norm_axis (%d) must be < rank "
                             "(%d)" % (begin_params_axis, begin_norm_axis, rank))
        params_shape = shape[begin_params_axis:]
        beta = gamma = None
        if center:
            beta = fw_vars.model_variable(
                "beta", shape=params_shape, dtype=dtype, initializer=tf.zeros_initializer(),
                collections=_get_collections(variables_collections, "beta"),
                trainable=trainable)
        if scale:
            gamma = fw_vars.model_variable(
                "gamma", shape=params_shape, dtype=dtype, initializer=tf.ones_initializer(),
                collections=_get_collections(variables_collections, "gamma"),
                trainable=trainable)
        norm_axes = list(range(begin_norm_axis, rank))
        mean, variance = tf.nn.moments(inputs, norm_axes, keep_dims=True)
        eps = 1e-12 if dtype != tf.float16 else 1e-3
        outputs = tf.nn.batch_normalization(inputs, mean, variance, offset=beta, scale=gamma,
                                            variance_epsilon=eps)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0,
                     outputs_collections=None, scope=None):
    """tf.one_hot in name scope `OneHotEncoding`."""
    tf = _tf()
    with tf.name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = tf.convert_to_tensor(labels)
        if labels.dtype == tf.int32:
            labels = tf.cast(labels, tf.int64)
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return collect_named_outputs(outputs_collections, sc, outputs)


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """Applies `layer` `repetitions` times in scope `Repeat` (layer scopes `<name>_<i>`)."""
    tf = _tf()
    scope = kwargs.pop("scope", None)
    with tf.variable_scope(scope, "Repeat", [inputs]):
        inputs = tf.convert_to_tensor(inputs)
        if scope is None:
            base = layer.__name__ if hasattr(layer, "__name__") else "repeat"
            if hasattr(layer, "func"):
                base = layer.func.__name__
        else:
            base = scope.split("/")[-1] if isinstance(scope, str) else scope.name
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = base + "_" + str(i + 1)
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """Applies `layer` once per element of stack_args in scope `Stack` (`<name>_<i>`)."""
    tf = _tf()
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with tf.variable_scope(scope, "Stack", [inputs]):
        inputs = tf.convert_to_tensor(inputs)
        if scope is None:
            base = getattr(layer, "__name__", "stack")
            if hasattr(layer, "func"):
                base = layer.func.__name__
        else:
            base = scope.split("/")[-1] if isinstance(scope, str) else scope.name
        outputs = inputs
        for i, a in enumerate(stack_args):
            kwargs["scope"] = base + "_" + str(i + 1)
            if not isinstance(a, (list, tuple)):
                a = [a]
            outputs = layer(outputs, *a, **kwargs)
        return outputs


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=None, regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable=True,
             data_format="NHWC", scope=None):
    """Adds a `biases` model variable in scope `BiasAdd`."""
    tf = _tf()
    with tf.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        axis = 1 if data_format == "NCHW" else -1
        n = inputs.get_shape().as_list()[axis]
        biases = fw_vars.model_variable(
            "biases", shape=[n], dtype=inputs.dtype.base_dtype,
            initializer=initializer or tf.zeros_initializer(), regularizer=regularizer,
            collections=_get_collections(variables_collections, "biases"),
            trainable=trainable)
        outputs = tf.nn.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def _summarize(tag_fn, tensors):
    tf = _tf()
    out = []
    for t in tensors:
        name = t.op.name
        if t.get_shape().ndims == 0:
            out.append(tf.summary.scalar(name, t))
        else:
            out.append(tf.summary.histogram(name, t))
    return out


def summarize_tensor(tensor, tag=None):
    tf = _tf()
    tag = tag or tensor.op.name
    if tensor.get_shape().ndims == 0:
        return tf.summary.scalar(tag, tensor)
    return tf.summary.histogram(tag, tensor)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    return [summarizer(t) for t in tensors]


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    import re
    tensors = []
    for op in _tf().get_collection(collection):
        if name_filter is None or re.match(name_filter, op.name):
            tensors.append(op)
    return summarize_tensors(tensors, summarizer)


def summarize_activations(name_filter=None, summarizer=summarize_tensor):
    return summarize_collection("activations", name_filter, summarizer)


def summarize_variables(name_filter=None):
    return summarize_collection(GraphKeys.GLOBAL_VARIABLES, name_filter)


def summarize_weights(name_filter=None):
    return summarize_collection(GraphKeys.WEIGHTS, name_filter)


def summarize_biases(name_filter=None):
    return summarize_collection(GraphKeys.BIASES, name_filter)


conv2d = convolution2d
conv2d_transpose = convolution2d_transpose
separable_conv2d = separable_convolution2d
linear = None


def _linear(inputs, num_outputs, **kwargs):
    """fully_connected without activation."""
    kwargs["activation_fn"] = None
    return fully_connected(inputs, num_outputs, **kwargs)


linear = _linear
