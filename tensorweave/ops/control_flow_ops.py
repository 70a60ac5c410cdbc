"""Control flow: group, tuple, cond, case, while_loop, map_fn, scan, foldl, foldr.

Representation: TF2's *functional* control flow (what tensorflow.compat.v1 builds in graph
mode with control flow v2): `If`/`StatelessIf` and `While`/`StatelessWhile` ops whose branches
and bodies are FuncGraphs (ops/func_graph.py) traced once from the Python callables and kept
in the outer graph's function library. Tensors of outer graphs used inside a function graph
are captured (a Placeholder inside, an extra input of the calling op outside). The kernels run
the function graphs with nested executor Plans compiled once per outer plan, sharing the
session state (variables used in bodies are the session's variables).

Names: the calling op takes the scope name (`cond`, `while`, `map/while`); its user-visible
outputs are Identity ops named as TF1's Switch/Merge control flow names them (`cond/Merge`,
`while/Exit_1`, `map/TensorArrayStack/TensorArrayGatherV3`), so tensors fetched by name in
TF1 programs resolve (the op types are TF2's).

Gradients (implemented below; the design keeps everything a builder needs on the op):
  Every If/While op keeps in its attrs the FuncGraphs (`then_branch`/`else_branch`,
  `cond`/`body`), each with `inputs` (placeholders: explicit args, then captures), `outputs`,
  `captures` [(outer tensor, placeholder)] and `python_func`. The op's inputs are exactly the
  FuncGraph inputs (after the predicate for If), so input k feeds placeholder k.
  * If (`_if_grad`): an If on the same predicate whose branches are gradient FuncGraphs: each
    re-creates its forward branch's ops (copied, never re-traced from Python) and calls
    tf.gradients on them with the output gradients as grad_ys; outputs one gradient per
    forward input (zeros where only the other branch uses it).
  * While (`_while_grad`): the forward While is rewritten once (on clones of its
    FuncGraphs) to push each iteration's loop values, and the outputs of stateful ops
    without gradients (random draws, py_func), onto TensorLists: extra loop vars/outputs,
    as TF2 does; the counter output is the trip count, so data-dependent trip counts work.
    A backward While pops them in reverse, re-creates the body ops the gradient needs
    (data ancestors only: side effects are not repeated; accumulated values substituted)
    and differentiates them, carrying loop-variable gradients and summing the gradients
    of captured tensors. TensorList loop values (map_fn, scan) have TensorList gradients,
    summed with AddN. If gradients likewise re-create only data ancestors, and take the
    forward values of a branch's random draws from extra outputs of the forward If.
"""
import builtins

import numpy as np

from tensorweave.framework import dtypes, errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import REQUIRED, TYPE, TYPE_LIST, out, register_op
from tensorweave.ops import func_graph as func_graph_lib
from tensorweave.ops.func_graph import flatten, is_sequence, pack_sequence_as

# ------------------------------------------------------------------- group / tuple
_tuple = builtins.tuple


def _as_op(x):
    if hasattr(x, "_as_graph_element") and not isinstance(x, (graph_lib.Tensor,
                                                              graph_lib.Operation)):
        x = x._as_graph_element()
    if isinstance(x, graph_lib.Tensor):
        return x.op
    if isinstance(x, graph_lib.Operation):
        return x
    if hasattr(x, "op") and isinstance(x.op, graph_lib.Operation):
        return x.op
    raise TypeError("Expected an Operation or Tensor, got %r" % (x,))


def _no_op(name=None):
    return registry.apply_op("NoOp", [], name=name)


def _group_control_deps(dev, deps, name=None):
    g = graph_lib.get_default_graph()
    with g.control_dependencies(deps):
        if dev is None:
            return _no_op(name)
        with g.device(dev):
            return _no_op(name)


