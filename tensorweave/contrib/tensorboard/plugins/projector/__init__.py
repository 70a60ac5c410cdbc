"""tf.contrib.tensorboard.plugins.projector: embedding projector configuration.

`ProjectorConfig` is the projector plugin's own message (shipped by the `tensorboard` package,
same field numbers as TF1's contrib copy), so its text format is what TensorBoard reads back.
`visualize_embeddings(writer, config)` writes it as `projector_config.pbtxt` in the writer's
logdir, where TensorBoard's projector looks for it next to the checkpoint holding the
embedding variables.
"""
import os

from google.protobuf import text_format
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo as EmbeddingInfo
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig as ProjectorConfig
from tensorboard.plugins.projector.projector_config_pb2 import SpriteMetadata as SpriteMetadata

PROJECTOR_FILENAME = "projector_config.pbtxt"


def visualize_embeddings(summary_writer, config):
    """Writes `config` (a ProjectorConfig) to `<logdir>/projector_config.pbtxt`, the logdir
    being `summary_writer.get_logdir()`."""
    logdir = summary_writer.get_logdir()
    if logdir is None:
        raise ValueError("Summary writer must have a logdir")
    if not isinstance(config, ProjectorConfig):
        raise TypeError("config must be a projector.ProjectorConfig, got %s" %
                        type(config).__name__)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, PROJECTOR_FILENAME)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text_format.MessageToString(config))
    os.replace(tmp, path)
