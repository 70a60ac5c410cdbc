"""Record training references from real TensorFlow (tensorflow.compat.v1, TF1 behaviour).

    /tmp/tfvenv/bin/python tests/reference/record_optimizers.py

Optimizer trajectories (20 steps, dense and embedding/IndexedSlices problems), slot and variable
names, learning-rate schedules, ExponentialMovingAverage shadows, tf.losses values and the names
and values of gradient graphs. Writes tests/data/reference/optimizers.json and optimizers.npz.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reflib
import training_cases as tc


def main():
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)

    arrays = {}
    meta = {"tensorflow_version": tf.VERSION}

    a = tc.problem_arrays()
    for k, v in a.items():
        arrays[f"problem/{k}"] = v
    meta["optimizers"] = {}
    for oid, expr in tc.OPTIMIZERS:
        for kind in ("dense", "sparse"):
            key = f"{oid}.{kind}"
            c = tc.build_optimizer_case(tf, expr, kind, a)
            vals = tc.run_optimizer_case(tf, c)
            for k, v in vals.items():
                arrays[f"opt/{key}/{k}"] = v
            m = tc.optimizer_names(tf, c)
            m.update(expr=expr, kind=kind, arrays=sorted(vals), ops=reflib.op_list(c["graph"]))
            meta["optimizers"][key] = m

    meta["schedule_steps"] = tc.SCHEDULE_STEPS
    meta["schedules"] = {}
    for sid, expr in tc.SCHEDULES:
        g, gs, lr = tc.build_schedule(tf, expr)
        with tf.Session(graph=g) as sess:
            vals = [sess.run(lr, {gs: s}) for s in tc.SCHEDULE_STEPS]
        arrays[f"schedule/{sid}"] = np.stack(vals)
        meta["schedules"][sid] = {"expr": expr, "output": reflib.describe_tensor(lr)}

    e = tc.ema_arrays()
    for k, v in e.items():
        arrays[f"ema_in/{k}"] = v
    meta["emas"] = {}
    for eid, expr in tc.EMAS:
        c = tc.build_ema(tf, expr)
        for k, v in tc.run_ema(tf, c, e).items():
            arrays[f"ema/{eid}/{k}"] = v
        m = tc.ema_names(tf, c)
        m.update(expr=expr, ops=reflib.op_list(c["graph"]))
        meta["emas"][eid] = m

    meta["losses"] = {}
    for case in tc.LOSSES:
        for dtype in case["dtypes"]:
            key = f"{case['id']}.{dtype}"
            rng = np.random.default_rng(zlib.crc32(key.encode()))
            inputs, feeds = [], {}
            for name, shape, kind, idt in case["inputs"]:
                idt = dtype if idt == "T" else idt
                inputs.append({"name": name, "shape": shape, "kind": kind, "dtype": idt})
                feeds[name] = reflib.make_value(rng, shape, kind, idt)
                arrays[f"loss/{key}/in/{name}"] = feeds[name]
            m = {"id": case["id"], "dtype": dtype, "expr": case["expr"], "inputs": inputs,
                 "tol": {}, "novalue": False, "note": None}
            for variant in ("known", "unknown"):
                g, phs, outs = reflib.build_case(tf, m, variant)
                m[variant] = {"outputs": [reflib.describe_tensor(t) for t in outs]}
                with tf.Session(graph=g) as sess:
                    vals = sess.run(outs, {phs[n]: v for n, v in feeds.items()})
                if variant == "known":
                    m["known"]["ops"] = reflib.op_list(g)[len(phs):]
                    m["known"]["losses_collection"] = [
                        t.name for t in g.get_collection(tf.GraphKeys.LOSSES)]
                    for i, v in enumerate(vals):
                        arrays[f"loss/{key}/out/{i}"] = np.asarray(v)
            meta["losses"][key] = m

    meta["gradients"] = {}
    for s in tc.GRAD_SNIPPETS:
        g, r, v, init = tc.exec_grad_snippet(tf, s["code"])
        with tf.Session(graph=g) as sess:
            sess.run(init)
            names = sorted(v)
            vals = sess.run([v[n] for n in names])
        for n, val in zip(names, vals):
            arrays[f"grad/{s['id']}/{n}"] = np.asarray(val)
        meta["gradients"][s["id"]] = {
            "code": s["code"],
            "ops": reflib.op_list(g),
            "selected": {k: reflib.describe(tf, x) for k, x in r.items()},
            "values": names,
        }

    reflib.dump_json(meta, "optimizers.json")
    reflib.save_arrays(arrays, "optimizers.npz")
    print(f"optimizers {len(meta['optimizers'])}, schedules {len(meta['schedules'])}, "
          f"emas {len(meta['emas'])}, losses {len(meta['losses'])}, "
          f"gradients {len(meta['gradients'])}, arrays {len(arrays)}")


if __name__ == "__main__":
    main()
