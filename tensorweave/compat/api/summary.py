"""tf.summary (re-exports only)."""
