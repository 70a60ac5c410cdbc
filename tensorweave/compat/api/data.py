"""tf.data (re-exports only)."""
from tensorweave.compat.api import data_experimental as experimental  # noqa: F401
from tensorweave.data.dataset import AUTOTUNE as AUTOTUNE
from tensorweave.data.dataset import Dataset as Dataset
from tensorweave.data.dataset import FixedLengthRecordDataset as FixedLengthRecordDataset
from tensorweave.data.dataset import Iterator as Iterator
from tensorweave.data.dataset import Options as Options
from tensorweave.data.dataset import TextLineDataset as TextLineDataset
from tensorweave.data.dataset import TFRecordDataset as TFRecordDataset
from tensorweave.data.dataset import get_output_classes as get_output_classes
from tensorweave.data.dataset import get_output_shapes as get_output_shapes
from tensorweave.data.dataset import get_output_types as get_output_types
from tensorweave.data.dataset import make_initializable_iterator as make_initializable_iterator
from tensorweave.data.dataset import make_one_shot_iterator as make_one_shot_iterator
