"""Top-level tf.* names for TF2-migration switches (re-exports only)."""
from tensorweave.compat.modes import disable_control_flow_v2 as disable_control_flow_v2
from tensorweave.compat.modes import disable_eager_execution as disable_eager_execution
from tensorweave.compat.modes import disable_resource_variables as disable_resource_variables
from tensorweave.compat.modes import disable_tensor_equality as disable_tensor_equality
from tensorweave.compat.modes import disable_v2_behavior as disable_v2_behavior
from tensorweave.compat.modes import disable_v2_tensorshape as disable_v2_tensorshape
from tensorweave.compat.modes import enable_eager_execution as enable_eager_execution
from tensorweave.compat.modes import enable_v2_behavior as enable_v2_behavior
from tensorweave.compat.modes import executing_eagerly as executing_eagerly
