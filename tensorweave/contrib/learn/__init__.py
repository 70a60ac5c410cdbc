"""tf.contrib.learn: only `datasets.mnist.read_data_sets` (the tutorial reader)."""
from tensorweave.contrib.learn import datasets as datasets
