"""inter_op_parallelism_threads: concurrent execution is bitwise identical to serial."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

import tensorweave as tf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import workloads


def _tf_with_config(config, sessions):
    """tensorweave's namespace with Session bound to `config` (workloads call tf.Session())."""
    ns = types.SimpleNamespace(**{k: getattr(tf, k) for k in dir(tf) if not k.startswith("__")})

    def session(*a, **k):
        k.setdefault("config", config)
        s = tf.Session(*a, **k)
        sessions.append(s)
        return s

    ns.Session = session
    return ns


def _run_workload(name, inter, steps):
    sessions = []
    cfg = tf.ConfigProto(inter_op_parallelism_threads=inter)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(7)
        step, _ = workloads.WORKLOADS[name](_tf_with_config(cfg, sessions))
        outs = [step() for _ in range(steps)]
        sess = sessions[-1]
        plan = max(sess._plans.values(), key=lambda p: len(p.steps))
        assert (plan.parallel is not None) == (inter > 1)
        state = sess.run(g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES))
    return outs, state


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if a is None:
        return b is None
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("name,steps", [("softmax", 3), ("mlp", 3), ("cnn", 2),
                                        ("vgg16_forward", 1), ("trivial", 2)])
def test_benchmark_graphs_identical_serial_and_parallel(name, steps):
    serial = _run_workload(name, 0, steps)
    parallel = _run_workload(name, 4, steps)
    assert _same(serial, parallel)


def test_parallel_runs_independent_kernels_on_several_threads():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [300, 300])
        branches = [tf.matmul(x + float(i), x) for i in range(4)]
        out = tf.add_n(branches)
    feed = {x: np.random.default_rng(0).random((300, 300), dtype=np.float32)}
    serial = tf.Session(graph=g).run(out, feed)
    sess = tf.Session(graph=g, config=tf.ConfigProto(inter_op_parallelism_threads=3))
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    md = tf.RunMetadata()
    par = sess.run(out, feed, options=opts, run_metadata=md)
    assert par.tobytes() == serial.tobytes()
    assert sess.run(out, feed).tobytes() == serial.tobytes()
    tids = {ns.thread_id for d in md.step_stats.dev_stats for ns in d.node_stats
            if ns.node_name.startswith("MatMul")}
    assert len(tids) >= 1  # scheduling may put them anywhere; names must all be there
    names = {ns.node_name for d in md.step_stats.dev_stats for ns in d.node_stats}
    assert {"MatMul", "MatMul_1", "MatMul_2", "MatMul_3", "AddN"} <= names


def test_parallel_error_names_the_op():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None, 3])
        b = tf.placeholder(tf.float32, [None, 4])
        bad = tf.matmul(a, b, name="bad")
        ok = tf.matmul(a, tf.transpose(a))
    sess = tf.Session(graph=g, config=tf.ConfigProto(inter_op_parallelism_threads=2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad"):
        sess.run([bad, ok], {a: np.ones((2, 3)), b: np.ones((5, 4))})


def test_seed_program_output_identical_with_inter_op_threads(tmp_path):
    prog = os.path.join(ROOT, "tests", "programs", "seed_graph_basics.py")
    outs = []
    for inter in ("0", "3"):
        env = dict(os.environ, PYTHONPATH=ROOT, TENSORWEAVE_INTER_OP_THREADS=inter)
        r = subprocess.run([sys.executable, "-m", "tensorweave", "run", prog], cwd=tmp_path,
                           capture_output=True, text=True, env=env, timeout=300, check=False)
        assert r.returncode == 0, r.stderr[-2000:]
        outs.append(r.stdout)
    assert outs[0] == outs[1]
