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
                 allow_soft_placement=True):
        self.graph = graph
        self.fetches = fetches
        self.state = state
        feed_index = {id(t): i for i, t in enumerate(feeds)}
        order = self._order(fetches, targets, feed_index)
        self.ops = order
        self._check_devices(order, allow_soft_placement, log_placement)
        # Slots: fed tensors are F[i]; produced tensors get v<n>.
        slot_of = {}
        for t, i in feed_index.items():
            slot_of[t] = "F[%d]" % i
        names = itertools.count()
        steps = []
        alias_var = set()
        for op in order:
            opdef = op._opdef or registry._OPS.get(op.type)
            ref_idx = opdef.ref_inputs if opdef is not None else ()
            ins = []
            for i, t in enumerate(op._inputs):
                if i in ref_idx and t.op.type in VARIABLE_OP_TYPES and id(t) not in feed_index:
                    ins.append("None")
                else:
                    ins.append(slot_of[id(t)])
            outs = []
            for t in op._outputs:
                if id(t) in feed_index:
                    outs.append("_")
                else:
                    name = "v%d" % next(names)
                    slot_of[id(t)] = name
                    outs.append(name)
                    if op.type in VARIABLE_OP_TYPES or t._dtype.is_ref_dtype or (
                            op.type == "Identity" and op._inputs and
                            slot_of.get(id(op._inputs[0])) in alias_var):
                        alias_var.add(name)
            steps.append(Step(op, resolve_kernel(op, state), ins, outs))
        self.steps = steps
        self.fetch_slots = [slot_of[id(t)] for t in fetches]
        self.fetch_copy = [s in alias_var for s in self.fetch_slots]
        self._compile()
        self.lock = threading.Lock() if any(
            (s.op._opdef is not None and s.op._opdef.stateful) for s in steps) and not any(
            s.op.type in UNLOCKED_OP_TYPES for s in steps) else None

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
                    if not _is_ancestor_done(d, state):
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
        produced_unused = []
        for idx, st in enumerate(steps):
            st.free = tuple(frees[idx])
        lines = ["def _plan(F, K):"]
        if steps:
            lines.append("    %s, = K" % ", ".join("k%d" % i for i in range(len(steps))))
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
        del produced_unused
        rets = []
        for s, cp in zip(self.fetch_slots, self.fetch_copy):
            rets.append(("_copy(%s)" % s) if cp else s)
        lines.append("    return [%s]" % ", ".join(rets))
        src = "\n".join(lines) + "\n"
        fname = "<tensorweave-plan-%d>" % next(_PLAN_IDS)
        ns = {"_copy": _copy}
        exec(compile(src, fname, "exec"), ns)  # noqa: S102 - our own generated plan code
        self._fn = ns["_plan"]
        self._fname = fname
        self._line_to_step = line_to_step
        self._kernels = tuple(st.fn for st in steps)
        self.source = src

    # -------------------------------------------------------------- running
    def run(self, feed_arrays):
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
        env = {}
        for i, a in enumerate(feed_arrays):
            env["F[%d]" % i] = a
        env["None"] = None
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
        return [(_copy(env[s]) if cp else env[s])
                for s, cp in zip(self.fetch_slots, self.fetch_copy)]


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def _bad_cpu(dev):
    return "CPU:" in dev and not dev.endswith("CPU:0") and not dev.endswith("CPU:*")


def _is_ancestor_done(d, state):
    return state.get(id(d)) == 2


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
