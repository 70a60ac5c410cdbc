"""tf.train.Example and friends (TF's core/example/feature.proto and example.proto).

Same file names, package and field numbers as TF, so serialized bytes interoperate and
`tf.train.Example(features=tf.train.Features(feature={...}))` code works unchanged.
"""
from tensorweave.formats._protos import build_file, field, message

_feature = build_file("tensorflow/core/example/feature.proto", "tensorflow", [
    message("BytesList", [field("value", 1, "bytes", repeated=True)]),
    message("FloatList", [field("value", 1, "float", repeated=True, packed=True)]),
    message("Int64List", [field("value", 1, "int64", repeated=True, packed=True)]),
    message("Feature", [
        field("bytes_list", 1, ".tensorflow.BytesList", oneof="kind"),
        field("float_list", 2, ".tensorflow.FloatList", oneof="kind"),
        field("int64_list", 3, ".tensorflow.Int64List", oneof="kind"),
    ]),
    message("Features", [], maps=[("feature", 1, ".tensorflow.Feature")]),
    message("FeatureList", [field("feature", 1, ".tensorflow.Feature", repeated=True)]),
    message("FeatureLists", [], maps=[("feature_list", 1, ".tensorflow.FeatureList")]),
])

_example = build_file("tensorflow/core/example/example.proto", "tensorflow", [
    message("Example", [field("features", 1, ".tensorflow.Features")]),
    message("SequenceExample", [
        field("context", 1, ".tensorflow.Features"),
        field("feature_lists", 2, ".tensorflow.FeatureLists"),
    ]),
], deps=["tensorflow/core/example/feature.proto"])

BytesList = _feature["BytesList"]
FloatList = _feature["FloatList"]
Int64List = _feature["Int64List"]
Feature = _feature["Feature"]
Features = _feature["Features"]
FeatureList = _feature["FeatureList"]
FeatureLists = _feature["FeatureLists"]
Example = _example["Example"]
SequenceExample = _example["SequenceExample"]

__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
           "FeatureLists", "Example", "SequenceExample"]
