"""The C PNG decoder (tensorweave/native/_image.c) against the Pillow-based Python kernel."""
import io
import re
import struct
import zlib

import numpy as np
import pytest

from tensorweave.framework import errors
from tensorweave.ops import image_io_ops as iio

m = iio._native()
pytestmark = [pytest.mark.skipif(m is None, reason="C image kernels not built"),
              pytest.mark.filterwarnings("ignore:Palette images with Transparency")]

_SIG = b"\x89PNG\r\n\x1a\n"


def _chunk(typ, body, crc=None):
    c = zlib.crc32(typ + body) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(body)) + typ + body + struct.pack(">I", c)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter(rows, bpp, ftypes):
    out = []
    prev = bytes(len(rows[0]))
    for row, ft in zip(rows, ftypes):
        f = bytearray(len(row))
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) >> 1, _paeth(a, b, c)][ft] if ft < 5 else 0
            f[i] = (x - pred) & 255
        out.append(bytes([ft]) + bytes(f))
        prev = row
    return b"".join(out)


def make_png(samples, depth, ctype, palette=None, trns=None, ftypes=None, extra=(),
             idat_split=1, rng=None):
    """A PNG from samples [h, w, nch] of raw sample values (indices for palette images)."""
    h, w, nch = samples.shape
    rows = []
    for y in range(h):
        vals = samples[y].reshape(-1).astype(np.int64)
        if depth == 16:
            rows.append(b"".join(struct.pack(">H", int(v)) for v in vals))
        elif depth == 8:
            rows.append(bytes(int(v) for v in vals))
        else:
            per = 8 // depth
            nbytes = (len(vals) * depth + 7) // 8
            row = bytearray(nbytes)
            for i, v in enumerate(vals):
                row[i // per] |= int(v) << (8 - depth * (i % per + 1))
            rows.append(bytes(row))
    bits = depth * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp = max(1, bits // 8)
    if ftypes is None:
        ftypes = [(rng.integers(0, 5) if rng is not None else y % 5) for y in range(h)]
    z = zlib.compress(_filter(rows, bpp, ftypes))
    out = _SIG + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
    for c in extra:
        out += c
    if palette is not None:
        out += _chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        out += _chunk(b"tRNS", bytes(trns))
    step = max(1, -(-len(z) // idat_split))
    for i in range(0, len(z), step):
        out += _chunk(b"IDAT", z[i:i + step])
    return out + _chunk(b"IEND", b"")


def _python(data, channels, dtype):
    try:
        return iio._decode(np.array(data, dtype=object), channels, dtype, "PNG", native=False)
    except errors.InvalidArgumentError as e:
        return e


def _msg(e):
    return re.sub(r"0x[0-9a-f]+", "0x", str(e))


def _native_one(data, channels, dtype):
    got = iio._native_png([data], channels, dtype)
    if got is None or got[1][0] != 0:
        return None
    return got[0][0]


def _check(data, channels, dtype, must_native=True):
    ref = _python(data, channels, dtype)
    got = _native_one(data, channels, dtype)
    if must_native:
        assert got is not None, "C decoder fell back"
    if got is not None:
        assert not isinstance(ref, Exception), ref
        assert got.dtype == ref.dtype and got.shape == ref.shape
        np.testing.assert_array_equal(got, ref)
    # The kernel (C with fallback) always equals the Python path, errors included.
    try:
        k = iio._decode_png_kernel(np.array(data, dtype=object), channels=channels,
                                   dtype=np.dtype(dtype).name)
    except errors.InvalidArgumentError as e:
        assert isinstance(ref, Exception) and _msg(e) == _msg(ref)
    else:
        assert not isinstance(ref, Exception)
        np.testing.assert_array_equal(k, ref)
        assert k.dtype == ref.dtype
    return got


VARIANTS = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2),
            (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)]


def _samples(rng, h, w, depth, ctype, npal=None):
    nch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    hi = npal if ctype == 3 else (1 << depth)
    return rng.integers(0, hi, (h, w, nch))


@pytest.mark.parametrize("ctype,depth", VARIANTS)
@pytest.mark.parametrize("channels", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_variants_equal_python(ctype, depth, channels, dtype):
    rng = np.random.default_rng(ctype * 100 + depth + channels)
    for h, w in [(1, 1), (3, 5), (7, 13), (28, 28)]:
        npal = min(1 << depth, 256) if ctype == 3 else None
        pal = rng.integers(0, 256, (npal, 3)) if npal else None
        data = make_png(_samples(rng, h, w, depth, ctype, npal), depth, ctype, palette=pal,
                        rng=rng, idat_split=int(rng.integers(1, 4)))
        must = not (ctype == 0 and depth == 16 and channels != 0)
        _check(data, channels, dtype, must_native=must)


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
@pytest.mark.parametrize("channels", [0, 1, 2, 3, 4])
def test_palette_transparency(depth, channels):
    rng = np.random.default_rng(depth)
    npal = min(1 << depth, 256)
    pal = rng.integers(0, 256, (npal, 3))
    s = _samples(rng, 9, 11, depth, 3, npal)
    simple = np.full(npal, 255, np.uint8)
    simple[npal // 2] = 0
    for trns in [bytes(simple), bytes(rng.integers(0, 256, npal, dtype=np.uint8)),
                 bytes(rng.integers(0, 256, max(1, npal // 2), dtype=np.uint8)), b"\xff"]:
        for dtype in (np.uint8, np.uint16):
            _check(make_png(s, depth, 3, palette=pal, trns=trns), channels, dtype)


@pytest.mark.parametrize("ctype,depth", [(0, 1), (0, 2), (0, 8), (0, 16), (2, 8), (2, 16)])
@pytest.mark.parametrize("channels", [0, 1, 2, 3, 4])
def test_colour_key_transparency(ctype, depth, channels):
    rng = np.random.default_rng(depth)
    s = _samples(rng, 6, 7, depth, ctype)
    trns = struct.pack(">H", 1) if ctype == 0 else struct.pack(">HHH", 1, 2, 3)
    for dtype in (np.uint8, np.uint16):
        _check(make_png(s, depth, ctype, trns=trns), channels, dtype, must_native=False)


def test_pillow_written_files():
    from PIL import Image

    rng = np.random.default_rng(0)
    imgs = {
        "L": Image.fromarray(rng.integers(0, 256, (10, 9), dtype=np.uint8), "L"),
        "RGB": Image.fromarray(rng.integers(0, 256, (10, 9, 3), dtype=np.uint8), "RGB"),
        "RGBA": Image.fromarray(rng.integers(0, 256, (10, 9, 4), dtype=np.uint8), "RGBA"),
        "LA": Image.fromarray(rng.integers(0, 256, (10, 9, 2), dtype=np.uint8), "LA"),
        "1": Image.fromarray(rng.integers(0, 2, (10, 9), dtype=np.uint8) * 255, "L").convert("1"),
        "I;16": Image.fromarray(rng.integers(0, 65536, (10, 9), dtype=np.uint16)),
        "P": Image.fromarray(rng.integers(0, 256, (10, 9, 3), dtype=np.uint8),
                             "RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16),
    }
    for mode, im in imgs.items():
        for kw in ({}, {"bits": 4} if mode == "P" else {}, {"compress_level": 0},
                   {"transparency": 3} if mode == "P" else {}):
            buf = io.BytesIO()
            im.save(buf, format="PNG", **kw)
            for ch in (0, 1, 2, 3, 4):
                for dt in (np.uint8, np.uint16):
                    _check(buf.getvalue(), ch, dt, must_native=not (mode == "I;16" and ch))


def test_interlaced_and_ancillary_fall_back_correctly():
    from PIL import Image

    rng = np.random.default_rng(1)
    im = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8), "RGB")
    buf = io.BytesIO()
    im.save(buf, format="PNG", interlace=1) if False else im.save(buf, format="PNG")
    data = buf.getvalue()
    # An Adam7 image written by hand-flipping IHDR's interlace byte is invalid data; both
    # paths must agree (error or not).
    bad = bytearray(data)
    bad[28] = 1
    bad[29:33] = struct.pack(">I", zlib.crc32(bytes(bad[12:29])) & 0xFFFFFFFF)
    assert _check(bytes(bad), 0, np.uint8, must_native=False) is None
    # Ancillary chunks (text, gamma, physical size) before and after the data.
    s = _samples(rng, 5, 6, 8, 2)
    extra = [_chunk(b"gAMA", struct.pack(">I", 45455)), _chunk(b"tEXt", b"a\0b"),
             _chunk(b"pHYs", struct.pack(">IIB", 1, 1, 0))]
    _check(make_png(s, 8, 2, extra=extra), 0, np.uint8)
    _check(make_png(s, 8, 2, extra=extra), 1, np.uint16)


def test_crc_behaviour_matches_python():
    rng = np.random.default_rng(2)
    for ctype, depth in [(0, 8), (2, 8), (3, 8), (0, 16), (4, 8)]:
        npal = 256 if ctype == 3 else None
        pal = rng.integers(0, 256, (npal, 3)) if npal else None
        data = bytearray(make_png(_samples(rng, 4, 4, depth, ctype, npal), depth, ctype,
                                  palette=pal))
        data[29] ^= 1  # IHDR CRC
        _check(bytes(data), 0, np.uint8, must_native=False)
        # a bad IDAT CRC: neither Pillow nor the C decoder checks it
        good = make_png(_samples(rng, 4, 4, depth, ctype, npal), depth, ctype, palette=pal)
        i = good.index(b"IDAT")
        n = struct.unpack(">I", good[i - 4:i])[0]
        bad = bytearray(good)
        bad[i + 4 + n] ^= 0xFF
        _check(bytes(bad), 0, np.uint8)


def test_corrupt_inputs_give_errors_not_crashes():
    rng = np.random.default_rng(3)
    base = [make_png(_samples(rng, 8, 9, d, c, min(16, 1 << d) if c == 3 else None), d, c,
                     palette=rng.integers(0, 256, (16, 3)) if c == 3 else None, rng=rng)
            for c, d in VARIANTS]
    cases = []
    for data in base:
        n = len(data)
        for _ in range(25):
            b = bytearray(data)
            k = int(rng.integers(0, 4))
            if k == 0:
                b = b[:int(rng.integers(0, n))]
            elif k == 1:
                for _ in range(int(rng.integers(1, 5))):
                    b[int(rng.integers(8, n))] = int(rng.integers(0, 256))
            elif k == 2:
                i = int(rng.integers(8, n))
                b = b[:i] + bytes(rng.integers(0, 256, int(rng.integers(1, 20)),
                                               dtype=np.uint8)) + b[i:]
            else:
                i = int(rng.integers(33, n))
                b = b[:i] + b[i + int(rng.integers(1, 30)):]
            cases.append(bytes(b))
    cases += [b"", b"\x89PNG", _SIG, _SIG + b"\0" * 40, b"not a png at all"]
    # a zlib stream with too much and too little data, and a filter type > 4
    s = np.zeros((3, 4, 1), np.int64)
    cases.append(make_png(s, 8, 0, ftypes=[0, 5, 0]))
    raw = b"".join(b"\0" + bytes(4) for _ in range(3))
    for body in (raw + b"\0" * 5, raw[:-2]):
        cases.append(_SIG + _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 0, 0, 0, 0)) +
                     _chunk(b"IDAT", zlib.compress(body)) + _chunk(b"IEND", b""))
    for data in cases:
        for ch in (0, 1, 3):
            _check(data, ch, np.uint8, must_native=False)


def test_batch_entry_point():
    rng = np.random.default_rng(4)
    items = [make_png(_samples(rng, 6, 5, 8, 0), 8, 0, rng=rng) for _ in range(7)]
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    out = iio.decode_batch(arr, 1, np.uint8)
    ref = np.stack([_python(d, 1, np.uint8) for d in items])
    np.testing.assert_array_equal(out, ref)
    # a palette image in the middle (C path) and an interlaced one (Pillow) keep the batch
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (6, 5), dtype=np.uint8), "L").save(
        buf, format="PNG", optimize=True)
    items[3] = buf.getvalue()
    items[4] = make_png(_samples(rng, 6, 5, 4, 3, 16), 4, 3,
                        palette=rng.integers(0, 256, (16, 3)))
    arr[:] = items
    out = iio.decode_batch(arr, 1, np.uint8)
    ref = np.stack([_python(d, 1, np.uint8) for d in items])
    np.testing.assert_array_equal(out, ref)
    # another shape: None (the caller decodes one by one)
    items[5] = make_png(_samples(rng, 7, 5, 8, 0), 8, 0)
    arr[:] = items
    assert iio.decode_batch(arr, 1, np.uint8) is None
    # corrupt data: the Python kernel's error
    items[5] = b"definitely not an image"
    arr[:] = items
    with pytest.raises(errors.InvalidArgumentError, match="Invalid PNG data"):
        iio.decode_batch(arr, 1, np.uint8)


def test_batch_argument_checks():
    item = make_png(np.zeros((2, 2, 1), np.int64), 8, 0)
    st = np.zeros(2, np.int8)
    with pytest.raises(ValueError):
        m.png_decode_batch([item, item], 0, False, np.zeros(7, np.uint8), 2, 2, 1, st)
    with pytest.raises(ValueError):
        m.png_decode_batch([item, item], 0, False, np.zeros(8, np.uint8), 2, 2, 1, st[:1])
    with pytest.raises(ValueError):
        m.png_decode_batch([item], 0, False, np.zeros(8, np.uint8), 0, 2, 1, st)
    with pytest.raises((ValueError, TypeError)):
        m.png_decode_batch([item], 0, False, np.zeros((4, 4), np.uint8)[:, ::2], 2, 2, 1, st)
    out = np.zeros(8, np.uint8)
    assert m.png_decode_batch([item, "x"], 0, False, out, 2, 2, 1, st) == 1
    assert list(st) == [0, 1]


def test_decode_start_runs_on_the_worker_thread():
    rng = np.random.default_rng(5)
    items = [make_png(_samples(rng, 6, 5, d, 0), d, 0, rng=rng) for d in (8, 4, 8, 1, 16)]
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    ref = iio.decode_batch(arr, 0, np.uint16)
    jobs = [iio.decode_batch_start(arr, 0, np.uint16) for _ in range(5)]
    for fin in jobs:
        np.testing.assert_array_equal(fin(), ref)
    # jobs dropped without waiting, waited twice, and errors through the Python kernel
    for _ in range(20):
        iio.decode_batch_start(arr, 0, np.uint8)
    out = np.empty((2, 6, 5, 1), np.uint8)
    st = np.empty(2, np.int8)
    job = m.png_decode_start([items[0], b"junk"], 0, False, out, 6, 5, 1, st)
    assert job.wait() == 1 and job.wait() == 1 and list(st) == [0, 1]
    arr[2] = b"junk"
    with pytest.raises(errors.InvalidArgumentError, match="Invalid PNG data"):
        iio.decode_batch_start(arr, 0, np.uint8)()
    with pytest.raises(ValueError):
        m.png_decode_start([items[0]], 0, False, np.zeros(3, np.uint8), 6, 5, 1, st)


def test_decode_start_with_scaled_copy():
    rng = np.random.default_rng(6)
    for dtype, sdt in ((np.uint8, np.float32), (np.uint16, np.float64), (np.uint8, np.float64)):
        items = [make_png(_samples(rng, 4, 3, d, 0), d, 0, rng=rng) for d in (8, 16, 2, 8)]
        items.append(items[0][:20])  # a fallback item: the Python kernel raises for it
        arr = np.empty(4, dtype=object)
        arr[:] = items[:4]
        c = np.asarray(1 / 255 if sdt == np.float32 else 0.1, dtype=sdt)
        res, scaled = iio.decode_batch_start(arr, 0, dtype, scale=c)()
        ref = iio.decode_batch(arr, 0, dtype)
        np.testing.assert_array_equal(res, ref)
        want = np.multiply(ref, c, dtype=sdt)
        assert scaled.dtype == sdt
        np.testing.assert_array_equal(scaled, want)
        # an interlaced (Pillow-decoded) item gets its scaled row in Python
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (4, 3), dtype=np.uint8), "L").save(
            buf, format="PNG", optimize=True)
        arr[1] = buf.getvalue()
        res, scaled = iio.decode_batch_start(arr, 0, np.uint8, scale=c)()
        np.testing.assert_array_equal(scaled, np.multiply(res, c, dtype=sdt))
    out = np.empty((1, 4, 3, 1), np.uint8)
    st = np.empty(1, np.int8)
    with pytest.raises(ValueError):
        m.png_decode_start([items[0]], 0, False, out, 4, 3, 1, st, np.empty(11, np.float32), 1,
                           0.5)
    with pytest.raises(ValueError):
        m.png_decode_start([items[0]], 0, False, out, 4, 3, 1, st, np.empty(12, np.float32), 3,
                           0.5)
