"""Resource-variable ops (VarHandleOp, ReadVariableOp, Assign*VariableOp, ResourceGather,
ResourceScatter*, ResourceApply*) and resource variables imported from TF's MetaGraphs.

Kernels are checked against NumPy on random inputs in float32 and float64; the gradient
through ReadVariableOp against central differences; TF's attrs survive a GraphDef round trip.
"""
import json
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.compat.api import train_saver as train
from tensorweave.framework import errors
from tensorweave.ops import resource_variable_ops as rv

FLOATS = [np.float32, np.float64]
FIX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                   "tf_fixtures", "checkpoint")


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


def _rng(seed=0):
    return np.random.default_rng(seed)


def _handle(shape, dtype=tf.float32, name="v", shared_name=None):
    return rv.var_handle_op(dtype, shape, shared_name=name if shared_name is None else
                            shared_name, name=name)


# ------------------------------------------------------------ VarHandleOp / Read / Assign
def test_var_handle_attrs_shapes_and_value():
    h = _handle([2, 3], tf.float64, name="W")
    assert h.op.type == "VarHandleOp" and h.dtype == tf.resource
    assert h.shape.as_list() == []
    assert h.op.get_attr("shared_name") == "W"
    assert h.op.get_attr("container") == "" and h.op.get_attr("allowed_devices") == []
    assert h.op.get_attr("dtype") == tf.float64
    assert h.op.get_attr("shape").as_list() == [2, 3]
    r = rv.read_variable_op(h, tf.float64)
    assert r.op.type == "ReadVariableOp" and r.dtype == tf.float64
    assert r.shape.as_list() == [2, 3]
    unknown = rv.var_handle_op(tf.float32, [None, 4], name="U")
    assert rv.read_variable_op(unknown, tf.float32).shape.as_list() == [None, 4]
    with tf.Session() as sess:
        assert sess.run(h) == "W"


def test_handle_value_is_op_name_without_shared_name():
    h = rv.var_handle_op(tf.float32, [2], name="anon")
    a = rv.assign_variable_op(h, np.array([1.5, 2.5], np.float32))
    with tf.Session() as sess:
        assert sess.run(h) == "anon"
        sess.run(a)
        np.testing.assert_array_equal(sess.run(rv.read_variable_op(h, tf.float32)), [1.5, 2.5])


@pytest.mark.parametrize("dt", FLOATS)
def test_assign_read_add_sub(dt):
    rng = _rng(1)
    x, d1, d2 = (rng.standard_normal((3, 4)).astype(dt) for _ in range(3))
    h = _handle([3, 4], tf.as_dtype(dt))
    assign = rv.assign_variable_op(h, x)
    assert assign.type == "AssignVariableOp" and assign.outputs == []
    assert assign.get_attr("validate_shape") is False and assign.get_attr("dtype") == dt
    read = rv.read_variable_op(h, dt)
    add = rv.assign_add_variable_op(h, d1)
    sub = rv.assign_sub_variable_op(h, d2)
    with tf.Session() as sess:
        sess.run(assign)
        got = sess.run(read)
        assert got.dtype == dt
        np.testing.assert_array_equal(got, x)
        sess.run(add)
        np.testing.assert_allclose(sess.run(read), x + d1, rtol=1e-6)
        sess.run(sub)
        np.testing.assert_allclose(sess.run(read), x + d1 - d2, rtol=1e-6)
        # a fetched read is a snapshot: later updates leave it alone
        before = sess.run(read)
        sess.run(add)
        np.testing.assert_allclose(before, x + d1 - d2, rtol=1e-6)


def test_values_live_in_the_session_shared_with_ref_variables():
    h = _handle([2], name="shared")
    assign = rv.assign_variable_op(h, np.array([3.0, 4.0], np.float32))
    read = rv.read_variable_op(h, tf.float32)
    with tf.Session() as s1, tf.Session() as s2:
        s1.run(assign)
        np.testing.assert_array_equal(s1.run(read), [3.0, 4.0])
        with pytest.raises(errors.FailedPreconditionError):
            s2.run(read)


