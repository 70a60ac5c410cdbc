"""Every op case recorded from real TensorFlow, rebuilt and run with the module under test.

The data (tests/data/reference/ops.json + ops.npz) comes from tests/reference/record_ops.py;
see tests/reference/README.md. For each case and dtype two variants were recorded: ``known``
(placeholders with fully known shapes) and ``unknown`` (first dim of every input None). The
tests compare output tensor names, dtypes and static shapes, then the values computed from
the recorded inputs (rtol 1e-5 / atol 1e-6 for float32, 1e-10 for float64, exact otherwise;
looser only where the case documents why).

The module under test is tensorweave; ``TW_REFERENCE_MODULE=tensorflow.compat.v1`` runs the
same tests against real TensorFlow to check the harness.
"""

import importlib.util
import sys
from pathlib import Path

import pytest


def _load_reflib():
    name = "tw_reference_reflib"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent / "reference" / "reflib.py"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


reflib = _load_reflib()
DATA = reflib.load_json("ops.json")
CASES = DATA["cases"]
ARRAYS = reflib.load_arrays("ops.npz")

PARAMS = []
for _key in sorted(CASES):
    PARAMS.append(pytest.param(_key, "known", id=f"{_key}-known"))
    if "unknown" in CASES[_key] or "unknown_error" in CASES[_key]:
        PARAMS.append(pytest.param(_key, "unknown", id=f"{_key}-unknown"))
VALUE_PARAMS = [p for p in PARAMS if not CASES[p.values[0]]["novalue"]
                and p.values[1] in CASES[p.values[0]]]


@pytest.fixture(scope="module")
def tf():
    return reflib.load_module_under_test()


def _build(tf, key, variant):
    meta = CASES[key]
    return reflib.build_case(tf, meta, variant)


@pytest.mark.parametrize("key,variant", PARAMS)
def test_static_names_dtypes_shapes(tf, key, variant):
    meta = CASES[key]
    if variant not in meta:
        # TF refuses to build this variant (e.g. unstack along an unknown dim).
        expected = meta["unknown_error"].split(":")[0]
        err_cls = {"ValueError": ValueError, "TypeError": TypeError}.get(expected, Exception)
        with pytest.raises(err_cls):
            _build(tf, key, variant)
        return
    _, _, outs = _build(tf, key, variant)
    want = meta[variant]["outputs"]
    got = [reflib.describe_tensor(t) for t in outs]
    assert len(got) == len(want), f"{meta['expr']}: {len(got)} outputs, TF has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert g["name"] == w["name"], f"{meta['expr']}: output {i} name"
        assert g["dtype"] == w["dtype"], f"{meta['expr']}: output {i} ({w['name']}) dtype"
        assert g["shape"] == w["shape"], f"{meta['expr']}: output {i} ({w['name']}) static shape"


@pytest.mark.parametrize("key,variant", VALUE_PARAMS)
def test_values(tf, key, variant):
    meta = CASES[key]
    graph, phs, outs = _build(tf, key, variant)
    feed = {phs[i["name"]]: ARRAYS[f"{key}/in/{i['name']}"] for i in meta["inputs"]}
    with tf.Session(graph=graph) as sess:
        values = sess.run(outs, feed_dict=feed)
    assert len(values) == len(meta["known"]["outputs"])
    rtol, atol = meta["tol"].get(meta["dtype"], (None, None))
    for i, (v, w) in enumerate(zip(values, meta["known"]["outputs"])):
        expected = ARRAYS[f"{key}/out/{i}"]
        reflib.assert_values_close(v, expected, meta["dtype"], rtol=rtol, atol=atol,
                                   what=f"{meta['expr']} -> {w['name']}")
