"""tf.data.experimental (re-exports only)."""
from tensorweave.data.dataset import AUTOTUNE as AUTOTUNE
from tensorweave.data.dataset import map_and_batch as map_and_batch
from tensorweave.data.dataset import parallel_interleave as parallel_interleave
from tensorweave.data.dataset import shuffle_and_repeat as shuffle_and_repeat
from tensorweave.data.dataset import unbatch as unbatch
