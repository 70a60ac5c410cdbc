"""TF1 data types: DType objects, the DataType enum numbers of types.proto, NumPy mapping."""
import builtins

import numpy as np

try:  # NOTE: ml_dtypes is TF's own provider of the bfloat16 NumPy type.
    import ml_dtypes as _ml

    _BF16 = np.dtype(_ml.bfloat16)
except ImportError:  # pragma: no cover
    _BF16 = None


class DType:
    """A tensor element type, as `tf.DType`."""

    __slots__ = ("_enum", "_name", "_np")

    def __init__(self, enum, name, np_dtype):
        self._enum = enum
        self._name = name
        self._np = np_dtype

    @property
    def name(self):
        return self._name

    @property
    def as_datatype_enum(self):
        return self._enum

    @property
    def as_numpy_dtype(self):
        return self._np.type if self._np is not None else None

    @property
    def np_dtype(self):
        return self._np

    @property
    def is_ref_dtype(self):
        return self._enum > 100

    @property
    def base_dtype(self):
        return _BY_ENUM[self._enum - 100] if self._enum > 100 else self

    @property
    def real_dtype(self):
        b = self.base_dtype
        return {complex64: float32, complex128: float64}.get(b, b)

    @property
    def _as_ref(self):
        return self if self._enum > 100 else _BY_ENUM[self._enum + 100]

    @property
    def is_floating(self):
        return self.base_dtype in (float16, float32, float64, bfloat16)

    @property
    def is_complex(self):
        return self.base_dtype in (complex64, complex128)

    @property
    def is_integer(self):
        return self.base_dtype in (int8, int16, int32, int64, uint8, uint16, uint32, uint64)

    @property
    def is_unsigned(self):
        return self.base_dtype in (uint8, uint16, uint32, uint64, bool)

    @property
    def is_bool(self):
        return self.base_dtype is bool

    @property
    def is_quantized(self):
        return self.base_dtype in (qint8, quint8, qint16, quint16, qint32)

    @property
    def is_numpy_compatible(self):
        return self._np is not None

    @property
    def min(self):
        b = self.base_dtype
        if b.is_floating:
            return float(np.finfo(b._np).min)
        if b.is_integer:
            return int(np.iinfo(b._np).min)
        if b is bool:
            return False
        raise TypeError("Cannot find minimum value of %s." % self)

    @property
    def max(self):
        b = self.base_dtype
        if b.is_floating:
            return float(np.finfo(b._np).max)
        if b.is_integer:
            return int(np.iinfo(b._np).max)
        if b is bool:
            return True
        raise TypeError("Cannot find maximum value of %s." % self)

    @property
    def size(self):
        return self._np.itemsize if self._np is not None else 1

    def is_compatible_with(self, other):
        other = as_dtype(other)
        return self._enum in (other._enum, other.base_dtype._enum)

    def __eq__(self, other):
        if other is None:
            return False
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __repr__(self):
        return "tf." + self._name

    def __str__(self):
        return "<dtype: %r>" % self._name

    def __reduce__(self):
        return as_dtype, (self._name,)


_SPECS = [
    (1, "float32", np.dtype(np.float32)),
    (2, "float64", np.dtype(np.float64)),
    (3, "int32", np.dtype(np.int32)),
    (4, "uint8", np.dtype(np.uint8)),
    (5, "int16", np.dtype(np.int16)),
    (6, "int8", np.dtype(np.int8)),
    (7, "string", np.dtype(object)),
    (8, "complex64", np.dtype(np.complex64)),
    (9, "int64", np.dtype(np.int64)),
    (10, "bool", np.dtype(np.bool_)),
    (11, "qint8", np.dtype(np.int8)),
    (12, "quint8", np.dtype(np.uint8)),
    (13, "qint32", np.dtype(np.int32)),
    (14, "bfloat16", _BF16),
    (15, "qint16", np.dtype(np.int16)),
    (16, "quint16", np.dtype(np.uint16)),
    (17, "uint16", np.dtype(np.uint16)),
    (18, "complex128", np.dtype(np.complex128)),
    (19, "float16", np.dtype(np.float16)),
    (20, "resource", np.dtype(object)),
    (21, "variant", np.dtype(object)),
    (22, "uint32", np.dtype(np.uint32)),
    (23, "uint64", np.dtype(np.uint64)),
]

_BY_ENUM = {}
_BY_NAME = {}
for _enum, _name, _npd in _SPECS:
    _d = DType(_enum, _name, _npd)
    _r = DType(_enum + 100, _name + "_ref", _npd)
    _BY_ENUM[_enum] = _d
    _BY_ENUM[_enum + 100] = _r
    _BY_NAME[_name] = _d
    _BY_NAME[_name + "_ref"] = _r

float32 = _BY_NAME["float32"]
float64 = _BY_NAME["float64"]
int32 = _BY_NAME["int32"]
uint8 = _BY_NAME["uint8"]
int16 = _BY_NAME["int16"]
int8 = _BY_NAME["int8"]
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
int64 = _BY_NAME["int64"]
bool = _BY_NAME["bool"]  # noqa: A001 - TF's own public name
qint8 = _BY_NAME["qint8"]
quint8 = _BY_NAME["quint8"]
qint32 = _BY_NAME["qint32"]
bfloat16 = _BY_NAME["bfloat16"]
qint16 = _BY_NAME["qint16"]
quint16 = _BY_NAME["quint16"]
uint16 = _BY_NAME["uint16"]
complex128 = _BY_NAME["complex128"]
float16 = _BY_NAME["float16"]
resource = _BY_NAME["resource"]
variant = _BY_NAME["variant"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
half = float16
double = float64

_BY_NAME.update({"half": float16, "double": float64, "float": float32})

# NumPy dtype -> DType (quantized types never come from NumPy values).
_FROM_NP = {
    np.dtype(np.float32): float32,
    np.dtype(np.float64): float64,
    np.dtype(np.int32): int32,
    np.dtype(np.uint8): uint8,
    np.dtype(np.int16): int16,
    np.dtype(np.int8): int8,
    np.dtype(np.complex64): complex64,
    np.dtype(np.int64): int64,
    np.dtype(np.bool_): bool,
    np.dtype(np.uint16): uint16,
    np.dtype(np.complex128): complex128,
    np.dtype(np.float16): float16,
    np.dtype(np.uint32): uint32,
    np.dtype(np.uint64): uint64,
    np.dtype(object): string,
}
if _BF16 is not None:
    _FROM_NP[_BF16] = bfloat16


def as_dtype(type_value):
    """Converts a DType, NumPy dtype, name, enum number or Python type to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, builtins.bool):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value in (str, bytes):
        return string
    if type_value is builtins.bool:
        return bool
    try:
        npd = np.dtype(type_value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd.kind in ("U", "S"):
            return string
        d = _FROM_NP.get(npd)
        if d is not None:
            return d
    raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))


def dtype_from_numpy(npd):
    """Fast path for a NumPy dtype (raises TypeError for unsupported kinds)."""
    d = _FROM_NP.get(npd)
    if d is None:
        return as_dtype(npd)
    return d


QUANTIZED_DTYPES = frozenset([qint8, quint8, qint16, quint16, qint32])
