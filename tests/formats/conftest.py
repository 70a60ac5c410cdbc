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


def load_expected(sub):
    with open(os.path.join(FIXTURES, sub, "expected.json")) as f:
        return json.load(f)
