"""Queues: FIFOQueueV2, RandomShuffleQueueV2, PaddingFIFOQueueV2, PriorityQueueV2 and their ops.

A queue lives in the session's resources (keyed by shared_name or the queue op's name), so
two sessions on one graph hold independent queues. The queue op's kernel returns a handle (a
0-d object array holding the queue); the enqueue/dequeue kernels block on the queue's
condition variable, honour the thread's deadline (RunOptions.timeout_in_ms) and are cancelled
with CancelledError when the session closes.
"""
import collections
import heapq
import itertools
import threading

import numpy as np

from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import REQUIRED, TYPE_LIST, register_op
from tensorweave.runtime import deadlines

_TSHAPE = tensor_shape.TensorShape


def handle_array(obj):
    """A 0-d object array holding `obj` (resource handles and variants)."""
    a = np.empty((), dtype=object)
    a[()] = obj
    return a


def _unwrap(h):
    return h[()] if isinstance(h, np.ndarray) else h


# ============================================================== runtime queues
class QueueImpl:
    """A session's queue: thread-safe, blocking, closable, cancellable."""

    kind = "FIFOQueue"

    def __init__(self, name, dtypes, shapes, capacity, min_after_dequeue=0, rng=None):
        self.name = name
        self.dtypes = list(dtypes)
        self.shapes = [None if s is None or s.ndims is None else s.as_list() for s in shapes]
        self.capacity = capacity if capacity is not None and capacity >= 0 else (1 << 62)
        self.min_after_dequeue = min_after_dequeue
        self.rng = rng
        self.cond = threading.Condition(threading.Lock())
        self.closed = False
        self.cancel_enqueues = False
        self.session_closed = False
        self._init_store()

    # storage (overridden per kind) ------------------------------------
    def _init_store(self):
        self.items = collections.deque()

    def _size(self):
        return len(self.items)

    def _put(self, item):
        self.items.append(item)

    def _take(self):
        return self.items.popleft()

    # helpers ------------------------------------------------------------
    def _label(self):
        return "%s '%s'" % (self.kind, self.name)

    def _check_cancel(self, what):
        if self.session_closed:
            raise errors.CancelledError(None, None, "%s operation was cancelled" % what)

    def _check_component(self, i, arr, batched):
        want = self.shapes[i] if i < len(self.shapes) else None
        if want is None:
            return
        got = list(arr.shape[1:] if batched else arr.shape)
        ok = len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got))
        if not ok:
            raise errors.InvalidArgumentError(
                None, None, "Shape mismatch in tuple component %d. Expected [%s], got [%s]" % (
                    i, ",".join("?" if w is None else str(w) for w in want),
                    ",".join(str(g) for g in got)))

    def _closed_error(self, requested):
        return errors.OutOfRangeError(
            None, None, "%s is closed and has insufficient elements (requested %d, current "
            "size %d)" % (self._label(), requested, self._size()))

    # ops ------------------------------------------------------------------
    def enqueue(self, comps):
        comps = [np.array(c, copy=True) for c in comps]
        for i, c in enumerate(comps):
            self._check_component(i, c, False)
        self._enqueue_items([tuple(comps)])

    def enqueue_many(self, comps):
        comps = [np.asarray(c) for c in comps]
        if not comps:
            return
        n = comps[0].shape[0] if comps[0].ndim else None
        for i, c in enumerate(comps):
            if c.ndim == 0 or c.shape[0] != n:
                raise errors.InvalidArgumentError(
                    None, None, "Shape mismatch in tuple component %d. Expected [%s,...], got "
                    "%s" % (i, n, list(c.shape)))
            self._check_component(i, c, True)
        comps = [np.array(c, copy=True) for c in comps]
        self._enqueue_items([tuple(c[j] for c in comps) for j in range(n)])

    def _enqueue_items(self, items):
        cond = self.cond
        with cond:
            for item in items:
                self._check_cancel("Enqueue")
                if self.closed:
                    raise errors.CancelledError(None, None, "%s is closed." % self._label())

                def ready():
                    return (self._size() < self.capacity or self.closed or
                            self.session_closed)

                deadlines.wait(cond, ready)
                self._check_cancel("Enqueue")
                if self.closed:
                    if self.cancel_enqueues:
                        raise errors.CancelledError(None, None,
                                                    "Enqueue operation was cancelled")
                    raise errors.CancelledError(None, None, "%s is closed." % self._label())
                self._put(item)
                cond.notify_all()

    def _available(self):
        """Elements a dequeue may take now (min_after_dequeue applies until closed)."""
        n = self._size()
        return n if self.closed else n - self.min_after_dequeue

    def dequeue(self):
        return self._dequeue(1, False, False)

    def dequeue_many(self, n, up_to=False):
        return self._dequeue(n, True, up_to)

    def _dequeue(self, n, batched, up_to):
        """Takes elements as they become available (TF's incremental dequeue attempt).

        If the queue closes before `n` are collected, a dequeue_many puts the collected
        elements back and raises OutOfRangeError; a dequeue_up_to returns what it has.
        """
        n = int(n)
        if n < 0:
            raise errors.InvalidArgumentError(None, None,
                                              "Dequeue requested < 0 elements (%d)" % n)
        cond = self.cond
        collected = []
        with cond:
            self._check_cancel("Dequeue")

            def ready():
                return self.session_closed or self.closed or self._available() >= 1

            try:
                while len(collected) < n:
                    deadlines.wait(cond, ready)
                    self._check_cancel("Dequeue")
                    need = n - len(collected)
                    if self.closed:
                        have = self._size()
                        if have >= need:
                            collected.extend(self._take() for _ in range(need))
                        elif up_to and (have or collected):
                            collected.extend(self._take() for _ in range(have))
                        else:
                            raise self._closed_error(n)
                        break
                    k = min(need, self._available())
                    collected.extend(self._take() for _ in range(k))
                    cond.notify_all()
            except BaseException:
                if collected and not self.session_closed:
                    self._restore(collected)
                    cond.notify_all()
                raise
            cond.notify_all()
        if not batched:
            return collected[0]
        return self._batch(collected)

    def _restore(self, items):
        for item in reversed(items):
            self.items.appendleft(item)

    def _batch(self, items):
        out = []
        for i, dt in enumerate(self.dtypes):
            if items:
                out.append(np.stack([it[i] for it in items]))
            else:
                shp = self.shapes[i] if i < len(self.shapes) and self.shapes[i] is not None \
                    else []
                out.append(np.zeros([0] + [d or 0 for d in shp], dtype=dt.np_dtype))
        return tuple(out)

    def size(self):
        with self.cond:
            return self._size()

    def close(self, cancel_pending_enqueues=False):
        with self.cond:
            self.closed = True
            if cancel_pending_enqueues:
                self.cancel_enqueues = True
            self.cond.notify_all()

    def close_for_session(self):
        with self.cond:
            self.session_closed = True
            self.cond.notify_all()


