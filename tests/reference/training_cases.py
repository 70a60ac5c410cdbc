"""Training reference cases (optimizers, schedules, EMA, losses, gradient names).

Builders here take the module under test as ``tf`` and never import TensorFlow, so the recorder
(record_optimizers.py, real TF) and the tests (tensorweave) build identical graphs.
"""

from __future__ import annotations

import numpy as np

STEPS = 20


def problem_arrays():
    """Fixed float32 data of the small regression problems (stored with the recordings)."""
    rng = np.random.default_rng(1234)
    return {
        "x": rng.standard_normal((5, 4)).astype(np.float32),
        "y": rng.standard_normal((5, 3)).astype(np.float32),
        "W0": (rng.standard_normal((4, 3)) * 0.5).astype(np.float32),
        "b0": (rng.standard_normal(3) * 0.1).astype(np.float32),
        "E0": (rng.standard_normal((6, 4)) * 0.5).astype(np.float32),
        "ids": np.array([0, 2, 2, 5, 3], dtype=np.int32),
    }


def build_problem(tf, kind, a):
    """Returns (loss, [variables]) for problem ``kind`` ('dense' or 'sparse')."""
    W = tf.Variable(a["W0"], name="W")
    b = tf.Variable(a["b0"], name="b")
    if kind == "dense":
        x = tf.constant(a["x"], name="x")
        variables = [W, b]
    else:
        E = tf.Variable(a["E0"], name="E")
        x = tf.gather(E, tf.constant(a["ids"], name="ids"))  # IndexedSlices gradient for E
        variables = [E, W, b]
    pred = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.square(pred - tf.constant(a["y"], name="y")), name="loss")
    return loss, variables


# (id, optimizer expression over tf and gs = the global step variable)
OPTIMIZERS = [
    ("sgd", "tf.train.GradientDescentOptimizer(0.1)"),
    ("momentum", "tf.train.MomentumOptimizer(0.05, 0.9)"),
    ("momentum_nesterov", "tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True)"),
    ("adam", "tf.train.AdamOptimizer(0.05)"),
    ("adam_params", "tf.train.AdamOptimizer(0.02, beta1=0.8, beta2=0.95, epsilon=1e-4)"),
    ("adagrad", "tf.train.AdagradOptimizer(0.2)"),
    ("adagrad_init", "tf.train.AdagradOptimizer(0.2, initial_accumulator_value=0.5)"),
    ("adagrad_da", "tf.train.AdagradDAOptimizer(0.2, global_step=gs)"),
    ("adagrad_da_l1l2", ("tf.train.AdagradDAOptimizer(0.2, global_step=gs, "
     "l1_regularization_strength=0.01, l2_regularization_strength=0.02)")),
    ("adadelta", "tf.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6)"),
    ("rmsprop", "tf.train.RMSPropOptimizer(0.01)"),
    ("rmsprop_momentum", "tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5)"),
    ("rmsprop_centered", "tf.train.RMSPropOptimizer(0.01, centered=True)"),
    ("rmsprop_centered_momentum",
     "tf.train.RMSPropOptimizer(0.01, momentum=0.9, epsilon=1e-6, centered=True)"),
    ("ftrl", "tf.train.FtrlOptimizer(0.2)"),
    ("ftrl_l1l2", ("tf.train.FtrlOptimizer(0.2, l1_regularization_strength=0.01, "
     "l2_regularization_strength=0.02)")),
    ("ftrl_power", ("tf.train.FtrlOptimizer(0.2, learning_rate_power=-0.6, "
     "initial_accumulator_value=0.2, l2_shrinkage_regularization_strength=0.01)")),
    ("proximal_sgd", "tf.train.ProximalGradientDescentOptimizer(0.1)"),
    ("proximal_sgd_l1l2", ("tf.train.ProximalGradientDescentOptimizer(0.1, "
     "l1_regularization_strength=0.01, l2_regularization_strength=0.02)")),
    ("proximal_adagrad", "tf.train.ProximalAdagradOptimizer(0.2)"),
    ("proximal_adagrad_l1l2", ("tf.train.ProximalAdagradOptimizer(0.2, "
     "l1_regularization_strength=0.01, l2_regularization_strength=0.02)")),
    ("sgd_decayed_lr", ("tf.train.GradientDescentOptimizer("
     "tf.train.exponential_decay(0.2, gs, 5, 0.5, staircase=True))")),
]


