"""tf.estimator (re-exports only)."""
