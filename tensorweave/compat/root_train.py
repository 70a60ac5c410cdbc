"""Top-level tf.* names of autodiff and training (re-exports only)."""
from tensorweave.training.gradients import AggregationMethod as AggregationMethod
from tensorweave.training.gradients import gradients as gradients
from tensorweave.training.gradients import hessians as hessians
