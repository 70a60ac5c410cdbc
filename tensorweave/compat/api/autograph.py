"""tf.autograph (re-exports only)."""
