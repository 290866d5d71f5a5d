"""The Input 2D layer: where images enter the model.

Shapes::

    x: (N, channels, height, width)      as in PyTorch: channels first
    y: (N, channels, height, width)

Forward and backward are the identity (``y = x``, ``dx = dy``). The layer checks the images at
the model's boundary and converts floating data to the default dtype. It also lays the array out
channels-last in memory (a transposed view, which reads as ``(N, C, H, W)`` all the same), the
layout that every 2D layer of dlm computes with; for one-channel images that costs nothing.
"""

from __future__ import annotations

from dlm.backend import default_dtype, xp
from dlm.layer import Layer


class Input2D(Layer):
    """The input layer for images: checks ``x: (N, channels, height, width)`` and passes it on."""

    def __init__(self, channels: int, height: int, width: int) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("height", height), ("width", width)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(
                    f"Input2D(channels={channels!r}, height={height!r}, width={width!r}): "
                    f"{name} must be a positive int, got {value!r}"
                )
        self.channels, self.height, self.width = int(channels), int(height), int(width)

    def describe(self) -> str:
        return f"Input2D(channels={self.channels}, height={self.height}, width={self.width})"

    def forward(self, x):
        """Check ``x: (N, channels, height, width)``; return it channels-last, default dtype."""
        x = self._check_input(x, shape=(None, self.channels, self.height, self.width))
        x_hwc = x.transpose(0, 2, 3, 1)
        if x.dtype != default_dtype() or not x_hwc.flags.c_contiguous:
            x_hwc = xp.ascontiguousarray(x_hwc, dtype=default_dtype())
        return x_hwc.transpose(0, 3, 1, 2)

    def backward(self, dy):
        """The identity: ``dx = dy``."""
        return dy
