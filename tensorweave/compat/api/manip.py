"""tf.manip (re-exports only)."""
from tensorweave.ops.array_ops import reshape as reshape
from tensorweave.ops.array_ops import reverse as reverse
from tensorweave.ops.array_ops import roll as roll
from tensorweave.ops.array_ops import space_to_batch_nd as space_to_batch_nd
from tensorweave.ops.array_ops import tile as tile
from tensorweave.ops.array_ops import batch_to_space_nd as batch_to_space_nd
from tensorweave.ops.indexing import gather_nd as gather_nd
from tensorweave.ops.indexing import scatter_nd as scatter_nd
