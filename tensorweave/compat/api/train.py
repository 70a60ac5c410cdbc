"""tf.train (re-exports only)."""
