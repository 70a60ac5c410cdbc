"""tf.saved_model.signature_def_utils."""
from tensorboard.compat.proto import meta_graph_pb2
from tensorboard.compat.proto import types_pb2

from tensorweave.saved_model import signature_constants as sc
from tensorweave.saved_model import utils


def build_signature_def(inputs=None, outputs=None, method_name=None):
    """SignatureDef from {key: TensorInfo} maps and a method name."""
    sd = meta_graph_pb2.SignatureDef()
    for k, v in (inputs or {}).items():
        sd.inputs[k].CopyFrom(v)
    for k, v in (outputs or {}).items():
        sd.outputs[k].CopyFrom(v)
    if method_name is not None:
        sd.method_name = method_name
    return sd


def predict_signature_def(inputs, outputs):
    """A predict signature from {key: Tensor} inputs and outputs."""
    if inputs is None or not inputs:
        raise ValueError("Prediction inputs cannot be None or empty.")
    if outputs is None or not outputs:
        raise ValueError("Prediction outputs cannot be None or empty.")
    return build_signature_def({k: utils.build_tensor_info(t) for k, t in inputs.items()},
                               {k: utils.build_tensor_info(t) for k, t in outputs.items()},
                               sc.PREDICT_METHOD_NAME)


def classification_signature_def(examples, classes, scores):
    """A classify signature: serialized tf.Example strings -> classes and/or scores."""
    if examples is None:
        raise ValueError("Classification examples cannot be None.")
    if examples.dtype.base_dtype.name != "string":
        raise ValueError("Classification examples must be a string Tensor.")
    if classes is None and scores is None:
        raise ValueError("Classification classes and scores cannot both be None.")
    outs = {}
    if classes is not None:
        if classes.dtype.base_dtype.name != "string":
            raise ValueError("Classification classes must be a string Tensor.")
        outs[sc.CLASSIFY_OUTPUT_CLASSES] = utils.build_tensor_info(classes)
    if scores is not None:
        if scores.dtype.base_dtype.name != "float32":
            raise ValueError("Classification scores must be a float32 Tensor.")
        outs[sc.CLASSIFY_OUTPUT_SCORES] = utils.build_tensor_info(scores)
    return build_signature_def({sc.CLASSIFY_INPUTS: utils.build_tensor_info(examples)}, outs,
                               sc.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples, predictions):
    """A regress signature: serialized tf.Example strings -> float predictions."""
    if examples is None:
        raise ValueError("Regression examples cannot be None.")
    if examples.dtype.base_dtype.name != "string":
        raise ValueError("Regression examples must be a string Tensor.")
    if predictions is None:
        raise ValueError("Regression predictions cannot be None.")
    if predictions.dtype.base_dtype.name != "float32":
        raise ValueError("Regression predictions must be a float32 Tensor.")
    return build_signature_def({sc.REGRESS_INPUTS: utils.build_tensor_info(examples)},
                               {sc.REGRESS_OUTPUTS: utils.build_tensor_info(predictions)},
                               sc.REGRESS_METHOD_NAME)


def _valid_info(info, dtype=None):
    return info is not None and info.name and (dtype is None or info.dtype == dtype)


def is_valid_signature(signature_def):
    """TF's check of the three standard signature kinds (others are always valid)."""
    if signature_def is None:
        return False
    m = signature_def.method_name
    if m not in (sc.CLASSIFY_METHOD_NAME, sc.PREDICT_METHOD_NAME, sc.REGRESS_METHOD_NAME):
        return True
    if m == sc.PREDICT_METHOD_NAME:
        return bool(signature_def.inputs) and bool(signature_def.outputs) and all(
            _valid_info(v) for v in list(signature_def.inputs.values()) +
            list(signature_def.outputs.values()))
    ins = signature_def.inputs
    outs = signature_def.outputs
    if set(ins) != {"inputs"} or not _valid_info(ins["inputs"], types_pb2.DT_STRING):
        return False
    if m == sc.CLASSIFY_METHOD_NAME:
        if not outs or not set(outs) <= {sc.CLASSIFY_OUTPUT_CLASSES, sc.CLASSIFY_OUTPUT_SCORES}:
            return False
        if sc.CLASSIFY_OUTPUT_CLASSES in outs and not _valid_info(
                outs[sc.CLASSIFY_OUTPUT_CLASSES], types_pb2.DT_STRING):
            return False
        if sc.CLASSIFY_OUTPUT_SCORES in outs and not _valid_info(
                outs[sc.CLASSIFY_OUTPUT_SCORES], types_pb2.DT_FLOAT):
            return False
        return True
    return set(outs) == {sc.REGRESS_OUTPUTS} and _valid_info(outs[sc.REGRESS_OUTPUTS],
                                                            types_pb2.DT_FLOAT)
