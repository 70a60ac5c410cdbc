"""tf.distribute (re-exports only)."""
