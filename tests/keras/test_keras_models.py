"""tf.keras (TF1 graph mode): names, forward numbers, compile/fit/evaluate/predict, MNIST."""
import gzip
import os

import numpy as np
import pytest

import tensorweave as tf

keras = tf.keras
MNIST = "/work/shared/data/mnist-split"


@pytest.fixture(autouse=True)
def _fresh():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def test_sequential_names_and_predict():
    model = keras.models.Sequential()
    model.add(keras.layers.Dense(5, activation="relu", input_shape=(4,)))
    model.add(keras.layers.Dense(3, activation="softmax"))
    assert [w.name for w in model.weights] == ["dense/kernel:0", "dense/bias:0",
                                               "dense_1/kernel:0", "dense_1/bias:0"]
    assert model.inputs[0].op.name == "dense_input"
    assert model.outputs[0].op.name == "dense_1/Softmax"
    x = np.random.RandomState(0).randn(7, 4).astype(np.float32)
    k1, b1, k2, b2 = model.get_weights()
    logits = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    ref = np.exp(logits - logits.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, batch_size=3), ref, rtol=1e-5, atol=1e-6)
    new = [np.ones_like(w) for w in model.get_weights()]
    model.set_weights(new)
    np.testing.assert_allclose(model.get_weights()[0], new[0])
    assert model.count_params() == 4 * 5 + 5 + 5 * 3 + 3
    lines = []
    model.summary(print_fn=lines.append)
    assert any("dense_1 (Dense)" in line for line in lines)


def test_functional_model_fit_sparse_and_save(tmp_path):
    rs = np.random.RandomState(1)
    x = rs.randn(200, 3).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    inp = keras.layers.Input(shape=(3,))
    h = keras.layers.Dense(8, activation="tanh")(inp)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Dropout(0.1)(h)
    out = keras.layers.Dense(2, activation="softmax")(h)
    model = keras.models.Model(inp, out)
    assert inp.op.name == "input_1"
    model.compile(optimizer=keras.optimizers.Adam(lr=0.05),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=50, epochs=8, verbose=0, validation_data=(x, y))
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.history["val_accuracy"][-1] > 0.85
    _, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.85
    before = model.predict(x)
    path = str(tmp_path / "w.ckpt")
    model.save_weights(path)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(x), before, rtol=1e-6)


def test_sgd_binary_and_mse_and_freeze():
    rs = np.random.RandomState(2)
    x = rs.rand(100, 8).astype(np.float32)
    yb = (x.sum(1) > 4).astype(np.float32)
    model = keras.models.Sequential([keras.layers.Dense(12, input_dim=8, activation="relu"),
                                     keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy",
                  optimizer=keras.optimizers.SGD(lr=0.1, decay=1e-6, momentum=0.9,
                                                 nesterov=True),
                  metrics=["accuracy"])
    h = model.fit(x, yb, batch_size=10, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, yb, batch_size=10, epochs=1, verbose=0)
    np.testing.assert_allclose(model.layers[0].get_weights()[0], frozen[0])
    assert len(model.trainable_weights) == 2


def _idx(name):
    with gzip.open(os.path.join(MNIST, name)) as f:
        data = f.read()
    nd = data[3]
    dims = np.frombuffer(data, ">u4", nd, 4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


@pytest.mark.skipif(not os.path.isdir(MNIST), reason="MNIST split not available")
def test_mnist_cnn_sequential_trains(monkeypatch):
    monkeypatch.setenv("MNIST_DIR", MNIST)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (8000, 28, 28) and y_test.shape == (2000,)
    x_train = x_train[:3000].reshape(-1, 28, 28, 1).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train[:3000], 10)
    x_test = x_test[:500].reshape(-1, 28, 28, 1).astype("float32") / 255
    y_test = keras.utils.to_categorical(y_test[:500], 10)
    model = keras.models.Sequential()
    model.add(keras.layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(keras.layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(keras.layers.Dropout(0.25))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(32, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adadelta", metrics=["acc"])
    hist = model.fit(x_train, y_train, batch_size=32, epochs=2, verbose=0)
    assert hist.history["loss"][1] < hist.history["loss"][0]
    score = model.evaluate(x_test, y_test, verbose=0)
    assert score[1] > 0.6, score
    assert [w.name for w in model.weights][:2] == ["conv2d/kernel:0", "conv2d/bias:0"]


def test_mnist_load_data_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="local files only"):
        keras.datasets.mnist.load_data()


def test_backend_and_utils():
    K = keras.backend
    assert K.image_data_format() == "channels_last"
    K.set_image_data_format("channels_first")
    assert K.image_data_format() == "channels_first"
    K.set_image_data_format("channels_last")
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2], 3),
                                  [[1, 0, 0], [0, 0, 1]])
    assert isinstance(K.get_session(), tf.Session)
