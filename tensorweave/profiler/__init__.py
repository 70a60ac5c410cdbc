"""tf.profiler essentials: `profile`, `ProfileOptionBuilder`, FLOP and parameter counts.

    opts = tf.profiler.ProfileOptionBuilder.float_operation()
    flops = tf.profiler.profile(graph, run_meta=run_meta, cmd="op", options=opts)
    print(flops.total_float_ops)

FLOPs follow TF's per-op-type statistics (tensorflow/python/profiler/internal/flops_registry):
an op is counted when its type has a rule and the shapes it needs are fully known.  Parameters
are the element counts of the trainable variables.  With `time_and_memory()` and a RunMetadata
from a traced run, execution micros and output bytes per node come from its step stats.
"""
import copy
import re
import sys

from tensorweave.profiler.flops import op_flops
from tensorweave.profiler.option_builder import ProfileOptionBuilder

__all__ = ["GraphNodeProto", "MultiGraphNodeProto", "ProfileOptionBuilder", "Profiler",
           "advise", "profile", "write_op_log"]


class GraphNodeProto:
    """A node of the profile tree (TF's GraphNodeProto fields, as a Python object)."""

    def __init__(self, name=""):
        self.name = name
        self.tensor_value = None
        self.run_count = 0
        self.exec_micros = self.total_exec_micros = 0
        self.accelerator_exec_micros = self.total_accelerator_exec_micros = 0
        self.cpu_exec_micros = self.total_cpu_exec_micros = 0
        self.requested_bytes = self.total_requested_bytes = 0
        self.peak_bytes = self.total_peak_bytes = 0
        self.residual_bytes = self.total_residual_bytes = 0
        self.output_bytes = self.total_output_bytes = 0
        self.parameters = self.total_parameters = 0
        self.float_ops = self.total_float_ops = 0
        self.devices = []
        self.input_shapes = {}
        self.shapes = []
        self.children = []
        self.graph_nodes = []

    def __repr__(self):
        return "<%s %r float_ops=%d parameters=%d>" % (
            type(self).__name__, self.name, self.total_float_ops, self.total_parameters)


class MultiGraphNodeProto(GraphNodeProto):
    """A node of the 'op'/'code' views: graph nodes aggregated by op type."""


_FIELDS = ("exec_micros", "accelerator_exec_micros", "cpu_exec_micros", "requested_bytes",
           "peak_bytes", "residual_bytes", "output_bytes", "parameters", "float_ops")


def _node_stats(graph, run_meta, op_log):
    """Per op name: dict of the measured/derived statistics."""
    from tensorweave.framework import graph as graph_lib

    trainable = set()
    for v in graph.get_collection(graph_lib.GraphKeys.TRAINABLE_VARIABLES):
        op = getattr(v, "op", None)
        if op is not None:
            trainable.add(op.name)
    stats = {}
    for op in graph.get_operations():
        s = dict.fromkeys(_FIELDS, 0)
        s["op"] = op
        s["type"] = op.type
        s["run_count"] = 0
        s["devices"] = []
        s["types"] = {op.type}
        f = op_flops(op)
        s["float_ops"] = int(f) if f else 0
        if op.name in trainable:
            shape = op.outputs[0].shape
            if shape.is_fully_defined():
                n = 1
                for d in shape.as_list():
                    n *= d
                s["parameters"] = n
            s["types"].add("_trainable_variables")
        if op.type in ("VariableV2", "Variable", "VarHandleOp"):
            s["types"].add("_variables")
        stats[op.name] = s
    if op_log is not None:
        for entry in getattr(op_log, "log_entries", []):
            s = stats.get(entry.name)
            if s is not None:
                s["types"].update(entry.types)
                if getattr(entry, "float_ops", 0):
                    s["float_ops"] = int(entry.float_ops)
    if run_meta is not None:
        for dev in run_meta.step_stats.dev_stats:
            for ns in dev.node_stats:
                s = stats.get(ns.node_name)
                if s is None:
                    continue
                micros = max(ns.op_end_rel_micros - ns.op_start_rel_micros, 0)
                s["exec_micros"] += micros
                s["cpu_exec_micros"] += micros
                s["run_count"] += 1
                if dev.device not in s["devices"]:
                    s["devices"].append(dev.device)
                out_b = sum(o.tensor_description.allocation_description.requested_bytes
                            for o in ns.output)
                s["output_bytes"] += out_b
                req = sum(m.total_bytes for m in ns.memory) or out_b
                s["requested_bytes"] += req
                s["peak_bytes"] = max(s["peak_bytes"], sum(m.peak_bytes for m in ns.memory) or
                                      out_b)
                s["residual_bytes"] += sum(m.live_bytes for m in ns.memory)
    return stats


