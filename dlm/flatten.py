"""The Flatten layer: from a grid of channels to one vector per sample.

Shapes::

    x: (N, C, H, W)
    y: (N, C H W)          in (c, h, w) order, as in PyTorch, so that imported weights match

Forward and backward are reshapes; nothing is computed::

    y[n, (c H + h) W + w] = x[n, c, h, w]          dx = dy reshaped to (N, C, H, W)
"""

from __future__ import annotations

from dlm.grid import same_layout
from dlm.layer import Layer


class Flatten(Layer):
    """Reshape ``x: (N, ...)`` into ``(N, features)``, keeping PyTorch's (c, h, w) order."""

    def describe(self) -> str:
        return "Flatten()"

    def forward(self, x):
        """``y = x.reshape(N, -1)`` (a copy in (c, h, w) order when memory is channels-last)."""
        x = self._check_input(x)
        if x.ndim < 2:
            x = self._check_input(x, ndim=2)
        self.cache = x
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        """``dx = dy.reshape(x.shape)``, laid out in memory like ``x``."""
        x = self.cache
        return same_layout(dy.reshape(x.shape), x) if x.ndim == 4 else dy.reshape(x.shape)
