"""Logging and assertion ops: Print, PrintV2, Assert, CheckNumerics and the tf.assert_* family."""
import sys

import numpy as np

from tensorweave.framework import dtypes, errors, registry, tensor_util
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE, TYPE_LIST, out, register_op

# ------------------------------------------------------------------ formatting


def _fmt_float(v, digits, more):
    s = "%.*g" % (digits, v)
    if type(v)(s) != v and np.isfinite(v):
        s = "%.*g" % (more, v)
    if s in ("nan", "-nan"):
        return "nan"
    return s


def _fmt_element(v):
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8", "replace")
    if isinstance(v, str):
        return v
    if isinstance(v, (np.bool_, bool)):
        return "1" if v else "0"
    if isinstance(v, np.floating):
        if v.dtype == np.float64:
            return _fmt_float(v, 15, 17)
        return _fmt_float(np.float32(v), 6, 9)
    if isinstance(v, np.complexfloating):
        return "(%s,%s)" % (_fmt_element(v.real), _fmt_element(v.imag))
    return str(v)


def summarize_value(arr, max_entries):
    """TF's Tensor::SummarizeValue: up to `max_entries` elements in nested brackets."""
    arr = np.asarray(arr)
    flat = arr.reshape(-1)
    n = flat.size
    limit = n if max_entries is None or max_entries < 0 else min(int(max_entries), n)
    if arr.ndim == 0:
        parts = [_fmt_element(flat[i]) for i in range(limit)]
        return " ".join(parts) + ("..." if n > limit else "")
    res = []
    idx = [0]
    shape = arr.shape

    def one_dim(d):
        if idx[0] >= limit:
            return
        count = shape[d]
        if d == arr.ndim - 1:
            for i in range(count):
                if idx[0] >= limit:
                    if d != 0:
                        res.append("...")
                    return
                if i > 0:
                    res.append(" ")
                res.append(_fmt_element(flat[idx[0]]))
                idx[0] += 1
            return
        for _ in range(count):
            opened = False
            if idx[0] < limit:
                res.append("[")
                opened = True
            one_dim(d + 1)
            if idx[0] < limit or opened:
                res.append("]")

    one_dim(0)
    s = "".join(res)
    if n > limit:
        s += "..."
    return s


# ------------------------------------------------------------------------ Print


def _print_factory(op, state):
    message = op._attrs.get("message", "")
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    first_n = int(op._attrs.get("first_n", -1))
    summarize = int(op._attrs.get("summarize", 3))
    count = [0]

    def _print(x, *data):
        if first_n >= 0:
            with state.lock:
                if count[0] >= first_n:
                    return x
                count[0] += 1
        msg = message + "".join("[%s]" % summarize_value(d, summarize) for d in data)
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
        return x

    return _print


def _PrintGrad(op, grad):
    return [grad] + [None] * (len(op.inputs) - 1)


register_op("Print", inputs=["input: T", "data: U"], outputs=["output: T"],
            attrs={"T": TYPE, "U": TYPE_LIST, "message": "", "first_n": -1, "summarize": 3},
            shape_fn=registry.unchanged_shape, kernel_factory=_print_factory, grad=_PrintGrad,
            stateful=True)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):
    """tf.Print: returns `input_`; running it prints `message` and `data` to stderr."""
    data = [registry.convert_to_tensor(d) for d in (data or [])]
    return out(registry.apply_op("Print", [input_, data], name=name,
                                 message="" if message is None else message,
                                 first_n=-1 if first_n is None else int(first_n),
                                 summarize=3 if summarize is None else int(summarize)))


def _print_v2_factory(op, state):
    end = op._attrs.get("end", "\n")

    def _p(s):
        v = np.asarray(s).reshape(()).item()
        text = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        stream = op._attrs.get("output_stream", "stderr")
        f = sys.stdout if stream in ("stdout", "log(info)") else sys.stderr
        f.write(text + end)
        f.flush()

    return _p


register_op("PrintV2", inputs=["input: string"], outputs=[],
            attrs={"output_stream": "stderr", "end": "\n"}, shape_fn=lambda op: [],
            kernel_factory=_print_v2_factory, stateful=True)


def _format_factory(op, state):
    template = op._attrs.get("template", "%s")
    placeholder = op._attrs.get("placeholder", "%s")
    summarize = int(op._attrs.get("summarize", 3))

    def _fmt(*inputs):
        parts = template.split(placeholder)
        res = [parts[0]]
        for i, p in enumerate(parts[1:]):
            a = np.asarray(inputs[i])
            s = summarize_value(a, summarize)
            res.append(("[%s]" % s) if a.ndim else s)
            res.append(p)
        return np.array("".join(res).encode(), dtype=object)

    return _fmt


