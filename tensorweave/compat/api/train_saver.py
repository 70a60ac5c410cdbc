"""tf.train names of checkpoints and meta graphs (re-exports only; star-imported by
compat/api/train.py)."""
from tensorboard.compat.proto.saver_pb2 import SaverDef as SaverDef

from tensorweave.framework.graph_util import write_graph as write_graph
from tensorweave.framework.meta_graph import \
    import_scoped_meta_graph as import_scoped_meta_graph
from tensorweave.training.checkpoint.checkpoint_utils import \
    CheckpointReader as CheckpointReader
from tensorweave.training.checkpoint.checkpoint_utils import \
    CheckpointState as CheckpointState
from tensorweave.training.checkpoint.checkpoint_utils import \
    NewCheckpointReader as NewCheckpointReader
from tensorweave.training.checkpoint.checkpoint_utils import \
    checkpoint_exists as checkpoint_exists
from tensorweave.training.checkpoint.checkpoint_utils import \
    generate_checkpoint_state_proto as generate_checkpoint_state_proto
from tensorweave.training.checkpoint.checkpoint_utils import \
    get_checkpoint_mtimes as get_checkpoint_mtimes
from tensorweave.training.checkpoint.checkpoint_utils import \
    get_checkpoint_state as get_checkpoint_state
from tensorweave.training.checkpoint.checkpoint_utils import \
    init_from_checkpoint as init_from_checkpoint
from tensorweave.training.checkpoint.checkpoint_utils import \
    latest_checkpoint as latest_checkpoint
from tensorweave.training.checkpoint.checkpoint_utils import list_variables as list_variables
from tensorweave.training.checkpoint.checkpoint_utils import \
    load_checkpoint as load_checkpoint
from tensorweave.training.checkpoint.checkpoint_utils import load_variable as load_variable
from tensorweave.training.checkpoint.checkpoint_utils import \
    remove_checkpoint as remove_checkpoint
from tensorweave.training.checkpoint.checkpoint_utils import \
    update_checkpoint_state as update_checkpoint_state
from tensorweave.training.checkpoint.checkpoint_utils import \
    wait_for_new_checkpoint as wait_for_new_checkpoint
from tensorweave.training.saver import Saver as Saver
from tensorweave.training.saver import export_meta_graph as export_meta_graph
from tensorweave.training.saver import import_meta_graph as import_meta_graph

__all__ = [n for n in dir() if not n.startswith("_")]
