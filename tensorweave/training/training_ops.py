"""TF's training ops (ApplyGradientDescent, ApplyAdam, ...): in-place variable updates.

Each op takes its variable and slots as reference inputs; the kernel factory resolves their
names once at plan time and updates the session's arrays in place (no per-step allocation of
the variable), returning the updated variable.
"""
import numpy as np

from tensorweave import native
from tensorweave.framework import registry
from tensorweave.framework.registry import TYPE, out, register_op
from tensorweave.runtime.executor import var_name_of_ref


def _same_shape(op):
    return [op.inputs[0].shape]


def _uninit(op, name):
    from tensorweave.framework import errors

    return errors.FailedPreconditionError(
        None, op, "Attempting to use uninitialized value %s (updated by %s). Run the variable "
        "initializer (tf.global_variables_initializer()) after building the optimizer, since "
        "minimize() creates slot variables." % (name, op.name))


def _factory(update, n_refs):
    """Builds a kernel_factory from update(refs_arrays..., *dense_inputs, **attrs)."""

    def factory(op, state):
        names = [var_name_of_ref(op.inputs[i]) for i in range(n_refs)]
        store = state.variables
        attrs = {k: v for k, v in op._attrs.items() if k in ("use_nesterov", "update_slots")}

        def kernel(*args):
            try:
                refs = [store[n] for n in names]
            except KeyError as e:
                raise _uninit(op, e.args[0]) from None
            update(*refs, *args[n_refs:], **attrs)
            return refs[0]

        return kernel

    return factory


def _register(op_type, ref_names, dense_names, update, extra_attrs=None, sparse=False):
    inputs = ["%s: Ref(T)" % n for n in ref_names] + [
        ("%s: Tindices" % n) if n == "indices" else ("%s: T" % n) for n in dense_names]
    attrs = {"T": TYPE, "use_locking": False}
    if sparse:
        attrs["Tindices"] = TYPE
    attrs.update(extra_attrs or {})
    register_op(op_type, inputs=inputs, outputs=["out: Ref(T)"], attrs=attrs,
                shape_fn=_same_shape, kernel_factory=_factory(update, len(ref_names)),
                stateful=True)


def _c(x, like):
    # NOTE: scalar hyper-parameters arrive as 0-d arrays; keep the variable's dtype.
    return like.dtype.type(x)


# ------------------------------------------------------------------ native fast path
# tensorweave.native._train updates the variable and slots in one pass, in place, with the
# NumPy formulas' operations in their order (bitwise the same results).  It takes float32 /
# float64 C-contiguous arrays of one shape and dtype that do not overlap; anything else runs
# the NumPy formula below.
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _native():
    return native.load("_train")


def _native_ok(refs, grad):
    """The native module when `refs` (variable first, then slots) and `grad` qualify."""
    mod = _native()
    var = refs[0]
    if mod is None or var.dtype not in _FLOATS or not var.flags.c_contiguous:
        return None
    if not (isinstance(grad, np.ndarray) and grad.dtype == var.dtype and
            grad.shape == var.shape and grad.flags.c_contiguous):
        return None
    for i, r in enumerate(refs):
        if i and not (r.dtype == var.dtype and r.shape == var.shape and r.flags.c_contiguous):
            return None
        if not r.flags.writeable or np.may_share_memory(r, grad):
            return None
        for q in refs[:i]:
            if np.may_share_memory(r, q):
                return None
    return mod


def _scalar(x, like):
    return float(_c(x, like))


# ------------------------------------------------------------------ dense updates
# Variables at least this big update in blocks over the intra-op threads (when the machine
# has a core to spare): one pass over a 784x500 float32 weight and its gradient is memory
# bound (~0.1 ms); blocks split it, each element's arithmetic stays the same.
_PAR_MIN_ELEMS = 1 << 17
_PAR_BLOCK = 1 << 16


