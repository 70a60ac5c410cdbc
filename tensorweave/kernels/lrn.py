"""Local response normalisation (TF ``LRN`` / ``LRNGrad``) in NumPy, depth on the last axis.

    sqr_sum[a, b, c, d] = sum(input[a, b, c, d - r : d + r + 1] ** 2)
    output = input / (bias + alpha * sqr_sum) ** beta
"""

import numpy as np

__all__ = ["lrn", "lrn_grad"]

# Up to this depth the window sum is one matmul with a 0/1 band matrix; above, shifted adds.
_BAND_MAX_DEPTH = 1024


def _window_sum(v, r):
    """Sum of ``v`` over the depth window [d - r, d + r] (clipped), last axis."""
    depth = v.shape[-1]
    if depth <= _BAND_MAX_DEPTH:
        i = np.arange(depth)
        band = (np.abs(i[:, None] - i[None, :]) <= r).astype(v.dtype)
        return (v.reshape(-1, depth) @ band).reshape(v.shape)
    out = v.copy()
    for sh in range(1, min(r, depth - 1) + 1):
        out[..., sh:] += v[..., :-sh]
        out[..., :-sh] += v[..., sh:]
    return out


def _check(x, depth_radius):
    if x.ndim != 4:
        raise ValueError(f"LRN input must be 4-D, got shape {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"LRN supports floating types only, got {x.dtype}")
    if depth_radius < 0:
        raise ValueError(f"depth_radius must be >= 0, got {depth_radius}")


def _pow_neg(norm, beta):
    """``norm ** -beta`` with cheap special cases for the common betas."""
    if beta == 0.5:
        return 1 / np.sqrt(norm)
    if beta == 1.0:
        return 1 / norm
    if beta == 0.75:
        r = 1 / np.sqrt(norm)
        return r * np.sqrt(r)
    return np.power(norm, -norm.dtype.type(beta))


def lrn(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """TF ``LRN`` over the last axis of a 4-D array."""
    x = np.asarray(input)
    _check(x, depth_radius)
    t = x.dtype.type
    norm = t(bias) + t(alpha) * _window_sum(x * x, int(depth_radius))
    return x * _pow_neg(norm, beta)


def lrn_grad(input_grads, input_image, output_image, depth_radius=5, bias=1.0, alpha=1.0,
             beta=0.5):
    """TF ``LRNGrad``: gradient of ``lrn`` w.r.t. ``input_image``.

    With ``N_j = bias + alpha * sqr_sum_j`` (recomputed from ``input_image``):
    ``dx_k = g_k * N_k**-beta - 2*alpha*beta * x_k * sum_{j near k} g_j * y_j / N_j``,
    ``y = output_image`` as TF uses it.
    """
    x = np.asarray(input_image)
    g = np.asarray(input_grads)
    y = np.asarray(output_image)
    _check(x, depth_radius)
    t = x.dtype.type
    r = int(depth_radius)
    norm = t(bias) + t(alpha) * _window_sum(x * x, r)
    inner = _window_sum(g * y / norm, r)
    return g * _pow_neg(norm, beta) - t(2 * alpha * beta) * x * inner
