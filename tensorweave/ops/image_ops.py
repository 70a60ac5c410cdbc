"""Image basics: resize (ResizeBilinear, ResizeNearestNeighbor and grads), AdjustContrastv2,
flips, crops, brightness/contrast, grayscale, dtype conversion, per-image standardization."""
import numpy as np

from tensorweave.framework import dtypes, registry, tensor_shape, tensor_util
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import TYPE, register_op
from tensorweave.ops import nn_ops
from tensorweave.ops.nn_ops import _I32, _bin_c, _const, _g, _op, _shape, _t


# ====================================================================== resizing
def _scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return (in_size - 1) / (out_size - 1)
    return in_size / out_size


def _interp_matrix(in_size, out_size, align_corners, half_pixel_centers, dtype):
    """(out, in) bilinear weights, TF's legacy / half-pixel sampling."""
    s = _scale(in_size, out_size, align_corners)
    o = np.arange(out_size, dtype=np.float64)
    src = (o + 0.5) * s - 0.5 if half_pixel_centers else o * s
    f = np.floor(src)
    lo = np.clip(f.astype(np.int64), 0, in_size - 1)
    hi = np.clip(np.ceil(src).astype(np.int64), 0, in_size - 1)
    lerp = (src - f).astype(np.float32)
    w = np.zeros((out_size, in_size), dtype=np.float64)
    np.add.at(w, (np.arange(out_size), lo), 1 - lerp.astype(np.float64))
    np.add.at(w, (np.arange(out_size), hi), lerp.astype(np.float64))
    return w.astype(dtype)


def _resize_bilinear(images, size, align_corners=False, half_pixel_centers=False):
    images = np.asarray(images)
    oh, ow = (int(v) for v in np.asarray(size).reshape(-1))
    if oh <= 0 or ow <= 0:
        raise ValueError("output dimensions must be positive")
    _, h, w, _ = images.shape
    x = images.astype(np.float32, copy=False)
    wy = _interp_matrix(h, oh, align_corners, half_pixel_centers, np.float32)
    wx = _interp_matrix(w, ow, align_corners, half_pixel_centers, np.float32)
    t = np.einsum("yi,nijc->nyjc", wy, x)
    return np.ascontiguousarray(np.einsum("xj,nyjc->nyxc", wx, t), dtype=np.float32)


def _resize_bilinear_grad(grads, original_image, align_corners=False, half_pixel_centers=False):
    grads = np.asarray(grads, dtype=np.float32)
    _, h, w, _ = original_image.shape
    _, oh, ow, _ = grads.shape
    wy = _interp_matrix(h, oh, align_corners, half_pixel_centers, np.float32)
    wx = _interp_matrix(w, ow, align_corners, half_pixel_centers, np.float32)
    t = np.einsum("yi,nyxc->nixc", wy, grads)
    return np.einsum("xj,nixc->nijc", wx, t).astype(original_image.dtype)


def _nn_index(in_size, out_size, align_corners, half_pixel_centers):
    s = _scale(in_size, out_size, align_corners)
    o = np.arange(out_size, dtype=np.float32)
    src = (o + np.float32(0.5)) * np.float32(s) if half_pixel_centers else o * np.float32(s)
    idx = np.round(src) if align_corners else np.floor(src)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    return np.maximum(idx, 0)


def _resize_nearest(images, size, align_corners=False, half_pixel_centers=False):
    images = np.asarray(images)
    oh, ow = (int(v) for v in np.asarray(size).reshape(-1))
    _, h, w, _ = images.shape
    iy = _nn_index(h, oh, align_corners, half_pixel_centers)
    ix = _nn_index(w, ow, align_corners, half_pixel_centers)
    return images[:, iy][:, :, ix]


def _resize_nearest_grad(grads, size, align_corners=False, half_pixel_centers=False):
    grads = np.asarray(grads)
    h, w = (int(v) for v in np.asarray(size).reshape(-1))
    n, oh, ow, c = grads.shape
    iy = _nn_index(h, oh, align_corners, half_pixel_centers)
    ix = _nn_index(w, ow, align_corners, half_pixel_centers)
    out = np.zeros((n, h, w, c), dtype=grads.dtype)
    np.add.at(out, (slice(None), iy[:, None], ix[None, :]), grads)
    return out


