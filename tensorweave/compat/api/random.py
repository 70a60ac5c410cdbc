"""tf.random (re-exports only)."""
