"""tf.train.Saver: builds TF's `save/` subgraph (SaveV2 / RestoreV2 / Assign / restore_all)
and drives it, keeping TF's checkpoint files, state file and bookkeeping.

The graph matches what TF1's Saver builds for reference variables (V2 format), so the
SaverDef's tensor/op names are the same and a MetaGraph exported here restores in TF and the
other way round. The ops' kernels (training/checkpoint/io_ops.py) do the file work.
"""
import os
import time
import uuid

import numpy as np
from tensorboard.compat.proto import saver_pb2

from tensorweave.formats import checkpoint_state as _state
from tensorweave.framework import dtypes
from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry
from tensorweave.framework import tensor_shape
from tensorweave.ops import resource_variable_ops as rv
from tensorweave.training.checkpoint import checkpoint_utils
from tensorweave.training.checkpoint import io_ops  # noqa: F401 - registers the ops

SaverDef = saver_pb2.SaverDef
_VARIABLE_TYPES = ("VariableV2", "Variable")


def _strings(values):
    return np.array([v.encode("utf-8") if isinstance(v, str) else v for v in values],
                    dtype=object)


def _ref_tensor(v):
    """The tensor a SaveV2 saves for `v` (a variable's reference output, as TF)."""
    if isinstance(v, graph_lib.Tensor):
        return v
    if isinstance(v, graph_lib.Operation):
        return v._outputs[0]
    ref = getattr(v, "_ref", None)
    if callable(ref):
        return ref()
    op = getattr(v, "op", None)
    if isinstance(op, graph_lib.Operation):
        return op._outputs[0]
    raise TypeError("Variable to save is not a Variable, Tensor or Operation: %r" % (v,))


def _saved(t):
    """The tensor SaveV2 writes for `t`: a resource handle's variable value (as TF)."""
    return rv.saved_tensor(t) if t.dtype == dtypes.resource else t


def _saved_dtype(t):
    return rv.value_dtype(t) if t.dtype == dtypes.resource else t.dtype.base_dtype


def _names_to_tensors(var_list):
    """{checkpoint key: tensor to save} as TF's op_list_to_dict."""
    if isinstance(var_list, dict):
        out = {}
        for name, v in var_list.items():
            if isinstance(v, (list, tuple)):
                raise NotImplementedError("Partitioned variables (%s) are not supported by "
                                          "Saver yet" % name)
            out[name] = _ref_tensor(v)
        return out
    if not isinstance(var_list, (list, tuple, set)):
        raise TypeError("Variables to save should be passed in a dict or a list: %s" %
                        (var_list,))
    out = {}
    items = list(var_list)
    for v in items:
        t = _ref_tensor(v)
        if getattr(v, "_save_slice_info", None):
            raise NotImplementedError("Partitioned variable %s is not supported by Saver yet"
                                      % t.op.name)
        name = t.op.name if t.op.type in _VARIABLE_TYPES or not isinstance(
            v, graph_lib.Tensor) else t.op.name
        if name in out:
            if out[name] is t:
                continue
            raise ValueError("At least two variables have the same name: %s" % name)
        out[name] = t
    return out


