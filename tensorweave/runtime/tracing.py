"""RunOptions tracing: fills RunMetadata.step_stats (StepStats proto) during a run."""
import numpy as np
from tensorboard.compat.proto import step_stats_pb2

from tensorweave.runtime.executor import LOCAL_CPU


def _shape_proto(arr):
    from tensorboard.compat.proto import tensor_shape_pb2

    shape = getattr(arr, "shape", ())
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in shape])


def run_with_trace(session, plan, feed_arrays, options, run_metadata):
    """Runs `plan` op by op, recording NodeExecStats per op into run_metadata."""
    if run_metadata is None or options is None or options.trace_level == 0:
        return plan.run(feed_arrays)
    dev_stats = step_stats_pb2.DeviceStepStats(device=LOCAL_CPU)

    def record(op, start_us, end_us, outputs, thread_id):
        ns = dev_stats.node_stats.add()
        ns.node_name = op.name
        ns.all_start_micros = start_us
        ns.op_start_rel_micros = 0
        ns.op_end_rel_micros = end_us - start_us
        ns.all_end_rel_micros = end_us - start_us
        ns.thread_id = thread_id & 0x7FFFFFFF
        ns.timeline_label = "%s = %s(%s)" % (op.name, op.type, ", ".join(
            t.op.name for t in op.inputs))
        for slot, v in enumerate(outputs):
            o = ns.output.add()
            o.slot = slot
            td = o.tensor_description
            if isinstance(v, np.ndarray):
                from tensorweave.framework import dtypes

                try:
                    td.dtype = dtypes.dtype_from_numpy(v.dtype).as_datatype_enum
                except TypeError:
                    pass
                td.shape.CopyFrom(_shape_proto(v))
                td.allocation_description.requested_bytes = int(v.nbytes)
                td.allocation_description.allocated_bytes = int(v.nbytes)
                td.allocation_description.allocator_name = "cpu"

    values = plan.run_traced(feed_arrays, record)
    run_metadata.step_stats.dev_stats.append(dev_stats)
    return values
