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
    for name in registry.registered_ops():
        assert name in registry._GRADIENTS, name


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