class RandomShuffleQueueImpl(QueueImpl):
    kind = "RandomShuffleQueue"

    def _init_store(self):
        self.items = []

    def _take(self):
        items = self.items
        j = int(self.rng.integers(len(items)))
        items[j], items[-1] = items[-1], items[j]
        return items.pop()

    def _restore(self, items):
        self.items.extend(items)


class PaddingFIFOQueueImpl(QueueImpl):
    kind = "PaddingFIFOQueue"

    def _check_component(self, i, arr, batched):
        QueueImpl._check_component(self, i, arr, batched)

    def _batch(self, items):
        out = []
        for i, dt in enumerate(self.dtypes):
            parts = [it[i] for it in items]
            if not parts:
                shp = self.shapes[i] or []
                out.append(np.zeros([0] + [d or 0 for d in shp], dtype=dt.np_dtype))
                continue
            rank = parts[0].ndim
            maxs = [max(p.shape[d] for p in parts) for d in range(rank)]
            fill = b"" if dt.np_dtype.kind == "O" else 0
            res = np.full([len(parts)] + maxs, fill, dtype=dt.np_dtype)
            for j, p in enumerate(parts):
                res[(j,) + tuple(slice(0, s) for s in p.shape)] = p
            out.append(res)
        return tuple(out)


class PriorityQueueImpl(QueueImpl):
    kind = "PriorityQueue"

    def _init_store(self):
        self.items = []
        self._counter = itertools.count()

    def _put(self, item):
        heapq.heappush(self.items, (int(np.asarray(item[0]).reshape(())), next(self._counter),
                                    item))

    def _take(self):
        return heapq.heappop(self.items)[2]

    def _restore(self, items):
        for item in items:
            self._put(item)

    def _check_component(self, i, arr, batched):
        if i == 0:
            got = list(arr.shape[1:] if batched else arr.shape)
            if got:
                raise errors.InvalidArgumentError(
                    None, None, "Shape mismatch in tuple component 0. Expected [], got [%s]" %
                    ",".join(map(str, got)))
            return
        QueueImpl._check_component(self, i, arr, batched)


