"""The gradient-case table (DESIGN.md's OpInfo pattern): one or more `GradCase` per op type
registered with a gradient function.

Each case names the op type it covers, a builder `fn(*tensors)` written with the public tf
API (a raw `registry.apply_op` only where TF1 has no public wrapper for that op type), a
sample-input generator (float64, random, kept away from the points where the function is
not differentiable), and the tolerances for `tests/gradient_check.check_gradient`.
Gradient-only op types (ReluGrad, Conv2DBackpropFilter, ...) are covered as second-order
cases: the builder takes the gradient of the forward op (`tf.gradients(..., grad_ys=dy)`),
so the checker differentiates the gradient op itself.

`EXEMPT` lists the op types with a registered gradient that are deliberately not checked
numerically, each with the reason.
"""
import dataclasses
import functools
import zlib
from collections.abc import Callable

import numpy as np

import tensorweave as tf
from tensorweave.framework import registry


@dataclasses.dataclass
class GradCase:
    op_type: str                      # the registered op type this case covers
    fn: Callable                      # builder: fn(*tensors) -> one float tensor
    inputs: Callable                  # inputs(rng) -> tuple of arrays (floats become inputs)
    name: str = ""                    # id suffix when one op type has several cases
    atol: float = 1e-6
    delta: float = 1e-6
    wrt: tuple[int, ...] | None = None  # indices of float inputs to check (default all)
    order: int = 1                    # 2: the op type is built by a gradient (second order)
    notes: str = ""
    xfail: str | None = None       # exact error, for a known wrong gradient (strict xfail)

    @property
    def id(self):
        return self.op_type + ("-" + self.name if self.name else "")

    def sample(self):
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        return tuple(self.inputs(rng))


# ----------------------------------------------------------------------------- inputs
def rn(rng, *shape):
    return rng.standard_normal(shape)


def uni(lo, hi, *shape):
    return lambda rng: (rng.uniform(lo, hi, shape),)


def away(rng, shape, points=(0.0,), margin=0.15, scale=1.0):
    """Normal samples (times scale) pushed at least `margin` away from each of `points`."""
    v = rng.standard_normal(shape) * scale
    for p in points:
        close = np.abs(v - p) < margin
        v = np.where(close, p + np.where(v >= p, margin, -margin) * 2, v)
    return v


def distinct(rng, *shape, gap=0.1):
    """A random permutation of well separated values (no max/min ties)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * gap + rng.uniform(0, gap / 4, n) - n * gap / 2).reshape(shape)


def frac_offset(rng, shape, lo, hi):
    """Integers plus a fractional part in [lo, hi): away from floor/round discontinuities."""
    return rng.integers(-3, 3, shape) + rng.uniform(lo, hi, shape)


def normals(*shapes):
    return lambda rng: tuple(rng.standard_normal(s) for s in shapes)


def well_conditioned(rng, n, batch=()):
    return np.eye(n) * 3.0 + rng.standard_normal(tuple(batch) + (n, n)) * 0.3


def raw(op_type, inputs, index=0, **attrs):
    """An op type TF1 has no public wrapper for (tf.raw_ops in TF2)."""
    return registry.apply_op(op_type, inputs, **attrs).outputs[index]


def grad_of(f):
    """Second-order builder: (x, dy) -> d/dx <f(x), dy>, which builds f's gradient ops."""
    def build(x, dy):
        return tf.gradients(f(x), x, grad_ys=dy)[0]
    return build


def grad_of2(f, wrt):
    """(x, w, dy) -> gradient of <f(x, w), dy> w.r.t. input `wrt` (0 or 1)."""
    def build(x, w, dy):
        y = f(x, w)
        t = [x, w][wrt]
        g = tf.gradients(y, t, grad_ys=dy)[0]
        # NOTE: Conv*BackpropFilter fed by ShapeN has an unknown static shape here (TF folds
        # the ShapeN of known shapes); the reshape gives the checker its static output shape.
        return g if g.shape.is_fully_defined() else tf.reshape(g, t.shape.as_list())
    return build


def i32(v):
    return np.asarray(v, np.int32)


CASES = []


def case(op_type, fn, inputs, **kw):
    CASES.append(GradCase(op_type, fn, inputs, **kw))