def group(*inputs, **kwargs):
    """tf.group: a NoOp that runs after all `inputs` (one NoOp per device, as TF)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unknown keyword arguments: " + ", ".join(kwargs.keys()))
    flat = [x for x in flatten(list(inputs)) if x is not None]
    ops = [_as_op(x) for x in flat]
    with graph_lib.name_scope(name, "group_deps", ops) as scope:
        if not ops:
            return _no_op(name=scope)
        by_dev = {}
        for op in ops:
            by_dev.setdefault(op.device or None, []).append(op)
        if len(by_dev) == 1:
            (dev, deps), = by_dev.items()
            return _group_control_deps(dev, deps, name=scope)
        all_deps = [_group_control_deps(dev, by_dev[dev])
                    for dev in sorted(by_dev, key=lambda d: d or "")]
        with graph_lib.control_dependencies(all_deps):
            return _no_op(name=scope)


def with_dependencies(dependencies, output_tensor, name=None):
    """Returns an Identity of `output_tensor` that runs after `dependencies`."""
    with graph_lib.name_scope(name, "control_dependency",
                              list(dependencies) + [output_tensor]) as scope:
        g = graph_lib.get_default_graph()
        with g.colocate_with(_as_op(output_tensor)), g.control_dependencies(dependencies):
            if isinstance(output_tensor, graph_lib.Operation):
                return group(output_tensor, name=scope)
            t = registry.convert_to_tensor(output_tensor)
            return out(registry.apply_op("Identity", [t], name=scope))


def tuple(tensors, name=None, control_inputs=None):
    """tf.tuple: each tensor gated on all of them (and on `control_inputs`)."""
    with graph_lib.name_scope(name, "tuple", [t for t in tensors if t is not None]) as scope:
        gating = [_as_op(t) for t in tensors if t is not None]
        if control_inputs:
            for c in control_inputs:
                if isinstance(c, graph_lib.Tensor):
                    c = c.op
                elif not isinstance(c, graph_lib.Operation):
                    raise TypeError("Control input must be an Operation, a Tensor, or "
                                    "IndexedSlices: %s" % c)
                gating.append(c)
        gating = sorted(set(gating), key=lambda op: op._id)
        if not gating:
            raise ValueError("Must have at least one Tensor: %s" % (tensors,))
        gate = group(*gating)
        res = []
        for t in tensors:
            if t is None:
                res.append(None)
            else:
                res.append(with_dependencies([gate], t))
        del scope
        return res


def _identity_n(*xs):
    return xs if len(xs) != 1 else xs[0]


def _identity_n_grad(op, *grads):
    return list(grads)


register_op("IdentityN", inputs=["input: T"], outputs=["output: T"], attrs={"T": TYPE_LIST},
            shape_fn=lambda op: [t.shape for t in op.inputs], kernel=_identity_n,
            kernel_attrs=(), grad=_identity_n_grad)


def identity_n(input, name=None):
    """tf.identity_n: an Identity of each tensor in one op."""
    op = registry.apply_op("IdentityN", [list(input)], name=name)
    return list(op._outputs)


# ---------------------------------------------------------------- function calls


def _is_stateful(fg, seen=None):
    seen = seen if seen is not None else set()
    if id(fg) in seen:
        return False
    seen.add(id(fg))
    for op in fg.get_operations():
        opdef = op._opdef
        if opdef is not None and opdef.stateful:
            return True
        for v in op._attrs.values():
            if isinstance(v, func_graph_lib.FuncGraph) and _is_stateful(v, seen):
                return True
    return False


def _compile_function(fg, state):
    from tensorweave.runtime import executor

    return executor.Plan(fg, list(fg.outputs), [], list(fg.inputs), state)


def _to_output_tensor(fg, v, what):
    """Converts a branch/body result leaf to a tensor of function graph `fg`."""
    if isinstance(v, graph_lib.Operation):
        with fg.as_default(), fg.control_dependencies([v]):
            return registry.constant_op(np.array(True))
    if hasattr(v, "_as_graph_element") and not isinstance(v, graph_lib.Tensor):
        v = v._as_graph_element()
        if isinstance(v, graph_lib.Operation):
            return _to_output_tensor(fg, v, what)
    with fg.as_default():
        if isinstance(v, graph_lib.Tensor):
            t = v
        else:
            if v is None:
                raise ValueError("%s must have a return value." % what)
            t = registry.convert_to_tensor(v)
        if t.graph is not fg:
            t = fg._capture(t)
        if t.dtype.is_ref_dtype or (t.op.type == "Placeholder" and t in fg.inputs) or (
                t.op.type in func_graph_lib.VARIABLE_OP_TYPES):
            t = out(registry.apply_op("Identity", [t]))
    return t


def _register_function(g, fg):
    g._add_function(fg)


def _align_captures(graphs):
    """Gives every graph one placeholder per outer tensor captured by any of them.

    Returns the outer tensors in order; appends the matching placeholders to each graph's
    `inputs` (after its explicit inputs).
    """
    order = []
    seen = {}
    for fg in graphs:
        for outer_t, _ in fg.captures:
            if id(outer_t) not in seen:
                seen[id(outer_t)] = outer_t
                order.append(outer_t)
    for fg in graphs:
        mine = {id(o): i for o, i in fg.captures}
        for outer_t in order:
            ph = mine.get(id(outer_t))
            if ph is None:
                ph = fg.add_placeholder(outer_t.dtype, outer_t.shape,
                                        outer_t.op.name.split("/")[-1])
            fg.inputs.append(ph)
    return order


# ------------------------------------------------------------------------- If


def _if_factory(op, state):
    then_fg = func_graph_lib.resolve_function(op, "then_branch")
    else_fg = func_graph_lib.resolve_function(op, "else_branch")
    plans = {}

    def plan(which):
        p = plans.get(which)
        if p is None:
            p = plans[which] = _compile_function(then_fg if which else else_fg, state)
        return p

    nout = len(op._outputs)

    def _if(pred, *args):
        p = np.asarray(pred)
        if p.size != 1:
            raise ValueError("The first input to If must be a scalar, got shape %s" %
                             (p.shape,))
        which = bool(p.reshape(()))
        try:
            res = plan(which).run(list(args))
        except errors.OpError as e:
            raise _in_function(e, op, then_fg if which else else_fg) from None
        return res[0] if nout == 1 else _tuple(res)

    return _if


def _in_function(e, op, fg, iteration=None):
    """Adds the calling op (and loop iteration) to an error raised inside a function body."""
    where = "\n\t (in function %s of %s op '%s' defined at %s%s)" % (
        fg.name, op.type, op.name, graph_lib.format_site(op._site),
        "" if iteration is None else ", iteration %d" % iteration)
    e._message = (e._message or "") + where
    e.args = (e._message,)
    return e


def _if_shape(op):
    return list(op._attrs["output_shapes"])


def _IfGrad(op, *grads):
    return _if_grad(op, grads)


for _t, _stateful in (("If", True), ("StatelessIf", False)):
    register_op(
        _t, inputs=["cond: Tcond", "input: Tin"], outputs=["output: Tout"],
        attrs={"Tcond": TYPE, "Tin": TYPE_LIST, "Tout": TYPE_LIST, "then_branch": REQUIRED,
               "else_branch": REQUIRED, "output_shapes": []},
        shape_fn=_if_shape, kernel_factory=_if_factory, grad=_IfGrad, stateful=_stateful)


def _unpack_singleton(x):
    if isinstance(x, (list, _tuple)) and len(x) == 1 and not hasattr(x, "_fields"):
        return x[0]
    return x


def _trace_branch(fn, name, g, what):
    def call(_):
        return fn()

    fg = func_graph_lib.trace(fn, name, g, [], call=call)
    return fg


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """tf.cond: an If op running `true_fn` or `false_fn` (both traced once)."""
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    g = graph_lib.get_default_graph()
    with graph_lib.name_scope(name, "cond", [pred]) as scope:
        pred = registry.convert_to_tensor(pred)
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError("pred must be a tf.bool tensor, got %s" % pred.dtype.name)
        if pred.shape.ndims is not None and pred.shape.ndims != 0:
            raise ValueError("Shape must be rank 0 but is rank %d for 'cond' with input "
                             "shapes: %s." % (pred.shape.ndims, pred.shape))
        base = scope.rstrip("/")
        then_fg = _trace_branch(true_fn, func_graph_lib.unique_function_name(base + "_true"),
                                g, "true_fn")
        else_fg = _trace_branch(false_fn,
                                func_graph_lib.unique_function_name(base + "_false"),
                                g, "false_fn")
        res_t, res_f = then_fg.structured_outputs, else_fg.structured_outputs
        if not strict:
            res_t, res_f = _unpack_singleton(res_t), _unpack_singleton(res_f)
        if res_t is None:
            raise ValueError("true_fn must have a return value.")
        if res_f is None:
            raise ValueError("false_fn must have a return value.")
        try:
            func_graph_lib.assert_same_structure(res_t, res_f)
        except ValueError as e:
            raise ValueError("Outputs of true_fn and false_fn must have the same structure: "
                             "%s" % e)
        flat_t = [_to_output_tensor(then_fg, v, "true_fn") for v in flatten(res_t)]
        flat_f = [_to_output_tensor(else_fg, v, "false_fn") for v in flatten(res_f)]
        for a, b in zip(flat_t, flat_f):
            if a.dtype.base_dtype != b.dtype.base_dtype:
                raise ValueError("Outputs of true_fn and false_fn must have the same type: "
                                 "%s, %s" % (a.dtype.name, b.dtype.name))
        then_fg.outputs = flat_t
        else_fg.outputs = flat_f
        captured = _align_captures([then_fg, else_fg])
        _register_function(g, then_fg)
        _register_function(g, else_fg)
        shapes = [a.shape.most_specific_compatible_shape(b.shape)
                  for a, b in zip(flat_t, flat_f)]
        op_type = "If" if (_is_stateful(then_fg) or _is_stateful(else_fg)) else "StatelessIf"
        extra_ctrl = then_fg.outer_control_inputs + [
            c for c in else_fg.outer_control_inputs if c not in then_fg.outer_control_inputs]
        with g.control_dependencies(extra_ctrl) if extra_ctrl else _nullcontext():
            if_op = registry.apply_op(
                op_type, [pred, captured], name=scope, Tout=[t.dtype for t in flat_t],
                then_branch=then_fg, else_branch=else_fg, output_shapes=shapes)
        if_op._attrs["_lower_using_switch_merge"] = True
        outs = []
        for t in if_op._outputs:
            outs.append(out(registry.apply_op("Identity", [t], name="Merge")))
        if not flatten(res_t) and not flatten(res_f):
            return if_op
        result = pack_sequence_as(res_t, outs)
        return result


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """tf.case: the first (pred, fn) pair whose pred is true runs, else `default`."""
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    else:
        pairs = list(pred_fn_pairs)
    for p in pairs:
        if not isinstance(p, (list, _tuple)) or len(p) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = p
        if not callable(fn):
            raise TypeError("fn for pred %s must be callable." % getattr(pred, "name", pred))
        if isinstance(pred, graph_lib.Tensor) and pred.dtype.base_dtype != dtypes.bool:
            raise TypeError("pred must be Tensor of type bool: %s" % pred.name)
    if default is None:
        if not pairs:
            raise ValueError("Must provide at least one pair or a default.")
        *pairs, (_, default) = pairs
    if not callable(default):
        raise TypeError("default must be callable.")
    preds = [p for p, _ in pairs]
    with graph_lib.name_scope(name, "case", preds):
        if not pairs:
            return default()
        if exclusive:
            from tensorweave.ops import logging_ops

            packed = [registry.convert_to_tensor(p) for p in preds]
            cast = [registry.apply_op("Cast", [p], DstT=dtypes.int32)._outputs[0]
                    for p in packed] if len(packed) > 1 else []
            if cast:
                total = cast[0]
                for c in cast[1:]:
                    total = total + c
                chk = logging_ops.Assert(
                    total <= 1,
                    [("Input error: exclusive=True and more than 1 conditions evaluated as "
                      "True:")] + packed, name="exclusive")
                default_fn = default
                default = _gated(default_fn, chk)

        def build(i):
            pred, fn = pairs[i]
            if i == len(pairs) - 1:
                return cond(pred, fn, default, strict=strict)
            return cond(pred, fn, lambda: build(i + 1), strict=strict)

        return build(0)


def _gated(fn, op):
    def gated():
        with graph_lib.control_dependencies([op]):
            res = fn()
            return func_graph_lib.pack_sequence_as(
                res, [registry.apply_op("Identity", [registry.convert_to_tensor(t)])._outputs[0]
                      if not isinstance(t, graph_lib.Operation) else t
                      for t in flatten(res)])
    return gated


# ------------------------------------------------------------------------ While


def _while_factory(op, state):
    cond_fg = func_graph_lib.resolve_function(op, "cond")
    body_fg = func_graph_lib.resolve_function(op, "body")
    # NOTE: our While ops carry (loop_counter, maximum_iterations) first and the kernel
    # honours the limit itself; imported ones rely on their cond function.
    own = hasattr(body_fg, "num_loop_vars")
    plans = []

    def compiled():
        if not plans:
            plans.append(_compile_function(cond_fg, state))
            plans.append(_compile_function(body_fg, state))
        return plans

    def _while(*args):
        cp, bp = compiled()
        vals = list(args)
        max_iter = int(np.asarray(vals[1]).reshape(-1)[0]) if own else -1
        crun, brun = cp.run, bp.run
        try:
            while True:
                if 0 <= max_iter <= int(vals[0]):
                    break
                c = crun(vals)[0]
                if not bool(np.asarray(c).reshape(())):
                    break
                vals = brun(vals)
        except errors.OpError as e:
            raise _in_function(e, op, body_fg, int(np.asarray(vals[0]).reshape(-1)[0])
                               if own else None) from None
        return _tuple(vals)

    return _while


def _while_shape(op):
    return list(op._attrs["output_shapes"])


def _WhileGrad(op, *grads):  # noqa: N802 - TF's gradient naming
    return _while_grad(op, grads)


for _t, _stateful in (("While", True), ("StatelessWhile", False)):
    register_op(
        _t, inputs=["input: T"], outputs=["output: T"],
        attrs={"T": TYPE_LIST, "cond": REQUIRED, "body": REQUIRED, "output_shapes": [],
               "parallel_iterations": 10},
        shape_fn=_while_shape, kernel_factory=_while_factory, grad=_WhileGrad,
        stateful=_stateful)


def _shape_str(s):
    if s.ndims is None:
        return "<unknown>"
    return "(%s)" % ", ".join("None" if d is None else str(d) for d in s.as_list()) + (
        "," if s.ndims == 1 else "")


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """tf.while_loop: a While op repeating `body` while `cond` holds (both traced once)."""
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    single = not is_sequence(loop_vars)
    if single:
        loop_vars = [loop_vars]
    if not flatten(loop_vars):
        raise ValueError("No loop variables provided")
    g = graph_lib.get_default_graph()
    with graph_lib.name_scope(name, "while", flatten(loop_vars)) as scope:
        flat_in = [registry.convert_to_tensor(v) for v in flatten(loop_vars)]
        flat_in = [out(registry.apply_op("Identity", [t])) if t.dtype.is_ref_dtype else t
                   for t in flat_in]
        if shape_invariants is not None:
            inv = shape_invariants if not single else [shape_invariants]
            flat_inv = [tensor_shape.as_shape(s) for s in _flatten_shapes(inv)]
            if len(flat_inv) != len(flat_in):
                raise ValueError(
                    "The shape invariants and the loop variables must have the same "
                    "structure: %s vs %s" % (inv, loop_vars))
            for t, s in zip(flat_in, flat_inv):
                if not s.is_compatible_with(t.shape):
                    raise ValueError(
                        "The shape invariant specified for %s is not compatible with the "
                        "initial shape of the loop variable. It enters the loop with shape "
                        "%s, but the specified shape invariant is %s." % (
                            t.name, _shape_str(t.shape), _shape_str(s)))
        else:
            flat_inv = [t.shape for t in flat_in]
        if maximum_iterations is not None:
            max_t = registry.convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if max_t.shape.ndims not in (None, 0):
                raise ValueError("maximum_iterations must be a scalar, saw shape: %s" %
                                 max_t.shape)
            if max_t.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
                raise TypeError("maximum_iterations must be int32 or int64, got %s" %
                                max_t.dtype.name)
        else:
            max_t = registry.constant_op(np.array(-1, np.int32), name="maximum_iterations")
        counter = registry.constant_op(np.array(0, max_t.dtype.base_dtype.np_dtype),
                                       name="loop_counter")
        base = scope.rstrip("/")
        specs = [(max_t.dtype, []), (max_t.dtype, [])] + [
            (t.dtype, s) for t, s in zip(flat_in, flat_inv)]
        names = ["loop_counter", "maximum_iterations"] + [
            t.op.name.split("/")[-1] for t in flat_in]

        def call_cond(phs):
            res = cond(*_pack_vars(loop_vars, phs[2:], single))
            res = registry.convert_to_tensor(res)
            if res.dtype.base_dtype != dtypes.bool:
                raise TypeError("The while_loop cond must return a bool tensor, got %s" %
                                res.dtype.name)
            if maximum_iterations is not None:
                less = out(registry.apply_op("Less", [phs[0], phs[1]]))
                res = out(registry.apply_op("LogicalAnd", [less, res]))
            return res

        def call_body(phs):
            res = body(*_pack_vars(loop_vars, phs[2:], single))
            return res

        cond_fg = func_graph_lib.trace(cond, func_graph_lib.unique_function_name(
            base + "_cond"), g, specs, names, call=call_cond)
        body_fg = func_graph_lib.trace(body, func_graph_lib.unique_function_name(
            base + "_body"), g, specs, names, call=call_body)
        res = body_fg.structured_outputs
        if single or (len(flat_in) == 1 and not is_sequence(res)):
            if is_sequence(res) and len(res) == 1 and single:
                res = res[0]
            res_flat = [res] if not is_sequence(res) else flatten(res)
        else:
            res_flat = flatten(res)
        if len(res_flat) != len(flat_in):
            raise ValueError(
                "The two structures don't have the same number of elements.\n\nFirst "
                "structure: %s\n\nSecond structure: %s" % (loop_vars, res))
        with body_fg.as_default():
            one = registry.constant_op(np.array(1, max_t.dtype.base_dtype.np_dtype))
            next_counter = out(registry.apply_op("AddV2", [body_fg.inputs[0], one]))
        body_out = [next_counter, body_fg.inputs[1]]
        for t_in, inv, v in zip(flat_in, flat_inv, res_flat):
            t = _to_output_tensor(body_fg, v, "body") if not (
                isinstance(v, graph_lib.Tensor) and v.graph is body_fg and
                v not in body_fg.inputs) else v
            if t.dtype.base_dtype != t_in.dtype.base_dtype:
                raise TypeError(
                    "Loop var %s enters the loop with type %s, but has type %s after 1 "
                    "iteration." % (t_in.name, t_in.dtype.name, t.dtype.name))
            if not _shape_fits(t.shape, inv):
                raise ValueError(
                    "Input tensor '%s' enters the loop with shape %s, but has shape %s after "
                    "one iteration. To allow the shape to vary across iterations, use the "
                    "`shape_invariants` argument of tf.while_loop to specify a less-specific "
                    "shape." % (t_in.name, _shape_str(inv), _shape_str(t.shape)))
            body_out.append(t)
        cond_out = registry.convert_to_tensor(cond_fg.structured_outputs) if not isinstance(
            cond_fg.structured_outputs, graph_lib.Tensor) else cond_fg.structured_outputs
        if cond_out.graph is not cond_fg:
            with cond_fg.as_default():
                cond_out = _to_output_tensor(cond_fg, cond_out, "cond")
        cond_fg.outputs = [cond_out]
        body_fg.outputs = body_out
        body_fg.num_loop_vars = len(flat_in)
        captured = _align_captures([cond_fg, body_fg])
        body_fg.outputs = body_out + list(body_fg.inputs[len(specs):])
        _register_function(g, cond_fg)
        _register_function(g, body_fg)
        inputs = [counter, max_t] + flat_in + captured
        shapes = [tensor_shape.TensorShape([]), tensor_shape.TensorShape([])] + list(
            flat_inv) + [t.shape for t in captured]
        op_type = "While" if (_is_stateful(cond_fg) or _is_stateful(body_fg)) else (
            "StatelessWhile")
        extra_ctrl = cond_fg.outer_control_inputs + [
            c for c in body_fg.outer_control_inputs if c not in cond_fg.outer_control_inputs]
        with g.control_dependencies(extra_ctrl) if extra_ctrl else _nullcontext():
            w = registry.apply_op(op_type, [inputs], name=scope, cond=cond_fg, body=body_fg,
                                  output_shapes=shapes,
                                  parallel_iterations=int(parallel_iterations))
        w._attrs["_num_original_outputs"] = len(inputs)
        w._attrs["_lower_using_switch_merge"] = True
        if maximum_iterations is not None:
            g.unique_name("Exit")
        outs = [out(registry.apply_op("Identity", [w._outputs[2 + i]], name="Exit"))
                for i in range(len(flat_in))]
        if single:
            return outs[0]
        packed = pack_sequence_as(loop_vars, outs)
        if not return_same_structure and isinstance(packed, (list, _tuple)) and len(
                packed) == 1 and not hasattr(packed, "_fields"):
            return packed[0]
        return packed


def _flatten_shapes(inv):
    outl = []

    def rec(s):
        if isinstance(s, tensor_shape.TensorShape) or s is None:
            outl.append(s)
        elif isinstance(s, dict):
            for k in sorted(s):
                rec(s[k])
        elif isinstance(s, (list, _tuple)) and (not s or all(
                isinstance(d, (int, type(None), tensor_shape.Dimension)) for d in s)):
            outl.append(s)
        elif isinstance(s, (list, _tuple)):
            for x in s:
                rec(x)
        else:
            outl.append(s)
    rec(inv)
    return outl


def _shape_fits(shape, inv):
    if inv.ndims is None:
        return True
    if shape.ndims is None:
        return False
    if shape.ndims != inv.ndims:
        return False
    for a, b in zip(shape.as_list(), inv.as_list()):
        if b is not None and a != b:
            return False
    return True


def _pack_vars(loop_vars, phs, single):
    if single:
        return [phs[0]]
    packed = pack_sequence_as(loop_vars, phs)
    return list(packed) if isinstance(loop_vars, (list, _tuple)) and not hasattr(
        loop_vars, "_fields") else [packed]


# --------------------------------------------------------------- TensorList ops


class TensorListValue:
    """The value of a variant TensorList.

    `items` is a tuple of arrays (set copies it), or, for lists built by push/pop, a Python
    list shared between versions of which the first `length` entries belong to this one.
    """

    __slots__ = ("_undo", "element_shape", "items", "length")

    def __init__(self, items, length=None, element_shape=None):
        self.items = items
        self.length = len(items) if length is None else length
        self.element_shape = element_shape
        self._undo = None

    def __repr__(self):
        return "<TensorList of %d>" % self.length

    def entries(self):
        items = self.items
        if isinstance(items, list):
            return items[:self.length]
        if isinstance(items, dict):
            return [items.get(k) for k in range(self.length)]
        if isinstance(items, _Owned):
            data = self._owned_data()
            if isinstance(data, dict):
                return [data.get(k) for k in range(self.length)]
            return data
        return list(items)

    def _owned_data(self):
        """This version's data (a copy when it is an older version: Baker's trick)."""
        items = self.items
        if items.owner is self:
            return items.data if isinstance(items.data, dict) else list(items.data)
        chain = []
        t = self
        while items.owner is not t:
            i, old, t = t._undo
            chain.append((i, old))
        data = items.data.copy()
        for i, old in reversed(chain):
            if old is None and isinstance(data, dict):
                data.pop(i, None)
            else:
                data[i] = old
        return data

    def get(self, i):
        items = self.items
        if isinstance(items, dict):
            return items.get(i)
        if isinstance(items, _Owned):
            data = items.data if items.owner is self else self._owned_data()
            return data.get(i) if isinstance(data, dict) else data[i]
        return items[i]

    def _is_sparse(self):
        items = self.items
        return isinstance(items, dict) or (isinstance(items, _Owned) and
                                           isinstance(items.data, dict))

    def sparse(self):
        """{index: value} of the entries that are set (not to be mutated)."""
        if isinstance(self.items, dict):
            return self.items
        if self._is_sparse():
            return self._owned_data()
        return {k: v for k, v in enumerate(self.entries()) if v is not None}

    def __add__(self, other):
        # NOTE: gradient aggregation: elementwise sum, missing entries are zeros. Gradient
        # lists are mostly sparse (one entry per loop iteration): sum them as dicts.
        other = _tlv(other)
        if self._is_sparse() or other._is_sparse() or not self.length or not other.length:
            a, b = self.sparse(), other.sparse()
            if len(a) < len(b):
                a, b = b, a
            res = dict(a)
            for k, v in b.items():
                x = res.get(k)
                res[k] = v if x is None else x + v
            return TensorListValue(res, max(self.length, other.length))
        a, b = self.entries(), other.entries()
        n = max(len(a), len(b))
        res = []
        for k in range(n):
            x = a[k] if k < len(a) else None
            y = b[k] if k < len(b) else None
            res.append(x if y is None else (y if x is None else x + y))
        return TensorListValue(_tuple(res))

    __radd__ = __add__


class _Owned:
    """Storage written in place by TensorListSetItem: the newest version owns it; older
    versions keep undo records (persistent array), so each write costs O(1)."""

    __slots__ = ("data", "owner")

    def __init__(self, data):
        self.data = data
        self.owner = None


def _tlv(h):
    """A kernel input as a TensorListValue (0-d object arrays and zeros unwrapped)."""
    if isinstance(h, TensorListValue):
        return h
    if isinstance(h, np.ndarray) and h.dtype == object and h.ndim == 0:
        h = h.item()
        if isinstance(h, TensorListValue):
            return h
    if h is None or (np.ndim(h) == 0 and h == 0):
        return TensorListValue(())
    raise TypeError("Expected a TensorList value, got %r" % (h,))


def _zeros_of(element_shape, dtype, what):
    shp = [int(d) for d in np.asarray(element_shape).reshape(-1)] if np.ndim(
        element_shape) else None
    if shp is None or any(d < 0 for d in shp):
        raise ValueError("Trying to read an uninitialized %s with a non-fully-defined "
                         "element_shape" % what)
    return np.zeros(shp, dtype=dtypes.as_dtype(dtype).np_dtype)


def _shape_arg(element_shape):
    if isinstance(element_shape, graph_lib.Tensor):
        return element_shape
    s = tensor_shape.as_shape(element_shape)
    if s.ndims is None:
        return registry.constant_op(np.array(-1, np.int32), name="element_shape")
    return registry.constant_op(np.array([-1 if d is None else d for d in s.as_list()],
                                         np.int32), name="element_shape")


def _tl_from_tensor(tensor, element_shape, element_dtype=None, shape_type=None):
    return TensorListValue(_tuple(tensor), element_shape=tensor.shape[1:])


register_op("TensorListFromTensor", inputs=["tensor: element_dtype",
                                            "element_shape: shape_type"],
            outputs=["output_handle: variant"],
            attrs={"element_dtype": TYPE, "shape_type": TYPE},
            shape_fn=registry.scalar_shape, kernel=_tl_from_tensor, kernel_attrs=())


def _tl_reserve(element_shape, num_elements, element_dtype=None, shape_type=None):
    return TensorListValue({}, int(num_elements))


register_op("TensorListReserve", inputs=["element_shape: shape_type",
                                         "num_elements: int32"],
            outputs=["handle: variant"], attrs={"element_dtype": TYPE, "shape_type": TYPE},
            shape_fn=registry.scalar_shape, kernel=_tl_reserve, kernel_attrs=())


def _tl_get_item(handle, index, element_shape, element_dtype=None):
    handle = _tlv(handle)
    i = int(index)
    n = _tl_len(handle)
    if n == 0 and i >= 0:
        return _zeros_of(element_shape, element_dtype, "list element")
    if not 0 <= i < n:
        raise ValueError("Trying to access element %d in a list with %d elements." % (i, n))
    item = handle.get(i)
    if item is None:
        return _zeros_of(element_shape, element_dtype, "list element")
    return item


register_op("TensorListGetItem", inputs=["input_handle: variant", "index: int32",
                                         "element_shape: Tshape"],
            outputs=["item: element_dtype"], attrs={"element_dtype": TYPE,
                                                    "Tshape": dtypes.int32},
            shape_fn=registry.unknown_shape_fn, kernel=_tl_get_item,
            kernel_attrs=("element_dtype",))


def _tl_set_item(handle, index, item, resize_if_index_out_of_bounds=False):
    handle = _tlv(handle)
    i = int(index)
    item = np.asarray(item)
    store = handle.items
    if isinstance(store, _Owned) and store.owner is handle and 0 <= i < handle.length:
        data = store.data
        old = data.get(i) if isinstance(data, dict) else data[i]
        data[i] = item
        new = TensorListValue(store, handle.length, handle.element_shape)
        store.owner = new
        handle._undo = (i, old, new)
        return new
    n = handle.length
    if i >= n and (resize_if_index_out_of_bounds or n == 0):
        # NOTE: n == 0: a zero gradient list (EmptyTensorList/ZerosLike) grows on write.
        n = i + 1
    if not 0 <= i < n:
        raise ValueError("Trying to modify element %d in a list with %d elements." % (i, n))
    if handle._is_sparse() or not handle.length:
        data = dict(handle.sparse())
    else:
        data = handle.entries()
        data.extend([None] * (n - len(data)))
    data[i] = item
    store = _Owned(data)
    new = TensorListValue(store, n, handle.element_shape)
    store.owner = new
    return new


register_op("TensorListSetItem", inputs=["input_handle: variant", "index: int32",
                                         "item: element_dtype"],
            outputs=["output_handle: variant"],
            attrs={"element_dtype": TYPE, "resize_if_index_out_of_bounds": False},
            shape_fn=registry.scalar_shape, kernel=_tl_set_item,
            kernel_attrs=("resize_if_index_out_of_bounds",))


def _tl_len(handle):
    return handle.length


def _tl_length(handle):
    return np.asarray(_tl_len(_tlv(handle)), np.int32)


register_op("TensorListLength", inputs=["input_handle: variant"], outputs=["length: int32"],
            shape_fn=registry.scalar_shape, kernel=_tl_length, kernel_attrs=())


def _tl_stack(handle, element_shape, element_dtype=None, num_elements=-1):
    handle = _tlv(handle)
    items = handle.entries()
    dt = dtypes.as_dtype(element_dtype).np_dtype
    if num_elements is not None and num_elements >= 0 and len(items) < num_elements:
        items = items + [None] * (num_elements - len(items))
    if items and any(x is None for x in items):
        known = next((x for x in items if x is not None), None)
        zero = np.zeros_like(known, dtype=dt) if known is not None else _zeros_of(
            element_shape, element_dtype, "list")
        items = [zero if x is None else x for x in items]
    if not items:
        shp = [int(d) for d in np.asarray(element_shape).reshape(-1)] if np.ndim(
            element_shape) else []
        if any(d < 0 for d in shp):
            shp = [0 for _ in shp]
        return np.zeros([0] + shp, dtype=dt)
    return np.stack(items).astype(dt, copy=False)


def _tl_stack_shape(op):
    n = op._attrs.get("num_elements", -1)
    es = op._attrs.get("_element_static_shape")
    es = tensor_shape.as_shape(es) if es is not None else tensor_shape.unknown_shape()
    lead = tensor_shape.TensorShape([None if n is None or n < 0 else n])
    if es.ndims is None:
        return [tensor_shape.unknown_shape()]
    return [lead.concatenate(es)]


register_op("TensorListStack", inputs=["input_handle: variant", "element_shape: int32"],
            outputs=["tensor: element_dtype"],
            attrs={"element_dtype": TYPE, "num_elements": -1},
            shape_fn=_tl_stack_shape, kernel=_tl_stack,
            kernel_attrs=("element_dtype", "num_elements"))


def _tensor_list_from_tensor(t, name=None):
    with graph_lib.name_scope(name, "TensorArrayUnstack", [t]), \
            graph_lib.name_scope(None, "TensorListFromTensor", [t]) as scope:
            es = _shape_arg(t.shape[1:] if t.shape.ndims else tensor_shape.unknown_shape())
            return out(registry.apply_op("TensorListFromTensor", [t, es], name=scope))


def _tensor_list_reserve(n, dtype, element_shape, name="TensorArrayV2"):
    with graph_lib.name_scope(None, name, []) as scope:
        es = _shape_arg(element_shape)
        return out(registry.apply_op("TensorListReserve", [es, n], name=scope,
                                     element_dtype=dtypes.as_dtype(dtype)))


def _tensor_list_get(handle, i, dtype, static_shape):
    es = _shape_arg(static_shape)
    t = out(registry.apply_op("TensorListGetItem", [handle, i, es],
                              element_dtype=dtypes.as_dtype(dtype)))
    t._shape = tensor_shape.as_shape(static_shape)
    return t


def _tensor_list_set(handle, i, item):
    return out(registry.apply_op("TensorListSetItem", [handle, i, item]))


def _tensor_list_stack(handle, dtype, elem_shape, n, name="TensorArrayStack",
                       op_name="TensorArrayGatherV3"):
    with graph_lib.name_scope(None, name, [handle]):
        es = _shape_arg(elem_shape)
        op = registry.apply_op("TensorListStack", [handle, es], name=op_name,
                               element_dtype=dtypes.as_dtype(dtype),
                               num_elements=-1 if n is None else int(n),
                               _element_static_shape=tensor_shape.as_shape(elem_shape))
        return out(op)


def _empty_tensor_list(element_shape, max_num_elements, element_dtype=None, shape_type=None):
    return TensorListValue([], 0)


register_op("EmptyTensorList", inputs=["element_shape: shape_type",
                                       "max_num_elements: int32"],
            outputs=["handle: variant"], attrs={"element_dtype": TYPE, "shape_type": TYPE},
            shape_fn=registry.scalar_shape, kernel=_empty_tensor_list, kernel_attrs=())


def _tl_items(handle):
    return handle.entries()


def _tl_push_back(handle, tensor):
    handle = _tlv(handle)
    # NOTE: lists pushed to share one Python list (a persistent vector): a push onto the
    # newest version appends in place; a push onto an older version copies.
    items = handle.items
    if isinstance(items, list) and len(items) == handle.length:
        items.append(tensor)
        return TensorListValue(items, len(items))
    items = _tl_items(handle)
    items.append(tensor)
    return TensorListValue(items, len(items))


register_op("TensorListPushBack", inputs=["input_handle: variant", "tensor: element_dtype"],
            outputs=["output_handle: variant"], attrs={"element_dtype": TYPE},
            shape_fn=registry.scalar_shape, kernel=_tl_push_back, kernel_attrs=())


def _tl_pop_back(handle, element_shape, element_dtype=None):
    handle = _tlv(handle)
    n = handle.length
    if n == 0:
        raise ValueError("Trying to pop from an empty list.")
    if isinstance(handle.items, list):
        return TensorListValue(handle.items, n - 1), handle.items[n - 1]
    e = handle.entries()
    return TensorListValue(_tuple(e[:-1])), e[-1]


register_op("TensorListPopBack", inputs=["input_handle: variant", "element_shape: int32"],
            outputs=["output_handle: variant", "tensor: element_dtype"],
            attrs={"element_dtype": TYPE},
            shape_fn=lambda op: [tensor_shape.TensorShape([]), tensor_shape.unknown_shape()],
            kernel=_tl_pop_back, kernel_attrs=())


def _tl_element_shape(handle, shape_type=None):
    handle = _tlv(handle)
    known = next((x for x in handle.entries() if x is not None), None)
    dt = dtypes.as_dtype(shape_type or dtypes.int32).np_dtype
    if known is not None:
        return np.asarray(np.shape(known), dt)
    if handle.element_shape is not None:
        return np.asarray(handle.element_shape, dt)
    return np.asarray(-1, dt)


register_op("TensorListElementShape", inputs=["input_handle: variant"],
            outputs=["element_shape: shape_type"], attrs={"shape_type": TYPE},
            shape_fn=registry.unknown_shape_fn, kernel=_tl_element_shape,
            kernel_attrs=("shape_type",))


# TensorList gradients (a TensorList's gradient is a TensorList; AddN sums them elementwise).
def _tl_sum(a, b):
    return out(registry.apply_op("AddN", [[a, b]]))


def _tl_reserve_like(handle, element_shape):
    n = out(registry.apply_op("TensorListLength", [handle]))
    return out(registry.apply_op("TensorListReserve", [element_shape, n],
                                 element_dtype=_list_dtype(handle)))


def _list_dtype(handle):
    return handle.op._attrs.get("element_dtype", dtypes.float32)


def _TensorListFromTensorGrad(op, dlist):  # noqa: N802 - TF's gradient naming
    t = op.inputs[0]
    es = out(registry.apply_op("TensorListElementShape", [op.outputs[0]],
                               shape_type=dtypes.int32))
    full = _tl_sum(dlist, _tl_reserve_like(op.outputs[0], op.inputs[1]))
    d = out(registry.apply_op("TensorListStack", [full, es], element_dtype=t.dtype.base_dtype,
                              _element_static_shape=t.shape[1:] if t.shape.ndims else
                              tensor_shape.unknown_shape()))
    d._shape = t.shape
    return [d, None]


def _TensorListGetItemGrad(op, grad):  # noqa: N802
    es = _shape_arg(grad.shape)
    base = _tl_reserve_like(op.inputs[0], es)
    return [out(registry.apply_op("TensorListSetItem", [base, op.inputs[1], grad])), None, None]


def _TensorListSetItemGrad(op, dlist):  # noqa: N802
    item = op.inputs[2]
    zeros = out(registry.apply_op("ZerosLike", [item]))
    d_handle = out(registry.apply_op("TensorListSetItem", [dlist, op.inputs[1], zeros]))
    es = out(registry.apply_op("Shape", [item], out_type=dtypes.int32))
    d_item = out(registry.apply_op("TensorListGetItem", [dlist, op.inputs[1], es],
                                   element_dtype=item.dtype.base_dtype))
    d_item._shape = item.shape
    return [d_handle, None, d_item]


def _TensorListStackGrad(op, grad):  # noqa: N802
    return [out(registry.apply_op("TensorListFromTensor", [grad, op.inputs[1]])), None]


registry.set_gradient("TensorListFromTensor", _TensorListFromTensorGrad)
registry.set_gradient("TensorListGetItem", _TensorListGetItemGrad)
registry.set_gradient("TensorListSetItem", _TensorListSetItemGrad)
registry.set_gradient("TensorListStack", _TensorListStackGrad)


def _tl_gather(handle, indices, element_shape, element_dtype=None):
    handle = _tlv(handle)
    idx = np.asarray(indices).reshape(-1)
    items = handle.entries()
    n = len(items)
    rows = []
    for i in idx:
        i = int(i)
        if not 0 <= i < n:
            raise ValueError("Trying to gather element %d in a list with %d elements." % (i, n))
        x = items[i]
        rows.append(_zeros_of(element_shape, element_dtype, "list element") if x is None
                    else x)
    dt = dtypes.as_dtype(element_dtype).np_dtype
    if not rows:
        return _zeros_of(np.concatenate([[0], np.asarray(element_shape).reshape(-1)]),
                         element_dtype, "list") if np.ndim(element_shape) else np.zeros(
            [0], dt)
    return np.stack(rows).astype(dt, copy=False)


register_op("TensorListGather", inputs=["input_handle: variant", "indices: int32",
                                        "element_shape: int32"],
            outputs=["values: element_dtype"], attrs={"element_dtype": TYPE},
            shape_fn=registry.unknown_shape_fn, kernel=_tl_gather,
            kernel_attrs=("element_dtype",))


def _tl_scatter_into(handle, tensor, indices):
    handle = _tlv(handle)
    items = list(handle.entries())
    idx = np.asarray(indices).reshape(-1)
    for k, i in enumerate(idx):
        i = int(i)
        if i < 0:
            raise ValueError("Trying to scatter to a negative index %d." % i)
        if i >= len(items):
            items.extend([None] * (i + 1 - len(items)))
        items[i] = tensor[k]
    return TensorListValue(_tuple(items))


register_op("TensorListScatterIntoExistingList",
            inputs=["input_handle: variant", "tensor: element_dtype", "indices: int32"],
            outputs=["output_handle: variant"], attrs={"element_dtype": TYPE},
            shape_fn=registry.scalar_shape, kernel=_tl_scatter_into, kernel_attrs=())


def _TensorListGatherGrad(op, grad):  # noqa: N802
    base = _tl_reserve_like(op.inputs[0], _shape_arg(tensor_shape.unknown_shape()))
    return [out(registry.apply_op("TensorListScatterIntoExistingList",
                                  [base, grad, op.inputs[1]])), None, None]


def _TensorListScatterIntoExistingListGrad(op, dlist):  # noqa: N802
    t = op.inputs[1]
    es = out(registry.apply_op("Shape", [t], out_type=dtypes.int32))
    es = out(registry.apply_op("StridedSlice", [es, _int_const([1], dtypes.int32),
                                                _int_const([0], dtypes.int32),
                                                _int_const([1], dtypes.int32)],
                               begin_mask=0, end_mask=1))
    d_t = out(registry.apply_op("TensorListGather", [dlist, op.inputs[2], es],
                                element_dtype=t.dtype.base_dtype))
    d_t._shape = t.shape
    zeros = out(registry.apply_op("ZerosLike", [t]))
    d_h = out(registry.apply_op("TensorListScatterIntoExistingList",
                                [dlist, zeros, op.inputs[2]]))
    return [d_h, d_t, None]


registry.set_gradient("TensorListGather", _TensorListGatherGrad)
registry.set_gradient("TensorListScatterIntoExistingList",
                      _TensorListScatterIntoExistingListGrad)


class TensorArray:
    """tf.TensorArray as TF2 builds it in graph mode: a TensorList value (`flow`, variant)
    that write/scatter/unstack replace (use the returned TensorArray, as in TF1)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        del clear_after_read, handle, colocate_with_first_write_call
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._size = size
        # NOTE: one shape cell shared by every TensorArray derived from this one (through
        # write, loops, branches), so shapes learnt inside a loop body are known after it.
        self._shape_cell = [tensor_shape.as_shape(element_shape) if element_shape is not
                            None else tensor_shape.unknown_shape()]
        if flow is not None:
            self._flow = flow
            return
        if size is None:
            raise ValueError("Size must be provided if handle or flow is not provided.")
        with graph_lib.name_scope(name or tensor_array_name, "TensorArrayV2", [size]) as scope:
            es = _shape_arg(self._element_shape)
            size = registry.convert_to_tensor(size, dtype=dtypes.int32)
            self._flow = out(registry.apply_op("TensorListReserve", [es, size], name=scope,
                                               element_dtype=self._dtype))

    def _with_flow(self, flow, element_shape=None):
        ta = TensorArray(self._dtype, flow=flow, dynamic_size=self._dynamic_size,
                         infer_shape=self._infer_shape)
        ta._shape_cell = self._shape_cell
        return ta

    @property
    def _element_shape(self):
        return self._shape_cell[0]

    def _tw_loop_vars(self):
        return [self._flow]

    def _tw_from_loop_vars(self, ts):
        return self._with_flow(ts[0])

    @property
    def flow(self):
        return self._flow

    @property
    def handle(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self):
        return self._element_shape

    @property
    def dynamic_size(self):
        return self._dynamic_size

    def _merge_shape(self, shape):
        if not self._infer_shape:
            return self._element_shape
        try:
            self._shape_cell[0] = self._element_shape.merge_with(shape)
        except ValueError:
            raise ValueError("Inconsistent shapes: saw %s but expected %s " % (
                shape, self._element_shape))
        return self._shape_cell[0]

    def read(self, index, name=None):
        with graph_lib.name_scope(name, "TensorArrayV2Read", [self._flow, index]):
            es = _shape_arg(self._element_shape)
            t = out(registry.apply_op("TensorListGetItem",
                                      [self._flow, registry.convert_to_tensor(
                                          index, dtype=dtypes.int32), es],
                                      element_dtype=self._dtype))
            t._shape = self._element_shape
            return t

    def write(self, index, value, name=None):
        with graph_lib.name_scope(name, "TensorArrayV2Write", [self._flow, index, value]):
            value = registry.convert_to_tensor(value, dtype=self._dtype, name="value")
            shape = self._merge_shape(value.shape)
            flow = out(registry.apply_op(
                "TensorListSetItem",
                [self._flow, registry.convert_to_tensor(index, dtype=dtypes.int32), value],
                resize_if_index_out_of_bounds=self._dynamic_size))
            del shape
            return self._with_flow(flow)

    def stack(self, name=None):
        with graph_lib.name_scope(name, "TensorArrayV2Stack", [self._flow]):
            es = _shape_arg(self._element_shape)
            op = registry.apply_op("TensorListStack", [self._flow, es],
                                   element_dtype=self._dtype,
                                   _element_static_shape=self._element_shape)
            return out(op)

    def gather(self, indices, name=None):
        with graph_lib.name_scope(name, "TensorArrayV2Gather", [self._flow, indices]):
            es = _shape_arg(self._element_shape)
            indices = registry.convert_to_tensor(indices, dtype=dtypes.int32)
            t = out(registry.apply_op("TensorListGather", [self._flow, indices, es],
                                      element_dtype=self._dtype))
            n = indices.shape[0].value if indices.shape.ndims == 1 else None
            t._shape = tensor_shape.TensorShape([n]).concatenate(self._element_shape)
            return t

    def unstack(self, value, name=None):
        with graph_lib.name_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = registry.convert_to_tensor(value, dtype=self._dtype, name="value")
            shape = self._merge_shape(value.shape[1:] if value.shape.ndims else
                                      tensor_shape.unknown_shape())
            flow = _tensor_list_from_tensor_named(value, "TensorListFromTensor")
            del shape
            return self._with_flow(flow)

    def scatter(self, indices, value, name=None):
        with graph_lib.name_scope(name, "TensorArrayScatter", [self._flow, indices, value]):
            value = registry.convert_to_tensor(value, dtype=self._dtype, name="value")
            shape = self._merge_shape(value.shape[1:] if value.shape.ndims else
                                      tensor_shape.unknown_shape())
            flow = out(registry.apply_op(
                "TensorListScatterIntoExistingList",
                [self._flow, value, registry.convert_to_tensor(indices, dtype=dtypes.int32)]))
            del shape
            return self._with_flow(flow)

    def size(self, name=None):
        return out(registry.apply_op("TensorListLength", [self._flow], name=name or "Size"))

    def identity(self):
        return self._with_flow(out(registry.apply_op("Identity", [self._flow])))

    def close(self, name=None):
        return registry.apply_op("NoOp", [], name=name or "TensorArrayClose")

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError("TensorArray.grad is not supported; use tf.gradients.")


