"""tf.metrics (re-exports only)."""
