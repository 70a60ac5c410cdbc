"""Image basics against NumPy references."""
import numpy as np

import tensorweave as tf

R = np.random.default_rng(5)


def run(t, feed=None):
    with tf.Session() as s:
        return s.run(t, feed)


def test_per_image_standardization_and_flips():
    x = R.standard_normal((4, 4, 3)).astype(np.float32)
    y = tf.image.per_image_standardization(x)
    assert y.name == "per_image_standardization:0"
    sd = max(x.std(), 1 / np.sqrt(x.size))
    np.testing.assert_allclose(run(y), (x - x.mean()) / sd, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(run(tf.image.flip_left_right(x)), x[:, ::-1])
    np.testing.assert_array_equal(run(tf.image.flip_up_down(x)), x[::-1])
    f = run(tf.image.random_flip_left_right(x, seed=1))
    assert np.array_equal(f, x) or np.array_equal(f, x[:, ::-1])


def test_convert_and_adjust():
    u = R.integers(0, 256, (2, 2, 3)).astype(np.uint8)
    f = run(tf.image.convert_image_dtype(u, tf.float32))
    np.testing.assert_allclose(f, u / 255.0, rtol=1e-6)
    back = run(tf.image.convert_image_dtype(f, tf.uint8))
    np.testing.assert_array_equal(back, u)
    x = R.uniform(size=(3, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(run(tf.image.adjust_brightness(x, 0.1)), x + 0.1, rtol=1e-6)
    m = x.mean(axis=(0, 1))
    np.testing.assert_allclose(run(tf.image.adjust_contrast(x, 2.0)), (x - m) * 2 + m,
                               rtol=1e-5)
    g = run(tf.image.rgb_to_grayscale(R.uniform(size=(2, 2, 3)).astype(np.float32)))
    assert g.shape == (2, 2, 1)


def test_resize_and_crop():
    x = R.standard_normal((1, 2, 2, 1)).astype(np.float32)
    y = run(tf.image.resize_bilinear(x, [4, 4]))
    assert y.shape == (1, 4, 4, 1)
    np.testing.assert_allclose(y[0, 0, 0], x[0, 0, 0])
    np.testing.assert_allclose(y[0, 0, 1], (x[0, 0, 0] + x[0, 0, 1]) / 2, rtol=1e-6)
    ya = run(tf.image.resize_bilinear(x, [3, 3], align_corners=True))
    np.testing.assert_allclose(ya[0, 2, 2], x[0, 1, 1])
    yn = run(tf.image.resize_nearest_neighbor(x, [4, 4]))
    np.testing.assert_array_equal(yn[0, :, :, 0], np.repeat(np.repeat(x[0, :, :, 0], 2, 0), 2, 1))
    img = R.standard_normal((6, 6, 2)).astype(np.float32)
    r = tf.image.resize_images(img, [3, 3])
    assert r.shape.as_list() == [3, 3, 2]
    np.testing.assert_array_equal(run(tf.image.central_crop(img, 0.5)), img[1:5, 1:5])
    pc = run(tf.image.resize_image_with_crop_or_pad(img, 4, 8))
    assert pc.shape == (4, 8, 2)
    np.testing.assert_array_equal(pc[:, 1:7], img[1:5])
