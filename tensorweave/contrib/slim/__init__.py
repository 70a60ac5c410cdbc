"""tf.contrib.slim: contrib.layers + arg_scope + variable helpers (slim.learning is not
provided)."""
from tensorweave.contrib import losses as losses  # noqa: F401
from tensorweave.contrib.framework import *  # noqa: F401,F403
from tensorweave.contrib.framework.arg_scope import add_arg_scope as add_arg_scope
from tensorweave.contrib.framework.arg_scope import arg_scope as arg_scope
from tensorweave.contrib.layers import *  # noqa: F401,F403
from tensorweave.contrib.layers import layers as layers  # noqa: F401
from tensorweave.contrib.layers.layers import repeat as repeat
from tensorweave.contrib.layers.layers import stack as stack
from tensorweave.contrib.framework import variables as variables  # noqa: F401
