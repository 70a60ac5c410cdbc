"""tf.contrib.layers.optimize_loss (the common subset)."""
from tensorweave.framework.graph import GraphKeys

OPTIMIZER_CLS_NAMES = {
    "Adagrad": "AdagradOptimizer",
    "Adam": "AdamOptimizer",
    "Ftrl": "FtrlOptimizer",
    "Momentum": "MomentumOptimizer",
    "RMSProp": "RMSPropOptimizer",
    "SGD": "GradientDescentOptimizer",
}


def _tf():
    import tensorweave

    return tensorweave


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
                  gradient_multipliers=None, clip_gradients=None, learning_rate_decay_fn=None,
                  update_ops=None, variables=None, name=None, summaries=None,
                  colocate_gradients_with_ops=False, increment_global_step=True):
    """Builds the train op: optimizer by name/class/instance, optional clipping and decay;
    depends on UPDATE_OPS; returns the loss after the update (as TF1)."""
    tf = _tf()
    if gradient_noise_scale is not None:
        raise NotImplementedError("tensorweave: optimize_loss(gradient_noise_scale=...) is "
                                  "not supported yet")
    with tf.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if global_step is None:
            global_step = tf.train.get_global_step()
        if update_ops is None:
            update_ops = set(tf.get_collection(GraphKeys.UPDATE_OPS))
        if update_ops:
            with tf.control_dependencies(list(update_ops)):
                loss = tf.identity(loss)
        lr = None
        if learning_rate is not None:
            lr = tf.get_variable("learning_rate", [], trainable=False,
                                 initializer=tf.constant_initializer(learning_rate))
            if learning_rate_decay_fn is not None:
                lr = learning_rate_decay_fn(lr, global_step)
        if isinstance(optimizer, str):
            if optimizer not in OPTIMIZER_CLS_NAMES:
                raise ValueError("Optimizer name should be one of [%s], you provided %s." %
                                 (", ".join(OPTIMIZER_CLS_NAMES), optimizer))
            cls = getattr(tf.train, OPTIMIZER_CLS_NAMES[optimizer])
            opt = cls(learning_rate=lr) if optimizer != "Momentum" else cls(lr, 0.9)
        elif isinstance(optimizer, type):
            opt = optimizer(learning_rate=lr)
        elif callable(optimizer) and not hasattr(optimizer, "compute_gradients"):
            opt = optimizer(lr) if lr is not None else optimizer()
        else:
            opt = optimizer
        if variables is None:
            variables = tf.trainable_variables()
        grads = opt.compute_gradients(loss, variables)
        if gradient_multipliers is not None:
            grads = [(g * gradient_multipliers.get(v, gradient_multipliers.get(v.op.name, 1.0))
                      if g is not None else g, v) for g, v in grads]
        if clip_gradients is not None:
            if callable(clip_gradients):
                grads = clip_gradients(grads)
            else:
                gs, vs = zip(*grads)
                gs, _ = tf.clip_by_global_norm(gs, clip_gradients)
                grads = list(zip(gs, vs))
        grad_updates = opt.apply_gradients(
            grads, global_step=global_step if increment_global_step else None,
            name="train")
        with tf.control_dependencies([grad_updates]):
            train_tensor = tf.identity(loss, name="control_dependency")
        return train_tensor
