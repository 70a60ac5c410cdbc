"""Placeholder package object for `tensorflow.python[.framework|.ops|.platform]` paths.

Only its submodules listed in the runner's alias table are importable; attribute access to
the common names goes to the tf namespace.
"""
import tensorweave as _tw


def __getattr__(name):
    return getattr(_tw, name)
