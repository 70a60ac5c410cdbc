"""Shared helpers for the reference recorders and the reference tests.

This module never imports TensorFlow or tensorweave: the module under test is passed in
as ``tf``. The recorders (run with real TensorFlow) and the tests (run with tensorweave,
or with TensorFlow to sanity-check the harness) use the same functions, so a graph is
built the same way on both sides.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import numpy as np

REF_DIR = Path(__file__).resolve().parent
DATA_DIR = REF_DIR.parent / "data" / "reference"

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")

# Default tolerances (rtol, atol) per dtype; cases may loosen float32 with a documented reason.
DEFAULT_TOL = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    "float64": (1e-10, 1e-10),
}


def load_module_under_test():
    """Import the module under test: tensorweave, or ``$TW_REFERENCE_MODULE`` if set.

    With ``TW_REFERENCE_MODULE=tensorflow.compat.v1`` the tests run against real TensorFlow
    (to check the harness itself); TF1 behaviour (graph mode, ref variables, control flow v1)
    is switched on as a TF1 user would have it.
    """
    name = os.environ.get("TW_REFERENCE_MODULE", "tensorweave")
    tf = importlib.import_module(name)
    if hasattr(tf, "disable_v2_behavior"):
        tf.disable_v2_behavior()
    elif hasattr(tf, "disable_eager_execution"):
        tf.disable_eager_execution()
    return tf


def load_json(name):
    with open(DATA_DIR / name) as f:
        return json.load(f)


def _to_json(obj, indent=0):
    """Sorted, indented JSON; short containers and lists of scalars are kept on one line."""
    pad = " " * (indent + 1)
    flat = json.dumps(obj, sort_keys=True)
    if len(flat) <= 100:
        return flat
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}{json.dumps(str(k))}: {_to_json(obj[k], indent + 1)}" for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(obj, (list, tuple)) and any(isinstance(o, dict) for o in obj):
        items = [pad + _to_json(o, indent + 1) for o in obj]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(obj)


def dump_json(obj, name):
    """Write sorted, indented JSON with lists of scalars kept on one line (small and diffable)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / name, "w") as f:
        f.write(_to_json(obj) + "\n")


def pack_arrays(arrays):
    """Pack many small arrays into one flat array per dtype plus an index (few npz members)."""
    flat = {}
    index = {}
    for key in sorted(arrays):
        a = np.asarray(arrays[key])
        dt = a.dtype.name
        chunks = flat.setdefault(dt, [])
        offset = sum(c.size for c in chunks)
        chunks.append(a.reshape(-1))
        index[key] = [dt, list(a.shape), offset]
    out = {f"flat_{dt}": np.concatenate(chunks) for dt, chunks in flat.items()}
    out["index"] = np.array(json.dumps(index, sort_keys=True))
    return out


def save_arrays(arrays, name):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(DATA_DIR / name, **pack_arrays(arrays))


def load_arrays(name):
    """Inverse of save_arrays: a dict key -> array."""
    with np.load(DATA_DIR / name, allow_pickle=False) as z:
        flat = {k[len("flat_"):]: z[k] for k in z.files if k.startswith("flat_")}
        index = json.loads(str(z["index"]))
    out = {}
    for key, (dt, shape, offset) in index.items():
        n = int(np.prod(shape)) if shape else 1
        out[key] = flat[dt][offset:offset + n].reshape(shape)
    return out


# ----------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------


