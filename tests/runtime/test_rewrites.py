"""Plan-time rewrites: each switchable by RewriterConfig and giving identical results."""
import numpy as np
import pytest
from tensorboard.compat.proto import rewriter_config_pb2

import tensorweave as tf
from tensorweave.runtime import rewrites

OFF = rewriter_config_pb2.RewriterConfig.OFF


def _config(**toggles):
    cfg = tf.ConfigProto()
    for k, v in toggles.items():
        setattr(cfg.graph_options.rewrite_options, k, v)
    return cfg


def _all_off():
    return _config(constant_folding=OFF, arithmetic_optimization=OFF, dependency_optimization=OFF,
                   common_subgraph_elimination=OFF, remapping=OFF)


def _plan(sess):
    return max(sess._plans.values(), key=lambda p: len(p.ops))


def _train_graph(seed=1):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        y = tf.placeholder(tf.float32, [None, 3], name="y")
        w = tf.Variable(tf.truncated_normal([6, 5], stddev=0.3))
        b = tf.Variable(tf.constant(0.1, shape=[5]))
        h = tf.nn.relu(tf.matmul(x, w) + b)
        w2 = tf.Variable(tf.truncated_normal([5, 3], stddev=0.3))
        logits = tf.matmul(h, w2)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
    return g, x, y, loss, train, init


def _train(config, steps=5):
    g, x, y, loss, train, init = _train_graph()
    rng = np.random.default_rng(0)
    bx = rng.random((8, 6), dtype=np.float32)
    by = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    sess = tf.Session(graph=g, config=config)
    sess.run(init)
    losses = []
    for _ in range(steps):
        losses.append(sess.run([loss, train], {x: bx, y: by})[0])
    vals = sess.run(tf.compat.v1.trainable_variables(g) if hasattr(tf, "compat") and False
                    else g.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))
    return sess, losses, vals


@pytest.mark.parametrize("toggle", ["constant_folding", "arithmetic_optimization",
                                    "dependency_optimization", "common_subgraph_elimination",
                                    "remapping", None])
def test_training_identical_with_each_rewrite_off(toggle):
    _, ref_losses, ref_vals = _train(_all_off())
    cfg = _config(**{toggle: OFF}) if toggle else tf.ConfigProto()
    sess, losses, vals = _train(cfg)
    assert [np.float32(v).tobytes() for v in losses] == [
        np.float32(v).tobytes() for v in ref_losses]
    for a, b in zip(vals, ref_vals):
        assert a.tobytes() == b.tobytes()
    if toggle is None:
        plan = _plan(sess)
        rw = plan.rewrites
        assert rw.folded_ops > 0 and rw.consts and rw.alias
        fused = {st.op.type for st in plan.steps if id(st.op) in rw.fused}
        assert fused == {"Relu", "ReluGrad"}


def test_folding_removes_shape_arithmetic_from_gradient_plan():
    sess_on, _, _ = _train(tf.ConfigProto(), steps=1)
    sess_off, _, _ = _train(_all_off(), steps=1)
    on_types = [st.op.type for st in _plan(sess_on).steps]
    off_types = [st.op.type for st in _plan(sess_off).steps]
    assert len(on_types) < len(off_types)
    assert "Const" in off_types and "Const" not in on_types
    assert "Fill" in off_types and "Fill" not in on_types
    assert on_types.count("Identity") < off_types.count("Identity")


def test_identity_guard_still_orders_reads_after_writes():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(1.0)
        inc = tf.assign_add(v, 1.0)
        with tf.control_dependencies([inc]):
            read = tf.identity(v.read_value() if hasattr(v, "read_value") else v + 0.0)
        out = read * 10.0
        init = tf.global_variables_initializer()
    for inter in (0, 2):
        sess = tf.Session(graph=g, config=tf.ConfigProto(inter_op_parallelism_threads=inter))
        sess.run(init)
        assert sess.run(out) == 20.0
        assert sess.run(out) == 30.0


def test_dependency_optimization_skips_unused_gradient_but_keeps_effects():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(0.0)
        x = tf.placeholder(tf.float32, [2, 2])
        unused = tf.matmul(x, x, name="unused")
        inc = tf.assign_add(v, 1.0)
        with tf.control_dependencies([unused, tf.identity(inc)]):
            out = tf.identity(x * 2.0, name="out")
        init = tf.global_variables_initializer()
    for cfg, runs_unused in ((tf.ConfigProto(), False),
                             (_config(dependency_optimization=OFF), True)):
        sess = tf.Session(graph=g, config=cfg)
        sess.run(init)
        np.testing.assert_array_equal(sess.run(out, {x: np.ones((2, 2))}), 2 * np.ones((2, 2)))
        assert sess.run(v) == 1.0  # the assign still ran before `out`
        names = [op.name for op in _plan_for(sess, out).ops]
        assert ("unused" in names) == runs_unused


