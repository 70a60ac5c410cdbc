"""Whole TF1 programs from the seed documents, run unchanged through the legacy runner."""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_PROGRAMS = os.path.join(HERE, "..", "..", "..", "shared", "programs")
MNIST = os.path.join(HERE, "..", "..", "..", "shared", "data", "mnist-split")
needs_mnist = pytest.mark.skipif(not os.path.isdir(MNIST), reason="shared MNIST split missing")


def run(path, env=None, timeout=900):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([sys.executable, "-m", "tensorweave", "run", path], capture_output=True,
                       text=True, timeout=timeout, env=e, cwd=os.path.dirname(path))
    assert r.returncode == 0, "%s failed:\n%s\n%s" % (path, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


@needs_mnist
def test_seed_softmax_reaches_085():
    out = run(os.path.join(SHARED_PROGRAMS, "seed_softmax.py"))
    accs = [float(a) for a in re.findall(r"accuracy is ([0-9.]+)", out)]
    assert len(accs) == 5 and accs[-1] > 0.85, out


@needs_mnist
@pytest.mark.slow
def test_seed_cnn_loss_falls():
    out = run(os.path.join(SHARED_PROGRAMS, "seed_cnn.py"))
    losses = [float(x) for x in re.findall(r"loss ([0-9.]+)", out)]
    assert len(losses) == 3 and losses[-1] < losses[0], out
    assert "test batch accuracy" in out


@needs_mnist
@pytest.mark.slow
def test_seed001_mlp_with_moving_averages_above_090():
    # NOTE: 3,000 of the program's 30,000 steps already pass 0.9 on the 2,000 test digits.
    out = run(os.path.join(HERE, "seed_mlp_ema.py"), env={"TRAIN_STEPS": "3000"})
    final = float(re.findall(r"model accuracy is ([0-9.]+)", out)[-1])
    assert final > 0.9, out


def test_seed002_004_graph_basics():
    out = run(os.path.join(HERE, "seed_graph_basics.py"))
    assert "[24. 35.]" in out and "5.2" in out and "trained; checkpoint: True" in out
    assert 'Tensor("answer:0", shape=(), dtype=float32)' in out
    assert "name/var2:0 name/var2:0 True" in out
    assert "uninitialized: Attempting to use uninitialized value Variable" in out


def test_seed002_vgg16_with_variable_scopes():
    out = run(os.path.join(HERE, "seed_vgg16.py"))
    assert 'Tensor("fc8/Relu:0", shape=(?, 10), dtype=float32)' in out
    assert "32 conv1_1/weight:0 fc8/bias:0" in out
    assert "vgg16 output (2, 10) True" in out
