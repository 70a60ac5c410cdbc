"""Image codecs: DecodeJpeg, DecodePng, DecodeImage, EncodeJpeg, EncodePng (via Pillow)."""
import io
import struct

import numpy as np

from tensorweave import native
from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import errors, registry, tensor_shape
from tensorweave.framework import graph as graph_lib
from tensorweave.framework.registry import register_op

_S = tensor_shape.TensorShape


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency
        raise errors.UnimplementedError(None, None, "Image codecs need Pillow (pip install "
                                        "Pillow)") from e
    return Image


def _bytes_of(contents):
    v = np.asarray(contents).reshape(())[()]
    return v if isinstance(v, (bytes, bytearray)) else str(v).encode()


def _to_channels(img, channels, what):
    Image = _pil()
    mode = img.mode
    if channels == 0:
        if mode in ("L", "I;16", "I", "1", "P") and mode != "P":
            target = "L" if mode in ("L", "1") else mode
        elif mode == "LA":
            target = "LA"
        elif mode in ("RGBA", "PA") or (mode == "P" and "transparency" in img.info):
            target = "RGBA"
        else:
            target = "RGB"
    else:
        target = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}.get(channels)
        if target is None:
            raise ValueError("channels must be 0, 1, 3 or 4, got %d" % channels)
    if img.mode != target and not (target.startswith("I") and img.mode.startswith("I")):
        img = img.convert(target)
    del Image
    return img


_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_MODES = {0: ("L", 1), 2: ("RGB", 3), 6: ("RGBA", 4)}


def _fast_png(data, channels):
    """Decodes a plain 8-bit non-interlaced L/RGB/RGBA PNG with Pillow's zip decoder directly.

    Skips Image.open's Python-level plugin machinery (about half the cost for small images).
    Returns None when the file is anything else, so the caller takes the general path.
    """
    if len(data) < 33 or data[:8] != _PNG_SIG or data[12:16] != b"IHDR":
        return None
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    mode = _PNG_MODES.get(ctype)
    if depth != 8 or interlace or mode is None or (channels and channels != mode[1]):
        return None
    try:
        Image = _pil()
        idat = []
        pos = 33
        n_data = len(data)
        while pos + 8 <= n_data:
            n, typ = struct.unpack(">I4s", data[pos:pos + 8])
            if typ == b"IDAT":
                idat.append(data[pos + 8:pos + 8 + n])
            elif typ == b"IEND":
                break
            elif typ in (b"tRNS", b"PLTE", b"gAMA", b"iCCP", b"sBIT"):
                return None
            pos += 12 + n
        im = Image.core.new(mode[0], (w, h))
        dec = Image._getdecoder(mode[0], "zip", (mode[0], 0))
        dec.setimage(im, (0, 0, w, h))
        status, err = dec.decode(b"".join(idat))
        dec.cleanup()
        if err < 0:
            return None
        enc = Image._getencoder(mode[0], "raw", (mode[0], 0, 1))
        enc.setimage(im, (0, 0, w, h))
        size = w * h * mode[1]
        _, done, raw = enc.encode(size + 64)
        if done != 1 or len(raw) != size:
            return None
        return np.frombuffer(raw, np.uint8).reshape(h, w, mode[1])
    except Exception:
        return None


def _native():
    return native.load("_image")


def _native_png(items, channels, dtype, start=False, scale=None):
    """Decodes byte strings with the C PNG decoder (GIL released for the whole batch).

    Returns (array [n, h, w, c], status int8 [n]) with the shape of the first image, or None
    when the C decoder cannot take the first one. status[i] is 0 where out[i] was decoded, 1
    where the Python kernel must decode item i (a file the C decoder does not handle, or
    corrupt data: the Python kernel then raises its usual error), 2 where the image has
    another shape. A decoded image always equals what the Python kernel returns.
    With `start`, the decode runs on a thread of its own: (out, status, job, scaled), valid
    after job.wait(); `scale` (a 0-d float32/float64 array c) also makes scaled =
    np.multiply(out, c, dtype=c.dtype) for the images the C decoder decoded.
    """
    m = _native()
    if m is None or not items or dtype not in (np.uint8, np.uint16):
        return None
    first = items[0]
    if not isinstance(first, bytes):
        return None
    shape = m.png_probe(first, int(channels))
    if shape is None:
        return None
    h, w, c = shape
    out = np.empty((len(items), h, w, c), dtype=dtype)
    status = np.empty(len(items), dtype=np.int8)
    if start:
        if scale is None:
            job = m.png_decode_start(items, int(channels), dtype == np.uint16, out, h, w, c,
                                     status)
            return out, status, job, None
        scaled = np.empty(out.shape, dtype=scale.dtype)
        job = m.png_decode_start(items, int(channels), dtype == np.uint16, out, h, w, c, status,
                                 scaled, 1 if scale.dtype == np.float32 else 2, float(scale))
        return out, status, job, scaled
    m.png_decode_batch(items, int(channels), dtype == np.uint16, out, h, w, c, status)
    return out, status


