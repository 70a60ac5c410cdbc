"""Top-level tf.* names (re-exports only)."""
from tensorweave.ops.control_flow_ops import case as case
from tensorweave.ops.control_flow_ops import cond as cond
from tensorweave.ops.control_flow_ops import foldl as foldl
from tensorweave.ops.control_flow_ops import foldr as foldr
from tensorweave.ops.control_flow_ops import group as group
from tensorweave.ops.control_flow_ops import identity_n as identity_n
from tensorweave.ops.control_flow_ops import map_fn as map_fn
from tensorweave.ops.control_flow_ops import scan as scan
from tensorweave.ops.control_flow_ops import tuple as tuple  # noqa: A004
from tensorweave.ops.control_flow_ops import while_loop as while_loop
