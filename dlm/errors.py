"""The errors that dlm raises for bad input.

Every message names the layer (with its arguments), the argument at fault, what was expected and
what was received, for example::

    Convolution2D(in_channels=3): x must have shape (N, 3, H, W), got (8, 1, 28, 28)
"""


class DLMError(Exception):
    """Base class of every error raised by dlm on purpose."""


class ShapeError(DLMError, ValueError):
    """An array has the wrong number of dimensions or the wrong size along one of them."""


class DTypeError(DLMError, TypeError):
    """An array has a dtype the layer cannot compute with (integers where floats are needed)."""


class NonFiniteError(DLMError, ValueError):
    """An array holds NaN or inf."""


class TargetError(DLMError, ValueError):
    """A loss target is out of range (a class index outside [0, classes), say)."""


class GraphError(DLMError, ValueError):
    """The graph of layers is malformed: a cycle, a missing input, a layer used before it is fed."""
