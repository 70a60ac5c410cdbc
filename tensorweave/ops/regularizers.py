"""Weight regularizers (tf.contrib.layers.l1/l2/l1_l2/sum_regularizer, apply_regularization)."""
import numbers

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework.graph import GraphKeys


def _tf():
    import tensorweave

    return tensorweave


def _check_scale(scale):
    if isinstance(scale, numbers.Integral):
        raise ValueError("scale cannot be an integer: %s" % (scale,))
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError("Setting a scale less than 0 on a regularizer: %g" % scale)
        if scale == 0.0:
            return False
    return True


def l1_regularizer(scale, scope=None):
    """fn(weights) -> scale * sum(|weights|)."""
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights):
        tf = _tf()
        with graph_lib.name_scope(scope, "l1_regularizer", [weights]) as name:
            my_scale = registry.convert_to_tensor(scale, dtype=weights.dtype.base_dtype,
                                                  name="scale")
            return tf.multiply(my_scale, tf.reduce_sum(tf.abs(weights)), name=name)

    return l1


def l2_regularizer(scale, scope=None):
    """fn(weights) -> scale * sum(weights^2) / 2 (tf.nn.l2_loss)."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights):
        tf = _tf()
        with graph_lib.name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = registry.convert_to_tensor(scale, dtype=weights.dtype.base_dtype,
                                                  name="scale")
            return tf.multiply(my_scale, tf.nn.l2_loss(weights), name=name)

    return l2


def sum_regularizer(regularizer_list, scope=None):
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def regularizer(tensor):
        tf = _tf()
        with graph_lib.name_scope(scope, "sum_regularizer", [tensor]) as name:
            penalties = [reg(tensor) for reg in regularizer_list]
            penalties = [p for p in penalties if p is not None]
            return tf.add_n(penalties, name=name)

    return regularizer


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    if isinstance(scale_l1, numbers.Real) and isinstance(scale_l2, numbers.Real) and \
            scale_l1 == 0.0 and scale_l2 == 0.0:
        return lambda _: None
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """Sums regularizer(w) over weights_list (default: WEIGHTS) into REGULARIZATION_LOSSES."""
    tf = _tf()
    if not weights_list:
        weights_list = graph_lib.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with graph_lib.name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else tf.constant(0.0) for p in penalties]
        for p in penalties:
            if p.get_shape().ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor "
                                 "with rank %d." % p.get_shape().ndims)
        summed = tf.add_n(penalties, name=scope)
        graph_lib.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