def build_optimizer_case(tf, expr, kind, a):
    """Fresh graph with the problem, global step, optimizer and train op."""
    graph = tf.Graph()
    with graph.as_default():
        loss, variables = build_problem(tf, kind, a)
        gs = tf.train.get_or_create_global_step()
        opt = eval(expr, {"tf": tf, "gs": gs})
        train = opt.minimize(loss, global_step=gs)
        init = tf.global_variables_initializer()
    return {"graph": graph, "loss": loss, "variables": variables, "gs": gs, "opt": opt, "train": train,
                "init": init}


def run_optimizer_case(tf, c):
    """Runs STEPS steps. Returns dict of arrays (losses, per-variable trajectories, slots)."""
    out = {}
    with tf.Session(graph=c["graph"]) as sess:
        sess.run(c["init"])
        losses, traj = [], {v.op.name: [] for v in c["variables"]}
        for _ in range(STEPS):
            losses.append(sess.run(c["loss"]))
            sess.run(c["train"])
            for v, val in zip(c["variables"], sess.run(c["variables"])):
                traj[v.op.name].append(val)
        losses.append(sess.run(c["loss"]))
        out["losses"] = np.array(losses)
        for name, vals in traj.items():
            out[f"var/{name}"] = np.stack(vals)
        out["global_step"] = np.asarray(sess.run(c["gs"]))
        for v in c["variables"]:
            for s in c["opt"].get_slot_names():
                slot = c["opt"].get_slot(v, s)
                if slot is not None:
                    out[f"slot/{v.op.name}/{s}"] = sess.run(slot)
    return out


def optimizer_names(tf, c):
    with c["graph"].as_default():
        slots = {}
        for v in c["variables"]:
            for s in c["opt"].get_slot_names():
                slot = c["opt"].get_slot(v, s)
                slots[f"{v.op.name}/{s}"] = None if slot is None else slot.name
        return {
            "slot_names": list(c["opt"].get_slot_names()),
            "slots": slots,
            "global_variables": [v.name for v in tf.global_variables()],
            "trainable_variables": [v.name for v in tf.trainable_variables()],
            "train_op": [c["train"].name, c["train"].type],
            "optimizer_variables": sorted(v.name for v in c["opt"].variables()),
        }


# ------------------------------------------------------------------ learning-rate schedules
SCHEDULE_STEPS = [0, 1, 2, 5, 9, 10, 11, 20, 25, 50, 99, 100, 101, 150, 250]
SCHEDULES = [
    ("exponential_decay", "tf.train.exponential_decay(0.1, gs, 10, 0.9)"),
    ("exponential_decay_staircase",
     "tf.train.exponential_decay(0.1, gs, 10, 0.5, staircase=True)"),
    ("exponential_decay_f64",
     "tf.train.exponential_decay(tf.constant(0.1, tf.float64), gs, 7, 0.8)"),
    ("piecewise_constant", "tf.train.piecewise_constant(gs, [10, 50], [1.0, 0.5, 0.1])"),
    ("piecewise_constant_int64", ("tf.train.piecewise_constant(gs, [np.int64(5), np.int64(100)], "
     "[0.3, 0.2, 0.01])")),
    ("polynomial_decay", "tf.train.polynomial_decay(0.1, gs, 100, 0.001)"),
    ("polynomial_decay_power", "tf.train.polynomial_decay(0.1, gs, 100, 0.01, power=0.5)"),
    ("polynomial_decay_cycle",
     "tf.train.polynomial_decay(0.1, gs, 30, 0.01, power=2.0, cycle=True)"),
    ("natural_exp_decay", "tf.train.natural_exp_decay(0.1, gs, 10, 0.5)"),
    ("natural_exp_decay_staircase",
     "tf.train.natural_exp_decay(0.1, gs, 10, 0.5, staircase=True)"),
    ("inverse_time_decay", "tf.train.inverse_time_decay(0.1, gs, 10, 0.5)"),
    ("inverse_time_decay_staircase",
     "tf.train.inverse_time_decay(0.1, gs, 10, 0.5, staircase=True)"),
    ("cosine_decay", "tf.train.cosine_decay(0.1, gs, 100)"),
    ("cosine_decay_alpha", "tf.train.cosine_decay(0.1, gs, 100, alpha=0.1)"),
    ("cosine_decay_restarts", "tf.train.cosine_decay_restarts(0.1, gs, 20)"),
    ("cosine_decay_restarts_params",
     "tf.train.cosine_decay_restarts(0.1, gs, 10, t_mul=1.5, m_mul=0.8, alpha=0.05)"),
    ("linear_cosine_decay", "tf.train.linear_cosine_decay(0.1, gs, 100)"),
    ("linear_cosine_decay_params",
     "tf.train.linear_cosine_decay(0.1, gs, 50, num_periods=2.0, alpha=0.1, beta=0.01)"),
    ("noisy_linear_cosine_decay_shape", "tf.shape(tf.train.noisy_linear_cosine_decay(0.1, gs, 100))"),
]


