"""The op registry: one OpDef per TF op type, and op construction from it.

An OpDef holds everything that defines an op type: TF's type name, its input/output argument
specs and attrs (TF's names, so GraphDefs cross both ways), the static shape function, the
NumPy kernel, the gradient function and, later, per-backend lowerings.

Argument specs use TF's OpDef notation: "x: T" (type attr), "shape: int32" (fixed type),
"values: N * T" (N tensors of one type), "inputs: Tin" (a type-list attr), "ref: Ref(T)" (a
reference input that names a variable instead of reading it).
"""
import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import tensor_shape
from tensorweave.framework import tensor_util


class _Sentinel:
    __slots__ = ("kind",)

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return "<required %s>" % self.kind


TYPE = _Sentinel("type")
TYPE_LIST = _Sentinel("list(type)")
INT = _Sentinel("int")
REQUIRED = _Sentinel("attr")
NOT_DIFFERENTIABLE = None


class _Arg:
    __slots__ = ("name", "type_attr", "fixed", "number_attr", "list_attr", "is_ref")

    def __init__(self, spec, attrs):
        name, _, t = spec.partition(":")
        self.name = name.strip()
        t = t.strip()
        self.type_attr = self.fixed = self.number_attr = self.list_attr = None
        self.is_ref = False
        if t.startswith("Ref(") and t.endswith(")"):
            self.is_ref = True
            t = t[4:-1].strip()
        if "*" in t:
            n, _, t = t.partition("*")
            self.number_attr = n.strip()
            t = t.strip()
        if t in attrs and (attrs[t] is TYPE_LIST or isinstance(attrs[t], list)):
            self.list_attr = t
        elif t in attrs:
            self.type_attr = t
        else:
            self.fixed = dtypes.as_dtype(t)


class OpDef:
    """Everything that defines one op type (see module docstring)."""

    __slots__ = ("type", "inputs", "outputs", "attrs", "shape_fn", "kernel", "kernel_attrs",
                 "kernel_factory", "grad", "stateful", "ref_inputs", "lowerings", "doc",
                 "default_name")

    def __init__(self, type, inputs, outputs, attrs, shape_fn, kernel, kernel_attrs,
                 kernel_factory, grad, stateful, lowerings, doc=None, default_name=None):
        self.type = type
        self.attrs = dict(attrs or {})
        self.inputs = [_Arg(s, self.attrs) for s in inputs]
        self.outputs = [_Arg(s, self.attrs) for s in outputs]
        self.shape_fn = shape_fn
        self.kernel = kernel
        self.kernel_attrs = tuple(kernel_attrs) if kernel_attrs is not None else None
        self.kernel_factory = kernel_factory
        self.grad = grad
        self.stateful = stateful
        self.ref_inputs = tuple(i for i, a in enumerate(self.inputs) if a.is_ref)
        self.lowerings = dict(lowerings or {})
        self.doc = doc
        self.default_name = default_name or type

    def __repr__(self):
        return "OpDef(%s)" % self.type


_OPS = {}
_GRADIENTS = {}
_GRADIENT_SITES = {}


def register_op(type, inputs=(), outputs=(), attrs=None, shape_fn=None, kernel=None,
                kernel_attrs=None, kernel_factory=None, grad=NOT_DIFFERENTIABLE,
                stateful=False, lowerings=None, doc=None, differentiable=None):
    """Registers an op type; registering a type twice is an error.

    kernel: fn(*input_arrays, **attrs) -> array or tuple of arrays (pure).
    kernel_attrs: names of attrs the kernel takes as keywords (bound at plan time; None
        means all non-type attrs).
    kernel_factory: fn(op, session_state) -> fn(*input_arrays) for stateful kernels.
    grad: TF-signature gradient fn(op, *grads) -> one value per input, or
        NOT_DIFFERENTIABLE (None).
    """
    if type in _OPS:
        raise KeyError("Op type %r is already registered." % type)
    opdef = OpDef(type, inputs, outputs, attrs, shape_fn, kernel, kernel_attrs,
                  kernel_factory, grad, stateful, lowerings, doc)
    _OPS[type] = opdef
    if type not in _GRADIENTS:
        _GRADIENTS[type] = grad
    return opdef


def get_opdef(op_type):
    try:
        return _OPS[op_type]
    except KeyError:
        raise LookupError("Op type %r is not registered in tensorweave." % op_type)


def registered_ops():
    return dict(_OPS)


