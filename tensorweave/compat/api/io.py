"""tf.io (re-exports only)."""
