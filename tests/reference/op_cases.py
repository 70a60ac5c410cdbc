"""The table of op cases recorded from real TensorFlow (see record_ops.py, README.md).

Each case: an ``id``, a Python expression over ``tf``, ``np``, ``DT`` (the case's dtype as a
``tf.DType``) and named inputs, the input specs, and the dtypes it runs in. An input spec is
``(name, shape, kind, dtype)``; dtype ``"T"`` means the case's dtype. Kinds (reflib.make_value):

- ``normal``       standard normal (ints: -5..5)
- ``positive``     uniform [0.5, 2) (ints: 1..5)          for log, sqrt, rsqrt, pow ...
- ``unit``         uniform (0.05, 0.95)                   probabilities, labels
- ``signed_unit``  uniform (-0.9, 0.9)                    asin, acos, atanh
- ``nonzero``      |v| in [0.5, 3) with random sign (ints: +-1..5)   divisors
- ``halfint``      k + 0.5 ties mixed with random values  round (banker's)
- ``simplex``      rows (last axis) sum to one            soft labels
- ``spread``       distinct, well-separated values        top_k, argmax, max_pool
- ``int:lo:hi``    integers in [lo, hi)                   indices, labels, lengths
- ``bool``         random booleans
- ``perm``         a permutation of range(shape[0])

Every input placeholder is created with the given shape (variant ``known``) and again with its
first dim set to None (variant ``unknown``) unless ``unknown=False``. ``novalue=True`` records
names, dtypes and static shapes only (random ops; layouts TF's CPU kernels cannot run).
``tol`` maps a dtype to ``(rtol, atol)`` where TF's own float32 algorithm differs from a plain
evaluation (documented by ``note``).
"""

F = ("float32", "float64")
F32 = ("float32",)
I = ("int32", "int64")
FI = F + I

CASES = []


def I_(name, shape, kind="normal", dtype="T"):
    return (name, list(shape), kind, dtype)


def case(id, expr, *inputs, dtypes=F, unknown=True, novalue=False, tol=None, note=None):
    assert all(c["id"] != id for c in CASES), id
    CASES.append(
        {"id": id, "expr": expr, "inputs": [list(i) for i in inputs], "dtypes": list(dtypes),
             "unknown": unknown, "novalue": novalue, "tol": tol or {}, "note": note}
    )


X23 = I_("x", [2, 3])
Y23 = I_("y", [2, 3])
X234 = I_("x", [2, 3, 4])
POS23 = I_("x", [2, 3], "positive")
B23 = I_("a", [2, 3], "bool", "bool")
B23b = I_("b", [2, 3], "bool", "bool")
LOOSE = {"float32": (1e-4, 1e-5)}
LOOSE_NOTE = "float32 accumulation order in TF (Eigen tree reductions / GEMM) differs from NumPy"

# ---------------------------------------------------------------- elementwise unary math
for fn, kind, dts in [
    ("negative", "normal", FI), ("abs", "normal", FI), ("sign", "normal", FI),
    ("square", "normal", FI), ("sqrt", "positive", F), ("rsqrt", "positive", F),
    ("exp", "normal", F), ("log", "positive", F), ("log1p", "positive", F),
    ("expm1", "normal", F), ("sin", "normal", F), ("cos", "normal", F), ("tan", "signed_unit", F),
    ("asin", "signed_unit", F), ("acos", "signed_unit", F), ("atan", "normal", F),
    ("sinh", "normal", F), ("cosh", "normal", F), ("tanh", "normal", F),
    ("sigmoid", "normal", F), ("floor", "normal", F), ("ceil", "normal", F),
    ("round", "halfint", F), ("rint", "halfint", F), ("reciprocal", "nonzero", F),
    ("erf", "normal", F), ("erfc", "normal", F), ("lgamma", "positive", F),
    ("digamma", "positive", F), ("is_nan", "normal", F), ("is_finite", "normal", F),
    ("is_inf", "normal", F), ("stop_gradient", "normal", F), ("identity", "normal", FI),
]:
    case(f"unary_{fn}", f"tf.{fn}(x)", I_("x", [2, 3], kind), dtypes=dts)
case("unary_neg_operator", "-x", X23, dtypes=FI)
case("unary_abs_builtin", "abs(x)", X23, dtypes=FI)
case("unary_math_atanh", "tf.math.atanh(x)", I_("x", [2, 3], "signed_unit"))
case("unary_math_softplus", "tf.math.softplus(x)", X23)
case("unary_math_log_sigmoid", "tf.math.log_sigmoid(x)", X23)
case("unary_named", "tf.exp(x, name='my_exp')", X23)
case("unary_round_int", "tf.round(x)", X23, dtypes=I)
case("unary_scalar", "tf.square(x)", I_("x", [], "normal"))
case("unary_rank4", "tf.tanh(x)", I_("x", [2, 3, 2, 2]))
case("logical_not", "tf.logical_not(a)", B23, dtypes=["bool"])
case("logical_invert_operator", "~a", B23, dtypes=["bool"])

# tf.math aliases
for fn, kind in [
    ("log", "positive"), ("exp", "normal"), ("sigmoid", "normal"), ("tanh", "normal"),
    ("reciprocal", "nonzero"), ("rsqrt", "positive"), ("sqrt", "positive"),
    ("erf", "normal"), ("round", "halfint"), ("log1p", "positive"), ("sign", "normal"),
    ("square", "normal"), ("abs", "normal"), ("negative", "normal"), ("floor", "normal"),
    ("ceil", "normal"), ("sin", "normal"), ("cos", "normal"),
]:
    case(f"math_{fn}", f"tf.math.{fn}(x)", I_("x", [2, 3], kind))

# ---------------------------------------------------------------- elementwise binary math
BIN = [
    ("add", "normal", FI), ("subtract", "normal", FI), ("multiply", "normal", FI),
    ("divide", "nonzero", F), ("div", "nonzero", FI), ("truediv", "nonzero", FI),
    ("realdiv", "nonzero", F), ("floordiv", "nonzero", FI), ("floor_div", "nonzero", FI),
    ("floormod", "nonzero", FI), ("mod", "nonzero", FI), ("maximum", "normal", FI),
    ("minimum", "normal", FI), ("squared_difference", "normal", FI),
    ("atan2", "nonzero", F), ("div_no_nan", "nonzero", F),
]
for fn, kind, dts in BIN:
    case(f"binary_{fn}", f"tf.{fn}(x, y)", X23, I_("y", [2, 3], kind), dtypes=dts)