# ----------------------------------------------------------------------------- math: unary
S = (2, 3)
_unary = [
    ("Abs", tf.abs, lambda r: (away(r, S),)),
    ("Acos", tf.acos, uni(-0.8, 0.8, *S)),
    ("Acosh", tf.acosh, uni(1.5, 3.0, *S)),
    ("Asin", tf.asin, uni(-0.8, 0.8, *S)),
    ("Asinh", tf.asinh, normals(S)),
    ("Atan", tf.atan, normals(S)),
    ("Atanh", tf.atanh, uni(-0.8, 0.8, *S)),
    ("Cos", tf.cos, normals(S)),
    ("Cosh", tf.cosh, normals(S)),
    ("Digamma", tf.math.digamma, uni(0.5, 3.0, *S)),
    ("Erf", tf.erf, normals(S)),
    ("Erfc", tf.math.erfc, normals(S)),
    ("Exp", tf.exp, normals(S)),
    ("Expm1", tf.expm1, normals(S)),
    ("Lgamma", tf.math.lgamma, uni(0.5, 3.0, *S)),
    ("Log", tf.log, uni(0.5, 2.0, *S)),
    ("Log1p", tf.log1p, uni(-0.5, 2.0, *S)),
    ("Neg", tf.negative, normals(S)),
    ("Reciprocal", tf.reciprocal, uni(0.5, 2.0, *S)),
    ("Inv", lambda x: raw("Inv", [x]), uni(0.5, 2.0, *S)),
    ("Rsqrt", tf.rsqrt, uni(0.5, 2.0, *S)),
    ("Sigmoid", tf.sigmoid, normals(S)),
    ("Sin", tf.sin, normals(S)),
    ("Sinh", tf.sinh, normals(S)),
    ("Sqrt", tf.sqrt, uni(0.5, 2.0, *S)),
    ("Square", tf.square, normals(S)),
    ("Tan", tf.tan, uni(-1.0, 1.0, *S)),
    ("Tanh", tf.tanh, normals(S)),
    # Piecewise constant: zero gradient, checked away from the jumps.
    ("Ceil", tf.ceil, lambda r: (frac_offset(r, S, 0.2, 0.8),)),
    ("Floor", tf.floor, lambda r: (frac_offset(r, S, 0.2, 0.8),)),
    ("Round", tf.round, lambda r: (frac_offset(r, S, -0.3, 0.3),)),
    ("Rint", tf.rint, lambda r: (frac_offset(r, S, -0.3, 0.3),)),
    ("Sign", tf.sign, lambda r: (away(r, S),)),
    # Pass-through ops.
    ("CheckNumerics", lambda x: tf.check_numerics(x, "bad") * x, normals(S)),
    ("Identity", lambda x: tf.identity(x) * x, normals(S)),
    ("Snapshot", lambda x: raw("Snapshot", [x]) * x, normals(S)),
    ("EnsureShape", lambda x: tf.ensure_shape(x, [2, None]) * x, normals(S)),
    ("Print", lambda x: tf.Print(x, [], message="") * x, normals(S)),
]
for _t, _f, _i in _unary:
    case(_t, _f, _i)

case("IdentityN", lambda x, y: tf.identity_n([x, y])[0] * tf.identity_n([x, y])[1],
     normals(S, S))
case("Polygamma", lambda x: tf.math.polygamma(tf.constant(np.array([[1.0], [2.0]])), x),
     uni(0.5, 3.0, *S), notes="no gradient w.r.t. the order a (as TF)")
case("Cast", lambda x: tf.cast(x, tf.float32), normals(S), delta=0.05, atol=1e-4,
     notes="float64 -> float32; linear, so a large delta keeps float32 rounding small")

# ----------------------------------------------------------------------------- math: binary
BCAST = [((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))]


def _bin(op_type, f, gen, shapes=BCAST, **kw):
    for sx, sy in shapes:
        nm = "_".join("x".join(map(str, s)) or "scalar" for s in (sx, sy))
        case(op_type, f, functools.partial(_shaped, gen, sx, sy), name=nm, **kw)


def _shaped(gen, sx, sy, rng):
    return gen(rng, sx, sy)


def _nn(r, sx, sy):
    return rn(r, *sx), rn(r, *sy)


def _pos_den(r, sx, sy):
    return rn(r, *sx), away(r, sy, margin=0.5)


def _apart_same(r, sx, sy):
    x = distinct(r, *sx)
    return x, x + np.where(r.uniform(size=sy) < 0.5, -0.3, 0.3)


_bin("Add", lambda x, y: raw("Add", [x, y]), _nn)
_bin("AddV2", lambda x, y: x + y, _nn)
_bin("Sub", lambda x, y: x - y, _nn)
_bin("Mul", lambda x, y: x * y, _nn)
_bin("RealDiv", lambda x, y: x / y, _pos_den)
_bin("Div", lambda x, y: raw("Div", [x, y]), _pos_den)  # tf.div on floats builds RealDiv
_bin("DivNoNan", lambda x, y: tf.div_no_nan(x, y), _pos_den)
_bin("MulNoNan", lambda x, y: tf.math.multiply_no_nan(x, y), _nn)
_bin("SquaredDifference", tf.squared_difference, _nn)
_bin("Pow", tf.pow, lambda r, sx, sy: (r.uniform(0.5, 2.0, sx), rn(r, *sy)))
_bin("Xlogy", tf.math.xlogy, lambda r, sx, sy: (rn(r, *sx), r.uniform(0.5, 2.0, sy)))
_bin("Xdivy", tf.math.xdivy, _pos_den)
_bin("Atan2", tf.atan2, lambda r, sx, sy: (away(r, sx), away(r, sy)))
_bin("Maximum", tf.maximum, _apart_same, shapes=[((2, 3), (2, 3))])
_bin("Minimum", tf.minimum, _apart_same, shapes=[((2, 3), (2, 3))])
_bin("Maximum", tf.maximum, lambda r, sx, sy: (np.array([[-1.0, 0.3, 1.2], [0.7, -0.4, 2.0]]),
                                                np.array([0.1, -0.2, 1.5])),
     shapes=[((2, 3), (3,))])
