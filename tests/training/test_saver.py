"""tf.train.Saver: TF's save/ graph, round trips, bookkeeping, errors and faults."""
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.compat.api import train_saver
from tensorweave.formats import tensor_bundle

train = train_saver  # tf.train.* names of checkpoints (star-imported into tf.train)


def _model():
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
    w = tf.Variable(7, name="w")
    with tf.variable_scope("scope"):
        s = tf.Variable(np.array([b"a", b""], dtype=object), name="s")
    return v, w, s


def test_saver_graph_matches_tf():
    _model()
    saver = train.Saver()
    sd = saver.saver_def
    assert (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name) == (
        "save/Const:0", "save/control_dependency:0", "save/restore_all")
    assert sd.max_to_keep == 5 and sd.keep_checkpoint_every_n_hours == 10000 and sd.version == 2
    g = tf.get_default_graph()
    types = {op.name: op.type for op in g.get_operations() if op.name.startswith("save")}
    assert types == {
        "save/filename/input": "Const", "save/filename": "PlaceholderWithDefault",
        "save/Const": "PlaceholderWithDefault", "save/SaveV2/tensor_names": "Const",
        "save/SaveV2/shape_and_slices": "Const", "save/SaveV2": "SaveV2",
        "save/control_dependency": "Identity", "save/RestoreV2/tensor_names": "Const",
        "save/RestoreV2/shape_and_slices": "Const", "save/RestoreV2": "RestoreV2",
        "save/Assign": "Assign", "save/Assign_1": "Assign", "save/Assign_2": "Assign",
        "save/restore_all": "NoOp"}
    save = g.get_operation_by_name("save/SaveV2")
    assert [t.name for t in save.inputs][3:] == ["scope/s:0", "v:0", "w:0"]
    nd = save.node_def
    assert [tf.as_dtype(t).name for t in nd.attr["dtypes"].list.type] == [
        "string", "float32", "int32"]
    assert g.get_operation_by_name("save/RestoreV2").device == "/device:CPU:0"
    a = g.get_operation_by_name("save/Assign").node_def
    assert a.attr["use_locking"].b and a.attr["validate_shape"].b
    assert list(a.attr["_class"].list.s) == [b"loc:@scope/s"]
    assert train.Saver().saver_def.restore_op_name == "save_1/restore_all"


def test_save_restore_into_fresh_graph(tmp_path):
    v, w, s = _model()
    saver = train.Saver()
    prefix = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, 42))
        assert saver.save(sess, prefix, global_step=3) == prefix + "-3"
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model-3.data-00000-of-00001", "model-3.index", "model-3.meta"]
    assert open(tmp_path / "checkpoint").read() == (
        'model_checkpoint_path: "%s-3"\nall_model_checkpoint_paths: "%s-3"\n' % (prefix, prefix))
    assert train.latest_checkpoint(str(tmp_path)) == prefix + "-3"
    assert train.checkpoint_exists(prefix + "-3") and not train.checkpoint_exists(prefix)
    tf.reset_default_graph()
    v2, w2, s2 = _model()
    saver2 = train.Saver()
    with tf.Session() as sess:
        saver2.restore(sess, prefix + "-3")
        got_v, got_w, got_s = sess.run([v2, w2, s2])
    np.testing.assert_array_equal(got_v, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert got_v.dtype == np.float32 and got_w == 42 and list(got_s) == [b"a", b""]


def test_var_list_dict_and_relative_paths(tmp_path):
    v, w, _ = _model()
    saver = train.Saver({"renamed/v": v, "w": w}, save_relative_paths=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert open(tmp_path / "checkpoint").read().startswith('model_checkpoint_path: "m"')
    assert train.list_variables(str(tmp_path)) == [("renamed/v", [2, 3]), ("w", [])]
    assert train.load_variable(str(tmp_path), "w") == 7
    r = train.NewCheckpointReader(path)
    assert r.has_tensor("renamed/v") and not r.has_tensor("v")
    assert r.get_variable_to_dtype_map()["w"] == tf.int32
    state = train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == os.path.join(str(tmp_path), "m")


def test_max_to_keep_and_recover(tmp_path):
    v = tf.Variable(1.0, name="v")
    saver = train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "ck")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(4):
            saver.save(sess, prefix, global_step=step)
    assert saver.last_checkpoints == [prefix + "-2", prefix + "-3"]
    assert not os.path.exists(prefix + "-1.index") and not os.path.exists(prefix + "-0.meta")
    assert os.path.exists(prefix + "-2.index")
    state = train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [prefix + "-2", prefix + "-3"]
    s2 = train.Saver(max_to_keep=2)
    s2.recover_last_checkpoints([prefix + "-2", prefix + "-3"])
    assert s2.last_checkpoints == [prefix + "-2", prefix + "-3"]
    s2.set_last_checkpoints_with_time([(prefix + "-3", 5.0)])
    assert s2.last_checkpoints == [prefix + "-3"]
    del v


def test_keep_checkpoint_every_n_hours_keeps_old(tmp_path):
    tf.Variable(1.0, name="v")
    saver = train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "ck"), global_step=step, write_meta_graph=False)
    assert os.path.exists(str(tmp_path / "ck-0.index"))


