"""tf.linalg (re-exports only)."""
from tensorweave.ops.array_ops import matrix_transpose as matrix_transpose
from tensorweave.ops.array_ops import matrix_transpose as transpose  # noqa: F401
from tensorweave.ops.math_ops import cholesky as cholesky
from tensorweave.ops.math_ops import einsum as einsum
from tensorweave.ops.math_ops import eye as eye
from tensorweave.ops.math_ops import log_matrix_determinant as slogdet  # noqa: F401
from tensorweave.ops.math_ops import logdet as logdet
from tensorweave.ops.math_ops import matmul as matmul
from tensorweave.ops.math_ops import matrix_band_part as band_part  # noqa: F401
from tensorweave.ops.math_ops import matrix_determinant as det  # noqa: F401
from tensorweave.ops.math_ops import matrix_diag as diag  # noqa: F401
from tensorweave.ops.math_ops import matrix_diag_part as diag_part  # noqa: F401
from tensorweave.ops.math_ops import matrix_inverse as inv  # noqa: F401
from tensorweave.ops.math_ops import matrix_solve as solve  # noqa: F401
from tensorweave.ops.math_ops import matrix_triangular_solve as triangular_solve  # noqa: F401
from tensorweave.ops.math_ops import norm as norm
from tensorweave.ops.math_ops import tensordot as tensordot
from tensorweave.ops.math_ops import trace as trace
from tensorweave.ops.nn_ops import l2_normalize as l2_normalize
