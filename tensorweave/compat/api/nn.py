"""tf.nn (re-exports only)."""
from tensorweave.ops.nn_ops import atrous_conv2d as atrous_conv2d
from tensorweave.ops.nn_ops import atrous_conv2d_transpose as atrous_conv2d_transpose
from tensorweave.ops.nn_ops import avg_pool as avg_pool
from tensorweave.ops.nn_ops import avg_pool2d as avg_pool2d
from tensorweave.ops.nn_ops import avg_pool3d as avg_pool3d
from tensorweave.ops.nn_ops import (
    batch_norm_with_global_normalization as batch_norm_with_global_normalization,
)
from tensorweave.ops.nn_ops import batch_normalization as batch_normalization
from tensorweave.ops.nn_ops import bias_add as bias_add
from tensorweave.ops.nn_ops import conv1d as conv1d
from tensorweave.ops.nn_ops import conv2d as conv2d
from tensorweave.ops.nn_ops import conv2d_backprop_filter as conv2d_backprop_filter
from tensorweave.ops.nn_ops import conv2d_backprop_input as conv2d_backprop_input
from tensorweave.ops.nn_ops import conv2d_transpose as conv2d_transpose
from tensorweave.ops.nn_ops import conv3d as conv3d
from tensorweave.ops.nn_ops import conv3d_transpose as conv3d_transpose
from tensorweave.ops.nn_ops import convolution as convolution
from tensorweave.ops.nn_ops import crelu as crelu
from tensorweave.ops.nn_ops import depthwise_conv2d as depthwise_conv2d
from tensorweave.ops.nn_ops import depthwise_conv2d_native as depthwise_conv2d_native
from tensorweave.ops.nn_ops import dropout as dropout
from tensorweave.ops.nn_ops import elu as elu
from tensorweave.ops.nn_ops import embedding_lookup as embedding_lookup
from tensorweave.ops.nn_ops import embedding_lookup_sparse as embedding_lookup_sparse
from tensorweave.ops.nn_ops import fused_batch_norm as fused_batch_norm
from tensorweave.ops.nn_ops import in_top_k as in_top_k
from tensorweave.ops.nn_ops import l2_loss as l2_loss
from tensorweave.ops.nn_ops import l2_normalize as l2_normalize
from tensorweave.ops.nn_ops import leaky_relu as leaky_relu
from tensorweave.ops.nn_ops import local_response_normalization as local_response_normalization
from tensorweave.ops.nn_ops import log_softmax as log_softmax
from tensorweave.ops.nn_ops import lrn as lrn
from tensorweave.ops.nn_ops import max_pool as max_pool
from tensorweave.ops.nn_ops import max_pool2d as max_pool2d
from tensorweave.ops.nn_ops import max_pool3d as max_pool3d
from tensorweave.ops.nn_ops import moments as moments
from tensorweave.ops.nn_ops import relu as relu
from tensorweave.ops.nn_ops import relu6 as relu6
from tensorweave.ops.nn_ops import relu_layer as relu_layer
from tensorweave.ops.nn_ops import selu as selu
from tensorweave.ops.nn_ops import separable_conv2d as separable_conv2d
from tensorweave.ops.nn_ops import sigmoid as sigmoid
from tensorweave.ops.nn_ops import (
    sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
)
from tensorweave.ops.nn_ops import softmax as softmax
from tensorweave.ops.nn_ops import (
    softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
)
from tensorweave.ops.nn_ops import (
    softmax_cross_entropy_with_logits_v2 as softmax_cross_entropy_with_logits_v2,
)
from tensorweave.ops.nn_ops import softplus as softplus
from tensorweave.ops.nn_ops import softsign as softsign
from tensorweave.ops.nn_ops import (
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
)
from tensorweave.ops.nn_ops import tanh as tanh
from tensorweave.ops.nn_ops import top_k as top_k
from tensorweave.ops.nn_ops import (
    weighted_cross_entropy_with_logits as weighted_cross_entropy_with_logits,
)
from tensorweave.ops.nn_ops import weighted_moments as weighted_moments
from tensorweave.ops.nn_ops import xw_plus_b as xw_plus_b
from tensorweave.ops.nn_ops import zero_fraction as zero_fraction