def build_schedule(tf, expr):
    graph = tf.Graph()
    with graph.as_default():
        gs = tf.placeholder(tf.int64, [], name="global_step")
        lr = eval(expr, {"tf": tf, "gs": gs, "np": np})
    return graph, gs, lr


# ------------------------------------------------------------------ exponential moving average
EMA_STEPS = 10
EMAS = [
    ("ema_num_updates", "tf.train.ExponentialMovingAverage(0.99, num_updates=step)"),
    ("ema_plain", "tf.train.ExponentialMovingAverage(0.7)"),
    ("ema_num_updates_09", "tf.train.ExponentialMovingAverage(decay=0.9, num_updates=step)"),
    ("ema_named", "tf.train.ExponentialMovingAverage(0.8, name='avg')"),
]


def ema_arrays():
    rng = np.random.default_rng(99)
    return {
        "v_seq": rng.standard_normal((EMA_STEPS, 3)).astype(np.float32),
        "w_seq": rng.standard_normal(EMA_STEPS).astype(np.float32),
    }


def build_ema(tf, expr):
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable([1.0, 2.0, 3.0], name="v")
        w = tf.Variable(5.0, name="w")
        step = tf.Variable(0, trainable=False, name="step")
        ema = eval(expr, {"tf": tf, "step": step})
        maintain = ema.apply([v, w])
        new_v = tf.placeholder(tf.float32, [3], name="new_v")
        new_w = tf.placeholder(tf.float32, [], name="new_w")
        assign = tf.group(tf.assign(v, new_v), tf.assign(w, new_w))
        inc = tf.assign_add(step, 1)
        init = tf.global_variables_initializer()
    return {"graph": graph, "v": v, "w": w, "step": step, "ema": ema, "maintain": maintain, "new_v": new_v,
                "new_w": new_w, "assign": assign, "inc": inc, "init": init}


def run_ema(tf, c, arrays):
    shadows_v, shadows_w = [], []
    with tf.Session(graph=c["graph"]) as sess:
        sess.run(c["init"])
        for i in range(EMA_STEPS):
            sess.run(c["assign"], {c["new_v"]: arrays["v_seq"][i], c["new_w"]: arrays["w_seq"][i]})
            sess.run(c["maintain"])
            sess.run(c["inc"])
            sv, sw = sess.run([c["ema"].average(c["v"]), c["ema"].average(c["w"])])
            shadows_v.append(sv)
            shadows_w.append(sw)
    return {"shadow_v": np.stack(shadows_v), "shadow_w": np.array(shadows_w)}


def ema_names(tf, c):
    with c["graph"].as_default():
        ema = c["ema"]
        return {
            "average_name_v": ema.average_name(c["v"]),
            "average_name_w": ema.average_name(c["w"]),
            "average_v": ema.average(c["v"]).name,
            "average_w": ema.average(c["w"]).name,
            "variables_to_restore": sorted(ema.variables_to_restore().keys()),
            "maintain_op": [c["maintain"].name, c["maintain"].type],
            "global_variables": [v.name for v in tf.global_variables()],
            "moving_average_variables": [v.name for v in tf.moving_average_variables()],
        }