case("binary_pow", "tf.pow(x, y)", POS23, Y23)
case("binary_pow_int", "tf.pow(x, y)", X23, I_("y", [2, 3], "int:0:4"), dtypes=I)
for fn, kind in [("add", "normal"), ("multiply", "normal"), ("pow", "normal"),
                 ("floordiv", "nonzero"), ("floormod", "nonzero"), ("maximum", "normal"),
                 ("squared_difference", "normal"), ("truediv", "nonzero"),
                 ("divide", "nonzero")]:
    x_kind = "positive" if fn == "pow" else "normal"
    case(f"math_{fn}", f"tf.math.{fn}(x, y)", I_("x", [2, 3], x_kind), I_("y", [2, 3], kind))
# broadcasting
case("bcast_add_row", "tf.add(x, y)", X23, I_("y", [3]), dtypes=FI)
case("bcast_add_col", "x + y", X23, I_("y", [2, 1]), dtypes=FI)
case("bcast_mul_3d", "x * y", I_("x", [2, 1, 3]), I_("y", [4, 1]), dtypes=FI)
case("bcast_sub_scalar_tensor", "x - y", X23, I_("y", [])),
case("bcast_maximum", "tf.maximum(x, y)", I_("x", [3, 1, 2]), I_("y", [1, 4, 1]))
case("bcast_floormod_neg", "tf.floormod(x, y)", I_("x", [2, 3]), I_("y", [3], "nonzero"),
     dtypes=FI)
case("bcast_pow", "tf.pow(x, y)", I_("x", [2, 3], "positive"), I_("y", [1, 3]))
case("bcast_squared_difference", "tf.squared_difference(x, y)", I_("x", [2, 1, 3]),
     I_("y", [2, 3]))
# operators, python scalars
case("op_add", "x + y", X23, Y23, dtypes=FI)
case("op_sub", "x - y", X23, Y23, dtypes=FI)
case("op_mul", "x * y", X23, Y23, dtypes=FI)
case("op_truediv", "x / y", X23, I_("y", [2, 3], "nonzero"), dtypes=FI)
case("op_floordiv", "x // y", X23, I_("y", [2, 3], "nonzero"), dtypes=FI)
case("op_mod", "x % y", X23, I_("y", [2, 3], "nonzero"), dtypes=FI)
case("op_pow", "x ** y", POS23, Y23)
case("op_pow_scalar", "x ** 2", X23, dtypes=FI)
case("op_add_scalar", "x + 2", X23, dtypes=FI)
case("op_radd_scalar", "2 + x", X23, dtypes=FI)
case("op_rsub_scalar", "1 - x", X23, dtypes=FI)
case("op_mul_scalar", "x * 2", X23, dtypes=FI)
case("op_rmul_scalar", "0.5 * x", X23)
case("op_rtruediv_scalar", "1.0 / x", I_("x", [2, 3], "nonzero"))
case("op_div_scalar", "x / 4", X23)
case("op_matmul", "x @ y", X23, I_("y", [3, 2]))
case("op_chain", "(x + y) * (x - 1.5) / (tf.abs(y) + 1)", X23, Y23)
case("add_n", "tf.add_n([x, y, z])", X23, Y23, I_("z", [2, 3]), dtypes=FI)
case("add_n_single", "tf.add_n([x])", X23)
case("math_add_n", "tf.math.add_n([x, y])", X23, Y23)
case("scalar_mul", "tf.scalar_mul(2.0, x)", X23)

# ---------------------------------------------------------------- comparisons and logic
for fn in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
    case(f"cmp_{fn}", f"tf.{fn}(x, y)", I_("x", [2, 3], "int:0:3"), I_("y", [2, 3], "int:0:3"),
         dtypes=FI)
    case(f"cmp_{fn}_bcast", f"tf.math.{fn}(x, y)", X23, I_("y", [3]))
case("cmp_op_lt", "x < y", X23, Y23, dtypes=FI)
case("cmp_op_ge_scalar", "x >= 0.0", X23)
case("cmp_op_gt_scalar", "x > 0", X23, dtypes=FI)
for fn in ["logical_and", "logical_or", "logical_xor"]:
    case(f"{fn}", f"tf.{fn}(a, b)", B23, B23b, dtypes=["bool"])
case("logical_and_bcast", "tf.logical_and(a, b)", B23, I_("b", [3], "bool", "bool"),
     dtypes=["bool"])
case("logical_op_and", "a & b", B23, B23b, dtypes=["bool"])
case("logical_op_or", "a | b", B23, B23b, dtypes=["bool"])
case("logical_op_xor", "a ^ b", B23, B23b, dtypes=["bool"])
case("math_logical_and", "tf.math.logical_and(a, b)", B23, B23b, dtypes=["bool"])
case("cmp_equal_bool", "tf.equal(a, b)", B23, B23b, dtypes=["bool"])

# ---------------------------------------------------------------- select / where
C23 = I_("c", [2, 3], "bool", "bool")
case("where3", "tf.where(c, x, y)", C23, X23, Y23, dtypes=FI)
case("where3_vector_cond", "tf.where(c, x, y)", I_("c", [2], "bool", "bool"), X23, Y23)
case("where_v2_bcast", "tf.where_v2(c, x, y)", I_("c", [3], "bool", "bool"), X23, I_("y", [2, 1]))
case("where_v2_scalar", "tf.where_v2(x > 0, x, 0.0)", X23)
case("where1", "tf.where(c)", C23, dtypes=["bool"])
case("where1_3d", "tf.where(c)", I_("c", [2, 3, 2], "bool", "bool"), dtypes=["bool"])
case("where1_numeric", "tf.where(x > 0)", X23)
case("boolean_mask", "tf.boolean_mask(x, c)", X23, I_("c", [2], "bool", "bool"), unknown=False)

# ---------------------------------------------------------------- reductions
for fn, dts in [("reduce_sum", FI), ("reduce_mean", FI), ("reduce_max", FI),
                ("reduce_min", FI), ("reduce_prod", FI), ("reduce_logsumexp", F)]:
    case(f"{fn}_all", f"tf.{fn}(x)", X234, dtypes=dts)
    case(f"{fn}_axis0", f"tf.{fn}(x, axis=0)", X234, dtypes=dts)
    case(f"{fn}_axis1", f"tf.{fn}(x, 1)", X234, dtypes=dts)
    case(f"{fn}_axis_neg", f"tf.{fn}(x, axis=-1)", X234, dtypes=dts)
    case(f"{fn}_axes02", f"tf.{fn}(x, axis=[0, 2])", X234, dtypes=dts)
    case(f"{fn}_keepdims", f"tf.{fn}(x, axis=1, keepdims=True)", X234, dtypes=dts)
    case(f"{fn}_keep_dims", f"tf.{fn}(x, 2, keep_dims=True)", X234, dtypes=dts)
    case(f"{fn}_reduction_indices", f"tf.{fn}(x, reduction_indices=[1])", X234, dtypes=dts)
    case(f"{fn}_all_keepdims", f"tf.{fn}(x, keepdims=True)", X234, dtypes=dts)