def _accounted(s, opts):
    regexes = opts.get("account_type_regexes", [".*"])
    for r in regexes:
        rx = re.compile(r)
        if any(rx.fullmatch(t) for t in s["types"]):
            return True
    return False


def _shown(name, opts):
    show = opts.get("show_name_regexes", [".*"])
    hide = opts.get("hide_name_regexes", [])
    if not any(re.fullmatch(r, name) for r in show):
        return False
    return not any(re.fullmatch(r, name) for r in hide)


def _passes_mins(node, opts):
    return (node.total_exec_micros >= opts.get("min_micros", 0) and
            node.total_requested_bytes >= opts.get("min_bytes", 0) and
            node.total_peak_bytes >= opts.get("min_peak_bytes", 0) and
            node.total_residual_bytes >= opts.get("min_residual_bytes", 0) and
            node.total_output_bytes >= opts.get("min_output_bytes", 0) and
            node.total_parameters >= opts.get("min_params", 0) and
            node.total_float_ops >= opts.get("min_float_ops", 0))


def _fill(node, s):
    node.exec_micros = node.total_exec_micros = s["exec_micros"]
    node.cpu_exec_micros = node.total_cpu_exec_micros = s["cpu_exec_micros"]
    node.requested_bytes = node.total_requested_bytes = s["requested_bytes"]
    node.peak_bytes = node.total_peak_bytes = s["peak_bytes"]
    node.residual_bytes = node.total_residual_bytes = s["residual_bytes"]
    node.output_bytes = node.total_output_bytes = s["output_bytes"]
    node.parameters = node.total_parameters = s["parameters"]
    node.float_ops = node.total_float_ops = s["float_ops"]
    node.run_count = s["run_count"]
    node.devices = list(s["devices"])
    op = s["op"]
    node.shapes = [t.shape for t in op.outputs]
    node.input_shapes = {i: t.shape for i, t in enumerate(op.inputs)}


def _add_totals(dst, src):
    for f in _FIELDS:
        setattr(dst, "total_" + f, getattr(dst, "total_" + f) + getattr(src, "total_" + f))


_ORDER_KEYS = {"name": None, "micros": "total_exec_micros", "bytes": "total_requested_bytes",
               "peak_bytes": "total_peak_bytes", "residual_bytes": "total_residual_bytes",
               "output_bytes": "total_output_bytes", "params": "total_parameters",
               "float_ops": "total_float_ops", "occurrence": "run_count",
               "accelerator_micros": "total_accelerator_exec_micros",
               "cpu_micros": "total_cpu_exec_micros"}


def _sort(nodes, opts):
    key = _ORDER_KEYS.get(opts.get("order_by", "name"))
    if key is None:
        return sorted(nodes, key=lambda n: n.name)
    return sorted(nodes, key=lambda n: (-getattr(n, key), n.name))


def _scope_view(stats, opts):
    """The name-scope tree rooted at _TFProfRoot (cmd 'scope' and 'graph')."""
    root = GraphNodeProto("_TFProfRoot")
    nodes = {}
    for name in sorted(stats):
        s = stats[name]
        if not _accounted(s, opts):
            continue
        node = GraphNodeProto(name)
        _fill(node, s)
        nodes[name] = node
    for name in list(nodes):  # name scopes without an op of their own: empty nodes, as TF
        parts = name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix not in nodes:
                nodes[prefix] = GraphNodeProto(prefix)
    children = {}
    for name in nodes:
        parent = name.rsplit("/", 1)[0] if "/" in name else None
        while parent is not None and parent not in nodes:
            parent = parent.rsplit("/", 1)[0] if "/" in parent else None
        children.setdefault(parent, []).append(name)

    def build(name, depth):
        node = nodes[name]
        kids = [build(c, depth + 1) for c in children.get(name, [])]
        for k in kids:
            _add_totals(node, k)
        node.children = _sort([k for k in kids if _passes_mins(k, opts) and
                               _shown(k.name, opts) and depth + 1 <= opts.get("max_depth", 100)],
                              opts)
        return node

    tops = [build(c, 1) for c in children.get(None, [])]
    for k in tops:
        _add_totals(root, k)
    root.children = _sort([k for k in tops if _passes_mins(k, opts) and _shown(k.name, opts)
                           and opts.get("max_depth", 100) >= 1], opts)
    return root