def _tensor_list_from_tensor_named(t, name):
    es = _shape_arg(t.shape[1:] if t.shape.ndims else tensor_shape.unknown_shape())
    return out(registry.apply_op("TensorListFromTensor", [t, es], name=name))


# ------------------------------------------------------------- map_fn / scan / fold


def _leading_dim(flat):
    n = None
    for t in flat:
        if t.shape.ndims == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        d = t.shape[0].value if t.shape.ndims is not None else None
        if d is not None:
            n = d if n is None else n
    return n


def _elem_shape(t):
    if t.shape.ndims is None:
        return tensor_shape.unknown_shape()
    return tensor_shape.TensorShape(t.shape.as_list()[1:])


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """tf.map_fn: applies `fn` to each slice of `elems` along dim 0 (a While loop)."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    if fn_output_signature is not None and dtype is None:
        dtype = fn_output_signature
    in_graph_mode = True
    del in_graph_mode
    if parallel_iterations is None:
        parallel_iterations = 10
    with graph_lib.name_scope(name, "map", flatten(elems)):
        elems_flat = [registry.convert_to_tensor(e, name="elem") for e in flatten(elems)]
        if not elems_flat:
            raise ValueError("elems must be a non-empty structure of tensors")
        n_static = _leading_dim(elems_flat)
        dtype = dtype if dtype is not None else func_graph_lib.pack_sequence_as(
            elems, [t.dtype for t in elems_flat])
        out_dtypes = [dtypes.as_dtype(d) for d in flatten(dtype)]
        lists = [_tensor_list_from_tensor(t) for t in elems_flat]
        n = out(registry.apply_op("TensorListLength", [lists[0]])) if n_static is None else \
            registry.constant_op(np.array(n_static, np.int32), name="Const")
        i0 = registry.constant_op(np.array(0, np.int32), name="Const")
        accs = [_tensor_list_reserve(n, d, tensor_shape.unknown_shape()) for d in out_dtypes]
        shapes_box = []

        def body(i, *acc):
            xs = [_tensor_list_get(lst, i, t.dtype, _elem_shape(t))
                  for lst, t in zip(lists, elems_flat)]
            packed = func_graph_lib.pack_sequence_as(elems, xs)
            res = fn(packed)
            try:
                func_graph_lib.assert_same_structure(dtype, res) if is_sequence(dtype) else (
                    None)
            except ValueError:
                raise ValueError("The two structures don't have the same nested structure.\n"
                                 "\nFirst structure: %s\n\nSecond structure: %s" % (dtype, res))
            flat_res = [registry.convert_to_tensor(r) for r in flatten(res)]
            if len(flat_res) != len(out_dtypes):
                raise ValueError("fn returned %d values; dtype has %d" % (len(flat_res),
                                                                           len(out_dtypes)))
            for r, d in zip(flat_res, out_dtypes):
                if r.dtype.base_dtype != d.base_dtype:
                    raise TypeError("fn returned a %s tensor where dtype says %s" % (
                        r.dtype.name, d.name))
            shapes_box[:] = [r.shape for r in flat_res]
            new = [_tensor_list_set(a, i, r) for a, r in zip(acc, flat_res)]
            return [i + 1] + new

        res = while_loop(lambda i, *_: _less(i, n), body, [i0] + accs,
                         parallel_iterations=parallel_iterations, back_prop=back_prop,
                         swap_memory=swap_memory, maximum_iterations=n)
        outs = []
        for acc, d, s in zip(res[1:], out_dtypes, shapes_box):
            outs.append(_tensor_list_stack(acc, d, s if infer_shape else
                                           tensor_shape.unknown_shape(), n_static))
        return func_graph_lib.pack_sequence_as(dtype, outs)


def _less(a, b):
    return out(registry.apply_op("Less", [a, b]))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """tf.scan: the running results of fn(acc, elem) over dim 0 of `elems`."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with graph_lib.name_scope(name, "scan", flatten(elems)):
        elems_flat = [registry.convert_to_tensor(e, name="elem") for e in flatten(elems)]
        n_static = _leading_dim(elems_flat)
        lists = [_tensor_list_from_tensor(t) for t in elems_flat]
        n = out(registry.apply_op("TensorListLength", [lists[0]])) if n_static is None else \
            registry.constant_op(np.array(n_static, np.int32), name="Const")
        if initializer is None:
            a_flat = [_tensor_list_get(lst, _start_index(n, n_static, reverse), t.dtype,
                                       _elem_shape(t)) for lst, t in zip(lists, elems_flat)]
            a_struct = elems
            i0 = 1
        else:
            a_struct = initializer
            a_flat = [registry.convert_to_tensor(a) for a in flatten(initializer)]
            i0 = 0
        accs = [_tensor_list_reserve(n, a.dtype, tensor_shape.unknown_shape())
                for a in a_flat]
        if initializer is None:
            idx = _start_index(n, n_static, reverse)
            accs = [_tensor_list_set(acc, idx, a) for acc, a in zip(accs, a_flat)]
        i0 = registry.constant_op(np.array(i0, np.int32), name="Const")
        na = len(a_flat)
        shapes_box = [a.shape for a in a_flat]

        def body(i, *rest):
            a = rest[:na]
            acc = rest[na:]
            idx = (n - 1 - i) if reverse else i
            xs = [_tensor_list_get(lst, idx, t.dtype, _elem_shape(t))
                  for lst, t in zip(lists, elems_flat)]
            res = fn(func_graph_lib.pack_sequence_as(a_struct, list(a)),
                     func_graph_lib.pack_sequence_as(elems, xs))
            flat_res = [registry.convert_to_tensor(r) for r in flatten(res)]
            if len(flat_res) != na:
                raise ValueError("The two structures don't have the same number of elements."
                                 "\n\nFirst structure: %s\n\nSecond structure: %s" % (
                                     a_struct, res))
            new = [_tensor_list_set(c, idx, r) for c, r in zip(acc, flat_res)]
            return [i + 1] + flat_res + new

        res = while_loop(lambda i, *_: _less(i, n), body, [i0] + a_flat + accs,
                         parallel_iterations=parallel_iterations, back_prop=back_prop,
                         swap_memory=swap_memory, maximum_iterations=n)
        outs = [_tensor_list_stack(acc, a.dtype, s if infer_shape else
                                   tensor_shape.unknown_shape(), n_static)
                for acc, a, s in zip(res[1 + na:], a_flat, shapes_box)]
        return func_graph_lib.pack_sequence_as(a_struct, outs)


