"""TF1 tf.layers: Layer base class, core/conv/pooling/normalization layers."""
from tensorweave.layers.base import InputSpec as InputSpec
from tensorweave.layers.base import Layer as Layer
from tensorweave.layers.convolutional import *
from tensorweave.layers.core import Dense as Dense
from tensorweave.layers.core import Dropout as Dropout
from tensorweave.layers.core import Flatten as Flatten
from tensorweave.layers.core import dense as dense
from tensorweave.layers.core import dropout as dropout
from tensorweave.layers.core import flatten as flatten
from tensorweave.layers.normalization import BatchNormalization as BatchNormalization
from tensorweave.layers.normalization import batch_normalization as batch_normalization
from tensorweave.layers.pooling import *
