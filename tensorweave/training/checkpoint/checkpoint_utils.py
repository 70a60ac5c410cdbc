"""tf.train checkpoint utilities: state file helpers, NewCheckpointReader / load_checkpoint /
list_variables / load_variable, and init_from_checkpoint."""
import glob
import os
import time

import numpy as np

from tensorweave.formats import checkpoint_state as _state
from tensorweave.formats import tensor_bundle
from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib

CheckpointState = _state.CheckpointState
generate_checkpoint_state_proto = _state.generate_checkpoint_state_proto


# ----------------------------------------------------------------- state file
def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """tf.train.get_checkpoint_state: the CheckpointState in `checkpoint_dir` or None."""
    return _state.read_checkpoint_state(os.fspath(checkpoint_dir), latest_filename)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """tf.train.latest_checkpoint: the newest checkpoint prefix in `checkpoint_dir` or None."""
    return _state.latest_checkpoint(os.fspath(checkpoint_dir), latest_filename)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """tf.train.update_checkpoint_state."""
    _state.update_checkpoint_state(
        os.fspath(save_dir), model_checkpoint_path, all_model_checkpoint_paths,
        latest_filename, all_model_checkpoint_timestamps, last_preserved_timestamp,
        save_relative_paths=save_relative_paths)


def checkpoint_exists(checkpoint_prefix):
    """tf.train.checkpoint_exists: a V2 `.index` (or a V1 file) exists for the prefix."""
    p = os.fspath(checkpoint_prefix)
    if os.path.exists(p + ".index"):
        return True
    return bool(glob.glob(p)) and not os.path.isdir(p)


def get_checkpoint_mtimes(checkpoint_prefixes):
    """tf.train.get_checkpoint_mtimes: modification times of the checkpoints' index files."""
    out = []
    for p in checkpoint_prefixes:
        for cand in (p + ".index", p):
            if os.path.isfile(cand):
                out.append(os.path.getmtime(cand))
                break
    return out


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2, meta_graph_suffix="meta"):
    """tf.train.remove_checkpoint: deletes the checkpoint's index, data shards and meta graph."""
    p = os.fspath(checkpoint_prefix)
    paths = [p + ".index", "%s.%s" % (p, meta_graph_suffix)]
    paths += glob.glob(glob.escape(p) + ".data-?????-of-?????")
    for f in paths:
        try:
            os.remove(f)
        except FileNotFoundError:
            pass


def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """`<checkpoint prefix without a -?????-of-????? shard suffix>.<suffix>`."""
    import re

    basename = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return ".".join([basename, meta_graph_suffix])


# -------------------------------------------------------------------- readers
class CheckpointReader:
    """pywrap CheckpointReader: has_tensor, get_tensor, get_variable_to_shape_map,
    get_variable_to_dtype_map, debug_string."""

    def __init__(self, filepattern):
        self._prefix = os.fspath(filepattern)
        self._reader = tensor_bundle.BundleReader(self._prefix)

    def has_tensor(self, tensor_str):
        return self._reader.has_tensor(_as_text(tensor_str))

    def get_tensor(self, tensor_str):
        name = _as_text(tensor_str)
        if not self._reader.has_tensor(name):
            raise errors.NotFoundError(None, None, "Key %s not found in checkpoint" % name)
        arr = self._reader.lookup(name)
        if arr.dtype.byteorder == "<" and arr.dtype.itemsize > 1:
            arr = arr.astype(arr.dtype.newbyteorder("="), copy=False)
        if arr.ndim == 0 and arr.dtype == object:
            return arr.item()
        return arr

    def get_variable_to_shape_map(self):
        return {k: list(v) for k, v in self._reader.var_to_shape_map().items()}

    def get_variable_to_dtype_map(self):
        return self._reader.var_to_dtype_map()

    def debug_string(self):
        lines = []
        for k in self._reader.keys():
            dt, shape = self._reader.dtype_and_shape(k)
            lines.append("%s (%s) %s" % (k, dt.name, shape))
        return ("\n".join(lines) + "\n").encode()

    def close(self):
        self._reader.close()


def _as_text(s):
    return s.decode("utf-8") if isinstance(s, bytes) else str(s)


def NewCheckpointReader(filepattern):  # noqa: N802 - TF's public name
    """tf.train.NewCheckpointReader."""
    return CheckpointReader(filepattern)


def _get_checkpoint_filename(ckpt_dir_or_file):
    p = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(p):
        latest = latest_checkpoint(p)
        if latest is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory "
                             "%s" % p)
        return latest
    return p


def load_checkpoint(ckpt_dir_or_file):
    """tf.train.load_checkpoint: a CheckpointReader for a file or the latest in a directory."""
    filename = _get_checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory %s"
                         % ckpt_dir_or_file)
    return NewCheckpointReader(filename)


