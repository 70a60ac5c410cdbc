"""tf.losses (re-exports only)."""
from tensorweave.ops.losses import Reduction as Reduction
from tensorweave.ops.losses import absolute_difference as absolute_difference
from tensorweave.ops.losses import add_loss as add_loss
from tensorweave.ops.losses import compute_weighted_loss as compute_weighted_loss
from tensorweave.ops.losses import cosine_distance as cosine_distance
from tensorweave.ops.losses import get_losses as get_losses
from tensorweave.ops.losses import get_regularization_loss as get_regularization_loss
from tensorweave.ops.losses import get_regularization_losses as get_regularization_losses
from tensorweave.ops.losses import get_total_loss as get_total_loss
from tensorweave.ops.losses import hinge_loss as hinge_loss
from tensorweave.ops.losses import huber_loss as huber_loss
from tensorweave.ops.losses import log_loss as log_loss
from tensorweave.ops.losses import mean_pairwise_squared_error as mean_pairwise_squared_error
from tensorweave.ops.losses import mean_squared_error as mean_squared_error
from tensorweave.ops.losses import sigmoid_cross_entropy as sigmoid_cross_entropy
from tensorweave.ops.losses import softmax_cross_entropy as softmax_cross_entropy
from tensorweave.ops.losses import sparse_softmax_cross_entropy as sparse_softmax_cross_entropy