def test_uninitialized_read_error():
    h = _handle([2], name="never")
    read = rv.read_variable_op(h, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError) as e:
            sess.run(read)
    msg = str(e.value)
    assert "Error while reading resource variable never" in msg
    assert "uninitialized" in msg
    assert e.value.op is read.op
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError):
            sess.run(rv.assign_add_variable_op(h, np.ones(2, np.float32)))


def test_is_initialized_destroy_and_variable_shape():
    h = _handle([2, 5], tf.float64)
    init = rv.var_is_initialized_op(h)
    assert init.dtype == tf.bool and init.shape.as_list() == []
    shape = rv.variable_shape(h)
    assert shape.dtype == tf.int32 and shape.shape.as_list() == [2]
    destroy = rv.registry.apply_op("DestroyResourceOp", [h], name="Destroy")
    assert destroy.get_attr("ignore_lookup_error") is True
    with tf.Session() as sess:
        assert not sess.run(init)
        sess.run(rv.assign_variable_op(h, np.zeros((2, 5))))
        assert sess.run(init)
        np.testing.assert_array_equal(sess.run(shape), [2, 5])
        sess.run(destroy)
        assert not sess.run(init)


def test_dtype_and_shape_errors():
    h = _handle([2], tf.float32, name="f")
    assign = rv.assign_variable_op(h, np.ones(2, np.float32))
    with tf.Session() as sess:
        sess.run(assign)
        with pytest.raises(errors.InvalidArgumentError, match="wrong dtype"):
            sess.run(rv.read_variable_op(h, tf.int32))
        with pytest.raises(errors.InvalidArgumentError, match="shapes must be equal"):
            sess.run(rv.assign_add_variable_op(h, np.ones(3, np.float32)))
        ph = tf.placeholder(tf.float32, [None])
        v = rv.assign_variable_op(h, ph, validate_shape=True)
        sess.run(v, {ph: np.zeros(2, np.float32)})
        with pytest.raises(errors.InvalidArgumentError, match="wrong shape"):
            sess.run(v, {ph: np.zeros(3, np.float32)})
    with pytest.raises(ValueError):
        rv.assign_variable_op(h, np.ones(3, np.float32), validate_shape=True, name="static")


# --------------------------------------------------------------- Gather / Scatter
@pytest.mark.parametrize("dt", FLOATS)
def test_resource_gather(dt):
    rng = _rng(2)
    x = rng.standard_normal((5, 3)).astype(dt)
    idx = np.array([[4, 0], [2, 2]], np.int32)
    h = _handle([5, 3], tf.as_dtype(dt))
    g = rv.resource_gather(h, idx, dt)
    assert g.op.type == "ResourceGather" and g.shape.as_list() == [2, 2, 3]
    assert g.op.get_attr("Tindices") == tf.int32 and g.op.get_attr("batch_dims") == 0
    bad = rv.resource_gather(h, np.array([5], np.int64), dt)
    with tf.Session() as sess:
        sess.run(rv.assign_variable_op(h, x))
        got = sess.run(g)
        assert got.dtype == dt
        np.testing.assert_array_equal(got, x[idx])
        with pytest.raises(errors.InvalidArgumentError):
            sess.run(bad)


@pytest.mark.parametrize("dt", FLOATS)
def test_resource_scatter(dt):
    rng = _rng(3)
    x = rng.standard_normal((4, 2)).astype(dt)
    idx = np.array([1, 3, 1], np.int32)
    upd = rng.standard_normal((3, 2)).astype(dt)
    h = _handle([4, 2], tf.as_dtype(dt))
    read = rv.read_variable_op(h, dt)
    with tf.Session() as sess:
        sess.run(rv.assign_variable_op(h, x))
        sess.run(rv.resource_scatter("ResourceScatterAdd", h, idx, upd))
        want = x.copy()
        np.add.at(want, idx, upd)
        np.testing.assert_allclose(sess.run(read), want, rtol=1e-6)
        sess.run(rv.resource_scatter("ResourceScatterUpdate", h, np.array([0, 2]), upd[:2]))
        want[[0, 2]] = upd[:2]
        np.testing.assert_allclose(sess.run(read), want, rtol=1e-6)
        sess.run(rv.resource_scatter("ResourceScatterMax", h, idx, upd))
        np.maximum.at(want, idx, upd)
        np.testing.assert_allclose(sess.run(read), want, rtol=1e-6)


