"""The Upsample 2D layer: make each channel larger by repeating its pixels (nearest neighbour).

The decoder of an autoencoder grows small channels back to the image's size; this layer,
followed by a convolution, does it. Shapes, for a scale factor ``s``::

    x: (N, C, H, W)
    y: (N, C, s H, s W)

Forward, each pixel becomes an s x s block of copies::

    y[n, c, i, j] = x[n, c, i // s, j // s]

Backward, each input pixel impacts the s x s outputs of its block, so its flow is their sum::

    dx[n, c, h, w] = sum over the block of dy
"""

from __future__ import annotations

from dlm.grid import same_layout
from dlm.layer import Layer


class Upsample2D(Layer):
    """Nearest-neighbour upsampling: every pixel becomes a ``scale_factor`` square of copies."""

    def __init__(self, scale_factor: int = 2) -> None:
        super().__init__()
        if isinstance(scale_factor, bool) or int(scale_factor) != scale_factor or scale_factor < 1:
            raise ValueError(
                f"Upsample2D(scale_factor={scale_factor!r}): scale_factor must be a positive int"
            )
        self.scale_factor = int(scale_factor)

    def describe(self) -> str:
        return f"Upsample2D(scale_factor={self.scale_factor})"

    def forward(self, x):
        """``y[n, c, i, j] = x[n, c, i // s, j // s]``."""
        x = self._check_input(x, shape=(None, "C", "H", "W"))
        s = self.scale_factor
        self.cache = x
        return x.repeat(s, axis=2).repeat(s, axis=3)

    def backward(self, dy):
        """``dx`` = the sum of ``dy`` over each ``s x s`` block."""
        N, C, H, W = dy.shape
        s = self.scale_factor
        dx = dy.reshape(N, C, H // s, s, W // s, s).sum(axis=(3, 5))
        return same_layout(dx, self.cache)  # laid out like x
