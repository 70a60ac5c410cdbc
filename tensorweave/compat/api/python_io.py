"""tf.python_io (re-exports only)."""
from tensorweave.formats.tfrecord import TFRecordCompressionType as TFRecordCompressionType
from tensorweave.formats.tfrecord import TFRecordOptions as TFRecordOptions
from tensorweave.formats.tfrecord import TFRecordWriter as TFRecordWriter
from tensorweave.formats.tfrecord import tf_record_iterator as tf_record_iterator
