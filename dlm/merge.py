"""The merge layers: ``Sum`` and ``Concat`` join several branches of a graph into one.

``Sum``, for inputs of one shape::

    y = x_1 + x_2 + ... + x_k
    dx_i = dy                         (each input impacts y with slope 1)

``Concat``, along the feature (or channel) axis 1, for inputs equal in every other size::

    x_i: (N, C_i, ...)    y: (N, C_1 + ... + C_k, ...)
    y = [x_1 | x_2 | ... | x_k]
    dx_i = dy[:, offset_i : offset_i + C_i]      (each input gets back its own slice)

Both take their inputs as separate arguments, ``forward(x_1, x_2, ...)``, and ``backward``
returns a tuple ``(dx_1, dx_2, ...)``. In a graph: ``dlm.Sum()(a, b)``, ``dlm.Concat()(a, b)``.
"""

from __future__ import annotations

from dlm.backend import xp
from dlm.errors import ShapeError
from dlm.layer import Layer


class Sum(Layer):
    """The elementwise sum of its inputs, which must share one shape."""

    arity = None

    def forward(self, *xs):
        """``y = x_1 + ... + x_k``."""
        if not xs:
            raise ShapeError(f"{self.describe()}: needs at least one input, got none")
        first = self._check_input(xs[0], "x_1")
        y = first
        for k, x in enumerate(xs[1:], start=2):
            self._check_input(x, f"x_{k}", shape=tuple(first.shape))
            y = y + x
        self.cache = len(xs)
        return y

    def backward(self, dy):
        """``dx_i = dy`` for every input."""
        return tuple(dy for _ in range(self.cache))


class Concat(Layer):
    """Its inputs side by side along axis 1 (features or channels)."""

    arity = None

    def forward(self, *xs):
        """``y = [x_1 | ... | x_k]`` along axis 1."""
        if not xs:
            raise ShapeError(f"{self.describe()}: needs at least one input, got none")
        first = self._check_input(xs[0], "x_1")
        if first.ndim < 2:
            raise ShapeError(
                f"{self.describe()}: x_1 must have shape (N, C, ...), got {tuple(first.shape)}"
            )
        for k, x in enumerate(xs[1:], start=2):
            expected = (first.shape[0], None, *first.shape[2:])
            self._check_input(x, f"x_{k}", shape=expected)
        self.cache = [x.shape[1] for x in xs]
        return xp.concatenate(xs, axis=1)

    def backward(self, dy):
        """``dx_i`` is the slice of ``dy`` that ``x_i`` filled."""
        dxs = []
        start = 0
        for size in self.cache:
            dxs.append(dy[:, start : start + size])
            start += size
        return tuple(dxs)
