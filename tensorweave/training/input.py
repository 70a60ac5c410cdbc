"""Queue-based input pipelines (TF1's training/input.py): producers and batchers.

Each builder makes a queue, an enqueue op run by a QueueRunner (added to the graph's
QUEUE_RUNNERS collection) and a dequeue; names follow TF ("input_producer/fifo_queue",
"batch/fifo_queue", "shuffle_batch/random_shuffle_queue" ...).
"""
from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry, tensor_shape
from tensorweave.ops import data_flow_ops
from tensorweave.training import queue_runner

_LOCAL = graph_lib.GraphKeys.LOCAL_VARIABLES


def _summary_scalar(name, tensor):
    try:
        from tensorweave.ops import summary_ops as summary_lib
    except ImportError:
        return None
    try:
        return summary_lib.scalar(name, tensor)
    except Exception:
        return None


def _fraction_full(queue, capacity, offset=0):
    from tensorweave.ops import math_ops

    size = queue.size()
    if offset:
        size = math_ops.maximum(0, size - offset)
    return math_ops.cast(size, dtypes_lib.float32) * (1.0 / capacity)


def match_filenames_once(pattern, name=None):
    """A local variable holding the files matching `pattern` (set by the local initializer)."""
    from tensorweave.ops import io_ops, variables

    with graph_lib.name_scope(name, "matching_filenames", [pattern]) as name:
        return variables.Variable(
            name=name, initial_value=io_ops.matching_files(pattern), trainable=False,
            validate_shape=False, collections=[_LOCAL])


