"""Top-level tf.* names (re-exports only)."""
from tensorweave.framework.graph_io import import_graph_def as import_graph_def
