"""tf.contrib (re-exports only)."""
from tensorweave.contrib import tensorboard as tensorboard