_bin("Minimum", tf.minimum, lambda r, sx, sy: (np.array([[-1.0, 0.3, 1.2], [0.7, -0.4, 2.0]]),
                                                np.array([0.1, -0.2, 1.5])),
     shapes=[((2, 3), (3,))])


def _div_pair(r, sx, sy):
    """x / y with a fractional part in [0.2, 0.8): floor/trunc division is locally constant."""
    y = r.uniform(1.0, 2.0, sy)
    q = r.integers(0, 4, np.broadcast_shapes(sx, sy)) + r.uniform(0.2, 0.8,
                                                                  np.broadcast_shapes(sx, sy))
    return q * y if sx == np.broadcast_shapes(sx, sy) else (q * y)[0], y


for _t, _f in (("FloorDiv", tf.floordiv), ("FloorMod", tf.floormod),
               ("TruncateDiv", tf.truncatediv), ("TruncateMod", tf.truncatemod)):
    _bin(_t, _f, _div_pair, shapes=[((2, 3), (2, 3)), ((2, 3), (3,))])

case("AddN", lambda x, y: tf.add_n([x, y, x]), normals(S, S))
case("ClipByValue", lambda x, lo, hi: raw("ClipByValue", [x, lo, hi]),  # tf.clip_by_value: Minimum+Maximum
     lambda r: (away(r, S, points=(-0.5, 0.5), margin=0.05), np.array(-0.5), np.array(0.5)))
case("Select", lambda x, y: tf.where(tf.constant([[True, False, True], [False, False, True]]),
                                     x, y), normals(S, S))
case("SelectV2", lambda x, y: tf.where_v2(tf.constant([True, False, True]), x, y),
     normals((2, 3), (2, 1)), notes="broadcasting condition and operands")
case("Cumsum", lambda x: tf.cumsum(x, axis=1), normals(S))
case("Cumsum", lambda x: tf.cumsum(x, axis=0, exclusive=True, reverse=True), normals((3, 2)),
     name="exclusive_reverse")
case("Cumprod", lambda x: tf.cumprod(x, axis=1), lambda r: (away(r, (2, 4), margin=0.3),))
case("Cumprod", lambda x: tf.cumprod(x, axis=1, exclusive=True, reverse=True),
     lambda r: (away(r, (2, 4), margin=0.3),), name="exclusive_reverse")

# ----------------------------------------------------------------------------- reductions
case("Sum", lambda x: tf.reduce_sum(x, axis=1, keepdims=True), normals((2, 3, 2)))
case("Sum", lambda x: tf.reduce_sum(x), normals((2, 3)), name="all")
case("Mean", lambda x: tf.reduce_mean(x, axis=[0, 2]), normals((2, 3, 2)))
case("Prod", lambda x: tf.reduce_prod(x, axis=1), lambda r: (away(r, (2, 3, 2), margin=0.3),))
case("Max", lambda x: tf.reduce_max(x, axis=1), lambda r: (distinct(r, 2, 3, 2),))
case("Min", lambda x: tf.reduce_min(x, axis=[0, 1], keepdims=True),
     lambda r: (distinct(r, 2, 3, 2),))
case("EuclideanNorm", lambda x: tf.math.reduce_euclidean_norm(x, axis=1), normals((2, 3)))
case("L2Loss", tf.nn.l2_loss, normals((2, 3)))
case("ArgMax", lambda x: x * tf.cast(tf.argmax(x, 1), tf.float64)[:, None],
     lambda r: (distinct(r, 2, 3),), notes="ArgMax's gradient is None; the product checks it")
case("ArgMin", lambda x: x * tf.cast(tf.argmin(x, 0), tf.float64),
     lambda r: (distinct(r, 2, 3),), notes="ArgMin's gradient is None; the product checks it")
case("TopKV2", lambda x: tf.nn.top_k(x, k=2).values, lambda r: (distinct(r, 2, 4),))

# ----------------------------------------------------------------------------- matrices
case("MatMul", tf.matmul, normals((2, 3), (3, 2)))
case("MatMul", lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
     normals((3, 2), (2, 3)), name="transposed")
case("BatchMatMul", lambda a, b: raw("BatchMatMul", [a, b], adj_y=True),
     normals((2, 2, 3), (2, 2, 3)))
case("BatchMatMulV2", tf.matmul, normals((2, 2, 3), (3, 2)), notes="broadcast batch dims")
case("BatchMatMulV2", lambda a, b: tf.matmul(a, b, adjoint_a=True), normals((1, 3, 2), (2, 3, 2)),
     name="adjoint_bcast")