def load_variable(ckpt_dir_or_file, name):
    """tf.train.load_variable: the value of `name` ('x:0' is accepted as 'x')."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """tf.train.list_variables: sorted [(name, shape)]."""
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    return [(k, shapes[k]) for k in sorted(shapes)]


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
                            timeout=None):
    """tf.train.wait_for_new_checkpoint."""
    stop = time.time() + timeout if timeout is not None else None
    while True:
        p = latest_checkpoint(checkpoint_dir)
        if p is not None and p != last_checkpoint:
            return p
        if stop is not None and time.time() + seconds_to_sleep > stop:
            return None
        time.sleep(seconds_to_sleep)


# ------------------------------------------------------------ init_from_checkpoint
def _var_key(v):
    name = v.op.name if hasattr(v, "op") else str(v)
    return name


def _collect_vars(graph):
    out = {}
    for key in (graph_lib.GraphKeys.GLOBAL_VARIABLES, graph_lib.GraphKeys.LOCAL_VARIABLES):
        for v in graph.get_collection(key):
            if hasattr(v, "op"):
                out.setdefault(v.op.name, v)
    return out


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """tf.train.init_from_checkpoint: makes the listed variables' initializers load their
    values from the checkpoint.

    assignment_map maps checkpoint names (or 'scope/') to graph variables, variable names or
    scopes ('scope/': 'scope/' maps every variable under a scope; '/' is the root scope).
    """
    from tensorweave.framework import registry

    reader = load_checkpoint(ckpt_dir_or_file)
    ckpt_file = _get_checkpoint_filename(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    g = graph_lib.get_default_graph()
    store_vars = _collect_vars(g)
    pairs = []
    items = assignment_map.items() if isinstance(assignment_map, dict) else assignment_map
    for tensor_name_in_ckpt, current in items:
        if not isinstance(current, str):
            var_list = current if isinstance(current, (list, tuple)) else [current]
            if tensor_name_in_ckpt not in shapes:
                raise ValueError("Tensor %s is not found in %s checkpoint %s" % (
                    tensor_name_in_ckpt, ckpt_dir_or_file, shapes))
            for v in var_list:
                pairs.append((tensor_name_in_ckpt, v))
            continue
        if "/" not in current or not current.endswith("/"):
            # a single variable named `current`
            v = store_vars.get(current)
            if v is None:
                raise ValueError("Variable %s (mapped from %s) is not in the graph" % (
                    current, tensor_name_in_ckpt))
            if tensor_name_in_ckpt not in shapes:
                raise ValueError("Tensor %s is not found in %s checkpoint %s" % (
                    tensor_name_in_ckpt, ckpt_dir_or_file, shapes))
            pairs.append((tensor_name_in_ckpt, v))
            continue
        scope_vars = current if current != "/" else ""
        if not tensor_name_in_ckpt.endswith("/") and tensor_name_in_ckpt != "/":
            raise ValueError("Assignment map with scope only name %s should map to scope only "
                             "%s. Should be 'scope/': 'other_scope/'." % (
                                 current, tensor_name_in_ckpt))
        ckpt_scope = tensor_name_in_ckpt if tensor_name_in_ckpt != "/" else ""
        for var_name, v in store_vars.items():
            if not var_name.startswith(scope_vars):
                continue
            full = ckpt_scope + var_name[len(scope_vars):]
            if full not in shapes:
                continue  # as TF: variables missing from the checkpoint are skipped
            pairs.append((full, v))
    for ckpt_name, v in pairs:
        _set_initializer(registry, g, v, ckpt_name, ckpt_file, reader)


def _set_initializer(registry, g, v, ckpt_name, ckpt_file, reader):
    dt = reader.get_variable_to_dtype_map()[ckpt_name]
    shape = reader.get_variable_to_shape_map()[ckpt_name]
    vshape = v.shape.as_list() if v.shape.ndims is not None else None
    if vshape is not None and None not in vshape and list(vshape) != list(shape):
        raise ValueError("Shape of variable %s (%s) doesn't match with shape of tensor %s (%s) "
                         "from checkpoint reader." % (v.op.name, vshape, ckpt_name, shape))
    if dt != v.dtype.base_dtype:
        raise ValueError("dtype of variable %s (%s) doesn't match the dtype of tensor %s (%s) "
                         "in the checkpoint." % (v.op.name, v.dtype.base_dtype.name, ckpt_name,
                                                 dt.name))
    init_op = v.initializer if hasattr(v, "initializer") else None
    if init_op is None or init_op.type != "Assign":
        raise ValueError("Variable %s has no Assign initializer to redirect" % v.op.name)
    name = v.op.name + "/checkpoint_initializer"
    with g.as_default(), g.device("/device:CPU:0"), g.control_dependencies(None):
        saved = g._name_stack
        g._name_stack = ""
        try:
            restore = registry.apply_op(
                "RestoreV2", [np.array(ckpt_file.encode(), dtype=object),
                              np.array([ckpt_name.encode()], dtype=object),
                              np.array([b""], dtype=object)],
                name=name, dtypes=[dt])
        finally:
            g._name_stack = saved
    init_op._update_input(1, restore._outputs[0])
    v._initial_value = restore._outputs[0]
