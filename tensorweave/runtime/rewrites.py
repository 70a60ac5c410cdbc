"""Plan-time graph rewrites (the part of TF's Grappler that pays off in a Python executor).

They never change the Graph: they decide, per compiled plan, which tensors are known
constants, which tensors are the same value as another one, and which ops need not run.
Each rewrite is switchable through `ConfigProto.graph_options.rewrite_options` (TF's
RewriterConfig toggles; OFF disables) and, as in TF1, `optimizer_options.opt_level = L0`
turns constant folding and common-subexpression elimination off:

- dependency optimization (`dependency_optimization`): a stateless op reached only through
  control edges inside the graph (gradient `tuple` gating: conv1's unused input gradient) is
  not run; its stateful ancestors still are, in the same order, and whatever a fetched op
  waits for directly (`sess.run(tf.group(x))`) always runs;
- constant folding (`constant_folding`): Const outputs, Shape/Size/Rank/ShapeN of statically
  known shapes, and every stateless deterministic op whose inputs are all folded (up to
  `max_folded_constant_in_bytes`, 10 MB by default) are computed once, at plan time;
- arithmetic simplification (`arithmetic_optimization`): Identity/Snapshot/StopGradient
  outputs alias their input (an Identity's control inputs then guard its consumers), a
  Reshape to the input's own static shape and a reduction over no axes alias their input;
- common-subexpression elimination (`common_subgraph_elimination`): stateless ops with the
  same type, attrs and inputs compute once;
- fusion (`remapping`): Relu/Tanh of a fresh Add/AddV2/BiasAdd result, and ReluGrad of any
  pure op's fresh result, computes in place when it is that result's only consumer (same
  ufunc, same numbers, one buffer and one pass less); with the C kernels, Relu(Add/BiasAdd)
  and ReluGrad(MaxPoolGrad) are single passes, and such a step also computes the MaxPool /
  bias-gradient Sum reading its output as a second output of the same step (same numbers).

Random, stateful, control-flow and side-effecting ops are never folded, merged or skipped.
"""
import functools
import os

import numpy as np

from tensorweave.framework import registry
from tensorweave.kernels import elementwise as ew
from tensorweave.kernels import pool as pool_k

TOGGLE_OFF = 2
L0 = -1

# Op types never folded, merged or skipped, whatever their registry entry says.
_NEVER = frozenset([
    "Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "NoOp", "Assert", "Print",
    "PrintV2", "CheckNumerics", "CheckNumericsV2", "PyFunc", "PyFuncStateless", "EagerPyFunc",
    "Enter", "RefEnter", "Exit", "RefExit", "Switch", "RefSwitch", "Merge", "RefMerge",
    "NextIteration", "RefNextIteration", "LoopCond", "ControlTrigger", "If", "StatelessIf",
    "While", "StatelessWhile", "PartitionedCall", "StatefulPartitionedCall", "Const",
    "VariableV2", "Variable", "VarHandleOp", "ReadVariableOp", "TemporaryVariable",
    "DestroyTemporaryVariable", "ImmutableConst", "HostConst",
])
_RANDOM_WORDS = ("Random", "Truncated", "Multinomial", "Shuffle", "Sample", "Dropout")
_IDENTITY_TYPES = frozenset(["Identity", "Snapshot", "StopGradient", "PreventGradient"])
_REDUCTIONS = frozenset(["Sum", "Mean", "Prod", "Max", "Min", "All", "Any"])
_SHAPE_TYPES = frozenset(["Shape", "Size", "Rank", "ShapeN"])
_FUSABLE_ACT = frozenset(["Relu", "Tanh"])
_FUSABLE_ADD = frozenset(["Add", "AddV2", "BiasAdd"])
_DEFAULT_MAX_FOLD_BYTES = 10 << 20