register_op("StringFormat", inputs=["inputs: T"], outputs=["output: string"],
            attrs={"T": TYPE_LIST, "template": "%s", "placeholder": "%s", "summarize": 3},
            shape_fn=registry.scalar_shape, kernel_factory=_format_factory)


def print_v2(*inputs, **kwargs):
    """tf.print: a PrintV2 op printing the inputs (tensors formatted as TF2 does)."""
    output_stream = kwargs.pop("output_stream", sys.stderr)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    summarize = kwargs.pop("summarize", 3)
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unrecognized keyword arguments for tf.print: %s" % list(kwargs))
    stream = {id(sys.stderr): "stderr", id(sys.stdout): "stdout"}.get(
        id(output_stream), output_stream if isinstance(output_stream, str) else "stderr")
    tensors = []
    parts = []
    for x in inputs:
        if isinstance(x, graph_lib.Tensor) or hasattr(x, "_as_graph_element"):
            tensors.append(registry.convert_to_tensor(x))
            parts.append("{}")
        else:
            parts.append(str(x).replace("{}", "{{}}"))
    template = sep.join(parts)
    with graph_lib.name_scope(name, "PrintV2", tensors):
        if tensors:
            fmt = out(registry.apply_op("StringFormat", [tensors],
                                        template=template.replace("{}", "%s"),
                                        placeholder="%s", summarize=summarize))
        else:
            fmt = registry.constant_op(np.array(template.encode(), dtype=object))
        return registry.apply_op("PrintV2", [fmt], output_stream=stream, end=end)


# ----------------------------------------------------------------------- Assert


def _assert_factory(op, state):
    summarize = int(op._attrs.get("summarize", 3))

    def _assert(condition, *data):
        c = np.asarray(condition)
        if c.size != 1:
            raise errors.InvalidArgumentError(
                None, op, "In[0] expected to be a scalar, got shape %s" % (c.shape,))
        if not bool(c.reshape(())):
            msg = "assertion failed: " + " ".join(
                "[%s]" % summarize_value(d, summarize) for d in data)
            raise errors.InvalidArgumentError(None, None, msg)

    return _assert


register_op("Assert", inputs=["condition: bool", "data: T"], outputs=[],
            attrs={"T": TYPE_LIST, "summarize": 3}, shape_fn=lambda op: [],
            kernel_factory=_assert_factory, stateful=True)


def Assert(condition, data, summarize=None, name=None):
    """tf.Assert: an op failing with InvalidArgumentError when `condition` is false."""
    from tensorweave.ops import control_flow_ops

    with graph_lib.name_scope(name, "Assert", [condition, data]) as scope:
        xs = [registry.convert_to_tensor(d) for d in data]
        summ = 3 if summarize is None else int(summarize)
        if all(x.dtype.base_dtype in (dtypes.string, dtypes.int32) for x in xs):
            return registry.apply_op("Assert", [condition, xs], name="Assert",
                                     summarize=summ)
        condition = registry.convert_to_tensor(condition, name="Condition")

        def true_assert():
            return registry.apply_op("Assert", [condition, xs], name="Assert",
                                     summarize=summ)

        guarded = control_flow_ops.cond(
            condition, lambda: registry.apply_op("NoOp", [], name="NoOp"), true_assert,
            name="AssertGuard")
        del scope
        return guarded.op


# ---------------------------------------------------------------- CheckNumerics


def _check_numerics_factory(op, state):
    message = op._attrs.get("message", "")
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")

    def _check(x):
        if x.dtype.kind in "fc":
            finite = np.isfinite(x)
            if not finite.all():
                has_nan = bool(np.isnan(x).any())
                has_inf = bool(np.isinf(x).any())
                what = "NaN and Inf" if has_nan and has_inf else ("NaN" if has_nan else "Inf")
                raise errors.InvalidArgumentError(
                    None, None, "%s : Tensor had %s values" % (message, what))
        return x

    return _check


def _CheckNumericsGrad(op, grad):
    """Gradient passes through (checked too, as TF does)."""
    return [out(registry.apply_op(
        "CheckNumerics", [grad],
        message="Not a number (NaN) or infinity (Inf) values detected in gradient. %s" %
        _as_text(op._attrs.get("message", ""))))]


def _as_text(s):
    return s.decode() if isinstance(s, bytes) else s


register_op("CheckNumerics", inputs=["tensor: T"], outputs=["output: T"],
            attrs={"T": TYPE, "message": registry.REQUIRED},
            shape_fn=registry.unchanged_shape, kernel_factory=_check_numerics_factory,
            grad=_CheckNumericsGrad)


