"""tf.flags (re-exports only)."""
