"""tf.manip (re-exports only)."""