case("Einsum", lambda a, b: tf.einsum("ij,jk->ik", a, b), normals((2, 3), (3, 2)))
case("Einsum", lambda a, b: tf.einsum("bij,bkj->bik", a, b), normals((2, 2, 3), (2, 2, 3)),
     name="batch")
case("Cholesky",
     lambda a: tf.cholesky(tf.matmul(a, a, transpose_b=True) + tf.constant(np.eye(3) * 3.0)),
     normals((3, 3)))
case("MatrixDeterminant", tf.matrix_determinant, lambda r: (well_conditioned(r, 3),))
case("LogMatrixDeterminant", lambda a: tf.linalg.slogdet(a)[1],
     lambda r: (well_conditioned(r, 3, (2,)),))
case("MatrixInverse", tf.matrix_inverse, lambda r: (well_conditioned(r, 3),))
case("MatrixSolve", tf.matrix_solve, lambda r: (well_conditioned(r, 3), rn(r, 3, 2)))
case("MatrixTriangularSolve", lambda a, b: tf.matrix_triangular_solve(a, b, lower=True),
     lambda r: (well_conditioned(r, 3), rn(r, 3, 2)))
case("MatrixTriangularSolve",
     lambda a, b: tf.matrix_triangular_solve(a, b, lower=False, adjoint=True),
     lambda r: (well_conditioned(r, 3), rn(r, 3, 2)), name="upper_adjoint")
case("MatrixBandPart", lambda x: tf.matrix_band_part(x, 1, 0), normals((2, 3, 3)))
case("MatrixDiagPartV3", tf.matrix_diag_part, normals((2, 3, 3)))
case("MatrixDiagV3", tf.matrix_diag, normals((2, 3)))
case("Diag", tf.diag, normals((3,)))
case("DiagPart", tf.diag_part, normals((3, 3)))
case("SegmentSum", lambda x: tf.reshape(tf.segment_sum(x, i32([0, 0, 1])), [2, 2]),
     normals((3, 2)), notes="output rows are data-dependent (unknown statically, as TF)")
case("UnsortedSegmentSum", lambda x: tf.unsorted_segment_sum(x, i32([1, 0, 1]), 3),
     normals((3, 2)))

# ----------------------------------------------------------------------------- array
case("BroadcastTo", lambda x: tf.broadcast_to(x, [2, 3]), normals((3,)))
case("BroadcastTo", lambda x: tf.broadcast_to(x, [2, 2, 3]), normals((2, 1, 1)), name="middle")
case("ConcatV2", lambda x, y: tf.concat([x, y, x], 1), normals((2, 1), (2, 3)))
case("Pack", lambda x, y: tf.stack([x, y], axis=1), normals((2, 3), (2, 3)))
case("Unpack", lambda x: tf.unstack(x, axis=1)[0] * tf.unstack(x, axis=1)[2], normals((2, 3)))
case("Split", lambda x: tf.split(x, 2, axis=1)[1] * 2.0, normals((2, 4)))
case("SplitV", lambda x: tf.split(x, [1, 3], axis=1)[1], normals((2, 4)))
case("Slice", lambda x: tf.slice(x, [0, 1], [2, 2]), normals((3, 4)))
case("StridedSlice", lambda x: x[1:, ::-2], normals((3, 4)))
case("StridedSlice", lambda x: x[:, tf.newaxis, 1, ::2], normals((2, 3, 4)),
     name="newaxis_shrink")
case("Pad", lambda x: tf.pad(x, [[1, 0], [0, 2]]), normals((2, 3)))
case("PadV2", lambda x: tf.pad(x, [[1, 0], [0, 2]], constant_values=1.5), normals((2, 3)))
case("MirrorPad", lambda x: tf.pad(x, [[1, 1], [2, 0]], mode="REFLECT"), normals((3, 3)))
case("MirrorPad", lambda x: tf.pad(x, [[1, 1], [2, 0]], mode="SYMMETRIC"), normals((3, 3)),
     name="symmetric")
case("Tile", lambda x: tf.tile(x, [2, 3]), normals((2, 2)))
case("Transpose", lambda x: tf.transpose(x, [2, 0, 1]), normals((2, 3, 2)))
case("Reshape", lambda x: tf.reshape(x, [3, -1]), normals((2, 3)))
case("ExpandDims", lambda x: tf.expand_dims(x, 1) * tf.ones([2, 3, 3], tf.float64),
     normals((2, 3)))
case("Squeeze", lambda x: tf.squeeze(x, [1]), normals((2, 1, 3)))
case("ReverseV2", lambda x: tf.reverse(x, [1]), normals((2, 3)))
case("Reverse", lambda x: raw("Reverse", [x, tf.constant([True, False])]), normals((2, 3)))
case("Roll", lambda x: tf.roll(x, [1, -1], [0, 1]), normals((2, 3)))
case("Fill", lambda v: tf.fill([2, 3], v), normals(()))
case("Gather", lambda x: raw("Gather", [x, tf.constant(i32([2, 0, 2]))]), normals((3, 2)))
case("GatherV2", lambda x: tf.gather(x, i32([2, 0, 2])), normals((3, 2)),
     notes="axis 0: the gradient is an IndexedSlices (repeated index sums)")