# ------------------------------------------------------------------ tf.losses
# Same format as op_cases (expr over named placeholder inputs); run by reflib.build_case.
def _i(name, shape, kind="normal", dtype="T"):
    return [name, list(shape), kind, dtype]


LABELS = _i("labels", [4, 3])
PREDS = _i("predictions", [4, 3])
WEIGHTS_ROW = _i("weights", [4, 1], "int:0:3")  # includes zero weights
REDUCTIONS = ["NONE", "SUM", "MEAN", "SUM_OVER_BATCH_SIZE", "SUM_BY_NONZERO_WEIGHTS",
              "SUM_OVER_NONZERO_WEIGHTS"]
LOSSES = []


def _loss(id, expr, *inputs, dtypes=("float32", "float64")):
    LOSSES.append({"id": id, "expr": expr, "inputs": [list(i) for i in inputs], "dtypes": list(dtypes),
                       "unknown": True, "novalue": False, "tol": {}, "note": None})


for _red in REDUCTIONS:
    _loss(f"mse_{_red.lower()}", "tf.losses.mean_squared_error(labels, predictions, "
          f"weights=weights, reduction=tf.losses.Reduction.{_red})", LABELS, PREDS, WEIGHTS_ROW)
    _loss(f"absdiff_{_red.lower()}", "tf.losses.absolute_difference(labels, predictions, "
          f"weights=weights, reduction=tf.losses.Reduction.{_red})", LABELS, PREDS, WEIGHTS_ROW)
_loss("mse", "tf.losses.mean_squared_error(labels, predictions)", LABELS, PREDS)
_loss("mse_scalar_weight", "tf.losses.mean_squared_error(labels, predictions, weights=2.0)",
      LABELS, PREDS)
_loss("mse_full_weights", "tf.losses.mean_squared_error(labels, predictions, weights=weights)",
      LABELS, PREDS, _i("weights", [4, 3], "unit"))
_loss("absolute_difference", "tf.losses.absolute_difference(labels, predictions)", LABELS, PREDS)
_loss("huber", "tf.losses.huber_loss(labels, predictions)", LABELS, PREDS)
_loss("huber_delta", "tf.losses.huber_loss(labels, predictions, weights=weights, delta=0.5)",
      LABELS, PREDS, WEIGHTS_ROW)
_loss("hinge", "tf.losses.hinge_loss(labels, logits)", _i("labels", [4, 3], "int:0:2"),
      _i("logits", [4, 3]))
_loss("hinge_none", "tf.losses.hinge_loss(labels, logits, reduction=tf.losses.Reduction.NONE)",
      _i("labels", [4, 3], "int:0:2"), _i("logits", [4, 3]))
_loss("log_loss", "tf.losses.log_loss(labels, predictions)", _i("labels", [4, 3], "int:0:2"),
      _i("predictions", [4, 3], "unit"))
_loss("log_loss_weights", "tf.losses.log_loss(labels, predictions, weights=weights, "
      "epsilon=1e-4, reduction=tf.losses.Reduction.SUM)", _i("labels", [4, 3], "int:0:2"),
      _i("predictions", [4, 3], "unit"), WEIGHTS_ROW)
_loss("cosine_distance", "tf.losses.cosine_distance(tf.nn.l2_normalize(labels, 1), "
      "tf.nn.l2_normalize(predictions, 1), axis=1)", LABELS, PREDS)
_loss("cosine_distance_none", "tf.losses.cosine_distance(tf.nn.l2_normalize(labels, 1), "
      "tf.nn.l2_normalize(predictions, 1), axis=1, reduction=tf.losses.Reduction.NONE)",
      LABELS, PREDS)
_loss("sigmoid_xent", "tf.losses.sigmoid_cross_entropy(labels, logits)",
      _i("labels", [4, 3], "int:0:2"), _i("logits", [4, 3]))
_loss("sigmoid_xent_smooth", "tf.losses.sigmoid_cross_entropy(labels, logits, weights=weights, "
      "label_smoothing=0.1)", _i("labels", [4, 3], "int:0:2"), _i("logits", [4, 3]), WEIGHTS_ROW)
