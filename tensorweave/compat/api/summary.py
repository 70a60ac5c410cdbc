"""tf.summary (re-exports only)."""
from tensorboard.compat.proto.event_pb2 import Event as Event
from tensorboard.compat.proto.event_pb2 import SessionLog as SessionLog
from tensorboard.compat.proto.event_pb2 import TaggedRunMetadata as TaggedRunMetadata
from tensorboard.compat.proto.summary_pb2 import Summary as Summary
from tensorboard.compat.proto.summary_pb2 import SummaryDescription as SummaryDescription
from tensorboard.compat.proto.summary_pb2 import SummaryMetadata as SummaryMetadata

from tensorweave.ops.summary_ops import all_v2_summary_ops as all_v2_summary_ops
from tensorweave.ops.summary_ops import audio as audio
from tensorweave.ops.summary_ops import get_summary_description as get_summary_description
from tensorweave.ops.summary_ops import histogram as histogram
from tensorweave.ops.summary_ops import image as image
from tensorweave.ops.summary_ops import merge as merge
from tensorweave.ops.summary_ops import merge_all as merge_all
from tensorweave.ops.summary_ops import scalar as scalar
from tensorweave.ops.summary_ops import tensor_summary as tensor_summary
from tensorweave.ops.summary_ops import text as text
from tensorweave.summary.writer import FileWriter as FileWriter
from tensorweave.summary.writer import FileWriterCache as FileWriterCache