def _items(contents):
    if isinstance(contents, np.ndarray) and contents.dtype == object and contents.ndim == 1:
        return contents.tolist()
    return list(np.asarray(contents, dtype=object).reshape(-1))


def _finish_batch(items, out, status, channels, dtype, what):
    if not status.any():
        return out
    for i in np.flatnonzero(status):
        if status[i] == 2:
            return None
        img = _decode(np.array(items[i], dtype=object), channels, dtype, what, native=False)
        if img.shape != out.shape[1:]:
            return None
        out[i] = img
    return out


def decode_batch(contents, channels=0, dtype=np.uint8, what="PNG"):
    """DecodePng over a 1-d array of strings: [n, h, w, c], or None where the images do not
    all have one shape (the caller then decodes them one by one and reports that)."""
    items = _items(contents)
    got = _native_png(items, channels, dtype)
    if got is None:
        return None
    return _finish_batch(items, got[0], got[1], channels, dtype, what)


def decode_batch_start(contents, channels=0, dtype=np.uint8, what="PNG", scale=None):
    """decode_batch with the C decode running on a thread of its own while the caller goes
    on: returns a function giving decode_batch's result (it waits for the thread), or None
    when the C decoder cannot take the batch (decode_batch would return None too).

    With `scale` (a 0-d float32 or float64 array c), the function gives (result, scaled),
    scaled being np.multiply(result, c, dtype=c.dtype) computed on the decode thread (None
    where the result is None).
    """
    if scale is not None and (not isinstance(scale, np.ndarray) or scale.ndim != 0 or
                              scale.dtype not in (np.float32, np.float64)):
        scale = None
    items = _items(contents)
    got = _native_png(items, channels, dtype, start=True, scale=scale)
    if got is None:
        return None
    out, status, job, scaled = got

    def finish():
        job.wait()
        res = _finish_batch(items, out, status, channels, dtype, what)
        if scale is None:
            return res
        if res is None:
            return None, None
        for i in np.flatnonzero(status):
            scaled[i] = np.multiply(res[i], scale, dtype=scale.dtype)
        return res, scaled

    return finish