case("GatherV2", lambda x: tf.gather(x, i32([[1, 0], [1, 1]]), axis=1), normals((2, 3)),
     name="axis1")
case("GatherNd", lambda x: tf.gather_nd(x, i32([[1, 0], [0, 2], [1, 0]])), normals((2, 3)))
case("ScatterNd", lambda u: tf.scatter_nd(i32([[1], [3], [1]]), u, [4, 2]), normals((3, 2)))
case("TensorScatterUpdate",
     lambda x, u: tf.tensor_scatter_update(x, i32([[0], [2]]), u), normals((3, 2), (2, 2)))
case("TensorScatterAdd", lambda x, u: tf.tensor_scatter_add(x, i32([[0], [2], [0]]), u),
     normals((3, 2), (3, 2)))
case("TensorScatterSub", lambda x, u: tf.tensor_scatter_sub(x, i32([[0], [2], [0]]), u),
     normals((3, 2), (3, 2)))
case("DynamicPartition",
     lambda x: tf.concat(tf.dynamic_partition(x, i32([1, 0, 1, 0]), 2), 0) * x,
     normals((4, 2)))
case("DynamicStitch",
     lambda x, y: tf.dynamic_stitch([i32([0, 2]), i32([1, 3])], [x, y]),
     normals((2, 2), (2, 2)),
     notes="no duplicate indices: TF's gradient (matched here) also feeds the overwritten "
           "values")
case("ParallelDynamicStitch",
     lambda x, y: __import__("tensorweave.ops.indexing", fromlist=["x"]).parallel_dynamic_stitch(
         [i32([0, 2]), i32([1, 3])], [x, y]), normals((2, 2), (2, 2)),
     notes="no public TF1 name (tf.raw_ops in TF2)")
case("BatchToSpaceND", lambda x: tf.batch_to_space_nd(x, [2, 2], [[0, 0], [1, 0]]),
     normals((4, 1, 2, 2)))
case("SpaceToBatchND", lambda x: tf.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 0]]),
     normals((1, 2, 4, 1)))
case("DepthToSpace", lambda x: tf.depth_to_space(x, 2), normals((1, 2, 2, 4)))
case("SpaceToDepth", lambda x: tf.space_to_depth(x, 2), normals((1, 4, 2, 2)))
case("ExtractImagePatches",
     lambda x: tf.extract_image_patches(x, [1, 2, 2, 1], [1, 2, 1, 1], [1, 1, 1, 1], "VALID"),
     normals((1, 4, 3, 2)))
case("ExtractImagePatches",
     lambda x: tf.extract_image_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 2, 1, 1], "SAME"),
     normals((1, 3, 3, 1)), name="same_rates")

# ----------------------------------------------------------------------------- nn
_act = away
case("Relu", tf.nn.relu, lambda r: (_act(r, S),))
case("Relu6", tf.nn.relu6, lambda r: (_act(r, S, points=(0.0, 6.0), scale=4.0),))
case("Elu", tf.nn.elu, lambda r: (_act(r, S),))
case("Selu", tf.nn.selu, lambda r: (_act(r, S),))
case("LeakyRelu", lambda x: tf.nn.leaky_relu(x, alpha=0.3), lambda r: (_act(r, S),))
case("Softplus", tf.nn.softplus, normals(S))
case("Softsign", tf.nn.softsign, normals(S))
case("Softmax", tf.nn.softmax, normals((2, 4)))
case("LogSoftmax", tf.nn.log_softmax, normals((2, 4)))


def _labels(r):
    lab = r.uniform(0.1, 1.0, (3, 4))
    return lab / lab.sum(1, keepdims=True)


case("SoftmaxCrossEntropyWithLogits",
     lambda lg, lb: tf.nn.softmax_cross_entropy_with_logits_v2(labels=lb, logits=lg),
     lambda r: (rn(r, 3, 4), _labels(r)), notes="v2: gradients w.r.t. logits and labels")
case("SoftmaxCrossEntropyWithLogits",
     lambda lg, lb: tf.nn.softmax_cross_entropy_with_logits(labels=lb, logits=lg),
     lambda r: (rn(r, 3, 4), _labels(r)), name="v1", wrt=(0,),
     notes="v1 stops the labels' gradient")
case("SparseSoftmaxCrossEntropyWithLogits",
     lambda lg: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([0, 3, 1]), logits=lg),
     normals((3, 4)))
case("BiasAdd", tf.nn.bias_add, normals((2, 2, 3), (3,)))
case("BiasAdd", lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
     normals((2, 3, 2, 1), (3,)), name="nchw")
case("LRN", lambda x: tf.nn.lrn(x, depth_radius=1, bias=1.0, alpha=0.5, beta=0.75),
     lambda r: (rn(r, 1, 2, 2, 4),), atol=1e-5)

