"""tf.saved_model.utils: TensorInfo <-> Tensor."""
from tensorboard.compat.proto import meta_graph_pb2

from tensorweave.framework import graph as graph_lib
from tensorweave.framework import graph_io


def build_tensor_info(tensor):
    """TensorInfo (name, dtype, static shape) of a Tensor."""
    if not isinstance(tensor, graph_lib.Tensor):
        raise TypeError("build_tensor_info expects a Tensor, got %r" % (tensor,))
    info = meta_graph_pb2.TensorInfo(name=tensor.name,
                                     dtype=tensor.dtype.base_dtype.as_datatype_enum)
    info.tensor_shape.CopyFrom(graph_io.shape_to_proto(tensor.shape))
    return info


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The Tensor a TensorInfo names in `graph` (default graph)."""
    graph = graph or graph_lib.get_default_graph()
    which = tensor_info.WhichOneof("encoding")
    if which != "name":
        raise ValueError("Invalid TensorInfo.encoding: %s (only dense tensors are supported)"
                         % which)
    name = tensor_info.name
    if import_scope:
        name = import_scope.rstrip("/") + "/" + name
    return graph.get_tensor_by_name(name)
