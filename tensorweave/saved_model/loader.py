"""tf.saved_model.loader: load a TF1 SavedModel into a Session."""
import os

from google.protobuf import text_format

from tensorweave.formats import saved_model_pb2
from tensorweave.framework import errors
from tensorweave.framework import graph as graph_lib
from tensorweave.saved_model import constants


def maybe_saved_model_directory(export_dir):
    """True if `export_dir` holds saved_model.pb or saved_model.pbtxt."""
    export_dir = os.fspath(export_dir)
    return any(os.path.isfile(os.path.join(export_dir, f)) for f in (
        constants.SAVED_MODEL_FILENAME_PB, constants.SAVED_MODEL_FILENAME_PBTXT))


def read_saved_model(export_dir):
    """The SavedModel proto in `export_dir` (IOError when there is none)."""
    export_dir = os.fspath(export_dir)
    pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    txt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    sm = saved_model_pb2.SavedModel()
    if os.path.isfile(pb):
        with open(pb, "rb") as f:
            data = f.read()
        try:
            sm.ParseFromString(data)
        except Exception as e:  # noqa: BLE001 - a corrupt file is a DataLossError
            raise errors.DataLossError(None, None, "Cannot parse %s: %s" % (pb, e)) from None
        return sm
    if os.path.isfile(txt):
        with open(txt) as f:
            text_format.Merge(f.read(), sm)
        return sm
    raise IOError("SavedModel file does not exist at: %s/{%s|%s}" % (
        export_dir, constants.SAVED_MODEL_FILENAME_PBTXT, constants.SAVED_MODEL_FILENAME_PB))


def _asset_feed(mgd, export_dir, import_scope):
    feed = {}
    g = graph_lib.get_default_graph()
    for a in mgd.asset_file_def:
        name = a.tensor_info.name
        if import_scope:
            name = import_scope.rstrip("/") + "/" + name
        path = os.path.join(export_dir, constants.ASSETS_DIRECTORY, a.filename)
        feed[g.get_tensor_by_name(name)] = path.encode()
    return feed


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Loads the meta graph tagged `tags` into sess.graph, restores its variables and runs its
    main (init) op; returns the MetaGraphDef."""
    from tensorweave.framework import meta_graph
    from tensorweave.training.checkpoint import io_ops

    export_dir = os.fspath(export_dir)
    sm = read_saved_model(export_dir)
    want = set([tags] if isinstance(tags, str) else tags)
    found = None
    available = []
    for mgd in sm.meta_graphs:
        available.append(list(mgd.meta_info_def.tags))
        if set(mgd.meta_info_def.tags) == want:
            found = mgd
            break
    if found is None:
        raise RuntimeError(
            "MetaGraphDef associated with tags %s could not be found in SavedModel, with "
            "available tags '%s'. To inspect available tag-sets in the SavedModel, please use "
            "the SavedModel CLI: `saved_model_cli`." % (
                ", ".join("'%s'" % t for t in sorted(want)), available))
    io_ops.ensure_string_ops()
    with sess.graph.as_default():
        saver = meta_graph.import_meta_graph_with_saver(found, import_scope=import_scope,
                                                        **saver_kwargs)
        var_prefix = os.path.join(export_dir, constants.VARIABLES_DIRECTORY,
                                  constants.VARIABLES_FILENAME)
        if saver is not None and os.path.exists(var_prefix + ".index"):
            saver.restore(sess, var_prefix)
        feed = _asset_feed(found, export_dir, import_scope)
        g = sess.graph
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            ops = g.get_collection(key)
            if ops:
                sess.run(ops[0], feed_dict=feed)
                break
    return found


def loader_impl_load(*args, **kwargs):
    return load(*args, **kwargs)
