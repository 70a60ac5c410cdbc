"""tf.errors (re-exports only)."""
from tensorweave.framework.errors import *  # noqa: F401,F403
from tensorweave.framework.errors import OpError as OpError
