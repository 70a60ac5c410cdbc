"""Top-level tf.* names of variables, variable scopes and initializers (re-exports only)."""
from tensorweave.framework.graph import name_scope as name_scope
from tensorweave.ops.init_ops import constant_initializer as constant_initializer
from tensorweave.ops.init_ops import glorot_normal_initializer as glorot_normal_initializer
from tensorweave.ops.init_ops import glorot_uniform_initializer as glorot_uniform_initializer
from tensorweave.ops.init_ops import ones_initializer as ones_initializer
from tensorweave.ops.init_ops import orthogonal_initializer as orthogonal_initializer
from tensorweave.ops.init_ops import random_normal_initializer as random_normal_initializer
from tensorweave.ops.init_ops import random_uniform_initializer as random_uniform_initializer
from tensorweave.ops.init_ops import \
    truncated_normal_initializer as truncated_normal_initializer
from tensorweave.ops.init_ops import \
    uniform_unit_scaling_initializer as uniform_unit_scaling_initializer
from tensorweave.ops.init_ops import \
    variance_scaling_initializer as variance_scaling_initializer
from tensorweave.ops.init_ops import zeros_initializer as zeros_initializer
from tensorweave.ops.state_ops import assign as assign
from tensorweave.ops.state_ops import assign_add as assign_add
from tensorweave.ops.state_ops import assign_sub as assign_sub
from tensorweave.ops.state_ops import count_up_to as count_up_to
from tensorweave.ops.state_ops import is_variable_initialized as is_variable_initialized
from tensorweave.ops.state_ops import scatter_add as scatter_add
from tensorweave.ops.state_ops import scatter_div as scatter_div
from tensorweave.ops.state_ops import scatter_max as scatter_max
from tensorweave.ops.state_ops import scatter_min as scatter_min
from tensorweave.ops.state_ops import scatter_mul as scatter_mul
from tensorweave.ops.state_ops import scatter_nd_add as scatter_nd_add
from tensorweave.ops.state_ops import scatter_nd_sub as scatter_nd_sub
from tensorweave.ops.state_ops import scatter_nd_update as scatter_nd_update
from tensorweave.ops.state_ops import scatter_sub as scatter_sub
from tensorweave.ops.state_ops import scatter_update as scatter_update
from tensorweave.ops.variable_scope import AUTO_REUSE as AUTO_REUSE
from tensorweave.ops.variable_scope import VariableScope as VariableScope
from tensorweave.ops.variable_scope import get_local_variable as get_local_variable
from tensorweave.ops.variable_scope import get_variable as get_variable
from tensorweave.ops.variable_scope import get_variable_scope as get_variable_scope
from tensorweave.ops.variable_scope import make_template as make_template
from tensorweave.ops.variable_scope import no_regularizer as no_regularizer
from tensorweave.ops.variable_scope import variable_op_scope as variable_op_scope
from tensorweave.ops.variable_scope import variable_scope as variable_scope
from tensorweave.ops.variables import Variable as Variable
from tensorweave.ops.variables import all_variables as all_variables
from tensorweave.ops.variables import \
    assert_variables_initialized as assert_variables_initialized
from tensorweave.ops.variables import global_variables as global_variables
from tensorweave.ops.variables import \
    global_variables_initializer as global_variables_initializer
from tensorweave.ops.variables import init_scope as init_scope
from tensorweave.ops.variables import initialize_all_variables as initialize_all_variables
from tensorweave.ops.variables import initialize_local_variables as initialize_local_variables
from tensorweave.ops.variables import initialize_variables as initialize_variables
from tensorweave.ops.variables import local_variables as local_variables
from tensorweave.ops.variables import \
    local_variables_initializer as local_variables_initializer
from tensorweave.ops.variables import model_variables as model_variables
from tensorweave.ops.variables import moving_average_variables as moving_average_variables
from tensorweave.ops.variables import \
    report_uninitialized_variables as report_uninitialized_variables
from tensorweave.ops.variables import trainable_variables as trainable_variables
from tensorweave.ops.variables import variables_initializer as variables_initializer
