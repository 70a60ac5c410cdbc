import os

import pytest

from tensorweave.formats import checkpoint_state as cs

# What TF 2.21's tf.compat.v1.train.update_checkpoint_state wrote for the same arguments.
TF_TEXT = ('model_checkpoint_path: "/ck/model.ckpt-5"\n'
           'all_model_checkpoint_paths: "/ck/model.ckpt-3"\n'
           'all_model_checkpoint_paths: "/ck/model.ckpt-5"\n'
           'all_model_checkpoint_timestamps: 1.5\n'
           'all_model_checkpoint_timestamps: 1700000000.25\n'
           'last_preserved_timestamp: 1699999999.125\n')


def test_text_matches_tf(tmp_path):
    state = cs.generate_checkpoint_state_proto(
        "/ck", "/ck/model.ckpt-5", ["/ck/model.ckpt-3", "/ck/model.ckpt-5"],
        [1.5, 1700000000.25], 1699999999.125)
    cs.write_checkpoint_state(str(tmp_path), state)
    assert open(tmp_path / "checkpoint").read() == TF_TEXT
    assert os.listdir(tmp_path) == ["checkpoint"]  # no temporary left behind


def test_proto_identity():
    d = cs.CheckpointState.DESCRIPTOR
    assert d.full_name == "tensorflow.CheckpointState"
    assert d.file.name == "tensorflow/python/training/checkpoint_state.proto"
    assert [(f.name, f.number) for f in d.fields] == [
        ("model_checkpoint_path", 1), ("all_model_checkpoint_paths", 2),
        ("all_model_checkpoint_timestamps", 3), ("last_preserved_timestamp", 4)]


def test_round_trip_and_relative_paths(tmp_path):
    d = str(tmp_path)
    cs.update_checkpoint_state(d, os.path.join(d, "m-2"), [os.path.join(d, "m-1")],
                               save_relative_paths=True)
    text = open(tmp_path / "checkpoint").read()
    assert text == ('model_checkpoint_path: "m-2"\nall_model_checkpoint_paths: "m-1"\n'
                    'all_model_checkpoint_paths: "m-2"\n')
    state = cs.read_checkpoint_state(d)
    assert state.model_checkpoint_path == os.path.join(d, "m-2")
    assert list(state.all_model_checkpoint_paths) == [os.path.join(d, "m-1"),
                                                      os.path.join(d, "m-2")]


def test_reads_tf_written_state(tf_fixtures):
    d = os.path.join(tf_fixtures, "checkpoint")
    assert cs.read_checkpoint_state(d).model_checkpoint_path == os.path.join(d, "model.ckpt-2")
    assert cs.latest_checkpoint(d) == os.path.join(d, "model.ckpt-2")


def test_missing_garbage_and_empty(tmp_path):
    assert cs.read_checkpoint_state(str(tmp_path)) is None
    assert cs.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text("this is { not a proto")
    assert cs.read_checkpoint_state(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text("")
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        cs.read_checkpoint_state(str(tmp_path))


def test_latest_checkpoint_needs_index(tmp_path):
    cs.update_checkpoint_state(str(tmp_path), "model-1")
    assert cs.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "model-1.index").write_bytes(b"")
    assert cs.latest_checkpoint(str(tmp_path)) == os.path.join(str(tmp_path), "model-1")


def test_atomic_write_failure_leaves_old_file(tmp_path, monkeypatch):
    cs.update_checkpoint_state(str(tmp_path), "a")
    monkeypatch.setattr(cs.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        cs.update_checkpoint_state(str(tmp_path), "b")
    assert os.listdir(tmp_path) == ["checkpoint"]
    assert 'model_checkpoint_path: "a"' in open(tmp_path / "checkpoint").read()