def test_missing_variable_is_not_found_naming_it(tmp_path):
    tf.Variable([1.0, 2.0], name="dense/kernel")
    saver = train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    tf.Variable([1.0, 2.0], name="dense/kernels")
    saver = train.Saver()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError) as e:
            saver.restore(sess, path)
    msg = str(e.value)
    assert "Key dense/kernels not found in checkpoint" in msg
    assert "dense/kernel" in msg.split("close to it:")[1]
    assert "Restoring from checkpoint failed" in msg


def test_shape_and_dtype_mismatch_name_both(tmp_path):
    tf.Variable([1.0, 2.0], name="v")
    saver = train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    tf.Variable([1.0, 2.0, 3.0], name="v")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"lhs shape= \[3\] rhs shape= "
                           r"\[2\]"):
            train.Saver().restore(sess, path)
    tf.reset_default_graph()
    tf.Variable([1, 2], name="v")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="expected dtype int32 does not equal original dtype float"):
            train.Saver().restore(sess, path)


def test_restore_bad_path_raises_value_error(tmp_path):
    tf.Variable(1.0, name="v")
    saver = train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(sess, str(tmp_path / "nothing"))
        with pytest.raises(ValueError, match="None"):
            saver.restore(sess, None)


def test_no_variables_raises():
    with pytest.raises(ValueError, match="No variables to save"):
        train.Saver()
    assert train.Saver(allow_empty=True).saver_def is None


def test_interrupted_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    v = tf.Variable([1.0, 2.0], name="v")
    saver = train.Saver()
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, prefix)
        sess.run(tf.assign(v, [9.0, 9.0]))

        def boom(self, buf):
            raise OSError("disk full (simulated)")

        monkeypatch.setattr(tensor_bundle.BundleWriter, "_write", boom)
        with pytest.raises(Exception, match="simulated"):
            saver.save(sess, prefix)
        monkeypatch.undo()
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint", "m.data-00000-of-00001", "m.index", "m.meta"]
        saver.restore(sess, train.latest_checkpoint(str(tmp_path)))
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


