"""tf.saved_model (re-exports only)."""
