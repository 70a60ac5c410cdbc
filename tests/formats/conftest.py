"""Fixtures for the file-format tests: paths of the files real TensorFlow wrote."""
import json
import os

import pytest

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                        "tf_fixtures")


@pytest.fixture
def tf_fixtures():
    """Directory of tests/data/tf_fixtures (see its README.md)."""
    return FIXTURES


@pytest.fixture
def load_expected():
    """Returns a loader of `<fixture dir>/expected.json` for a fixture sub-directory."""

    def load(sub):
        with open(os.path.join(FIXTURES, sub, "expected.json")) as f:
            return json.load(f)

    return load
