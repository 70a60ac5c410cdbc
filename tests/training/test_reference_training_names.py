"""Gradient and training graph names recorded from real TensorFlow.

For small graphs differentiated with ``tf.gradients`` (and ``compute_gradients``), the full
``(op.name, op.type)`` list must match TF exactly (``gradients/MatMul_grad/MatMul``, ...), as must
the selected gradient tensors (names, dtypes, static shapes, ``None`` for unconnected inputs) and
their values. Also the complete op lists of every optimizer's training graph and of the
ExponentialMovingAverage graphs.

The module under test is tensorweave; ``TW_REFERENCE_MODULE=tensorflow.compat.v1`` runs the
same tests against real TensorFlow to check the harness.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

REF = Path(__file__).resolve().parents[1] / "reference"


def _load(name, filename):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REF / filename)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


reflib = _load("tw_reference_reflib", "reflib.py")
tc = _load("tw_reference_training_cases", "training_cases.py")
META = reflib.load_json("optimizers.json")
ARRAYS = reflib.load_arrays("optimizers.npz")
PROBLEM = {k.split("/", 1)[1]: v for k, v in ARRAYS.items() if k.startswith("problem/")}


@pytest.fixture(scope="module")
def tf():
    return reflib.load_module_under_test()


def _assert_ops(got, want, what):
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{what}: op #{i} is {g}, TF created {w}"
    assert len(got) == len(want), (
        f"{what}: {len(got)} ops, TF created {len(want)}; "
        f"extra/missing: {got[len(want):] or want[len(got):]}"
    )


@pytest.mark.parametrize("gid", sorted(META["gradients"]))
def test_gradient_graph_names(tf, gid):
    rec = META["gradients"][gid]
    graph, _r, _, _ = tc.exec_grad_snippet(tf, rec["code"])
    _assert_ops(reflib.op_list(graph), rec["ops"], gid)


@pytest.mark.parametrize("gid", sorted(META["gradients"]))
def test_gradient_selected_tensors(tf, gid):
    rec = META["gradients"][gid]
    _graph, r, _, _ = tc.exec_grad_snippet(tf, rec["code"])
    got = {k: reflib.describe(tf, v) for k, v in r.items()}
    assert sorted(got) == sorted(rec["selected"])
    for key, want in sorted(rec["selected"].items()):
        assert got[key] == want, f"{gid}: R[{key!r}]"


@pytest.mark.parametrize("gid", sorted(META["gradients"]))
def test_gradient_values(tf, gid):
    rec = META["gradients"][gid]
    graph, _, v, init = tc.exec_grad_snippet(tf, rec["code"])
    assert sorted(v) == rec["values"]
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        vals = sess.run([v[n] for n in rec["values"]])
    for n, val in zip(rec["values"], vals):
        reflib.assert_values_close(np.asarray(val), ARRAYS[f"grad/{gid}/{n}"], None,
                                   what=f"{gid}: {n}")


@pytest.mark.parametrize("key", sorted(META["optimizers"]))
def test_optimizer_graph_names(tf, key):
    rec = META["optimizers"][key]
    c = tc.build_optimizer_case(tf, rec["expr"], rec["kind"], PROBLEM)
    _assert_ops(reflib.op_list(c["graph"]), rec["ops"], key)


@pytest.mark.parametrize("eid", sorted(META["emas"]))
def test_ema_graph_names(tf, eid):
    rec = META["emas"][eid]
    c = tc.build_ema(tf, rec["expr"])
    _assert_ops(reflib.op_list(c["graph"]), rec["ops"], eid)
