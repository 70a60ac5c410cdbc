"""tf.keras.datasets.mnist.load_data from local files only (no downloads).

Looks in $MNIST_DIR (mnist.npz, or the four IDX .gz files) and then ~/.keras/datasets.
"""
import gzip
import os

import numpy as np

_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(
        tuple(int(d) for d in dims))


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays (28x28 images)."""
    dirs = []
    if os.environ.get("MNIST_DIR"):
        dirs.append(os.environ["MNIST_DIR"])
    dirs.append(os.path.join(os.path.expanduser("~"), ".keras", "datasets"))
    for d in dirs:
        npz = path if os.path.isabs(path) else os.path.join(d, path)
        if os.path.exists(npz):
            with np.load(npz, allow_pickle=True) as f:
                return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
        if all(os.path.exists(os.path.join(d, n)) for n in _FILES):
            arrs = [_idx(os.path.join(d, n)) for n in _FILES]
            return (arrs[0], arrs[1]), (arrs[2], arrs[3])
    raise FileNotFoundError(
        "tensorweave: keras.datasets.mnist.load_data reads local files only and found none. "
        "Put mnist.npz (or the four MNIST .gz files %s) in $MNIST_DIR or %s." %
        (", ".join(_FILES), dirs[-1]))
