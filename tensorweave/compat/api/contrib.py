"""tf.contrib (re-exports only)."""
from tensorweave.contrib import tensorboard as tensorboard
from tensorweave.contrib import framework as framework
from tensorweave.contrib import keras as keras
from tensorweave.contrib import layers as layers
from tensorweave.contrib import learn as learn
from tensorweave.contrib import losses as losses
from tensorweave.contrib import slim as slim