@pytest.mark.parametrize("which", ["index", "data"])
def test_corrupted_files_are_data_loss(tmp_path, which):
    v = tf.Variable(np.arange(100, dtype=np.float32), name="v")
    saver = train.Saver()
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, prefix)
        f = prefix + (".index" if which == "index" else ".data-00000-of-00001")
        raw = bytearray(open(f, "rb").read())
        raw[len(raw) // 3] ^= 0x40
        open(f, "wb").write(bytes(raw))
        with pytest.raises(tf.errors.DataLossError):
            saver.restore(sess, prefix)
        open(f, "wb").write(bytes(raw[:len(raw) // 2]))
        with pytest.raises(tf.errors.DataLossError):
            saver.restore(sess, prefix)
    del v


def test_import_meta_graph_and_restore(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    y = tf.matmul(x, w, name="y")
    tf.add_to_collection("outputs", y)
    tf.add_to_collection("lr", 0.5)
    tf.add_to_collection("steps", 3)
    tf.add_to_collection("names", b"hello")
    saver = train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [[3.0], [4.0]]))
        path = saver.save(sess, str(tmp_path / "m"), global_step=1)
    tf.reset_default_graph()
    saver2 = train.import_meta_graph(path + ".meta")
    g = tf.get_default_graph()
    assert [v.op.name for v in tf.global_variables()] == ["w"]
    assert [v.op.name for v in tf.trainable_variables()] == ["w"]
    assert g.get_collection("outputs")[0].name == "y:0"
    assert g.get_collection("lr") == [0.5] and g.get_collection("steps") == [3]
    assert g.get_collection("names") == [b"hello"]
    with tf.Session() as sess:
        saver2.restore(sess, path)
        out = sess.run("y:0", {"x:0": [[1.0, 1.0]]})
    np.testing.assert_allclose(out, [[7.0]])


def test_import_meta_graph_scope_and_clear_devices(tmp_path):
    with tf.device("/cpu:0"):
        v = tf.Variable(2.0, name="v")
    mgd = train.export_meta_graph(str(tmp_path / "g.meta"))
    assert mgd.meta_info_def.stripped_op_list.op
    tf.reset_default_graph()
    train.import_meta_graph(str(tmp_path / "g.meta"), clear_devices=True, import_scope="imp")
    op = tf.get_default_graph().get_operation_by_name("imp/v")
    assert op.device == ""
    assert [x.op.name for x in tf.global_variables()] == ["imp/v"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run("imp/v:0") == 2.0
    del v


def test_sharded_save_restore(tmp_path):
    with tf.device("/cpu:0"):
        a = tf.Variable([1.0, 2.0], name="a")
    with tf.device("/job:localhost/replica:0/task:0/device:CPU:0"):
        b = tf.Variable([3], name="b")
    saver = train.Saver(sharded=True)
    assert saver.saver_def.sharded and saver.saver_def.save_tensor_name == "save/Identity:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
        assert sorted(f for f in os.listdir(tmp_path) if not f.startswith("m.meta")) == [
            "checkpoint", "m.data-00000-of-00002", "m.data-00001-of-00002", "m.index"]
        assert train.NewCheckpointReader(path).get_tensor("b").tolist() == [3]
        sess.run(tf.assign(a, [0.0, 0.0]))
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
    del b


def test_init_from_checkpoint_scope_mapping(tmp_path):
    with tf.variable_scope("old"):
        tf.Variable([1.0, 2.0], name="a")
        tf.Variable(5, name="b")
    saver = train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    with tf.variable_scope("new"):
        a = tf.Variable([0.0, 0.0], name="a")
        b = tf.Variable(0, name="b")
    c = tf.Variable(9.0, name="c")
    train.init_from_checkpoint(str(tmp_path), {"old/": "new/"})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([a, b, c])
    np.testing.assert_array_equal(got[0], [1.0, 2.0])
    assert got[1] == 5 and got[2] == 9.0


def test_update_checkpoint_state_helpers(tmp_path):
    d = str(tmp_path)
    train.update_checkpoint_state(d, os.path.join(d, "m-2"), [os.path.join(d, "m-1")])
    st = train.get_checkpoint_state(d)
    assert list(st.all_model_checkpoint_paths) == [os.path.join(d, "m-1"), os.path.join(d, "m-2")]
    assert train.latest_checkpoint(d) is None  # no index file exists


def test_nothing_is_unpickled_or_evaluated_from_files():
    import tensorweave

    root = os.path.dirname(tensorweave.__file__)
    mine = ["framework/graph_io.py", "framework/meta_graph.py", "framework/graph_util.py",
            "training/saver.py", "training/checkpoint/io_ops.py",
            "training/checkpoint/checkpoint_utils.py", "saved_model/loader.py",
            "saved_model/builder.py", "formats/tensor_bundle.py", "formats/table.py"]
    for rel in mine:
        src = open(os.path.join(root, rel)).read()
        for bad in ("import pickle", "pickle.load", " eval(", "exec(", "allow_pickle=True",
                    "yaml.load", "import marshal", "import dill"):
            assert bad not in src, (rel, bad)


def test_string_tensors_come_back_as_bytes_not_objects(tmp_path):
    payload = b"cos\nsystem\n(S'echo hi'\ntR."  # a pickle program stays inert bytes
    v = tf.Variable(np.array([payload], dtype=object), name="v")
    saver = train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"))
    got = train.load_variable(path, "v")
    assert list(got) == [payload] and type(got[0]) is bytes
    del v