def _op_view(stats, opts):
    """Graph nodes aggregated by op type (cmd 'op'; 'code' falls back to it)."""
    root = MultiGraphNodeProto("_TFProfRoot")
    by_type = {}
    for name in sorted(stats):
        s = stats[name]
        if not _accounted(s, opts):
            continue
        node = GraphNodeProto(name)
        _fill(node, s)
        agg = by_type.get(s["type"])
        if agg is None:
            agg = by_type[s["type"]] = MultiGraphNodeProto(s["type"])
        agg.graph_nodes.append(node)
        for f in _FIELDS:
            setattr(agg, f, getattr(agg, f) + getattr(node, f))
        _add_totals(agg, node)
    for agg in by_type.values():
        _add_totals(root, agg)
    root.children = _sort([a for a in by_type.values() if _passes_mins(a, opts) and
                           _shown(a.name, opts)], opts)
    return root


def _fmt_num(n, unit):
    if n >= 1e9:
        return "%.2fb %s" % (n / 1e9, unit)
    if n >= 1e6:
        return "%.2fm %s" % (n / 1e6, unit)
    if n >= 1e3:
        return "%.2fk %s" % (n / 1e3, unit)
    return "%d %s" % (n, unit)


def _fmt_bytes(n):
    if n >= 1 << 20:
        return "%.2fMB" % (n / 1e6)
    if n >= 1 << 10:
        return "%.2fKB" % (n / 1e3)
    return "%dB" % n


def _fmt_us(n):
    if n >= 1e6:
        return "%.2fsec" % (n / 1e6)
    if n >= 1e3:
        return "%.2fms" % (n / 1e3)
    return "%dus" % n


def _columns(node, select, root):
    parts = []
    for sel in select:
        if sel == "params":
            if node.parameters and node.shapes and node.shapes[0].ndims is not None:
                parts.append("x".join(str(d) for d in node.shapes[0].as_list()))
            parts.append("%s/%s" % (_fmt_num(node.parameters, "").strip()
                                    if node.parameters else "--",
                                    _fmt_num(node.total_parameters, "params")))
        elif sel == "float_ops":
            parts.append("%s/%s" % (_fmt_num(node.float_ops, "").strip()
                                    if node.float_ops else "--",
                                    _fmt_num(node.total_float_ops, "flops")))
        elif sel in ("micros", "cpu_micros", "accelerator_micros"):
            parts.append("%s/%s" % (_fmt_us(node.exec_micros), _fmt_us(node.total_exec_micros)))
        elif sel == "bytes":
            parts.append("%s/%s" % (_fmt_bytes(node.requested_bytes),
                                    _fmt_bytes(node.total_requested_bytes)))
        elif sel == "peak_bytes":
            parts.append(_fmt_bytes(node.total_peak_bytes))
        elif sel == "output_bytes":
            parts.append(_fmt_bytes(node.total_output_bytes))
        elif sel == "occurrence":
            parts.append(str(len(node.graph_nodes) or 1))
        elif sel == "device":
            parts.append(",".join(node.devices))
        elif sel == "op_types":
            parts.append(node.name if isinstance(node, MultiGraphNodeProto) else "")
    return ", ".join(p for p in parts if p)


