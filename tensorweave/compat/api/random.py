"""tf.random (re-exports only)."""
from tensorweave.ops.random_ops import categorical as categorical
from tensorweave.ops.random_ops import get_seed as get_seed
from tensorweave.ops.random_ops import multinomial as multinomial
from tensorweave.ops.random_ops import random_gamma as gamma
from tensorweave.ops.random_ops import random_normal as normal
from tensorweave.ops.random_ops import random_shuffle as shuffle
from tensorweave.ops.random_ops import random_uniform as uniform
from tensorweave.ops.random_ops import set_random_seed as set_random_seed
from tensorweave.ops.random_ops import truncated_normal as truncated_normal
