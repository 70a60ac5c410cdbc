"""tf.user_ops (re-exports only)."""
