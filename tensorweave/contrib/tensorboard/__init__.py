"""tf.contrib.tensorboard: TensorBoard plugin helpers (the embedding projector)."""
from tensorweave.contrib.tensorboard import plugins as plugins
