"""Record reference outputs of real TensorFlow for the conv/pool/LRN kernel tests.

Run with a Python that has TensorFlow (never needed by the tests themselves):

    /tmp/tfvenv/bin/python tests/kernels/record_tf_reference.py

Writes tests/data/kernels_reference.npz: for case ``c`` the arrays ``c/<input name>``, the
output ``c/__out__``, and one JSON string ``__cases__`` listing each case's TF op type, its
array input names and its attrs (TF names), so the test can call our kernel with the same
keywords.
"""

import json
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "kernels_reference.npz")

rs = np.random.RandomState(1234)
arrays = {}
cases = []


def rand(*shape, dtype=np.float32):
    return rs.randn(*shape).astype(dtype)


def ties(*shape, dtype=np.float32):
    """Few distinct values so that pooling windows have ties."""
    return rs.randint(0, 3, size=shape).astype(dtype)


def add(name, op, inputs, **attrs):
    # NOTE: pass tensors, not numpy arrays: eager raw_ops may otherwise convert a float64
    # array to the dtype of an earlier call with the same attrs.
    tensors = {k: tf.constant(v) for k, v in inputs.items()}
    out = getattr(tf.raw_ops, op)(**tensors, **attrs).numpy()
    for k, v in inputs.items():
        arrays[f"{name}/{k}"] = np.asarray(v)
    arrays[f"{name}/__out__"] = out
    cases.append({"name": name, "op": op, "inputs": list(inputs), "attrs": attrs})


def nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


S1 = [1, 1, 1, 1]

# --- Conv2D and backprops
x = rand(2, 7, 6, 3)
w = rand(3, 3, 3, 4)
for pad in ("SAME", "VALID"):
    for st, dl in (([1, 1, 1, 1], [1, 1, 1, 1]), ([1, 2, 2, 1], [1, 1, 1, 1]),
                   ([1, 2, 1, 1], [1, 1, 1, 1]), ([1, 1, 1, 1], [1, 2, 2, 1])):
        tag = f"{pad}_s{st[1]}{st[2]}_d{dl[1]}{dl[2]}"
        add(f"conv2d_{tag}", "Conv2D", {"input": x, "filter": w}, strides=st, padding=pad,
            dilations=dl)
        y = tf.raw_ops.Conv2D(input=x, filter=w, strides=st, padding=pad, dilations=dl).numpy()
        dy = rand(*y.shape)
        add(f"conv2d_bi_{tag}", "Conv2DBackpropInput",
            {"input_sizes": np.array(x.shape, np.int32), "filter": w, "out_backprop": dy},
            strides=st, padding=pad, dilations=dl)
        add(f"conv2d_bf_{tag}", "Conv2DBackpropFilter",
            {"input": x, "filter_sizes": np.array(w.shape, np.int32), "out_backprop": dy},
            strides=st, padding=pad, dilations=dl)
        # NCHW (TF's CPU kernel supports it for these)
        st_c = [st[0], st[3], st[1], st[2]]
        dl_c = [dl[0], dl[3], dl[1], dl[2]]
        add(f"conv2d_nchw_{tag}", "Conv2D", {"input": nchw(x), "filter": w}, strides=st_c,
            padding=pad, dilations=dl_c, data_format="NCHW")
xs = [1, 3, 7, 6]
add("conv2d_bi_nchw", "Conv2DBackpropInput",
    {"input_sizes": np.array(xs, np.int32), "filter": w,
     "out_backprop": rand(1, 4, 4, 3)}, strides=[1, 1, 2, 2], padding="SAME",
    data_format="NCHW")
add("conv2d_bf_nchw", "Conv2DBackpropFilter",
    {"input": rand(*xs), "filter_sizes": np.array(w.shape, np.int32),
     "out_backprop": rand(1, 4, 4, 3)}, strides=[1, 1, 2, 2], padding="SAME",
    data_format="NCHW")