case("reduce_sum_named", "tf.reduce_sum(x, 1, name='total')", X23)
case("reduce_sum_tensor_axis", "tf.reduce_sum(x, axis=ax)", X234, I_("ax", [], "int:0:3", "int32"))
case("reduce_mean_empty_axis", "tf.reduce_mean(x, axis=[])", X23)
case("reduce_sum_bigger", "tf.reduce_sum(x, axis=1)", I_("x", [3, 64, 5]), tol=LOOSE,
     note=LOOSE_NOTE)
case("reduce_mean_bigger", "tf.reduce_mean(x)", I_("x", [6, 50]), tol=LOOSE, note=LOOSE_NOTE)
for fn in ["reduce_all", "reduce_any"]:
    case(f"{fn}_all", f"tf.{fn}(c)", C23, dtypes=["bool"])
    case(f"{fn}_axis1", f"tf.{fn}(c, axis=1)", C23, dtypes=["bool"])
    case(f"{fn}_keepdims", f"tf.{fn}(c, 0, keepdims=True)", C23, dtypes=["bool"])
for fn in ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_logsumexp", "reduce_std", "reduce_variance", "reduce_euclidean_norm"]:
    case(f"math_{fn}", f"tf.math.{fn}(x, axis=1)", X234)
case("count_nonzero", "tf.count_nonzero(x, axis=1)", I_("x", [2, 3, 4], "int:0:2"), dtypes=FI)
case("count_nonzero_all", "tf.count_nonzero(x)", I_("x", [2, 3], "int:0:2"), dtypes=I)

# ---------------------------------------------------------------- argmax / argmin
SP = I_("x", [3, 4], "spread")
for fn in ["argmax", "argmin"]:
    case(f"{fn}_axis1", f"tf.{fn}(x, 1)", SP, dtypes=FI)
    case(f"{fn}_axis0", f"tf.{fn}(x, axis=0)", SP, dtypes=FI)
    case(f"{fn}_default", f"tf.{fn}(x)", SP)
    case(f"{fn}_dimension", f"tf.{fn}(x, dimension=1)", SP)
    case(f"{fn}_int32", f"tf.{fn}(x, axis=-1, output_type=tf.int32)", SP)
    case(f"{fn}_3d", f"tf.math.{fn}(x, 2)", I_("x", [2, 3, 4], "spread"))
case("arg_max", "tf.arg_max(x, 1)", SP)
case("arg_min", "tf.arg_min(x, dimension=0)", SP)

# ---------------------------------------------------------------- matmul
MA = I_("a", [2, 3])
case("matmul", "tf.matmul(a, b)", MA, I_("b", [3, 4]), dtypes=FI)
case("matmul_ta", "tf.matmul(a, b, transpose_a=True)", I_("a", [3, 2]), I_("b", [3, 4]))
case("matmul_tb", "tf.matmul(a, b, transpose_b=True)", MA, I_("b", [4, 3]))
case("matmul_tab", "tf.matmul(a, b, transpose_a=True, transpose_b=True)", I_("a", [3, 2]),
     I_("b", [4, 3]))
case("matmul_adjoint", "tf.matmul(a, b, adjoint_b=True)", MA, I_("b", [4, 3]))
case("matmul_named", "tf.matmul(a, b, name='logits')", MA, I_("b", [3, 4]))
case("matmul_bigger", "tf.matmul(a, b)", I_("a", [4, 64]), I_("b", [64, 5]), tol=LOOSE,
     note=LOOSE_NOTE)
case("linalg_matmul", "tf.linalg.matmul(a, b)", MA, I_("b", [3, 4]))
case("batch_matmul", "tf.matmul(a, b)", I_("a", [2, 2, 3]), I_("b", [2, 3, 4]), dtypes=FI)
case("batch_matmul_ta", "tf.matmul(a, b, transpose_a=True)", I_("a", [2, 3, 2]),
     I_("b", [2, 3, 4]))
case("batch_matmul_tb", "tf.matmul(a, b, transpose_b=True)", I_("a", [2, 2, 3]),
     I_("b", [2, 4, 3]))
case("batch_matmul_bcast", "tf.matmul(a, b)", I_("a", [2, 1, 2, 3]), I_("b", [3, 3, 2]))
case("batch_matmul_4d", "tf.matmul(a, b)", I_("a", [2, 2, 2, 3]), I_("b", [2, 2, 3, 2]))
case("tensordot_1", "tf.tensordot(a, b, axes=1)", MA, I_("b", [3, 4]))
case("tensordot_axes", "tf.tensordot(a, b, axes=[[1], [0]])", I_("a", [2, 3, 2]),
     I_("b", [3, 4]), unknown=False)

# ---------------------------------------------------------------- cast
case("cast_to_int32", "tf.cast(x * 3, tf.int32)", X23)
case("cast_to_int64", "tf.cast(x * 3, tf.int64)", X23)
case("cast_to_bool", "tf.cast(x, tf.bool)", I_("x", [2, 3], "int:-1:2"), dtypes=FI)
case("cast_from_bool", "tf.cast(c, DT)", C23, dtypes=FI)
case("cast_f32_f64", "tf.cast(x, tf.float64)", X23)
case("cast_f64_f32", "tf.cast(x, tf.float32)", X23)
case("cast_int_to_float", "tf.cast(x, tf.float32)", X23, dtypes=I)
case("cast_same", "tf.cast(x, DT)", X23, dtypes=FI)
case("cast_named", "tf.cast(x, tf.int32, name='to_int')", X23)
case("to_float", "tf.to_float(x)", X23, dtypes=I)
case("to_int32", "tf.to_int32(x * 2)", X23)
case("to_int64", "tf.to_int64(x * 2)", X23)
case("to_double", "tf.to_double(x)", X23, dtypes=I)

# ---------------------------------------------------------------- shapes
case("reshape_flat", "tf.reshape(x, [-1])", X234, dtypes=FI)
case("reshape_neg1_middle", "tf.reshape(x, [3, -1, 2])", X234)
case("reshape_batch", "tf.reshape(x, [-1, 12])", X234)
case("reshape_explicit", "tf.reshape(x, [4, 6])", X234)
case("reshape_tensor_shape", "tf.reshape(x, tf.shape(y))", I_("x", [6]), I_("y", [2, 3]),
     unknown=False)
