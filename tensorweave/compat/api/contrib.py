"""tf.contrib (re-exports only)."""
