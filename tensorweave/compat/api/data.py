"""tf.data (re-exports only)."""