def _resize_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 4:
        raise ValueError("Shape must be rank 4 but is rank %d" % s.ndims)
    d = s.as_list() if s.ndims is not None else [None] * 4
    size = tensor_util.constant_value_as_shape(op.inputs[1])
    hw = size.as_list() if size.ndims == 2 else [None, None]
    return [tensor_shape.TensorShape([d[0], hw[0], hw[1], d[3]])]


def _ResizeBilinearGrad(op, grad):
    return (_op("ResizeBilinearGrad", [grad, op.inputs[0]],
                align_corners=op.get_attr("align_corners"),
                half_pixel_centers=op.get_attr("half_pixel_centers")), None)


def _ResizeNearestNeighborGrad(op, grad):
    image = op.inputs[0]
    if image.shape[1:3].is_fully_defined():
        image_shape = _const(image.shape.as_list()[1:3], _I32)
    else:
        image_shape = _op("Slice", [_shape(image), _const([1], _I32), _const([2], _I32)])
    return (_op("ResizeNearestNeighborGrad", [grad, image_shape],
                align_corners=op.get_attr("align_corners"),
                half_pixel_centers=op.get_attr("half_pixel_centers")), None)


_RS_ATTRS = {"T": TYPE, "align_corners": False, "half_pixel_centers": False}
_RS_K = ("align_corners", "half_pixel_centers")
register_op("ResizeBilinear", inputs=["images: T", "size: int32"],
            outputs=["resized_images: float32"], attrs=_RS_ATTRS, shape_fn=_resize_shape,
            kernel=_resize_bilinear, kernel_attrs=_RS_K, grad=_ResizeBilinearGrad)
register_op("ResizeBilinearGrad", inputs=["grads: float32", "original_image: T"],
            outputs=["output: T"], attrs=_RS_ATTRS,
            shape_fn=lambda op: [op.inputs[1].shape], kernel=_resize_bilinear_grad,
            kernel_attrs=_RS_K, grad=None)
register_op("ResizeNearestNeighbor", inputs=["images: T", "size: int32"],
            outputs=["resized_images: T"], attrs=_RS_ATTRS, shape_fn=_resize_shape,
            kernel=_resize_nearest, kernel_attrs=_RS_K, grad=_ResizeNearestNeighborGrad)
register_op("ResizeNearestNeighborGrad", inputs=["grads: T", "size: int32"],
            outputs=["output: T"], attrs=_RS_ATTRS, shape_fn=_resize_shape,
            kernel=_resize_nearest_grad, kernel_attrs=_RS_K, grad=None)


