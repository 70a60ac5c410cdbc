"""Training references recorded from real TensorFlow: optimizers, schedules, EMA, tf.losses.

Data: tests/data/reference/optimizers.json + .npz from tests/reference/record_optimizers.py
(cases in tests/reference/training_cases.py). Optimizer trajectories (20 steps, every variable
after every step, a dense problem and one whose embedding gets IndexedSlices gradients) must
match to 1e-5 relative; slot names, slot variable names and global variable names exactly.

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
EMA_IN = {k.split("/", 1)[1]: v for k, v in ARRAYS.items() if k.startswith("ema_in/")}

# NOTE: float32 trajectories; 1e-5 relative as the training issue asks, with a small absolute
# floor for entries that pass through zero (L1-regularised optimizers set weights to exactly 0).
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def tf():
    return reflib.load_module_under_test()


def _expr_of(oid):
    return dict(tc.OPTIMIZERS)[oid]


@pytest.mark.parametrize("key", sorted(META["optimizers"]))
def test_optimizer_trajectory(tf, key):
    rec = META["optimizers"][key]
    c = tc.build_optimizer_case(tf, rec["expr"], rec["kind"], PROBLEM)
    got = tc.run_optimizer_case(tf, c)
    assert sorted(got) == rec["arrays"], f"{key}: recorded arrays (variables/slots) differ"
    for name in ["losses"] + [n for n in rec["arrays"] if n.startswith("var/")]:
        np.testing.assert_allclose(got[name], ARRAYS[f"opt/{key}/{name}"], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{key}: {name}")
    assert int(got["global_step"]) == int(ARRAYS[f"opt/{key}/global_step"])
    for name in [n for n in rec["arrays"] if n.startswith("slot/")]:
        np.testing.assert_allclose(got[name], ARRAYS[f"opt/{key}/{name}"], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{key}: {name}")


@pytest.mark.parametrize("key", sorted(META["optimizers"]))
def test_optimizer_names(tf, key):
    rec = META["optimizers"][key]
    c = tc.build_optimizer_case(tf, rec["expr"], rec["kind"], PROBLEM)
    got = tc.optimizer_names(tf, c)
    for field in ["slot_names", "slots", "global_variables", "trainable_variables",
                  "optimizer_variables", "train_op"]:
        assert got[field] == rec[field], f"{key}: {field}"


@pytest.mark.parametrize("sid", sorted(META["schedules"]))
def test_learning_rate_schedule(tf, sid):
    rec = META["schedules"][sid]
    graph, gs, lr = tc.build_schedule(tf, rec["expr"])
    assert reflib.describe_tensor(lr) == rec["output"]
    with tf.Session(graph=graph) as sess:
        got = np.stack([sess.run(lr, {gs: s}) for s in META["schedule_steps"]])
    want = ARRAYS[f"schedule/{sid}"]
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8, err_msg=sid)


@pytest.mark.parametrize("eid", sorted(META["emas"]))
def test_exponential_moving_average(tf, eid):
    rec = META["emas"][eid]
    c = tc.build_ema(tf, rec["expr"])
    names = tc.ema_names(tf, c)
    for field, want in names.items():
        assert want == rec[field], f"{eid}: {field}"
    got = tc.run_ema(tf, c, EMA_IN)
    for k, v in got.items():
        np.testing.assert_allclose(v, ARRAYS[f"ema/{eid}/{k}"], rtol=1e-6, atol=1e-7,
                                   err_msg=f"{eid}: {k}")


@pytest.mark.parametrize("key", sorted(META["losses"]))
@pytest.mark.parametrize("variant", ["known", "unknown"])
def test_losses(tf, key, variant):
    meta = META["losses"][key]
    graph, phs, outs = reflib.build_case(tf, meta, variant)
    got = [reflib.describe_tensor(t) for t in outs]
    assert got == meta[variant]["outputs"], f"{meta['expr']}: names/dtypes/static shapes"
    if variant == "known":
        assert [t.name for t in graph.get_collection(tf.GraphKeys.LOSSES)] == \
            meta["known"]["losses_collection"]
    feed = {phs[i["name"]]: ARRAYS[f"loss/{key}/in/{i['name']}"] for i in meta["inputs"]}
    with tf.Session(graph=graph) as sess:
        values = sess.run(outs, feed)
    for i, v in enumerate(values):
        reflib.assert_values_close(v, ARRAYS[f"loss/{key}/out/{i}"], meta["dtype"],
                                   what=f"{meta['expr']} output {i}")
