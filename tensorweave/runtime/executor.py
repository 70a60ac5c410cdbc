"""Plans: the pruned, ordered kernel calls for one (feeds, fetches, targets) signature.

A plan is compiled once per signature and cached on the session. Compilation prunes the graph
to what the fetches need, orders it, resolves each op's kernel with its attrs bound, and emits
straight-line Python code (one line per kernel call, intermediates deleted after their last
use), so a `Session.run` costs one Python call per op and nothing else.
"""
import functools
import itertools
import threading
import time

import numpy as np

from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry

VARIABLE_OP_TYPES = frozenset(["VariableV2", "Variable", "TemporaryVariable"])
# Outputs that alias long-lived arrays (variable storage, constants): copied when fetched.
_ALIASING_OP_TYPES = VARIABLE_OP_TYPES | frozenset(["Const"])
# Op types that may block (queue enqueue/dequeue, reader reads, iterator waits): a plan
# holding one runs without the per-plan lock, so other threads' runs can unblock it.
UNLOCKED_OP_TYPES = set()
_PLAN_IDS = itertools.count()
LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


class Step:
    """One kernel call: the op, its callable, input slots and output slots."""

    __slots__ = ("op", "fn", "ins", "outs", "free")

    def __init__(self, op, fn, ins, outs):
        self.op = op
        self.fn = fn
        self.ins = ins
        self.outs = outs
        self.free = ()


def resolve_kernel(op, state):
    """The callable fn(*input_arrays) for `op` in a session with `state`."""
    opdef = op._opdef
    if opdef is None:
        opdef = registry._OPS.get(op.type)
    if opdef is None or (opdef.kernel is None and opdef.kernel_factory is None):
        raise errors.UnimplementedError(
            None, op, "No kernel is registered for op '%s' of type %s (created at %s)." % (
                op.name, op.type, graph_lib.format_site(op._site)))
    if opdef.kernel_factory is not None:
        return opdef.kernel_factory(op, state)
    names = opdef.kernel_attrs
    if names is None:
        bound = {k: v for k, v in op._attrs.items() if not k.startswith("_")}
    else:
        bound = {k: op._attrs[k] for k in names if k in op._attrs}
    if bound:
        return functools.partial(opdef.kernel, **bound)
    return opdef.kernel


def var_name_of_ref(tensor):
    """The variable op name a reference tensor points at (through ref-forwarding ops)."""
    op = tensor.op
    seen = 0
    while op.type not in VARIABLE_OP_TYPES:
        opdef = op._opdef
        if opdef is None or not opdef.ref_inputs or seen > 64:
            raise errors.InvalidArgumentError(
                None, op, "Cannot find the variable behind reference input %s" % tensor.name)
        op = op.inputs[opdef.ref_inputs[0]].op
        seen += 1
    return op.name


def _missing_feed_error(ph, fetch_ops):
    path = _path_to(ph, fetch_ops)
    shape = ph.outputs[0].shape
    shape_s = "<unknown>" if shape.ndims is None else "[%s]" % ",".join(
        "?" if d is None else str(d) for d in shape.as_list())
    msg = ("You must feed a value for placeholder tensor '%s' with dtype %s and shape %s\n"
           "\t [[node %s (defined at %s) ]]" % (
               ph.name, ph.outputs[0].dtype.base_dtype.name, shape_s, ph.name,
               graph_lib.format_site(ph._site)))
    if path:
        msg += "\nThe fetch needs it through: %s" % " <- ".join(path)
    msg += ("\nAdd it to feed_dict, e.g. sess.run(..., feed_dict={%s: value})." %
            ph.name.split("/")[-1].replace("-", "_"))
    return errors.InvalidArgumentError(None, ph, msg)


