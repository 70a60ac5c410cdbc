"""tf.keras.losses: per-sample losses (mean over the last axis) as TF1 Keras computes them.

Cross-entropies on probabilities use the logits of a Softmax/Sigmoid output op when there is
one (as Keras does), else clip to [eps, 1 - eps] and take logs.
"""
from tensorweave.keras import backend as K


def _tf():
    import tensorweave

    return tensorweave


def categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    tf = _tf()
    if not from_logits and getattr(y_pred, "op", None) is not None and \
            y_pred.op.type == "Softmax":
        from_logits, y_pred = True, y_pred.op.inputs[0]
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_true, logits=y_pred,
                                                          axis=axis)
    y_pred = y_pred / tf.reduce_sum(y_pred, axis, keepdims=True)
    eps = tf.constant(K.epsilon(), dtype=y_pred.dtype.base_dtype)
    y_pred = tf.clip_by_value(y_pred, eps, 1.0 - eps)
    return -tf.reduce_sum(y_true * tf.log(y_pred), axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    tf = _tf()
    if not from_logits and getattr(y_pred, "op", None) is not None and \
            y_pred.op.type == "Softmax":
        from_logits, y_pred = True, y_pred.op.inputs[0]
    if not from_logits:
        eps = tf.constant(K.epsilon(), dtype=y_pred.dtype.base_dtype)
        y_pred = tf.log(tf.clip_by_value(y_pred, eps, 1.0 - eps))
    labels = tf.cast(tf.reshape(y_true, [-1]), tf.int64)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    tf = _tf()
    if not from_logits and getattr(y_pred, "op", None) is not None and \
            y_pred.op.type == "Sigmoid":
        from_logits, y_pred = True, y_pred.op.inputs[0]
    if not from_logits:
        eps = K.epsilon()
        y_pred = tf.clip_by_value(y_pred, eps, 1.0 - eps)
        y_pred = tf.log(y_pred / (1.0 - y_pred))
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred), -1)


def mean_squared_error(y_true, y_pred):
    tf = _tf()
    return tf.reduce_mean(tf.square(y_pred - y_true), -1)


def mean_absolute_error(y_true, y_pred):
    tf = _tf()
    return tf.reduce_mean(tf.abs(y_pred - y_true), -1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_BY_NAME = {
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
}


def get(identifier):
    if callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError("Unknown loss function: " + str(identifier))