def limit_epochs(tensor, num_epochs=None, name=None):
    """Returns `tensor` num_epochs times, then raises OutOfRangeError."""
    from tensorweave.ops import array_ops, variables

    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError("num_epochs must be > 0 not %d." % num_epochs)
    with graph_lib.name_scope(name, "limit_epochs", [tensor]) as name:
        zero64 = array_ops.constant(0, dtype=dtypes_lib.int64)
        epochs = variables.Variable(zero64, name="epochs", trainable=False,
                                    collections=[_LOCAL])
        counter = epochs.count_up_to(num_epochs)
        with graph_lib.control_dependencies([counter]):
            return array_ops.identity(tensor, name=name)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None,
                   capacity=32, shared_name=None, summary_name=None, name=None,
                   cancel_op=None):
    """Outputs the rows of `input_tensor` to a queue for an input pipeline."""
    from tensorweave.ops import random_ops

    with graph_lib.name_scope(name, "input_producer", [input_tensor]):
        input_tensor = registry.convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.shape[1:].merge_with(
            tensor_shape.as_shape(element_shape) if element_shape is not None
            else tensor_shape.unknown_shape())
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or "
                             "`element_shape` must be specified")
        if shuffle:
            input_tensor = random_ops.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = data_flow_ops.FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype],
                                    shapes=[element_shape], shared_name=shared_name, name=name)
        enq = q.enqueue_many([input_tensor])
        queue_runner.add_queue_runner(queue_runner.QueueRunner(q, [enq], cancel_op=cancel_op))
        if summary_name is not None:
            _summary_scalar("queue/%s/%s" % (q.name, summary_name), _fraction_full(q, capacity))
        return q


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32,
                          shared_name=None, name=None, cancel_op=None):
    """Output strings (e.g. filenames) to a queue for an input pipeline."""
    from tensorweave.ops import array_ops, logging_ops, math_ops

    not_null_err = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, graph_lib.Tensor) and not string_tensor:
        raise ValueError(not_null_err)
    with graph_lib.name_scope(name, "input_producer", [string_tensor]) as name:
        string_tensor = registry.convert_to_tensor(string_tensor, dtype=dtypes_lib.string)
        with graph_lib.control_dependencies([logging_ops.Assert(
                math_ops.greater(array_ops.size(string_tensor), 0), [not_null_err])]):
            string_tensor = array_ops.identity(string_tensor)
        return input_producer(input_tensor=string_tensor, element_shape=[],
                              num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                              capacity=capacity, shared_name=shared_name, name=name,
                              summary_name="fraction_of_%d_full" % capacity,
                              cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """Produces the integers 0 .. limit-1 in a queue."""
    from tensorweave.ops import array_ops

    with graph_lib.name_scope(name, "input_producer", [limit]) as name:
        range_tensor = array_ops.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, "fraction_of_%d_full" % capacity, name)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """Produces a slice of each Tensor in `tensor_list` (one row index per dequeue)."""
    from tensorweave.ops import array_ops, indexing

    with graph_lib.name_scope(name, "input_producer", tensor_list):
        tensor_list = [registry.convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = array_ops.shape(tensor_list[0])[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle,
                                     seed=seed, capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [indexing.gather(t, index) for t in tensor_list]


# ------------------------------------------------------------------ batching
def _flatten(tensors):
    from tensorweave.ops import func_graph

    return func_graph.flatten(tensors)


def _as_original_type(original, flat):
    from tensorweave.ops import func_graph

    if isinstance(original, graph_lib.Tensor) or not func_graph.is_sequence(original):
        return flat[0] if isinstance(flat, (list, tuple)) else flat
    if isinstance(flat, graph_lib.Tensor):
        flat = [flat]
    return func_graph.pack_sequence_as(original, list(flat))


def _validate(tensor_list):
    tensor_list = [registry.convert_to_tensor(t) if not isinstance(t, graph_lib.Tensor) else t
                   for t in tensor_list]
    if not tensor_list:
        raise ValueError("Expected at least one tensor in batch().")
    return tensor_list


def _validate_join(tensor_list_list):
    tensor_list_list = [_validate(tl) for tl in tensor_list_list]
    if not tensor_list_list:
        raise ValueError("Expected at least one input in batch_join().")
    return tensor_list_list


def _shapes(tensor_list_list, shapes, enqueue_many):
    if shapes is None:
        len0 = len(tensor_list_list[0])
        for tl in tensor_list_list:
            if len(tl) != len0:
                raise ValueError("Expected %d tensors, but got %d" % (len0, len(tl)))
        shapes = [tensor_shape.unknown_shape() for _ in range(len0)]
        for tl in tensor_list_list:
            for i in range(len0):
                if tl[i].shape.ndims is None:
                    raise ValueError("Cannot infer Tensor's rank: %s" % tl[i])
                s = tl[i].shape
                shapes[i] = shapes[i].merge_with(s[1:] if enqueue_many else s)
    return [tensor_shape.as_shape(s) for s in shapes]


def _dtypes(tensor_list_list):
    types = [t.dtype.base_dtype for t in tensor_list_list[0]]
    for tl in tensor_list_list[1:]:
        if [t.dtype.base_dtype for t in tl] != types:
            raise TypeError("Expected types to be %s, but got %s" % (
                types, [t.dtype.base_dtype for t in tl]))
    return types


def _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input=None):
    fn = queue.enqueue_many if enqueue_many else queue.enqueue
    enqueue_ops = [fn(tl) for tl in tensor_list_list]
    queue_runner.add_queue_runner(queue_runner.QueueRunner(queue, enqueue_ops))


def _enqueue(queue, tensor_list, threads, enqueue_many, keep_input=None):
    fn = queue.enqueue_many if enqueue_many else queue.enqueue
    enqueue_ops = [fn(tensor_list)] * threads
    queue_runner.add_queue_runner(queue_runner.QueueRunner(queue, enqueue_ops))


def _which_queue(dynamic_pad):
    return data_flow_ops.PaddingFIFOQueue if dynamic_pad else data_flow_ops.FIFOQueue


def _check_keep_input(keep_input):
    if keep_input is not True and keep_input is not None:
        raise NotImplementedError("batch(keep_input=<tensor>) is not supported by tensorweave "
                                  "yet (maybe_batch)")


def _batch(tensors, batch_size, keep_input, num_threads=1, capacity=32, enqueue_many=False,
           shapes=None, dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None,
           name=None):
    _check_keep_input(keep_input)
    tensor_list = _flatten(tensors)
    with graph_lib.name_scope(name, "batch", list(tensor_list)) as name:
        tensor_list = _validate(tensor_list)
        types = _dtypes([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        queue = _which_queue(dynamic_pad)(capacity=capacity, dtypes=types, shapes=shapes,
                                          shared_name=shared_name)
        _enqueue(queue, tensor_list, num_threads, enqueue_many, keep_input)
        _summary_scalar("fraction_of_%d_full" % capacity, _fraction_full(queue, capacity))
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=name)
        else:
            dequeued = queue.dequeue_many(batch_size, name=name)
        return _as_original_type(tensors, dequeued)


def _batch_join(tensors_list, batch_size, keep_input, capacity=32, enqueue_many=False,
                shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
                shared_name=None, name=None):
    _check_keep_input(keep_input)
    tensor_list_list = [_flatten(t) for t in tensors_list]
    with graph_lib.name_scope(name, "batch_join", _flatten(tensor_list_list)) as name:
        tensor_list_list = _validate_join(tensor_list_list)
        types = _dtypes(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        queue = _which_queue(dynamic_pad)(capacity=capacity, dtypes=types, shapes=shapes,
                                          shared_name=shared_name)
        _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input)
        _summary_scalar("fraction_of_%d_full" % capacity, _fraction_full(queue, capacity))
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=name)
        else:
            dequeued = queue.dequeue_many(batch_size, name=name)
        return _as_original_type(tensors_list[0], dequeued)


def _shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input,
                   num_threads=1, seed=None, enqueue_many=False, shapes=None,
                   allow_smaller_final_batch=False, shared_name=None, name=None):
    _check_keep_input(keep_input)
    tensor_list = _flatten(tensors)
    with graph_lib.name_scope(name, "shuffle_batch", list(tensor_list)) as name:
        if capacity <= min_after_dequeue:
            raise ValueError("capacity %d must be bigger than min_after_dequeue %d." % (
                capacity, min_after_dequeue))
        tensor_list = _validate(tensor_list)
        types = _dtypes([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        queue = data_flow_ops.RandomShuffleQueue(
            capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed, dtypes=types,
            shapes=shapes, shared_name=shared_name)
        _enqueue(queue, tensor_list, num_threads, enqueue_many, keep_input)
        _summary_scalar("fraction_over_%d_of_%d_full" % (
            min_after_dequeue, capacity - min_after_dequeue),
            _fraction_full(queue, capacity - min_after_dequeue, min_after_dequeue))
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=name)
        else:
            dequeued = queue.dequeue_many(batch_size, name=name)
        return _as_original_type(tensors, dequeued)


def _shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input,
                        seed=None, enqueue_many=False, shapes=None,
                        allow_smaller_final_batch=False, shared_name=None, name=None):
    _check_keep_input(keep_input)
    tensor_list_list = [_flatten(t) for t in tensors_list]
    with graph_lib.name_scope(name, "shuffle_batch_join", _flatten(tensor_list_list)) as name:
        tensor_list_list = _validate_join(tensor_list_list)
        types = _dtypes(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        queue = data_flow_ops.RandomShuffleQueue(
            capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed, dtypes=types,
            shapes=shapes, shared_name=shared_name)
        _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input)
        _summary_scalar("fraction_over_%d_of_%d_full" % (
            min_after_dequeue, capacity - min_after_dequeue),
            _fraction_full(queue, capacity - min_after_dequeue, min_after_dequeue))
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=name)
        else:
            dequeued = queue.dequeue_many(batch_size, name=name)
        return _as_original_type(tensors_list[0], dequeued)


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
          dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Creates batches of tensors in `tensors` (tf.train.batch)."""
    return _batch(tensors, batch_size, True, num_threads, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None,
               dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None,
               name=None):
    """Runs a list of tensors to fill a queue to create batches of examples."""
    return _batch_join(tensors_list, batch_size, True, capacity, enqueue_many, shapes,
                       dynamic_pad, allow_smaller_final_batch, shared_name, name)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                  shared_name=None, name=None):
    """Creates batches by randomly shuffling tensors (tf.train.shuffle_batch)."""
    return _shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, True, num_threads,
                          seed, enqueue_many, shapes, allow_smaller_final_batch, shared_name,
                          name)


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None,
                       enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                       shared_name=None, name=None):
    """Creates batches by randomly shuffling tensors from several lists."""
    return _shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, True,
                               seed, enqueue_many, shapes, allow_smaller_final_batch,
                               shared_name, name)
