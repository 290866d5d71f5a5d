"""The Dropout layer: in the training phase, silence random neurons.

Shapes: ``x`` and ``y`` have the same shape, any shape.

Forward, in the training phase, with a fresh random mask per batch (inverted dropout)::

    keep = uniform(0, 1) >= p          each neuron is kept with probability 1 - p
    y = x keep / (1 - p)               the scaling keeps the expected value of y equal to x

In the inferring phase (``eval()``) the layer is the identity. Backward, the same mask::

    dx = dy keep / (1 - p)

The mask is drawn from the ``numpy.random.Generator`` given as ``rng``, so runs are reproducible.
"""

from __future__ import annotations

import numpy

from dlm.backend import xp
from dlm.layer import Layer


class Dropout(Layer):
    """Zero each neuron with probability ``p`` in training (scaling the rest by 1/(1-p))."""

    def __init__(self, p: float = 0.5, rng: numpy.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout(p={p!r}): p must be in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = numpy.random.default_rng() if rng is None else rng

    def describe(self) -> str:
        return f"Dropout(p={self.p})"

    def forward(self, x):
        """``y = x keep / (1 - p)`` in training, ``y = x`` when inferring."""
        x = self._check_input(x)
        if not self.training or self.p == 0.0:
            self.cache = None
            return x
        keep = xp.asarray(self.rng.random(x.shape) >= self.p)
        scale = xp.asarray(1.0 / (1.0 - self.p), dtype=x.dtype)
        self.cache = keep * scale  # the scaled mask, in x's dtype
        return x * self.cache

    def backward(self, dy):
        """``dx = dy keep / (1 - p)`` (``dy`` itself when the forward was the identity)."""
        return dy if self.cache is None else dy * self.cache
