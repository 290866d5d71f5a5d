"""The normalization layers: Batch Normalization 1D and 2D (the blog's "Normalization layer").

Normalization steadies a layer's output neurons locally. It never mixes neurons that stand for
different things:

- ``BatchNorm1D(features)`` takes ``x: (N, features)`` and normalises each feature over the batch;
- ``BatchNorm2D(channels)`` takes ``x: (N, C, H, W)`` and normalises each channel over the batch
  and all its H W pixels. It is BatchNorm1D applied to the ``(N H W, C)`` matrix whose rows are
  the pixels' channel vectors, and that is how it is computed.

Forward, in the training phase, over the ``m`` elements ``x_e`` of one feature (or channel)::

    mu    = (1/m) sum_e x_e
    sigma = sqrt((1/m) sum_e (x_e - mu)^2 + eps)      biased variance, eps inside the root
    x'_e  = (x_e - mu) / sigma                         the "norm" elements: mean 0, std ~1
    y_e   = gamma x'_e + beta                          gamma = params["weight"], beta = "bias"

Backward. ``mu`` depends on x; ``sigma`` on x and mu; the outputs on x, mu, sigma, gamma and
beta. Following those impacts in reverse order gives::

    d_beta  = sum_e dy_e
    d_gamma = sum_e dy_e x'_e
    dx_e    = (gamma / sigma) (1/m) [m dy_e - sum_j dy_j - x'_e sum_j dy_j x'_j]

Running statistics. Each training batch also updates ``running_mean`` and ``running_var`` with a
``momentum`` of 0.1, as in PyTorch (which stores the *unbiased* variance there, m / (m - 1) times
the biased one; so does dlm, so that PyTorch weights load and infer identically). In the
inferring phase (``eval()``) the layer uses those instead of the batch's statistics, so that a
sample's output does not depend on its batch: ``y = gamma (x - running_mean) / sqrt(running_var +
eps) + beta``, and ``dx = dy gamma / sqrt(running_var + eps)``.
"""

from __future__ import annotations

from dlm.backend import default_dtype, xp
from dlm.grid import same_layout, sum_over
from dlm.layer import Layer


class BatchNorm1D(Layer):
    """Normalise each feature of ``x: (N, features)`` over the batch, then scale and shift it."""

    def __init__(self, features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        if isinstance(features, bool) or int(features) != features or features < 1:
            raise ValueError(
                f"{type(self).__name__}({features!r}): features must be a positive int"
            )
        self.features = int(features)
        self.eps = float(eps)
        self.momentum = float(momentum)
        self._init_params(weight=xp.ones(self.features), bias=xp.zeros(self.features))
        self.running_mean = xp.zeros(self.features, dtype=default_dtype())
        self.running_var = xp.ones(self.features, dtype=default_dtype())

    def describe(self) -> str:
        return f"BatchNorm1D(features={self.features})"

    def buffers(self) -> dict:
        """The running statistics, which are saved with the weights but not trained."""
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x):
        """``y = gamma (x - mu) / sigma + beta`` per feature, ``x: (N, features)``."""
        x = self._check_input(x, shape=(None, self.features))
        return self._normalise(x)

    def backward(self, dy):
        """``dx = (gamma / sigma) / m [m dy - sum dy - x' sum dy x']``; adds d_gamma, d_beta."""
        return self._normalise_backward(dy, self.cache)

    # -- the maths, on a matrix of m elements per feature; BatchNorm2D reuses it ---------------

    def _normalise(self, x, axis: int = 0):
        """Normalise the matrix ``x`` over ``axis``: ``(m, features)`` (axis 0) or its transpose.

        BatchNorm2D passes whichever of the two is free to read from the memory of its input:
        elementwise work is faster along long rows than across a short last axis.
        """
        along = (1, -1) if axis == 0 else (-1, 1)  # the shape of per-feature values
        gamma, beta = self.params["weight"].reshape(along), self.params["bias"].reshape(along)
        if self.training:
            m = x.shape[axis]
            mu = sum_over(x, axis) / m
            centred = x - mu
            var = sum_over(centred * centred, axis) / m  # biased, as in the formula
            inv_sigma = 1.0 / xp.sqrt(var + self.eps)
            x_norm = centred
            x_norm *= inv_sigma  # in place: centred is not needed any more
            momentum = self.momentum
            self.running_mean *= 1 - momentum
            self.running_mean += momentum * mu.reshape(-1)
            self.running_var *= 1 - momentum
            self.running_var += momentum * var.reshape(-1) * (m / max(m - 1, 1))
        else:
            inv_sigma = 1.0 / xp.sqrt(self.running_var.reshape(along) + self.eps)
            x_norm = (x - self.running_mean.reshape(along)) * inv_sigma
        self.cache = (x_norm, inv_sigma, self.training, axis)
        y = x_norm * gamma
        y += beta
        return y

    def _normalise_backward(self, dy, cache):
        x_norm, inv_sigma, training, axis = cache
        along = (1, -1) if axis == 0 else (-1, 1)
        gamma = self.params["weight"].reshape(along)
        d_beta = sum_over(dy, axis)
        d_gamma = sum_over(dy * x_norm, axis)
        self.grads["bias"] += d_beta.reshape(-1)
        self.grads["weight"] += d_gamma.reshape(-1)
        scale = gamma * inv_sigma
        if not training:
            return dy * scale
        m = dy.shape[axis]
        # dx = (gamma / sigma) [dy - mean(dy) - x' mean(dy x')]
        dx = x_norm * (d_gamma / m)
        xp.subtract(dy, dx, out=dx)
        dx -= d_beta / m
        dx *= scale
        return dx


class BatchNorm2D(BatchNorm1D):
    """Normalise each channel of ``x: (N, C, H, W)`` over the batch and its pixels."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__(channels, eps, momentum)
        self.channels = self.features

    def describe(self) -> str:
        return f"BatchNorm2D(channels={self.features})"

    def forward(self, x):
        """BatchNorm1D on the ``(N H W, C)`` matrix of channel vectors (or its transpose)."""
        x = self._check_input(x, shape=(None, self.features, "H", "W"))
        N, C, H, W = x.shape
        if _channels_outermost(x):  # (C, N, H, W) in memory: one row of N H W values per channel
            y = self._normalise(x.transpose(1, 0, 2, 3).reshape(C, N * H * W), axis=1)
            y = y.reshape(C, N, H, W).transpose(1, 0, 2, 3)
        else:  # channels-last (free) or anything else (one copy)
            y = self._normalise(x.transpose(0, 2, 3, 1).reshape(N * H * W, C), axis=0)
            y = y.reshape(N, H, W, C).transpose(0, 3, 1, 2)
        self.cache = (*self.cache, x)  # and x, so that backward returns dx laid out like x
        return y

    def backward(self, dy):
        """BatchNorm1D's backward on the same matrix as forward."""
        N, C, H, W = dy.shape
        *cache, x = self.cache
        if cache[-1] == 1:
            rows = same_layout(dy, x).transpose(1, 0, 2, 3).reshape(C, N * H * W)
            dx = self._normalise_backward(rows, cache)
            return dx.reshape(C, N, H, W).transpose(1, 0, 2, 3)
        rows = dy.transpose(0, 2, 3, 1).reshape(N * H * W, C)
        dx = self._normalise_backward(rows, cache)
        return same_layout(dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), x)


def _channels_outermost(x) -> bool:
    """Whether ``x: (N, C, H, W)`` is laid out ``(C, N, H, W)`` in memory, contiguously."""
    return x.transpose(1, 0, 2, 3).flags.c_contiguous and x.shape[1] > 1
