"""Map-and-batch fusion with vectorization (as tf.data's map_and_batch_fusion and
map_vectorization optimizations): `ds.map(f).batch(n)` runs f ONCE per batch on the stacked
input elements instead of n times, when that gives the same values.

The traced function's compiled plan is interpreted op by op over values that are either
"batched" (a leading batch dimension) or not. An op whose inputs are all unbatched runs as
usual; an op with batched inputs uses its batch rule; ops without a rule (DecodePng, random
ops, ...) run their kernel once per element and stack the results, which is always correct
because elements are independent. Rules are conservative: whenever a rule cannot prove the
batched result equals the stacked per-element results (unknown ranks, sparse outputs,
variable-length features, non-default axes), it falls back to the per-element loop.
"""
import numpy as np

from tensorweave.framework import dtypes as dtypes_lib

_ELEMENTWISE = frozenset([
    "Cast", "Mul", "Add", "AddV2", "Sub", "RealDiv", "Div", "Maximum", "Minimum", "Square",
    "Sqrt", "Rsqrt", "Neg", "Abs", "Exp", "Log", "Log1p", "Relu", "Relu6", "Sigmoid", "Tanh",
    "Floor", "Ceil", "Round", "Greater", "Less", "Equal", "NotEqual", "GreaterEqual",
    "LessEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "Identity", "Pow", "FloorDiv",
    "FloorMod", "SquaredDifference", "Reciprocal", "Sign", "SelectV2", "ClipByValue",
    "StopGradient"])


class _NoRule(Exception):
    pass


def _static_rank(t):
    return t.shape.ndims


def _elementwise(step, vals, flags, b):
    op = step.op
    ranks = []
    for t, v, f in zip(op.inputs, vals, flags):
        r = _static_rank(t) if f else np.ndim(v)
        if r is None or (f and np.ndim(v) != r + 1):
            raise _NoRule()
        ranks.append(r)
    out_rank = _static_rank(op.outputs[0])
    if out_rank is None or out_rank < max(ranks):
        raise _NoRule()
    args = []
    for v, f, r in zip(vals, flags, ranks):
        if f and r < out_rank:
            v = v.reshape(v.shape[:1] + (1,) * (out_rank - r) + v.shape[1:])
        args.append(v)
    return step.fn(*args)


def _reshape(step, vals, flags, b):
    t, shape = vals
    if flags[1]:
        raise _NoRule()
    return np.reshape(t, (b,) + tuple(int(d) for d in np.asarray(shape).reshape(-1)))


_STATIC = {}


def _static_check(op, check):
    """check(op) (a bool from the op's static attrs and shapes), computed once per op."""
    key = (id(op), check)
    hit = _STATIC.get(key)
    if hit is None or hit[0] is not op:
        if len(_STATIC) > 4096:
            _STATIC.clear()
        hit = _STATIC[key] = (op, bool(check(op)))
    return hit[1]


def _parse_example_static(op):
    if _static_rank(op.inputs[0]) != 0 or op.get_attr("num_sparse"):
        return False
    for s in op.get_attr("dense_shapes") or []:
        dims = s.as_list() if hasattr(s, "as_list") else list(s)
        if dims is None or any(d is None or d == -1 for d in dims):
            return False
    return True


def _parse_example(step, vals, flags, b):
    if any(flags[1:]) or not _static_check(step.op, _parse_example_static):
        raise _NoRule()
    return step.fn(*vals)


def _one_hot_static(op):
    return op.get_attr("axis") in (-1, None)


def _one_hot(step, vals, flags, b):
    if any(flags[1:]) or not _static_check(step.op, _one_hot_static):
        raise _NoRule()
    return step.fn(*vals)