# --------------------------------------------------------------------- gradients
class RegisterGradient:
    """Decorator registering a gradient function for an op type (tf.RegisterGradient)."""

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        if self._op_type in _GRADIENT_SITES or _GRADIENTS.get(self._op_type) is not None:
            raise KeyError("Registering two gradient with name '%s'! (Previous registration "
                           "was in %s)" % (self._op_type,
                                           _GRADIENT_SITES.get(self._op_type, "the op registry")))
        _GRADIENTS[self._op_type] = f
        site = graph_lib.user_frame(2)
        _GRADIENT_SITES[self._op_type] = graph_lib.format_site(site)
        return f


def NotDifferentiable(op_type):  # noqa: N802 - TF's public name
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _GRADIENTS[op_type] = None


NoGradient = NotDifferentiable


def set_gradient(op_type, fn):
    """Registers (or replaces) the gradient of a registered op type from its domain module."""
    _GRADIENTS[op_type] = fn
    if op_type in _OPS:
        _OPS[op_type].grad = fn


def get_gradient_function(op):
    """The gradient function of `op`, honouring gradient_override_map; None if none."""
    op_type = op._attrs.get("_gradient_op_type", op.type)
    if isinstance(op_type, bytes):
        op_type = op_type.decode()
    if op_type not in _GRADIENTS:
        raise LookupError("No gradient defined for operation '%s' (op type: %s). Register one "
                          "with @tf.RegisterGradient(%r) or mark it tf.NotDifferentiable." %
                          (op.name, op_type, op_type))
    return _GRADIENTS[op_type]


# -------------------------------------------------------------- conversion
_CONVERSION_FUNCS = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Registers fn(value, dtype=None, name=None, as_ref=False) -> Tensor for a type."""
    _CONVERSION_FUNCS.append((priority, base_type, conversion_func))
    _CONVERSION_FUNCS.sort(key=lambda x: x[0])


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False):
    """Converts Tensors, registered types and constant values to a Tensor."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, graph_lib.Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype) and not (
                value.dtype.is_ref_dtype and value.dtype.base_dtype == dtype.base_dtype):
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: "
                             "%r" % (dtype.name, value.dtype.name, value))
        return value
    for _, base_type, fn in _CONVERSION_FUNCS:
        if isinstance(value, base_type):
            t = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if t is not NotImplemented:
                if dtype is not None and t.dtype.base_dtype != dtype.base_dtype:
                    raise ValueError(
                        "Tensor conversion requested dtype %s for Tensor with dtype %s: %r" % (
                            dtype.name, t.dtype.name, t))
                return t
    if isinstance(value, graph_lib.Operation):
        raise TypeError("Can't convert Operation '%s' to Tensor (target dtype=%s, name=%s, "
                        "as_ref=%s)" % (value.name, dtype, name, as_ref))
    if dtype is None and preferred_dtype is not None:
        try:
            arr = tensor_util.to_array(value, preferred_dtype)
            if not isinstance(value, (np.ndarray, np.generic)) or \
                    np.asarray(value).dtype == arr.dtype:
                return constant_op(arr, name=name)
        except (TypeError, ValueError):
            pass
    arr = tensor_util.to_array(value, dtype)
    return constant_op(arr, name=name)


def constant_op(arr, name=None, dtype=None):
    """Creates a Const op holding ndarray `arr`."""
    arr = np.asarray(arr) if not isinstance(arr, np.ndarray) else arr
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.dtype_from_numpy(arr.dtype)
    op = apply_op("Const", [], name=name or "Const", value=arr, dtype=dt)
    return op._outputs[0]


def convert_n_to_tensor(values, dtype=None, name=None, preferred_dtype=None):
    return [convert_to_tensor(v, dtype, None if name is None else "%s_%d" % (name, i),
                              preferred_dtype) for i, v in enumerate(values)]


def _is_dtyped(v):
    return isinstance(v, graph_lib.Tensor) or (
        hasattr(v, "dtype") and isinstance(getattr(v, "dtype"), dtypes.DType))