def check_numerics(tensor, message, name=None):
    """tf.check_numerics: fails (InvalidArgumentError) when `tensor` has NaN or Inf."""
    t = registry.convert_to_tensor(tensor)
    if not (t.dtype.is_floating or t.dtype.is_complex):
        raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of "
                        "allowed values: bfloat16, float16, float32, float64" % t.dtype.name)
    return out(registry.apply_op("CheckNumerics", [t], name=name, message=message))


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """tf.verify_tensor_all_finite: check_numerics gated as an Identity (TF1)."""
    t = x if t is None else t
    msg = message if msg is None else msg
    with graph_lib.name_scope(name, "VerifyFinite", [t]) as scope:
        t = registry.convert_to_tensor(t, name="x")
        g = graph_lib.get_default_graph()
        with g.colocate_with(t.op):
            verify = check_numerics(t, message=msg)
            with g.control_dependencies([verify]):
                return out(registry.apply_op("Identity", [t], name=scope))


def add_check_numerics_ops():
    """tf.add_check_numerics_ops: a CheckNumerics op for every float tensor, grouped."""
    from tensorweave.ops import control_flow_ops

    g = graph_lib.get_default_graph()
    check_op = []
    for op in list(g.get_operations()):
        for output in op.outputs:
            if output.dtype.base_dtype in (dtypes.float16, dtypes.float32, dtypes.float64,
                                           dtypes.bfloat16):
                if op._control_flow_context if hasattr(op, "_control_flow_context") else False:
                    raise ValueError("`tf.add_check_numerics_ops() is not compatible with "
                                     "TensorFlow control flow operations such as `tf.cond()` "
                                     "or `tf.while_loop()`.")
                message = op.name + ":" + str(output.value_index)
                with g.control_dependencies(check_op):
                    check_op = [check_numerics(output, message=message).op]
    return control_flow_ops.group(*check_op)


# -------------------------------------------------------------- tf.assert_*


def _static(t):
    try:
        return tensor_util.constant_value(t)
    except Exception:  # noqa: BLE001 - not foldable
        return None


def _data_for(message, text, x, y=None):
    data = []
    if message is not None:
        data.append(message)
    data.append(text)
    data += ["x (%s) = " % x.name, x]
    if y is not None:
        data += ["y (%s) = " % y.name, y]
    return data


def _reduce_all(b):
    from tensorweave.ops import math_ops

    fn = getattr(math_ops, "reduce_all", None)
    if fn is not None:
        return fn(b)
    rank = b.shape.ndims
    axes = registry.constant_op(np.arange(rank if rank is not None else 0, dtype=np.int32))
    return out(registry.apply_op("All", [b, axes]))


def _static_fail(message, text, x, xv, y=None, yv=None, summarize=3):
    parts = []
    if message is not None:
        parts.append(str(message))
    parts.append(text)
    parts.append("x (%s) = " % x.name)
    parts.append(str(np.asarray(xv)))
    if y is not None:
        parts.append("y (%s) = " % y.name)
        parts.append(str(np.asarray(yv)))
    raise errors.InvalidArgumentError(None, None, "\n".join(parts))


def _binary_assert(op_type, np_fn, sym, default_name, x, y, data, summarize, message, name):
    with graph_lib.name_scope(name, default_name, [x, y, data]):
        x = registry.convert_to_tensor(x, name="x")
        y = registry.convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        text = "Condition x %s y did not hold element-wise:" % sym
        xv, yv = _static(x), _static(y)
        if xv is not None and yv is not None and not np.all(np_fn(xv, yv)):
            _static_fail(message, text, x, xv, y, yv, summarize)
        if data is None:
            data = _data_for(message, text, x, y)
        cond_t = out(registry.apply_op(op_type, [x, y]))
        condition = _reduce_all(cond_t)
        return Assert(condition, data, summarize=summarize)