def _start_index(n, n_static, reverse):
    if not reverse:
        return registry.constant_op(np.array(0, np.int32), name="Const")
    return n - 1


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
          default_name, reverse):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with graph_lib.name_scope(name, default_name, flatten(elems)):
        elems_flat = [registry.convert_to_tensor(e, name="elem") for e in flatten(elems)]
        n_static = _leading_dim(elems_flat)
        lists = [_tensor_list_from_tensor(t) for t in elems_flat]
        n = out(registry.apply_op("TensorListLength", [lists[0]])) if n_static is None else \
            registry.constant_op(np.array(n_static, np.int32), name="Const")
        if initializer is None:
            idx0 = (n - 1) if reverse else registry.constant_op(np.array(0, np.int32),
                                                                name="Const")
            a_flat = [_tensor_list_get(lst, idx0, t.dtype, _elem_shape(t))
                      for lst, t in zip(lists, elems_flat)]
            a_struct = elems
            i0 = 1
        else:
            a_struct = initializer
            a_flat = [registry.convert_to_tensor(a) for a in flatten(initializer)]
            i0 = 0
        i0 = registry.constant_op(np.array(i0, np.int32), name="Const")
        na = len(a_flat)

        def body(i, *a):
            idx = (n - 1 - i) if reverse else i
            xs = [_tensor_list_get(lst, idx, t.dtype, _elem_shape(t))
                  for lst, t in zip(lists, elems_flat)]
            res = fn(func_graph_lib.pack_sequence_as(a_struct, list(a)),
                     func_graph_lib.pack_sequence_as(elems, xs))
            flat_res = [registry.convert_to_tensor(r) for r in flatten(res)]
            if len(flat_res) != na:
                raise ValueError("The two structures don't have the same number of elements.")
            return [i + 1] + flat_res

        res = while_loop(lambda i, *_: _less(i, n), body, [i0] + a_flat,
                         parallel_iterations=parallel_iterations, back_prop=back_prop,
                         swap_memory=swap_memory, maximum_iterations=n)
        return func_graph_lib.pack_sequence_as(a_struct, list(res[1:]))


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """tf.foldl: fn(acc, elem) folded over dim 0 of `elems` from the first element."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 "foldl", False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """tf.foldr: fn(acc, elem) folded over dim 0 of `elems` from the last element."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 "foldr", True)