# ================================================================== queue ops
def _resource_shape(op):
    return [_TSHAPE([])]


def _queue_factory(impl_cls):
    def factory(op, state):
        attrs = op._attrs
        key = ("queue", attrs.get("container") or "", attrs.get("shared_name") or op.name)

        def create():
            dts = [dtypes_lib.as_dtype(d) for d in attrs["component_types"]]
            shapes = [tensor_shape.as_shape(s) for s in (attrs.get("shapes") or [])]
            if impl_cls is PriorityQueueImpl:
                dts = [dtypes_lib.int64] + dts
                shapes = ([_TSHAPE([])] + shapes) if shapes else []
            if not shapes:
                shapes = [None] * len(dts)
            rng = None
            mad = 0
            if impl_cls is RandomShuffleQueueImpl:
                mad = int(attrs.get("min_after_dequeue", 0))
                rng = state.rng_for(op, (attrs.get("seed", 0), attrs.get("seed2", 0)))
            return impl_cls(op.name, dts, shapes, int(attrs.get("capacity", -1)), mad, rng)

        def kernel():
            return handle_array(state.resource(key, create))

        return kernel

    return factory


_QUEUE_ATTRS = {"component_types": TYPE_LIST, "shapes": [], "capacity": -1, "container": "",
                "shared_name": ""}
register_op("FIFOQueueV2", outputs=["handle: resource"], attrs=dict(_QUEUE_ATTRS),
            shape_fn=_resource_shape, kernel_factory=_queue_factory(QueueImpl), stateful=True)
register_op("PaddingFIFOQueueV2", outputs=["handle: resource"], attrs=dict(_QUEUE_ATTRS),
            shape_fn=_resource_shape, kernel_factory=_queue_factory(PaddingFIFOQueueImpl),
            stateful=True)
register_op("PriorityQueueV2", outputs=["handle: resource"],
            attrs={"component_types": [], "shapes": REQUIRED, "capacity": -1, "container": "",
                   "shared_name": ""},
            shape_fn=_resource_shape, kernel_factory=_queue_factory(PriorityQueueImpl),
            stateful=True)
register_op("RandomShuffleQueueV2", outputs=["handle: resource"],
            attrs=dict(_QUEUE_ATTRS, min_after_dequeue=0, seed=0, seed2=0),
            shape_fn=_resource_shape, kernel_factory=_queue_factory(RandomShuffleQueueImpl),
            stateful=True)


def _enqueue_kernel(handle, *comps, timeout_ms=-1):
    _unwrap(handle).enqueue(comps)


def _enqueue_many_kernel(handle, *comps, timeout_ms=-1):
    _unwrap(handle).enqueue_many(comps)


