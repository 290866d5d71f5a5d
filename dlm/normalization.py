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
from dlm.grid import same_layout
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

    # -- the maths, on an (m, features) matrix; BatchNorm2D reuses it -----------------------

    def _normalise(self, x):
        gamma, beta = self.params["weight"], self.params["bias"]
        if self.training:
            m = x.shape[0]
            mu = x.mean(axis=0)
            centred = x - mu
            var = (centred * centred).mean(axis=0)  # biased, as in the formula
            inv_sigma = 1.0 / xp.sqrt(var + self.eps)
            x_norm = centred
            x_norm *= inv_sigma  # in place: centred is not needed any more
            momentum = self.momentum
            self.running_mean *= 1 - momentum
            self.running_mean += momentum * mu
            self.running_var *= 1 - momentum
            self.running_var += momentum * var * (m / max(m - 1, 1))
        else:
            inv_sigma = 1.0 / xp.sqrt(self.running_var + self.eps)
            x_norm = (x - self.running_mean) * inv_sigma
        self.cache = (x_norm, inv_sigma, self.training)
        return x_norm * gamma + beta

    def _normalise_backward(self, dy, cache):
        x_norm, inv_sigma, training = cache
        gamma = self.params["weight"]
        d_beta = dy.sum(axis=0)
        d_gamma = (dy * x_norm).sum(axis=0)
        self.grads["bias"] += d_beta
        self.grads["weight"] += d_gamma
        scale = gamma * inv_sigma
        if not training:
            return dy * scale
        m = dy.shape[0]
        # dx = (gamma / sigma) [dy - mean(dy) - x' mean(dy x')]
        return (dy - d_beta / m - x_norm * (d_gamma / m)) * scale


class BatchNorm2D(BatchNorm1D):
    """Normalise each channel of ``x: (N, C, H, W)`` over the batch and its pixels."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__(channels, eps, momentum)
        self.channels = self.features

    def describe(self) -> str:
        return f"BatchNorm2D(channels={self.features})"

    def forward(self, x):
        """BatchNorm1D on the ``(N H W, C)`` matrix of channel vectors."""
        x = self._check_input(x, shape=(None, self.features, "H", "W"))
        N, C, H, W = x.shape
        rows = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)  # free for channels-last memory
        y = self._normalise(rows)
        self.cache = (*self.cache, x)  # and x, so that backward returns dx laid out like x
        return y.reshape(N, H, W, C).transpose(0, 3, 1, 2)

    def backward(self, dy):
        """BatchNorm1D's backward on the ``(N H W, C)`` matrix."""
        N, C, H, W = dy.shape
        rows = dy.transpose(0, 2, 3, 1).reshape(N * H * W, C)
        *cache, x = self.cache
        dx = self._normalise_backward(rows, cache)
        return same_layout(dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), x)
