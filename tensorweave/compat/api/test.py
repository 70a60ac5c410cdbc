"""tf.test (re-exports only)."""
