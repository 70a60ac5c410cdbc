"""tf.python_io (re-exports only)."""
