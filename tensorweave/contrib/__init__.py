"""tf.contrib: the TF1 contrib modules old programs import (layers, slim, framework, ...)."""
import importlib as _importlib

from tensorweave.contrib import framework as framework
from tensorweave.contrib import keras as keras
from tensorweave.contrib import layers as layers
from tensorweave.contrib import losses as losses
from tensorweave.contrib import slim as slim

try:  # NOTE: contrib/tensorboard (projector) is maintained separately; optional here.
    tensorboard = _importlib.import_module("tensorweave.contrib.tensorboard")
except ImportError:  # pragma: no cover - absent until that module lands
    pass
try:
    learn = _importlib.import_module("tensorweave.contrib.learn")
except ImportError:  # pragma: no cover
    pass