case("reshape_scalar", "tf.reshape(x, [])", I_("x", [1]))
case("reshape_named", "tf.reshape(x, [-1, 4], name='flat')", X234)
case("shape", "tf.shape(x)", X234, dtypes=FI)
case("shape_int64", "tf.shape(x, out_type=tf.int64)", X234)
case("shape_n", "tf.shape_n([x, y])", X234, Y23)
case("size", "tf.size(x)", X234)
case("size_int64", "tf.size(x, out_type=tf.int64)", X234)
case("rank", "tf.rank(x)", X234)
case("expand_dims_0", "tf.expand_dims(x, 0)", X23, dtypes=FI)
case("expand_dims_neg", "tf.expand_dims(x, -1)", X23)
case("expand_dims_1", "tf.expand_dims(x, axis=1)", X23)
case("expand_dims_dim", "tf.expand_dims(x, dim=1)", X23)
case("squeeze_all", "tf.squeeze(x)", I_("x", [2, 1, 3, 1]), dtypes=FI)
case("squeeze_axis", "tf.squeeze(x, axis=[1])", I_("x", [2, 1, 3, 1]))
case("squeeze_neg_axis", "tf.squeeze(x, -1)", I_("x", [2, 1, 3, 1]))
case("squeeze_dims", "tf.squeeze(x, squeeze_dims=[3])", I_("x", [2, 1, 3, 1]))
case("transpose_default", "tf.transpose(x)", X234, dtypes=FI)
case("transpose_perm", "tf.transpose(x, [1, 0, 2])", X234)
case("transpose_perm2", "tf.transpose(x, perm=[0, 2, 1])", X234)
case("transpose_2d", "tf.transpose(x)", X23)
case("transpose_tensor_perm", "tf.transpose(x, p)", X234, I_("p", [3], "perm", "int32"),
     unknown=False)
case("linalg_transpose", "tf.linalg.transpose(x)", X234)
case("matrix_transpose", "tf.matrix_transpose(x)", X234)

# ---------------------------------------------------------------- concat / stack / split
case("concat_0", "tf.concat([x, y], 0)", X23, Y23, dtypes=FI)
case("concat_1", "tf.concat([x, y], axis=1)", X23, I_("y", [2, 4]), dtypes=FI)
case("concat_neg", "tf.concat([x, y, x], -1)", X23, Y23)
case("concat_single", "tf.concat([x], 0)", X23)
case("concat_named", "tf.concat([x, y], 0, name='joined')", X23, Y23)
case("concat_3", "tf.concat(values=[x, y, x], axis=1)", X23, Y23)
case("stack_0", "tf.stack([x, y])", X23, Y23, dtypes=FI)
case("stack_1", "tf.stack([x, y], axis=1)", X23, Y23)
case("stack_neg", "tf.stack([x, y, x], axis=-1)", X23, Y23)
case("stack_scalars", "tf.stack([s, t])", I_("s", []), I_("t", []))
case("pack_named", "tf.stack([x, y], name='packed')", X23, Y23)
case("unstack_1", "tf.unstack(x, axis=1)", X234, dtypes=FI)
case("unstack_neg", "tf.unstack(x, axis=-1)", X234)
case("unstack_0", "tf.unstack(x)", X234)
case("unstack_num", "tf.unstack(x, num=3, axis=1)", X234)
case("split_num", "tf.split(x, 2, axis=2)", X234, dtypes=FI)
case("split_num0", "tf.split(x, 2)", I_("x", [4, 3]))
case("split_sizes", "tf.split(x, [1, 2], axis=1)", X234, dtypes=FI)
case("split_sizes_neg", "tf.split(x, [1, -1], 2)", X234)
case("split_value_kw", "tf.split(value=x, num_or_size_splits=3, axis=1)", X234)
case("slice", "tf.slice(x, [0, 1, 0], [1, 2, 3])", X234, dtypes=FI)
case("slice_neg_size", "tf.slice(x, [1, 0, 2], [-1, 2, -1])", X234)
case("slice_tensor_begin", "tf.slice(x, b, [1, 2])", X23, I_("b", [2], "int:0:2", "int32"),
     unknown=False)

# ---------------------------------------------------------------- strided slice (indexing)
for i, idx in enumerate([
    "x[1:]", "x[:, ::2]", "x[1:, ::2, None, ...]", "x[::-1]", "x[-1]", "x[..., 1]",
    "x[:, -2:0:-1]", "x[1, 2]", "x[None]", "x[:, tf.newaxis]", "x[0, :, 1:3]",
    "x[..., ::-2]", "x[:1, 1:, :-1]", "x[-2:, -1, ::3]", "x[1, ..., None]",
]):
    case(f"index_{i:02d}", idx, X234, dtypes=FI if i < 2 else F)
case("index_tensor", "x[i]", X234, I_("i", [], "int:0:2", "int32"))
case("index_tensor_range", "x[:, i:i + 2]", X234, I_("i", [], "int:0:2", "int32"))
case("strided_slice", "tf.strided_slice(x, [0, 0], [2, 3], [1, 2])", X23)
case("strided_slice_masks",
     "tf.strided_slice(x, [1, 0, 0], [2, 3, 4], [1, 1, 1], begin_mask=1, end_mask=2, "
     "shrink_axis_mask=4)", X234)

# ---------------------------------------------------------------- tile / pad / fill / like
case("tile", "tf.tile(x, [2, 1, 3])", X234, dtypes=FI)
case("tile_2d", "tf.tile(x, [1, 2])", X23)
case("tile_tensor_multiples", "tf.tile(x, m)", X23, I_("m", [2], "int:1:3", "int32"),
     unknown=False)
case("pad_constant", "tf.pad(x, [[1, 0], [2, 1]])", X23, dtypes=FI)
case("pad_constant_value", "tf.pad(x, [[1, 1], [0, 2]], constant_values=1.5)", X23)
case("pad_reflect", "tf.pad(x, [[1, 1], [2, 1]], 'REFLECT')", I_("x", [3, 4]), dtypes=FI)
case("pad_symmetric", "tf.pad(x, [[1, 2], [3, 0]], mode='SYMMETRIC')", I_("x", [3, 4]),
     dtypes=FI)
