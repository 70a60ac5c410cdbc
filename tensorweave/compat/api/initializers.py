"""tf.initializers (re-exports only)."""
