"""Top-level tf.* names (re-exports only)."""
