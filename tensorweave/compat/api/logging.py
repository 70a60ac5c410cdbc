"""tf.logging (re-exports only)."""
