"""tf.contrib.framework: arg_scope and variable helpers."""
from tensorweave.contrib.framework.arg_scope import add_arg_scope as add_arg_scope
from tensorweave.contrib.framework.arg_scope import arg_scope as arg_scope
from tensorweave.contrib.framework.arg_scope import arg_scoped_arguments as arg_scoped_arguments
from tensorweave.contrib.framework.arg_scope import current_arg_scope as current_arg_scope
from tensorweave.contrib.framework.arg_scope import has_arg_scope as has_arg_scope
from tensorweave.contrib.framework.variables import add_model_variable as add_model_variable
from tensorweave.contrib.framework.variables import (
    assign_from_checkpoint_fn as assign_from_checkpoint_fn,
)
from tensorweave.contrib.framework.variables import assign_from_values as assign_from_values
from tensorweave.contrib.framework.variables import get_local_variables as get_local_variables
from tensorweave.contrib.framework.variables import get_model_variables as get_model_variables
from tensorweave.contrib.framework.variables import (
    get_trainable_variables as get_trainable_variables,
)
from tensorweave.contrib.framework.variables import get_unique_variable as get_unique_variable
from tensorweave.contrib.framework.variables import get_variables as get_variables
from tensorweave.contrib.framework.variables import get_variables_by_name as get_variables_by_name
from tensorweave.contrib.framework.variables import (
    get_variables_by_suffix as get_variables_by_suffix,
)
from tensorweave.contrib.framework.variables import (
    get_variables_to_restore as get_variables_to_restore,
)
from tensorweave.contrib.framework.variables import model_variable as model_variable
from tensorweave.contrib.framework.variables import variable as variable
from tensorweave.training.training_util import create_global_step as create_global_step
from tensorweave.training.training_util import get_global_step as get_global_step
from tensorweave.training.training_util import (
    get_or_create_global_step as get_or_create_global_step,
)
