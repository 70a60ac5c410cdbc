"""tf.profiler (re-exports only)."""
