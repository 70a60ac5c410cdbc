"""tf.graph_util (re-exports only)."""
