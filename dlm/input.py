"""The Input 1D layer: where the data enters the model.

The input layer is the first layer of a model. It has no predecessor: the developer hands it the
data directly. It checks the data at the model's boundary and passes it on unchanged.

Shapes::

    x: (N, features)    N samples, each a vector of ``features`` numbers
    y: (N, features)

Forward, the identity::

    y = x

Backward, the identity too, since each output neuron depends on one input neuron only (the sum of
impacts over the other outputs vanishes)::

    dx = dy

Floating data is converted to the default dtype (float32 unless ``dlm.set_default_dtype`` says
otherwise). An array of ``Fraction`` objects passes through untouched, for exact arithmetic.
"""

from __future__ import annotations

from dlm.backend import default_dtype, xp
from dlm.layer import Layer


class Input1D(Layer):
    """The input layer for vectors: checks ``x: (N, features)`` and passes it on."""

    def __init__(self, features: int) -> None:
        super().__init__()
        if int(features) != features or features < 1:
            raise ValueError(f"Input1D(features={features!r}): features must be a positive int")
        self.features = int(features)

    def describe(self) -> str:
        return f"Input1D(features={self.features})"

    def forward(self, x):
        """Check ``x: (N, features)`` and return it, in the default dtype."""
        x = self._check_input(
            xp.asarray(x) if not hasattr(x, "dtype") else x, shape=(None, self.features)
        )
        if x.dtype.kind == "f" and x.dtype != default_dtype():
            x = x.astype(default_dtype())
        return x

    def backward(self, dy):
        """The identity: ``dx = dy``."""
        return dy