class Settings:
    """Which rewrites run, from a ConfigProto (all on by default, as in TF)."""

    __slots__ = (
        "arithmetic",
        "constant_folding",
        "cse",
        "dependency",
        "max_fold_bytes",
        "remapping",
    )

    def __init__(self, config=None):
        self.constant_folding = self.arithmetic = self.cse = True
        self.dependency = self.remapping = True
        self.max_fold_bytes = _DEFAULT_MAX_FOLD_BYTES
        if os.environ.get("TENSORWEAVE_REWRITES") == "0":  # debugging switch: all off
            self.constant_folding = self.arithmetic = self.cse = False
            self.dependency = self.remapping = False
            return
        if config is None:
            return
        go = config.graph_options
        ro = go.rewrite_options
        oo = go.optimizer_options
        l0 = oo.opt_level == L0
        self.constant_folding = ro.constant_folding != TOGGLE_OFF and (
            not l0 or oo.do_constant_folding)
        self.cse = ro.common_subgraph_elimination != TOGGLE_OFF and (
            not l0 or oo.do_common_subexpression_elimination)
        self.arithmetic = ro.arithmetic_optimization != TOGGLE_OFF
        self.dependency = ro.dependency_optimization != TOGGLE_OFF
        self.remapping = ro.remapping != TOGGLE_OFF
        if ro.disable_meta_optimizer:
            self.constant_folding = self.cse = self.arithmetic = False
            self.dependency = self.remapping = False
        if oo.max_folded_constant_in_bytes > 0:
            self.max_fold_bytes = int(oo.max_folded_constant_in_bytes)

    @classmethod
    def none(cls):
        s = cls()
        s.constant_folding = s.arithmetic = s.cse = s.dependency = s.remapping = False
        return s

    def key(self):
        return (self.constant_folding, self.arithmetic, self.cse, self.dependency,
                self.remapping, self.max_fold_bytes)


def _opdef(op):
    return op._opdef or registry._OPS.get(op.type)


def is_pure(op):
    """True for a stateless, deterministic op that has no effect besides its outputs."""
    t = op.type
    if t in _NEVER or any(w in t for w in _RANDOM_WORDS):
        return False
    od = _opdef(op)
    if od is None or od.stateful or od.ref_inputs or od.kernel_factory is not None:
        return False
    for o in op._outputs:
        if o._dtype.is_ref_dtype or o._dtype.name in ("resource", "variant"):
            return False
    for x in op._inputs:  # reads through a resource handle see state
        if x._dtype.name == "resource":
            return False
    return True


def skippable_control_dep(op):
    """Dependency optimization: may a control edge on `op` be replaced by `op`'s inputs?"""
    return is_pure(op)


class Result:
    """What the rewrites decided for one plan."""

    def __init__(self):
        self.consts = {}    # id(tensor) -> array (value known at plan time)
        self.guards = {}    # id(const tensor) -> ops that must still run (a folded Shape's input)
        self.alias = {}     # id(tensor) -> tensor it equals
        self.fused = {}     # id(activation op) -> id(add op) computed inside it
        self.side = {}      # id(activation op) -> consumer op its fused step also computes
        self.skip = set()   # id(op) of ops that need not run
        self.folded_ops = 0
        self.cse_ops = 0


def _static_dims(t):
    dims = t._shape._dims
    if dims is None or any(d is None for d in dims):
        return None
    return [int(d) for d in dims]


def _attr_key(op):
    items = []
    for k in sorted(op._attrs):
        if k.startswith("_"):
            continue
        v = op._attrs[k]
        if isinstance(v, np.ndarray):
            return None
        try:
            hash(v)
            items.append((k, v))
        except TypeError:
            r = repr(v)
            if "object at 0x" in r:
                return None
            items.append((k, r))
    return tuple(items)


def optimize(order, fetches, feed_ids, settings, kernel_of):
    """Runs the enabled rewrites over the topologically ordered ops of a plan.

    `kernel_of(op)` gives the bound kernel callable (used for folding at plan time).
    Fetched tensors keep their own values (a fetch of a folded tensor returns a copy).
    """
    res = Result()
    if not (settings.constant_folding or settings.arithmetic or settings.cse or
            settings.remapping):
        return res
    consts, alias = res.consts, res.alias
    max_bytes = settings.max_fold_bytes

    def resolve(t):
        while id(t) in alias:
            t = alias[id(t)]
        return t

    cse_table = {}
    for op in order:
        outs = op._outputs
        if any(id(o) in feed_ids for o in outs):
            continue
        t = op.type
        if settings.constant_folding:
            if t == "Const" and not op._control_inputs:
                v = op._attrs.get("value")
                if isinstance(v, np.ndarray) and v.nbytes <= max_bytes:
                    consts[id(outs[0])] = v
                    res.skip.add(id(op))
                    continue
            if t in _SHAPE_TYPES and not op._control_inputs and _fold_shape(op, consts):
                # NOTE: as Grappler, the input still runs (its errors, e.g. an uninitialized
                # variable, must surface); only the shape arithmetic downstream is saved.
                g = tuple(resolve(x).op for x in op._inputs if id(resolve(x)) not in consts)
                if g:
                    for o in outs:
                        res.guards[id(o)] = g
                res.skip.add(id(op))
                res.folded_ops += 1
                continue
        pure = None
        ins = [resolve(x) for x in op._inputs]
        if settings.constant_folding and ins and all(id(x) in consts for x in ins) and (
                not op._control_inputs):
            pure = is_pure(op)
            if pure and _fold(op, [consts[id(x)] for x in ins], consts, kernel_of, max_bytes):
                g = tuple(dict.fromkeys(o for x in ins for o in res.guards.get(id(x), ())))
                if g:
                    for o in outs:
                        res.guards[id(o)] = g
                res.skip.add(id(op))
                res.folded_ops += 1
                continue
        if settings.arithmetic and len(outs) == 1 and (
                not op._control_inputs or t in _IDENTITY_TYPES):
            if pure is None:
                pure = is_pure(op)
            if pure and _simplify(op, ins, consts, alias):
                res.skip.add(id(op))
                continue
        if settings.cse and outs:
            if pure is None:
                pure = is_pure(op)
            if pure:
                ak = _attr_key(op)
                if ak is not None:
                    key = (t, ak, tuple(id(x) for x in ins),
                           tuple(sorted(id(c) for c in op._control_inputs)))
                    prev = cse_table.get(key)
                    if prev is None:
                        cse_table[key] = op
                    else:
                        for a, b in zip(outs, prev._outputs):
                            alias[id(a)] = b
                        res.skip.add(id(op))
                        res.cse_ops += 1
                        continue
    if settings.remapping:
        _fuse(order, fetches, res, resolve, feed_ids)
        _side_results(order, fetches, res, resolve)
    return res