def _path_to(target, roots):
    parents = {}
    stack = list(roots)
    seen = set(id(r) for r in roots)
    while stack:
        op = stack.pop()
        if op is target:
            path = [op.name]
            while id(op) in parents:
                op = parents[id(op)]
                path.append(op.name)
            return path
        for t in op.inputs:
            p = t.op
            if id(p) not in seen:
                seen.add(id(p))
                parents[id(p)] = op
                stack.append(p)
        for p in op.control_inputs:
            if id(p) not in seen:
                seen.add(id(p))
                parents[id(p)] = op
                stack.append(p)
    return None


class Plan:
    """A compiled signature: run(feed_arrays) -> list of fetched values."""

    def __init__(self, graph, fetches, targets, feeds, state, log_placement=False,
                 allow_soft_placement=True, rewrite_settings=None):
        from tensorweave.runtime import devices, rewrites

        self.graph = graph
        self.fetches = fetches
        self.state = state
        feed_index = {id(t): i for i, t in enumerate(feeds)}
        order = self._order(fetches, targets, feed_index)
        self._check_devices(order, allow_soft_placement, log_placement)
        settings = rewrite_settings if rewrite_settings is not None else rewrites.Settings()
        kernels = {}

        def kernel_of(op):
            fn = kernels.get(id(op))
            if fn is None:
                fn = kernels[id(op)] = resolve_kernel(op, state)
            return fn

        rw = rewrites.optimize(order, fetches, feed_index, settings, kernel_of)
        self.rewrites = rw
        order = self._live(order, fetches, targets, feed_index, rw, settings)
        self.ops = order
        alias = rw.alias

        def resolve(t):
            while id(t) in alias:
                t = alias[id(t)]
            return t

        # Slots: fed tensors are F[i]; folded constants c<n>; produced tensors get v<n>.
        slot_of = {}
        for t, i in feed_index.items():
            slot_of[t] = "F[%d]" % i
        const_values = []
        const_slot = {}

        def slot(t):
            t = resolve(t)
            s_ = slot_of.get(id(t))
            if s_ is None:
                v = rw.consts[id(t)]
                s_ = const_slot.get(id(v))
                if s_ is None:
                    s_ = const_slot[id(v)] = "c%d" % len(const_values)
                    const_values.append(v)
                slot_of[id(t)] = s_
            return s_

        names = itertools.count()
        steps = []
        alias_var = set()
        # A fused pair runs as one step where its producer (the absorbed op) ran.
        act_of = {id(src_op): act for act in order if id(act) in rw.fused
                  for src_op in (rw.fused[id(act)],)}
        # ... and a consumer it also computes (rw.side) is one more output of that step.
        side_ids = set(map(id, rw.side.values()))
        for step_op in order:
            if id(step_op) in rw.fused or id(step_op) in side_ids:
                continue
            op = act_of.get(id(step_op), step_op)
            fused_add = rw.fused.get(id(op))
            src = fused_add if fused_add is not None else op
            opdef = src._opdef or registry._OPS.get(src.type)
            ref_idx = opdef.ref_inputs if opdef is not None else ()
            ins = []
            for i, t in enumerate(src._inputs):
                if i in ref_idx and t.op.type in VARIABLE_OP_TYPES and id(t) not in feed_index:
                    ins.append("None")
                else:
                    ins.append(slot(t))
            n_src = len(ins)
            side = rw.side.get(id(op)) if fused_add is not None else None
            if fused_add is not None:  # the fused op's own other inputs follow
                ins.extend(slot(t) for t in op._inputs[1:])
            if side is not None:  # then the side consumer's (its first input is op's output)
                ins.extend(slot(t) for t in side._inputs[1:])
            outs = []
            for t in op._outputs + (side._outputs if side is not None else []):
                if id(t) in feed_index:
                    outs.append("_")
                else:
                    name = "v%d" % next(names)
                    slot_of[id(t)] = name
                    outs.append(name)
                    top = t._op
                    if top.type in _ALIASING_OP_TYPES or t._dtype.is_ref_dtype or (
                            top.type == "Identity" and top._inputs and
                            slot_of.get(id(top._inputs[0])) in alias_var):
                        alias_var.add(name)
            if fused_add is not None:
                fn = rewrites.fused_kernel(op, kernel_of(op), kernel_of(fused_add), n_src,
                                           side, kernel_of(side) if side is not None else None)
            else:
                fn = devices.intra_op_kernel(op, kernel_of(op))
            steps.append(Step(op, fn, ins, outs))
        self.steps = steps
        self.fetch_slots = [slot(t) for t in fetches]
        self.fetch_copy = [s in alias_var or s.startswith("c") for s in self.fetch_slots]
        self.alias_var = alias_var
        self.consts = tuple(const_values)
        self._compile()
        self.lock = threading.Lock() if any(
            (s.op._opdef is not None and s.op._opdef.stateful) for s in steps) and not any(
            s.op.type in UNLOCKED_OP_TYPES for s in steps) else None
        self.parallel = None

    def _live(self, order, fetches, targets, feed_index, rw, settings):
        """The ops of `order` that must run after the rewrites (order kept)."""
        from tensorweave.runtime import rewrites

        alias, consts, skip, guards = rw.alias, rw.consts, rw.skip, rw.guards
        if not (alias or consts or skip or settings.dependency):
            return order
        live = set()
        seen_ctl = set()
        stack = []
        roots = set(id(op) for op in targets)

        def need_tensor(t):
            while id(t) in alias:
                for c in t.op._control_inputs:  # an aliased Identity's guards still run
                    stack.append((c, True))
                t = alias[id(t)]
            if id(t) in consts:
                for g in guards.get(id(t), ()):
                    stack.append((g, False))
                return
            if id(t) in feed_index:
                return
            stack.append((t.op, False))

        for t in fetches:
            need_tensor(t)
        for op in targets:
            stack.append((op, False))
        while stack:
            op, ctl = stack.pop()
            if ctl:
                if id(op) in seen_ctl or id(op) in live:
                    continue
                seen_ctl.add(id(op))
                if id(op) in skip or (settings.dependency and id(op) not in roots and
                                      rewrites.skippable_control_dep(op)):
                    # Not run: only its own (stateful) ancestors must still run before.
                    for x in op._inputs:
                        while id(x) in alias:
                            x = alias[id(x)]
                        if id(x) in consts:
                            stack.extend((g, False) for g in guards.get(id(x), ()))
                        elif id(x) not in feed_index:
                            stack.append((x.op, True))
                    for c in op._control_inputs:
                        stack.append((c, True))
                    continue
            if id(op) in live:
                continue
            live.add(id(op))
            opdef = op._opdef
            ref_idx = opdef.ref_inputs if opdef is not None else ()
            for i, x in enumerate(op._inputs):
                if i in ref_idx and x.op.type in VARIABLE_OP_TYPES and id(x) not in feed_index:
                    continue
                need_tensor(x)
            # NOTE: what a fetched op (e.g. tf.group(...)) waits for always runs; only edges
            # inside the graph (gradient gating) may be satisfied without running pure work.
            direct = id(op) in roots
            for c in op._control_inputs:
                if c.type == "Placeholder" and any(id(o) in feed_index for o in c._outputs):
                    continue
                stack.append((c, not direct or id(c) in skip))
        return [op for op in order if id(op) in live]

    # ------------------------------------------------------------- pruning
    def _order(self, fetches, targets, feed_index):
        roots = [t.op for t in fetches if id(t) not in feed_index] + list(targets)
        order = []
        state = {}
        stack = []
        for r in reversed(roots):
            stack.append((r, False))
        while stack:
            op, done = stack.pop()
            key = id(op)
            if done:
                if state.get(key) != 2:
                    state[key] = 2
                    order.append(op)
                continue
            s = state.get(key)
            if s == 2:
                continue
            if s == 1:
                continue
            state[key] = 1
            stack.append((op, True))
            opdef = op._opdef
            ref_idx = opdef.ref_inputs if opdef is not None else ()
            # NOTE: a control input on a fed placeholder is satisfied by the feed.
            deps = [c for c in op._control_inputs if not (c.type == "Placeholder" and any(
                id(o) in feed_index for o in c._outputs))]
            for i, t in enumerate(op._inputs):
                if id(t) in feed_index:
                    continue
                if i in ref_idx and t.op.type in VARIABLE_OP_TYPES:
                    continue
                deps.append(t.op)
            for d in reversed(deps):
                ds = state.get(id(d))
                if ds is None:
                    stack.append((d, False))
                elif ds == 1:
                    # NOTE: open (state 1) nodes are exactly the current DFS path.
                    raise errors.InvalidArgumentError(
                        None, op, "Graph has a cycle through op '%s'." % op.name)
        for op in order:
            if op.type == "Placeholder":
                raise _missing_feed_error(op, roots)
            if not graph_lib.Graph.is_fetchable(op.graph, op) and op in roots:
                raise ValueError("Operation %r has been marked as not fetchable." % op.name)
        return order

    def _check_devices(self, order, allow_soft, log_placement):
        for op in order:
            dev = op._device
            if dev and ("GPU" in dev or "TPU" in dev or _bad_cpu(dev)) and not allow_soft:
                raise errors.InvalidArgumentError(
                    None, op,
                    "Cannot assign a device for operation %s: Could not satisfy explicit device "
                    "specification '%s' because no supported kernel for that device is "
                    "available on this machine (only %s). Set "
                    "tf.ConfigProto(allow_soft_placement=True) to fall back to the CPU." % (
                        op.name, dev, LOCAL_CPU))
            if log_placement:
                print("%s: (%s): %s" % (op.name, op.type, LOCAL_CPU), flush=True)

    # ----------------------------------------------------------- codegen
    def _compile(self):
        steps = self.steps
        last_use = {}
        for idx, st in enumerate(steps):
            for s in st.ins:
                if s.startswith("v"):
                    last_use[s] = idx
        keep = set(self.fetch_slots)
        frees = [[] for _ in steps]
        for s, idx in last_use.items():
            if s not in keep:
                frees[idx].append(s)
        for idx, st in enumerate(steps):
            st.free = tuple(frees[idx])
        lines = ["def _plan(F, K, C=_C):"]
        if steps:
            lines.append("    %s, = K" % ", ".join("k%d" % i for i in range(len(steps))))
        if self.consts:
            lines.append("    %s, = C" % ", ".join("c%d" % i for i in range(len(self.consts))))
        line_to_step = {}
        for idx, st in enumerate(steps):
            call = "k%d(%s)" % (idx, ", ".join(st.ins))
            used = [o for o in st.outs if o != "_" and (o in last_use or o in keep)]
            if not st.outs:
                stmt = call
            elif len(st.outs) == 1:
                stmt = ("%s = %s" % (st.outs[0], call)) if used else call
            else:
                if used:
                    stmt = "%s, = %s" % (", ".join(o if o in used else "_" for o in st.outs),
                                         call)
                else:
                    stmt = call
            line_to_step[len(lines) + 1] = idx
            lines.append("    " + stmt)
            if st.free:
                lines.append("    del " + ", ".join(st.free))
        rets = []
        for s, cp in zip(self.fetch_slots, self.fetch_copy):
            rets.append(("_copy(%s)" % s) if cp else s)
        lines.append("    return [%s]" % ", ".join(rets))
        src = "\n".join(lines) + "\n"
        fname = "<tensorweave-plan-%d>" % next(_PLAN_IDS)
        ns = {"_copy": _copy, "_C": self.consts}
        exec(compile(src, fname, "exec"), ns)  # noqa: S102 - our own generated plan code
        self._fn = ns["_plan"]
        self._fname = fname
        self._line_to_step = line_to_step
        self._kernels = tuple(st.fn for st in steps)
        self.source = src

    # -------------------------------------------------------------- running
    def run(self, feed_arrays):
        if self.parallel is not None:
            if self.lock is None:
                return self.parallel.run(feed_arrays)
            with self.lock:
                return self.parallel.run(feed_arrays)
        try:
            if self.lock is None:
                return self._fn(feed_arrays, self._kernels)
            with self.lock:
                return self._fn(feed_arrays, self._kernels)
        except Exception as e:  # noqa: BLE001 - re-raised as an OpError naming the op
            raise self._wrap(e) from None

    def step_of_exception(self, e):
        tb = e.__traceback__
        idx = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._fname:
                idx = self._line_to_step.get(tb.tb_lineno)
            tb = tb.tb_next
        return idx

    def _wrap(self, e):
        idx = self.step_of_exception(e)
        op = self.steps[idx].op if idx is not None else None
        return wrap_kernel_error(e, op)

    def run_traced(self, feed_arrays, record):
        """Interpreted run calling record(op, start_us, end_us, outputs, thread_id)."""
        if self.parallel is not None:
            return self.parallel.run(feed_arrays, record)
        env = {}
        for i, a in enumerate(feed_arrays):
            env["F[%d]" % i] = a
        env["None"] = None
        for i, v in enumerate(self.consts):
            env["c%d" % i] = v
        for st in self.steps:
            args = [env[s] for s in st.ins]
            t0 = time.time()
            try:
                r = st.fn(*args)
            except Exception as e:  # noqa: BLE001
                raise wrap_kernel_error(e, st.op) from None
            t1 = time.time()
            outs = [r] if len(st.outs) == 1 else (list(r) if st.outs else [])
            for name, v in zip(st.outs, outs):
                if name != "_":
                    env[name] = v
            record(st.op, int(t0 * 1e6), int(t1 * 1e6), outs, threading.get_ident())
        vals = [(_copy(env[s]) if cp else env[s])
                for s, cp in zip(self.fetch_slots, self.fetch_copy)]
        if getattr(self, "append_none", False):
            vals.append(None)
        return vals


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


