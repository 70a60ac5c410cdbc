"""tf.lite (re-exports only)."""