# -------------------------------------------------------------------- ResourceApply*
@pytest.mark.parametrize("dt", FLOATS)
def test_resource_apply_gradient_descent_and_adam(dt):
    rng = _rng(4)
    w, m, v = rng.standard_normal((3, 2)).astype(dt), np.zeros((3, 2), dt), np.zeros((3, 2), dt)
    v[:] = np.abs(rng.standard_normal((3, 2)))
    grad = rng.standard_normal((3, 2)).astype(dt)
    hw, hm, hv = (_handle([3, 2], tf.as_dtype(dt), name=n) for n in ("w", "m", "v"))
    hg = _handle([3, 2], tf.as_dtype(dt), name="g")
    inits = [rv.assign_variable_op(h, a) for h, a in ((hw, w), (hm, m), (hv, v), (hg, w))]
    c = lambda x: np.asarray(x, dt)  # noqa: E731
    adam = rv.resource_apply("ResourceApplyAdam", [hw, hm, hv, c(0.9), c(0.999), c(0.1),
                                                   c(0.9), c(0.999), c(1e-7), grad])
    assert adam.outputs == [] and adam.get_attr("use_nesterov") is False
    assert [t.op.name for t in adam.inputs[:3]] == ["w", "m", "v"]
    gd = rv.resource_apply("ResourceApplyGradientDescent", [hg, c(0.5), grad])
    with tf.Session() as sess:
        sess.run(inits)
        sess.run([adam, gd])
        got = sess.run([rv.read_variable_op(h, dt) for h in (hw, hm, hv, hg)])
    lr_t = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    m1 = 0.1 * grad
    v1 = v + (grad * grad - v) * (1 - 0.999)
    tol = 1e-5 if dt == np.float32 else 1e-12
    np.testing.assert_allclose(got[1], m1, rtol=tol)
    np.testing.assert_allclose(got[2], v1, rtol=tol)
    np.testing.assert_allclose(got[0], w - lr_t * m1 / (np.sqrt(v1) + 1e-7), rtol=tol)
    np.testing.assert_allclose(got[3], w - 0.5 * grad, rtol=tol)
    assert all(g.dtype == dt for g in got)


def test_resource_apply_uninitialized_slot():
    hw, hm = _handle([2], name="w"), _handle([2], name="acc")
    op = rv.resource_apply("ResourceApplyMomentum", [hw, hm, np.float32(0.1),
                                                     np.ones(2, np.float32), np.float32(0.9)])
    with tf.Session() as sess:
        sess.run(rv.assign_variable_op(hw, np.ones(2, np.float32)))
        with pytest.raises(errors.FailedPreconditionError, match="acc"):
            sess.run(op)


# ---------------------------------------------------------------------- gradients
def _jacobians(y, handle, dt, x0, delta=1e-6):
    """(analytic, numeric) Jacobians of y w.r.t. the variable behind `handle`."""
    ph = tf.placeholder(dt, x0.shape)
    assign = rv.assign_variable_op(handle, ph)
    (dh,) = tf.gradients(y, handle)
    ny, nx = int(np.prod(y.shape.as_list())), x0.size
    dy = tf.placeholder(dt, y.shape)
    (vjp,) = tf.gradients(y, handle, grad_ys=dy)
    ana, num = np.zeros((nx, ny)), np.zeros((nx, ny))
    def dense(v):
        if isinstance(v, tf.IndexedSlicesValue):
            d = np.zeros(v.dense_shape, v.values.dtype)
            np.add.at(d, v.indices, v.values)
            return d
        return v

    with tf.Session() as sess:
        sess.run(assign, {ph: x0})
        for j in range(ny):
            onehot = np.zeros(ny)
            onehot[j] = 1
            ana[:, j] = dense(sess.run(vjp, {dy: onehot.reshape(y.shape.as_list())})).reshape(-1)
        for i in range(nx):
            for sign in (1, -1):
                x = x0.copy().reshape(-1)
                x[i] += sign * delta
                sess.run(assign, {ph: x.reshape(x0.shape)})
                num[i] += sign * sess.run(y).reshape(-1) / (2 * delta)
        sess.run(assign, {ph: x0})
        full = dense(sess.run(dh))
    return ana, num, full


