"""tf.contrib.slim: contrib.layers + arg_scope + variable helpers (slim.learning is not
provided)."""
from tensorweave.contrib import losses as losses
from tensorweave.contrib.framework import *
from tensorweave.contrib.framework import variables as variables
from tensorweave.contrib.framework.arg_scope import add_arg_scope as add_arg_scope
from tensorweave.contrib.framework.arg_scope import arg_scope as arg_scope
from tensorweave.contrib.layers import *
from tensorweave.contrib.layers import layers as layers
from tensorweave.contrib.layers.layers import repeat as repeat
from tensorweave.contrib.layers.layers import stack as stack