_loss("softmax_xent", "tf.losses.softmax_cross_entropy(tf.one_hot(labels, 3, dtype=DT), logits)",
      _i("labels", [4], "int:0:3", "int32"), _i("logits", [4, 3]))
_loss("softmax_xent_smooth", "tf.losses.softmax_cross_entropy(tf.one_hot(labels, 3, dtype=DT), "
      "logits, weights=weights, label_smoothing=0.2)", _i("labels", [4], "int:0:3", "int32"),
      _i("logits", [4, 3]), _i("weights", [4], "int:0:3"))
_loss("softmax_xent_sum", "tf.losses.softmax_cross_entropy(tf.one_hot(labels, 3, dtype=DT), "
      "logits, reduction=tf.losses.Reduction.SUM)", _i("labels", [4], "int:0:3", "int32"),
      _i("logits", [4, 3]))
_loss("sparse_softmax_xent", "tf.losses.sparse_softmax_cross_entropy(labels, logits)",
      _i("labels", [4], "int:0:3", "int64"), _i("logits", [4, 3]))
_loss("sparse_softmax_xent_weights", "tf.losses.sparse_softmax_cross_entropy(labels, logits, "
      "weights=weights, reduction=tf.losses.Reduction.NONE)",
      _i("labels", [4], "int:0:3", "int32"), _i("logits", [4, 3]), _i("weights", [4], "unit"))
_loss("compute_weighted_loss", "tf.losses.compute_weighted_loss(x, weights=weights)",
      _i("x", [4, 3]), WEIGHTS_ROW)
_loss("total_loss", "[tf.losses.mean_squared_error(labels, predictions), "
      "tf.losses.absolute_difference(labels, predictions, loss_collection=None), "
      "tf.losses.huber_loss(labels, predictions), tf.losses.get_losses(), "
      "tf.losses.get_total_loss(add_regularization_losses=False)]", LABELS, PREDS,
      dtypes=("float32",))


# ------------------------------------------------------------------ gradient graphs
# Snippets (as name_cases) that build a graph and call tf.gradients. They fill R (things whose
# names are recorded, as reflib.describe) and V (tensors whose values are recorded).
GRAD_SNIPPETS = []


def _grad(id, code):
    GRAD_SNIPPETS.append({"id": id, "code": code.strip("\n")})


_grad("mlp", """
x = tf.constant(np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32), name='x')
t = tf.constant(np.linspace(0, 1, 6).reshape(3, 2).astype(np.float32), name='t')
W = tf.Variable(np.linspace(-0.5, 0.5, 8).reshape(4, 2).astype(np.float32), name='W')
b = tf.Variable(np.array([0.1, -0.2], np.float32), name='b')
y = tf.nn.relu(tf.matmul(x, W) + b)
loss = tf.reduce_mean(tf.square(y - t))
gW, gb = tf.gradients(loss, [W, b])
R.update(gW=gW, gb=gb)
V.update(gW=gW, gb=gb)
""")

_grad("softmax_xent", """
x = tf.constant(np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32), name='x')
labels = tf.constant([0, 2, 1], dtype=tf.int64)
W = tf.Variable(np.linspace(-0.5, 0.5, 12).reshape(4, 3).astype(np.float32), name='W')
b = tf.Variable(np.zeros(3, np.float32), name='b')
logits = tf.matmul(x, W) + b
xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
loss = tf.reduce_mean(xent)
onehot = tf.one_hot(labels, 3)
loss2 = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits))
g = tf.gradients([loss, loss2], [W, b, x])
R['g'] = g
V.update(gW=g[0], gb=g[1], gx=g[2])
""")

_grad("conv_pool", """
x = tf.constant(np.linspace(-1, 1, 50).reshape(1, 5, 5, 2).astype(np.float32), name='x')
w = tf.Variable(np.linspace(-0.3, 0.3, 36).reshape(3, 3, 2, 2).astype(np.float32), name='w')
h = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME')
p = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
a = tf.nn.avg_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='VALID')
loss = tf.reduce_sum(p) + tf.reduce_sum(a * a)
gw, gx = tf.gradients(loss, [w, x])
R.update(gw=gw, gx=gx)
V.update(gw=gw, gx=gx)
""")

