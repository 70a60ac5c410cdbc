"""tf.sparse (re-exports only)."""