def _gd(var, alpha, delta):
    mod = _native_ok((var,), delta)
    if mod is not None and np.ndim(alpha) == 0:
        a, is64 = _scalar(alpha, var), var.dtype.itemsize == 8
        if var.size >= _PAR_MIN_ELEMS:
            from tensorweave.kernels import conv
            from tensorweave.runtime import devices

            intra = devices._intra()
            nblocks = var.size // _PAR_BLOCK  # the last block takes the rest
            if intra is not None and nblocks > 1:
                t = conv._threads_for(1 << 30, nblocks)
                if t > 1 and not (conv._AUTO and conv._LOAD.get("saturated")):
                    intra.gd(var, delta, a, is64, _PAR_BLOCK, nblocks, t)
                    return
        mod.gd(var, delta, a, is64)
        return
    var -= _c(alpha, var) * delta


def _momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    m = _c(momentum, var)
    mod = _native_ok((var, accum), grad)
    if mod is not None and np.ndim(lr) == 0 and np.ndim(momentum) == 0:
        lr_ = _c(lr, var)
        mod.momentum(var, accum, grad, float(lr_), float(m), float(m * lr_),
                     bool(use_nesterov), var.dtype.itemsize == 8)
        return
    accum *= m
    accum += grad
    if use_nesterov:
        var -= grad * _c(lr, var) + accum * (m * _c(lr, var))
    else:
        var -= _c(lr, var) * accum


def _adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
          use_nesterov=False):
    b1, b2 = _c(beta1, var), _c(beta2, var)
    lr_t = _c(lr, var) * np.sqrt(1 - _c(beta2_power, var)) / (1 - _c(beta1_power, var))
    mod = _native_ok((var, m, v), grad)
    if mod is not None and all(np.ndim(x) == 0 for x in (lr_t, b1, b2, epsilon)):
        mod.adam(var, m, v, grad, float(lr_t), float(b1), float(1 - b1), float(1 - b2),
                 _scalar(epsilon, var), bool(use_nesterov), var.dtype.itemsize == 8)
        return
    m += (grad - m) * (1 - b1)
    v += (grad * grad - v) * (1 - b2)
    if use_nesterov:
        var -= lr_t * (m * b1 + (1 - b1) * grad) / (np.sqrt(v) + _c(epsilon, var))
    else:
        var -= lr_t * m / (np.sqrt(v) + _c(epsilon, var))


def _adagrad(var, accum, lr, grad, update_slots=True):
    mod = _native_ok((var, accum), grad)
    if mod is not None and np.ndim(lr) == 0:
        mod.adagrad(var, accum, grad, _scalar(lr, var), bool(update_slots),
                    var.dtype.itemsize == 8)
        return
    if update_slots:
        accum += grad * grad
    var -= _c(lr, var) * grad / np.sqrt(accum)


def _adadelta(var, accum, accum_update, lr, rho, epsilon, grad):
    r, e = _c(rho, var), _c(epsilon, var)
    accum *= r
    accum += (1 - r) * grad * grad
    update = np.sqrt(accum_update + e) / np.sqrt(accum + e) * grad
    accum_update *= r
    accum_update += (1 - r) * update * update
    var -= _c(lr, var) * update


def _rmsprop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    r = _c(rho, var)
    mod = _native_ok((var, ms, mom), grad)
    if mod is not None and all(np.ndim(x) == 0 for x in (lr, r, momentum, epsilon)):
        mod.rmsprop(var, ms, mom, grad, _scalar(lr, var), float(r), float(1 - r),
                    _scalar(momentum, var), _scalar(epsilon, var), var.dtype.itemsize == 8)
        return
    ms *= r
    ms += (1 - r) * grad * grad
    mom *= _c(momentum, var)
    mom += _c(lr, var) * grad / np.sqrt(ms + _c(epsilon, var))
    var -= mom


def _centered_rmsprop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    r = _c(rho, var)
    ms *= r
    ms += (1 - r) * grad * grad
    mg *= r
    mg += (1 - r) * grad
    mom *= _c(momentum, var)
    mom += _c(lr, var) * grad / np.sqrt(ms - mg * mg + _c(epsilon, var))
    var -= mom


