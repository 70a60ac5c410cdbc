"""tf.flags: absl.flags, which TF1.13+ re-exports."""
from absl.flags import *  # noqa: F401,F403
from absl.flags import FLAGS as FLAGS
