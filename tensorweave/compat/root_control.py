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
from tensorweave.ops.logging_ops import Assert as Assert
from tensorweave.ops.logging_ops import Print as Print
from tensorweave.ops.logging_ops import add_check_numerics_ops as add_check_numerics_ops
from tensorweave.ops.logging_ops import assert_equal as assert_equal
from tensorweave.ops.logging_ops import assert_greater as assert_greater
from tensorweave.ops.logging_ops import assert_greater_equal as assert_greater_equal
from tensorweave.ops.logging_ops import assert_integer as assert_integer
from tensorweave.ops.logging_ops import assert_less as assert_less
from tensorweave.ops.logging_ops import assert_less_equal as assert_less_equal
from tensorweave.ops.logging_ops import assert_negative as assert_negative
from tensorweave.ops.logging_ops import assert_non_negative as assert_non_negative
from tensorweave.ops.logging_ops import assert_non_positive as assert_non_positive
from tensorweave.ops.logging_ops import assert_none_equal as assert_none_equal
from tensorweave.ops.logging_ops import assert_positive as assert_positive
from tensorweave.ops.logging_ops import assert_rank as assert_rank
from tensorweave.ops.logging_ops import assert_rank_at_least as assert_rank_at_least
from tensorweave.ops.logging_ops import assert_scalar as assert_scalar
from tensorweave.ops.logging_ops import assert_type as assert_type
from tensorweave.ops.logging_ops import check_numerics as check_numerics
from tensorweave.ops.logging_ops import print_v2 as print  # noqa: A004,F401
from tensorweave.ops.logging_ops import verify_tensor_all_finite as verify_tensor_all_finite
from tensorweave.ops.script_ops import numpy_function as numpy_function
from tensorweave.ops.script_ops import py_func as py_func
from tensorweave.ops.script_ops import py_function as py_function
from tensorweave.ops.control_flow_ops import TensorArray as TensorArray
