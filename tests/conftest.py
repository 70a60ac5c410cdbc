"""Shared test fixtures: every test starts with a fresh default graph."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

SHARED = os.path.join(os.path.dirname(ROOT), "shared")


@pytest.fixture(autouse=True)
def _fresh_default_graph():
    import tensorweave as tf

    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def pytest_collection_modifyitems(config, items):
    from tests.known_differences import KNOWN

    for item in items:
        rel = os.path.relpath(str(item.path), ROOT).replace(os.sep, "/")
        reason = KNOWN.get("%s::%s" % (rel, item.name))
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
