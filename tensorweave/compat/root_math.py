"""Top-level tf.* names of math ops (re-exports only)."""
from tensorweave.ops.math_ops import add as add
from tensorweave.ops.math_ops import matmul as matmul
from tensorweave.ops.math_ops import multiply as multiply
from tensorweave.ops.math_ops import subtract as subtract
from tensorweave.ops.math_ops import truediv as truediv