# ---------------------------------------------------------------- op creation
def apply_op(op_type, inputs, name=None, **attrs):
    """Builds an op of a registered type in the default graph and returns the Operation.

    `inputs` follows the OpDef's input args (a list for `N * T` and type-list args); attrs
    that are determined by input dtypes (T, N, Tidx...) are inferred as TF's op_def_library
    infers them, and Python values are converted to tensors of the inferred dtype.
    """
    opdef = _OPS.get(op_type)
    if opdef is None:
        raise LookupError("Op type %r is not registered in tensorweave." % op_type)
    if len(inputs) != len(opdef.inputs):
        raise TypeError("%s takes %d inputs (%s), got %d" % (
            op_type, len(opdef.inputs), ", ".join(a.name for a in opdef.inputs), len(inputs)))
    all_attrs = {}
    for k, v in opdef.attrs.items():
        if not isinstance(v, _Sentinel):
            all_attrs[k] = v
    for k, v in attrs.items():
        if v is not None or k not in all_attrs:
            all_attrs[k] = v
    # Resolve type attrs: an explicit attr wins; else the first dtyped input using it.
    type_attr_values = {}
    for k, v in attrs.items():
        if v is not None and k in opdef.attrs and (
                opdef.attrs[k] is TYPE or isinstance(opdef.attrs[k], dtypes.DType)):
            type_attr_values[k] = dtypes.as_dtype(v)
    for arg, val in zip(opdef.inputs, inputs):
        if arg.type_attr and arg.type_attr not in type_attr_values:
            vals = val if arg.number_attr else [val]
            for v in vals:
                if _is_dtyped(v):
                    type_attr_values[arg.type_attr] = v.dtype.base_dtype
                    break
                if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind not in "USO":
                    type_attr_values[arg.type_attr] = dtypes.dtype_from_numpy(v.dtype)
                    break
    g = graph_lib.get_default_graph()
    # NOTE: TF opens the op's name scope before converting inputs, so constants made from
    # Python values are named '<op name>/<arg name>' (e.g. 'add/y').
    if name is None:
        name = opdef.default_name
    if isinstance(name, bytes):
        name = name.decode()
    if name and name[-1] == "/":
        op_name = name[:-1]
    else:
        op_name = g.unique_name(name)
    saved_stack = g._name_stack
    g._name_stack = op_name
    try:
        flat_inputs = _convert_inputs(opdef, op_type, inputs, type_attr_values, all_attrs, g)
    finally:
        g._name_stack = saved_stack
    for k, v in type_attr_values.items():
        all_attrs[k] = v
    missing = [k for k, v in opdef.attrs.items() if isinstance(v, _Sentinel) and
               all_attrs.get(k) is None and v is not TYPE_LIST]
    if missing:
        raise TypeError("%s op is missing required attr(s): %s" % (op_type, ", ".join(missing)))
    output_dtypes = _infer_output_dtypes(opdef, all_attrs)
    return _create(g, opdef, op_type, flat_inputs, output_dtypes, op_name + "/", all_attrs)


def _convert_inputs(opdef, op_type, inputs, type_attr_values, all_attrs, g):
    flat_inputs = []
    for arg, val in zip(opdef.inputs, inputs):
        if arg.number_attr or arg.list_attr:
            if not isinstance(val, (list, tuple)):
                raise TypeError("Expected list for '%s' argument to '%s' Op, not %r." % (
                    arg.name, op_type, val))
            vals = list(val)
            if arg.number_attr:
                all_attrs[arg.number_attr] = len(vals)
        else:
            vals = [val]
        converted = []
        for v in vals:
            if arg.fixed is not None:
                t = _convert_arg(v, arg.fixed, arg, op_type, None, name=arg.name)
            elif arg.type_attr:
                want = type_attr_values.get(arg.type_attr)
                pref = opdef.attrs.get(arg.type_attr)
                pref = pref if isinstance(pref, dtypes.DType) else None
                t = _convert_arg(v, want, arg, op_type, pref, as_ref=arg.is_ref,
                                 name=arg.name)
                if want is None:
                    type_attr_values[arg.type_attr] = t.dtype.base_dtype
            else:
                t = v if isinstance(v, graph_lib.Tensor) else convert_to_tensor(v, name=arg.name)
            if t.graph is not g:
                if not g._building_function:
                    t = _foreign(t, g, op_type)
                elif arg.is_ref and hasattr(g, "_capture_ref"):
                    t = g._capture_ref(t)  # a variable written inside a function body
                else:
                    t = g._capture(t)
            if arg.is_ref and not t.dtype.is_ref_dtype:
                raise TypeError("'%s' Op requires that input '%s' be a mutable tensor (e.g.: a "
                                "tf.Variable); got %s" % (op_type, arg.name, t.name))
            converted.append(t)
        if arg.list_attr:
            all_attrs[arg.list_attr] = [t.dtype.base_dtype for t in converted]
        flat_inputs.extend(converted)
    return flat_inputs


def _foreign(t, g, op_type):
    raise ValueError(
        "Tensor %s passed to '%s' must be from the same graph as the op being built. It belongs "
        "to graph %#x; the default graph is %#x. Build the whole model inside one "
        "`with graph.as_default():` block (or call tf.reset_default_graph() before rebuilding "
        "it)." % (t.name, op_type, id(t.graph), id(g)))