def test_fetched_group_runs_its_pure_members():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 2])
        mm = tf.matmul(x, x, name="mm")
        grp = tf.group(mm)
    sess = tf.Session(graph=g)
    md = tf.RunMetadata()
    assert sess.run(grp, {x: np.ones((2, 2))}, options=tf.RunOptions(
        trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md) is None
    assert "mm" in {n.node_name for d in md.step_stats.dev_stats for n in d.node_stats}


def _plan_for(sess, fetch):
    for p in sess._plans.values():
        if any(t is fetch for t in p.fetches):
            return p
    raise AssertionError("no plan")


def test_side_effect_ops_are_never_skipped():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        check = tf.debugging.check_numerics(x, "bad")
        with tf.control_dependencies([check]):
            y = tf.identity(x + 1.0)
    sess = tf.Session(graph=g)
    with pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(y, {x: np.array([1.0, np.nan], np.float32)})


def test_random_ops_are_not_folded_and_feeds_win():
    g = tf.Graph()
    with g.as_default():
        r = tf.random_uniform([3]) * tf.constant(2.0)
        c = tf.constant(2.0)
        d = c * 3.0
    sess = tf.Session(graph=g)
    a, b = sess.run(r), sess.run(r)
    assert not np.array_equal(a, b)
    assert sess.run(d) == 6.0
    assert sess.run(d, {c: 5.0}) == 15.0
    assert sess.run(d, {d: 1.0}) == 1.0


def test_fetched_folded_value_is_a_copy():
    g = tf.Graph()
    with g.as_default():
        s = tf.shape(tf.placeholder(tf.float32, [2, 3])) + 0
        k = tf.constant([1.0, 2.0]) * 2.0
    sess = tf.Session(graph=g)
    a = sess.run(k)
    a[0] = 100.0
    np.testing.assert_array_equal(sess.run(k), [2.0, 4.0])
    del s


def test_cse_merges_identical_ops():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        a = tf.exp(x)
        b = tf.exp(x)
        out = a + b
    for cfg, n_exp in ((tf.ConfigProto(), 1), (_config(common_subgraph_elimination=OFF), 2)):
        sess = tf.Session(graph=g, config=cfg)
        val = sess.run(out, {x: [0.0, 1.0, 2.0]})
        np.testing.assert_array_equal(val, 2 * np.exp(np.float32([0, 1, 2])))
        assert [st.op.type for st in _plan(sess).steps].count("Exp") == n_exp


def test_fused_bias_relu_identical_and_keeps_shared_add():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [4, 5])
        b = tf.constant(np.linspace(-1, 1, 5, dtype=np.float32))
        pre = tf.nn.bias_add(x, b)
        act = tf.nn.relu(pre)
        pre2 = x + b
        act2 = tf.nn.relu(pre2)
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((4, 5)).astype(np.float32)
    on = tf.Session(graph=g)
    off = tf.Session(graph=g, config=_config(remapping=OFF))
    assert on.run(act, {x: xv}).tobytes() == off.run(act, {x: xv}).tobytes()
    assert id(act.op) in _plan(on).rewrites.fused
    r_on = on.run([act2, pre2], {x: xv})  # pre2 is fetched: the add must stay a real step
    r_off = off.run([act2, pre2], {x: xv})
    assert all(a.tobytes() == b.tobytes() for a, b in zip(r_on, r_off))
    assert not _plan_for(on, act2).rewrites.fused


def test_settings_from_config():
    s = rewrites.Settings(tf.ConfigProto())
    assert s.constant_folding and s.cse and s.dependency and s.arithmetic and s.remapping
    cfg = tf.ConfigProto()
    cfg.graph_options.optimizer_options.opt_level = -1  # L0
    s = rewrites.Settings(cfg)
    assert not s.constant_folding and not s.cse and s.dependency
    cfg = tf.ConfigProto()
    cfg.graph_options.rewrite_options.disable_meta_optimizer = True
    s = rewrites.Settings(cfg)
    assert not (s.constant_folding or s.cse or s.dependency or s.arithmetic or s.remapping)
