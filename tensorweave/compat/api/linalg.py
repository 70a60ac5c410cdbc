"""tf.linalg (re-exports only)."""
