"""tensorflow.examples.tutorials.mnist: the TF1 tutorial MNIST reader."""
from tensorweave.examples.tutorials.mnist import input_data as input_data  # noqa: F401
