"""tf.saved_model.simple_save."""
from tensorweave.framework import graph as graph_lib
from tensorweave.saved_model import builder as builder_lib
from tensorweave.saved_model import signature_constants
from tensorweave.saved_model import signature_def_utils
from tensorweave.saved_model import tag_constants


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None):
    """Saves a serving SavedModel: tag 'serve', a predict signature 'serving_default'."""
    signature_def_map = {
        signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            signature_def_utils.predict_signature_def(inputs, outputs)}
    b = builder_lib.SavedModelBuilder(export_dir)
    b.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
        assets_collection=session.graph.get_collection(
            graph_lib.GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True)
    b.save()
