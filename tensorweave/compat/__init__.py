"""The TF1 namespace (`tensorweave/__init__.py` re-exports from here) and the legacy runner."""
