"""tf.losses (re-exports only)."""