def _decode_png(step, vals, flags, b):
    """DecodePng / DecodeImage (integer output) over the batch with the C decoder: one call
    decodes every image with the GIL released; None (-> per-element loop) when the images do
    not all have one shape or the C decoder is not built."""
    from tensorweave.ops import image_io_ops

    op = step.op
    contents = vals[0]
    if len(vals) != 1 or np.ndim(contents) != 1 or _static_rank(op.inputs[0]) != 0:
        raise _NoRule()
    dt = op.get_attr("dtype").base_dtype
    if dt not in (dtypes_lib.uint8, dtypes_lib.uint16):
        raise _NoRule()
    out = image_io_ops.decode_batch(contents, int(op.get_attr("channels") or 0), dt.np_dtype,
                                    "PNG" if op.type == "DecodePng" else "image")
    if out is None:
        raise _NoRule()
    return out


def _decode_png_start(step, vals, flags, b, scale=None):
    """_decode_png with the C decode on a thread of its own: a function giving the result
    (None where _decode_png gives None), or None when the C decoder is not used. With
    `scale`, the function gives (result, result * scale) (see decode_batch_start)."""
    from tensorweave.ops import image_io_ops

    op = step.op
    contents = vals[0]
    if len(vals) != 1 or np.ndim(contents) != 1 or _static_rank(op.inputs[0]) != 0:
        return None
    dt = op.get_attr("dtype").base_dtype
    if dt not in (dtypes_lib.uint8, dtypes_lib.uint16):
        return None
    return image_io_ops.decode_batch_start(
        contents, int(op.get_attr("channels") or 0), dt.np_dtype,
        "PNG" if op.type == "DecodePng" else "image", scale=scale)


_RULES = {"Reshape": _reshape, "ParseExampleV2": _parse_example, "OneHot": _one_hot,
          "DecodePng": _decode_png, "DecodeImage": _decode_png}
# Ops whose batch rule can run on a native thread while the caller goes on (pipelined runs).
_ASYNC_RULES = {"DecodePng": _decode_png_start, "DecodeImage": _decode_png_start}


def _rule(op_type):
    if op_type in _ELEMENTWISE:
        return _elementwise
    return _RULES.get(op_type)


def _loop(step, vals, flags, b):
    outs = None
    for i in range(b):
        r = step.fn(*[v[i] if f else v for v, f in zip(vals, flags)])
        r = (r,) if len(step.outs) == 1 else (tuple(r) if step.outs else ())
        if outs is None:
            outs = [[] for _ in r]
        for acc, x in zip(outs, r):
            acc.append(np.asarray(x))
    if not step.outs:
        return None
    stacked = [np.stack(acc) for acc in outs]
    return stacked[0] if len(step.outs) == 1 else tuple(stacked)


