"""tf.data: datasets and iterators (graph side in dataset.py, run time in runtime.py)."""
