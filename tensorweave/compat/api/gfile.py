"""tf.gfile (re-exports only)."""
