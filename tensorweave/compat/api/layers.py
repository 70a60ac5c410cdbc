"""tf.layers (re-exports only)."""
