"""tf.contrib.keras: the same module as tf.keras."""
from tensorweave.keras import *
from tensorweave.keras import activations as activations
from tensorweave.keras import backend as backend
from tensorweave.keras import datasets as datasets
from tensorweave.keras import initializers as initializers
from tensorweave.keras import layers as layers
from tensorweave.keras import losses as losses
from tensorweave.keras import models as models
from tensorweave.keras import optimizers as optimizers
from tensorweave.keras import regularizers as regularizers
from tensorweave.keras import utils as utils
