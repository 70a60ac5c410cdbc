"""tf.train.summary_iterator: the Event protos of an event file, in order."""
from tensorweave.formats.events import summary_iterator as summary_iterator
