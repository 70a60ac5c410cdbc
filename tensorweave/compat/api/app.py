"""tf.app (re-exports only)."""
