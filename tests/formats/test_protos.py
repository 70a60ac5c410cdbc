import os

import numpy as np
import pytest
from tensorboard.compat.proto import meta_graph_pb2

from tensorweave.formats import example_pb2 as ex
from tensorweave.formats import saved_model_pb2 as sm


def test_example_construction_like_tf_code():
    e = ex.Example(features=ex.Features(feature={
        "image": ex.Feature(bytes_list=ex.BytesList(value=[b"\x00\x01"])),
        "label": ex.Feature(int64_list=ex.Int64List(value=[3, -1])),
        "x": ex.Feature(float_list=ex.FloatList(value=np.arange(3, dtype=np.float32))),
    }))
    back = ex.Example.FromString(e.SerializeToString())
    assert back == e
    assert list(back.features.feature["label"].int64_list.value) == [3, -1]
    assert back.features.feature["x"].WhichOneof("kind") == "float_list"


def test_packed_wire_format():
    # FloatList/Int64List are packed: one length-delimited field 1.
    assert ex.FloatList(value=[1.0, 2.0]).SerializeToString() == (
        b"\x0a\x08" + np.array([1.0, 2.0], "<f4").tobytes())
    assert ex.Int64List(value=[1, 300]).SerializeToString() == b"\x0a\x03\x01\xac\x02"
    assert ex.BytesList(value=[b"a", b"bc"]).SerializeToString() == b"\x0a\x01a\x0a\x02bc"


def test_names_and_numbers_match_tf():
    assert ex.Example.DESCRIPTOR.full_name == "tensorflow.Example"
    assert ex.Example.DESCRIPTOR.file.name == "tensorflow/core/example/example.proto"
    assert ex.Feature.DESCRIPTOR.file.name == "tensorflow/core/example/feature.proto"
    f = ex.Feature.DESCRIPTOR.fields_by_name
    assert (f["bytes_list"].number, f["float_list"].number, f["int64_list"].number) == (1, 2, 3)
    s = ex.SequenceExample.DESCRIPTOR.fields_by_name
    assert (s["context"].number, s["feature_lists"].number) == (1, 2)


def test_reads_tf_sequence_example(tf_fixtures):
    data = open(os.path.join(tf_fixtures, "tfrecord", "sequence_example.pb"), "rb").read()
    se = ex.SequenceExample.FromString(data)
    assert list(se.context.feature["len"].int64_list.value) == [2]
    toks = se.feature_lists.feature_list["tokens"].feature
    assert [f.bytes_list.value[0] for f in toks] == [b"a", b"b"]
    assert se.SerializeToString() == data


def test_saved_model_reads_tf_file(tf_fixtures):
    path = os.path.join(tf_fixtures, "saved_model", "model", "saved_model.pb")
    m = sm.SavedModel.FromString(open(path, "rb").read())
    assert m.saved_model_schema_version == 1
    mg = m.meta_graphs[0]
    assert isinstance(mg, meta_graph_pb2.MetaGraphDef)
    assert list(mg.meta_info_def.tags) == ["serve"]
    sig = mg.signature_def["serving_default"]
    assert sig.method_name == "tensorflow/serving/predict"
    assert set(sig.inputs) == {"x"} and set(sig.outputs) == {"probs"}


def test_saved_model_round_trip():
    m = sm.SavedModel(saved_model_schema_version=sm.SAVED_MODEL_SCHEMA_VERSION)
    mg = m.meta_graphs.add()
    mg.meta_info_def.tags.append("serve")
    assert sm.SavedModel.FromString(m.SerializeToString()) == m
    assert sm.SavedModel.DESCRIPTOR.file.name == "tensorflow/core/protobuf/saved_model.proto"


def test_frozen_graph_fixture_parses(tf_fixtures):
    from tensorboard.compat.proto import graph_pb2
    g = graph_pb2.GraphDef.FromString(
        open(os.path.join(tf_fixtures, "frozen_graph", "frozen_convnet.pb"), "rb").read())
    ops = {n.op for n in g.node}
    assert {"Conv2D", "BiasAdd", "Relu", "MaxPool", "MatMul", "Softmax", "Const"} <= ops
    assert "VariableV2" not in ops
    io = np.load(os.path.join(tf_fixtures, "frozen_graph", "io.npz"))
    assert io["output"].shape == (2, 3)
    np.testing.assert_allclose(io["output"].sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("bad", [b"\xff\xff\xff"])
def test_garbage_fails_to_parse(bad):
    from google.protobuf.message import DecodeError
    with pytest.raises(DecodeError):
        ex.Example.FromString(bad)
