"""tf.bitwise (re-exports only)."""