_CONV = [
    ("nhwc_same", {"strides": [1, 1, 1, 1], "padding": "SAME"}, (1, 3, 3, 2)),
    ("nchw_same", {"strides": [1, 1, 1, 1], "padding": "SAME", "data_format": "NCHW"}, (1, 2, 3, 3)),
    ("nhwc_valid_stride2", {"strides": [1, 2, 2, 1], "padding": "VALID"}, (1, 5, 5, 2)),
    ("nchw_same_stride2", {"strides": [1, 1, 2, 2], "padding": "SAME", "data_format": "NCHW"},
     (1, 2, 4, 4)),
    ("nhwc_dilated", {"strides": [1, 1, 1, 1], "padding": "VALID", "dilations": [1, 2, 2, 1]},
     (1, 4, 4, 2)),
    ("nchw_dilated_same", {"strides": [1, 1, 1, 1], "padding": "SAME", "data_format": "NCHW",
                               "dilations": [1, 1, 2, 1]}, (1, 2, 4, 3)),
]


def _conv2d(kw, x, w):
    return tf.nn.conv2d(x, w, **kw)


def _conv2d_inputs(xs, rng):
    return rn(rng, *xs), rn(rng, 2, 2, 2, 2)


for _nm, _kw, _xs in _CONV:
    case("Conv2D", functools.partial(_conv2d, _kw), functools.partial(_conv2d_inputs, _xs),
         name=_nm, atol=1e-5)
case("Conv2DBackpropInput",
     lambda dy, w: tf.nn.conv2d_transpose(dy, w, [1, 5, 5, 2], [1, 2, 2, 1], "SAME"),
     normals((1, 3, 3, 3), (2, 2, 2, 3)), atol=1e-5, notes="conv2d_transpose, strided")
case("Conv2DBackpropInput",
     lambda dy, w: tf.nn.conv2d_transpose(dy, w, [1, 2, 4, 4], [1, 1, 1, 1], "VALID",
                                          data_format="NCHW"),
     normals((1, 3, 3, 3), (2, 2, 2, 3)), name="nchw_valid", atol=1e-5)
case("Conv2DBackpropFilter",
     lambda x, dy: tf.nn.conv2d_backprop_filter(x, [2, 2, 2, 3], dy, [1, 2, 2, 1], "SAME"),
     normals((1, 4, 4, 2), (1, 2, 2, 3)), atol=1e-5)
case("Conv2DBackpropFilter",
     grad_of2(lambda x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID", data_format="NCHW",
                                        dilations=[1, 1, 2, 2]), 1),
     normals((1, 2, 4, 4), (2, 2, 2, 2), (1, 2, 2, 2)), name="second_order_nchw_dilated",
     order=2, atol=1e-5)
case("DepthwiseConv2dNative",
     lambda x, w: tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "SAME"),
     normals((1, 3, 3, 2), (2, 2, 2, 2)), atol=1e-5)
case("DepthwiseConv2dNative",
     lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "VALID"),
     normals((1, 5, 5, 2), (2, 2, 2, 1)), name="strided_valid", atol=1e-5)
case("DepthwiseConv2dNative",
     lambda x, w: tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "SAME",
                                                data_format="NCHW"),
     normals((1, 2, 3, 3), (2, 2, 2, 1)), name="nchw", atol=1e-5)
case("DepthwiseConv2dNativeBackpropInput",
     grad_of2(lambda x, w: tf.nn.depthwise_conv2d_native(x, w, [1, 2, 2, 1], "SAME"), 0),
     normals((1, 4, 4, 2), (2, 2, 2, 1), (1, 2, 2, 2)), order=2, atol=1e-5)
case("DepthwiseConv2dNativeBackpropFilter",
     grad_of2(lambda x, w: tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "VALID"), 1),
     normals((1, 3, 3, 2), (2, 2, 2, 1), (1, 2, 2, 2)), order=2, atol=1e-5)
case("Conv3D", lambda x, w: tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME"),
     normals((1, 2, 3, 2, 1), (2, 2, 2, 1, 2)), atol=1e-5)
case("Conv3D", lambda x, w: tf.nn.conv3d(x, w, [1, 1, 2, 1, 1], "VALID"),
     normals((1, 2, 4, 2, 1), (1, 2, 2, 1, 2)), name="strided_valid", atol=1e-5)
case("Conv3DBackpropInputV2",
     lambda dy, w: tf.nn.conv3d_transpose(dy, w, [1, 2, 4, 2, 1], [1, 1, 2, 1, 1], "SAME"),
     normals((1, 2, 2, 2, 2), (2, 2, 2, 1, 2)), atol=1e-5)
case("Conv3DBackpropFilterV2",
     grad_of2(lambda x, w: tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "VALID"), 1),
     normals((1, 2, 3, 2, 1), (1, 2, 2, 1, 2), (1, 2, 2, 1, 2)), order=2, atol=1e-5)