def make_value(rng, shape, kind, dtype):
    """A deterministic input array of ``kind`` (see op_cases.py for the kinds)."""
    shape = tuple(shape)
    np_dtype = np.dtype(dtype)
    is_int = np.issubdtype(np_dtype, np.integer)
    parts = kind.split(":")
    k = parts[0]
    if k == "bool":
        return rng.random(shape) < 0.5
    if k == "int":
        lo, hi = int(parts[1]), int(parts[2])
        return rng.integers(lo, hi, size=shape).astype(np_dtype)
    if k == "const":
        return np.full(shape, float(parts[1])).astype(np_dtype)
    if k == "perm":
        return rng.permutation(shape[0]).astype(np_dtype)
    if is_int:
        if k == "normal":
            v = rng.integers(-5, 6, size=shape)
        elif k in ("positive", "unit"):
            v = rng.integers(1, 6, size=shape)
        elif k == "nonzero":
            v = rng.integers(1, 6, size=shape) * rng.choice([-1, 1], size=shape)
        elif k == "spread":
            n = int(np.prod(shape)) if shape else 1
            v = (rng.permutation(n) - n // 2).reshape(shape)
        else:
            raise ValueError(f"kind {kind!r} not defined for {dtype}")
        return v.astype(np_dtype)
    if k == "normal":
        v = rng.standard_normal(shape)
    elif k == "positive":
        v = rng.uniform(0.5, 2.0, shape)
    elif k == "unit":
        v = rng.uniform(0.05, 0.95, shape)
    elif k == "signed_unit":
        v = rng.uniform(-0.9, 0.9, shape)
    elif k == "nonzero":
        v = rng.uniform(0.5, 3.0, shape) * rng.choice([-1.0, 1.0], size=shape)
    elif k == "halfint":
        # NOTE: exact .5 ties (banker's rounding) mixed with ordinary values.
        v = rng.integers(-4, 5, size=shape) + 0.5
        flat = v.reshape(-1)
        flat[::3] = rng.uniform(-4, 4, flat[::3].shape)
    elif k == "simplex":
        e = np.exp(rng.standard_normal(shape))
        v = e / e.sum(axis=-1, keepdims=True)
    elif k == "spread":
        # distinct values, well separated (top_k, argmax, max_pool: no near-ties)
        n = int(np.prod(shape)) if shape else 1
        v = (rng.permutation(n) - n / 2.0).reshape(shape) * 0.25
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return np.asarray(v).astype(np_dtype)


# ----------------------------------------------------------------------------------------
# Building and describing graphs
# ----------------------------------------------------------------------------------------


def flatten(obj):
    """Flatten an expression result into a list of tensors (lists, tuples, namedtuples)."""
    if isinstance(obj, (list, tuple)):
        out = []
        for o in obj:
            out.extend(flatten(o))
        return out
    if isinstance(obj, dict):
        out = []
        for key in sorted(obj):
            out.extend(flatten(obj[key]))
        return out
    return [obj]


def static_shape(t):
    shape = t.get_shape()
    if shape.ndims is None:
        return None
    return shape.as_list()


def describe_tensor(t):
    return {"name": t.name, "dtype": t.dtype.name, "shape": static_shape(t)}


def describe(tf, obj):
    """JSON description of a tensor, variable, operation, scope or plain value."""
    if isinstance(obj, tf.Variable):
        return {
            "kind": "Variable",
            "name": obj.name,
            "dtype": obj.dtype.name,
            "shape": static_shape(obj),
            "op": obj.op.name,
            "initializer": obj.initializer.name,
            "value": obj.value().name,
        }
    if isinstance(obj, tf.Tensor):
        d = describe_tensor(obj)
        d["kind"] = "Tensor"
        d["op_type"] = obj.op.type
        return d
    if isinstance(obj, tf.Operation):
        return {"kind": "Operation", "name": obj.name, "type": obj.type}
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [describe(tf, o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): describe(tf, v) for k, v in obj.items()}
    raise TypeError(f"cannot describe {type(obj)!r}")


def build_case(tf, meta, variant):
    """Build one op case in a fresh graph. Returns (graph, placeholders, outputs)."""
    graph = tf.Graph()
    with graph.as_default():
        ns = {"tf": tf, "np": np, "DT": getattr(tf, meta["dtype"])}
        phs = {}
        for spec in meta["inputs"]:
            shape = list(spec["shape"])
            if variant == "unknown" and shape:
                shape[0] = None
            ph = tf.placeholder(getattr(tf, spec["dtype"]), shape, name=spec["name"])
            phs[spec["name"]] = ph
            ns[spec["name"]] = ph
        result = eval(meta["expr"], ns)
        outputs = flatten(result)
    return graph, phs, outputs


def op_list(graph):
    return [[op.name, op.type] for op in graph.get_operations()]


def exec_snippet(tf, code):
    """Run a name snippet in a fresh graph. Returns (graph, recorded dict R)."""
    graph = tf.Graph()
    with graph.as_default():
        ns = {"tf": tf, "np": np, "R": {}}
        exec(code, ns)  # noqa: S102 - snippets come from name_cases.py
    return graph, ns["R"]


def assert_values_close(actual, expected, dtype, rtol=None, atol=None, what=""):
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        drt, dat = DEFAULT_TOL.get(expected.dtype.name, DEFAULT_TOL["float64"])
        rtol = drt if rtol is None else rtol
        atol = dat if atol is None else atol
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)
