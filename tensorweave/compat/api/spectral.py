"""tf.spectral (re-exports only)."""
