"""Top-level tf.* names of queues, readers and parsing (re-exports only)."""
from tensorweave.ops.data_flow_ops import FIFOQueue as FIFOQueue
from tensorweave.ops.data_flow_ops import PaddingFIFOQueue as PaddingFIFOQueue
from tensorweave.ops.data_flow_ops import PriorityQueue as PriorityQueue
from tensorweave.ops.data_flow_ops import QueueBase as QueueBase
from tensorweave.ops.data_flow_ops import RandomShuffleQueue as RandomShuffleQueue
from tensorweave.ops.io_ops import FixedLengthRecordReader as FixedLengthRecordReader
from tensorweave.ops.io_ops import IdentityReader as IdentityReader
from tensorweave.ops.io_ops import ReaderBase as ReaderBase
from tensorweave.ops.io_ops import TextLineReader as TextLineReader
from tensorweave.ops.io_ops import TFRecordReader as TFRecordReader
from tensorweave.ops.io_ops import WholeFileReader as WholeFileReader
from tensorweave.ops.io_ops import matching_files as matching_files
from tensorweave.ops.io_ops import read_file as read_file
from tensorweave.ops.io_ops import write_file as write_file
from tensorweave.ops.parsing_ops import FixedLenFeature as FixedLenFeature
from tensorweave.ops.parsing_ops import FixedLenSequenceFeature as FixedLenSequenceFeature
from tensorweave.ops.parsing_ops import SparseFeature as SparseFeature
from tensorweave.ops.parsing_ops import VarLenFeature as VarLenFeature
from tensorweave.ops.parsing_ops import decode_csv as decode_csv
from tensorweave.ops.parsing_ops import decode_raw as decode_raw
from tensorweave.ops.parsing_ops import parse_example as parse_example
from tensorweave.ops.parsing_ops import parse_single_example as parse_single_example
from tensorweave.ops.parsing_ops import (
    parse_single_sequence_example as parse_single_sequence_example,
)
from tensorweave.ops.parsing_ops import string_to_number as string_to_number