def _ftrl_core(var, accum, linear, grad, shrunk, lr, l1, l2, lr_power):
    lr, l1, l2, p = _c(lr, var), _c(l1, var), _c(l2, var), _c(lr_power, var)
    accum_new = accum + grad * grad
    if p == -0.5:
        sigma = (np.sqrt(accum_new) - np.sqrt(accum)) / lr
        quadratic = np.sqrt(accum_new) / lr + 2 * l2
    else:
        sigma = (accum_new ** -p - accum ** -p) / lr
        quadratic = accum_new ** -p / lr + 2 * l2
    linear += shrunk - sigma * var
    new_var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0)
    var[...] = new_var
    accum[...] = accum_new


def _ftrl(var, accum, linear, grad, lr, l1, l2, lr_power):
    _ftrl_core(var, accum, linear, grad, grad, lr, l1, l2, lr_power)


def _ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power):
    shrunk = grad + 2 * _c(l2_shrinkage, var) * var
    _ftrl_core(var, accum, linear, grad, shrunk, lr, l1, l2, lr_power)


def _prox(var, prox_v, lr, l1, l2):
    if l1 > 0:
        var[...] = np.sign(prox_v) * np.maximum(np.abs(prox_v) - lr * l1, 0) / (1 + lr * l2)
    else:
        var[...] = prox_v / (1 + lr * l2)


def _proximal_gd(var, alpha, l1, l2, delta):
    a = _c(alpha, var)
    _prox(var, var - a * delta, a, _c(l1, var), _c(l2, var))


def _proximal_adagrad(var, accum, lr, l1, l2, grad):
    accum += grad * grad
    lr_eff = _c(lr, var) / np.sqrt(accum)
    _prox(var, var - lr_eff * grad, lr_eff, _c(l1, var), _c(l2, var))


def _adagrad_da(var, gacc, gsq, grad, lr, l1, l2, global_step):
    gacc += grad
    gsq += grad * grad
    lr, l1, l2 = _c(lr, var), _c(l1, var), _c(l2, var)
    step = var.dtype.type(global_step)
    denom = l2 * step * lr + np.sqrt(gsq)
    if l1 > 0:
        var[...] = np.sign(-gacc) * np.maximum(np.abs(gacc) - l1 * step, 0) * lr / denom
    else:
        var[...] = -gacc * lr / denom


_register("ApplyGradientDescent", ["var"], ["alpha", "delta"], _gd)
_register("ApplyMomentum", ["var", "accum"], ["lr", "grad", "momentum"], _momentum,
          {"use_nesterov": False})
_register("ApplyAdam", ["var", "m", "v"],
          ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"], _adam,
          {"use_nesterov": False})
_register("ApplyAdagrad", ["var", "accum"], ["lr", "grad"], _adagrad, {"update_slots": True})
_register("ApplyAdadelta", ["var", "accum", "accum_update"], ["lr", "rho", "epsilon", "grad"],
          _adadelta)
_register("ApplyRMSProp", ["var", "ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"],
          _rmsprop)
_register("ApplyCenteredRMSProp", ["var", "mg", "ms", "mom"],
          ["lr", "rho", "momentum", "epsilon", "grad"], _centered_rmsprop)
_register("ApplyFtrl", ["var", "accum", "linear"], ["grad", "lr", "l1", "l2", "lr_power"],
          _ftrl, {"multiply_linear_by_lr": False})
_register("ApplyFtrlV2", ["var", "accum", "linear"],
          ["grad", "lr", "l1", "l2", "l2_shrinkage", "lr_power"], _ftrl_v2,
          {"multiply_linear_by_lr": False})
_register("ApplyProximalGradientDescent", ["var"], ["alpha", "l1", "l2", "delta"],
          _proximal_gd)
_register("ApplyProximalAdagrad", ["var", "accum"], ["lr", "l1", "l2", "grad"],
          _proximal_adagrad)
register_op(
    "ApplyAdagradDA",
    inputs=["var: Ref(T)", "gradient_accumulator: Ref(T)",
            "gradient_squared_accumulator: Ref(T)", "grad: T", "lr: T", "l1: T", "l2: T",
            "global_step: int64"],
    outputs=["out: Ref(T)"], attrs={"T": TYPE, "use_locking": False}, shape_fn=_same_shape,
    kernel_factory=_factory(_adagrad_da, 3), stateful=True)