case("pad_lowercase", "tf.pad(x, [[0, 1], [1, 1]], mode='reflect')", I_("x", [3, 4]))
case("pad_3d", "tf.pad(x, [[0, 0], [1, 1], [1, 1]])", X234)
case("fill", "tf.fill([2, 3], s)", I_("s", []), dtypes=FI)
case("fill_scalar_const", "tf.fill([3, 2], 2.5)", X23, dtypes=["float32"])
case("fill_shape_of", "tf.fill(tf.shape(x), 7)", X23, dtypes=["float32"])
case("zeros", "tf.zeros([2, 3])", X23, dtypes=["float32"])
case("zeros_dtype", "tf.zeros([2, 3], dtype=DT)", X23, dtypes=FI)
case("ones", "tf.ones([3, 2], DT)", X23, dtypes=FI)
case("zeros_like", "tf.zeros_like(x)", X23, dtypes=FI)
case("ones_like", "tf.ones_like(x)", X23, dtypes=FI)
case("zeros_like_dtype", "tf.zeros_like(x, dtype=tf.int32)", X23)
case("ones_like_dtype", "tf.ones_like(x, dtype=tf.float64)", X23, dtypes=F32)
case("zeros_like_bool", "tf.zeros_like(c)", C23, dtypes=["bool"])
case("constant_int", "tf.constant([[1, 2], [3, 4]]) + 0", X23, dtypes=F32)
case("constant_float_shape", "tf.constant(1.5, shape=[2, 2])", X23, dtypes=F32)
case("constant_dtype", "tf.constant([1, 2, 3], dtype=DT)", X23, dtypes=FI)
case("constant_named", "tf.constant(3.0, name='three') * x", X23, dtypes=F32)
case("placeholder_with_default", "tf.placeholder_with_default(x, shape=[None, 3]) * 2.0",
     X23, dtypes=F32)

# ---------------------------------------------------------------- range / linspace / one_hot
case("range_limit", "tf.range(5)", X23, dtypes=F32)
case("range_start_limit_delta", "tf.range(1, 10, 3)", X23, dtypes=F32)
case("range_float", "tf.range(0.0, 1.0, 0.25)", X23, dtypes=F32)
case("range_negative_delta", "tf.range(5, 0, -2)", X23, dtypes=F32)
case("range_dtype", "tf.range(4, dtype=DT)", X23, dtypes=FI)
case("range_tensor", "tf.range(n)", I_("n", [], "int:2:6", "T"), dtypes=I)
case("range_tensor_float", "tf.range(a, b, 0.5)", I_("a", [], "const:0.5"), I_("b", [], "const:3"))
case("linspace", "tf.linspace(a, b, 5)", I_("a", [], "const:-1"), I_("b", [], "const:2"))
case("lin_space", "tf.lin_space(a, b, 4)", I_("a", [], "const:0"), I_("b", [], "const:1"))
case("linspace_const", "tf.linspace(0.0, 1.0, 6)", X23, dtypes=F32)
IDX = I_("i", [4], "int:-1:4", "int32")
case("one_hot", "tf.one_hot(i, 4)", IDX, dtypes=["int32", "int64"])
case("one_hot_values", "tf.one_hot(i, 3, on_value=5.0, off_value=-1.0)", IDX, dtypes=["int32"])
case("one_hot_axis0", "tf.one_hot(i, 4, axis=0)", IDX, dtypes=["int32"])
case("one_hot_dtype", "tf.one_hot(i, 4, dtype=tf.float64)", IDX, dtypes=["int32"])
case("one_hot_2d", "tf.one_hot(i, 3)", I_("i", [2, 3], "int:0:3", "int64"), dtypes=["int64"])
case("one_hot_int_out", "tf.one_hot(i, 4, 1, 0)", IDX, dtypes=["int32"])

# ---------------------------------------------------------------- gather / scatter / where
P53 = I_("p", [5, 3])
GI = I_("i", [4], "int:0:5", "int32")
case("gather", "tf.gather(p, i)", P53, GI, dtypes=FI)
case("gather_int64_idx", "tf.gather(p, i)", P53, I_("i", [4], "int:0:5", "int64"))
case("gather_axis1", "tf.gather(p, j, axis=1)", P53, I_("j", [2], "int:0:3", "int32"), dtypes=FI)
case("gather_2d_idx", "tf.gather(p, i)", P53, I_("i", [2, 3], "int:0:5", "int32"))
case("gather_scalar_idx", "tf.gather(p, i)", P53, I_("i", [], "int:0:5", "int32"))
case("gather_named", "tf.gather(p, i, name='rows')", P53, GI)
case("embedding_lookup", "tf.nn.embedding_lookup(p, i)", P53, GI)
case("gather_nd_elems", "tf.gather_nd(p, i)", P53,
     I_("i", [3, 2], "int:0:3", "int32"), dtypes=FI)
case("gather_nd_slices", "tf.gather_nd(p, i)", P53, I_("i", [3, 1], "int:0:5", "int32"))
case("gather_nd_3d", "tf.gather_nd(x, i)", X234, I_("i", [2, 2], "int:0:2", "int64"))
case("scatter_nd", "tf.scatter_nd(i, u, [5, 3])", I_("i", [4, 1], "int:0:5", "int32"),
     I_("u", [4, 3]), dtypes=FI, note="duplicate indices are summed")
case("scatter_nd_elems", "tf.scatter_nd(i, u, [3, 4])",
     I_("i", [5, 2], "int:0:3", "int32"), I_("u", [5]))
case("unique", "tf.unique(x)", I_("x", [8], "int:0:4", "T"), dtypes=I, unknown=False)
case("unique_float", "tf.unique(x)", I_("x", [6], "int:0:3", "T"), dtypes=F, unknown=False)
case("unique_out_idx", "tf.unique(x, out_idx=tf.int64)", I_("x", [7], "int:0:4", "T"),
     dtypes=["int32"], unknown=False)
case("unique_with_counts", "tf.unique_with_counts(x)", I_("x", [8], "int:0:4", "T"),
     dtypes=["int32"], unknown=False)
case("top_k", "tf.nn.top_k(x, 2)", I_("x", [3, 5], "spread"), dtypes=FI)
case("top_k_unsorted_k1", "tf.nn.top_k(x, k=1)", I_("x", [3, 5], "spread"))
case("top_k_3d", "tf.math.top_k(x, k=3)", I_("x", [2, 2, 5], "spread"))
case("top_k_values_only", "tf.nn.top_k(x, 3).values", I_("x", [4], "spread"))
case("in_top_k", "tf.nn.in_top_k(x, t, 2)", I_("x", [4, 5], "spread"),
     I_("t", [4], "int:0:5", "int32"), dtypes=F32)

# ---------------------------------------------------------------- nn activations
NN = I_("x", [2, 5])
for fn in ["relu", "relu6", "elu", "selu", "softplus", "softsign", "sigmoid", "tanh", "crelu"]:
    case(f"nn_{fn}", f"tf.nn.{fn}(x)", I_("x", [2, 5], "normal") if fn != "relu6" else
         I_("x", [2, 5], "spread"))
