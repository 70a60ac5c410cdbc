"""Learning-rate schedules of tf.train, built from graph ops on the global step (TF1 names)."""
import math


from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry


def _tf():
    import tensorweave

    return tensorweave


def _prep(learning_rate, global_step, *others, step_position=0):
    """[lr, global_step, *others] as tensors of lr's dtype, cast in TF's order.

    TF casts the schedule's parameters and the step in a fixed order per schedule (which fixes
    the Cast/Cast_N names); `step_position` is where the step's cast falls among them.
    """
    tf = _tf()
    lr = registry.convert_to_tensor(learning_rate, name="initial_learning_rate")
    dtype = lr.dtype
    casted = []
    items = list(others)
    items.insert(step_position, global_step)
    for o in items:
        casted.append(tf.cast(o, dtype))
    gs = casted.pop(step_position)
    return [lr, gs] + casted


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps)."""
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    tf = _tf()
    with graph_lib.name_scope(name, "ExponentialDecay",
                              [learning_rate, global_step, decay_steps, decay_rate]) as name:
        lr, gs, steps, rate = _prep(learning_rate, global_step, decay_steps, decay_rate,
                                    step_position=2)
        p = gs / steps
        if staircase:
            p = tf.floor(p)
        return tf.multiply(lr, tf.pow(rate, p), name=name)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * exp(-decay_rate * global_step / decay_steps).

    Built as TF 2.x builds it: an ExponentialDecay with rate exp(-decay_rate).
    """
    if global_step is None:
        raise ValueError("global_step is required for natural_exp_decay.")
    tf = _tf()
    rate = tf.exp(tf.negative(decay_rate))
    return exponential_decay(learning_rate, global_step, decay_steps, rate, staircase, name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    if global_step is None:
        raise ValueError("global_step is required for inverse_time_decay.")
    tf = _tf()
    with graph_lib.name_scope(name, "InverseTimeDecay",
                              [learning_rate, global_step, decay_rate]) as name:
        lr, gs, steps, rate = _prep(learning_rate, global_step, decay_steps, decay_rate,
                                    step_position=2)
        p = gs / steps
        if staircase:
            p = tf.floor(p)
        return tf.div(lr, 1 + rate * p, name=name)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """(lr - end) * (1 - step/decay_steps)^power + end, optionally cycling."""
    if global_step is None:
        raise ValueError("global_step is required for polynomial_decay.")
    tf = _tf()
    with graph_lib.name_scope(name, "PolynomialDecay",
                              [learning_rate, global_step, decay_steps, end_learning_rate,
                               power]) as name:
        lr, gs, end, pw, steps = _prep(learning_rate, global_step, end_learning_rate, power,
                                       decay_steps, step_position=2)
        if cycle:
            # NOTE: TF's CPU kernel divides by a scalar as multiplication by its reciprocal,
            # so ceil(150/30) is 6 there; do the same to get TF's schedule.
            multiplier = tf.where(tf.equal(gs, 0), 1.0, tf.ceil(gs * (1.0 / steps)))
            steps = tf.multiply(steps, multiplier)
        else:
            gs = tf.minimum(gs, steps)
        p = tf.div(gs, steps)
        return tf.add(tf.multiply(lr - end, tf.pow(1 - p, pw)), end, name=name)


def piecewise_constant(x, boundaries, values, name=None):
    """values[i] where boundaries[i-1] < x <= boundaries[i] (a tf.case, as TF builds it)."""
    tf = _tf()
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with graph_lib.name_scope(name, "PiecewiseConstant", [x, boundaries, values]):
        x = registry.convert_to_tensor(x)
        vals = [registry.convert_to_tensor(v) for v in values]
        bnds = [registry.convert_to_tensor(b, dtype=x.dtype.base_dtype) for b in boundaries]
        pred_fn_pairs = [(x <= bnds[0], lambda: vals[0]), (x > bnds[-1], lambda: vals[-1])]
        for low, high, v in zip(bnds[:-1], bnds[1:], vals[1:-1]):
            pred_fn_pairs.append(((x > low) & (x <= high), lambda v=v: v))
        return tf.case(pred_fn_pairs, lambda: vals[0], exclusive=True)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """Cosine decay from learning_rate to alpha * learning_rate over decay_steps."""
    if global_step is None:
        raise ValueError("cosine decay requires global_step")
    tf = _tf()
    with graph_lib.name_scope(name, "CosineDecay", [learning_rate, global_step]) as name:
        lr, gs, steps = _prep(learning_rate, global_step, decay_steps, step_position=1)
        gs = tf.minimum(gs, steps)
        completed = gs / steps
        cosine = 0.5 * (1.0 + tf.cos(tf.constant(math.pi) * completed))
        decayed = (1 - alpha) * cosine + alpha
        # NOTE: unnamed, as TF 2.x's CosineDecay (its output is 'CosineDecay/Mul_3').
        return tf.multiply(lr, decayed)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0, name=None):
    """SGDR: cosine decay with warm restarts every (growing) period."""
    if global_step is None:
        raise ValueError("cosine decay restarts requires global_step")
    tf = _tf()
    with graph_lib.name_scope(name, "SGDRDecay", [learning_rate, global_step]) as name:
        lr, gs, first = _prep(learning_rate, global_step, first_decay_steps)
        dtype = lr.dtype
        t_mul = tf.cast(t_mul, dtype)
        m_mul = tf.cast(m_mul, dtype)
        alpha = tf.cast(alpha, dtype)
        completed = gs / first
        if t_mul_value_is_one(t_mul):
            i_restart = tf.floor(completed)
            completed = completed - i_restart
        else:
            i_restart = tf.floor(tf.log(1.0 - completed * (1.0 - t_mul)) / tf.log(t_mul))
            sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
            completed = (completed - sum_r) / t_mul ** i_restart
        m_fac = m_mul ** i_restart
        cosine = 0.5 * m_fac * (1.0 + tf.cos(math.pi * completed))
        decayed = (1 - alpha) * cosine + alpha
        return tf.multiply(lr, decayed, name=name)


