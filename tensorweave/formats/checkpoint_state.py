"""The `checkpoint` state file: a CheckpointState text proto next to the checkpoints.

CheckpointState is TF's tensorflow/python/training/checkpoint_state.proto. The file is the
message in protobuf text format, written atomically (temp file + rename) as TF does.
"""
import logging
import os
import uuid

from google.protobuf import text_format

from tensorweave.formats._protos import build_file, field, message
from tensorweave.framework import errors

_file = build_file("tensorflow/python/training/checkpoint_state.proto", "tensorflow", [
    message("CheckpointState", [
        field("model_checkpoint_path", 1, "string"),
        field("all_model_checkpoint_paths", 2, "string", repeated=True),
        field("all_model_checkpoint_timestamps", 3, "double", repeated=True),
        field("last_preserved_timestamp", 4, "double"),
    ]),
])
CheckpointState = _file["CheckpointState"]

_log = logging.getLogger("tensorweave")


def _relative(path, save_dir):
    if save_dir and os.path.isabs(path) and os.path.isabs(save_dir):
        return os.path.relpath(path, save_dir)
    return path


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path,
                                    all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None,
                                    last_preserved_timestamp=None):
    """Builds a CheckpointState; the latest path is appended to the list if it is not last."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    stamps = list(all_model_checkpoint_timestamps or [])
    if stamps and len(stamps) != len(paths):
        raise ValueError("Checkpoint timestamps, if provided, must match checkpoint paths "
                         "(got paths %r and timestamps %r)" % (paths, stamps))
    state = CheckpointState(model_checkpoint_path=model_checkpoint_path,
                            all_model_checkpoint_paths=paths,
                            all_model_checkpoint_timestamps=stamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def checkpoint_state_path(save_dir, latest_filename=None):
    """`<save_dir>/<latest_filename or "checkpoint">`."""
    return os.path.join(save_dir, latest_filename or "checkpoint")


def write_checkpoint_state(save_dir, state, latest_filename=None, save_relative_paths=False):
    """Writes `state` to `save_dir/checkpoint` atomically; with `save_relative_paths`,
    absolute paths inside `save_dir` are stored relative to it (Saver's option)."""
    if save_relative_paths:
        rel = CheckpointState()
        rel.CopyFrom(state)
        rel.model_checkpoint_path = _relative(state.model_checkpoint_path, save_dir)
        del rel.all_model_checkpoint_paths[:]
        rel.all_model_checkpoint_paths.extend(
            _relative(p, save_dir) for p in state.all_model_checkpoint_paths)
        state = rel
    path = checkpoint_state_path(save_dir, latest_filename)
    if os.path.abspath(state.model_checkpoint_path) == os.path.abspath(path):
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state. "
                           "Please use a different save path." % state.model_checkpoint_path)
    tmp = "%s.tmp%s" % (path, uuid.uuid4().hex)
    try:
        with open(tmp, "w") as f:
            f.write(text_format.MessageToString(state))
        os.replace(tmp, path)
    except PermissionError:
        _remove(tmp)
        raise errors.PermissionDeniedError(None, None, "%s; Permission denied" % path) from None
    except FileNotFoundError:
        _remove(tmp)
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % path) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(p):
    try:
        os.remove(p)
    except OSError:
        pass


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """Generates and writes the state file, as `tf.train.update_checkpoint_state`."""
    state = generate_checkpoint_state_proto(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths,
        all_model_checkpoint_timestamps, last_preserved_timestamp)
    write_checkpoint_state(save_dir, state, latest_filename, save_relative_paths)


def read_checkpoint_state(checkpoint_dir, latest_filename=None):
    """Returns the CheckpointState in `checkpoint_dir`, or None if there is none.

    As `tf.train.get_checkpoint_state`: relative paths are joined to `checkpoint_dir`; an
    unreadable or unparsable file is logged and ignored (None); a state without a model
    path raises ValueError.
    """
    path = checkpoint_state_path(checkpoint_dir, latest_filename)
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        _log.warning("%s: %s; checkpoint ignored", path, e)
        return None
    state = CheckpointState()
    try:
        text_format.Merge(text, state)
    except text_format.ParseError as e:
        _log.warning("%s: ParseError: %s; checkpoint ignored", path, e)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, p in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, p)
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The latest checkpoint prefix whose `.index` exists, else None (tf.train.latest_checkpoint
    for V2 bundles)."""
    state = read_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if os.path.exists(state.model_checkpoint_path + ".index"):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None
