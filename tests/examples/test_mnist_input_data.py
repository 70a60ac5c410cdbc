"""The TF1 tutorial MNIST reader on the real 10,000-digit split."""
import os

import numpy as np
import pytest

from tensorweave.examples.tutorials.mnist import input_data

SPLIT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "mnist-split")


@pytest.mark.skipif(not os.path.isdir(SPLIT), reason="shared MNIST split not present")
def test_read_split_like_tf():
    m = input_data.read_data_sets(SPLIT, one_hot=True)
    assert (m.train.num_examples, m.validation.num_examples, m.test.num_examples) == (
        3000, 5000, 2000)
    assert m.train.images.shape == (3000, 784) and m.train.images.dtype == np.float32
    assert 0.0 <= m.train.images.min() and m.train.images.max() == 1.0
    np.testing.assert_array_equal(m.test.labels.sum(axis=1), 1.0)
    raw = input_data.read_data_sets(SPLIT, reshape=False, dtype="uint8", validation_size=0)
    assert raw.train.images.shape == (8000, 28, 28, 1) and raw.train.images.dtype == np.uint8


@pytest.mark.skipif(not os.path.isdir(SPLIT), reason="shared MNIST split not present")
def test_next_batch_covers_each_epoch_once():
    m = input_data.read_data_sets(SPLIT, validation_size=7900, seed=1)
    seen = []
    for _ in range(10):
        _, y = m.train.next_batch(10)
        seen.append(y)
    assert m.train.epochs_completed == 0
    assert sorted(np.concatenate(seen).tolist()) == sorted(m.train.labels.tolist())
    x, y = m.train.next_batch(30)
    assert x.shape == (30, 784) and m.train.epochs_completed == 1


def test_missing_files_name_directory_and_files(tmp_path):
    with pytest.raises(IOError) as e:
        input_data.read_data_sets(str(tmp_path))
    msg = str(e.value)
    assert str(tmp_path) in msg
    for name in input_data.FILES:
        assert name in msg
