"""TF2-migration switches that compat.v1 scripts call. tensorweave always runs TF1 graph mode,
so the disabling switches are no-ops and the enabling ones say clearly that they cannot apply."""


def disable_eager_execution():
    """No-op: graph mode is the only mode."""


def disable_v2_behavior():
    """No-op: TF1 behaviour is the only behaviour."""


def disable_control_flow_v2():
    """No-op kept for scripts that call it."""


def disable_resource_variables():
    """No-op: variables are TF1 reference variables."""


def disable_tensor_equality():
    """No-op: tensors compare by identity, as in TF1."""


def disable_v2_tensorshape():
    """No-op: shapes behave as TF1's TensorShape (dims are Dimension objects)."""


def executing_eagerly():
    return False


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    raise NotImplementedError(
        "tensorweave runs TF1 graph programs only: eager execution is not available. Remove "
        "tf.enable_eager_execution() and use tf.Session().run(...) as TF1 code does.")


def enable_v2_behavior():
    raise NotImplementedError("tensorweave implements TF1 (tensorflow.compat.v1) behaviour only.")
