"""tf.train names of input pipelines, queue runners and monitored sessions (re-exports only).

The lead's compat/api/train.py star-imports this module.
"""
from tensorweave.formats.example_pb2 import BytesList as BytesList
from tensorweave.formats.example_pb2 import Example as Example
from tensorweave.formats.example_pb2 import Feature as Feature
from tensorweave.formats.example_pb2 import FeatureList as FeatureList
from tensorweave.formats.example_pb2 import FeatureLists as FeatureLists
from tensorweave.formats.example_pb2 import Features as Features
from tensorweave.formats.example_pb2 import FloatList as FloatList
from tensorweave.formats.example_pb2 import Int64List as Int64List
from tensorweave.formats.example_pb2 import SequenceExample as SequenceExample
from tensorweave.training.basic_session_run_hooks import CheckpointSaverHook as CheckpointSaverHook
from tensorweave.training.basic_session_run_hooks import (
    CheckpointSaverListener as CheckpointSaverListener,
)
from tensorweave.training.basic_session_run_hooks import FeedFnHook as FeedFnHook
from tensorweave.training.basic_session_run_hooks import FinalOpsHook as FinalOpsHook
from tensorweave.training.basic_session_run_hooks import (
    GlobalStepWaiterHook as GlobalStepWaiterHook,
)
from tensorweave.training.basic_session_run_hooks import LoggingTensorHook as LoggingTensorHook
from tensorweave.training.basic_session_run_hooks import (
    NanLossDuringTrainingError as NanLossDuringTrainingError,
)
from tensorweave.training.basic_session_run_hooks import NanTensorHook as NanTensorHook
from tensorweave.training.basic_session_run_hooks import ProfilerHook as ProfilerHook
from tensorweave.training.basic_session_run_hooks import SecondOrStepTimer as SecondOrStepTimer
from tensorweave.training.basic_session_run_hooks import StepCounterHook as StepCounterHook
from tensorweave.training.basic_session_run_hooks import StopAtStepHook as StopAtStepHook
from tensorweave.training.basic_session_run_hooks import SummarySaverHook as SummarySaverHook
from tensorweave.training.coordinator import Coordinator as Coordinator
from tensorweave.training.coordinator import LooperThread as LooperThread
from tensorweave.training.input import batch as batch
from tensorweave.training.input import batch_join as batch_join
from tensorweave.training.input import input_producer as input_producer
from tensorweave.training.input import limit_epochs as limit_epochs
from tensorweave.training.input import match_filenames_once as match_filenames_once
from tensorweave.training.input import range_input_producer as range_input_producer
from tensorweave.training.input import shuffle_batch as shuffle_batch
from tensorweave.training.input import shuffle_batch_join as shuffle_batch_join
from tensorweave.training.input import slice_input_producer as slice_input_producer
from tensorweave.training.input import string_input_producer as string_input_producer
from tensorweave.training.monitored_session import ChiefSessionCreator as ChiefSessionCreator
from tensorweave.training.monitored_session import MonitoredSession as MonitoredSession
from tensorweave.training.monitored_session import (
    MonitoredTrainingSession as MonitoredTrainingSession,
)
from tensorweave.training.monitored_session import Scaffold as Scaffold
from tensorweave.training.monitored_session import SessionCreator as SessionCreator
from tensorweave.training.monitored_session import (
    SingularMonitoredSession as SingularMonitoredSession,
)
from tensorweave.training.monitored_session import WorkerSessionCreator as WorkerSessionCreator
from tensorweave.training.queue_runner import QueueRunner as QueueRunner
from tensorweave.training.queue_runner import add_queue_runner as add_queue_runner
from tensorweave.training.queue_runner import start_queue_runners as start_queue_runners
from tensorweave.training.session_run_hook import SessionRunArgs as SessionRunArgs
from tensorweave.training.session_run_hook import SessionRunContext as SessionRunContext
from tensorweave.training.session_run_hook import SessionRunHook as SessionRunHook
from tensorweave.training.session_run_hook import SessionRunValues as SessionRunValues
