"""tf.image (re-exports only)."""