def _fold_shape(op, consts):
    t = op.type
    if t == "ShapeN":
        vals = []
        for x in op._inputs:
            d = _static_dims(x)
            if d is None:
                return False
            vals.append(d)
        np_dt = op._outputs[0]._dtype.np_dtype
        for o, d in zip(op._outputs, vals):
            consts[id(o)] = np.asarray(d, dtype=np_dt)
        return True
    x = op._inputs[0]
    out = op._outputs[0]
    np_dt = out._dtype.np_dtype
    if t == "Rank":
        if x._shape._dims is None:
            return False
        consts[id(out)] = np.asarray(len(x._shape._dims), dtype=np_dt)
        return True
    d = _static_dims(x)
    if d is None:
        return False
    if t == "Shape":
        consts[id(out)] = np.asarray(d, dtype=np_dt)
    else:
        consts[id(out)] = np.asarray(int(np.prod(d, dtype=np.int64)), dtype=np_dt)
    return True


def _fold(op, args, consts, kernel_of, max_bytes):
    try:
        with np.errstate(all="ignore"):
            r = kernel_of(op)(*args)
    except Exception:  # noqa: BLE001 - leave the op to fail (or not) at run time
        return False
    outs = op._outputs
    vals = [r] if len(outs) == 1 else (list(r) if outs else [])
    if len(vals) != len(outs):
        return False
    for v, o in zip(vals, outs):
        if not isinstance(v, np.ndarray) or v.nbytes > max_bytes:
            return False
        if v.dtype != o._dtype.np_dtype and o._dtype.np_dtype.kind != "O":
            return False
    for v, o in zip(vals, outs):
        v = np.array(v, copy=True)  # own the buffer: no view into another constant
        v.flags.writeable = False
        consts[id(o)] = v
    return True


def _simplify(op, ins, consts, alias):
    """Output equal to an input (by static shapes or folded attrs): alias it."""
    t = op.type
    out = op._outputs[0]
    if t in _IDENTITY_TYPES:
        x = ins[0]
        if x._dtype.is_ref_dtype:
            return False
        alias[id(out)] = x
        return True
    if t == "Reshape" and len(ins) == 2 and id(ins[1]) in consts:
        x = ins[0]
        d = _static_dims(x)
        if d is None or out._dtype != x._dtype:
            return False
        want = consts[id(ins[1])]
        if want.ndim != 1 or [int(v) for v in want] != d:
            return False
        alias[id(out)] = x
        return True
    if t in _REDUCTIONS and len(ins) == 2 and id(ins[1]) in consts:
        axes = consts[id(ins[1])]
        if axes.size != 0 or out._dtype != ins[0]._dtype:
            return False
        alias[id(out)] = ins[0]
        return True
    return False


