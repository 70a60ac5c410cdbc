"""MonitoredSession / MonitoredTrainingSession, hooks, queue runners and crash recovery."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.data.dataset import Dataset
from tensorweave.ops import data_flow_ops as dfo
from tensorweave.training import basic_session_run_hooks as hooks
from tensorweave.training import monitored_session as ms
from tensorweave.training import queue_runner as qr_lib
from tensorweave.training import session_run_hook as srh

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _train_graph():
    gs = tf.train.get_or_create_global_step()
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(1.0))
    loss = tf.square(w - 3.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)
    return gs, w, loss, train


class _Recorder(srh.SessionRunHook):
    def __init__(self, fetch):
        self.fetch = fetch
        self.calls = []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("create")
        assert coord is not None and tf.get_default_graph().finalized

    def before_run(self, run_context):
        self.calls.append("before")
        return srh.SessionRunArgs(self.fetch)

    def after_run(self, run_context, run_values):
        self.calls.append(("after", int(run_values.results)))

    def end(self, session):
        self.calls.append("end")


def test_hooks_order_stop_at_step_and_final_ops():
    gs, w, loss, train = _train_graph()
    rec = _Recorder(gs)
    final = hooks.FinalOpsHook(w)
    with ms.MonitoredSession(hooks=[hooks.StopAtStepHook(num_steps=3), rec, final]) as sess:
        n = 0
        while not sess.should_stop():
            sess.run(train)
            n += 1
    assert n == 3
    assert rec.calls[:3] == ["begin", "create", "before"]
    afters = [c[1] for c in rec.calls if isinstance(c, tuple)]
    # NOTE: a ref-variable fetch next to its update may see either value (as in TF).
    assert afters in ([0, 1, 2], [1, 2, 3])
    assert rec.calls[-1] == "end"
    np.testing.assert_allclose(final.final_ops_values, 3 - 2 * 0.8 ** 3, rtol=1e-6)
    assert not tf.get_default_graph().finalized


def test_feed_fn_logging_and_nan_hooks(caplog):
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with ms.MonitoredSession(hooks=[hooks.FeedFnHook(lambda: {x: 4.0}),
                                    hooks.LoggingTensorHook({"y": y}, every_n_iter=1)]) as sess:
        assert sess.run(y) == 8.0
    nan = tf.constant(float("nan"))
    with pytest.raises(hooks.NanLossDuringTrainingError):
        with ms.MonitoredSession(hooks=[hooks.NanTensorHook(nan)]) as sess:
            sess.run(nan)
    with ms.MonitoredSession(hooks=[hooks.NanTensorHook(nan, fail_on_nan_loss=False)]) as sess:
        sess.run(nan)
        assert sess.should_stop()


def test_monitored_session_runs_queue_runners_and_ends_on_out_of_range():
    src = Dataset.from_tensor_slices(tf.constant(list(range(30)))).make_one_shot_iterator()
    q = dfo.FIFOQueue(8, [tf.int32], shapes=[[]])
    qr_lib.add_queue_runner(qr_lib.QueueRunner(q, [q.enqueue(src.get_next())] * 3))
    deq = q.dequeue_many(5)
    got = []
    with ms.MonitoredSession() as sess:
        while not sess.should_stop():
            got.extend(sess.run(deq).tolist())
    assert sorted(got) == list(range(30))


def test_singular_session_and_scaffold_init_fn():
    gs, w, loss, train = _train_graph()
    seen = []
    scaffold = ms.Scaffold(init_fn=lambda scaffold, sess: seen.append(sess.run(w)))
    with ms.SingularMonitoredSession(scaffold=scaffold) as sess:
        assert sess.raw_session().run(w) == 1.0
        sess.run(train)
    assert seen == [1.0]


def test_recoverable_session_recreates_after_aborted():
    gs, w, loss, train = _train_graph()

    class _AbortOnce(srh.SessionRunHook):
        def __init__(self):
            self.n = 0
            self.created = 0

        def after_create_session(self, session, coord):
            self.created += 1

        def before_run(self, run_context):
            self.n += 1
            if self.n == 2:
                raise tf.errors.AbortedError(None, None, "preempted")

    h = _AbortOnce()
    with ms.MonitoredSession(hooks=[h]) as sess:
        sess.run(train)
        sess.run(train)
    assert h.created == 2


def test_monitored_training_session_checkpoints(tmp_path):
    gs, w, loss, train = _train_graph()
    d = str(tmp_path)
    with ms.MonitoredTrainingSession(checkpoint_dir=d, save_checkpoint_steps=2,
                                     hooks=[hooks.StopAtStepHook(last_step=5)]) as sess:
        while not sess.should_stop():
            sess.run(train)
    from tensorweave.formats import checkpoint_state

    assert checkpoint_state.latest_checkpoint(d).endswith("model.ckpt-5")
    steps = sorted(int(f.split("-")[1].split(".")[0]) for f in os.listdir(d)
                   if f.endswith(".index"))
    assert steps == [0, 2, 4, 5]
    assert os.path.exists(os.path.join(d, "graph.pbtxt"))
    # A new session restores instead of initializing.
    tf.reset_default_graph()
    gs, w, loss, train = _train_graph()
    final = hooks.FinalOpsHook([gs, w])
    with ms.MonitoredTrainingSession(checkpoint_dir=d, save_checkpoint_steps=100,
                                     hooks=[final]) as sess:
        pass
    assert final.final_ops_values[0] == 5


def _run_prog(ckpt, *args):
    prog = os.path.join(HERE, "monitored_train_prog.py")
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, prog, ckpt, *args], capture_output=True, text=True,
                          timeout=180, env=env, cwd=ROOT)


def test_crash_recovery_resumes_from_second_checkpoint(tmp_path):
    crashed = str(tmp_path / "crashed")
    clean = str(tmp_path / "clean")
    r1 = _run_prog(crashed, "20", "2")
    assert r1.returncode == 3, r1.stderr
    assert "final" not in r1.stdout
    r2 = _run_prog(crashed, "20")
    assert r2.returncode == 0, r2.stderr
    assert "start 5" in r2.stdout  # restored from the 2nd checkpoint (steps 0 and 5)
    r3 = _run_prog(clean, "20")
    assert r3.returncode == 0, r3.stderr
    f2 = [ln for ln in r2.stdout.splitlines() if ln.startswith("final")][0]
    f3 = [ln for ln in r3.stdout.splitlines() if ln.startswith("final")][0]
    assert f2.split()[1] == f3.split()[1] == "20"
    np.testing.assert_allclose([float(v) for v in f2.split()[2].split(",")],
                               [float(v) for v in f3.split()[2].split(",")], rtol=1e-6)
