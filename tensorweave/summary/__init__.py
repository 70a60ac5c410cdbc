"""tf.summary's writing side: FileWriter, FileWriterCache and event-file reading.

The summary ops and the `tf.summary.scalar`/... wrappers live in tensorweave/ops/summary_ops.py.
"""
