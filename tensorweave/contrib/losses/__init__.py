"""tf.contrib.losses / slim.losses: the tf.losses functions under their TF1 contrib names."""
from tensorweave.compat.api.losses import *


def _tf():
    import tensorweave

    return tensorweave


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    return _tf().losses.softmax_cross_entropy(onehot_labels, logits, weights=weights,
                                              label_smoothing=label_smoothing, scope=scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    return _tf().losses.sparse_softmax_cross_entropy(labels, logits, weights=weights,
                                                     scope=scope)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0,
                          scope=None):
    return _tf().losses.sigmoid_cross_entropy(multi_class_labels, logits, weights=weights,
                                              label_smoothing=label_smoothing, scope=scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    return _tf().losses.mean_squared_error(labels, predictions, weights=weights, scope=scope)


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    return _tf().losses.absolute_difference(labels, predictions, weights=weights, scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    return _tf().losses.log_loss(labels, predictions, weights=weights, epsilon=epsilon,
                                 scope=scope)


def hinge_loss(logits, labels=None, scope=None):
    return _tf().losses.hinge_loss(labels, logits, scope=scope)


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    return _tf().losses.get_total_loss(add_regularization_losses, name=name)
