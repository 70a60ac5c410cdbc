"""Modules of the tf.* namespace (tf.nn, tf.train, ...): thin re-export modules."""
