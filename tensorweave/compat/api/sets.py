"""tf.sets (re-exports only)."""