add("conv2d_explicit", "Conv2D", {"input": x, "filter": w}, strides=[1, 2, 1, 1],
    padding="EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 3, 0, 0])
add("conv2d_f64", "Conv2D", {"input": x.astype(np.float64), "filter": w.astype(np.float64)},
    strides=S1, padding="SAME")

# --- Depthwise
xd = rand(2, 6, 7, 3)
wd = rand(3, 2, 3, 2)
for pad, st, dl in (("SAME", [1, 1, 1, 1], [1, 1, 1, 1]), ("VALID", [1, 2, 2, 1], [1, 1, 1, 1]),
                    ("SAME", [1, 1, 1, 1], [1, 2, 2, 1])):
    tag = f"{pad}_s{st[1]}_d{dl[1]}"
    add(f"dw_{tag}", "DepthwiseConv2dNative", {"input": xd, "filter": wd}, strides=st,
        padding=pad, dilations=dl)
    y = tf.raw_ops.DepthwiseConv2dNative(input=xd, filter=wd, strides=st, padding=pad,
                                         dilations=dl).numpy()
    dy = rand(*y.shape)
    add(f"dw_bi_{tag}", "DepthwiseConv2dNativeBackpropInput",
        {"input_sizes": np.array(xd.shape, np.int32), "filter": wd, "out_backprop": dy},
        strides=st, padding=pad, dilations=dl)
    add(f"dw_bf_{tag}", "DepthwiseConv2dNativeBackpropFilter",
        {"input": xd, "filter_sizes": np.array(wd.shape, np.int32), "out_backprop": dy},
        strides=st, padding=pad, dilations=dl)

# --- Conv3D
x3 = rand(1, 4, 5, 4, 2)
w3 = rand(2, 3, 2, 2, 3)
for pad, st in (("SAME", [1, 1, 1, 1, 1]), ("VALID", [1, 2, 1, 2, 1])):
    add(f"conv3d_{pad}", "Conv3D", {"input": x3, "filter": w3}, strides=st, padding=pad)
    y = tf.raw_ops.Conv3D(input=x3, filter=w3, strides=st, padding=pad).numpy()
    dy = rand(*y.shape)
    add(f"conv3d_bi_{pad}", "Conv3DBackpropInputV2",
        {"input_sizes": np.array(x3.shape, np.int32), "filter": w3, "out_backprop": dy},
        strides=st, padding=pad)
    add(f"conv3d_bf_{pad}", "Conv3DBackpropFilterV2",
        {"input": x3, "filter_sizes": np.array(w3.shape, np.int32), "out_backprop": dy},
        strides=st, padding=pad)

# --- Pools (2-D), with ties
xp = ties(2, 7, 6, 3)
for pad in ("SAME", "VALID"):
    for k, st in (([1, 2, 2, 1], [1, 2, 2, 1]), ([1, 3, 3, 1], [1, 1, 1, 1]),
                  ([1, 3, 2, 1], [1, 2, 1, 1])):
        tag = f"{pad}_k{k[1]}{k[2]}_s{st[1]}{st[2]}"
        add(f"maxpool_{tag}", "MaxPool", {"input": xp}, ksize=k, strides=st, padding=pad)
        y = tf.raw_ops.MaxPool(input=xp, ksize=k, strides=st, padding=pad).numpy()
        g = rand(*y.shape)
        add(f"maxpoolgrad_{tag}", "MaxPoolGrad", {"orig_input": xp, "orig_output": y, "grad": g},
            ksize=k, strides=st, padding=pad)
        xa = rand(2, 7, 6, 3)
        add(f"avgpool_{tag}", "AvgPool", {"value": xa}, ksize=k, strides=st, padding=pad)
        add(f"avgpoolgrad_{tag}", "AvgPoolGrad",
            {"orig_input_shape": np.array(xa.shape, np.int32), "grad": g}, ksize=k, strides=st,
            padding=pad)
# orig_output that does not match: TF's CPU kernel recomputes the max from orig_input.
y = tf.raw_ops.MaxPool(input=xp, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
add("maxpoolgrad_bad_orig_output", "MaxPoolGrad",
    {"orig_input": xp, "orig_output": y.numpy() + 1, "grad": rand(*y.shape)},
    ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
xneg = np.full((1, 3, 3, 2), -np.inf, np.float32)
y = tf.raw_ops.MaxPool(input=xneg, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
add("maxpoolgrad_all_neg_inf", "MaxPoolGrad",
    {"orig_input": xneg, "orig_output": y.numpy(), "grad": rand(*y.shape)},
    ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
add("maxpool_f64", "MaxPool", {"input": rand(1, 5, 5, 2, dtype=np.float64)},
    ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME")

# --- Pools (3-D)
x3p = ties(1, 4, 5, 3, 2)
for pad, k, st in (("SAME", [1, 2, 2, 2, 1], [1, 2, 2, 2, 1]),
                   ("VALID", [1, 2, 3, 2, 1], [1, 1, 2, 1, 1]),
                   ("SAME", [1, 3, 3, 3, 1], [1, 1, 1, 1, 1])):
    tag = f"{pad}_k{k[1]}{k[2]}{k[3]}"
    add(f"maxpool3d_{tag}", "MaxPool3D", {"input": x3p}, ksize=k, strides=st, padding=pad)
    y = tf.raw_ops.MaxPool3D(input=x3p, ksize=k, strides=st, padding=pad).numpy()
    g = rand(*y.shape)
    add(f"maxpool3dgrad_{tag}", "MaxPool3DGrad",
        {"orig_input": x3p, "orig_output": y, "grad": g}, ksize=k, strides=st, padding=pad)
    xa = rand(1, 4, 5, 3, 2)
    add(f"avgpool3d_{tag}", "AvgPool3D", {"input": xa}, ksize=k, strides=st, padding=pad)
    add(f"avgpool3dgrad_{tag}", "AvgPool3DGrad",
        {"orig_input_shape": np.array(xa.shape, np.int32), "grad": g}, ksize=k, strides=st,
        padding=pad)

# --- LRN
xl = rand(2, 3, 2, 9)
for r, bias, alpha, beta in ((2, 1.5, 0.3, 0.75), (5, 1.0, 1.0, 0.5), (1, 2.0, 0.1, 1.3)):
    tag = f"r{r}_b{beta}"
    add(f"lrn_{tag}", "LRN", {"input": xl}, depth_radius=r, bias=bias, alpha=alpha, beta=beta)
    y = tf.raw_ops.LRN(input=xl, depth_radius=r, bias=bias, alpha=alpha, beta=beta).numpy()
    add(f"lrngrad_{tag}", "LRNGrad",
        {"input_grads": rand(*xl.shape), "input_image": xl, "output_image": y},
        depth_radius=r, bias=bias, alpha=alpha, beta=beta)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
arrays["__cases__"] = np.array(json.dumps(cases))
np.savez_compressed(OUT, **arrays)
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