def _make_binary(op_type, np_fn, sym, default_name, doc):
    def fn(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(op_type, np_fn, sym, default_name, x, y, data, summarize,
                              message, name)

    fn.__name__ = default_name
    fn.__doc__ = doc
    return fn


assert_equal = _make_binary("Equal", np.equal, "==", "assert_equal",
                            "tf.assert_equal: x == y element-wise.")
assert_none_equal = _make_binary("NotEqual", np.not_equal, "!=", "assert_none_equal",
                                 "tf.assert_none_equal: x != y element-wise.")
assert_less = _make_binary("Less", np.less, "<", "assert_less",
                           "tf.assert_less: x < y element-wise.")
assert_less_equal = _make_binary("LessEqual", np.less_equal, "<=", "assert_less_equal",
                                 "tf.assert_less_equal: x <= y element-wise.")
assert_greater = _make_binary("Greater", np.greater, ">", "assert_greater",
                              "tf.assert_greater: x > y element-wise.")
assert_greater_equal = _make_binary("GreaterEqual", np.greater_equal, ">=",
                                    "assert_greater_equal",
                                    "tf.assert_greater_equal: x >= y element-wise.")


def _unary_assert(default_name, op_type, np_fn, text, flip, x, data, summarize, message, name):
    with graph_lib.name_scope(name, default_name, [x, data]):
        x = registry.convert_to_tensor(x, name="x")
        zero = registry.constant_op(np.zeros((), x.dtype.base_dtype.np_dtype), name="Const")
        xv = _static(x)
        if xv is not None and not np.all(np_fn(xv)):
            _static_fail(message, text, x, xv, summarize=summarize)
        if data is None:
            data = _data_for(message, text, x)
        args = [zero, x] if flip else [x, zero]
        condition = _reduce_all(out(registry.apply_op(op_type, args)))
        return Assert(condition, data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_positive: x > 0 element-wise."""
    return _unary_assert("assert_positive", "Less", lambda v: v > 0,
                         "Condition x > 0 did not hold element-wise:", True, x, data,
                         summarize, message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_negative: x < 0 element-wise."""
    return _unary_assert("assert_negative", "Less", lambda v: v < 0,
                         "Condition x < 0 did not hold element-wise:", False, x, data,
                         summarize, message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_non_negative: x >= 0 element-wise."""
    return _unary_assert("assert_non_negative", "LessEqual", lambda v: v >= 0,
                         "Condition x >= 0 did not hold element-wise:", True, x, data,
                         summarize, message, name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_non_positive: x <= 0 element-wise."""
    return _unary_assert("assert_non_positive", "LessEqual", lambda v: v <= 0,
                         "Condition x <= 0 did not hold element-wise:", False, x, data,
                         summarize, message, name)


def assert_rank(x, rank, message=None, name=None):
    """tf.assert_rank: static check when the rank is known (ValueError), else an Assert."""
    with graph_lib.name_scope(name, "assert_rank", [x, rank]):
        x = registry.convert_to_tensor(x, name="x")
        r = int(rank) if not isinstance(rank, graph_lib.Tensor) else _static(rank)
        if r is not None and x.shape.ndims is not None:
            if x.shape.ndims != int(r):
                raise ValueError("%sTensor %s must have rank %d.  Received rank %d, shape %s" % (
                    (message + ".  ") if message else "", x.name, int(r), x.shape.ndims,
                    x.shape))
            return registry.apply_op("NoOp", [], name="static_checks_determined_all_ok")
        rank_t = out(registry.apply_op("Rank", [x]))
        want = registry.convert_to_tensor(rank, dtype=dtypes.int32)
        cond = out(registry.apply_op("Equal", [rank_t, want]))
        data = ([message] if message else []) + [
            "Tensor %s must have rank" % x.name, want, "Received shape: ",
            out(registry.apply_op("Shape", [x], out_type=dtypes.int32))]
        return Assert(cond, data)


def assert_rank_at_least(x, rank, message=None, name=None):
    """tf.assert_rank_at_least (static check when the rank is known)."""
    with graph_lib.name_scope(name, "assert_rank_at_least", [x, rank]):
        x = registry.convert_to_tensor(x, name="x")
        if x.shape.ndims is not None and x.shape.ndims < int(rank):
            raise ValueError("%sTensor %s must have rank at least %d.  Received rank %d, "
                             "shape %s" % ((message + ".  ") if message else "", x.name,
                                           int(rank), x.shape.ndims, x.shape))
        return registry.apply_op("NoOp", [], name="static_checks_determined_all_ok")


def assert_scalar(tensor, name=None, message=None):
    """tf.assert_scalar: ValueError unless `tensor` is statically a scalar."""
    with graph_lib.name_scope(name, "assert_scalar", [tensor]):
        t = registry.convert_to_tensor(tensor, name="tensor")
        if t.shape.ndims != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s." % (
                (message + " ") if message else "", t.name, t.shape))
        return t


def assert_type(tensor, tf_type, message=None, name=None):
    """tf.assert_type: TypeError unless `tensor` has dtype `tf_type` (a no_op)."""
    tf_type = dtypes.as_dtype(tf_type)
    with graph_lib.name_scope(name, "assert_type", [tensor]):
        t = registry.convert_to_tensor(tensor, name="tensor")
        if t.dtype.base_dtype != tf_type.base_dtype:
            raise TypeError("%s%s must be of type %s; got %s" % (
                (message + " ") if message else "", t.name, tf_type.name, t.dtype.name))
        return registry.apply_op("NoOp", [], name="statically_determined_correct_type")


def assert_integer(x, message=None, name=None):
    """tf.assert_integer: TypeError unless `x` has an integer dtype."""
    with graph_lib.name_scope(name, "assert_integer", [x]):
        x = registry.convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError("%sExpected \"x\" to be integer type.  Found: %s of dtype %s" % (
                (message + " ") if message else "", x.name, x.dtype.name))
        return registry.apply_op("NoOp", [], name="statically_determined_was_integer")
