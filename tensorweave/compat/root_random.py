"""Top-level tf.* names (re-exports only)."""
from tensorweave.ops.random_ops import get_seed as get_seed
from tensorweave.ops.random_ops import multinomial as multinomial
from tensorweave.ops.random_ops import random_crop as random_crop
from tensorweave.ops.random_ops import random_gamma as random_gamma
from tensorweave.ops.random_ops import random_normal as random_normal
from tensorweave.ops.random_ops import random_shuffle as random_shuffle
from tensorweave.ops.random_ops import random_uniform as random_uniform
from tensorweave.ops.random_ops import set_random_seed as set_random_seed
from tensorweave.ops.random_ops import truncated_normal as truncated_normal
