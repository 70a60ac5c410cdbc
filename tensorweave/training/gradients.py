"""tf.gradients: symbolic reverse-mode differentiation that builds gradient ops in the graph.

The algorithm and names follow TF1: ops between `xs` and `ys` are visited in reverse
topological order; each op's gradient function (from the registry, honouring
gradient_override_map) runs inside a `<op name>_grad` name scope under `gradients/`; several
gradients flowing into one tensor are summed with AddN; integer tensors carry no gradient.
"""
import collections

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework.graph import Tensor

class AggregationMethod:
    """How gradients flowing into one tensor are summed (all use AddN here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


GATE_NONE = 0
GATE_OP = 1
GATE_GRAPH = 2

_BACKPROP_DTYPES = frozenset(["float16", "float32", "float64", "bfloat16", "complex64",
                              "complex128", "resource", "variant"])


def _is_backprop(t):
    return t.dtype.base_dtype.name in _BACKPROP_DTYPES


def is_indexed_slices(g):
    return g is not None and not isinstance(g, Tensor) and hasattr(g, "indices") and \
        hasattr(g, "values") and hasattr(g, "dense_shape")


def _as_tensor_or_slices(x, as_ref=False):
    if isinstance(x, Tensor) or is_indexed_slices(x):
        return x
    return registry.convert_to_tensor(x, as_ref=as_ref)


def _flatten(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _op(op_type, inputs, name=None, **attrs):
    return registry.apply_op(op_type, inputs, name=name, **attrs)


def _zeros_like(t):
    return registry.out(_op("ZerosLike", [t], name="zeros_like"))


def _ones_grad_y(y, i):
    import numpy as np

    if y.shape.is_fully_defined():
        # NOTE: TF folds a static shape into a Const, still named 'Shape'.
        shape = registry.constant_op(np.asarray(y.shape.as_list(), dtype=np.int32),
                                     name="Shape")
    else:
        shape = registry.out(_op("Shape", [y], name="Shape", out_type=dtypes.int32))
    # NOTE: TF builds tf.ones(shape, name="grad_ys_<i>"): a Const 'grad_ys_<i>/Const' and a
    # Fill named 'grad_ys_<i>'.
    g = graph_lib.get_default_graph()
    with g.name_scope("grad_ys_%d" % i) as scope:
        one = registry.constant_op(_one(y.dtype.base_dtype), name="Const")
        return registry.out(_op("Fill", [shape, one], name=scope))


def _one(dtype):
    import numpy as np

    return np.ones((), dtype=dtype.np_dtype)


def _group(ops, name="group_deps"):
    with graph_lib.get_default_graph().control_dependencies(ops):
        return _op("NoOp", [], name=name)


def _with_dependencies(deps, t, name=None):
    with graph_lib.name_scope(name, "control_dependency", [t]) as scope:
        g = graph_lib.get_default_graph()
        with g.colocate_with(t.op), g.control_dependencies(deps):
            if is_indexed_slices(t):
                return type(t)(registry.out(_op("Identity", [t.values], name=scope)),
                               t.indices, t.dense_shape)
            return registry.out(_op("Identity", [t], name=scope))


def gating_tuple(tensors, name=None):
    """TF's control_flow_ops.tuple: every output waits for all of `tensors`."""
    with graph_lib.name_scope(name, "tuple", [t for t in tensors if isinstance(t, Tensor)]):
        gating_ops = [(t.op if isinstance(t, Tensor) else t.values.op)
                      for t in tensors if t is not None]
        gate = _group(gating_ops)
        return [None if t is None else _with_dependencies([gate], t) for t in tensors]


def _pending_counts(to_ops, from_ops, stop_ops):
    """Ops on a path from `to_ops` (xs) to `from_ops` (ys) and their pending grad counts."""
    reached = set()
    queue = collections.deque(to_ops)
    while queue:
        op = queue.popleft()
        if id(op) in reached:
            continue
        reached.add(id(op))
        for t in op._outputs:
            for c in t._consumers:
                if id(c) not in reached:
                    queue.append(c)
    between = set()
    between_list = []
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if id(op) in reached and id(op) not in between:
            between.add(id(op))
            between_list.append(op)
            reached.discard(id(op))
            for t in op._inputs:
                queue.append(t.op)
    pending = collections.defaultdict(int)
    for op in between_list:
        if id(op) in stop_ops:
            continue
        for t in op._inputs:
            if id(t.op) in between:
                pending[id(t.op)] += 1
    return between, pending


def _aggregate(grads_list):
    grads_list = [g for g in grads_list if g is not None]
    if not grads_list:
        return None
    if len(grads_list) == 1:
        return grads_list[0]
    if all(is_indexed_slices(g) for g in grads_list):
        values = registry.out(_op("ConcatV2", [[g.values for g in grads_list],
                                              registry.constant_op(_int32(0), name="concat/axis")],
                                  name="concat"))
        indices = registry.out(_op("ConcatV2", [[g.indices for g in grads_list],
                                               registry.constant_op(_int32(0),
                                                                    name="concat_1/axis")],
                                   name="concat_1"))
        return type(grads_list[0])(values, indices, grads_list[0].dense_shape)
    dense = [registry.convert_to_tensor(g) if is_indexed_slices(g) else g for g in grads_list]
    return registry.out(_op("AddN", [dense], name="AddN"))