def test_gradient_through_read_variable_op():
    rng = _rng(5)
    x0 = rng.standard_normal((3, 2))
    a = tf.constant(rng.standard_normal((2, 4)))
    h = _handle([3, 2], tf.float64, name="x")
    r = rv.read_variable_op(h, tf.float64)
    y = tf.tanh(tf.matmul(r, a)) * tf.reduce_sum(r * r)
    ana, num, full = _jacobians(y, h, tf.float64, x0)
    assert np.abs(ana - num).max() < 1e-6
    np.testing.assert_allclose(full, ana.sum(axis=1).reshape(3, 2), rtol=1e-10)
    # the gradient w.r.t. the handle equals the gradient w.r.t. the read value
    (dr,) = tf.gradients(y, r)
    (dh,) = tf.gradients(y, h)
    with tf.Session() as sess:
        sess.run(rv.assign_variable_op(h, x0))
        np.testing.assert_allclose(*sess.run([dr, dh]))


def test_resource_gather_gradient_is_indexed_slices():
    rng = _rng(6)
    x0 = rng.standard_normal((5, 2))
    h = _handle([5, 2], tf.float64, name="emb")
    idx = tf.constant(np.array([[3, 1], [3, 0]], np.int32))
    y = tf.reduce_sum(tf.square(rv.resource_gather(h, idx, tf.float64)), axis=-1)
    (dh,) = tf.gradients(y, h)
    assert isinstance(dh, tf.IndexedSlices)
    ana, num, _ = _jacobians(y, h, tf.float64, x0)
    assert np.abs(ana - num).max() < 1e-6
    with tf.Session() as sess:
        sess.run(rv.assign_variable_op(h, x0))
        vals, ind, shape = sess.run([dh.values, dh.indices, dh.dense_shape])
    assert vals.shape == (4, 2) and ind.tolist() == [3, 1, 3, 0]
    assert shape.tolist() == [5, 2]


# -------------------------------------------------------------------- GraphDef
def test_graph_def_round_trip():
    h = _handle([2, 2], tf.float32, name="W")
    rv.assign_variable_op(h, np.full((2, 2), 1.5, np.float32), name="W/Assign")
    read = rv.read_variable_op(h, tf.float32, name="W/Read/ReadVariableOp")
    rv.assign_add_variable_op(h, np.ones((2, 2), np.float32), name="W/add")
    rv.var_is_initialized_op(h, name="W/IsInitialized/VarIsInitializedOp")
    rv.resource_gather(h, np.array([1], np.int32), tf.float32, name="W/gather")
    gd = tf.get_default_graph().as_graph_def()
    nodes = {n.name: n for n in gd.node}
    assert nodes["W"].op == "VarHandleOp"
    assert nodes["W"].attr["shared_name"].s == b"W"
    assert nodes["W"].attr["dtype"].type == 1
    assert [d.size for d in nodes["W"].attr["shape"].shape.dim] == [2, 2]
    assert list(nodes["W/Read/ReadVariableOp"].input) == ["W"]
    assert list(nodes["W/Assign"].input) == ["W", "W/Assign/value"] or \
        nodes["W/Assign"].input[0] == "W"
    assert read.shape.as_list() == [2, 2]
    with tf.Graph().as_default() as g2:
        tf.import_graph_def(gd, name="")
        r2 = g2.get_tensor_by_name("W/Read/ReadVariableOp:0")
        assert r2.shape.as_list() == [2, 2] and r2.dtype == tf.float32
        assert g2.get_operation_by_name("W").get_attr("shape").as_list() == [2, 2]
        with tf.Session() as sess:
            assert not sess.run("W/IsInitialized/VarIsInitializedOp:0")
            sess.run("W/Assign")
            sess.run("W/add")
            np.testing.assert_array_equal(sess.run(r2), np.full((2, 2), 2.5, np.float32))
            np.testing.assert_array_equal(sess.run("W/gather:0"), [[2.5, 2.5]])