def _dequeue_kernel(handle, timeout_ms=-1, component_types=None):
    r = _unwrap(handle).dequeue()
    return r[0] if len(r) == 1 else tuple(r)


def _dequeue_many_kernel(handle, n, timeout_ms=-1, component_types=None):
    r = _unwrap(handle).dequeue_many(np.asarray(n).reshape(()))
    return r[0] if len(r) == 1 else tuple(r)


def _dequeue_up_to_kernel(handle, n, timeout_ms=-1, component_types=None):
    r = _unwrap(handle).dequeue_many(np.asarray(n).reshape(()), up_to=True)
    return r[0] if len(r) == 1 else tuple(r)


def _size_kernel(handle):
    return np.asarray(_unwrap(handle).size(), dtype=np.int32)


def _close_kernel(handle, cancel_pending_enqueues=False):
    _unwrap(handle).close(cancel_pending_enqueues)


def _is_closed_kernel(handle):
    return np.asarray(_unwrap(handle).closed, dtype=np.bool_)


def _no_outputs(op):
    return []


def _dequeue_shape(op):
    return list(op._attrs.get("_tw_shapes") or
                [tensor_shape.unknown_shape() for _ in op._outputs])


BLOCKING_OP_TYPES = frozenset(["QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2",
                               "QueueDequeueManyV2", "QueueDequeueUpToV2"])
register_op("QueueEnqueueV2", inputs=["handle: resource", "components: Tcomponents"],
            attrs={"Tcomponents": TYPE_LIST, "timeout_ms": -1}, shape_fn=_no_outputs,
            kernel=_enqueue_kernel, kernel_attrs=(), stateful=True)
register_op("QueueEnqueueManyV2", inputs=["handle: resource", "components: Tcomponents"],
            attrs={"Tcomponents": TYPE_LIST, "timeout_ms": -1}, shape_fn=_no_outputs,
            kernel=_enqueue_many_kernel, kernel_attrs=(), stateful=True)
register_op("QueueDequeueV2", inputs=["handle: resource"], outputs=["components: component_types"],
            attrs={"component_types": TYPE_LIST, "timeout_ms": -1}, shape_fn=_dequeue_shape,
            kernel=_dequeue_kernel, kernel_attrs=(), stateful=True)
register_op("QueueDequeueManyV2", inputs=["handle: resource", "n: int32"],
            outputs=["components: component_types"],
            attrs={"component_types": TYPE_LIST, "timeout_ms": -1}, shape_fn=_dequeue_shape,
            kernel=_dequeue_many_kernel, kernel_attrs=(), stateful=True)
register_op("QueueDequeueUpToV2", inputs=["handle: resource", "n: int32"],
            outputs=["components: component_types"],
            attrs={"component_types": TYPE_LIST, "timeout_ms": -1}, shape_fn=_dequeue_shape,
            kernel=_dequeue_up_to_kernel, kernel_attrs=(), stateful=True)
register_op("QueueSizeV2", inputs=["handle: resource"], outputs=["size: int32"],
            shape_fn=registry.scalar_shape, kernel=_size_kernel, kernel_attrs=(), stateful=True)
register_op("QueueCloseV2", inputs=["handle: resource"],
            attrs={"cancel_pending_enqueues": False}, shape_fn=_no_outputs,
            kernel=_close_kernel, stateful=True)
register_op("QueueIsClosedV2", inputs=["handle: resource"], outputs=["is_closed: bool"],
            shape_fn=registry.scalar_shape, kernel=_is_closed_kernel, kernel_attrs=(),
            stateful=True)

try:  # NOTE: plans with blocking ops must not hold the per-plan lock while they wait.
    from tensorweave.runtime import executor as _executor

    _executor.UNLOCKED_OP_TYPES.update(BLOCKING_OP_TYPES)
except (ImportError, AttributeError):  # pragma: no cover - older executor
    pass