def _convert_arg(v, dtype, arg, op_type, preferred, as_ref=False, name=None):
    if isinstance(v, graph_lib.Tensor):
        if dtype is not None and v.dtype.base_dtype != dtype:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match %s." % (
                arg.name, op_type, v.dtype.base_dtype.name,
                "expected type of %s" % dtype.name if arg.fixed is not None else
                "type %s of argument '%s'" % (dtype.name, _first_arg_of(arg, op_type))))
        return v
    try:
        if dtype is None:
            return convert_to_tensor(v, preferred_dtype=preferred, as_ref=as_ref, name=name)
        return convert_to_tensor(v, dtype=dtype, as_ref=as_ref, name=name)
    except (TypeError, ValueError) as e:
        if isinstance(v, graph_lib.Tensor) or _is_dtyped(v):
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s." % (
                arg.name, op_type, getattr(v, "dtype", "?"), dtype.name if dtype else "?"))
        raise TypeError("Expected %s passed to parameter '%s' of op '%s', got %r of type '%s' "
                        "instead. Error: %s" % (dtype.name if dtype else "a tensor", arg.name,
                                                op_type, v, type(v).__name__, e))


def _first_arg_of(arg, op_type):
    opdef = _OPS[op_type]
    for a in opdef.inputs:
        if a.type_attr == arg.type_attr:
            return a.name
    return arg.name


def _create(g, opdef, op_type, flat_inputs, output_dtypes, name, attrs):
    if name is None:
        name = opdef.default_name
    if isinstance(name, bytes):
        name = name.decode()
    if name and name[-1] == "/":
        name = name[:-1]
    else:
        name = g.unique_name(name)
    input_ops = set(t.op for t in flat_inputs)
    control = g._current_control_inputs(input_ops) if g._control_dependencies_stack else ()
    op = graph_lib.Operation(g, name, op_type, flat_inputs, output_dtypes, attrs, opdef,
                             control_inputs=control)
    if g._device_stack:
        op._device = g._apply_device(op)
    if g._colocation_stack:
        attrs["_class"] = [("loc:@" + c.name).encode() for c in g._colocation_stack[-1:]]
    if g._gradient_override_map and op_type in g._gradient_override_map:
        attrs["_gradient_op_type"] = g._gradient_override_map[op_type]
    op._site = graph_lib.user_frame(3)
    if opdef is not None and opdef.shape_fn is not None:
        try:
            shapes = opdef.shape_fn(op)
        except ValueError as e:
            raise ValueError("%s for '%s' (op: '%s') with input shapes: %s." % (
                str(e).rstrip("."), name, op_type,
                ", ".join(_fmt_shape(t.shape) for t in flat_inputs)))
        if isinstance(shapes, tensor_shape.TensorShape) or shapes is None or (
                len(op._outputs) == 1 and not isinstance(shapes, (list, tuple))):
            shapes = [shapes]
        elif len(op._outputs) == 1 and isinstance(shapes, (list, tuple)) and \
                len(shapes) != 1:
            shapes = [shapes]
        for t, s in zip(op._outputs, shapes):
            if s is not None:
                t._shape = tensor_shape.as_shape(s)
    g._add_op(op, name)
    return op


def _fmt_shape(s):
    if s.ndims is None:
        return "?"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in s.as_list())


def create_op_raw(g, op_type, inputs, output_dtypes, name, attrs):
    """Creates an op with explicit output dtypes (GraphDef import, Graph.create_op)."""
    opdef = _OPS.get(op_type)
    if opdef is not None:
        for k, v in opdef.attrs.items():
            if not isinstance(v, _Sentinel) and k not in attrs:
                attrs[k] = v
        if not output_dtypes:
            output_dtypes = _infer_output_dtypes(opdef, attrs)
    with g.as_default():
        return _create(g, opdef, op_type, inputs, output_dtypes, name or op_type, attrs)


def _infer_output_dtypes(opdef, attrs):
    out = []
    for arg in opdef.outputs:
        if arg.fixed is not None:
            dt = [arg.fixed]
        elif arg.list_attr:
            dt = list(attrs.get(arg.list_attr) or [])
        else:
            dt = [attrs[arg.type_attr]]
        if arg.number_attr:
            dt = dt * int(attrs[arg.number_attr])
        if arg.is_ref:
            dt = [dtypes.as_dtype(d)._as_ref for d in dt]
        out.extend(dtypes.as_dtype(d) for d in dt)
    return out


# ------------------------------------------------------------ shape fn helpers
def unknown_shape_fn(op):
    return [tensor_shape.unknown_shape() for _ in op._outputs]


def unchanged_shape(op):
    return [op.inputs[0].shape]


def scalar_shape(op):
    return [tensor_shape.TensorShape([]) for _ in op._outputs]


def out(op):
    """The single output of an Operation (wrappers return tensors, not ops)."""
    return op._outputs[0]
