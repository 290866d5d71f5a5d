"""The Linear layer (fully connected): every output neuron is a weighted sum of every input neuron.

Shapes, with PyTorch's conventions::

    x: (N, in_features)             W: (out_features, in_features)
    y: (N, out_features)            b: (out_features,)

Forward, for sample n and output neuron j::

    y[n, j] = sum_i W[j, i] x[n, i] + b[j]          y = x @ W.T + b

Backward. Input neuron i impacts every output neuron j through W[j, i], so its learning flow is
the sum of those impacts; W[j, i] impacts y[n, j] through x[n, i] on every sample n, so the
weight gradient is summed over the batch::

    dx[n, i] = sum_j dy[n, j] W[j, i]               dx = dy @ W
    dW[j, i] = sum_n dy[n, j] x[n, i]               dW = dy.T @ x
    db[j]    = sum_n dy[n, j]                       db = dy.sum(axis=0)

``backward`` adds ``dW`` and ``db`` into ``grads``, so that a layer used twice gets both impacts.
The weights start uniform in (-1/sqrt(in_features), 1/sqrt(in_features)), as in PyTorch, and
the bias likewise; pass a ``numpy.random.Generator`` as ``rng`` for reproducible weights.
"""

from __future__ import annotations

import numpy

from dlm.layer import Layer


class Linear(Layer):
    """A fully connected layer: ``y = x @ W.T + b``, with ``W: (out_features, in_features)``."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: numpy.random.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if int(value) != value or value < 1:
                raise ValueError(
                    f"Linear(in_features={in_features!r}, out_features={out_features!r}): "
                    f"{name} must be a positive int, got {value!r}"
                )
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.bias = bool(bias)
        rng = numpy.random.default_rng() if rng is None else rng
        bound = 1.0 / numpy.sqrt(self.in_features)
        params = {"weight": rng.uniform(-bound, bound, (self.out_features, self.in_features))}
        if self.bias:
            params["bias"] = rng.uniform(-bound, bound, self.out_features)
        self._init_params(**params)

    def describe(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias})"
        )

    def forward(self, x):
        """``y = x @ W.T + b``, for ``x: (N, in_features)``."""
        x = self._check_input(x, shape=(None, self.in_features))
        self.cache = x
        y = x @ self.params["weight"].T
        if self.bias:
            y = y + self.params["bias"]
        return y

    def backward(self, dy):
        """``dx = dy @ W``; adds ``dW = dy.T @ x`` and ``db = dy.sum(0)`` into ``grads``."""
        x = self.cache
        self.grads["weight"] += dy.T @ x
        if self.bias:
            self.grads["bias"] += dy.sum(axis=0)
        return dy @ self.params["weight"]