# ----------------------------------------------------------------- If gradient


def _copy_function_graph(src, dst, input_map, outputs=None):
    """Re-creates ops of FuncGraph `src` inside `dst`; tensors in `input_map` are replaced.

    With `outputs`, only the ops those tensors need through data edges are copied (side
    effects reached only by control edges are not re-run). Variable ops keep their names
    (a same-named variable op shares the session's value).
    """
    mapping = dict(input_map)
    needed = None
    if outputs is not None:
        needed = set()
        stack = [t.op for t in outputs if id(t) not in mapping]
        while stack:
            o = stack.pop()
            if o in needed:
                continue
            needed.add(o)
            stack.extend(t.op for t in o._inputs if id(t) not in mapping)
    op_map = {}
    for fop in src.get_operations():
        if needed is not None and fop not in needed:
            continue
        if fop._outputs and all(id(t) in mapping for t in fop._outputs):
            continue
        if fop.type == "Placeholder" and id(fop._outputs[0]) in mapping:
            continue
        ins = [mapping[id(t)] for t in fop._inputs]
        is_var = fop.type in func_graph_lib.VARIABLE_OP_TYPES
        if is_var and fop.name in dst._nodes_by_name:
            new = dst._nodes_by_name[fop.name]
        else:
            saved_stack, saved_cd = dst._name_stack, dst._control_dependencies_stack
            dst._name_stack = ""
            dst._control_dependencies_stack = []
            try:
                name = fop.name
                if not is_var and (name in dst._nodes_by_name or
                                   name.lower() in dst._names_in_use):
                    name = dst.unique_name(name)
                else:
                    dst._names_in_use[name.lower()] = 1
                new = registry.create_op_raw(dst, fop.type, ins,
                                             [t.dtype for t in fop._outputs], name + "/",
                                             dict(fop._attrs))
            finally:
                dst._name_stack, dst._control_dependencies_stack = saved_stack, saved_cd
            for c in fop._control_inputs:
                if c in op_map:
                    new._add_control_input(op_map[c])
        for a, b in zip(fop._outputs, new._outputs):
            b._shape = a._shape
            mapping[id(a)] = b
        op_map[fop] = new
    return mapping


