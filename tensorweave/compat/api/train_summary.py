"""tf.train names of the summary writers (re-exports only; star-imported by train.py)."""
from tensorweave.summary.summary_iterator import summary_iterator as summary_iterator
from tensorweave.summary.writer import FileWriter as SummaryWriter  # noqa: F401
from tensorweave.summary.writer import FileWriterCache as SummaryWriterCache  # noqa: F401
