"""Every registered op type is complete: TF arg specs, a shape function, a kernel, a gradient
decision (a function or the explicit NotDifferentiable marker)."""
import tensorweave  # noqa: F401 - registers every op domain
from tensorweave.framework import registry


def test_every_opdef_has_shape_fn_and_kernel():
    missing = []
    for name, opdef in sorted(registry.registered_ops().items()):
        if opdef.shape_fn is None:
            missing.append("%s: no shape function" % name)
        if opdef.kernel is None and opdef.kernel_factory is None:
            missing.append("%s: no kernel" % name)
    assert not missing, "\n".join(missing)


def test_gradient_decisions_are_explicit():
    # NOTE: a registered type always has an entry in the gradient table (a function or None,
    # TF's NotDifferentiable); only types never registered raise LookupError.
    import inspect

    bad = []
    for name in registry.registered_ops():
        assert name in registry._GRADIENTS, name
        fn = registry._GRADIENTS[name]
        if fn is None:
            continue
        # TF's signature: fn(op, grad) or fn(op, *grads) for multi-output ops.
        params = list(inspect.signature(fn).parameters.values())
        varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        if not callable(fn) or (len(params) < 2 and not varargs):
            bad.append("%s: gradient %r does not take (op, grad)" % (name, fn))
    assert not bad, "\n".join(bad)


def test_registering_twice_is_an_error():
    import pytest

    with pytest.raises(KeyError):
        registry.register_op("MatMul")


def test_register_gradient_twice_is_an_error():
    import pytest

    @registry.RegisterGradient("TwTestOnlyGrad")
    def _g(op, grad):
        return grad

    with pytest.raises(KeyError, match="Registering two gradient"):
        registry.RegisterGradient("TwTestOnlyGrad")(_g)
