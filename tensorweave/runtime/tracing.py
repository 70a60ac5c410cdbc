"""RunOptions tracing: fills RunMetadata (step_stats, partition_graphs, cost_graph) in a run.

With `trace_level` SOFTWARE_TRACE / HARDWARE_TRACE / FULL_TRACE the plan runs op by op (or on
the inter-op pool when the session has one) and every executed op gets a NodeExecStats on the
CPU device: start and end micros (and nanos), the executing thread's id, the output slots with
dtype, shape and allocated bytes, the bytes the op allocated, and TF's `timeline_label`
(`name = Type(input, ...)`).  `output_partition_graphs` adds the executed (pruned) GraphDef; a
CostGraphDef with measured compute times and output sizes is always filled, as TF does for
traced runs.
"""
import numpy as np
from tensorboard.compat.proto import step_stats_pb2, tensor_shape_pb2

from tensorweave.runtime.executor import LOCAL_CPU

ALLOCATOR = "cpu"


def _shape_proto(arr):
    shape = getattr(arr, "shape", ())
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in shape])


def _dtype_enum(v, t):
    from tensorweave.framework import dtypes

    try:
        return dtypes.dtype_from_numpy(v.dtype).as_datatype_enum
    except (TypeError, ValueError, AttributeError):
        return t._dtype.base_dtype.as_datatype_enum


def run_with_trace(session, plan, feed_arrays, options, run_metadata):
    """Runs `plan` recording per-op stats into run_metadata (no-op tracing without both)."""
    if run_metadata is None or options is None or options.trace_level == 0:
        return plan.run(feed_arrays)
    dev_stats = step_stats_pb2.DeviceStepStats(device=LOCAL_CPU)
    records = []
    live = [0]
    peak = [0]

    fused = getattr(getattr(plan, "rewrites", None), "fused", {})
    sides = getattr(getattr(plan, "rewrites", None), "side", {})

    def record(op, start_us, end_us, outputs, thread_id):
        add = fused.get(id(op))
        if add is not None:  # computed inside this step (add + activation in one buffer)
            _record(add, start_us, start_us, [None] * len(add.outputs), thread_id)
        side = sides.get(id(op)) if add is not None else None
        if side is not None:  # a consumer this step also computed: its outputs come last
            n = len(op.outputs)
            _record(op, start_us, end_us, outputs[:n], thread_id)
            _record(side, end_us, end_us, outputs[n:], thread_id)
            return
        _record(op, start_us, end_us, outputs, thread_id)

    def _record(op, start_us, end_us, outputs, thread_id):
        ns = dev_stats.node_stats.add()
        ns.node_name = op.name
        ns.all_start_micros = start_us
        ns.scheduled_micros = start_us
        ns.op_start_rel_micros = 0
        ns.op_end_rel_micros = end_us - start_us
        ns.all_end_rel_micros = end_us - start_us
        ns.all_start_nanos = start_us * 1000
        ns.op_end_rel_nanos = (end_us - start_us) * 1000
        ns.all_end_rel_nanos = (end_us - start_us) * 1000
        ns.thread_id = thread_id & 0x7FFFFFFF
        ns.timeline_label = "%s = %s(%s)" % (op.name, op.type, ", ".join(
            t.name if t.value_index else t.op.name for t in op.inputs))
        total = 0
        sizes = []
        for slot, (t, v) in enumerate(zip(op.outputs, outputs)):
            o = ns.output.add()
            o.slot = slot
            td = o.tensor_description
            if isinstance(v, np.ndarray):
                td.dtype = _dtype_enum(v, t)
                td.shape.CopyFrom(_shape_proto(v))
                nbytes = int(v.nbytes)
                td.allocation_description.requested_bytes = nbytes
                td.allocation_description.allocated_bytes = nbytes
                td.allocation_description.allocator_name = ALLOCATOR
                td.allocation_description.ptr = int(v.__array_interface__["data"][0] or 0)
                total += nbytes
                sizes.append((nbytes, list(v.shape), td.dtype))
            else:
                sizes.append((0, None, t._dtype.base_dtype.as_datatype_enum))
        live[0] += total
        peak[0] = max(peak[0], live[0])
        if total:
            mem = ns.memory.add()
            mem.allocator_name = ALLOCATOR
            mem.total_bytes = total
            mem.peak_bytes = total
            mem.live_bytes = total
            mem.allocator_bytes_in_use = live[0]
        ns.memory_stats.temp_memory_size = 0
        records.append((op, end_us - start_us, sizes))

    values = plan.run_traced(feed_arrays, record)
    run_metadata.step_stats.dev_stats.append(dev_stats)
    _fill_cost_graph(run_metadata.cost_graph, plan, records)
    if options.output_partition_graphs:
        run_metadata.partition_graphs.append(partition_graph(plan))
    return values


def partition_graph(plan):
    """The GraphDef of the ops a plan executes (TF's partition graph for the CPU)."""
    from tensorboard.compat.proto import graph_pb2

    from tensorweave.framework import graph_io

    gd = graph_pb2.GraphDef()
    for op in plan.ops:
        nd = graph_io.op_to_node_def(op)
        if not nd.device:
            nd.device = LOCAL_CPU
        gd.node.append(nd)
    gd.versions.producer = getattr(plan.graph, "_producer", 0) or gd.versions.producer
    return gd


def _fill_cost_graph(cg, plan, records):
    index = {}
    for i, (op, _, _) in enumerate(records):
        index[op.name] = i
    for i, (op, dur, sizes) in enumerate(records):
        node = cg.node.add()
        node.name = op.name
        node.device = LOCAL_CPU
        node.id = i
        node.compute_time = int(dur)
        node.compute_cost = int(dur)
        node.is_final = False
        for t in op.inputs:
            j = index.get(t.op.name)
            if j is not None:
                inp = node.input_info.add()
                inp.preceding_node = j
                inp.preceding_port = t.value_index
        for c in op.control_inputs:
            j = index.get(c.name)
            if j is not None:
                node.control_input.append(j)
        for nbytes, shape, dt in sizes:
            oi = node.output_info.add()
            oi.size = nbytes
            oi.alias_input_port = -1
            oi.dtype = dt
            if shape is not None:
                for d in shape:
                    oi.shape.dim.add(size=int(d))
    fetched = {t.op.name for t in plan.fetches}
    for node in cg.node:
        if node.name in fetched:
            node.is_final = True
