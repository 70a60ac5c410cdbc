"""Gradients of array ops: analytic Jacobians vs central differences in float64.

NOTE: outputs that are NumPy views of a fed array would alias the buffer the checker perturbs,
so the view-producing cases (reshape, squeeze, strided slices) start from `a * 1.0`.
"""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradient_check import check_gradient  # noqa: E402

RNG = np.random.RandomState(3)
X = RNG.randn(2, 3, 4)

CASES = {
    "reshape": lambda a: tf.reshape(a * 1.0, [4, -1]),
    "expand_dims": lambda a: tf.expand_dims(a * 1.0, 1),
    "squeeze": lambda a: tf.squeeze(tf.expand_dims(a * 1.0, 1), [1]),
    "transpose": lambda a: tf.transpose(a, [2, 0, 1]),
    "transpose_tensor_perm": lambda a: tf.reshape(
        tf.transpose(a, tf.placeholder_with_default([1, 2, 0], [3])), [3, 4, 2]),
    "concat": lambda a: tf.concat([a, a * 2.0, a[:, :1]], 1),
    "concat_dynamic_axis": lambda a: tf.reshape(
        tf.concat([a, a * 3.0], tf.placeholder_with_default(-1, [])), [2, 3, 8]),
    "stack": lambda a: tf.stack([a, a * a], axis=1),
    "unstack": lambda a: tf.unstack(a, axis=2)[1] * tf.unstack(a, axis=2)[3],
    "split": lambda a: tf.split(a, 2, axis=2)[1],
    "split_v": lambda a: tf.split(a, [1, -1], axis=1)[1],
    "slice": lambda a: tf.slice(a, [0, 1, 1], [-1, 2, 2]),
    "strided_slice": lambda a: (a * 1.0)[1:, ::-2, None, 1],
    "strided_slice_ellipsis": lambda a: (a * 1.0)[..., 1:3],
    "strided_slice_second_order": lambda a: tf.reshape(
        tf.gradients(tf.reduce_sum((a * 1.0)[:, 1:] ** 2), a)[0], [24]),
    "tile": lambda a: tf.tile(a, [2, 1, 3]),
    "pad": lambda a: tf.pad(a, [[1, 0], [0, 2], [1, 1]]),
    "pad_v2": lambda a: tf.pad(a, [[1, 0], [0, 2], [1, 1]], constant_values=2.0),
    "mirror_pad_reflect": lambda a: tf.pad(a, [[1, 1], [2, 1], [1, 2]], "REFLECT"),
    "mirror_pad_symmetric": lambda a: tf.pad(a, [[1, 2], [3, 0], [0, 4]], "SYMMETRIC"),
    "gather": lambda a: tf.gather(a, [1, 0, 1]),
    "gather_axis1": lambda a: tf.gather(a, [[2, 0], [1, 1]], axis=1),
    "gather_axis2": lambda a: tf.gather(a, [3, 0, 3], axis=2),
    "gather_batch_dims": lambda a: tf.gather(a, [[2, 0, 2], [1, 1, 0]], axis=2, batch_dims=1),
    "gather_batch_dims_axis1": lambda a: tf.gather(a, [[[2], [0]], [[1], [1]]], axis=1,
                                                   batch_dims=1),
    "gather_nd": lambda a: tf.gather_nd(a, [[0, 1], [1, 2], [0, 1]]),
    "gather_nd_rows": lambda a: tf.gather_nd(a, [[1], [0], [1]]),
    "scatter_nd": lambda a: tf.scatter_nd([[1], [3]], a, [5, 3, 4]),
    "reverse": lambda a: tf.reverse(a, [0, 2]),
    "broadcast_to": lambda a: tf.broadcast_to(a[:, :1], [3, 2, 2, 4]),
    "top_k": lambda a: tf.nn.top_k(a, 2).values,
    "unsorted_segment_sum": lambda a: tf.unsorted_segment_sum(a, [1, -1], 3),
    "segment_sum": lambda a: tf.reshape(tf.segment_sum(a, [0, 0]), [1, 3, 4]),
    "fill": lambda a: tf.fill([2, 3], tf.reduce_sum(a)),
    "dynamic_partition": lambda a: tf.reshape(tf.dynamic_partition(a, [1, 0], 2)[1], [1, 3, 4]),
    "dynamic_stitch": lambda a: tf.reshape(
        tf.dynamic_stitch([[1, 0], [2]], [a[:2], a[1:]]), [3, 3, 4]),
    "embedding_lookup": lambda a: tf.nn.embedding_lookup(a, [[1, 0], [1, 1]]),
    "embedding_lookup_sharded": lambda a: tf.nn.embedding_lookup([a[0], a[1]], [[1, 0], [3, 2]]),
    "boolean_mask": lambda a: tf.reshape(tf.boolean_mask(a, [True, False]), [1, 3, 4]),
    "matrix_transpose": lambda a: tf.matrix_transpose(a),
    "identity": lambda a: tf.identity(a * 1.0),
    "space_to_batch_nd": lambda a: tf.space_to_batch_nd(a[None], [1, 2], [[0, 1], [1, 0]]),
    "batch_to_space_nd": lambda a: tf.batch_to_space_nd(a[..., None], [2, 1], [[1, 0], [0, 0]]),
    "space_to_depth": lambda a: tf.space_to_depth(a[:, 1:, :2, None], 2),
    "depth_to_space": lambda a: tf.depth_to_space(a[None], 2),
    "roll": lambda a: tf.roll(a, [1, -1], [1, 2]),
    "ensure_shape": lambda a: tf.ensure_shape(a * 1.0, [2, None, 4]),
    "tensor_scatter_update": lambda a: tf.tensor_scatter_update(a, [[1], [0]], a[::-1] * a),
    "tensor_scatter_add": lambda a: tf.tensor_scatter_add(a, [[1, 2], [1, 2]], a[0, :2] * 2.0),
    "tensor_scatter_sub": lambda a: tf.tensor_scatter_sub(a, [[0]], a[1:] * a[1:]),
    "extract_image_patches_same": lambda a: tf.extract_image_patches(
        a[..., None], [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 2, 1], "SAME"),
    "extract_image_patches_valid": lambda a: tf.extract_image_patches(
        tf.transpose(a, [1, 2, 0])[None], [1, 2, 2, 1], [1, 1, 2, 1], [1, 1, 1, 1], "VALID"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient(name):
    check_gradient(CASES[name], X, atol=1e-6)


def test_gather_gradient_is_indexed_slices():
    p = tf.placeholder(tf.float64, [5, 3])
    y = tf.gather(p, [1, 4, 1])
    g = tf.gradients(tf.reduce_sum(y * y), p)[0]
    assert isinstance(g, tf.IndexedSlices)
    x = RNG.randn(5, 3)
    with tf.Session() as sess:
        vals, idx, shape = sess.run([g.values, g.indices, g.dense_shape], {p: x})
    np.testing.assert_array_equal(idx, [1, 4, 1])
    np.testing.assert_array_equal(shape, [5, 3])
    np.testing.assert_allclose(vals, 2 * x[[1, 4, 1]])


def test_non_differentiable_ops_give_none():
    p = tf.placeholder(tf.float64, [3, 4])
    for y in (tf.stop_gradient(p), tf.cast(tf.shape(p), tf.float64),
              tf.cast(tf.where(p > 0), tf.float64), tf.zeros_like(tf.identity(p)),
              tf.one_hot(tf.cast(p, tf.int32), 3)):
        assert tf.gradients(tf.reduce_sum(y), p) == [None]