def t_mul_value_is_one(t):
    from tensorweave.framework import tensor_util

    v = tensor_util.constant_value(t)
    return v is not None and float(v) == 1.0


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """Linear times cosine decay (Bello et al.)."""
    if global_step is None:
        raise ValueError("linear cosine decay requires global_step")
    tf = _tf()
    with graph_lib.name_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as name:
        lr, gs, steps = _prep(learning_rate, global_step, decay_steps)
        gs = tf.minimum(gs, steps)
        linear = (steps - gs) / steps
        completed = 2 * num_periods * gs / steps
        cosine = 0.5 * (1.0 + tf.cos(math.pi * completed))
        decayed = (alpha + linear) * cosine + beta
        return tf.multiply(lr, decayed, name=name)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None):
    """Linear cosine decay with Gaussian noise whose variance decays with the step."""
    if global_step is None:
        raise ValueError("noisy linear cosine decay requires global_step")
    tf = _tf()
    with graph_lib.name_scope(name, "NoisyLinearCosineDecay",
                              [learning_rate, global_step]) as name:
        lr, gs, steps = _prep(learning_rate, global_step, decay_steps)
        gs = tf.minimum(gs, steps)
        variance = initial_variance / tf.pow(1.0 + gs, variance_decay)
        std = tf.sqrt(variance)
        linear = (steps - gs) / steps
        noisy_linear = linear + tf.random_normal(tf.shape(linear), stddev=std)
        completed = 2 * num_periods * gs / steps
        cosine = 0.5 * (1.0 + tf.cos(math.pi * completed))
        decayed = (alpha + noisy_linear) * cosine + beta
        return tf.multiply(lr, decayed, name=name)



