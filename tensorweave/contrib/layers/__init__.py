"""tf.contrib.layers: TF1 contrib layer functions, initializers and regularizers."""
from tensorweave.contrib.layers.layers import avg_pool2d as avg_pool2d
from tensorweave.contrib.layers.layers import batch_norm as batch_norm
from tensorweave.contrib.layers.layers import bias_add as bias_add
from tensorweave.contrib.layers.layers import conv2d as conv2d
from tensorweave.contrib.layers.layers import conv2d_transpose as conv2d_transpose
from tensorweave.contrib.layers.layers import convolution as convolution
from tensorweave.contrib.layers.layers import convolution2d as convolution2d
from tensorweave.contrib.layers.layers import convolution2d_transpose as convolution2d_transpose
from tensorweave.contrib.layers.layers import dropout as dropout
from tensorweave.contrib.layers.layers import flatten as flatten
from tensorweave.contrib.layers.layers import fully_connected as fully_connected
from tensorweave.contrib.layers.layers import layer_norm as layer_norm
from tensorweave.contrib.layers.layers import linear as linear
from tensorweave.contrib.layers.layers import max_pool2d as max_pool2d
from tensorweave.contrib.layers.layers import one_hot_encoding as one_hot_encoding
from tensorweave.contrib.layers.layers import repeat as repeat
from tensorweave.contrib.layers.layers import separable_conv2d as separable_conv2d
from tensorweave.contrib.layers.layers import separable_convolution2d as separable_convolution2d
from tensorweave.contrib.layers.layers import stack as stack
from tensorweave.contrib.layers.layers import summarize_activations as summarize_activations
from tensorweave.contrib.layers.layers import summarize_biases as summarize_biases
from tensorweave.contrib.layers.layers import summarize_collection as summarize_collection
from tensorweave.contrib.layers.layers import summarize_tensor as summarize_tensor
from tensorweave.contrib.layers.layers import summarize_tensors as summarize_tensors
from tensorweave.contrib.layers.layers import summarize_variables as summarize_variables
from tensorweave.contrib.layers.layers import summarize_weights as summarize_weights
from tensorweave.contrib.layers.optimizers import optimize_loss as optimize_loss
from tensorweave.ops.init_ops import (
    contrib_variance_scaling_initializer as variance_scaling_initializer,
)
from tensorweave.ops.init_ops import xavier_initializer as xavier_initializer
from tensorweave.ops.init_ops import xavier_initializer as xavier_initializer_conv2d  # noqa: F401
from tensorweave.ops.regularizers import apply_regularization as apply_regularization
from tensorweave.ops.regularizers import l1_l2_regularizer as l1_l2_regularizer
from tensorweave.ops.regularizers import l1_regularizer as l1_regularizer
from tensorweave.ops.regularizers import l2_regularizer as l2_regularizer
from tensorweave.ops.regularizers import sum_regularizer as sum_regularizer