class ResizeMethod:
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def _resize_common(images, size, name, default, resizer):
    with graph_lib.name_scope(name, default, [images, size]):
        images = _t(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = True
        if images.shape.ndims == 3:
            is_batch = False
            images = nn_ops._expand_dims(images, 0)
        elif images.shape.ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        try:
            size = _t(size, dtype=_I32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor")
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        cv = tensor_util.constant_value(size)
        nh, nw = (int(cv[0]), int(cv[1])) if cv is not None else (None, None)
        if None not in (nh, nw, height, width) and (nh, nw) == (height, width):
            if not is_batch:
                images = nn_ops._squeeze(images, [0])
            return images
        images = resizer(images, size)
        images.set_shape([None, nh, nw, None])
        if not is_batch:
            images = nn_ops._squeeze(images, [0])
        return images


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """tf.image.resize_bilinear."""
    return _op("ResizeBilinear", [images, size], name=name, align_corners=align_corners,
               half_pixel_centers=half_pixel_centers)


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """tf.image.resize_nearest_neighbor."""
    return _op("ResizeNearestNeighbor", [images, size], name=name, align_corners=align_corners,
               half_pixel_centers=half_pixel_centers)


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """tf.image.resize_images (TF1): bilinear or nearest neighbour."""
    if preserve_aspect_ratio:
        raise NotImplementedError("resize_images(preserve_aspect_ratio=True) is not supported")
    if method in (ResizeMethod.BILINEAR, "bilinear"):
        def fn(x, s):
            return _op("ResizeBilinear", [x, s], align_corners=align_corners)
    elif method in (ResizeMethod.NEAREST_NEIGHBOR, "nearest"):
        def fn(x, s):
            return _op("ResizeNearestNeighbor", [x, s], align_corners=align_corners)
    else:
        raise ValueError("Resize method is not implemented: %s" % method)
    return _resize_common(images, size, name, "resize", fn)


def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False,
           name=None):
    """tf.image.resize (TF2 semantics: half-pixel centers)."""
    if method in (ResizeMethod.BILINEAR, "bilinear"):
        def fn(x, s):
            return _op("ResizeBilinear", [x, s], half_pixel_centers=True)
    elif method in (ResizeMethod.NEAREST_NEIGHBOR, "nearest"):
        def fn(x, s):
            return _op("ResizeNearestNeighbor", [x, s], half_pixel_centers=True)
    else:
        raise ValueError("Resize method is not implemented: %s" % method)
    return _resize_common(images, size, name, "resize", fn)


# ==================================================================== contrast
def _adjust_contrast(images, contrast_factor):
    m = images.mean(axis=(-3, -2), keepdims=True, dtype=np.float64).astype(images.dtype)
    f = images.dtype.type(contrast_factor)
    return ((images - m) * f + m).astype(images.dtype, copy=False)


register_op("AdjustContrastv2", inputs=["images: T", "contrast_factor: float32"],
            outputs=["output: T"], attrs={"T": dtypes.float32},
            shape_fn=registry.unchanged_shape, kernel=_adjust_contrast, kernel_attrs=(),
            grad=None)


# ======================================================================= helpers
def _check_3d(image, require_rank=None):
    s = image.shape
    if s.ndims is not None and s.ndims < 3:
        raise ValueError("'image' (shape %s) must be at least three-dimensional." % s)
    if require_rank is not None and s.ndims is not None and s.ndims != require_rank:
        raise ValueError("'image' (shape %s) must be %d-dimensional." % (s, require_rank))
    return _op("Identity", [image], name="control_dependency")


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """tf.image.convert_image_dtype: rescales between integer ranges and [0, 1] floats."""
    image = _t(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    src = image.dtype.base_dtype
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if not src.is_floating and not src.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == src:
        return _op("Identity", [image], name=name)
    with graph_lib.name_scope(name, "convert_image", [image]) as name:
        if src.is_integer and dtype.is_integer:
            scale_in, scale_out = src.max, dtype.max
            if scale_in > scale_out:
                scale = (scale_in + 1) // (scale_out + 1)
                scaled = _bin_c("FloorDiv", image, scale, "floordiv")
                return _saturate_cast(scaled, dtype, name) if saturate else \
                    _op("Cast", [scaled], name=name, DstT=dtype)
            cast = _saturate_cast(image, dtype) if saturate else _op("Cast", [image],
                                                                      DstT=dtype)
            scale = (scale_out + 1) // (scale_in + 1)
            return _mul_named(cast, scale, name)
        if src.is_floating and dtype.is_floating:
            return _op("Cast", [image], name=name, DstT=dtype)
        if src.is_integer:
            cast = _op("Cast", [image], DstT=dtype)
            return _mul_named(cast, 1. / src.max, name)
        scaled = _bin_c("Mul", image, dtype.max + 0.5, "Mul")
        return _saturate_cast(scaled, dtype, name) if saturate else \
            _op("Cast", [scaled], name=name, DstT=dtype)


def _mul_named(x, y, name):
    """math_ops.multiply(x, python number, name=scope): the constant is '<scope>y'."""
    c = _const(y, x.dtype.base_dtype, name="y")
    return _op("Mul", [x, c], name=name)


def _saturate_cast(value, dtype, name=None):
    with graph_lib.name_scope(name, "saturate_cast", [value]) as name:
        src = value.dtype.base_dtype
        if src.min < dtype.min:
            value = _op("Maximum", [value, _const(dtype.min, src, name="min")])
        if src.max > dtype.max:
            value = _op("Minimum", [value, _const(dtype.max, src, name="max")])
        return _op("Cast", [value], name=name, DstT=dtype)


def per_image_standardization(image):
    """tf.image.per_image_standardization: (x - mean) / max(stddev, 1/sqrt(N))."""
    with graph_lib.name_scope(None, "per_image_standardization", [image]) as scope:
        image = _t(image, name="image")
        image = _check_3d(image)
        if image.dtype.base_dtype != dtypes.float32:
            image = _op("Cast", [image], DstT=dtypes.float32)
        dt = image.dtype.base_dtype
        shp = _shape(image)
        with _g().name_scope("strided_slice") as ss:
            b = _const([-3], _I32, "stack")
            e = _const([0], _I32, "stack_1")
            st = _const([1], _I32, "stack_2")
            last3 = _op("StridedSlice", [shp, b, e, st], name=ss, begin_mask=0, end_mask=1,
                        ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0)
        num_pixels = nn_ops._reduce("Prod", last3, None)
        image_mean = nn_ops._reduce("Mean", image, [-1, -2, -3], keepdims=True)
        with _g().name_scope("reduce_std"):
            with _g().name_scope("reduce_variance"):
                means = nn_ops._reduce("Mean", image, [-1, -2, -3], keepdims=True)
                sq = _op("Square", [_op("Sub", [image, means], name="sub")])
                var = nn_ops._reduce("Mean", sq, [-1, -2, -3], keepdims=True)
            stddev = _op("Sqrt", [var])
        min_stddev = _op("Rsqrt", [_op("Cast", [num_pixels], DstT=dt)])
        adjusted = _op("Maximum", [stddev, min_stddev])
        image = _op("Sub", [image, image_mean], name="sub")
        return _op("RealDiv", [image, adjusted], name=scope)


def _flip(image, flip_index, scope_name):
    with graph_lib.name_scope(None, scope_name, [image]):
        image = _t(image, name="image")
        image = _check_3d(image)
        n = image.shape.ndims
        if n is None:
            raise ValueError("'image' must have a known rank for %s." % scope_name)
        if n not in (3, 4):
            raise ValueError("'image' (shape %s) must have either 3 or 4 dimensions." %
                             image.shape)
        axis = flip_index if n == 3 else flip_index + 1
        return _reverse(image, [axis])


def _reverse(x, axis, name="ReverseV2"):
    with _g().name_scope(name) as scope:
        return _op("ReverseV2", [x, _const(axis, _I32, "axis")], name=scope)


def flip_left_right(image):
    """tf.image.flip_left_right."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """tf.image.flip_up_down."""
    return _flip(image, 0, "flip_up_down")


def transpose_image(image, name=None):
    """tf.image.transpose_image."""
    with graph_lib.name_scope(name, "transpose_image", [image]):
        image = _t(image, name="image")
        perm = [1, 0, 2] if image.shape.ndims == 3 else [0, 2, 1, 3]
        return nn_ops._transpose(image, perm)


def _random_flip(image, flip_index, seed, scope_name):
    from tensorweave.ops import random_ops

    with graph_lib.name_scope(None, scope_name, [image]) as scope:
        image = _t(image, name="image")
        image = _check_3d(image)
        n = image.shape.ndims
        if n == 3:
            u = random_ops.random_uniform([], minval=0, maxval=1.0, seed=seed)
            cond = _bin_c("Less", u, .5, "Less")
            res = _op("SelectV2", [cond, _reverse(image, [flip_index]), image], name=scope)
            res.set_shape(image.shape)
            return res
        if n == 4:
            batch = nn_ops._slice(_shape(image), [0], [1])
            u = random_ops.random_uniform(batch, minval=0, maxval=1.0, seed=seed)
            flips = _op("Round", [nn_ops._reshape(u, [-1, 1, 1, 1])])
            flips = _op("Cast", [flips], DstT=image.dtype.base_dtype)
            flipped = _reverse(image, [flip_index + 1])
            a = _op("Mul", [flips, flipped], name="mul")
            b = _op("Mul", [nn_ops._rbin("Sub", 1, flips, "sub"), image], name="mul")
            return _op("AddV2", [a, b], name="add")
        raise ValueError("'image' (shape %s) must have either 3 or 4 dimensions." % image.shape)


def random_flip_left_right(image, seed=None):
    """tf.image.random_flip_left_right."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """tf.image.random_flip_up_down."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def adjust_brightness(image, delta):
    """tf.image.adjust_brightness: image + delta (in float, saturating back)."""
    with graph_lib.name_scope(None, "adjust_brightness", [image, delta]) as name:
        image = _t(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (dtypes.float16, dtypes.float32) else \
            convert_image_dtype(image, dtypes.float32)
        d = delta if isinstance(delta, registry.graph_lib.Tensor) else \
            _const(delta, flt.dtype.base_dtype)
        if d.dtype.base_dtype != flt.dtype.base_dtype:
            d = _op("Cast", [d], DstT=flt.dtype.base_dtype)
        adjusted = _op("AddV2", [flt, d], name=name)
        return convert_image_dtype(adjusted, orig, saturate=True)


def adjust_contrast(images, contrast_factor):
    """tf.image.adjust_contrast: (x - mean) * factor + mean per channel."""
    with graph_lib.name_scope(None, "adjust_contrast", [images, contrast_factor]) as name:
        images = _t(images, name="images")
        orig = images.dtype.base_dtype
        flt = images if orig in (dtypes.float16, dtypes.float32) else \
            convert_image_dtype(images, dtypes.float32)
        cf = _t(contrast_factor, dtype=dtypes.float32, name="contrast_factor") \
            if not isinstance(contrast_factor, graph_lib.Tensor) else contrast_factor
        adjusted = _op("AdjustContrastv2", [flt, cf], name=name)
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """tf.image.random_brightness: delta ~ U[-max_delta, max_delta)."""
    from tensorweave.ops import random_ops

    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """tf.image.random_contrast: factor ~ U[lower, upper)."""
    from tensorweave.ops import random_ops

    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


def rgb_to_grayscale(images, name=None):
    """tf.image.rgb_to_grayscale: ITU-R 601 luma weights over the last axis."""
    with graph_lib.name_scope(name, "rgb_to_grayscale", [images]) as name:
        images = _t(images, name="images")
        orig = images.dtype.base_dtype
        flt = convert_image_dtype(images, dtypes.float32)
        w = _const([0.2989, 0.5870, 0.1140], dtypes.float32)
        gray = nn_ops._reduce("Sum", _op("Mul", [flt, w], name="mul"), [-1], keepdims=True)
        return convert_image_dtype(gray, orig, name=name)


def grayscale_to_rgb(images, name=None):
    """tf.image.grayscale_to_rgb."""
    with graph_lib.name_scope(name, "grayscale_to_rgb", [images]) as name:
        images = _t(images, name="images")
        n = images.shape.ndims
        mult = [1] * (n - 1) + [3]
        return _op("Tile", [images, _const(mult, _I32, "multiples")], name=name)


def _static_hw(image):
    s = image.shape
    if s.ndims not in (3, 4) or not s.is_fully_defined():
        d = s.as_list() if s.ndims is not None else None
        if d is None or None in d[-3:-1]:
            raise ValueError("tensorweave: this image op needs a known height and width; "
                             "got shape %s" % s)
    d = s.as_list()
    return d[-3], d[-2]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """tf.image.crop_to_bounding_box."""
    with graph_lib.name_scope(None, "crop_to_bounding_box", [image]):
        image = _t(image, name="image")
        n = image.shape.ndims
        if n == 3:
            begin, size = [offset_height, offset_width, 0], [target_height, target_width, -1]
        else:
            begin = [0, offset_height, offset_width, 0]
            size = [-1, target_height, target_width, -1]
        return nn_ops._slice(image, begin, size)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """tf.image.pad_to_bounding_box."""
    with graph_lib.name_scope(None, "pad_to_bounding_box", [image]):
        image = _t(image, name="image")
        h, w = _static_hw(image)
        after_h = target_height - offset_height - h
        after_w = target_width - offset_width - w
        if after_h < 0:
            raise ValueError("height must be <= target - offset")
        if after_w < 0:
            raise ValueError("width must be <= target - offset")
        pads = [[offset_height, after_h], [offset_width, after_w], [0, 0]]
        if image.shape.ndims == 4:
            pads = [[0, 0]] + pads
        return _op("Pad", [image, _const(pads, _I32, "paddings")])


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """tf.image.resize_image_with_crop_or_pad: centre crop and/or zero pad."""
    with graph_lib.name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = _t(image, name="image")
        h, w = _static_hw(image)
        off_crop_w = max((w - target_width) // 2, 0)
        off_pad_w = max((target_width - w) // 2, 0)
        off_crop_h = max((h - target_height) // 2, 0)
        off_pad_h = max((target_height - h) // 2, 0)
        cropped = crop_to_bounding_box(image, off_crop_h, off_crop_w,
                                       min(target_height, h), min(target_width, w))
        resized = pad_to_bounding_box(cropped, off_pad_h, off_pad_w, target_height,
                                      target_width)
        return resized


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction):
    """tf.image.central_crop (static height/width)."""
    with graph_lib.name_scope(None, "central_crop", [image]):
        image = _t(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        h, w = _static_hw(image)
        bh = int((h - h * central_fraction) / 2)
        bw = int((w - w * central_fraction) / 2)
        sh, sw = h - bh * 2, w - bw * 2
        if image.shape.ndims == 3:
            return nn_ops._slice(image, [bh, bw, 0], [sh, sw, -1])
        return nn_ops._slice(image, [0, bh, bw, 0], [-1, sh, sw, -1])


def random_crop(value, size, seed=None, name=None):
    """tf.image.random_crop."""
    from tensorweave.ops import random_ops

    return random_ops.random_crop(value, size, seed=seed, name=name)