_POOL = [
    ("valid", {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"}, (1, 4, 4, 2)),
    ("same", {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}, (1, 3, 3, 2)),
    ("same_overlap", {"ksize": [1, 3, 3, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
     (1, 3, 3, 1)),
    ("nchw_valid", {"ksize": [1, 1, 2, 2], "strides": [1, 1, 1, 1], "padding": "VALID",
                        "data_format": "NCHW"}, (1, 2, 3, 3)),
]


def _pool(pool, kw, x):
    return pool(x, **kw)


def _distinct_input(xs, rng):
    return (distinct(rng, *xs),)


def _normal_input(xs, rng):
    return (rn(rng, *xs),)


for _nm, _kw, _xs in _POOL:
    case("MaxPool", functools.partial(_pool, tf.nn.max_pool, _kw),
         functools.partial(_distinct_input, _xs), name=_nm)
    case("AvgPool", functools.partial(_pool, tf.nn.avg_pool, _kw),
         functools.partial(_normal_input, _xs), name=_nm)
case("MaxPool3D", lambda x: tf.nn.max_pool3d(x, [1, 2, 2, 1, 1], [1, 1, 2, 1, 1], "SAME"),
     lambda r: (distinct(r, 1, 2, 3, 2, 2),))
case("AvgPool3D", lambda x: tf.nn.avg_pool3d(x, [1, 2, 2, 1, 1], [1, 1, 2, 1, 1], "SAME"),
     normals((1, 2, 3, 2, 2)))
case("MaxPoolGrad",
     grad_of(lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")),
     lambda r: (distinct(r, 1, 3, 3, 1), rn(r, 1, 2, 2, 1)), order=2)
case("AvgPoolGrad",
     grad_of(lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")),
     normals((1, 3, 3, 1), (1, 2, 2, 1)), order=2)
case("AvgPool3DGrad",
     grad_of(lambda x: tf.nn.avg_pool3d(x, [1, 2, 2, 1, 1], [1, 1, 2, 1, 1], "SAME")),
     normals((1, 2, 3, 1, 1), (1, 2, 2, 1, 1)), order=2)
_F32 = "ResizeBilinear outputs float32 for any input (as TF); linear in x, so a large delta"
case("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [3, 5]), normals((1, 2, 3, 1)),
     delta=0.05, atol=1e-5, notes=_F32)
case("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [3, 4], align_corners=True),
     normals((1, 2, 3, 1)), name="align_corners", delta=0.05, atol=1e-5, notes=_F32)
case("ResizeNearestNeighbor", lambda x: tf.image.resize_nearest_neighbor(x, [4, 5]),
     normals((1, 2, 3, 1)))


def _fbn_inputs(r):
    return rn(r, 2, 2, 2, 2), r.uniform(0.5, 1.5, 2), rn(r, 2)


case("FusedBatchNormV3",
     lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, epsilon=0.01, is_training=True)[0],
     _fbn_inputs, atol=1e-5, notes="training: batch statistics")
case("FusedBatchNormV3",
     lambda x, s, o, m, v: tf.nn.fused_batch_norm(x, s, o, m, v, epsilon=0.01,
                                                  is_training=False)[0],
     lambda r: _fbn_inputs(r) + (rn(r, 2), r.uniform(0.5, 1.5, 2)), name="inference",
     atol=1e-5, wrt=(0, 1, 2),
     notes="no gradient for the given mean/variance (TF's _BaseFusedBatchNormGrad: None)")
case("FusedBatchNormV3",
     lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, epsilon=0.01, is_training=True,
                                            data_format="NCHW")[0],
     _fbn_inputs, name="nchw", atol=1e-5)


def _fbn_raw(op_type, x, s, o):
    empty = tf.constant(np.zeros(0))
    return raw(op_type, [x, s, o, empty, empty], epsilon=0.01, is_training=True)


for _t in ("FusedBatchNorm", "FusedBatchNormV2"):
    case(_t, functools.partial(_fbn_raw, _t), _fbn_inputs, atol=1e-5,
         notes="no public TF1 name (tf.raw_ops in TF2)")

# ----------------------------------------------------------------------------- second order


def _pos_normal(r):
    return r.uniform(0.5, 2.0, S), rn(r, *S)


case("SigmoidGrad", grad_of(tf.sigmoid), normals(S, S), order=2)
case("TanhGrad", grad_of(tf.tanh), normals(S, S), order=2)
case("SqrtGrad", grad_of(tf.sqrt), _pos_normal, order=2)
case("RsqrtGrad", grad_of(tf.rsqrt), _pos_normal, order=2)
case("ReciprocalGrad", grad_of(tf.reciprocal), _pos_normal, order=2)
case("ReluGrad", grad_of(tf.nn.relu), lambda r: (away(r, S), rn(r, *S)), order=2)
case("Relu6Grad", grad_of(tf.nn.relu6),
     lambda r: (away(r, S, points=(0.0, 6.0), scale=4.0), rn(r, *S)), order=2)
case("EluGrad", grad_of(tf.nn.elu), lambda r: (away(r, S), rn(r, *S)), order=2)
case("LeakyReluGrad", grad_of(lambda x: tf.nn.leaky_relu(x, 0.2)),
     lambda r: (away(r, S), rn(r, *S)), order=2)
case("BiasAddGrad", lambda x, b, dy: tf.gradients(tf.nn.bias_add(x * x, b), b, grad_ys=dy)[0],
     normals((2, 3), (3,), (2, 3)), order=2, wrt=(0, 2))
case("StridedSliceGrad", grad_of(lambda x: x[1:, ::-2]), normals((3, 4), (2, 2)), order=2)
case("MirrorPadGrad", grad_of(lambda x: tf.pad(x, [[1, 1], [2, 0]], mode="REFLECT")),
     normals((3, 3), (5, 5)), order=2)

# ----------------------------------------------------------------------------- control flow


def _cond(x, y):
    pred = tf.reduce_sum(x) > 0.0  # data-dependent predicate (inputs keep |sum| large)
    return tf.cond(pred, lambda: x * x * y, lambda: x * 3.0 - y)


def _cond_inputs(sign):
    def gen(r):
        x = np.abs(rn(r, 2, 3)) * sign + 0.1 * sign
        return x, rn(r, 3)
    return gen


case("StatelessIf", _cond, _cond_inputs(1.0), name="true_branch")
case("StatelessIf", _cond, _cond_inputs(-1.0), name="false_branch")
case("If", lambda x, y: tf.cond(tf.reduce_sum(x) > 0.0,
                                lambda: tf.Print(x * x * y, [], message=""), lambda: x - y),
     _cond_inputs(1.0), notes="a stateful branch (Print) makes the op If")


def _while(x, w):
    # The trip count is a PlaceholderWithDefault: unknown statically, data-dependent at runtime
    # (test_grad_coverage also feeds it through a tf.placeholder with several values).
    n = tf.placeholder_with_default(np.int32(3), [])
    return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * w + x), [0, x])[1]


case("StatelessWhile", _while, normals((2, 3), (3,)))
case("StatelessWhile",
     lambda x: tf.while_loop(lambda s: tf.reduce_sum(s) < 20.0, lambda s: s * 1.5 + 0.1, [x]),
     lambda r: (np.array([0.9, 1.1, 0.7]),), name="value_dependent_trip_count",
     notes="sum 2.7 -> 4.15 -> 6.33 -> 9.59 -> 14.5 -> 21.9: five trips, far from the bound")
case("While", lambda x, w: tf.while_loop(
    lambda i, s: i < 2, lambda i, s: (i + 1, tf.Print(s * w + x, [], message="")), [0, x])[1],
    normals((2, 3), (3,)), notes="a stateful body (Print) makes the op While")
case("TensorListFromTensor", lambda x, y: tf.map_fn(lambda r: r * y + r * r, x),
     normals((3, 2), (2,)), name="map_fn",
     notes="map_fn: TensorListFromTensor/GetItem/SetItem/Stack in a While")
case("TensorListGetItem", lambda x: tf.scan(lambda acc, r: acc * r + r, x), normals((3, 2)),
     name="scan")
case("TensorListGetItem", lambda x: tf.foldl(lambda acc, r: acc * r + r, x), normals((3, 2)),
     name="foldl")
case("TensorListSetItem",
     lambda x: tf.reshape(tf.TensorArray(tf.float64, size=2).write(0, x[0] * x[1])
                          .write(1, x[1]).stack(), [2, 3]),
     normals((2, 3)), notes="TensorArray.write; reshape: the stacked static shape is (?, 3) here "
                            "(TF knows (2, 3))")
case("TensorListStack", lambda x: tf.map_fn(lambda r: tf.reduce_sum(r * r), x),
     normals((3, 2)), name="map_fn_reduce")
case("TensorListGather",
     lambda x: tf.TensorArray(tf.float64, size=3).unstack(x).gather([2, 0]), normals((3, 2)))
case("TensorListScatterIntoExistingList",
     lambda x: tf.reshape(tf.TensorArray(tf.float64, size=3).scatter([2, 0], x * x).stack(),
                          [3, 2]), normals((2, 2)))

# ----------------------------------------------------------------------------- exemptions
EXEMPT = {
    "Conj": "complex-only op (attr T is complex); the float64 checker cannot perturb complex "
            "inputs and Real/Imag/Complex have no registered gradients to build a real-valued "
            "chain through it",
    "PreventGradient": "its gradient raises LookupError by design (TF's PreventGradient); "
                       "test_grad_coverage checks that it raises",
    "ReadVariableOp": "its input is a resource handle, not a float tensor the checker can feed; "
                      "checked by central differences through AssignVariableOp in "
                      "tests/ops/test_resource_variable_ops.py",
    "ResourceGather": "input is a resource handle (as ReadVariableOp); checked in "
                      "tests/ops/test_resource_variable_ops.py",
}
