"""tf.keras.initializers (TF1 initializer classes under Keras names)."""
from tensorweave.ops import init_ops

Initializer = init_ops.Initializer
Zeros = zeros = init_ops.Zeros
Ones = ones = init_ops.Ones
Constant = constant = init_ops.Constant
RandomUniform = random_uniform = init_ops.RandomUniform
RandomNormal = random_normal = init_ops.RandomNormal
TruncatedNormal = truncated_normal = init_ops.TruncatedNormal
VarianceScaling = init_ops.VarianceScaling
Orthogonal = orthogonal = init_ops.Orthogonal
Identity = identity = init_ops.Identity
GlorotUniform = glorot_uniform = init_ops.GlorotUniform
GlorotNormal = glorot_normal = init_ops.GlorotNormal
he_normal = init_ops.he_normal
he_uniform = init_ops.he_uniform
lecun_normal = init_ops.lecun_normal
lecun_uniform = init_ops.lecun_uniform

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "random_normal": RandomNormal, "normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "orthogonal": Orthogonal, "identity": Identity,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": he_normal,
    "he_uniform": he_uniform, "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
    "variance_scaling": VarianceScaling,
}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else identifier.lower()
        if key not in _BY_NAME:
            raise ValueError("Unknown initializer: " + identifier)
        return _BY_NAME[key]()
    if isinstance(identifier, type):
        return identifier()
    return identifier