def _decode(contents, channels=0, dtype=np.uint8, what="image", native=True):
    Image = _pil()
    data = _bytes_of(contents)
    if native and data[:8] == _PNG_SIG:
        got = _native_png([data], channels, dtype)
        if got is not None and got[1][0] == 0:
            return got[0][0]
    if dtype == np.uint8:
        fast = _fast_png(data, channels)
        if fast is not None:
            return fast
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as e:
        raise errors.InvalidArgumentError(
            None, None, "Invalid %s data: %s" % (what, e)) from None
    sixteen = img.mode.startswith("I;16") or img.mode == "I"
    img = _to_channels(img, channels, what)
    arr = np.asarray(img)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if dtype == np.uint16:
        if not sixteen:
            arr = arr.astype(np.uint16) * 257
        return np.ascontiguousarray(arr.astype(np.uint16))
    if sixteen:
        arr = (arr.astype(np.uint32) // 257).astype(np.uint8)
    return np.ascontiguousarray(arr.astype(np.uint8, copy=False))


def _decode_png_kernel(contents, channels=0, dtype=None):
    dt = dtypes_lib.as_dtype(dtype or dtypes_lib.uint8)
    return _decode(contents, channels, dt.np_dtype, "PNG")


def _decode_jpeg_kernel(contents, channels=0, **_):
    return _decode(contents, channels, np.uint8, "JPEG")


def _decode_image_kernel(contents, channels=0, dtype=None, expand_animations=True):
    dt = dtypes_lib.as_dtype(dtype or dtypes_lib.uint8)
    out = _decode(contents, channels, np.uint8 if dt != dtypes_lib.uint16 else np.uint16)
    if dt.is_floating:
        out = (out.astype(dt.np_dtype) / np.asarray(255, dt.np_dtype)).astype(dt.np_dtype)
    return out


def _decode_shape(op):
    c = int(op._attrs.get("channels", 0))
    return [_S([None, None, c or None])]


register_op("DecodePng", inputs=["contents: string"], outputs=["image: dtype"],
            attrs={"channels": 0, "dtype": dtypes_lib.uint8}, shape_fn=_decode_shape,
            kernel=_decode_png_kernel)
register_op("DecodeJpeg", inputs=["contents: string"], outputs=["image: uint8"],
            attrs={"channels": 0, "ratio": 1, "fancy_upscaling": True,
                   "try_recover_truncated": False, "acceptable_fraction": 1.0,
                   "dct_method": ""},
            shape_fn=_decode_shape, kernel=_decode_jpeg_kernel, kernel_attrs=("channels",))
register_op("DecodeImage", inputs=["contents: string"], outputs=["image: dtype"],
            attrs={"channels": 0, "dtype": dtypes_lib.uint8, "expand_animations": True},
            shape_fn=lambda op: [tensor_shape.unknown_shape()], kernel=_decode_image_kernel)


def _encode(image, fmt, **kw):
    Image = _pil()
    arr = np.asarray(image)
    if arr.ndim != 3:
        raise ValueError("image must be 3-dimensional, got shape %s" % (arr.shape,))
    c = arr.shape[2]
    if c == 1:
        img = Image.fromarray(arr[:, :, 0] if arr.dtype == np.uint8 else
                              arr[:, :, 0].astype(np.uint16), mode=None)
    elif c in (3, 4):
        img = Image.fromarray(arr.astype(np.uint8), mode="RGB" if c == 3 else "RGBA")
    elif c == 2:
        img = Image.fromarray(arr.astype(np.uint8), mode="LA")
    else:
        raise ValueError("image must have 1, 2, 3 or 4 channels, got %d" % c)
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return np.asarray(buf.getvalue(), dtype=object)


def _encode_png_kernel(image, compression=-1):
    level = 6 if compression < 0 else int(compression)
    return _encode(image, "PNG", compress_level=level)


def _encode_jpeg_kernel(image, format="", quality=95, progressive=False,
                        optimize_size=False, chroma_downsampling=True, **_):
    return _encode(image, "JPEG", quality=int(quality), progressive=bool(progressive),
                   optimize=bool(optimize_size),
                   subsampling=(2 if chroma_downsampling else 0))


register_op("EncodePng", inputs=["image: T"], outputs=["contents: string"],
            attrs={"T": dtypes_lib.uint8, "compression": -1}, shape_fn=registry.scalar_shape,
            kernel=_encode_png_kernel, kernel_attrs=("compression",))
register_op("EncodeJpeg", inputs=["image: uint8"], outputs=["contents: string"],
            attrs={"format": "", "quality": 95, "progressive": False, "optimize_size": False,
                   "chroma_downsampling": True, "density_unit": "in", "x_density": 300,
                   "y_density": 300, "xmp_metadata": ""},
            shape_fn=registry.scalar_shape, kernel=_encode_jpeg_kernel,
            kernel_attrs=("format", "quality", "progressive", "optimize_size",
                          "chroma_downsampling"))


def decode_png(contents, channels=0, dtype=dtypes_lib.uint8, name=None):
    """Decodes a PNG-encoded image to a uint8 or uint16 tensor [height, width, channels]."""
    return registry.out(registry.apply_op("DecodePng", [contents], name=name,
                                          channels=channels, dtype=dtypes_lib.as_dtype(dtype)))


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """Decodes a JPEG-encoded image to a uint8 tensor [height, width, channels]."""
    return registry.out(registry.apply_op(
        "DecodeJpeg", [contents], name=name, channels=channels, ratio=ratio,
        fancy_upscaling=fancy_upscaling, try_recover_truncated=try_recover_truncated,
        acceptable_fraction=float(acceptable_fraction), dct_method=dct_method))


def decode_image(contents, channels=None, dtype=dtypes_lib.uint8, name=None,
                 expand_animations=True):
    """Decodes BMP, GIF, JPEG or PNG images (dispatching on the content)."""
    with graph_lib.name_scope(name, "decode_image"):
        return registry.out(registry.apply_op(
            "DecodeImage", [contents], channels=channels or 0,
            dtype=dtypes_lib.as_dtype(dtype), expand_animations=expand_animations))


def encode_png(image, compression=-1, name=None):
    """PNG-encodes an image [height, width, channels] of uint8 or uint16."""
    return registry.out(registry.apply_op("EncodePng", [image], name=name,
                                          compression=compression))


def encode_jpeg(image, format="", quality=95, progressive=False,
                optimize_size=False, chroma_downsampling=True, density_unit="in",
                x_density=300, y_density=300, xmp_metadata="", name=None):
    """JPEG-encodes a uint8 image [height, width, channels]."""
    return registry.out(registry.apply_op(
        "EncodeJpeg", [image], name=name, format=format, quality=quality,
        progressive=progressive, optimize_size=optimize_size,
        chroma_downsampling=chroma_downsampling, density_unit=density_unit,
        x_density=x_density, y_density=y_density, xmp_metadata=xmp_metadata))
