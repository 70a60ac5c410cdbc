"""Top-level tf.* names of array ops (re-exports only)."""
from tensorweave.ops.array_ops import constant as constant
from tensorweave.ops.array_ops import identity as identity
from tensorweave.ops.array_ops import no_op as no_op
from tensorweave.ops.array_ops import placeholder as placeholder
from tensorweave.ops.array_ops import placeholder_with_default as placeholder_with_default
