"""tf.resource_loader (re-exports only)."""