def _branch_grad_graph(fwd, name, outer, out_grad_specs, n_out, subs, extra_specs):
    """A FuncGraph computing d(fwd.outputs[:n_out])/d(fwd.inputs) given output gradients.

    Inputs: fwd's inputs, the output gradients, then the forward If's extra outputs
    (`extra_specs`); `subs` maps fwd tensors (accumulated stateful outputs) to the index of
    the extra input that carries their forward value.
    """
    from tensorweave.training import gradients as gradients_lib

    gfg = func_graph_lib.FuncGraph(name, outer)
    ins = [gfg.add_placeholder(t.dtype, t.shape, t.op.name) for t in fwd.inputs]
    gys = [gfg.add_placeholder(dt, shape, "grad_y") for dt, shape in out_grad_specs]
    extras = [gfg.add_placeholder(dt, shape, "forward_value") for dt, shape in extra_specs]
    gfg.inputs = ins + gys + extras
    with gfg.as_default():
        imap = {id(a): b for a, b in zip(fwd.inputs, ins)}
        for t, j in subs:
            imap[id(t)] = extras[j]
        targets = list(fwd.outputs[:n_out])
        mapping = _copy_function_graph(fwd, gfg, imap, outputs=targets)
        ys = [mapping[id(t)] for t in targets]
        pairs = [(y, gy) for y, gy in zip(ys, gys) if y.dtype.is_floating or y.dtype.is_complex]
        if pairs:
            grads = gradients_lib.gradients([y for y, _ in pairs], ins,
                                            grad_ys=[gy for _, gy in pairs])
        else:
            grads = [None] * len(ins)
        dense = []
        for g in grads:
            if g is not None and not isinstance(g, graph_lib.Tensor):
                g = registry.convert_to_tensor(g)
            dense.append(g)
    return gfg, dense