# Kernels worth a hand-off to another thread (the rest run inline in the scheduling thread).
_HEAVY_TYPES = frozenset([
    "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D",
    "Conv2DBackpropInput", "Conv2DBackpropFilter", "Conv3D", "Conv3DBackpropInputV2",
    "Conv3DBackpropFilterV2", "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter", "MaxPool", "MaxPoolGrad", "AvgPool", "AvgPoolGrad",
    "MaxPool3D", "MaxPool3DGrad", "AvgPool3D", "AvgPool3DGrad", "FusedBatchNorm",
    "FusedBatchNormV3", "FusedBatchNormGrad", "FusedBatchNormGradV3", "LRN", "LRNGrad",
])
_HEAVY_ELEMENTS = 1 << 16


class ParallelRunner:
    """Runs a plan's steps on `threads` threads as their inputs become ready.

    Each kernel sees exactly the inputs it sees in the serial plan, so results are bitwise
    identical; only big kernels (convolutions, matmuls, pools, large outputs) are handed to
    the pool, NumPy and BLAS release the GIL inside them, the rest run in the calling thread.
    """

    def __init__(self, plan, threads):
        self.plan = plan
        self.threads = max(2, int(threads))
        steps = plan.steps
        producer = {}
        for i, st in enumerate(steps):
            for o in st.outs:
                if o != "_":
                    producer[o] = i
        step_of_op = {id(st.op): i for i, st in enumerate(steps)}
        for i, st in enumerate(steps):  # absorbed ops are done when their fused step is
            src = plan.rewrites.fused.get(id(st.op))
            if src is not None:
                step_of_op[id(src)] = i
                side = plan.rewrites.side.get(id(st.op))
                if side is not None:
                    step_of_op[id(side)] = i
        preds = []
        alias = plan.rewrites.alias
        for i, st in enumerate(steps):
            p = set(producer[s_] for s_ in st.ins if s_ in producer)
            p.update(self._control_preds(st.op, step_of_op))
            fused = plan.rewrites.fused.get(id(st.op))
            srcs = [st.op] if fused is None else [st.op, fused]
            if fused is not None and id(st.op) in plan.rewrites.side:
                srcs.append(plan.rewrites.side[id(st.op)])
            for src in srcs:
                p.update(self._control_preds(src, step_of_op))
                for t in src._inputs:
                    while id(t) in alias:  # guards of aliased (skipped) Identity ops
                        p.update(self._control_preds(t.op, step_of_op))
                        t = alias[id(t)]
            # NOTE: the serial step order is the reference; an edge to a later step is one the
            # serial plan does not honour either (a fused pair's gradient gating) - drop it.
            p = {j for j in p if j < i}
            preds.append(p)
        # State keeps its serial order: ops touching variables or other state (variable ops,
        # reads of ref tensors, stateful ops) run one after another as in the serial plan,
        # and a kernel reading a variable's buffer finishes before the next state change
        # (in-place updates) starts - graphs need not spell these orders out to get the
        # serial plan's numbers.
        var_slots = set(plan.alias_var)
        last_eff = None
        readers = []
        for i, st in enumerate(steps):
            op = st.op
            od = op._opdef
            handles = any(t._dtype.name == "resource" for t in op._inputs)
            eff = (op.type in VARIABLE_OP_TYPES or (od is not None and od.stateful) or
                   handles or any(t._dtype.is_ref_dtype for t in op._inputs))
            if handles:  # a resource variable's read may hand out its buffer
                var_slots.update(o for o in st.outs if o != "_")
            reads = any(s_ in var_slots for s_ in st.ins)
            if (eff or reads) and last_eff is not None:
                preds[i].add(last_eff)
            if eff:
                preds[i].update(readers)
                readers = []
                last_eff = i
            elif reads:
                readers.append(i)
        self.npred = [len(p) for p in preds]
        succ = [[] for _ in steps]
        for i, p in enumerate(preds):
            for j in p:
                succ[j].append(i)
        self.succ = succ
        uses = {}
        for st in steps:
            for s_ in st.ins:
                if s_.startswith("v"):
                    uses[s_] = uses.get(s_, 0) + 1
        self.uses = uses
        self.keep = set(plan.fetch_slots)
        self.heavy = [self._is_heavy(st.op) for st in steps]
        self._pool = None

    @staticmethod
    def _is_heavy(op):
        if op.type in _HEAVY_TYPES:
            return True
        for t in op._outputs:
            dims = t._shape._dims
            if dims is not None and all(d is not None for d in dims):
                n = 1
                for d in dims:
                    n *= d
                if n >= _HEAVY_ELEMENTS:
                    return True
        return False

    @staticmethod
    def _control_preds(op, step_of_op):
        out = set()
        seen = set()
        stack = list(op._control_inputs)
        while stack:
            c = stack.pop()
            if id(c) in seen:
                continue
            seen.add(id(c))
            j = step_of_op.get(id(c))
            if j is not None:
                out.add(j)
                continue
            # Not a step (folded, aliased or skipped): order after what it waited for.
            stack.extend(t.op for t in c._inputs)
            stack.extend(c._control_inputs)
        # Data inputs that are not steps (aliases) resolve to their producers' slots already.
        return out

    def pool(self):
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.threads,
                                            thread_name_prefix="tensorweave-inter")
        return self._pool

    def run(self, feed_arrays, record=None):
        import queue

        plan = self.plan
        steps = plan.steps
        env = {"None": None}
        for i, a in enumerate(feed_arrays):
            env["F[%d]" % i] = a
        for i, v in enumerate(plan.consts):
            env["c%d" % i] = v
        npred = list(self.npred)
        uses = dict(self.uses)
        keep = self.keep
        ready = [i for i, n in enumerate(npred) if n == 0]
        ready.reverse()
        done_q = queue.SimpleQueue()
        inflight = 0
        remaining = len(steps)
        error = None

        def call(i):
            st = steps[i]
            args = [env[s_] for s_ in st.ins]
            t0 = time.time() if record is not None else 0
            try:
                r = st.fn(*args)
            except BaseException as e:  # noqa: BLE001 - reported to the scheduler
                return i, None, e, t0, 0, 0
            if record is None:
                return i, r, None, 0, 0, 0
            return i, r, None, t0, time.time(), threading.get_ident()

        def work(i):
            done_q.put(call(i))

        def finish(item):
            nonlocal remaining, error
            i, r, e, t0, t1, tid = item
            remaining -= 1
            if e is not None:
                if error is None:
                    error = wrap_kernel_error(e, steps[i].op)
                return
            st = steps[i]
            outs = [r] if len(st.outs) == 1 else (list(r) if st.outs else [])
            for name, v in zip(st.outs, outs):
                if name != "_":
                    env[name] = v
            if record is not None:
                record(st.op, int(t0 * 1e6), int(t1 * 1e6), outs, tid)
            for s_ in st.ins:
                if s_ in uses:
                    uses[s_] -= 1
                    if uses[s_] == 0 and s_ not in keep:
                        env.pop(s_, None)
            for j in self.succ[i]:
                npred[j] -= 1
                if npred[j] == 0:
                    ready.append(j)

        pool = self.pool()
        while remaining:
            if error is not None:
                if inflight == 0:
                    break
            elif ready:
                i = ready.pop()
                if self.heavy[i] and (inflight < self.threads - 1 or ready):
                    inflight += 1
                    pool.submit(work, i)
                    continue
                finish(call(i))
                continue
            if inflight == 0:
                break
            item = done_q.get()
            inflight -= 1
            finish(item)
            while True:
                try:
                    item = done_q.get_nowait()
                except queue.Empty:
                    break
                inflight -= 1
                finish(item)
        if error is not None:
            raise error
        if remaining:
            raise errors.InternalError(None, None, "inter-op scheduler stalled with %d of %d "
                                       "steps not run" % (remaining, len(steps)))
        vals = [(_copy(env[s_]) if cp else env[s_])
                for s_, cp in zip(plan.fetch_slots, plan.fetch_copy)]
        if getattr(plan, "append_none", False):
            vals.append(None)
        return vals


