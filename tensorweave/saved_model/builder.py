"""tf.saved_model.builder.SavedModelBuilder: writes `saved_model.pb` and
`variables/variables.{index,data-*}` (and `assets/`) as TF's TF1 builder does."""
import os
import shutil

from google.protobuf import text_format
from tensorboard.compat.proto import meta_graph_pb2

from tensorweave.formats import saved_model_pb2
from tensorweave.framework import graph as graph_lib
from tensorweave.saved_model import constants
from tensorweave.saved_model import signature_def_utils


class SavedModelBuilder:
    """Builds a SavedModel with one or more meta graphs sharing one set of variables."""

    def __init__(self, export_dir):
        self._saved_model = saved_model_pb2.SavedModel(
            saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)
        self._export_dir = os.fspath(export_dir)
        if os.path.exists(self._export_dir):
            if os.listdir(self._export_dir):
                raise AssertionError(
                    "Export directory already exists, and isn't empty. Please choose a "
                    "different export directory, or delete all the contents of the specified "
                    "directory: %s" % self._export_dir)
        else:
            os.makedirs(self._export_dir)
        self._has_saved_variables = False
        self._saver = None

    # -------------------------------------------------------------- helpers
    def _validate_signatures(self, signature_def_map):
        for k, sd in (signature_def_map or {}).items():
            if not isinstance(sd, meta_graph_pb2.SignatureDef):
                raise TypeError("signature_def_map['%s'] must be a SignatureDef, got %s" % (
                    k, type(sd).__name__))
            for info in list(sd.inputs.values()) + list(sd.outputs.values()):
                if not info.name:
                    raise AssertionError("All TensorInfos in SignatureDefs must have a name "
                                         "(signature %s)" % k)

    def _save_assets(self, assets_collection):
        """Copies asset files into assets/ and returns [AssetFileDef]."""
        defs = []
        if not assets_collection:
            return defs
        from tensorweave.saved_model import utils

        d = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        for t in assets_collection:
            path = _const_string(t)
            if path is None:
                continue
            base = os.path.basename(path)
            os.makedirs(d, exist_ok=True)
            dst = os.path.join(d, base)
            if not os.path.exists(dst):
                shutil.copyfile(path, dst)
            a = meta_graph_pb2.AssetFileDef(filename=base)
            a.tensor_info.CopyFrom(utils.build_tensor_info(t))
            defs.append(a)
        return defs

    def _tag_and_add(self, mgd, tags, signature_def_map, asset_defs, main_op, train_op):
        for t in tags:
            mgd.meta_info_def.tags.append(t)
        for k, sd in (signature_def_map or {}).items():
            mgd.signature_def[k].CopyFrom(sd)
        for a in asset_defs:
            mgd.asset_file_def.add().CopyFrom(a)
        if main_op is not None:
            mgd.collection_def[constants.MAIN_OP_KEY].node_list.value.append(main_op.name)
        if train_op is not None:
            mgd.collection_def[constants.TRAIN_OP_KEY].node_list.value.append(
                train_op.name)
        self._saved_model.meta_graphs.add().CopyFrom(mgd)

    # ---------------------------------------------------------------- API
    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None,
                                     assets_collection=None, legacy_init_op=None,
                                     clear_devices=False, main_op=None,
                                     strip_default_attrs=False, saver=None, train_op=None,
                                     init_op=None):
        """Saves the session's variables and the current graph under `tags`."""
        from tensorweave.training import saver as saver_lib

        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been "
                                 "saved. Please invoke `add_meta_graph()` instead.")
        tags = _tags(tags)
        self._validate_signatures(signature_def_map)
        main_op = main_op if main_op is not None else (legacy_init_op or init_op)
        asset_defs = self._save_assets(assets_collection)
        var_dir = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY)
        os.makedirs(var_dir, exist_ok=True)
        var_path = os.path.join(var_dir, constants.VARIABLES_FILENAME)
        if saver is None:
            saver = saver_lib.Saver(sharded=True, allow_empty=True)
        saver.save(sess, var_path, write_meta_graph=False, write_state=False)
        with sess.graph.as_default():
            mgd = saver.export_meta_graph(clear_devices=clear_devices,
                                          strip_default_attrs=strip_default_attrs)
        self._tag_and_add(mgd, tags, signature_def_map, asset_defs, main_op, train_op)
        self._saver = saver
        self._has_saved_variables = True

    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None,
                       legacy_init_op=None, clear_devices=False, main_op=None,
                       strip_default_attrs=False, saver=None, train_op=None, init_op=None):
        """Adds the current graph under more `tags` (the variables were saved already)."""
        from tensorweave.training import saver as saver_lib

        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been "
                                 "saved yet. Please invoke `add_meta_graph_and_variables()` "
                                 "first.")
        tags = _tags(tags)
        self._validate_signatures(signature_def_map)
        main_op = main_op if main_op is not None else (legacy_init_op or init_op)
        asset_defs = self._save_assets(assets_collection)
        if saver is None:
            saver = saver_lib.Saver(sharded=True, allow_empty=True)
        mgd = saver.export_meta_graph(clear_devices=clear_devices,
                                      strip_default_attrs=strip_default_attrs)
        self._tag_and_add(mgd, tags, signature_def_map, asset_defs, main_op, train_op)

    def save(self, as_text=False):
        """Writes saved_model.pb (or .pbtxt) atomically; returns its path."""
        name = constants.SAVED_MODEL_FILENAME_PBTXT if as_text else \
            constants.SAVED_MODEL_FILENAME_PB
        path = os.path.join(self._export_dir, name)
        data = text_format.MessageToString(self._saved_model).encode() if as_text else \
            self._saved_model.SerializeToString()
        tmp = path + ".tmp%d" % os.getpid()
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return path.encode()


def _tags(tags):
    if isinstance(tags, str):
        return [tags]
    if tags is None:
        raise ValueError("tags must be given")
    return list(tags)


def _const_string(t):
    from tensorweave.framework import tensor_util

    v = tensor_util.constant_value(t) if isinstance(t, graph_lib.Tensor) else t
    if v is None:
        return None
    v = v.item() if hasattr(v, "item") and getattr(v, "ndim", 1) == 0 else v
    return v.decode() if isinstance(v, bytes) else str(v)


SavedModelBuilder.__module__ = "tensorweave.saved_model.builder"
signature_def_utils  # noqa: B018 - imported for users of builder.signature_def_utils
