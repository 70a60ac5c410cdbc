"""tf.io (re-exports only)."""
from tensorweave.formats.tfrecord import TFRecordCompressionType as TFRecordCompressionType
from tensorweave.formats.tfrecord import TFRecordOptions as TFRecordOptions
from tensorweave.formats.tfrecord import TFRecordWriter as TFRecordWriter
from tensorweave.formats.tfrecord import tf_record_iterator as tf_record_iterator
from tensorweave.ops.image_io_ops import decode_image as decode_image
from tensorweave.ops.image_io_ops import decode_jpeg as decode_jpeg
from tensorweave.ops.image_io_ops import decode_png as decode_png
from tensorweave.ops.image_io_ops import encode_jpeg as encode_jpeg
from tensorweave.ops.image_io_ops import encode_png as encode_png
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
from tensorweave.training.input import match_filenames_once as match_filenames_once
