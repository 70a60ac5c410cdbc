"""tf.keras (re-exports only)."""