case("nn_relu_int", "tf.nn.relu(x)", NN, dtypes=I)
case("nn_relu6_scaled", "tf.nn.relu6(x * 4.0)", NN)
case("nn_leaky_relu", "tf.nn.leaky_relu(x)", NN)
case("nn_leaky_relu_alpha", "tf.nn.leaky_relu(x, alpha=0.1)", NN)
case("nn_softmax", "tf.nn.softmax(x)", NN)
case("nn_softmax_axis0", "tf.nn.softmax(x, axis=0)", NN)
case("nn_softmax_dim", "tf.nn.softmax(x, dim=0)", NN)
case("nn_softmax_3d", "tf.nn.softmax(x)", X234)
case("nn_softmax_3d_axis1", "tf.nn.softmax(x, axis=1)", X234)
case("nn_log_softmax", "tf.nn.log_softmax(x)", NN)
case("nn_log_softmax_axis0", "tf.nn.log_softmax(x, axis=0)", NN)
case("math_softmax", "tf.math.softmax(x)", NN)
case("bias_add", "tf.nn.bias_add(x, b)", I_("x", [2, 3, 3, 4]), I_("b", [4]), dtypes=FI)
case("bias_add_2d", "tf.nn.bias_add(x, b)", NN, I_("b", [5]))
case("bias_add_nchw", "tf.nn.bias_add(x, b, data_format='NCHW')", I_("x", [2, 4, 3, 3]),
     I_("b", [4]))

# ---------------------------------------------------------------- losses (nn)
LG = I_("logits", [3, 4])
case("softmax_xent", "tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
     I_("labels", [3, 4], "simplex"), LG)
case("softmax_xent_v2",
     "tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)",
     I_("labels", [3, 4], "simplex"), LG)
case("softmax_xent_dim0",
     "tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=0)",
     I_("labels", [3, 4], "simplex"), LG, unknown=False)
case("softmax_xent_3d",
     "tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)",
     I_("labels", [2, 3, 4], "simplex"), I_("logits", [2, 3, 4]))
case("sparse_softmax_xent",
     "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
     I_("labels", [3], "int:0:4", "int32"), LG)
case("sparse_softmax_xent_int64",
     "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
     I_("labels", [3], "int:0:4", "int64"), LG)
case("sparse_softmax_xent_3d",
     "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
     I_("labels", [2, 3], "int:0:4", "int32"), I_("logits", [2, 3, 4]))
case("sigmoid_xent", "tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)",
     I_("labels", [3, 4], "unit"), LG)
case("weighted_xent",
     "tf.nn.weighted_cross_entropy_with_logits(targets=labels, logits=logits, pos_weight=2.0)",
     I_("labels", [3, 4], "unit"), LG)
case("l2_loss", "tf.nn.l2_loss(x)", X234)
case("l2_loss_named", "tf.nn.l2_loss(x, name='wd')", X23)
case("lrn", "tf.nn.lrn(x, depth_radius=2, bias=1.0, alpha=0.1, beta=0.75)",
     I_("x", [2, 3, 3, 6]), dtypes=F32)
case("lrn_defaults", "tf.nn.local_response_normalization(x)", I_("x", [1, 2, 2, 8]), dtypes=F32)

# ---------------------------------------------------------------- convolutions and pooling
IMG = I_("x", [2, 5, 5, 3])
W33 = I_("w", [3, 3, 3, 4])
CT = {"float32": (1e-4, 1e-5)}
CNOTE = "TF's float32 convolution (oneDNN/Eigen GEMM blocking) accumulates in another order"
case("conv2d_same", "tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME')", IMG, W33,
     tol=CT, note=CNOTE)
case("conv2d_valid", "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'VALID')", IMG, W33, tol=CT, note=CNOTE)
case("conv2d_same_s2", "tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding='SAME')", IMG, W33,
     tol=CT, note=CNOTE)
case("conv2d_valid_s2", "tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding='VALID')",
     I_("x", [2, 6, 6, 3]), W33, tol=CT, note=CNOTE)
case("conv2d_rect", "tf.nn.conv2d(x, w, strides=[1, 1, 2, 1], padding='SAME')",
     I_("x", [1, 4, 6, 2]), I_("w", [2, 3, 2, 3]), tol=CT, note=CNOTE)
case("conv2d_dilated",
     "tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME', dilations=[1, 2, 2, 1])",
     I_("x", [1, 6, 6, 2]), I_("w", [3, 3, 2, 3]), tol=CT, note=CNOTE)
case("conv2d_dilated_valid",
     "tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='VALID', dilations=[1, 2, 1, 1])",
     I_("x", [1, 6, 6, 2]), I_("w", [2, 2, 2, 3]), tol=CT, note=CNOTE)
case("conv2d_nchw",
     "tf.nn.conv2d(x, w, strides=[1, 1, 2, 2], padding='SAME', data_format='NCHW')",
     I_("x", [2, 3, 5, 5]), W33, dtypes=F32, tol=CT, note=CNOTE)
case("conv2d_nchw_valid",
     "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'VALID', data_format='NCHW')",
     I_("x", [2, 3, 5, 5]), W33, dtypes=F32, tol=CT, note=CNOTE)
case("conv2d_named", "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME', name='conv1')", IMG, W33,
     tol=CT, note=CNOTE)
case("conv2d_cudnn_arg",
     "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME', use_cudnn_on_gpu=True)", IMG, W33, tol=CT,
     note=CNOTE)
case("convolution", "tf.nn.convolution(x, w, padding='SAME', strides=[2, 2])", IMG, W33,
     tol=CT, note=CNOTE)
DW = I_("w", [3, 3, 3, 2])
case("depthwise_conv2d", "tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], 'SAME')", IMG, DW,
     tol=CT, note=CNOTE)
case("depthwise_conv2d_valid_s2",
     "tf.nn.depthwise_conv2d(x, w, strides=[1, 2, 2, 1], padding='VALID')", IMG, DW, tol=CT,
     note=CNOTE)
case("depthwise_conv2d_native",
     "tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], 'VALID')", IMG, DW, tol=CT, note=CNOTE)
case("conv2d_transpose_same",
     "tf.nn.conv2d_transpose(x, w, [2, 6, 6, 2], strides=[1, 2, 2, 1], padding='SAME')",
     I_("x", [2, 3, 3, 4]), I_("w", [3, 3, 2, 4]), tol=CT, note=CNOTE)
case("conv2d_transpose_valid",
     "tf.nn.conv2d_transpose(x, w, [2, 7, 7, 2], strides=[1, 2, 2, 1], padding='VALID')",
     I_("x", [2, 3, 3, 4]), I_("w", [3, 3, 2, 4]), tol=CT, note=CNOTE)
