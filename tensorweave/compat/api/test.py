"""tf.test: the gradient checker and TestCase helpers old TF1 test code uses."""
import contextlib
import os
import tempfile
import unittest

import numpy as np

from tensorweave.training.gradient_checker import compute_gradient as compute_gradient
from tensorweave.training.gradient_checker import \
    compute_gradient_error as compute_gradient_error


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    return False


def gpu_device_name():
    return ""


def is_built_with_cuda():
    return False


def get_temp_dir():
    d = os.path.join(tempfile.gettempdir(), "tensorweave_test")
    os.makedirs(d, exist_ok=True)
    return d


def main(argv=None):
    unittest.main(argv=argv)


class TestCase(unittest.TestCase):
    """A subset of tf.test.TestCase: sessions on a fresh graph and array assertions."""

    def setUp(self):
        from tensorweave.framework import graph as graph_lib

        graph_lib.reset_default_graph()

    @contextlib.contextmanager
    def test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        from tensorweave.framework import graph as graph_lib
        from tensorweave.runtime.session import Session

        g = graph if graph is not None else graph_lib.get_default_graph()
        with g.as_default(), Session(graph=g, config=config) as sess:
            yield sess

    session = test_session
    cached_session = test_session

    def get_temp_dir(self):
        return tempfile.mkdtemp(dir=get_temp_dir())

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=msg or "")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=msg or "")

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        self.assertEqual(list(np_array.shape), tf_tensor.get_shape().as_list(), msg)

    def evaluate(self, tensors):
        from tensorweave.runtime.session import get_default_session

        return get_default_session().run(tensors)
