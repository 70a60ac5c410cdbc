"""Static shapes (with unknown dims), op names/attrs and error cases of the math ops."""
import numpy as np
import pytest

import tensorweave as tf


def ph(shape, dtype=tf.float32, name=None):
    return tf.placeholder(dtype, shape, name=name)


@pytest.mark.parametrize("a,b,want", [
    ([None, 3], [3], [None, 3]), ([None, 1], [1, 4], [None, 4]), ([2, None], [None, 1], [2, None]),
    ([None], [None, None], [None, None]), ([5, 1, 3], [4, 1], [5, 4, 3]), ([], [2], [2]),
])
def test_broadcast_static_shapes(a, b, want):
    assert (ph(a) + ph(b)).shape.as_list() == want
    assert tf.equal(ph(a), ph(b)).shape.as_list() == want


def test_broadcast_unknown_rank_and_errors():
    assert (ph(None) * ph([2, 3])).shape.ndims is None
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        ph([2, 3]) + ph([4])
    with pytest.raises(TypeError):
        ph([2], tf.int32) + ph([2], tf.float32)
    with pytest.raises(TypeError):
        tf.add(ph([2], tf.bool), ph([2], tf.bool))
    with pytest.raises(TypeError):
        tf.reduce_sum(ph([2], tf.bool))


def test_operator_names_and_constants():
    x = ph([2], name="x")
    assert (x + 1).op.name == "add" and (x + 1).op.inputs[1].op.name == "add_1/y"
    r = 2 - x
    assert r.op.type == "Sub" and r.op.inputs[0].op.name == "sub/x"
    assert (x / 2).op.type == "RealDiv" and (x / 2).op.name.startswith("truediv")
    assert (x // 2).op.type == "FloorDiv" and (x % 2).op.type == "FloorMod"
    assert (x ** 2).op.type == "Pow" and (-x).op.type == "Neg" and abs(x).op.type == "Abs"
    assert (x < 1).op.type == "Less" and (x >= 1).op.type == "GreaterEqual"
    b = ph([2], tf.bool)
    assert (b & b).op.name.startswith("and") and (b | b).op.type == "LogicalOr"
    assert (~b).op.type == "LogicalNot"
    xor = b ^ b
    assert xor.op.type == "LogicalAnd" and xor.op.name.startswith("xor")


def test_wrapper_default_names():
    x = ph([2, 3], name="x")
    assert tf.add(x, x).op.name == "Add" and tf.add(x, x).op.type == "AddV2"
    assert tf.reduce_sum(x, 1).op.inputs[1].op.name.endswith("/reduction_indices")
    assert tf.reduce_sum(x).op.inputs[1].op.type == "Const"
    assert tf.argmax(x, 1).op.inputs[1].op.name.endswith("/dimension")
    assert tf.cumsum(x).op.inputs[1].op.name.endswith("/axis")
    assert tf.cast(x, tf.int32, name="c").op.name == "c"
    assert tf.to_float(ph([2], tf.int32)).op.name == "ToFloat"
    assert tf.einsum("ij->ji", x).name == "einsum/Einsum:0"
    assert tf.clip_by_value(x, 0.0, 1.0).op.name == "clip_by_value"
    assert tf.norm(x).name == "norm/Squeeze:0"
    assert tf.reduce_logsumexp(x, 1).name == "ReduceLogSumExp:0"
    eq = tf.equal(x, x)
    assert eq.op.get_attr("incompatible_shape_error") is True
    mm = tf.matmul(x, x, transpose_b=True)
    assert mm.op.get_attr("transpose_b") is True and mm.op.get_attr("grad_a") is False


def test_reduction_shapes():
    x = ph([None, 3, 4])
    assert tf.reduce_sum(x, [0, 2]).shape.as_list() == [3]
    assert tf.reduce_mean(x, -1, keepdims=True).shape.as_list() == [None, 3, 1]
    ax = ph([], tf.int32)
    assert tf.reduce_max(x, ax).shape.ndims is None
    assert tf.reduce_max(x, ax, keepdims=True).shape.as_list() == [None, None, None]
    assert tf.reduce_sum(ph(None)).shape.as_list() == []
    assert tf.reduce_sum(ph(None), 0).shape.ndims is None
    with pytest.raises(ValueError):
        tf.reduce_mean(x, 3)
    assert tf.argmax(x, 1).shape.as_list() == [None, 4]
    with pytest.raises(ValueError):
        tf.argmax(x, 3)
    assert tf.count_nonzero(x, 1).dtype == tf.int64


def test_matmul_shapes_and_errors():
    assert tf.matmul(ph([None, 3]), ph([3, 5])).shape.as_list() == [None, 5]
    assert tf.matmul(ph([3, None]), ph([4, 3]), transpose_a=True,
                     transpose_b=True).shape.as_list() == [None, 4]
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(ph([2, 3]), ph([4, 5]))
    bm = tf.matmul(ph([None, 2, 3]), ph([3, 5]))
    assert bm.op.type == "BatchMatMulV2" and bm.shape.as_list() == [None, 2, 5]
    assert tf.matmul(ph([7, 1, 2, 3]), ph([4, 3, 5])).shape.as_list() == [7, 4, 2, 5]
    with pytest.raises(ValueError):
        tf.matmul(ph([2, 2, 3]), ph([2, 4, 5]))


def test_select_and_einsum_shapes():
    assert tf.where(ph([None], tf.bool), ph([None, 3]), ph([2, 3])).shape.as_list() == [2, 3]
    with pytest.raises(ValueError):
        tf.where(ph([2, 3], tf.bool), ph([2, 3]), ph([3, 3]))
    assert tf.where_v2(ph([3], tf.bool), ph([2, 1]), 0.0).shape.as_list() == [2, 3]
    assert tf.einsum("bij,bjk->bik", ph([None, 2, 3]), ph([None, 3, 4])).shape.as_list() == \
        [None, 2, 4]
    assert tf.einsum("...ij,jk->...ik", ph([5, 6, 2, 3]), ph([3, 4])).shape.as_list() == \
        [5, 6, 2, 4]
    with pytest.raises(ValueError):
        tf.einsum("ij,jk->ik", ph([2, 3]), ph([4, 5]))


def test_cast_static_and_same_dtype():
    x = ph([None, 2])
    c = tf.cast(x, tf.float64)
    assert c.op.get_attr("SrcT") == tf.float32 and c.op.get_attr("DstT") == tf.float64
    assert c.op.get_attr("Truncate") is False and c.shape.as_list() == [None, 2]
    assert tf.cast(x, tf.float32) is x
    assert tf.add_n([x]) is x


def test_kernel_outputs_are_arrays_for_scalars():
    from tensorweave.framework import registry

    ops = registry.registered_ops()
    a = np.asarray(np.float32(2.0))
    axis = np.asarray([], np.int32)
    outs = [ops["AddV2"].kernel(a, a), ops["Sum"].kernel(a, axis), ops["Sqrt"].kernel(a),
            ops["Equal"].kernel(a, a), ops["Cast"].kernel(a, DstT=tf.int32),
            ops["ArgMax"].kernel(np.asarray([1.0, 3.0], np.float32), np.asarray(0, np.int32),
                                 output_type=tf.int64)]
    for o, dt in zip(outs, [np.float32, np.float32, np.float32, np.bool_, np.int32, np.int64]):
        assert isinstance(o, np.ndarray) and o.dtype == dt