def _fuse(order, fetches, res, resolve, feed_ids=()):
    """An elementwise op computed in place on its producer's fresh output.

    Relu/Tanh of an Add/AddV2/BiasAdd result, and ReluGrad of any pure op's result (the
    gradient arriving from MaxPoolGrad, a matmul...), when that result has no other consumer.
    """
    pos = {id(op): i for i, op in enumerate(order)}
    fetched = {id(resolve(t)) for t in fetches}
    consumers = {}
    for op in order:
        if id(op) in res.skip:
            continue
        for x in op._inputs:
            x = resolve(x)
            consumers[id(x)] = consumers.get(id(x), 0) + 1
    absorbed = set()
    for op in order:
        t = op.type
        if (t not in _FUSABLE_ACT and t != "ReluGrad") or id(op) in res.skip or (
                op._control_inputs) or id(op) in absorbed:
            continue
        x = resolve(op._inputs[0])
        src = x.op
        if id(src) in res.skip or src._control_inputs or id(src) in res.fused or (
                id(src) in absorbed) or len(src._outputs) != 1:
            continue
        if t != "ReluGrad" and src.type not in _FUSABLE_ADD:
            continue
        if id(x) in fetched or consumers.get(id(x), 0) != 1 or id(x) in res.consts:
            continue
        if x._dtype.np_dtype.kind != "f" or not is_pure(src) or not is_pure(op):
            continue
        late = not _gates_only_pure(op._inputs[0], res.alias)
        for y in op._inputs[1:]:
            y = resolve(y)
            if id(y) in res.consts or id(y) in feed_ids:
                continue
            if pos.get(id(y.op), len(order)) >= pos[id(src)] or not is_pure(y.op) or any(
                    z._dtype.is_ref_dtype for z in y.op._inputs):
                late = True  # NOTE: never read a variable's buffer earlier than the op did
        if late:
            continue
        res.fused[id(op)] = src
        absorbed.add(id(src))


def _side_results(order, fetches, res, resolve):
    """Consumers a fused step computes in the same pass over its output (the step then has
    the consumer's outputs too): the MaxPool of a Relu(Add/BiasAdd) and the bias-gradient
    Sum/BiasAddGrad of a ReluGrad(MaxPoolGrad) (see kernels/elementwise.py, kernels/pool.py).
    Only consumers without control inputs whose other inputs are folded constants, so running
    them inside the producing step changes no order."""
    if not res.fused:
        return
    absorbed = set(map(id, res.fused.values()))
    users = {}
    for op in order:
        if id(op) in res.skip:
            continue
        for x in op._inputs:
            users.setdefault(id(resolve(x)), []).append(op)

    def free(u, out):
        return (id(u) not in res.fused and id(u) not in absorbed and not u._control_inputs
                and u._inputs and resolve(u._inputs[0]) is out
                and all(id(resolve(t)) in res.consts for t in u._inputs[1:]))

    for op in order:
        if id(op) not in res.fused or len(op._outputs) != 1:
            continue
        out = op._outputs[0]
        if out._dtype.np_dtype.kind != "f":
            continue
        us = [u for u in users.get(id(out), ()) if free(u, out)]
        if op.type == "Relu":
            for u in us:
                if u.type == "MaxPool" and _attr(u, "data_format", "NHWC") == "NHWC":
                    res.side[id(op)] = u
                    break
        elif op.type == "ReluGrad":
            rank = out._shape._dims
            rank = len(rank) if rank is not None else None
            for u in us:
                if u.type == "BiasAddGrad" and _attr(u, "data_format", "NHWC") == "NHWC":
                    res.side[id(op)] = u
                    break
                if u.type == "Sum" and rank is not None and rank > 1 and len(u._inputs) == 2:
                    ax = res.consts.get(id(resolve(u._inputs[1])))
                    if ax is not None and ax.dtype.kind in "iu" and ax.size == rank - 1 and (
                            sorted({int(v) % rank for v in ax.reshape(-1)}) == list(
                                range(rank - 1))):
                        res.side[id(op)] = u
                        break


def _attr(op, name, default):
    v = op._attrs.get(name, default)
    return v.decode() if isinstance(v, bytes) else v


def _gates_only_pure(t, alias):
    """The aliased Identity ops between a producer and its consumer only gate on pure work
    (gradient `tuple` gating: a NoOp waiting for the sibling gradients), so running the
    consumer right after the producer changes no value anyone reads."""
    while id(t) in alias:
        for c in t.op._control_inputs:
            if c.type != "NoOp" or not all(is_pure(cc) for cc in c._control_inputs) or (
                    c._inputs):
                return False
        t = alias[id(t)]
    return True


def _registered_kernel(op_type):
    od = registry._OPS.get(op_type)
    return od.kernel if od is not None else None