case("conv2d_transpose_s1",
     "tf.nn.conv2d_transpose(x, w, output_shape=[1, 4, 4, 3], strides=[1, 1, 1, 1])",
     I_("x", [1, 4, 4, 2]), I_("w", [2, 2, 3, 2]), tol=CT, note=CNOTE)
case("conv2d_transpose_dyn_shape",
     "tf.nn.conv2d_transpose(x, w, tf.stack([tf.shape(x)[0], 6, 6, 2]), [1, 2, 2, 1], 'SAME')",
     I_("x", [2, 3, 3, 4]), I_("w", [3, 3, 2, 4]), tol=CT, note=CNOTE)
PIMG = I_("x", [2, 5, 5, 3], "spread")
for fn in ["max_pool", "avg_pool"]:
    case(f"{fn}_2x2_same", f"tf.nn.{fn}(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], "
         "padding='SAME')", PIMG)
    case(f"{fn}_2x2_valid", f"tf.nn.{fn}(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID')", PIMG)
    case(f"{fn}_3x3_s2_same", f"tf.nn.{fn}(x, [1, 3, 3, 1], [1, 2, 2, 1], 'SAME')", PIMG)
    case(f"{fn}_3x3_s1_valid", f"tf.nn.{fn}(x, [1, 3, 3, 1], [1, 1, 1, 1], 'VALID')", PIMG)
    case(f"{fn}_nchw", f"tf.nn.{fn}(x, [1, 1, 2, 2], [1, 1, 2, 2], 'SAME', data_format='NCHW')",
         I_("x", [2, 3, 5, 5], "spread"), dtypes=F32)
case("max_pool2d", "tf.nn.max_pool2d(x, 2, 2, 'SAME')", PIMG)
case("avg_pool_named", "tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], 'SAME', name='pool')",
     PIMG)
VOL = I_("x", [1, 4, 4, 4, 2])
case("conv3d_same", "tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], 'SAME')", VOL,
     I_("w", [2, 2, 2, 2, 3]), tol=CT, note=CNOTE)
case("conv3d_valid_s2", "tf.nn.conv3d(x, w, strides=[1, 2, 2, 2, 1], padding='VALID')",
     I_("x", [1, 5, 5, 5, 2]), I_("w", [3, 3, 3, 2, 3]), tol=CT, note=CNOTE)
case("max_pool3d", "tf.nn.max_pool3d(x, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], 'VALID')",
     I_("x", [1, 4, 4, 4, 2], "spread"), dtypes=F32)
case("max_pool3d_same", "tf.nn.max_pool3d(x, [1, 3, 3, 3, 1], [1, 2, 2, 2, 1], 'SAME')",
     I_("x", [1, 5, 5, 5, 2], "spread"), dtypes=F32)
case("avg_pool3d", "tf.nn.avg_pool3d(x, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], 'SAME')", VOL,
     dtypes=F32, note="TF 2.21's float64 AvgPool3D CPU kernel crashes")

# ---------------------------------------------------------------- image
case("per_image_standardization", "tf.image.per_image_standardization(x)",
     I_("x", [4, 4, 3]), unknown=False)
case("per_image_standardization_batch", "tf.image.per_image_standardization(x)",
     I_("x", [2, 3, 3, 2]))
case("per_image_standardization_uint8", "tf.image.per_image_standardization(x)",
     I_("x", [3, 3, 2], "int:0:256", "uint8"), dtypes=["uint8"], unknown=False)
case("image_flip_left_right", "tf.image.flip_left_right(x)", I_("x", [3, 4, 2]),
     unknown=False)
case("image_flip_up_down", "tf.image.flip_up_down(x)", I_("x", [3, 4, 2]), unknown=False)
case("image_convert_dtype", "tf.image.convert_image_dtype(x, tf.float32)",
     I_("x", [2, 2, 3], "int:0:256", "uint8"), dtypes=["uint8"])

# ---------------------------------------------------------------- clipping and norms
case("clip_by_value", "tf.clip_by_value(x, -0.5, 0.5)", X23)
case("clip_by_value_int", "tf.clip_by_value(x, -2, 3)", X23, dtypes=FI)
case("clip_by_value_tensors", "tf.clip_by_value(x, lo, hi)", X23, I_("lo", [], "const:-0.3"),
     I_("hi", [3], "positive"))
case("clip_by_norm", "tf.clip_by_norm(x, 1.0)", X23)
case("clip_by_norm_axes", "tf.clip_by_norm(x, 0.8, axes=[1])", X23)
case("clip_by_norm_noop", "tf.clip_by_norm(x, 100.0)", X23)
case("clip_by_global_norm", "tf.clip_by_global_norm([x, y], 1.0)", X23, I_("y", [4]))
case("clip_by_average_norm", "tf.clip_by_average_norm(x, 0.2)", X23, dtypes=F32)
case("global_norm", "tf.global_norm([x, y])", X23, I_("y", [4]))
for i, (args) in enumerate([
    "", "ord=1", "ord=2", "ord=np.inf", "ord='euclidean'", "axis=1", "ord=1, axis=0",
    "ord=np.inf, axis=-1", "ord='fro', axis=[0, 1]", "ord=1, axis=[-2, -1]",
    "ord=np.inf, axis=(0, 1)", "axis=1, keepdims=True", "ord=3, axis=1",
]):
    case(f"norm_{i:02d}", f"tf.norm(x{', ' if args else ''}{args})", X23)
case("norm_3d_matrix", "tf.norm(x, ord='fro', axis=[1, 2])", X234)
case("linalg_norm", "tf.linalg.norm(x, axis=1)", X23)
case("l2_normalize", "tf.nn.l2_normalize(x, axis=1)", X23)
case("l2_normalize_dim", "tf.nn.l2_normalize(x, dim=0)", X23)
case("l2_normalize_eps", "tf.nn.l2_normalize(x * 1e-7, axis=1, epsilon=1e-6)", X23)
case("l2_normalize_all", "tf.math.l2_normalize(x)", X23)

# ---------------------------------------------------------------- einsum / cumsum / misc
for i, (eq, shapes) in enumerate([
    ("ij,jk->ik", ([2, 3], [3, 4])), ("bij,bjk->bik", ([2, 2, 3], [2, 3, 4])),
    ("ij->ji", ([2, 3],)), ("ij->", ([2, 3],)), ("i,j->ij", ([3], [4])),
    ("bhqd,bhkd->bhqk", ([1, 2, 3, 4], [1, 2, 5, 4])), ("ij,ij->i", ([2, 3], [2, 3])),
    ("ijk->kj", ([2, 3, 4],)), ("ii->i", ([3, 3],)),
]):
    names = ["a", "b"][: len(shapes)]
    case(f"einsum_{i}", f"tf.einsum('{eq}', {', '.join(names)})",
         *[I_(n, s) for n, s in zip(names, shapes)], unknown=(eq not in ("ii->i",)))
