"""tf.contrib: the TF1 contrib modules old programs import (layers, slim, ...)."""