class Saver:
    """Saves and restores variables (TF1's tf.train.Saver, V2 checkpoints)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=saver_pb2.SaverDef.V2, pad_step_number=False,
                 save_relative_paths=False, filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._save_relative_paths = save_relative_paths
        self._next_checkpoint_time = None
        if not defer_build:
            self.build()
        if self.saver_def is not None:
            self._check_saver_def()

    # ---------------------------------------------------------------- building
    def build(self):
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None:
            self._build_graph()
        hours = self.saver_def.keep_checkpoint_every_n_hours if self.saver_def else \
            self._keep_checkpoint_every_n_hours
        self._next_checkpoint_time = time.time() + hours * 3600

    def _build_graph(self):
        g = graph_lib.get_default_graph()
        var_list = self._var_list
        if var_list is None:
            var_list = list(g.get_collection(graph_lib.GraphKeys.GLOBAL_VARIABLES)) + list(
                g.get_collection(graph_lib.GraphKeys.SAVEABLE_OBJECTS))
        if not var_list:
            if self._allow_empty:
                self._is_empty = True
                return
            raise ValueError("No variables to save")
        self._is_empty = False
        tensors = _names_to_tensors(var_list)
        names = sorted(tensors, key=lambda n: n.encode("utf-8"))
        scalar = tensor_shape.TensorShape([])
        with graph_lib.name_scope(self._name, "save",
                                  [tensors[n].op for n in names]) as scope:
            filename = registry.apply_op(
                "PlaceholderWithDefault", [np.array((self._filename or "model").encode(),
                                                    dtype=object)],
                name="filename", dtype="string", shape=scalar)._outputs[0]
            filename = registry.apply_op("PlaceholderWithDefault", [filename], name="Const",
                                         dtype="string", shape=scalar)._outputs[0]
            if self._sharded:
                save_tensor = self._add_sharded_save(g, filename, names, tensors)
                restore_op = self._add_sharded_restore(g, filename, names, tensors)
            else:
                save_tensor = self._add_save(g, filename, names, tensors)
                assigns = self._add_restore(g, filename, names, tensors)
                with g.control_dependencies(assigns):
                    restore_op = registry.apply_op("NoOp", [], name="restore_all")
        del scope
        self.saver_def = SaverDef(
            filename_tensor_name=filename.name, save_tensor_name=save_tensor.name,
            restore_op_name=restore_op.name, max_to_keep=self._max_to_keep,
            sharded=self._sharded,
            keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
            version=self._write_version)

    def _add_save(self, g, filename, names, tensors, name="SaveV2"):
        save = registry.apply_op(
            "SaveV2", [filename, _strings(names), _strings([""] * len(names)),
                       [_saved(tensors[n]) for n in names]], name=name)
        with g.colocate_with(filename.op), g.control_dependencies([save]):
            return registry.apply_op("Identity", [filename], name="control_dependency",
                                     T="string")._outputs[0]

    def _add_restore(self, g, filename, names, tensors):
        dts = [_saved_dtype(tensors[n]) for n in names]
        with g.device("/device:CPU:0"):
            restore = registry.apply_op(
                "RestoreV2", [filename, _strings(names), _strings([""] * len(names))],
                name="RestoreV2", dtypes=dts)
        assigns = []
        for i, n in enumerate(names):
            t = tensors[n]
            if t.dtype == dtypes.resource:  # a resource variable's handle
                assigns.append(rv.restore_assign(t, restore._outputs[i]))
                continue
            if not t.dtype.is_ref_dtype:
                continue  # a plain tensor is saved but cannot be restored into
            validate = t.shape.is_fully_defined() and not self._reshape
            with g.colocate_with(t.op):
                assigns.append(registry.apply_op(
                    "Assign", [t, restore._outputs[i]], name="Assign",
                    validate_shape=validate, use_locking=True))
        return assigns

    def _groups_by_device(self, names, tensors):
        groups = {}
        for n in names:
            groups.setdefault(tensors[n].device or "", []).append(n)
        return sorted(groups.items())

    def _add_sharded_save(self, g, filename, names, tensors):
        # NOTE: as TF, shards go to '<prefix>_temp_<uuid>/part-0000i-of-0000n' and are merged
        # into '<prefix>' by MergeV2Checkpoints.
        groups = self._groups_by_device(names, tensors)
        io_ops.ensure_string_ops()
        with g.device("/device:CPU:0"):
            suffix = np.array(("_temp_%s/part" % uuid.uuid4().hex).encode(), dtype=object)
            tmp = registry.apply_op("StringJoin", [[filename, suffix]],
                                    name="StringJoin", separator="")._outputs[0]
        num = registry.constant_op(np.array(len(groups), dtype=np.int32), name="num_shards")
        shard_paths = []
        deps = []
        for i, (dev, group) in enumerate(groups):
            with g.device(dev or "/device:CPU:0"):
                sf = registry.apply_op("ShardedFilename",
                                       [tmp, np.array(i, dtype=np.int32), num],
                                       name="ShardedFilename")._outputs[0]
                save = registry.apply_op(
                    "SaveV2", [sf, _strings(group), _strings([""] * len(group)),
                               [_saved(tensors[n]) for n in group]], name="SaveV2")
                with g.colocate_with(sf.op), g.control_dependencies([save]):
                    dep = registry.apply_op("Identity", [sf], name="control_dependency",
                                            T="string")._outputs[0]
            shard_paths.append(sf)
            deps.append(dep)
        with g.device("/device:CPU:0"):
            with g.control_dependencies(deps):
                with g.name_scope("MergeV2Checkpoints"):
                    prefixes = registry.apply_op("Pack", [shard_paths],
                                                 name="checkpoint_prefixes", axis=0)._outputs[0]
            merge = registry.apply_op("MergeV2Checkpoints", [prefixes, filename],
                                      name="MergeV2Checkpoints")
            with g.control_dependencies([merge] + [d.op for d in deps]):
                return registry.apply_op("Identity", [filename], name="Identity",
                                         T="string")._outputs[0]

    def _add_sharded_restore(self, g, filename, names, tensors):
        groups = self._groups_by_device(names, tensors)
        shard_ops = []
        for dev, group in groups:
            with g.device(dev or None):
                assigns = self._add_restore(g, filename, group, tensors)
                with g.control_dependencies(assigns):
                    shard_ops.append(registry.apply_op("NoOp", [], name="restore_shard"))
        with g.control_dependencies(shard_ops):
            return registry.apply_op("NoOp", [], name="restore_all")

    def _check_saver_def(self):
        if not isinstance(self.saver_def, saver_pb2.SaverDef):
            raise ValueError("saver_def must be a saver_pb2.SaverDef: %s" % self.saver_def)
        if not self.saver_def.save_tensor_name:
            raise ValueError("saver_def must specify the save_tensor_name: %s" %
                             str(self.saver_def))
        if not self.saver_def.restore_op_name:
            raise ValueError("saver_def must specify the restore_op_name: %s" %
                             str(self.saver_def))

    # ------------------------------------------------------------- bookkeeping
    @property
    def last_checkpoints(self):
        """Paths of the checkpoints not yet deleted, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise AssertionError("last_checkpoints must be a list")
        self._last_checkpoints = [(s, None) for s in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over existing checkpoints (e.g. after a crash) with their file mtimes."""
        mtimes = checkpoint_utils.get_checkpoint_mtimes(checkpoint_paths)
        self.set_last_checkpoints_with_time(list(zip(checkpoint_paths, mtimes)))

    def _record_last_checkpoint(self, latest_save_path):
        if not self.saver_def.max_to_keep:
            return
        for p in self._last_checkpoints:
            if latest_save_path == p[0]:
                self._last_checkpoints.remove(p)
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        while self._checkpoints_to_be_deleted:
            p, t = self._checkpoints_to_be_deleted.pop(0)
            keep_hours = self.saver_def.keep_checkpoint_every_n_hours
            if keep_hours and t is not None and t >= self._next_checkpoint_time:
                self._next_checkpoint_time += keep_hours * 3600
                continue
            checkpoint_utils.remove_checkpoint(p, meta_graph_suffix=meta_graph_suffix)

    def as_saver_def(self):
        return self.saver_def

    def to_proto(self, export_scope=None):
        if export_scope is None:
            return self.saver_def
        if not (self.saver_def.filename_tensor_name.startswith(export_scope) and
                self.saver_def.save_tensor_name.startswith(export_scope) and
                self.saver_def.restore_op_name.startswith(export_scope)):
            return None
        d = SaverDef()
        d.CopyFrom(self.saver_def)
        n = len(export_scope.rstrip("/")) + 1
        d.filename_tensor_name = d.filename_tensor_name[n:]
        d.save_tensor_name = d.save_tensor_name[n:]
        d.restore_op_name = d.restore_op_name[n:]
        return d

    @staticmethod
    def from_proto(saver_def, import_scope=None):
        if import_scope:
            d = SaverDef()
            d.CopyFrom(saver_def)
            p = import_scope.rstrip("/") + "/"
            d.filename_tensor_name = p + d.filename_tensor_name
            d.save_tensor_name = p + d.save_tensor_name
            d.restore_op_name = p + d.restore_op_name
            saver_def = d
        return Saver(saver_def=saver_def)

    # --------------------------------------------------------------- save
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        """Saves the variables to `save_path[-global_step]`; returns that prefix."""
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            fmt = "%s-%08d" if self._pad_step_number else "%s-%d"
            checkpoint_file = fmt % (save_path, int(global_step))
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError("'latest_filename' collides with 'save_path': '%s' and '%s'"
                                 % (latest_filename, save_path))
        save_path_parent = os.path.dirname(save_path)
        if self._is_empty:
            model_checkpoint_path = None
        else:
            if sess is None or not hasattr(sess, "run"):
                raise TypeError("'sess' must be a Session; %s" % (sess,))
            g = sess.graph
            tensor = g.get_tensor_by_name(self.saver_def.save_tensor_name)
            fname = g.get_tensor_by_name(self.saver_def.filename_tensor_name)
            try:
                out = sess.run(tensor, {fname: np.array(checkpoint_file.encode(),
                                                        dtype=object)})
            except (errors.FailedPreconditionError, errors.NotFoundError,
                    errors.PermissionDeniedError):
                if save_path_parent and not os.path.isdir(save_path_parent):
                    raise ValueError("Parent directory of %s doesn't exist, can't save."
                                     % save_path) from None
                raise
            model_checkpoint_path = out.decode() if isinstance(out, bytes) else str(
                np.asarray(out, dtype=object).item().decode())
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                _state.update_checkpoint_state(
                    save_path_parent or ".", model_checkpoint_path, self.last_checkpoints,
                    latest_filename, save_relative_paths=self._save_relative_paths)
                self._maybe_delete_old_checkpoints(meta_graph_suffix=meta_graph_suffix)
        if write_meta_graph:
            meta_file = checkpoint_utils.meta_graph_filename(checkpoint_file, meta_graph_suffix)
            with sess.graph.as_default():
                self.export_meta_graph(meta_file, strip_default_attrs=strip_default_attrs)
        if self._is_empty:
            return None
        return model_checkpoint_path

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False,
                          clear_extraneous_savers=False, strip_default_attrs=False,
                          save_debug_info=False):
        """Writes the default graph's MetaGraphDef with this saver's SaverDef."""
        from tensorweave.framework import meta_graph

        return meta_graph.export_meta_graph(
            filename=filename, graph_def=graph_lib.get_default_graph().as_graph_def(
                add_shapes=True),
            saver_def=self.saver_def, collection_list=collection_list, as_text=as_text,
            export_scope=export_scope, clear_devices=clear_devices,
            clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs)

    # ------------------------------------------------------------- restore
    def restore(self, sess, save_path):
        """Restores the variables from the checkpoint prefix `save_path`."""
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not checkpoint_utils.checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        g = sess.graph
        try:
            sess.run(g.get_operation_by_name(self.saver_def.restore_op_name),
                     {g.get_tensor_by_name(self.saver_def.filename_tensor_name):
                      np.array(save_path.encode(), dtype=object)})
        except errors.NotFoundError as err:
            raise _wrap_restore_error(err, "a Variable name or other graph key that is "
                                      "missing") from None
        except errors.InvalidArgumentError as err:
            raise _wrap_restore_error(err, "a mismatch between the current graph and the "
                                      "graph") from None


def _wrap_restore_error(err, message):
    msg = ("Restoring from checkpoint failed. This is most likely due to %s from the "
           "checkpoint. Please ensure that you have not altered the graph expected based on "
           "the checkpoint. Original error:\n\n%s" % (message, err.message))
    return type(err)(err.node_def if err._op is None else None, err._op, msg)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """tf.train.import_meta_graph: imports the graph and returns a Saver built from its
    SaverDef (None when it has none and no variables)."""
    from tensorweave.framework import meta_graph

    return meta_graph.import_meta_graph_with_saver(
        meta_graph_or_file, clear_devices=clear_devices, import_scope=import_scope, **kwargs)


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """tf.train.export_meta_graph."""
    from tensorweave.framework import meta_graph

    return meta_graph.export_meta_graph(
        filename=filename, meta_info_def=meta_info_def, graph_def=graph_def,
        saver_def=saver_def, collection_list=collection_list, as_text=as_text, graph=graph,
        export_scope=export_scope, clear_devices=clear_devices,
        clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs)
