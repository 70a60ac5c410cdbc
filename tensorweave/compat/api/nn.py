"""tf.nn (re-exports only)."""
