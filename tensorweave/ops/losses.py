"""tf.losses: weighted losses with TF1's reductions, collected in GraphKeys.LOSSES.

The op structure follows TF's so names match (e.g. 'mean_squared_error/value'): losses are
computed in float32 and cast back to the input dtype, weights are broadcast-checked, and the
default reduction is SUM_BY_NONZERO_WEIGHTS.
"""
from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_util
from tensorweave.framework.graph import GraphKeys


def _tf():
    import tensorweave

    return tensorweave


class Reduction:
    """How a weighted loss tensor is reduced."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s." % key)


def _safe_mean(losses, num_present):
    tf = _tf()
    total_loss = tf.reduce_sum(losses)
    return tf.div_no_nan(total_loss, num_present, name="value")


def _num_elements(losses):
    tf = _tf()
    with graph_lib.name_scope(None, "num_elements", [losses]) as scope:
        return tf.cast(tf.size(losses, name=scope), dtype=losses.dtype)


def _num_present(losses, weights, per_batch=False):
    tf = _tf()
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with graph_lib.name_scope(None, "num_present", [losses, weights]) as scope:
        weights = tf.cast(weights, dtype=dtypes.float32)
        present = tf.where(tf.equal(weights, 0.0), tf.zeros_like(weights),
                           tf.ones_like(weights))
        present = broadcast_weights(present, losses)
        if per_batch:
            return tf.reduce_sum(present, axis=tf.range(1, tf.rank(present)), keepdims=True,
                                 name=scope)
        return tf.reduce_sum(present, name=scope)


def assert_broadcastable(weights, values):
    """Static check that weights broadcast to values (TF's weights_broadcast_ops)."""
    tf = _tf()
    with graph_lib.name_scope(None, "assert_broadcastable", [weights, values]):
        with graph_lib.name_scope(None, "weights", [weights]) as weights_scope:
            weights = registry.convert_to_tensor(weights, name=weights_scope)
            weights_shape = tf.shape(weights, name="shape")
            weights_rank = tf.rank(weights, name="rank")
        weights_rank_static = tensor_util.constant_value(weights_rank)
        with graph_lib.name_scope(None, "values", [values]) as values_scope:
            values = registry.convert_to_tensor(values, name=values_scope)
            values_shape = tf.shape(values, name="shape")
            values_rank = tf.rank(values, name="rank")
        values_rank_static = tensor_util.constant_value(values_rank)
        if weights_rank_static is not None and values_rank_static is not None:
            if int(weights_rank_static) == 0:
                return tf.no_op(name="static_scalar_check_success")
            if int(weights_rank_static) != int(values_rank_static):
                raise ValueError(
                    "weights can not be broadcast to values. values.rank=%s. weights.rank=%s. "
                    "values.shape=%s. weights.shape=%s." % (
                        values_rank_static, weights_rank_static, values.shape, weights.shape))
            ws = tensor_util.constant_value(weights_shape)
            vs = tensor_util.constant_value(values_shape)
            if ws is not None and vs is not None:
                for i in range(len(vs)):
                    if ws[i] not in (1, vs[i]):
                        raise ValueError(
                            "weights can not be broadcast to values. values.shape=%s. "
                            "weights.shape=%s." % (list(vs), list(ws)))
                return tf.no_op(name="static_dims_check_success")
        # NOTE: partially known shapes are checked when the weights are multiplied in.
        return tf.no_op(name="dynamic_check")


def broadcast_weights(weights, values):
    tf = _tf()
    with graph_lib.name_scope(None, "broadcast_weights", [weights, values]) as scope:
        values = registry.convert_to_tensor(values, name="values")
        weights = registry.convert_to_tensor(weights, dtype=values.dtype.base_dtype,
                                             name="weights")
        ws, vs = weights.get_shape(), values.get_shape()
        if ws.is_fully_defined() and vs.is_fully_defined() and ws.is_compatible_with(vs):
            return weights
        with tf.control_dependencies((assert_broadcastable(weights, values),)):
            return tf.multiply(weights, tf.ones_like(values), name=scope)


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    if loss_collection:
        graph_lib.get_default_graph().add_to_collection(loss_collection, loss)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights `losses`, reduces them as `reduction` says, and adds the result to LOSSES."""
    tf = _tf()
    Reduction.validate(reduction)
    with graph_lib.name_scope(scope, "weighted_loss", [losses, weights]):
        graph_lib.get_default_graph()._last_loss_reduction = reduction
        losses_t = registry.convert_to_tensor(losses)
        weights_in = weights
        with tf.control_dependencies((assert_broadcastable(weights, losses_t),)):
            input_dtype = losses_t.dtype
            losses_t = tf.cast(losses_t, dtype=dtypes.float32)
            weights = tf.cast(weights_in, dtype=dtypes.float32)
            weighted_losses = tf.multiply(losses_t, weights)
            if reduction == Reduction.NONE:
                loss = weighted_losses
            else:
                loss = tf.reduce_sum(weighted_losses)
                if reduction == Reduction.MEAN:
                    loss = _safe_mean(loss, tf.reduce_sum(tf.ones_like(losses_t) * weights))
                elif reduction in (Reduction.SUM_BY_NONZERO_WEIGHTS,
                                   Reduction.SUM_OVER_NONZERO_WEIGHTS):
                    loss = _safe_mean(loss, _num_present(losses_t, weights))
                elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                    loss = _safe_mean(loss, _num_elements(losses_t))
            loss = tf.cast(loss, input_dtype)
            add_loss(loss, loss_collection)
            return loss


def _to_float32_pair(predictions, labels):
    tf = _tf()
    predictions = tf.cast(predictions, dtype=dtypes.float32)
    labels = tf.cast(labels, dtype=dtypes.float32)
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    return predictions, labels


def _check_args(labels, predictions, what="predictions"):
    if labels is None:
        raise ValueError("labels must not be None.")
    if predictions is None:
        raise ValueError("%s must not be None." % what)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted |predictions - labels|."""
    tf = _tf()
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "absolute_difference",
                              [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        losses = tf.abs(tf.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) for unit-normalised inputs."""
    tf = _tf()
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify argument `axis`.")
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "cosine_distance_loss",
                              [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        radial_diffs = tf.multiply(predictions, labels)
        losses = 1 - tf.reduce_sum(radial_diffs, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - (2*labels - 1) * logits) for labels in {0, 1}."""
    tf = _tf()
    _check_args(labels, logits, "logits")
    with graph_lib.name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        logits = tf.cast(logits, dtype=dtypes.float32)
        labels = tf.cast(labels, dtype=dtypes.float32)
        logits.get_shape().assert_is_compatible_with(labels.get_shape())
        all_ones = tf.ones_like(labels)
        labels = tf.subtract(2 * labels, all_ones)
        losses = tf.nn.relu(tf.subtract(all_ones, tf.multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Quadratic for |error| <= delta, linear beyond."""
    tf = _tf()
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        error = tf.subtract(predictions, labels)
        abs_error = tf.abs(error)
        quadratic = tf.minimum(abs_error, delta)
        linear = tf.subtract(abs_error, quadratic)
        losses = tf.add(
            tf.multiply(registry.convert_to_tensor(0.5, dtype=quadratic.dtype),
                        tf.multiply(quadratic, quadratic)),
            tf.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross entropy of probabilities `predictions`."""
    tf = _tf()
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        losses = -tf.multiply(labels, tf.log(predictions + epsilon)) - tf.multiply(
            (1 - labels), tf.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted (predictions - labels)^2."""
    tf = _tf()
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "mean_squared_error",
                              [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        losses = tf.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """Mean of squared differences between all pairs of elements, per batch item."""
    tf = _tf()
    _check_args(labels, predictions)
    with graph_lib.name_scope(scope, "mean_pairwise_squared_error",
                              [predictions, labels, weights]) as scope:
        predictions, labels = _to_float32_pair(predictions, labels)
        weights = tf.cast(weights, dtype=dtypes.float32)
        diffs = tf.subtract(predictions, labels)
        axis = tf.range(1, tf.rank(diffs))
        sum_squares_diff_per_batch = tf.reduce_sum(tf.square(diffs), axis=axis, keepdims=True)
        num_present_per_batch = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * tf.div_no_nan(sum_squares_diff_per_batch,
                                    tf.maximum(num_present_per_batch - 1, 0))
        sum_diff = tf.reduce_sum(diffs, axis=axis, keepdims=True)
        term2 = 2.0 * tf.div_no_nan(tf.square(sum_diff),
                                    tf.maximum(tf.multiply(num_present_per_batch,
                                                           num_present_per_batch - 1), 0))
        weighted_losses = tf.multiply(term1 - term2, weights)
        loss = tf.reduce_sum(weighted_losses)
        mean_loss = tf.where(tf.reduce_sum(num_present_per_batch) > 0, loss,
                             tf.zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Sigmoid cross entropy with optional label smoothing towards 1/2."""
    tf = _tf()
    _check_args(multi_class_labels, logits, "logits")
    with graph_lib.name_scope(scope, "sigmoid_cross_entropy_loss",
                              [logits, multi_class_labels, weights]) as scope:
        logits = registry.convert_to_tensor(logits)
        multi_class_labels = tf.cast(multi_class_labels, logits.dtype)
        logits.get_shape().assert_is_compatible_with(multi_class_labels.get_shape())
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing) +
                                  0.5 * label_smoothing)
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=multi_class_labels,
                                                         logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross entropy with optional label smoothing towards 1/num_classes."""
    tf = _tf()
    _check_args(onehot_labels, logits, "logits")
    with graph_lib.name_scope(scope, "softmax_cross_entropy_loss",
                              [logits, onehot_labels, weights]) as scope:
        logits = registry.convert_to_tensor(logits)
        onehot_labels = tf.cast(onehot_labels, logits.dtype)
        logits.get_shape().assert_is_compatible_with(onehot_labels.get_shape())
        if label_smoothing > 0:
            num_classes = tf.cast(tf.shape(onehot_labels)[-1], logits.dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        onehot_labels = tf.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                            name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def _remove_squeezable_dimensions(labels, predictions, weights=None, expected_rank_diff=0):
    tf = _tf()
    labels = registry.convert_to_tensor(labels)
    predictions = registry.convert_to_tensor(predictions)
    lr, pr = labels.get_shape().ndims, predictions.get_shape().ndims
    if lr is not None and pr is not None:
        rank_diff = pr - lr
        if rank_diff == expected_rank_diff + 1 and \
                predictions.get_shape()[-1].value in (1, None):
            predictions = tf.squeeze(predictions, [-1])
        elif rank_diff == expected_rank_diff - 1 and labels.get_shape()[-1].value in (1, None):
            labels = tf.squeeze(labels, [-1])
    if weights is not None:
        weights = registry.convert_to_tensor(weights)
        wr = weights.get_shape().ndims
        lr = labels.get_shape().ndims
        if lr is not None and wr is not None and wr - lr == 1:
            weights = tf.squeeze(weights, [-1])
    return labels, predictions, weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross entropy with integer class labels."""
    tf = _tf()
    _check_args(labels, logits, "logits")
    with graph_lib.name_scope(scope, "sparse_softmax_cross_entropy_loss",
                              [logits, labels, weights]) as scope:
        labels, logits, weights = _remove_squeezable_dimensions(labels, logits, weights,
                                                                expected_rank_diff=1)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return graph_lib.get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return graph_lib.get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    tf = _tf()
    losses = get_regularization_losses(scope)
    if losses:
        return tf.add_n(losses, name=name)
    return tf.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """Sum of LOSSES (and REGULARIZATION_LOSSES), as one AddN named `name`."""
    tf = _tf()
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses have been added to the graph (tf.GraphKeys.LOSSES is empty"
                         "%s); build them with tf.losses.* first." % (
                             "" if not add_regularization_losses else
                             " and there are no regularization losses"))
    return tf.add_n(losses, name=name)