for fn in ["cumsum", "cumprod"]:
    case(f"{fn}_0", f"tf.{fn}(x)", X23, dtypes=FI)
    case(f"{fn}_axis1", f"tf.{fn}(x, axis=1)", X23, dtypes=FI)
    case(f"{fn}_exclusive", f"tf.{fn}(x, axis=1, exclusive=True)", X23)
    case(f"{fn}_reverse", f"tf.{fn}(x, 0, reverse=True)", X23)
    case(f"{fn}_excl_rev", f"tf.math.{fn}(x, axis=-1, exclusive=True, reverse=True)", X234)
case("reverse", "tf.reverse(x, [1])", X234, dtypes=FI)
case("reverse_multi", "tf.reverse(x, axis=[0, -1])", X234)
case("reverse_v2", "tf.reverse_v2(x, [2])", X234)
case("sequence_mask", "tf.sequence_mask(n, 5)", I_("n", [3], "int:0:6", "T"), dtypes=I)
case("sequence_mask_nomax", "tf.sequence_mask(n)", I_("n", [3], "int:1:6", "int32"),
     dtypes=["int32"])
case("sequence_mask_dtype", "tf.sequence_mask(n, maxlen=4, dtype=tf.float32)",
     I_("n", [2, 2], "int:0:5", "int32"), dtypes=["int32"])
case("meshgrid", "tf.meshgrid(a, b)", I_("a", [3]), I_("b", [4]), dtypes=FI, unknown=False)
case("meshgrid_ij", "tf.meshgrid(a, b, indexing='ij')", I_("a", [3]), I_("b", [2]),
     unknown=False)
case("meshgrid_3", "tf.meshgrid(a, b, c)", I_("a", [2]), I_("b", [3]), I_("c", [2]),
     unknown=False)

# ---------------------------------------------------------------- batch norm pieces
case("moments", "tf.nn.moments(x, axes=[0])", X234)
case("moments_keep", "tf.nn.moments(x, axes=[0, 1, 2], keep_dims=True)", I_("x", [2, 3, 3, 4]))
case("moments_keepdims", "tf.nn.moments(x, [1], keepdims=True)", X23)
case("batch_normalization",
     "tf.nn.batch_normalization(x, m, v, offset, scale, 1e-3)", I_("x", [2, 3, 4]),
     I_("m", [4]), I_("v", [4], "positive"), I_("offset", [4]), I_("scale", [4]))
case("batch_normalization_none",
     "tf.nn.batch_normalization(x, m, v, None, None, variance_epsilon=0.01)", X23,
     I_("m", [3]), I_("v", [3], "positive"))
case("batch_normalization_moments",
     "tf.nn.batch_normalization(x, *tf.nn.moments(x, [0]), offset=None, scale=None, "
     "variance_epsilon=1e-5)", I_("x", [4, 3]))
case("fused_batch_norm_train", "tf.nn.fused_batch_norm(x, s, o, epsilon=0.001)",
     I_("x", [2, 3, 3, 4]), I_("s", [4]), I_("o", [4]), dtypes=F32, tol=LOOSE, note=LOOSE_NOTE)
case("fused_batch_norm_infer",
     "tf.nn.fused_batch_norm(x, s, o, mean=m, variance=v, is_training=False)",
     I_("x", [2, 3, 3, 4]), I_("s", [4]), I_("o", [4]), I_("m", [4]),
     I_("v", [4], "positive"), dtypes=F32, tol=LOOSE, note=LOOSE_NOTE)

# ---------------------------------------------------------------- misc utility ops
case("print", "tf.Print(x, [x], message='x: ')", X23)
case("check_numerics", "tf.check_numerics(x, 'bad')", X23)
case("py_func", "tf.py_func(np.square, [x], DT)", X23)
case("tuple", "tf.tuple([x, y])", X23, Y23)
case("identity_named", "tf.identity(x, name='out')", X23)
case("cond", "tf.cond(p, lambda: x * 2.0, lambda: x + 1.0)", I_("p", [], "bool", "bool"), X23)
case("cond_true", "tf.cond(p > 0, lambda: tf.reduce_sum(x), lambda: tf.reduce_max(x))",
     I_("p", [], "const:1"), X23)
case("case", "tf.case([(tf.less(p, 0.0), lambda: x * 2.0)], default=lambda: x - 1.0)",
     I_("p", [], "const:1"), X23)
case("while_loop",
     "tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * 1.5), [tf.constant(0), x])",
     I_("n", [], "int:2:5", "int32"), X23)
case("map_fn", "tf.map_fn(lambda r: r * 2.0 + 1.0, x)", X23)
case("scan", "tf.scan(lambda a, r: a + r, x)", X23)
case("foldl", "tf.foldl(lambda a, r: a + r, x)", X23)
case("foldr", "tf.foldr(lambda a, r: a * 0.5 + r, x)", X23)

# ---------------------------------------------------------------- random ops: names/shapes only
RNOTE = "random: names, dtypes and static shapes only"
case("dropout_keep_prob", "tf.nn.dropout(x, keep_prob=0.5)", X23, novalue=True, note=RNOTE)
case("dropout_rate", "tf.nn.dropout(x, rate=0.25)", X23, novalue=True, note=RNOTE)
case("dropout_shape", "tf.shape(tf.nn.dropout(x, 0.7))", X23, note="shape only: deterministic")
case("random_uniform", "tf.random_uniform([2, 3], seed=1)", X23, novalue=True, note=RNOTE,
     dtypes=F32)
case("random_uniform_int", "tf.random_uniform([4], 0, 10, dtype=tf.int32, seed=1)", X23,
     novalue=True, note=RNOTE, dtypes=F32)
case("random_normal", "tf.random_normal(tf.shape(x), stddev=2.0, seed=1)", X23, novalue=True,
     note=RNOTE)
case("truncated_normal", "tf.truncated_normal([3, 2], dtype=DT, seed=2)", X23, novalue=True,
     note=RNOTE)
case("random_shuffle", "tf.random_shuffle(x, seed=3)", X23, novalue=True, note=RNOTE)
case("multinomial", "tf.multinomial(x, 4, seed=4)", X23, novalue=True, note=RNOTE)
case("random_crop", "tf.random_crop(x, [2, 2], seed=5)", X23, novalue=True, note=RNOTE,
     unknown=False)
