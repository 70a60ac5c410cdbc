"""tf.train (re-exports only)."""
from tensorweave.training.learning_rate_decay import cosine_decay as cosine_decay
from tensorweave.training.learning_rate_decay import \
    cosine_decay_restarts as cosine_decay_restarts
from tensorweave.training.learning_rate_decay import exponential_decay as exponential_decay
from tensorweave.training.learning_rate_decay import inverse_time_decay as inverse_time_decay
from tensorweave.training.learning_rate_decay import linear_cosine_decay as linear_cosine_decay
from tensorweave.training.learning_rate_decay import natural_exp_decay as natural_exp_decay
from tensorweave.training.learning_rate_decay import \
    noisy_linear_cosine_decay as noisy_linear_cosine_decay
from tensorweave.training.learning_rate_decay import piecewise_constant as piecewise_constant
from tensorweave.training.learning_rate_decay import polynomial_decay as polynomial_decay
from tensorweave.training.moving_averages import \
    ExponentialMovingAverage as ExponentialMovingAverage
from tensorweave.training.optimizer import Optimizer as Optimizer
from tensorweave.training.optimizers import AdadeltaOptimizer as AdadeltaOptimizer
from tensorweave.training.optimizers import AdagradDAOptimizer as AdagradDAOptimizer
from tensorweave.training.optimizers import AdagradOptimizer as AdagradOptimizer
from tensorweave.training.optimizers import AdamOptimizer as AdamOptimizer
from tensorweave.training.optimizers import FtrlOptimizer as FtrlOptimizer
from tensorweave.training.optimizers import \
    GradientDescentOptimizer as GradientDescentOptimizer
from tensorweave.training.optimizers import MomentumOptimizer as MomentumOptimizer
from tensorweave.training.optimizers import \
    ProximalAdagradOptimizer as ProximalAdagradOptimizer
from tensorweave.training.optimizers import \
    ProximalGradientDescentOptimizer as ProximalGradientDescentOptimizer
from tensorweave.training.optimizers import RMSPropOptimizer as RMSPropOptimizer
from tensorweave.training.training_util import assert_global_step as assert_global_step
from tensorweave.training.training_util import create_global_step as create_global_step
from tensorweave.training.training_util import get_global_step as get_global_step
from tensorweave.training.training_util import \
    get_or_create_global_step as get_or_create_global_step
from tensorweave.training.training_util import global_step as global_step
from tensorweave.compat.api.train_saver import *  # noqa: F401,F403,E402
from tensorweave.compat.api.train_summary import *  # noqa: F401,F403,E402
from tensorweave.compat.api.train_input import *  # noqa: F401,F403,E402
