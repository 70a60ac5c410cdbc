"""tf.keras for TF1 graph-mode programs (also `import keras` under `tensorweave run`)."""
from tensorweave.keras import activations as activations
from tensorweave.keras import backend as backend
from tensorweave.keras import callbacks as callbacks
from tensorweave.keras import datasets as datasets
from tensorweave.keras import initializers as initializers
from tensorweave.keras import layers as layers
from tensorweave.keras import losses as losses
from tensorweave.keras import models as models
from tensorweave.keras import optimizers as optimizers
from tensorweave.keras import regularizers as regularizers
from tensorweave.keras import utils as utils
from tensorweave.keras.layers import Input as Input
from tensorweave.keras.models import Model as Model
from tensorweave.keras.models import Sequential as Sequential

__version__ = "2.2.4-tf"
