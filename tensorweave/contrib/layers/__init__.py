"""tf.contrib.layers: regularizers here; layer functions are added by tensorweave.layers."""
from tensorweave.ops.regularizers import apply_regularization as apply_regularization
from tensorweave.ops.regularizers import l1_l2_regularizer as l1_l2_regularizer
from tensorweave.ops.regularizers import l1_regularizer as l1_regularizer
from tensorweave.ops.regularizers import l2_regularizer as l2_regularizer
from tensorweave.ops.regularizers import sum_regularizer as sum_regularizer
