"""tf.keras.activations."""


def _tf():
    import tensorweave

    return tensorweave


def relu(x, alpha=0.0, max_value=None):
    tf = _tf()
    if alpha:
        return tf.nn.leaky_relu(x, alpha)
    if max_value == 6:
        return tf.nn.relu6(x)
    out = tf.nn.relu(x)
    if max_value is not None:
        out = tf.minimum(out, max_value)
    return out


def softmax(x, axis=-1):
    return _tf().nn.softmax(x, axis=axis)


def sigmoid(x):
    return _tf().sigmoid(x)


def tanh(x):
    return _tf().tanh(x)


def elu(x, alpha=1.0):
    return _tf().nn.elu(x)


def selu(x):
    return _tf().nn.selu(x)


def softplus(x):
    return _tf().nn.softplus(x)


def softsign(x):
    return _tf().nn.softsign(x)


def hard_sigmoid(x):
    tf = _tf()
    return tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def exponential(x):
    return _tf().exp(x)


def linear(x):
    return x


_ALL = {f.__name__: f for f in (relu, softmax, sigmoid, tanh, elu, selu, softplus, softsign,
                                hard_sigmoid, exponential, linear)}


def get(identifier):
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    raise ValueError("Unknown activation function: " + str(identifier))


def serialize(fn):
    return fn.__name__
