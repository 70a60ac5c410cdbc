"""tf.keras for TF1 graph-mode programs (also `import keras` under `tensorweave run`)."""
from tensorweave.keras import activations as activations  # noqa: F401
from tensorweave.keras import backend as backend  # noqa: F401
from tensorweave.keras import callbacks as callbacks  # noqa: F401
from tensorweave.keras import datasets as datasets  # noqa: F401
from tensorweave.keras import initializers as initializers  # noqa: F401
from tensorweave.keras import layers as layers  # noqa: F401
from tensorweave.keras import losses as losses  # noqa: F401
from tensorweave.keras import models as models  # noqa: F401
from tensorweave.keras import optimizers as optimizers  # noqa: F401
from tensorweave.keras import regularizers as regularizers  # noqa: F401
from tensorweave.keras import utils as utils  # noqa: F401
from tensorweave.keras.layers import Input as Input
from tensorweave.keras.models import Model as Model
from tensorweave.keras.models import Sequential as Sequential

__version__ = "2.2.4-tf"
