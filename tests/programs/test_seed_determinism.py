"""A TF1 program with tf.set_random_seed prints the same numbers on every run."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy as np
    import tensorflow as tf
    tf.set_random_seed(1234)
    w = tf.Variable(tf.truncated_normal([3, 4], stddev=0.1))
    x = tf.random_normal([2, 3], seed=7)
    d = tf.nn.dropout(tf.ones([8]), keep_prob=0.5)
    s = tf.random_shuffle(tf.range(10))
    y = tf.matmul(x, w)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(y * y))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        out = sess.run([w, x, d, s, tf.random_uniform([2])])
    print(repr([np.round(np.asarray(o, np.float64), 7).tolist() for o in out]))
""")


def _run(tmp_path):
    p = tmp_path / "seeded.py"
    p.write_text(SCRIPT)
    r = subprocess.run([sys.executable, "-m", "tensorweave", "run", str(p)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_seeded_program_is_reproducible(tmp_path):
    first = _run(tmp_path)
    assert first == _run(tmp_path)
    assert "nan" not in first
