"""Top-level tf.* names (re-exports only)."""
from tensorweave.ops.summary_ops import audio_summary as audio_summary
from tensorweave.ops.summary_ops import histogram_summary as histogram_summary
from tensorweave.ops.summary_ops import image_summary as image_summary
from tensorweave.ops.summary_ops import merge_all_summaries as merge_all_summaries
from tensorweave.ops.summary_ops import merge_summary as merge_summary
from tensorweave.ops.summary_ops import scalar_summary as scalar_summary
