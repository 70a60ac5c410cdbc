"""Top-level tf.* names (re-exports only)."""
from tensorweave.ops.nn_ops import (
    batch_norm_with_global_normalization as batch_norm_with_global_normalization,
)
from tensorweave.ops.nn_ops import l2_normalize as l2_normalize