def _if_forward_values(op, then_fg, else_fg):
    """Rewrites the forward If once (on clones of its branches) so that the outputs of
    stateful ops without gradients (random draws, py_func) are extra outputs: the gradient
    must use the values the forward pass drew. Returns (n_orig, then_subs, else_subs)."""
    info = getattr(then_fg, "tw_if_values", None)
    if info is not None:
        return info
    g = op.graph
    n_orig = len(op._outputs)

    def stateful_outputs(fg):
        return [t for o in fg.get_operations() if not _replayable(o) for t in o._outputs
                if t.dtype.base_dtype != dtypes.variant]

    rt, re = stateful_outputs(then_fg), stateful_outputs(else_fg)
    if not rt and not re:
        info = (n_orig, [], [])
        then_fg.tw_if_values = info
        return info
    then_c, else_c = _clone_function(then_fg, g), _clone_function(else_fg, g)
    tmap = _clone_map(then_fg, then_c)
    emap = _clone_map(else_fg, else_c)
    rt_c = [tmap[t.op.name]._outputs[t.value_index] for t in rt]
    re_c = [emap[t.op.name]._outputs[t.value_index] for t in re]

    def zeros(fg, t):
        with fg.as_default():
            return registry.constant_op(np.zeros((), t.dtype.base_dtype.np_dtype))

    then_c.outputs = list(then_c.outputs) + rt_c + [zeros(then_c, t) for t in re_c]
    else_c.outputs = list(else_c.outputs) + [zeros(else_c, t) for t in rt_c] + re_c
    op._attrs["then_branch"] = then_c
    op._attrs["else_branch"] = else_c
    extra = rt_c + re_c
    op._attrs["Tout"] = list(op._attrs["Tout"]) + [t.dtype.base_dtype for t in extra]
    op._attrs["output_shapes"] = list(op._attrs["output_shapes"]) + [
        tensor_shape.unknown_shape() for _ in extra]
    for t in extra:
        nt = graph_lib.Tensor(op, len(op._outputs), t.dtype.base_dtype)
        op._outputs.append(nt)
    g._structure_version += 1
    info = (n_orig, [(t, j) for j, t in enumerate(rt_c)],
            [(t, len(rt_c) + j) for j, t in enumerate(re_c)])
    then_c.tw_if_values = info
    return info


def _clone_map(src, clone):
    return {o.name: clone._nodes_by_name.get(o.name) or o for o in src.get_operations()}


def _if_grad(op, grads):
    """If gradient: an If on the same predicate over the branches' gradient graphs.

    Each gradient branch re-creates the ops its forward branch's outputs need (copied, no
    Python re-tracing; forward values of random draws come in as extra outputs of the
    forward If) and differentiates them with tf.gradients; inputs are the forward If's
    inputs, the output gradients and those extra outputs; outputs one gradient per forward
    input (zeros where only the other branch depends on it).
    """
    then_fg = func_graph_lib.resolve_function(op, "then_branch")
    else_fg = func_graph_lib.resolve_function(op, "else_branch")
    n_orig, t_subs, e_subs = _if_forward_values(op, then_fg, else_fg)
    then_fg = op._attrs["then_branch"]
    else_fg = op._attrs["else_branch"]
    g = op.graph
    with g.as_default():
        out_grads = []
        for t, gr in zip(op._outputs[:n_orig], list(grads) + [None] * n_orig):
            if gr is None:
                gr = out(registry.apply_op("ZerosLike", [t]))
            elif not isinstance(gr, graph_lib.Tensor):
                gr = registry.convert_to_tensor(gr)
            out_grads.append(gr)
    specs = [(t.dtype, t.shape) for t in op._outputs[:n_orig]]
    extra_outs = list(op._outputs[n_orig:])
    extra_specs = [(t.dtype, t.shape) for t in extra_outs]
    base = op.name.replace("/", "_")
    tg, t_grads = _branch_grad_graph(then_fg, func_graph_lib.unique_function_name(
        base + "_true_grad"), g, specs, n_orig, t_subs, extra_specs)
    eg, e_grads = _branch_grad_graph(else_fg, func_graph_lib.unique_function_name(
        base + "_false_grad"), g, specs, n_orig, e_subs, extra_specs)
    fwd_inputs = list(op._inputs[1:])
    keep = [i for i, (a, b) in enumerate(zip(t_grads, e_grads))
            if (a is not None or b is not None) and (
                fwd_inputs[i].dtype.is_floating or fwd_inputs[i].dtype.is_complex)]
    if not keep:
        return [None] * len(op._inputs)
    for fg, gl in ((tg, t_grads), (eg, e_grads)):
        outs = []
        with fg.as_default():
            for i in keep:
                gi = gl[i]
                if gi is None:
                    gi = out(registry.apply_op("ZerosLike", [fg.inputs[i]]))
                outs.append(gi)
        fg.outputs = outs
        _register_function(g, fg)
    shapes = [t_grads[i].shape.most_specific_compatible_shape(e_grads[i].shape)
              if t_grads[i] is not None and e_grads[i] is not None else fwd_inputs[i].shape
              for i in keep]
    op_type = "If" if (_is_stateful(tg) or _is_stateful(eg)) else "StatelessIf"
    with g.as_default():
        gop = registry.apply_op(op_type, [op._inputs[0], fwd_inputs + out_grads + extra_outs],
                                Tout=[fwd_inputs[i].dtype for i in keep],
                                then_branch=tg, else_branch=eg, output_shapes=shapes)
    res = [None] * len(op._inputs)
    for k, i in enumerate(keep):
        res[1 + i] = gop._outputs[k]
    return res


# ---------------------------------------------------------------- While gradient


def _is_float(dt):
    """Loop values the While gradient carries: floats, complex and TensorLists (variant)."""
    dt = dt.base_dtype
    return dt.is_floating or dt.is_complex or dt == dtypes.variant


def _zeros_like(t):
    if t.dtype.base_dtype == dtypes.variant:
        return out(registry.apply_op(
            "EmptyTensorList", [_int_const(-1, dtypes.int32), _int_const(-1, dtypes.int32)],
            element_dtype=dtypes.float32))
    return out(registry.apply_op("ZerosLike", [t]))


