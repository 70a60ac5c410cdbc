"""tf.sysconfig (re-exports only)."""
