"""The C convolution kernels (tensorweave/native/_conv.c) against the NumPy kernels."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tensorweave.kernels import conv as C
from tensorweave.kernels import conv_fast as F

m = F.native()
pytestmark = pytest.mark.skipif(m is None, reason="C kernels not built")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

DFT_CASES = [
    # n, h, w, c, o, kh, kw, padding (or explicit (t, b, l, r))
    (4, 14, 14, 32, 64, 5, 5, "SAME"),
    (3, 9, 11, 4, 6, 3, 5, "VALID"),
    (2, 8, 7, 3, 5, 4, 4, "SAME"),
    (2, 10, 9, 16, 1, 5, 3, "VALID"),
    (5, 6, 6, 40, 17, 3, 3, "SAME"),
    (1, 1, 1, 2, 3, 3, 3, "SAME"),
    (2, 2, 3, 5, 6, 5, 5, "SAME"),
    (2, 5, 4, 3, 4, 3, 3, (10, 10, 0, 7)),
    (3, 7, 5, 33, 48, 2, 3, (0, 1, 2, 0)),
    (20, 12, 12, 8, 12, 5, 5, "SAME"),
]

DIRECT_CASES = [
    # n, h, w, c, o, kh, kw, padding, strides, dilations
    (3, 28, 28, 1, 32, 5, 5, "SAME", (1, 1), (1, 1)),
    (3, 28, 28, 1, 32, 5, 5, "SAME", (2, 2), (1, 1)),
    (2, 13, 11, 3, 40, 3, 3, "VALID", (2, 1), (1, 2)),
    (2, 9, 9, 2, 7, 3, 3, "SAME", (1, 1), (2, 2)),
    (1, 1, 1, 1, 1, 1, 1, "VALID", (1, 1), (1, 1)),
    (2, 5, 30, 4, 16, 2, 4, "SAME", (1, 3), (1, 1)),
    (2, 6, 6, 1, 33, 7, 7, "SAME", (1, 1), (1, 1)),
    (2, 12, 13, 1, 20, 3, 6, "SAME", (1, 2), (2, 2)),
    (2, 8, 9, 1, 48, 4, 2, "VALID", (2, 1), (1, 3)),
]


def _geometry(shape, k, padding, strides=(1, 1), dilations=(1, 1)):
    explicit = ()
    if isinstance(padding, tuple):
        explicit, padding = (0, 0, *padding, 0, 0), "EXPLICIT"
    return C._setup(2, shape, k, [1, *strides, 1], padding, [1, *dilations, 1], "NHWC",
                    explicit)


def _data(n, h, w, c, o, kh, kw, out, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h, w, c)).astype(np.float32)
    f = rng.standard_normal((kh, kw, c, o)).astype(np.float32)
    dy = rng.standard_normal((n, *out, o)).astype(np.float32)
    return x, f, dy


def _close(got, want):
    assert got.dtype == np.float32 and got.shape == want.shape
    scale = max(float(np.abs(want).max()), 1e-30)
    assert float(np.abs(got - want).max()) <= 1e-5 * scale


def _refs(x, f, dy, s, d, out, pads):
    x64, f64, dy64 = x.astype(np.float64), f.astype(np.float64), dy.astype(np.float64)
    return (C._conv_fwd(x64, f64, s, d, out, pads),
            C._conv_bwd_input(x.shape, f64, dy64, s, d, out, pads),
            C._conv_bwd_filter(x64, dy64, f.shape[:2], s, d, out, pads))


@pytest.mark.parametrize("case", DFT_CASES)
def test_dft_path_matches_float64_im2col(case):
    n, h, w, c, o, kh, kw, padding = case
    s, d, out, pads = _geometry((n, h, w, c), (kh, kw), padding)
    x, f, dy = _data(n, h, w, c, o, kh, kw, out)
    fwd, bi, bf = _refs(x, f, dy, s, d, out, pads)
    _close(F.native_fwd(x, f, pads), fwd)
    _close(F.native_bwd_input(x.shape, f, dy, pads), bi)
    _close(F.native_bwd_filter(x, dy, (kh, kw), pads), bf)


@pytest.mark.parametrize("case", DIRECT_CASES)
def test_direct_matches_float64_im2col(case):
    n, h, w, c, o, kh, kw, padding, st, dl = case
    s, d, out, pads = _geometry((n, h, w, c), (kh, kw), padding, st, dl)
    x, f, dy = _data(n, h, w, c, o, kh, kw, out)
    fwd, _, bf = _refs(x, f, dy, s, d, out, pads)
    _close(F.direct_fwd(x, f, s, d, out, pads), fwd)
    _close(F.direct_bwd_filter(x, dy, (kh, kw), s, d, out, pads), bf)


def test_threads_do_not_change_results():
    old = C.set_num_threads(2)
    try:
        n, h, w, c, o, kh, kw = 23, 14, 14, 32, 64, 5, 5
        s, d, out, pads = _geometry((n, h, w, c), (kh, kw), "SAME")
        x, f, dy = _data(n, h, w, c, o, kh, kw, out, seed=3)
        for fn in (lambda r: F.native_fwd(x, f, pads, r),
                   lambda r: F.native_bwd_input(x.shape, f, dy, pads, r),
                   lambda r: F.native_bwd_filter(x, dy, (kh, kw), pads, r),
                   lambda r: F.direct_fwd(x[..., :1], f[:, :, :1], s, d, out, pads, r),
                   lambda r: F.direct_bwd_filter(x[..., :1], dy, (kh, kw), s, d, out, pads, r)):
            a, b = fn(None), fn(C._fast_runner)
            assert np.array_equal(a, b)
    finally:
        C.set_num_threads(old)


def test_nan_and_inf_propagate():
    n, h, w, c, o, kh, kw = 2, 14, 14, 32, 64, 5, 5
    s, d, out, pads = _geometry((n, h, w, c), (kh, kw), "SAME")
    x, f, dy = _data(n, h, w, c, o, kh, kw, out)
    x[0, 3, 4, 5] = np.nan
    x[1, 7, 7, 0] = np.inf
    want = C._conv_fwd(x.astype(np.float64), f.astype(np.float64), s, d, out, pads)
    got = F.native_fwd(x, f, pads)
    # every output the reference makes non-finite is non-finite here too (the DFT path
    # spreads a NaN/Inf over the item's whole map, like the NumPy DFT path)
    assert np.all(~np.isfinite(got[~np.isfinite(want)]))
    x1 = x[..., :1].copy()
    x1[0, 3, 4, 0] = np.nan
    s, d, out, pads = _geometry(x1.shape, (kh, kw), "SAME")
    want = C._conv_fwd(x1.astype(np.float64), f[:, :, :1].astype(np.float64), s, d, out, pads)
    got = F.direct_fwd(x1, f[:, :, :1], s, d, out, pads)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    _close(got[fin].reshape(-1), want[fin].reshape(-1))


def test_non_contiguous_inputs():
    n, h, w, c, o, kh, kw = 3, 10, 9, 8, 16, 3, 3
    s, d, out, pads = _geometry((n, h, w, c), (kh, kw), "SAME")
    x, f, dy = _data(n, h, w, c, o, kh, kw, out)
    xt = np.asfortranarray(x)
    ft = f[:, :, :, ::-1].copy()[:, :, :, ::-1]
    dyt = np.swapaxes(np.swapaxes(dy, 1, 2).copy(), 1, 2)
    fwd, bi, bf = _refs(x, f, dy, s, d, out, pads)
    _close(F.native_fwd(xt, ft, pads), fwd)
    _close(F.native_bwd_input(x.shape, ft, dyt, pads), bi)
    _close(F.native_bwd_filter(xt, dyt, (kh, kw), pads), bf)
    _close(F.direct_fwd(xt[..., :2], ft[:, :, :2], s, d, out, pads),
           C._conv_fwd(x[..., :2].astype(np.float64), f[:, :, :2].astype(np.float64), s, d,
                       out, pads))


def test_empty_batch():
    s, d, out, pads = _geometry((0, 14, 14, 32), (5, 5), "SAME")
    x = np.zeros((0, 14, 14, 32), np.float32)
    f = np.ones((5, 5, 32, 8), np.float32)
    dy = np.zeros((0, 14, 14, 8), np.float32)
    assert F.native_fwd(x, f, pads).shape == (0, 14, 14, 8)
    assert F.native_bwd_input(x.shape, f, dy, pads).shape == x.shape
    assert not F.native_bwd_filter(x, dy, (5, 5), pads).any()
    assert F.direct_fwd(x[..., :1], f[:, :, :1], s, d, out, pads).shape == (0, 14, 14, 8)
    assert not F.direct_bwd_filter(x[..., :1], dy, (5, 5), s, d, out, pads).any()


def test_bad_sizes_raise():
    a = np.zeros(100, np.float32)
    big = np.zeros(10000, np.float32)
    with pytest.raises(ValueError):  # source too small
        m.dft_fwd(a, big, 0, 1, 1, 10, 10, 4, 400, 40, 4, 12, 12, 1, 1, 1)
    with pytest.raises(ValueError):  # frame smaller than the placed map
        m.dft_fwd(big, big, 0, 1, 1, 10, 10, 4, 400, 40, 4, 10, 12, 1, 1, 1)
    with pytest.raises(ValueError):  # destination too small
        m.dft_fwd(big, a, 0, 1, 1, 4, 4, 4, 64, 16, 4, 6, 6, 0, 0, 1)
    with pytest.raises(ValueError):  # bad plane mode
        m.dft_fwd(big, big, 0, 1, 1, 4, 4, 4, 64, 16, 4, 6, 6, 0, 0, 7)
    with pytest.raises(ValueError):  # item range past the end
        m.dft_inv(big, big, 0, 3, 2, 6, 6, 0, 4, 0, 4, 4, 64, 16, 4)
    with pytest.raises(ValueError):  # crop outside the frame
        m.dft_inv(big, big, 0, 1, 1, 6, 6, 3, 4, 0, 4, 4, 64, 16, 4)
    with pytest.raises(ValueError):
        m.cgemm(a, big, big, 0, 3, 4, 4, 4, 48, 16, 4, 1, 48, 16, 4, 32, 16, 4)  # A short
    with pytest.raises(ValueError):
        m.cgemm(big, big, a, 0, 2, 8, 4, 16, 96, 32, 4, 1, 192, 64, 16, 256, 128, 16)  # C short
    with pytest.raises(ValueError):  # negative stride
        m.cgemm(big, big, big, 0, 1, 4, 4, 4, -1, 16, 4, 1, 48, 16, 4, 32, 16, 4)
    g = (1, 4, 4, 1, 4, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1)
    with pytest.raises(ValueError):  # output too small
        m.direct_fwd(big, big, a[:10], 0, 1, *g)
    with pytest.raises(ValueError):  # bad item range
        m.direct_fwd(big, big, big, 0, 2, *g)
    with pytest.raises(ValueError):  # zero stride
        m.direct_fwd(big, big, big, 0, 1, *g[:11], 0, 1, 1, 1)
    with pytest.raises(ValueError):  # tap range past the filter
        m.direct_bwd_filter(big, big, big, 0, 10, 0, 1, *g)
    with pytest.raises(ValueError):  # item range past the batch
        m.direct_bwd_filter(big, big, big, 0, 9, 0, 2, *g)
    with pytest.raises(TypeError):  # read-only output
        m.direct_bwd_filter(big, big, bytes(4000), 0, 9, 0, 1, *g)


def test_plan():
    p = F.plan_native
    same5, same3 = ((2, 2), (2, 2)), ((1, 1), (1, 1))
    one = (1, 1)
    f32 = (np.float32, np.float32)
    for kind in ("fwd", "input", "filter"):
        assert p(kind, 50, (14, 14), (5, 5), 32, 64, one, one, same5, f32) == "dft"
        # float64, strides, tiny batches: not the DFT kernels
        assert p(kind, 50, (14, 14), (5, 5), 32, 64, one, one, same5,
                 (np.float64, np.float64)) is None
        assert p(kind, 50, (14, 14), (5, 5), 32, 64, (2, 2), one, same5, f32) is None
        assert p(kind, 2, (14, 14), (5, 5), 32, 64, one, one, same5, f32) is None
        # VGG-style 3x3 layers at batch 8: im2col
        for hw, c, o in ((32, 64, 64), (16, 128, 128), (8, 256, 256), (4, 512, 512)):
            assert p(kind, 8, (hw, hw), (3, 3), c, o, one, one, same3, f32) is None
    assert p("fwd", 50, (28, 28), (5, 5), 1, 32, one, one, same5, f32) == "direct"
    assert p("filter", 50, (28, 28), (5, 5), 1, 32, one, one, same5, f32) == "direct"
    assert p("fwd", 8, (32, 32), (3, 3), 3, 64, (2, 2), one, same3, f32) == "direct"
    assert p("input", 50, (28, 28), (5, 5), 1, 32, one, one, same5, f32) != "direct"


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_public_kernels_use_c_and_match_numpy(monkeypatch, data_format):
    calls = []
    for name in ("native_fwd", "native_bwd_input", "native_bwd_filter", "direct_fwd",
                 "direct_bwd_filter"):
        orig = getattr(F, name)
        monkeypatch.setattr(F, name, lambda *a, _o=orig, _n=name, **k: calls.append(_n)
                            or _o(*a, **k))
    rng = np.random.default_rng(5)
    cf = data_format == "NCHW"

    def fmt(a):
        return a.transpose(0, 3, 1, 2) if cf else a

    x = rng.standard_normal((20, 14, 14, 32)).astype(np.float32)
    x1 = rng.standard_normal((20, 28, 28, 1)).astype(np.float32)
    f = rng.standard_normal((5, 5, 32, 64)).astype(np.float32)
    f1 = rng.standard_normal((5, 5, 1, 32)).astype(np.float32)
    dy = rng.standard_normal((20, 14, 14, 64)).astype(np.float32)
    dy1 = rng.standard_normal((20, 28, 28, 32)).astype(np.float32)
    st = [1, 1, 1, 1]

    def run():
        return (C.conv2d(fmt(x), f, st, "SAME", data_format=data_format),
                C.conv2d_backprop_input(list(fmt(x).shape), f, fmt(dy), st, "SAME",
                                        data_format=data_format),
                C.conv2d_backprop_filter(fmt(x), list(f.shape), fmt(dy), st, "SAME",
                                         data_format=data_format),
                C.conv2d(fmt(x1), f1, st, "SAME", data_format=data_format),
                C.conv2d_backprop_filter(fmt(x1), list(f1.shape), fmt(dy1), st, "SAME",
                                         data_format=data_format))

    ours = run()
    assert sorted(calls) == sorted(["native_fwd", "native_bwd_input", "native_bwd_filter",
                                    "direct_fwd", "direct_bwd_filter"])
    monkeypatch.setattr(F, "NATIVE_ENABLED", False)
    theirs = run()
    assert len(calls) == 5
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        scale = float(np.abs(b).max())
        assert float(np.abs(a - b).max()) <= 1e-4 * scale
    # float64 stays on the NumPy kernels
    monkeypatch.setattr(F, "NATIVE_ENABLED", True)
    C.conv2d(fmt(x).astype(np.float64), f.astype(np.float64), st, "SAME",
             data_format=data_format)
    assert len(calls) == 5


_FALLBACK_CHECK = r"""
import importlib.util, sys
import numpy as np
sys.path.insert(0, sys.argv[2])
spec = importlib.util.spec_from_file_location("tensorweave.native._conv", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
assert mod.isa() == "generic", mod.isa()
from tensorweave.kernels import conv as C, conv_fast as F
import tensorweave.native as N
N._CACHE["_conv"] = mod
rng = np.random.default_rng(0)
for n, h, w, c, o, k, pad in [(3, 9, 11, 20, 17, 5, "SAME"), (2, 8, 7, 1, 40, 3, "VALID")]:
    x = rng.standard_normal((n, h, w, c)).astype(np.float32)
    f = rng.standard_normal((k, k, c, o)).astype(np.float32)
    s, d, out, pads = C._setup(2, x.shape, (k, k), [1, 1, 1, 1], pad, None, "NHWC", ())
    dy = rng.standard_normal((n, *out, o)).astype(np.float32)
    x64, f64, dy64 = x.astype(float), f.astype(float), dy.astype(float)
    pairs = [(F.native_fwd(x, f, pads), C._conv_fwd(x64, f64, s, d, out, pads)),
             (F.native_bwd_input(x.shape, f, dy, pads),
              C._conv_bwd_input(x.shape, f64, dy64, s, d, out, pads)),
             (F.native_bwd_filter(x, dy, (k, k), pads),
              C._conv_bwd_filter(x64, dy64, (k, k), s, d, out, pads)),
             (F.direct_fwd(x, f, s, d, out, pads), C._conv_fwd(x64, f64, s, d, out, pads)),
             (F.direct_bwd_filter(x, dy, (k, k), s, d, out, pads),
              C._conv_bwd_filter(x64, dy64, (k, k), s, d, out, pads))]
    for got, want in pairs:
        err = np.abs(got - want).max() / np.abs(want).max()
        assert err < 1e-5, err
print("ok")
"""


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                    reason="no C compiler")
def test_portable_fallback_build(tmp_path):
    """The plain-C branch (no AVX-512) built with -O2 gives the same numbers."""
    env = dict(os.environ, TENSORWEAVE_NATIVE_CFLAGS="-O2", TENSORWEAVE_NATIVE_ONLY="_conv")
    r = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--build-lib",
                        str(tmp_path / "lib"), "--build-temp", str(tmp_path / "tmp")],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    built = [os.path.join(dp, fn) for dp, _, fns in os.walk(tmp_path / "lib") for fn in fns
             if fn.startswith("_conv") and fn.endswith(".so")]
    assert built, "no module built"
    r = subprocess.run([sys.executable, "-c", _FALLBACK_CHECK, built[0], ROOT],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-3000:]


def test_shared_spectra_follow_the_bytes():
    """Kept spectra (the input's, out_backprop's) are reused only for the same bytes."""
    n, h, w, c, o, kh, kw = 6, 9, 8, 5, 7, 3, 3
    s, d, out, pads = _geometry((n, h, w, c), (kh, kw), "SAME")
    x, f, dy = _data(n, h, w, c, o, kh, kw, out, seed=7)
    F.clear_cache()

    def check():
        fwd, bi, bf = _refs(x, f, dy, s, d, out, pads)
        _close(F.native_fwd(x, f, pads), fwd)
        _close(F.native_bwd_input(x.shape, f, dy, pads), bi)
        _close(F.native_bwd_filter(x, dy, (kh, kw), pads), bf)  # reuses both spectra
        _close(F.native_bwd_filter(x.copy(), dy.copy(), (kh, kw), pads), bf)  # same bytes

    check()
    assert len(F._SPEC_CACHE) == 2
    # the kept copies (written by the transform while it reads) are exact
    copies = sorted((a for a, _ in F._SPEC_CACHE.values()), key=lambda a: a.shape[-1])
    assert np.array_equal(copies[0], x) and np.array_equal(copies[1], dy)
    dy *= -2.0  # same objects, new contents (as reused executor buffers would be)
    check()
    x[1, 2, 3, 4] += 1.0
    check()
    x[0, 0, 0, 0] = np.nan  # bitwise comparison: NaN bytes match themselves
    fwd = F.native_fwd(x, f, pads)
    assert np.isnan(fwd[0]).any() and not np.isnan(fwd[1:]).any()
    assert np.array_equal(F.native_fwd(x, f, pads), fwd, equal_nan=True)
    assert m.same(dy, dy.copy()) and not m.same(dy, dy[:1]) and not m.same(dy, -dy)
    F.clear_cache()
    assert not F._SPEC_CACHE


def test_spectrum_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(F, "_SPEC_MAX_BYTES", 1 << 20)
    F.clear_cache()
    rng = np.random.default_rng(8)
    f = rng.standard_normal((3, 3, 4, 4)).astype(np.float32)
    for hw in range(10, 30, 2):
        x = rng.standard_normal((4, hw, hw, 4)).astype(np.float32)
        F.native_fwd(x, f, ((1, 1), (1, 1)))
        kept = sum(a.nbytes + b.nbytes for a, b in F._SPEC_CACHE.values())
        assert kept <= 1 << 20
    F.clear_cache()