def _int_const(v, dtype):
    return registry.constant_op(np.array(v, dtypes.as_dtype(dtype).np_dtype))


def _replayable(op):
    """False for stateful ops with no gradient (random draws, py_func, assignments): the
    gradient must see the values the forward loop produced, so they are accumulated."""
    opdef = op._opdef
    if opdef is None or not opdef.stateful or not op._outputs:
        return True
    if op.type in func_graph_lib.VARIABLE_OP_TYPES or op.type in (
            "Placeholder", "If", "While", "StatelessIf", "StatelessWhile"):
        return True
    try:
        return registry.get_gradient_function(op) is not None
    except LookupError:
        return False


def _forward_accumulators(op, cond_fg, body_fg, n_in, nv):
    """Rewrites the forward While (once) to push, every iteration, the loop variables'
    values and the outputs of non-replayable stateful ops onto TensorLists (extra loop
    vars and outputs, as TF2 does). Returns (sources in body_fg, accumulator outputs)."""
    info = getattr(body_fg, "tw_accumulators", None)
    if info is not None:
        return info
    g = op.graph
    # NOTE: the FuncGraphs may be shared (a copied op keeps its attrs): rewrite clones.
    cond_fg = _clone_function(cond_fg, g)
    body_fg = _clone_function(body_fg, g)
    op._attrs["cond"] = cond_fg
    op._attrs["body"] = body_fg
    srcs = [body_fg.inputs[2 + k] for k in range(nv)]
    for bop in body_fg.get_operations():
        if not _replayable(bop):
            srcs.extend(t for t in bop._outputs if t.dtype.base_dtype != dtypes.variant)
    variant = dtypes.variant
    with g.as_default():
        empties = [out(registry.apply_op(
            "EmptyTensorList", [_int_const(-1, dtypes.int32), _int_const(-1, dtypes.int32)],
            element_dtype=t.dtype.base_dtype, name="EmptyTensorList")) for t in srcs]
    accs_b = [body_fg.add_placeholder(variant, [], "acc") for _ in srcs]
    body_fg.inputs.extend(accs_b)
    with body_fg.as_default():
        pushes = [out(registry.apply_op("TensorListPushBack", [a, t]))
                  for a, t in zip(accs_b, srcs)]
    body_fg.outputs = list(body_fg.outputs) + pushes
    cond_fg.inputs.extend(cond_fg.add_placeholder(variant, [], "acc") for _ in srcs)
    for t in empties:
        op._inputs.append(t)
        t._consumers.append(op)
    op._attrs["T"] = list(op._attrs["T"]) + [variant] * len(srcs)
    op._attrs["output_shapes"] = list(op._attrs["output_shapes"]) + [
        tensor_shape.TensorShape([])] * len(srcs)
    new_outs = []
    for _ in srcs:
        t = graph_lib.Tensor(op, len(op._outputs), variant)
        t._shape = tensor_shape.TensorShape([])
        op._outputs.append(t)
        new_outs.append(t)
    op._attrs["_num_original_outputs"] = len(op._outputs)
    # NOTE: compiled plans hold kernels bound to the old signature; recompile them.
    g._structure_version += 1
    info = (srcs, new_outs, n_in)
    body_fg.tw_accumulators = info
    return info


def _clone_function(fg, g):
    nf = func_graph_lib.FuncGraph(func_graph_lib.unique_function_name(fg.name + "_acc"), g)
    nf.inputs = [nf.add_placeholder(t.dtype, t.shape, t.op.name) for t in fg.inputs]
    with nf.as_default():
        mapping = _copy_function_graph(fg, nf, {id(a): b for a, b in zip(fg.inputs, nf.inputs)})
    nf.outputs = [mapping[id(t)] for t in fg.outputs]
    nf.python_func = fg.python_func
    if hasattr(fg, "num_loop_vars"):
        nf.num_loop_vars = fg.num_loop_vars
    _register_function(g, nf)
    return nf


def _while_grad(op, grads):
    """While gradient for any (data-dependent) trip count (TF2's scheme).

    1. The forward While is rewritten once to push, each iteration, the loop variables'
       values (and the outputs of stateful ops without gradients, e.g. random draws) onto
       TensorLists; its counter output is the trip count n.
    2. A backward While runs n times: it pops iteration n-1-k's values, re-creates the body
       ops the gradient needs on them (the accumulated stateful outputs are substituted,
       not re-run) and differentiates them with tf.gradients, carrying the loop-variable
       gradients and summing the captured inputs' gradients.
    """
    from tensorweave.training import gradients as gradients_lib

    cond_fg = func_graph_lib.resolve_function(op, "cond")
    body_fg = func_graph_lib.resolve_function(op, "body")
    g = op.graph
    info = getattr(body_fg, "tw_accumulators", None)
    n_in = info[2] if info is not None else len(op._inputs)
    nv = getattr(body_fg, "num_loop_vars", n_in - 2)
    ncap = n_in - 2 - nv
    var_dt = [op._inputs[2 + k].dtype.base_dtype for k in range(nv)]
    var_shapes = [op._outputs[2 + k].shape for k in range(nv)]
    caps = list(op._inputs[2 + nv:n_in])
    fv = [k for k in range(nv) if _is_float(var_dt[k])]
    fc = [c for c in range(ncap) if _is_float(caps[c].dtype)]
    if not fv and not fc:
        return [None] * len(op._inputs)
    base = op.name.replace("/", "_")
    cdt = op._inputs[0].dtype.base_dtype
    srcs, acc_outs, _ = _forward_accumulators(op, cond_fg, body_fg, n_in, nv)
    body_fg = op._attrs["body"]
    na = len(srcs)
    with g.as_default():
        trip = op._outputs[0]
        g_init = []
        for k in fv:
            gr = grads[2 + k] if 2 + k < len(grads) else None
            g_init.append(_zeros_like(op._outputs[2 + k]) if gr is None else
                          registry.convert_to_tensor(gr))
        gc_init = []
        for c in fc:
            gr = grads[2 + nv + c] if 2 + nv + c < len(grads) else None
            gc_init.append(_zeros_like(caps[c]) if gr is None else registry.convert_to_tensor(gr))
        # backward loop vars: [bc, n, g_vars(fv), g_caps(fc), accs(na), caps(ncap)]
        b_in = [_int_const(0, cdt), trip] + g_init + gc_init + list(acc_outs) + caps
        b_shapes = ([tensor_shape.TensorShape([])] * 2 + [var_shapes[k] for k in fv] +
                    [caps[c].shape for c in fc] + [tensor_shape.TensorShape([])] * na +
                    [t.shape for t in caps])

    def b_inputs(fg):
        return [fg.add_placeholder(t.dtype, sh, "b%d" % i)
                for i, (t, sh) in enumerate(zip(b_in, b_shapes))]

    bcond = func_graph_lib.FuncGraph(func_graph_lib.unique_function_name(base + "_grad_cond"),
                                     g)
    bcond.inputs = b_inputs(bcond)
    with bcond.as_default():
        bcond.outputs = [out(registry.apply_op("Less", [bcond.inputs[0], bcond.inputs[1]]))]
    bbody = func_graph_lib.FuncGraph(func_graph_lib.unique_function_name(base + "_grad_body"),
                                     g)
    ph = b_inputs(bbody)
    bbody.inputs = ph
    nf, nfc = len(fv), len(fc)
    bc, nn = ph[0], ph[1]
    gv = ph[2:2 + nf]
    gcap = ph[2 + nf:2 + nf + nfc]
    accs = ph[2 + nf + nfc:2 + nf + nfc + na]
    cap_ph = ph[2 + nf + nfc + na:]
    with bbody.as_default():
        popped, new_accs = [], []
        for j, src in enumerate(srcs):
            pop = registry.apply_op("TensorListPopBack", [accs[j], _int_const(-1, dtypes.int32)],
                                    element_dtype=src.dtype.base_dtype)
            new_accs.append(pop._outputs[0])
            v = pop._outputs[1]
            v._shape = var_shapes[j] if j < nv else src.shape
            popped.append(v)
        imap = {id(body_fg.inputs[0]): bc, id(body_fg.inputs[1]): nn}
        for j, src in enumerate(srcs):
            imap[id(src)] = popped[j]
        for c in range(ncap):
            imap[id(body_fg.inputs[2 + nv + c])] = cap_ph[c]
        targets = [body_fg.outputs[2 + k] for k in fv]
        mapping = _copy_function_graph(body_fg, bbody, imap, outputs=targets)
        ys = [mapping[id(t)] for t in targets]
        xs = [popped[k] for k in fv] + [cap_ph[c] for c in fc]
        dx = gradients_lib.gradients(ys, xs, grad_ys=list(gv))
        dx = [registry.convert_to_tensor(d) if d is not None and not isinstance(
            d, graph_lib.Tensor) else d for d in dx]
        d_vars = [d if d is not None else _zeros_like(x) for d, x in zip(dx[:nf], xs[:nf])]
        d_caps = []
        for j, d in enumerate(dx[nf:]):
            d_caps.append(gcap[j] if d is None else out(
                registry.apply_op("AddN", [[gcap[j], d]])))
        one = _int_const(1, cdt)
        bbody.outputs = ([out(registry.apply_op("AddV2", [bc, one])), nn] + d_vars + d_caps +
                         new_accs + list(cap_ph))
    _register_function(g, bcond)
    _register_function(g, bbody)
    stateful = _is_stateful(bbody)
    with g.as_default():
        bw = registry.apply_op("While" if stateful else "StatelessWhile", [b_in],
                               cond=bcond, body=bbody, output_shapes=b_shapes,
                               parallel_iterations=op._attrs.get("parallel_iterations", 10))
    res = [None] * len(op._inputs)
    for j, k in enumerate(fv):
        res[2 + k] = bw._outputs[2 + j]
    for j, c in enumerate(fc):
        res[2 + nv + c] = bw._outputs[2 + nf + j]
    return res