def _int32(v):
    import numpy as np

    return np.asarray(v, dtype=np.int32)


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic derivatives of sum(ys) with respect to each of xs (TF1's tf.gradients)."""
    ys = [_as_tensor_or_slices(y) for y in _flatten(ys)]
    xs_in = _flatten(xs)
    xs = [_as_tensor_or_slices(x, as_ref=True) for x in xs_in]
    grad_ys = _flatten(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    stop = [_as_tensor_or_slices(s) for s in _flatten(stop_gradients)]
    g = graph_lib.get_default_graph()
    for t in ys + xs:
        if isinstance(t, Tensor) and t.graph is not g:
            g = t.graph
            break
    for y in ys:
        if isinstance(y, Tensor) and not _is_backprop(y):
            raise TypeError(
                "Cannot compute gradients of %s: it has integer/bool dtype %s, and integer "
                "tensors have no gradient. Compute the loss in floating point (tf.cast(%s, "
                "tf.float32)) before differentiating." % (y.name, y.dtype.base_dtype.name,
                                                          y.op.name))
    with g.as_default(), graph_lib.name_scope(name, "gradients", ys + xs):
        to_ops = [x.op for x in xs]
        from_ops = [y.op for y in ys]
        stop_ops = set(id(s.op) for s in stop)
        between, pending = _pending_counts(to_ops, from_ops, stop_ops)
        grads = {}

        def add_grad(t, gval):
            grads.setdefault(id(t), [t, []])[1].append(gval)

        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                with g.colocate_with(y.op) if colocate_gradients_with_ops else _nullctx():
                    gy = _ones_grad_y(y, i)
            else:
                gy = _as_tensor_or_slices(gy)
                if isinstance(gy, Tensor) and gy.dtype.base_dtype != y.dtype.base_dtype:
                    raise TypeError("Gradient type %s generated for op %s does not match "
                                    "input type %s" % (gy.dtype.name, y.op.name, y.dtype.name))
                if isinstance(gy, Tensor):
                    gy = registry.out(_op("Identity", [gy], name="grad_ys_%d" % i))
            add_grad(y, gy)
        # Ops whose every consumer on the path has contributed are ready.
        ready = collections.deque()
        seen_ready = set()
        for op in from_ops:
            if id(op) in between and pending[id(op)] == 0 and id(op) not in seen_ready:
                seen_ready.add(id(op))
                ready.append(op)
        while ready:
            op = ready.popleft()
            out_grads = []
            has_grad = False
            for t in op._outputs:
                entry = grads.get(id(t))
                agg = _aggregate(entry[1]) if entry else None
                if entry:
                    entry[1] = [agg]
                if agg is not None:
                    has_grad = True
                out_grads.append(agg)
            is_stopped = id(op) in stop_ops
            if has_grad and not is_stopped:
                try:
                    grad_fn = registry.get_gradient_function(op)
                except LookupError:
                    if any(_is_backprop(t) for t in op._inputs):
                        raise
                    grad_fn = None
                if grad_fn is not None:
                    for i, t in enumerate(op._outputs):
                        if out_grads[i] is None and _is_backprop(t):
                            out_grads[i] = _zeros_like(t)
                    with graph_lib.name_scope(op.name + "_grad"):
                        with g.colocate_with(op) if colocate_gradients_with_ops else _nullctx():
                            in_grads = grad_fn(op, *out_grads)
                        in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [
                            in_grads]
                        if len(in_grads) != len(op._inputs):
                            raise ValueError(
                                "Num gradients %d generated for op %s do not match num inputs "
                                "%d" % (len(in_grads), op.name, len(op._inputs)))
                        if gate_gradients and len([x for x in in_grads if x is not None]) > 1:
                            in_grads = gating_tuple(in_grads)
                    for t, gi in zip(op._inputs, in_grads):
                        if gi is not None and _is_backprop(t):
                            if isinstance(gi, Tensor) and t.dtype.base_dtype != \
                                    gi.dtype.base_dtype and dtypes.resource not in (
                                        gi.dtype, t.dtype):
                                raise TypeError(
                                    "Gradient type %s generated for op %s does not match input "
                                    "type %s" % (gi.dtype.base_dtype.name, op.name,
                                                 t.dtype.base_dtype.name))
                            add_grad(t, gi)
            for t in op._inputs:
                p = t.op
                if id(p) in between:
                    pending[id(p)] -= 1
                    if pending[id(p)] == 0 and id(p) not in seen_ready:
                        seen_ready.add(id(p))
                        ready.append(p)
        result = []
        for x in xs:
            entry = grads.get(id(x))
            gval = _aggregate(entry[1]) if entry else None
            if gval is None and unconnected_gradients == "zero":
                gval = _zeros_like(x)
            result.append(gval)
    return result


class _nullctx:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """Second derivatives of sum(ys) w.r.t. each x (x must have a fully defined shape)."""
    xs = _flatten(xs)
    out = []
    with graph_lib.name_scope(name, "hessians"):
        grads = gradients(ys, xs)
        for x, gx in zip(xs, grads):
            x = _as_tensor_or_slices(x)
            n = x.shape.num_elements()
            if n is None:
                raise ValueError("tf.hessians needs a fully defined shape for %s" % x.name)
            flat = registry.out(_op("Reshape", [gx, _int32([-1])]))
            rows = []
            for i in range(n):
                gi = registry.out(_op("StridedSlice", [flat, _int32([i]), _int32([i + 1]),
                                                      _int32([1])], shrink_axis_mask=1,
                                      begin_mask=0, end_mask=0, ellipsis_mask=0,
                                      new_axis_mask=0))
                h = gradients(gi, x)[0]
                rows.append(h if h is not None else _zeros_like(x))
            stacked = registry.out(_op("Pack", [rows], axis=0))
            shape = x.shape.as_list()
            out.append(registry.out(_op("Reshape", [stacked, _int32(shape + shape)])))
    return out


def stop_gradient(input, name=None):  # noqa: A002
    return registry.out(_op("StopGradient", [input], name=name))

