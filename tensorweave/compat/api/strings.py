"""tf.strings (re-exports only)."""
