"""Chrome trace JSON from a StepStats proto (`tensorflow.python.client.timeline`).

    run_options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    run_metadata = tf.RunMetadata()
    sess.run(fetch, options=run_options, run_metadata=run_metadata)
    trace = timeline.Timeline(run_metadata.step_stats).generate_chrome_trace_format()

The JSON has TF's layout, so chrome://tracing and Perfetto open it: per device a "Compute"
process whose threads are the executing threads, one complete ('X') event per op named by
its op type with `args.name` (node name), `args.op` (op type) and `args.input<i>`; with
`show_dataflow`, flow arrows ('s' -> 't') from each producer to its consumers and the
tensors as objects ('N'/'O'/'D') in a "Tensors" process; with `show_memory`, counters ('C')
of bytes in use per allocator in an "Allocators" process.
"""
import json
import re

__all__ = ["AllocationMaximum", "StepStatsAnalysis", "Timeline"]

_LABEL = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<op>[^(]*)\((?P<inputs>.*)\)\s*$")


class AllocationMaximum:
    """Peak allocation of one allocator: timestamp, bytes and the tensors live then."""

    def __init__(self, timestamp, num_bytes, tensors):
        self.timestamp = timestamp
        self.num_bytes = num_bytes
        self.tensors = tensors


class StepStatsAnalysis:
    """What analyze_step_stats returns: the chrome trace and per-allocator maxima."""

    def __init__(self, chrome_trace, allocator_maximums):
        self.chrome_trace = chrome_trace
        self.allocator_maximums = allocator_maximums


class _ChromeTraceFormatter:
    """Accumulates trace events and metadata, then writes TF's JSON layout."""

    def __init__(self, show_memory=False):
        self._show_memory = show_memory
        self._events = []
        self._metadata = []

    def _base(self, ph, category, name, pid, tid, timestamp):
        return {"ph": ph, "cat": category, "name": name, "pid": pid, "tid": tid,
                "ts": timestamp}

    def emit_pid(self, name, pid):
        self._metadata.append({"name": "process_name", "ph": "M", "pid": pid,
                               "args": {"name": name}})

    def emit_tid(self, name, pid, tid):
        self._metadata.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                               "args": {"name": name}})

    def emit_region(self, timestamp, duration, pid, tid, category, name, args):
        ev = self._base("X", category, name, pid, tid, timestamp)
        ev["dur"] = duration
        ev["args"] = args
        self._events.append(ev)

    def emit_obj_create(self, category, name, timestamp, pid, tid, object_id):
        ev = self._base("N", category, name, pid, tid, timestamp)
        ev["id"] = object_id
        self._events.append(ev)

    def emit_obj_delete(self, category, name, timestamp, pid, tid, object_id):
        ev = self._base("D", category, name, pid, tid, timestamp)
        ev["id"] = object_id
        self._events.append(ev)

    def emit_obj_snapshot(self, category, name, timestamp, pid, tid, object_id, snapshot):
        ev = self._base("O", category, name, pid, tid, timestamp)
        ev["id"] = object_id
        ev["args"] = {"snapshot": snapshot}
        self._events.append(ev)

    def emit_flow_start(self, name, timestamp, pid, tid, flow_id):
        ev = self._base("s", "DataFlow", name, pid, tid, timestamp)
        ev["id"] = flow_id
        self._events.append(ev)

    def emit_flow_end(self, name, timestamp, pid, tid, flow_id):
        ev = self._base("t", "DataFlow", name, pid, tid, timestamp)
        ev["id"] = flow_id
        self._events.append(ev)

    def emit_counter(self, category, name, pid, timestamp, counter, value):
        ev = self._base("C", category, name, pid, 0, timestamp)
        ev["args"] = {counter: value}
        self._events.append(ev)

    def emit_counters(self, category, name, pid, timestamp, counters):
        ev = self._base("C", category, name, pid, 0, timestamp)
        ev["args"] = dict(counters)
        self._events.append(ev)

    def format_to_string(self, pretty=False):
        trace = {"traceEvents": self._metadata + self._events}
        if pretty:
            return json.dumps(trace, indent=4, separators=(",", ": "))
        return json.dumps(trace, separators=(",", ":"))


class _TensorTracker:
    """One tensor's life: producer, creation time and the times it was read."""

    def __init__(self, name, object_id, timestamp, pid, allocator, num_bytes):
        self.name = name
        self.object_id = object_id
        self.create_time = timestamp
        self.pid = pid
        self.allocator = allocator
        self.num_bytes = num_bytes
        self.ref_times = []

    @property
    def last_unref(self):
        return max(self.ref_times) if self.ref_times else self.create_time

    def add_ref(self, timestamp):
        self.ref_times.append(timestamp)