def _bad_cpu(dev):
    return "CPU:" in dev and not dev.endswith("CPU:0") and not dev.endswith("CPU:*")


def wrap_kernel_error(e, op):
    """Turns a kernel's exception into a tf.errors.OpError that names the op."""
    if isinstance(e, errors.OpError):
        if e._op is None and op is not None:
            e._op = op
            e._message = _with_node(e._message, op)
            e.args = (e._message,)
        return e
    if op is None:
        return e
    if isinstance(e, (ValueError, TypeError, IndexError, FloatingPointError, ZeroDivisionError,
                      np.linalg.LinAlgError)):
        cls = errors.InvalidArgumentError
    elif isinstance(e, MemoryError):
        cls = errors.ResourceExhaustedError
    elif isinstance(e, NotImplementedError):
        cls = errors.UnimplementedError
    else:
        cls = errors.UnknownError
    shapes = []
    for t in op.inputs:
        shapes.append(str(t.shape))
    msg = "%s: %s" % (type(e).__name__, e) if cls is errors.UnknownError else str(e)
    msg = "%s (op %s of type %s, input shapes %s)" % (msg, op.name, op.type,
                                                      ", ".join(shapes) or "none")
    err = cls(None, op, _with_node(msg, op))
    err.__cause__ = e
    return err


def _with_node(msg, op):
    return "%s\n\t [[node %s (defined at %s) ]]" % (msg, op.name,
                                                   graph_lib.format_site(op._site))
