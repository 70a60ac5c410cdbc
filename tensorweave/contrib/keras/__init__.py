"""tf.contrib.keras: the same module as tf.keras."""
from tensorweave.keras import *  # noqa: F401,F403
from tensorweave.keras import activations as activations  # noqa: F401
from tensorweave.keras import backend as backend  # noqa: F401
from tensorweave.keras import datasets as datasets  # noqa: F401
from tensorweave.keras import initializers as initializers  # noqa: F401
from tensorweave.keras import layers as layers  # noqa: F401
from tensorweave.keras import losses as losses  # noqa: F401
from tensorweave.keras import models as models  # noqa: F401
from tensorweave.keras import optimizers as optimizers  # noqa: F401
from tensorweave.keras import regularizers as regularizers  # noqa: F401
from tensorweave.keras import utils as utils  # noqa: F401