class Timeline:
    """A Timeline of one step: `Timeline(step_stats, graph=None)`."""

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph
        self._chrome_trace = _ChromeTraceFormatter()
        self._next_pid = 0
        self._device_pids = {}
        self._tensor_pids = {}
        self._tensors = {}
        self._next_flow_id = 0
        self._flow_starts = {}
        self._alloc_times = {}
        self._allocator_maximums = {}

    # ------------------------------------------------------------------ parse
    def _alloc_pid(self):
        pid = self._next_pid
        self._next_pid += 1
        return pid

    def _parse_label(self, ns):
        """(op type, input names) from the node stats' timeline_label (or the graph)."""
        op_type, inputs = None, []
        m = _LABEL.match(ns.timeline_label or "")
        if m:
            op_type = m.group("op").strip()
            raw = m.group("inputs").strip()
            inputs = [s.strip() for s in raw.split(",") if s.strip()] if raw else []
        if self._graph is not None:
            try:
                op = self._graph.get_operation_by_name(ns.node_name)
                op_type = op.type
                if not inputs:
                    inputs = [t.name for t in op.inputs]
            except (KeyError, ValueError):
                pass
        if not op_type:
            op_type = "unknown"
        return op_type, inputs

    def _allocate_pids(self):
        self._allocators_pid = self._alloc_pid()
        self._chrome_trace.emit_pid("Allocators", self._allocators_pid)
        for dev_stats in self._step_stats.dev_stats:
            pid = self._alloc_pid()
            self._device_pids[dev_stats.device] = pid
            self._chrome_trace.emit_pid(dev_stats.device + " Compute", pid)
            tpid = self._alloc_pid()
            self._tensor_pids[dev_stats.device] = tpid
            self._chrome_trace.emit_pid(dev_stats.device + " Tensors", tpid)

    def _emit_op(self, ns, pid, op_type, inputs):
        args = {"name": ns.node_name, "op": op_type}
        for i, name in enumerate(inputs):
            args["input%d" % i] = name
        self._chrome_trace.emit_region(ns.all_start_micros, ns.all_end_rel_micros, pid,
                                       ns.thread_id, "Op", op_type, args)

    def _produce_tensors(self, ns, device, tid):
        pid = self._tensor_pids[device]
        end = ns.all_start_micros + ns.all_end_rel_micros
        for out in ns.output:
            name = "%s:%d" % (ns.node_name, out.slot)
            desc = out.tensor_description
            num_bytes = desc.allocation_description.requested_bytes
            allocator = desc.allocation_description.allocator_name or "cpu"
            tracker = _TensorTracker(name, len(self._tensors), end, pid, allocator, num_bytes)
            self._tensors[name] = (tracker, desc, tid, self._device_pids[device])
            self._chrome_trace.emit_obj_create("Tensor", name, end, pid, tid,
                                               tracker.object_id)

    def _analyze(self, show_dataflow, show_memory):
        nodes = []
        for dev_stats in self._step_stats.dev_stats:
            pid = self._device_pids[dev_stats.device]
            for ns in dev_stats.node_stats:
                op_type, inputs = self._parse_label(ns)
                nodes.append((ns, dev_stats.device, pid, op_type, inputs))
        tids = set()
        for ns, device, pid, op_type, inputs in nodes:
            if (pid, ns.thread_id) not in tids:
                tids.add((pid, ns.thread_id))
            self._emit_op(ns, pid, op_type, inputs)
            self._produce_tensors(ns, device, ns.thread_id)
        for ns, device, pid, op_type, inputs in nodes:
            start = ns.all_start_micros
            for name in inputs:
                if name.startswith("^"):
                    continue
                key = name if ":" in name else name + ":0"
                hit = self._tensors.get(key)
                if hit is None:
                    continue
                tracker, _, src_tid, src_pid = hit
                tracker.add_ref(start)
                if show_dataflow:
                    flow_id = self._next_flow_id
                    self._next_flow_id += 1
                    self._chrome_trace.emit_flow_start(key, tracker.create_time, src_pid,
                                                       src_tid, flow_id)
                    self._chrome_trace.emit_flow_end(key, start, pid, ns.thread_id, flow_id)
        for tracker, desc, tid, _ in self._tensors.values():
            shape = [d.size for d in desc.shape.dim]
            self._chrome_trace.emit_obj_snapshot(
                "Tensor", tracker.name, tracker.create_time, tracker.pid, tid,
                tracker.object_id, {"tensor_description": str(desc).replace('"', "")
                                    if desc.ByteSize() else "", "shape": shape,
                                    "bytes": tracker.num_bytes})
            self._chrome_trace.emit_obj_delete("Tensor", tracker.name, tracker.last_unref,
                                               tracker.pid, tid, tracker.object_id)
        if show_memory:
            self._emit_memory()
        self._compute_maximums()

    def _memory_events(self):
        events = {}
        for tracker, _, _, _ in self._tensors.values():
            if not tracker.num_bytes:
                continue
            ev = events.setdefault(tracker.allocator, [])
            ev.append((tracker.create_time, tracker.num_bytes, tracker.name))
            ev.append((tracker.last_unref, -tracker.num_bytes, tracker.name))
        for ev in events.values():
            ev.sort(key=lambda e: (e[0], e[1]))
        return events

    def _emit_memory(self):
        for allocator, events in sorted(self._memory_events().items()):
            total = 0
            for ts, delta, _ in events:
                total += delta
                self._chrome_trace.emit_counter("Memory", allocator, self._allocators_pid, ts,
                                                allocator, total)

    def _compute_maximums(self):
        for allocator, events in self._memory_events().items():
            total, best, best_ts, live, best_live = 0, 0, 0, set(), set()
            for ts, delta, name in events:
                total += delta
                if delta > 0:
                    live.add(name)
                else:
                    live.discard(name)
                if total > best:
                    best, best_ts, best_live = total, ts, set(live)
            self._allocator_maximums[allocator] = AllocationMaximum(best_ts, best, best_live)

    # ----------------------------------------------------------------- public
    def analyze_step_stats(self, show_dataflow=True, show_memory=True, op_time="schedule"):
        """Builds the trace; returns a StepStatsAnalysis."""
        self._allocate_pids()
        self._analyze(show_dataflow, show_memory)
        return StepStatsAnalysis(self._chrome_trace, self._allocator_maximums)

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False,
                                     op_time="schedule"):
        """The step as a Chrome trace JSON string (load it in chrome://tracing)."""
        step_stats_analysis = self.analyze_step_stats(show_dataflow=show_dataflow,
                                                      show_memory=show_memory,
                                                      op_time=op_time)
        return step_stats_analysis.chrome_trace.format_to_string(pretty=True)