def _report(root, cmd, opts):
    select = opts.get("select", ["micros"])
    lines = ["", "=========================Options============================="]
    for k in ("max_depth", "min_bytes", "min_peak_bytes", "min_residual_bytes",
              "min_output_bytes", "min_micros", "min_accelerator_micros", "min_cpu_micros",
              "min_params", "min_float_ops", "min_occurrence", "step", "order_by",
              "account_type_regexes", "start_name_regexes", "trim_name_regexes",
              "show_name_regexes", "hide_name_regexes", "account_displayed_op_only",
              "select", "output"):
        v = opts.get(k, "")
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        elif isinstance(v, bool):
            v = "true" if v else "false"
        lines.append("-%-26s %s" % (k, v))
    lines += ["", "==================Model Analysis Report======================"]
    if cmd == "op":
        lines.append("node name | " + " | ".join("# " + s for s in select))
        total_f = max(root.total_float_ops, 1)
        left = root.total_float_ops
        for c in root.children:
            if select == ["float_ops"]:
                lines.append("%-24s %s (%.2f%%, %.2f%%)" % (
                    c.name, _fmt_num(c.total_float_ops, "float_ops"), 100.0 * left / total_f,
                    100.0 * c.total_float_ops / total_f))
                left -= c.total_float_ops
            else:
                lines.append("%-24s %s" % (c.name, _columns(c, select, root)))
    else:
        lines.append("node name | " + " | ".join("# " + s for s in select))

        def walk(node, indent):
            lines.append("%s%s (%s)" % ("  " * indent, node.name,
                                         _columns(node, select, root)))
            for c in node.children:
                walk(c, indent + 1)

        walk(root, 0)
    lines += ["", "======================End of Report=========================="]
    return "\n".join(lines) + "\n"


def _output(text, opts):
    out = opts.get("output", "stdout")
    if out.startswith("none"):
        return
    if out.startswith("file:"):
        path = out[len("file:"):].split("outfile=")[-1]
        with open(path, "w") as f:
            f.write(text)
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def profile(graph=None, run_meta=None, op_log=None, cmd="scope", options=None):
    """Profiles `graph` (default graph) and prints the report; returns the root node.

    cmd: 'scope' or 'graph' (name-scope tree, GraphNodeProto), 'op' or 'code' (by op type,
    MultiGraphNodeProto).  options: a dict from ProfileOptionBuilder (default: trainable
    parameter counts, as TF).
    """
    from tensorweave.framework import graph as graph_lib

    if graph is None:
        graph = graph_lib.get_default_graph()
    opts = copy.deepcopy(options) if options else ProfileOptionBuilder.trainable_variables_parameter()
    if cmd not in ("scope", "graph", "op", "code"):
        raise ValueError("Unknown cmd: %s" % cmd)
    stats = _node_stats(graph, run_meta, op_log)
    root = _op_view(stats, opts) if cmd in ("op", "code") else _scope_view(stats, opts)
    _output(_report(root, cmd, opts), opts)
    return root


def advise(graph=None, run_meta=None, options=None):
    """A short advice report (expensive ops by time, then by FLOPs); returns a dict."""
    root = profile(graph, run_meta, cmd="op", options=dict(
        ProfileOptionBuilder.time_and_memory(), output="none", order_by="micros"))
    return {"ExpensiveOperationChecker": [(c.name, c.total_exec_micros)
                                          for c in root.children[:10]]}


def write_op_log(graph, log_dir, op_log=None, run_meta=None, add_trace=True):
    """Accepted for compatibility; the op log is not needed by this profiler."""
    return


class Profiler:
    """tf.profiler.Profiler: collects RunMetadata per step and profiles on demand."""

    def __init__(self, graph=None, op_log=None):
        from tensorweave.framework import graph as graph_lib

        self._graph = graph if graph is not None else graph_lib.get_default_graph()
        self._op_log = op_log
        self._steps = {}

    def add_step(self, step, run_meta):
        self._steps[step] = run_meta

    def _meta(self, options):
        step = options.get("step", -1)
        if not self._steps:
            return None
        return self._steps.get(step, self._steps[max(self._steps)])

    def profile_name_scope(self, options):
        return profile(self._graph, self._meta(options), self._op_log, "scope", options)

    def profile_graph(self, options):
        return profile(self._graph, self._meta(options), self._op_log, "graph", options)

    def profile_operations(self, options):
        return profile(self._graph, self._meta(options), self._op_log, "op", options)

    def profile_python(self, options):
        return profile(self._graph, self._meta(options), self._op_log, "code", options)

    def advise(self, options=None):
        return advise(self._graph, self._meta(options or {}), options)

    def serialize_to_string(self):
        return b""
