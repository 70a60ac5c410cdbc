"""Records TF's OpDefs of every op type tensorweave registers (not collected by pytest).

    python tests/framework/record_tf_opdefs.py        # project python: lists our op types,
                                                      # then asks TF's venv for their OpDefs

Writes tests/data/tf_opdefs.json: {op type: {inputs: [[name, is_list]], outputs: [...],
attrs: {name: {"type": t, "default": value or absent}}}} and "missing" (types TF lacks).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "data", "tf_opdefs.json")
TF_PYTHON = os.environ.get("TF_PYTHON", "/tmp/tfvenv/bin/python")


def _default(av):
    which = av.WhichOneof("value")
    if which == "list":
        lst = av.list
        for f in ("s", "i", "f", "b", "type"):
            vals = list(getattr(lst, f))
            if vals:
                return [v.decode() if isinstance(v, bytes) else v for v in vals]
        if len(lst.shape):
            return [[d.size for d in s.dim] if not s.unknown_rank else None for s in lst.shape]
        return []
    if which == "s":
        return av.s.decode("utf-8", "replace")
    if which in ("i", "f", "b", "type"):
        return getattr(av, which)
    if which == "shape":
        return None if av.shape.unknown_rank else [d.size for d in av.shape.dim]
    if which == "tensor":
        return "<tensor>"
    return None


def record_in_tf(names):
    from tensorflow.python.framework import op_def_registry

    data = {}
    missing = []
    for n in names:
        od = op_def_registry.get(n)
        if od is None:
            missing.append(n)
            continue

        def args(lst):
            return [[a.name, bool(a.number_attr or a.type_list_attr), a.is_ref] for a in lst]

        attrs = {}
        for a in od.attr:
            d = {"type": a.type}
            if a.HasField("default_value"):
                d["default"] = _default(a.default_value)
            attrs[a.name] = d
        data[n] = {"inputs": args(od.input_arg), "outputs": args(od.output_arg),
                   "attrs": attrs}
    return {"ops": data, "missing": sorted(missing)}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--tf":
        names = json.load(open(sys.argv[2]))
        json.dump(record_in_tf(names), sys.stdout, indent=1, sort_keys=True)
        return
    sys.path.insert(0, ROOT)
    import tensorweave  # noqa: F401
    from tensorweave.framework import registry

    names = sorted(registry.registered_ops())
    tmp = os.path.join(ROOT, "tests", "data", ".tw_op_names.json")
    with open(tmp, "w") as f:
        json.dump(names, f)
    try:
        out = subprocess.run([TF_PYTHON, os.path.abspath(__file__), "--tf", tmp], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.remove(tmp)
    with open(OUT, "w") as f:
        f.write(out + "\n")
    rec = json.loads(out)
    print("recorded %d op types; TF lacks %d: %s" % (len(rec["ops"]), len(rec["missing"]),
                                                     rec["missing"]))


if __name__ == "__main__":
    main()