# ------------------------------------------------------- TF's MetaGraph and Saver
def _expected():
    with open(os.path.join(FIX, "expected.json")) as f:
        return json.load(f)


def test_tf_meta_graph_trains_one_more_step_as_tf():
    exp = _expected()
    saver = train.import_meta_graph(os.path.join(FIX, exp["prefix"] + ".meta"))
    g = tf.get_default_graph()
    variables = {v.op.name: v for v in tf.global_variables()}
    assert isinstance(variables["dense/kernel"], rv.ResourceVariable)
    assert variables["dense/kernel"].dtype == tf.float32
    assert variables["dense/kernel"].shape.as_list() == [3, 1]
    assert variables["names"].dtype == tf.string
    train_op = tf.get_collection("train_op")[0]
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(FIX, exp["prefix"]))
        np.testing.assert_allclose(sess.run("Mean:0"), 0.6773896, rtol=1e-6)
        sess.run(train_op)
        loss, kernel, bias, step, b1p = sess.run(
            ["Mean:0", "dense/kernel/Read/ReadVariableOp:0", "dense/bias/Read/ReadVariableOp:0",
             "global_step/Read/ReadVariableOp:0", variables["beta1_power"].value()])
        assert sess.run(variables["dense/bias"].is_initialized())
        assert [n.decode() if isinstance(n, bytes) else n
                for n in sess.run(variables["names"].value())][0] == b"hello".decode()
    # recorded from TF 2.21 (the same graph, restore, one more train step)
    np.testing.assert_allclose(loss, 0.6670421957969666, rtol=1e-6)
    np.testing.assert_allclose(kernel, [[-0.18361985683441162], [-0.4780823886394501],
                                        [0.028228946030139923]], rtol=1e-5)
    np.testing.assert_allclose(bias, [-0.01636047288775444], rtol=1e-5)
    assert step == 3
    np.testing.assert_allclose(b1p, 0.6560999155044556, rtol=1e-6)
    assert g.get_operation_by_name("Adam/update_dense/kernel/ResourceApplyAdam").outputs == []


def test_new_saver_over_imported_resource_variables_round_trips(tmp_path):
    exp = _expected()
    train.import_meta_graph(os.path.join(FIX, exp["prefix"] + ".meta"))
    saver = train.Saver(name="mysave")
    g = tf.get_default_graph()
    assert g.get_operation_by_name("mysave/AssignVariableOp").type == "AssignVariableOp"
    save = g.get_operation_by_name("mysave/SaveV2")
    assert "dense/bias/Read/ReadVariableOp:0" in [t.name for t in save.inputs]
    emb = [v for v in tf.global_variables() if v.op.name == "emb"][0]
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(FIX, exp["prefix"]))
        want = exp["tensors"]["emb"]["values"]
        np.testing.assert_array_equal(sess.run(emb).reshape(-1), np.float32(want))
        sess.run(emb.assign(emb.value() * 2.0))
        path = saver.save(sess, str(tmp_path / "again"))
    reader = train.load_checkpoint(path)
    np.testing.assert_allclose(reader.get_tensor("emb").reshape(-1), np.float32(want) * 2)
    assert reader.get_tensor("global_step") == 2
    assert list(reader.get_tensor("names")) == [b"hello", b"", b"tensor\x00weave"]