def _kernel_is(fn, op_type):
    """True when `fn` is `op_type`'s registered kernel (bare or with bound attrs)."""
    k = _registered_kernel(op_type)
    if k is None:
        return False
    return fn is k or (isinstance(fn, functools.partial) and fn.func is k and not fn.args)


def _native_bias_relu(add_fn):
    """True when Relu(add_fn(a, b)) may run as one C bias-add+ReLU pass (Add/AddV2, or a
    channels-last BiasAdd)."""
    if _kernel_is(add_fn, "Add") or _kernel_is(add_fn, "AddV2"):
        return True
    if _kernel_is(add_fn, "BiasAdd"):
        df = getattr(add_fn, "keywords", {}).get("data_format", "NHWC")
        return df in ("NHWC", b"NHWC")
    return False


def fused_kernel(act_op, act_fn, add_fn, n_src, side_op=None, side_fn=None):
    """The kernel of a fused step: fn(*src_inputs, *act_inputs[1:], *side_inputs[1:]).

    Where the C kernels apply (tensorweave/native/_nn.c, float32/float64 contiguous arrays),
    Relu(Add/BiasAdd) is one bias-add+ReLU pass and ReluGrad(MaxPoolGrad) one pooling-gradient
    pass; the numbers are the NumPy path's.  With `side_op` (a consumer of the activation, see
    _side_results) the step returns (activation, side_op's result), both from one pass where
    the C kernels allow, else the side op's own kernel runs on the activation.
    """
    fn = _fused_act(act_op, act_fn, add_fn, n_src, side_op)
    if side_op is None:
        return fn
    n_act = n_src + len(act_op._inputs) - 1
    # A Sum(keep_dims) over the leading axes (TF's broadcast gradients) keeps them as 1s.
    lead = None
    if side_op.type == "Sum" and side_op._attrs.get("keep_dims"):
        lead = (1,) * (len(act_op._outputs[0]._shape._dims) - 1) + (-1,)

    def with_side(*args):
        r = fn(*args[:n_act])
        if type(r) is tuple:
            return r if lead is None else (r[0], r[1].reshape(lead))
        return r, side_fn(r, *args[n_act:])
    return with_side


def _fused_act(act_op, act_fn, add_fn, n_src, side_op):
    """fn(*src_inputs, *act_inputs[1:]): the activation, or (activation, side_op's result)
    when one C pass computed both."""
    t = act_op.type
    if t == "ReluGrad":
        pool_grad = n_src == 3 and _kernel_is(add_fn, "MaxPoolGrad")
        kw = dict(add_fn.keywords) if pool_grad else {}
        if side_op is not None:
            kw["col_sum"] = True

        def fn(*args):
            if pool_grad:
                r = pool_k.max_pool_grad_relu(*args[:3], args[3], **kw)
                if r is not None:
                    return r
            r = add_fn(*args[:n_src])
            f = args[n_src]
            if _owned(r, args) and r.shape == f.shape:
                if ew.relu_grad(r, f, out=r) is not None:
                    return r
                return np.multiply(r, f > 0, out=r)  # NOTE: ReluGrad's own formula, in place
            return act_fn(r, f)
        return fn
    if t == "Relu":
        bias_relu = n_src == 2 and _native_bias_relu(add_fn)
        geom = None
        if bias_relu and side_op is not None:
            a = side_op._attrs
            try:
                geom = pool_k.native_geometry(a.get("ksize"), a.get("strides"),
                                              _attr(side_op, "padding", "VALID"),
                                              a.get("explicit_paddings", ()), "NHWC")
            except (TypeError, ValueError):
                geom = None

        def fn(*args):
            if geom is not None:
                r = ew.bias_relu_pool(args[0], args[1], geom)
                if r is not None:
                    return r
            if bias_relu:
                r = ew.bias_add(args[0], args[1], relu=True)
                if r is not None:
                    return r
            r = add_fn(*args)
            if _owned(r, args):
                if ew.relu(r, out=r) is not None:
                    return r
                z = r.dtype.type(0)
                return np.maximum(r, z, out=r)
            return act_fn(r)
        return fn
    ufunc = {"Tanh": np.tanh}.get(t)
    if ufunc is not None:
        def fn(*args):
            r = add_fn(*args)
            if _owned(r, args):
                return ufunc(r, out=r)
            return act_fn(r)
        return fn

    def fn(*args):
        return act_fn(add_fn(*args[:n_src]), *args[n_src:])
    return fn


def _owned(r, args):
    return (type(r) is np.ndarray and r.base is None and r.flags.writeable and
            all(r is not a for a in args))
