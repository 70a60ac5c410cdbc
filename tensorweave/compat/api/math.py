"""tf.math (re-exports only)."""
