"""The SavedModel message (TF's core/protobuf/saved_model.proto).

`saved_model.pb` holds SavedModel{saved_model_schema_version=1, meta_graphs=2}; the
MetaGraphDef type is tensorboard.compat.proto's copy of TF's, which is wire-identical.
"""
from tensorboard.compat.proto import meta_graph_pb2

from tensorweave.formats._protos import build_file, field, message

_TB = "." + meta_graph_pb2.DESCRIPTOR.package
_file = build_file("tensorflow/core/protobuf/saved_model.proto", "tensorflow", [
    message("SavedModel", [
        field("saved_model_schema_version", 1, "int64"),
        field("meta_graphs", 2, _TB + ".MetaGraphDef", repeated=True),
    ]),
], deps=[meta_graph_pb2])
SavedModel = _file["SavedModel"]

# The schema version TF writes (SavedModel's only version so far).
SAVED_MODEL_SCHEMA_VERSION = 1

__all__ = ["SavedModel", "SAVED_MODEL_SCHEMA_VERSION"]
