"""tf.keras.datasets (local files only)."""
from tensorweave.keras.datasets import mnist as mnist