_grad("gather_indexed_slices", """
E = tf.Variable(np.linspace(-1, 1, 12).reshape(4, 3).astype(np.float32), name='E')
ids = tf.constant([0, 2, 2], name='ids')
e = tf.gather(E, ids)
loss = tf.reduce_sum(e * e)
g, = tf.gradients(loss, [E])
R['values'] = g.values
R['indices'] = g.indices
R['dense_shape'] = g.dense_shape
R['is_indexed_slices'] = isinstance(g, tf.IndexedSlices)
dense = tf.convert_to_tensor(g)
R['dense'] = dense
V.update(values=g.values, indices=g.indices, dense=dense)
""")

_grad("options", """
a = tf.constant([1.0, 2.0, 3.0], name='a')
b = tf.constant([0.5, -1.0, 2.0], name='b')
c = a * b
d = tf.stop_gradient(c) + a * a
e = tf.reduce_sum(c * c)
unused = tf.constant(1.0, name='unused')
g1 = tf.gradients(d, [a, b], name='my_grads')
g2 = tf.gradients([c, d], a, grad_ys=[tf.constant([1.0, 0.0, 2.0]), None])
g3 = tf.gradients(e, [a, unused])
g4 = tf.gradients(e, a, stop_gradients=[c])
g5 = tf.gradients(c, b)
R.update(g1=g1, g2=g2, g3=g3, g4=g4, g5=g5)
V.update(g1a=g1[0], g2a=g2[0], g3a=g3[0], g5b=g5[0])
""")

_grad("compute_gradients", """
x = tf.constant(np.linspace(-1, 1, 8).reshape(2, 4).astype(np.float32), name='x')
W = tf.Variable(np.linspace(-0.5, 0.5, 12).reshape(4, 3).astype(np.float32), name='W')
b = tf.Variable(np.zeros(3, np.float32), name='b')
loss = tf.reduce_mean(tf.square(tf.nn.tanh(tf.matmul(x, W) + b)))
opt = tf.train.GradientDescentOptimizer(0.1)
gvs = opt.compute_gradients(loss)
R['grads'] = [g for g, v in gvs]
R['vars'] = [v for g, v in gvs]
clipped, norm = tf.clip_by_global_norm([g for g, v in gvs], 0.1)
R['clipped'] = clipped
R['norm'] = norm
train = opt.apply_gradients(list(zip(clipped, [v for g, v in gvs])))
R['train'] = train
V.update(gW=gvs[0][0], gb=gvs[1][0], norm=norm, cW=clipped[0])
""")

_grad("cond", """
x = tf.Variable(np.array([1.0, -2.0, 3.0], np.float32), name='x')
p = tf.constant(True)
y = tf.cond(p, lambda: tf.reduce_sum(x * x), lambda: tf.reduce_sum(x))
g, = tf.gradients(y, [x])
R['g'] = g
V['g'] = g
""")

_grad("batch_norm", """
x = tf.constant(np.linspace(-1, 1, 24).reshape(2, 3, 4).astype(np.float32), name='x')
scale = tf.Variable(np.linspace(0.5, 1.5, 4).astype(np.float32), name='scale')
offset = tf.Variable(np.zeros(4, np.float32), name='offset')
mean, var = tf.nn.moments(x, [0, 1])
y = tf.nn.batch_normalization(x, mean, var, offset, scale, 1e-3)
loss = tf.reduce_sum(y * tf.constant(np.linspace(-1, 2, 4).astype(np.float32)))
g = tf.gradients(loss, [x, scale, offset])
R['g'] = g
V.update(gx=g[0], gscale=g[1], goffset=g[2])
""")


def exec_grad_snippet(tf, code):
    graph = tf.Graph()
    with graph.as_default():
        ns = {"tf": tf, "np": np, "R": {}, "V": {}}
        exec(code, ns)  # noqa: S102
        init = tf.global_variables_initializer()
    return graph, ns["R"], ns["V"], init
