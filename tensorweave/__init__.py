"""tensorweave: TensorFlow 1.x graph programs on modern Python.

`import tensorweave as tf` gives the TF1 (`tensorflow.compat.v1`) namespace.
"""
import sys as _sys

from tensorweave.compat.root_framework import *  # noqa: F401,F403
from tensorweave.compat.root_array import *  # noqa: F401,F403
from tensorweave.compat.root_math import *  # noqa: F401,F403
from tensorweave.compat.root_state import *  # noqa: F401,F403
from tensorweave.compat.root_control import *  # noqa: F401,F403
from tensorweave.compat.root_nn import *  # noqa: F401,F403
from tensorweave.compat.root_random import *  # noqa: F401,F403
from tensorweave.compat.root_train import *  # noqa: F401,F403
from tensorweave.compat.root_summary import *  # noqa: F401,F403
from tensorweave.compat.root_data import *  # noqa: F401,F403
from tensorweave.compat.root_io import *  # noqa: F401,F403
from tensorweave.compat.root_misc import *  # noqa: F401,F403
from tensorweave.compat import api as _api
from tensorweave.compat.api import (  # noqa: F401
    app, autograph, bitwise, contrib, data, debugging, distribute, errors, estimator, flags, gfile,
    graph_util, image, initializers, io, keras, layers, linalg, lite, logging, losses, manip,
    math, metrics, nn, profiler, python_io, random, resource_loader, saved_model, sets, sparse,
    spectral, strings, summary, sysconfig, test, train, user_ops)

__version__ = "1.15.5"
VERSION = __version__
GIT_VERSION = "tensorweave"
COMPILER_VERSION = "tensorweave"
GRAPH_DEF_VERSION = 27
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

for _name in list(vars(_api)):
    _mod = getattr(_api, _name)
    if type(_mod) is type(_sys) and _mod.__name__.startswith("tensorweave.compat.api."):
        _sys.modules.setdefault("tensorweave." + _name, _mod)


class _Compat:
    """tf.compat: v1 is tensorweave itself; as_bytes/as_text helpers."""

    @staticmethod
    def as_bytes(bytes_or_text, encoding="utf-8"):
        if isinstance(bytes_or_text, str):
            return bytes_or_text.encode(encoding)
        return bytes(bytes_or_text)

    @staticmethod
    def as_text(bytes_or_text, encoding="utf-8"):
        if isinstance(bytes_or_text, bytes):
            return bytes_or_text.decode(encoding)
        return str(bytes_or_text)

    as_str = as_text
    as_str_any = staticmethod(lambda v: v.decode() if isinstance(v, bytes) else str(v))


compat = _Compat()
compat.v1 = _sys.modules[__name__]
compat.v2 = _sys.modules[__name__]
del _name, _mod