# ============================================================ Python queues
def _as_type_list(dtypes):
    if isinstance(dtypes, (list, tuple)):
        return [dtypes_lib.as_dtype(d) for d in dtypes]
    return [dtypes_lib.as_dtype(dtypes)]


def _as_shape_list(shapes, dtypes, unknown_dim_allowed=False, unknown_rank_allowed=False):
    if shapes is None:
        return None
    if isinstance(shapes, tensor_shape.TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.")
    if all(shape is None or isinstance(shape, int) for shape in shapes):
        # A single shape given as a list of ints.
        shapes = [shapes]
    shapes = [tensor_shape.as_shape(s) for s in shapes]
    if not unknown_dim_allowed:
        if any(not s.is_fully_defined() for s in shapes):
            raise ValueError("All shapes must be fully defined: %s" % shapes)
    if not unknown_rank_allowed:
        if any(s.ndims is None for s in shapes):
            raise ValueError("All shapes must have a defined rank.")
    if len(shapes) != len(dtypes):
        raise ValueError("shapes must have the same length as dtypes")
    return shapes


class QueueBase:
    """Base class for queue implementations (tf.QueueBase)."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = dtypes
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [tensor_shape.as_shape(s) for s in shapes]
        else:
            self._shapes = [tensor_shape.unknown_shape() for _ in dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @staticmethod
    def from_list(index, queues):
        raise NotImplementedError("QueueBase.from_list is not supported by tensorweave yet.")

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _check_enqueue_dtypes(self, vals):
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError("Keys in dictionary to enqueue do not match names of Queue.  "
                                 "Dictionary: (%s), Queue: (%s)" % (
                                     sorted(vals.keys()), sorted(self._names)))
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        tensors = []
        for i, (val, dtype) in enumerate(zip(vals, self._dtypes)):
            tensors.append(registry.convert_to_tensor(val, dtype=dtype,
                                                      name="component_%d" % i))
        if len(vals) != len(self._dtypes):
            raise ValueError("Expected %d components, got %d" % (len(self._dtypes), len(vals)))
        return tensors

    def _scope_vals(self, vals):
        if isinstance(vals, (list, tuple)):
            return list(vals)
        if isinstance(vals, dict):
            return list(vals.values())
        return [vals]

    def enqueue(self, vals, name=None):
        """Enqueues one element to this queue."""
        with graph_lib.name_scope(name, "%s_enqueue" % self._name,
                                  self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                if not val.shape.is_compatible_with(shape):
                    raise ValueError("Shapes %s and %s are incompatible" % (val.shape, shape))
            return registry.apply_op("QueueEnqueueV2", [self._queue_ref, vals], name=scope)

    def enqueue_many(self, vals, name=None):
        """Enqueues zero or more elements (sliced along the 0th dimension)."""
        with graph_lib.name_scope(name, "%s_EnqueueMany" % self._name,
                                  self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = tensor_shape.Dimension(None)
            for val, shape in zip(vals, self._shapes):
                vs = val.shape.with_rank_at_least(1)
                batch_dim = batch_dim.merge_with(vs[0])
                if not vs[1:].is_compatible_with(shape):
                    raise ValueError("Shapes %s and %s are incompatible" % (vs[1:], shape))
            return registry.apply_op("QueueEnqueueManyV2", [self._queue_ref, vals],
                                     name=scope)

    def _dequeue_return_value(self, tensors):
        if self._names:
            return {n: t for n, t in zip(self._names, tensors)}
        if len(tensors) == 1:
            return tensors[0]
        return tensors

    def _dequeue_op(self, op_type, inputs, name, shapes):
        op = registry.apply_op(op_type, [self._queue_ref] + inputs, name=name,
                               component_types=list(self._dtypes))
        for t, s in zip(op._outputs, shapes):
            t._shape = s
        return list(op._outputs)

    def dequeue(self, name=None):
        """Dequeues one element from this queue."""
        if name is None:
            name = "%s_Dequeue" % self._name
        return self._dequeue_return_value(self._dequeue_op("QueueDequeueV2", [], name,
                                                           self._shapes))

    def dequeue_many(self, n, name=None):
        """Dequeues and concatenates `n` elements from this queue."""
        if name is None:
            name = "%s_DequeueMany" % self._name
        batch = _const_dim(n)
        shapes = [_TSHAPE([batch]).concatenate(s) for s in self._shapes]
        return self._dequeue_return_value(self._dequeue_op(
            "QueueDequeueManyV2", [_n_tensor(n, name)], name, shapes))

    def dequeue_up_to(self, n, name=None):
        """Dequeues up to `n` elements (fewer only after close)."""
        if name is None:
            name = "%s_DequeueUpTo" % self._name
        shapes = [_TSHAPE([None]).concatenate(s) for s in self._shapes]
        return self._dequeue_return_value(self._dequeue_op(
            "QueueDequeueUpToV2", [_n_tensor(n, name)], name, shapes))

    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes this queue."""
        if name is None:
            name = "%s_Close" % self._name
        return registry.apply_op("QueueCloseV2", [self._queue_ref], name=name,
                                 cancel_pending_enqueues=cancel_pending_enqueues)

    def is_closed(self, name=None):
        if name is None:
            name = "%s_Is_Closed" % self._name
        return registry.out(registry.apply_op("QueueIsClosedV2", [self._queue_ref], name=name))

    def size(self, name=None):
        """The number of elements in this queue."""
        if name is None:
            name = "%s_Size" % self._name
        return registry.out(registry.apply_op("QueueSizeV2", [self._queue_ref], name=name))


def _n_tensor(n, scope_name):
    # NOTE: a Python n becomes the constant '<op name>/n' (converted inside the op's scope).
    return n


def _const_dim(n):
    from tensorweave.framework import tensor_util

    if isinstance(n, graph_lib.Tensor):
        v = tensor_util.constant_value(n)
        return None if v is None else int(v)
    return int(n)


def _queue_shapes_attr(shapes):
    return [] if shapes is None else list(shapes)


class FIFOQueue(QueueBase):
    """A queue that dequeues elements in first-in first-out order (tf.FIFOQueue)."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        ref = registry.out(registry.apply_op(
            "FIFOQueueV2", [], name=name, component_types=dtypes,
            shapes=_queue_shapes_attr(shapes), capacity=capacity,
            shared_name=shared_name or ""))
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose dequeue_many pads variable-size components (tf.PaddingFIFOQueue)."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError("Shapes must be provided for all components, but received %d "
                             "dtypes and %d shapes." % (len(dtypes), len(shapes)))
        ref = registry.out(registry.apply_op(
            "PaddingFIFOQueueV2", [], name=name, component_types=dtypes, shapes=shapes,
            capacity=capacity, shared_name=shared_name or ""))
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """A queue dequeuing the element with the smallest int64 priority first."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes, types)
        ref = registry.out(registry.apply_op(
            "PriorityQueueV2", [], name=name, component_types=types,
            shapes=_queue_shapes_attr(shapes), capacity=capacity,
            shared_name=shared_name or ""))
        priority_dtypes = [dtypes_lib.int64] + types
        priority_shapes = [_TSHAPE([])] + shapes if shapes else shapes
        super().__init__(priority_dtypes, priority_shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues elements in a random order (tf.RandomShuffleQueue)."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        from tensorweave.ops import random_ops

        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = random_ops.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        elif seed is None and shared_name is not None:
            seed2 = seed1 = 0
        ref = registry.out(registry.apply_op(
            "RandomShuffleQueueV2", [], name=name, component_types=dtypes,
            shapes=_queue_shapes_attr(shapes), capacity=capacity,
            min_after_dequeue=min_after_dequeue, seed=seed1, seed2=seed2,
            shared_name=shared_name or ""))
        super().__init__(dtypes, shapes, names, ref)


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)
