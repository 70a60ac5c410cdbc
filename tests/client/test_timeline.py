"""Timeline: Chrome trace JSON from a traced run's StepStats (schema, ops named, flows)."""
import json
import os
import subprocess
import sys

import numpy as np

import tensorweave as tf
from tensorweave.client import timeline

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _traced(fetch, feed=None, graph=None, config=None):
    sess = tf.Session(graph=graph, config=config)
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    md = tf.RunMetadata()
    val = sess.run(fetch, feed, options=opts, run_metadata=md)
    return sess, md, val


def _check_schema(trace):
    assert set(trace) == {"traceEvents"}
    events = trace["traceEvents"]
    assert events
    for ev in events:
        assert "ph" in ev and "pid" in ev and "name" in ev
        if ev["ph"] == "X":
            for k in ("ts", "dur", "tid", "args"):
                assert k in ev, (k, ev)
            assert isinstance(ev["ts"], int) and isinstance(ev["dur"], int) and ev["dur"] >= 0
            assert "name" in ev["args"] and "op" in ev["args"]
    return events


def test_seed_program_writes_chrome_trace(tmp_path):
    prog = os.path.join(ROOT, "tests", "programs", "seed_timeline.py")
    r = subprocess.run([sys.executable, "-m", "tensorweave", "run", prog], cwd=tmp_path,
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT),
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "timeline.json") as f:
        trace = json.load(f)
    events = _check_schema(trace)
    names = {ev["args"]["name"] for ev in events if ev["ph"] == "X"}
    for want in ("random_normal/RandomStandardNormal", "random_normal",
                 "random_normal_1/RandomStandardNormal", "MatMul"):
        assert want in names
    ops = {ev["args"]["name"]: ev["name"] for ev in events if ev["ph"] == "X"}
    assert ops["MatMul"] == "MatMul"


def test_every_executed_op_is_named_and_flows_connect():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [4, 3], name="x")
        w = tf.Variable(np.ones((3, 2), np.float32), name="w")
        y = tf.nn.relu(tf.matmul(x, w) + 1.0, name="y")
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    md = tf.RunMetadata()
    sess.run(y, {x: np.ones((4, 3), np.float32)}, options=opts, run_metadata=md)
    executed = {ns.node_name for d in md.step_stats.dev_stats for ns in d.node_stats}
    assert {"MatMul", "add", "y", "w"} <= executed
    trace = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format(
        show_dataflow=True, show_memory=True))
    events = _check_schema(trace)
    x_names = {ev["args"]["name"] for ev in events if ev["ph"] == "X"}
    assert executed == x_names
    meta = [ev for ev in events if ev["ph"] == "M"]
    assert any(ev["args"]["name"].endswith("CPU:0 Compute") for ev in meta)
    starts = {ev["id"]: ev for ev in events if ev["ph"] == "s"}
    ends = {ev["id"]: ev for ev in events if ev["ph"] == "t"}
    assert starts and set(starts) == set(ends)
    for i, s in starts.items():
        assert s["ts"] <= ends[i]["ts"]
    counters = [ev for ev in events if ev["ph"] == "C"]
    assert counters and all(isinstance(v, int) for ev in counters for v in ev["args"].values())


def test_step_stats_fields_and_run_metadata():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3), name="a")
        b = tf.placeholder(tf.float32, [3, 2], name="b")
        c = tf.matmul(a, b, name="c")
    sess = tf.Session(graph=g)
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE, output_partition_graphs=True)
    md = tf.RunMetadata()
    val = sess.run(c, {b: np.ones((3, 2), np.float32)}, options=opts, run_metadata=md)
    np.testing.assert_array_equal(val, np.arange(6, dtype=np.float32).reshape(2, 3).sum(
        1, keepdims=True).repeat(2, 1))
    (dev,) = md.step_stats.dev_stats
    assert dev.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    (ns,) = [n for n in dev.node_stats if n.node_name == "c"]
    assert ns.all_start_micros > 0 and ns.all_end_rel_micros >= 0 and ns.thread_id > 0
    assert ns.timeline_label == "c = MatMul(a, b)"
    out = ns.output[0].tensor_description
    assert [d.size for d in out.shape.dim] == [2, 2]
    assert out.dtype == tf.float32.as_datatype_enum
    assert out.allocation_description.allocated_bytes == 16
    assert ns.memory[0].total_bytes == 16
    assert [n.name for n in md.partition_graphs[0].node] == ["c"]
    names = [n.name for n in md.cost_graph.node]
    assert names == ["c"] and md.cost_graph.node[0].is_final
    assert md.cost_graph.node[0].output_info[0].size == 16


def test_untraced_run_leaves_metadata_empty():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0) + 2.0
    sess = tf.Session(graph=g)
    md = tf.RunMetadata()
    assert sess.run(c, run_metadata=md) == 3.0
    assert not md.step_stats.dev_stats


def test_timeline_with_graph_and_legacy_alias():
    from tensorweave.compat import runner

    assert runner.resolve("tensorflow.python.client.timeline") == "tensorweave.client.timeline"
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.square(x, name="sq")
    _, md, _ = _traced(y, {x: [1.0, 2.0]}, graph=g)
    tl = timeline.Timeline(md.step_stats, graph=g)
    analysis = tl.analyze_step_stats(show_memory=True)
    trace = json.loads(analysis.chrome_trace.format_to_string())
    ops = {ev["args"]["name"]: ev["args"]["op"] for ev in trace["traceEvents"]
           if ev["ph"] == "X"}
    assert ops["sq"] == "Square"
    assert "cpu" in analysis.allocator_maximums
