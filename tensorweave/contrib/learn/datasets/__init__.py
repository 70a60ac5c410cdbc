"""tf.contrib.learn.datasets: mnist (tensorflow.examples.tutorials.mnist's reader)."""
import importlib as _importlib

try:
    mnist = _importlib.import_module("tensorweave.examples.tutorials.mnist.input_data")
except ImportError:  # pragma: no cover
    pass
