"""tf.profiler (re-exports only)."""
from tensorweave.profiler import GraphNodeProto as GraphNodeProto
from tensorweave.profiler import MultiGraphNodeProto as MultiGraphNodeProto
from tensorweave.profiler import ProfileOptionBuilder as ProfileOptionBuilder
from tensorweave.profiler import Profiler as Profiler
from tensorweave.profiler import advise as advise
from tensorweave.profiler import profile as profile
from tensorweave.profiler import write_op_log as write_op_log
