"""A small MonitoredTrainingSession training run for the crash-recovery test.

usage: monitored_train_prog.py CKPT_DIR LAST_STEP [CRASH_AFTER_CHECKPOINT_N]
Prints 'final <global_step> <w>' at the end. With CRASH_AFTER_CHECKPOINT_N, the process is
killed (os._exit) two steps after the N-th checkpoint was written.
"""
import os
import sys

import numpy as np

import tensorweave as tf
from tensorweave.training import basic_session_run_hooks as hooks
from tensorweave.training import monitored_session as ms
from tensorweave.training import session_run_hook as srh


class _Start(srh.SessionRunHook):
    def begin(self):
        self._gs = tf.train.get_global_step()

    def after_create_session(self, session, coord):
        print("start %d" % session.run(self._gs), flush=True)


class _Crash(srh.SessionRunHook):
    def __init__(self, ckpt_dir, n):
        self._dir = ckpt_dir
        self._n = n
        self._seen = None

    def after_run(self, run_context, run_values):
        n = len([f for f in os.listdir(self._dir) if f.endswith(".index")])
        if n >= self._n:
            self._seen = (self._seen or 0) + 1
            if self._seen >= 2:
                sys.stdout.flush()
                os._exit(3)


def main():
    ckpt_dir, last_step = sys.argv[1], int(sys.argv[2])
    crash = int(sys.argv[3]) if len(sys.argv) > 3 else None
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 3)).astype(np.float32)
    ys = xs @ np.float32([[1.0], [-2.0], [0.5]])
    gs = tf.train.get_or_create_global_step()
    x = tf.constant(xs)
    y = tf.constant(ys)
    w = tf.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss, global_step=gs)
    final = hooks.FinalOpsHook([gs, w])
    hk = [hooks.StopAtStepHook(last_step=last_step), final, _Start()]
    if crash:
        hk.append(_Crash(ckpt_dir, crash))
    with ms.MonitoredTrainingSession(checkpoint_dir=ckpt_dir, save_checkpoint_steps=5,
                                     hooks=hk, log_step_count_steps=None) as sess:
        while not sess.should_stop():
            sess.run(train)
    step, wv = final.final_ops_values
    print("final %d %s" % (step, ",".join("%.6f" % v for v in wv.reshape(-1))))


if __name__ == "__main__":
    main()
