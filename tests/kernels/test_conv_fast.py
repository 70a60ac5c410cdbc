"""The DFT convolution path (tensorweave/kernels/conv_fast.py) against the im2col kernels."""

import numpy as np
import pytest

from tensorweave.kernels import _util as U
from tensorweave.kernels import conv as C
from tensorweave.kernels import conv_fast as F

CASES = [
    # n, h, w, c, o, kh, kw, padding
    (4, 14, 14, 32, 64, 5, 5, "SAME"),
    (3, 9, 11, 4, 6, 3, 5, "VALID"),
    (2, 8, 7, 3, 5, 4, 4, "SAME"),
    (2, 8, 7, 1, 16, 3, 3, "SAME"),
    (2, 10, 9, 16, 1, 5, 3, "VALID"),
    (5, 6, 6, 8, 8, 3, 3, "EXPLICIT"),
]


def _setup(case, dtype, seed=0):
    n, h, w, c, o, kh, kw, padding = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h, w, c)).astype(dtype)
    f = rng.standard_normal((kh, kw, c, o)).astype(dtype)
    explicit = (0, 0, 1, 2, 2, 0, 0, 0) if padding == "EXPLICIT" else ()
    s, d, out, pads = C._setup(2, x.shape, (kh, kw), [1, 1, 1, 1], padding, None, "NHWC",
                               explicit)
    dy = rng.standard_normal((n, *out, o)).astype(dtype)
    return x, f, dy, s, d, out, pads


def _close(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-4 if want.dtype == np.float32 else 1e-10
    scale = max(float(np.abs(want).max()), 1e-30)
    assert float(np.abs(got - want).max()) <= tol * scale


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_fast_matches_im2col(case, dtype):
    x, f, dy, s, d, out, pads = _setup(case, dtype)
    _close(F.conv2d_fwd(x, f, pads), C._conv_fwd(x, f, s, d, out, pads))
    _close(F.conv2d_bwd_input(x.shape, f, dy, pads),
           C._conv_bwd_input(x.shape, f, dy, s, d, out, pads))
    _close(F.conv2d_bwd_filter(x, dy, f.shape[:2], pads),
           C._conv_bwd_filter(x, dy, f.shape[:2], s, d, out, pads))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_chunks_and_threads(dtype):
    # n >= 16: two batch chunks, run serially and through the intra-op runner.
    case = (20, 12, 12, 8, 12, 5, 5, "SAME")
    x, f, dy, s, d, out, pads = _setup(case, dtype, seed=1)
    for runner in (None, C._fast_runner):
        _close(F.conv2d_fwd(x, f, pads, runner), C._conv_fwd(x, f, s, d, out, pads))
        _close(F.conv2d_bwd_input(x.shape, f, dy, pads, runner),
               C._conv_bwd_input(x.shape, f, dy, s, d, out, pads))
        _close(F.conv2d_bwd_filter(x, dy, (5, 5), pads, runner),
               C._conv_bwd_filter(x, dy, (5, 5), s, d, out, pads))


def test_plan_picks_big_channel_convs_only():
    same = ((2, 2), (2, 2))
    # the seed CNN's conv2 (14x14x32 -> 64, 5x5): fewer operations in the DFT domain
    for kind in ("fwd", "input", "filter"):
        assert F.plan(kind, 50, (14, 14), (5, 5), 32, 64, same)
    # conv1 (one input channel, 28x28) stays on im2col for the forward and filter gradient
    assert not F.plan("fwd", 50, (28, 28), (5, 5), 1, 32, same)
    assert not F.plan("filter", 50, (28, 28), (5, 5), 1, 32, same)
    # small kernels, tiny problems, 3-D kernels: never
    assert not F.plan("fwd", 50, (14, 14), (1, 1), 32, 64, ((0, 0), (0, 0)))
    assert not F.plan("fwd", 50, (14, 14), (2, 2), 32, 64, ((0, 1), (0, 1)))
    assert not F.plan("fwd", 1, (6, 6), (3, 3), 4, 4, ((1, 1), (1, 1)))
    assert not F.plan("fwd", 4, (6, 6, 6), (3, 3, 3), 32, 32, ((1, 1),) * 3)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_public_kernels_route_through_fast_path(monkeypatch, data_format, padding):
    """conv2d / backprops give the same numbers with the DFT path on and off."""
    monkeypatch.setattr(F, "NATIVE_ENABLED", False)  # the NumPy DFT path (C: tests/native)
    rng = np.random.default_rng(2)
    hw = 14 if padding == "SAME" else 18
    x = rng.standard_normal((40, hw, hw, 32)).astype(np.float32)
    f = rng.standard_normal((5, 5, 32, 64)).astype(np.float32)
    s, d, out, pads = C._setup(2, x.shape, (5, 5), [1, 1, 1, 1], padding, None, "NHWC", ())
    dy = rng.standard_normal((40, *out, 64)).astype(np.float32)
    cf = data_format == "NCHW"
    xi = x.transpose(0, 3, 1, 2) if cf else x
    dyi = dy.transpose(0, 3, 1, 2) if cf else dy
    sizes = list(xi.shape)
    st = [1, 1, 1, 1]
    calls = []
    for name in ("conv2d_fwd", "conv2d_bwd_input", "conv2d_bwd_filter"):
        orig = getattr(F, name)
        monkeypatch.setattr(F, name, lambda *a, _o=orig, _n=name, **k: calls.append(_n)
                            or _o(*a, **k))

    def run():
        return (C.conv2d(xi, f, st, padding, data_format=data_format),
                C.conv2d_backprop_input(sizes, f, dyi, st, padding, data_format=data_format),
                C.conv2d_backprop_filter(xi, list(f.shape), dyi, st, padding,
                                         data_format=data_format))

    fast = run()
    assert len(calls) == 3
    monkeypatch.setattr(F, "ENABLED", False)
    slow = run()
    assert len(calls) == 3
    for a, b in zip(fast, slow):
        _close(a, b)


def test_strided_and_dilated_stay_on_im2col(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("DFT path used")

    for name in ("conv2d_fwd", "conv2d_bwd_input", "conv2d_bwd_filter"):
        monkeypatch.setattr(F, name, boom)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((20, 14, 14, 32)).astype(np.float32)
    f = rng.standard_normal((5, 5, 32, 64)).astype(np.float32)
    C.conv2d(x, f, [1, 2, 2, 1], "SAME")
    C.conv2d(x, f, [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1])


def test_dft_matrices_invert():
    # forward then inverse DFT of a placed signal gives it back (float64 exactness)
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 7, 3))
    z = F._transform(a, 9, 12, 2, 3)
    back = F._inverse(z, 9, 12, (2, 5), (3, 7))
    assert np.allclose(back, a, atol=1e-12)
    assert U.prod(z.shape) == 2 * 9 * 7 * 3


def test_many_small_chunks(monkeypatch):
    monkeypatch.setattr(F, "_CHUNK_BYTES", 1 << 14)  # forces one or two items per chunk
    case = (7, 9, 8, 6, 5, 3, 3, "SAME")
    x, f, dy, s, d, out, pads = _setup(case, np.float64, seed=5)
    for runner in (None, C._fast_runner):
        _close(F.conv2d_fwd(x, f, pads, runner), C._conv_fwd(x, f, s, d, out, pads))
        _close(F.conv2d_bwd_input(x.shape, f, dy, pads, runner),
               C._conv_bwd_input(x.shape, f, dy, s, d, out, pads))
        _close(F.conv2d_bwd_filter(x, dy, (3, 3), pads, runner),
               C._conv_bwd_filter(x, dy, (3, 3), s, d, out, pads))