# ----------------------------------------------------------------- sparse updates
def _sparse_factory(update, arg_names, n_refs, rename):
    """Applies the dense update to the rows named by `indices`, binding inputs by TF name."""

    def factory(op, state):
        names = [var_name_of_ref(op.inputs[i]) for i in range(n_refs)]
        store = state.variables
        attrs = {k: v for k, v in op._attrs.items() if k in ("use_nesterov", "update_slots")}
        dense_names = [rename.get(n, n) for n in arg_names[n_refs:]]

        def kernel(*args):
            try:
                refs = [store[n] for n in names]
            except KeyError as e:
                raise _uninit(op, e.args[0]) from None
            kw = dict(zip(dense_names, args[n_refs:]))
            indices = kw.pop("indices")
            if indices.size and (indices.min() < 0 or indices.max() >= refs[0].shape[0]):
                raise IndexError("indices[%s] out of range in %s: must be in [0, %d)" % (
                    indices.tolist(), op.name, refs[0].shape[0]))
            # NOTE: the optimizer merged duplicate indices first, as TF requires.
            rows = [r[indices] for r in refs]
            update(*rows, **kw, **attrs)
            for r, new in zip(refs, rows):
                r[indices] = new
            return refs[0]

        return kernel

    return factory


def _register_sparse(op_type, arg_names, n_refs, update, extra_attrs=None, rename=None):
    inputs = []
    for i, n in enumerate(arg_names):
        if i < n_refs:
            inputs.append("%s: Ref(T)" % n)
        elif n == "indices":
            inputs.append("indices: Tindices")
        elif n == "global_step":
            inputs.append("global_step: int64")
        else:
            inputs.append("%s: T" % n)
    attrs = {"T": TYPE, "Tindices": TYPE, "use_locking": False}
    attrs.update(extra_attrs or {})
    register_op(op_type, inputs=inputs, outputs=["out: Ref(T)"], attrs=attrs,
                shape_fn=_same_shape, stateful=True,
                kernel_factory=_sparse_factory(update, arg_names, n_refs, rename or {}))


_register_sparse("SparseApplyMomentum",
                 ["var", "accum", "lr", "grad", "indices", "momentum"], 2, _momentum,
                 {"use_nesterov": False})
_register_sparse("SparseApplyAdagrad", ["var", "accum", "lr", "grad", "indices"], 2, _adagrad,
                 {"update_slots": True})
_register_sparse("SparseApplyAdadelta",
                 ["var", "accum", "accum_update", "lr", "rho", "epsilon", "grad", "indices"], 3,
                 _adadelta)
_register_sparse("SparseApplyRMSProp",
                 ["var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices"], 3,
                 _rmsprop)
_register_sparse("SparseApplyCenteredRMSProp",
                 ["var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad",
                  "indices"], 4, _centered_rmsprop)
_register_sparse("SparseApplyFtrl",
                 ["var", "accum", "linear", "grad", "indices", "lr", "l1", "l2", "lr_power"], 3,
                 _ftrl, {"multiply_linear_by_lr": False})
_register_sparse("SparseApplyAdagradDA",
                 ["var", "gradient_accumulator", "gradient_squared_accumulator", "grad",
                  "indices", "lr", "l1", "l2", "global_step"], 3,
                 lambda var, gacc, gsq, **kw: _adagrad_da(var, gacc, gsq, **kw))
_register_sparse("SparseApplyFtrlV2",
                 ["var", "accum", "linear", "grad", "indices", "lr", "l1", "l2", "l2_shrinkage",
                  "lr_power"], 3, _ftrl_v2, {"multiply_linear_by_lr": False})
_register_sparse("SparseApplyProximalAdagrad",
                 ["var", "accum", "lr", "l1", "l2", "grad", "indices"], 2, _proximal_adagrad)
_register_sparse("SparseApplyProximalGradientDescent",
                 ["var", "alpha", "l1", "l2", "grad", "indices"], 1, _proximal_gd,
                 rename={"grad": "delta"})


def apply_op(op_type, inputs, name=None, **attrs):
    return out(registry.apply_op(op_type, inputs, name=name, **attrs))
