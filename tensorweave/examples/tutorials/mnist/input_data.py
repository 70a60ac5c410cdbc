"""read_data_sets: MNIST from the four IDX gz files, with TF1's DataSet.next_batch semantics."""
import collections
import gzip
import os

import numpy as np

from tensorweave.framework import dtypes

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(f):
    return int(np.frombuffer(f.read(4), dtype=">u4")[0])


def extract_images(f):
    """(N, rows, cols, 1) uint8 images from an IDX3 gz file object."""
    with gzip.GzipFile(fileobj=f) as g:
        magic = _read32(g)
        if magic != 2051:
            raise ValueError("Invalid magic number %d in MNIST image file: %s" % (magic, f.name))
        n, rows, cols = _read32(g), _read32(g), _read32(g)
        data = np.frombuffer(g.read(rows * cols * n), dtype=np.uint8)
        return data.reshape(n, rows, cols, 1)


def dense_to_one_hot(labels_dense, num_classes):
    out = np.zeros((labels_dense.shape[0], num_classes))
    out[np.arange(labels_dense.shape[0]), labels_dense] = 1
    return out


def extract_labels(f, one_hot=False, num_classes=10):
    with gzip.GzipFile(fileobj=f) as g:
        magic = _read32(g)
        if magic != 2049:
            raise ValueError("Invalid magic number %d in MNIST label file: %s" % (magic, f.name))
        n = _read32(g)
        labels = np.frombuffer(g.read(n), dtype=np.uint8)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


class DataSet:
    """Images and labels with epoch-wise shuffled mini-batches (TF1's DataSet)."""

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=dtypes.float32,
                 reshape=True, seed=None):
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError("Invalid image dtype %r, expected uint8 or float32" % dtype)
        self._rng = np.random if seed is None else np.random.RandomState(seed)
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            assert images.shape[0] == labels.shape[0], (
                "images.shape: %s labels.shape: %s" % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape:
                assert images.shape[3] == 1
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = images.astype(np.float32)
                images = np.multiply(images, 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples; reshuffles at each epoch boundary."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return ([fake_image for _ in range(batch_size)],
                    [fake_label for _ in range(batch_size)])
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm = np.arange(self._num_examples)
            self._rng.shuffle(perm)
            self._images = self._images[perm]
            self._labels = self._labels[perm]
        if start + batch_size > self._num_examples:
            # NOTE: the batch spans two epochs: the rest of this one, then the next shuffle.
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest = self._images[start:self._num_examples]
            labels_rest = self._labels[start:self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                self._rng.shuffle(perm)
                self._images = self._images[perm]
                self._labels = self._labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[start:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[start:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def _missing(train_dir, names):
    return IOError(
        "MNIST files not found in %r: missing %s. tensorweave does not download data; put the "
        "four files %s (from %s) in that directory, or pass the directory that holds them to "
        "read_data_sets()." % (os.path.abspath(train_dir), ", ".join(names), ", ".join(FILES),
                               DEFAULT_SOURCE_URL))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32,
                   reshape=True, validation_size=5000, seed=None,
                   source_url=DEFAULT_SOURCE_URL):
    """Reads the four MNIST files from `train_dir` into train/validation/test DataSets."""
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        return Datasets(train=fake(), validation=fake(), test=fake())
    missing = [n for n in FILES if not os.path.exists(os.path.join(train_dir, n))]
    if missing:
        raise _missing(train_dir, missing)
    with open(os.path.join(train_dir, FILES[0]), "rb") as f:
        train_images = extract_images(f)
    with open(os.path.join(train_dir, FILES[1]), "rb") as f:
        train_labels = extract_labels(f, one_hot=one_hot)
    with open(os.path.join(train_dir, FILES[2]), "rb") as f:
        test_images = extract_images(f)
    with open(os.path.join(train_dir, FILES[3]), "rb") as f:
        test_labels = extract_labels(f, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and %d. Received: %d." % (
            len(train_images), validation_size))
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=DataSet(train_images, train_labels, **options),
                    validation=DataSet(validation_images, validation_labels, **options),
                    test=DataSet(test_images, test_labels, **options))


def load_mnist(train_dir="MNIST-data"):
    return read_data_sets(train_dir)