class VectorizedFunction:
    """Runs a compiled function plan on a batch of stacked elements."""

    def __init__(self, plan, n_args):
        self.plan = plan
        self.n_args = n_args
        # NOTE: a stateful op (random, variable update, py_func) would see its elements in
        # op-major instead of element-major order; such functions are not vectorized.
        self.ok = not any(st.op._opdef is not None and st.op._opdef.stateful
                          for st in plan.steps)
        self._cast_mul = self._find_cast_mul()
        self._decode_scale = self._find_decode_scale()
        self._progs = {}

    def _uses(self):
        uses = {}
        for st in self.plan.steps:
            for s in st.ins:
                uses[s] = uses.get(s, 0) + 1
        for s in self.plan.fetch_slots:
            uses[s] = uses.get(s, 0) + 1
        return uses

    def _find_decode_scale(self):
        """{d: k}: step d decodes images (async rule) whose only consumer is a Reshape whose
        only consumer is the fusable Cast at k (then Mul at k + 1): the decode thread can
        compute the scaled floats as well (`tf.cast(tf.reshape(img, s), tf.float32) * c`)."""
        steps = self.plan.steps
        uses = self._uses()
        consumer = {}
        for j, st in enumerate(steps):
            for s in st.ins:
                consumer[s] = j
        found = {}
        for d, st in enumerate(steps):
            if st.op.type not in _ASYNC_RULES or len(st.outs) != 1:
                continue
            out = st.outs[0]
            r = consumer.get(out)
            if r is None or uses.get(out) != 1 or steps[r].op.type != "Reshape" or \
                    not steps[r].ins or steps[r].ins[0] != out or len(steps[r].outs) != 1:
                continue
            rout = steps[r].outs[0]
            k = consumer.get(rout)
            if k is None or uses.get(rout) != 1 or k not in self._cast_mul or k <= r:
                continue
            found[d] = k
        return found

    def _find_cast_mul(self):
        """Indices i where step i is a Cast to float whose only consumer is a Mul at i + 1
        (`tf.cast(image, tf.float32) * scale`): run as one np.multiply(x, c, dtype) pass."""
        steps = self.plan.steps
        uses = self._uses()
        found = set()
        for i in range(len(steps) - 1):
            a, m = steps[i], steps[i + 1]
            if a.op.type != "Cast" or m.op.type != "Mul" or len(a.outs) != 1 or \
                    len(a.ins) != 1 or len(m.ins) != 2 or len(m.outs) != 1:
                continue
            try:
                dst = a.op.get_attr("DstT").base_dtype
            except Exception:
                continue
            if dst not in (dtypes_lib.float32, dtypes_lib.float64) or a.op.get_attr("Truncate"):
                continue
            if uses.get(a.outs[0]) == 1 and a.outs[0] in m.ins:
                found.add(i)
        return found

    def has_async(self):
        """Whether a pipelined run can hand work to a native thread (see `execute`)."""
        if not self.ok:
            return False
        from tensorweave import native

        if native.load("_image") is None:
            return False
        for st in self.plan.steps:
            if st.op.type in _ASYNC_RULES and len(st.ins) == len(st.op.inputs):
                try:
                    dt = st.op.get_attr("dtype").base_dtype
                except Exception:
                    continue
                if dt in (dtypes_lib.uint8, dtypes_lib.uint16):
                    return True
        return False

    @staticmethod
    def _fused_cast_mul(cast, mul, x, c):
        """A function computing x.astype(dst) * c in one pass, or None where the pair must
        run as two steps."""
        dst = cast.op.get_attr("DstT").base_dtype.np_dtype
        x = np.asarray(x)
        if not isinstance(c, np.ndarray) or c.ndim != 0 or c.dtype != dst or \
                x.dtype.kind not in "uif" or _static_rank(mul.op.outputs[0]) != x.ndim - 1:
            return None
        # NOTE: the same values as x.astype(dst) * c (the ufunc casts its inputs to dst).
        return lambda: np.multiply(x, c, dtype=dst)

    def __call__(self, batched_args, captured, b):
        g = self.execute(batched_args, captured, b, pipelined=False)
        try:
            while True:
                next(g)
        except StopIteration as e:
            return e.value

    def _program(self, n_in):
        """The plan as slot-indexed steps (built once per argument count)."""
        prog = self._progs.get(n_in)
        if prog is not None:
            return prog
        names = {"None": 0}

        def slot(name):
            if name not in names:
                names[name] = len(names)
            return names[name]

        args = [slot("F[%d]" % i) for i in range(n_in)]
        consts = [(slot("c%d" % i), c) for i, c in enumerate(getattr(self.plan, "consts", ()))]
        steps = []
        for i, st in enumerate(self.plan.steps):
            rule = _rule(st.op.type)
            if len(st.ins) != len(st.op.inputs):
                rule = None
            stateful = st.op._opdef is not None and st.op._opdef.stateful
            steps.append((st, tuple(slot(x) for x in st.ins), tuple(slot(x) for x in st.outs),
                          None if stateful else rule,
                          _ASYNC_RULES.get(st.op.type) if rule is not None else None,
                          i in self._cast_mul, self._decode_scale.get(i)))
        fetch = [(slot(x), t.dtype.base_dtype) for x, t in
                 zip(self.plan.fetch_slots, self.plan.fetches)]
        vals0 = [None] * len(names)
        for k, c in consts:
            vals0[k] = c
        prog = self._progs[n_in] = (args, vals0, steps, fetch, len(names))
        return prog

    def execute(self, batched_args, captured, b, pipelined=True):
        """A generator running the plan on the batch; returns (StopIteration.value) the
        outputs. With `pipelined`, a step with an async rule starts its work on a native
        thread and the generator yields once there: the caller does other work, then resumes
        it to wait for the result and run the remaining steps."""
        n_b = len(batched_args)
        args, vals0, steps, fetch, n = self._program(n_b + len(captured))
        V = list(vals0)
        B = [False] * n
        for k, a in zip(args, batched_args):
            V[k] = a
            B[k] = True
        for k, c in zip(args[n_b:], captured):
            V[k] = c
        skip = -1
        scaled = {}  # slot -> (the same values cast and scaled, the scale) from a decode thread
        for i, (st, ins, outs, rule, start, cast_mul, scale_at) in enumerate(steps):
            if i == skip:
                continue
            vals = [V[k] for k in ins]
            flags = [B[k] for k in ins]
            if scaled and ins and ins[0] in scaled and len(outs) == 1 and not cast_mul:
                # a Reshape between the decode and the cast: reshape the scaled copy too
                f, c = scaled.pop(ins[0])
                if f is not None and st.op.type == "Reshape" and not any(flags[1:]):
                    try:
                        r = _reshape(st, vals, flags, b)
                    except Exception:
                        r = None
                    if r is not None and r.size == f.size:
                        V[outs[0]] = r
                        B[outs[0]] = True
                        scaled[outs[0]] = (f.reshape(r.shape), c)
                        continue
            if cast_mul and flags[0]:
                m_ins, m_outs = steps[i + 1][1], steps[i + 1][2]
                other = [k for k in m_ins if k != outs[0]]
                r = None
                if len(other) == 1 and not B[other[0]]:
                    r = self._fused_cast_mul(st, steps[i + 1][0], vals[0], V[other[0]])
                    done = scaled.pop(ins[0], None)
                    if r is not None and done is not None and done[1] is V[other[0]]:
                        r = done[0]
                    elif r is not None:
                        r = r()
                if r is not None:
                    V[m_outs[0]] = r
                    B[m_outs[0]] = True
                    skip = i + 1
                    continue
            if not any(flags):
                r = st.fn(*vals)
                batched = False
            else:
                r = None
                c = None
                if pipelined and start is not None and scale_at is not None:
                    c_slot = [k for k in steps[scale_at + 1][1] if k != steps[scale_at][2][0]]
                    if len(c_slot) == 1 and not B[c_slot[0]]:
                        c = V[c_slot[0]]
                        dst = steps[scale_at][0].op.get_attr("DstT").base_dtype.np_dtype
                        if not isinstance(c, np.ndarray) or c.ndim != 0 or c.dtype != dst:
                            c = None
                finish = (start(st, vals, flags, b, scale=c) if c is not None else
                          start(st, vals, flags, b)) if pipelined and start is not None else None
                if finish is not None:
                    yield
                    r = finish()
                    if c is not None:
                        r, f = r if isinstance(r, tuple) else (r, None)
                        if r is not None and f is not None:
                            scaled[outs[0]] = (f, c)
                elif rule is not None:
                    try:
                        r = rule(st, vals, flags, b)
                    except _NoRule:
                        r = None
                if r is None and outs:
                    r = _loop(st, vals, flags, b)
                elif r is None:
                    _loop(st, vals, flags, b)
                batched = True
            if len(outs) == 1:
                V[outs[0]] = r
                B[outs[0]] = batched
            elif outs:
                for k, v in zip(outs, r):
                    V[k] = v
                    B[k] = batched
        out = []
        for k, want in fetch:
            v = V[k]
            if not B[k]:
                v = np.broadcast_to(np.asarray(v), (b,) + np.shape(v)).copy()
            else:
                v = np.asarray(v)
                if want != dtypes_lib.string and v.dtype != want.np_dtype:
                    v = v.astype(want.np_dtype)
            out.append(v)
        return tuple(out)


def stack_elements(els):
    """Stacks element tuples into batch arrays; None if component shapes differ."""
    comps = []
    for i in range(len(els[0])):
        parts = [np.asarray(e[i]) for e in els]
        s0 = parts[0].shape
        for p in parts:
            if p.shape != s0:
                return None
        comps.append(np.stack(parts))
    return comps
