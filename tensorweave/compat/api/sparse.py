"""tf.sparse (re-exports only)."""
from tensorweave.ops.indexing import SparseTensor as SparseTensor
from tensorweave.ops.indexing import SparseTensorValue as SparseTensorValue
from tensorweave.ops.indexing import sparse_tensor_to_dense as to_dense  # noqa: F401
from tensorweave.ops.indexing import sparse_placeholder as placeholder  # noqa: F401
