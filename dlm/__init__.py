"""dlm: Deep Learning Machinery, a small deep-learning framework for computer vision in numpy."""

from dlm.backend import backend_name, default_dtype, set_default_dtype, to_numpy, use, xp
from dlm.errors import DLMError, DTypeError, GraphError, NonFiniteError, ShapeError, TargetError
from dlm.layer import Layer

__all__ = [
    "DLMError",
    "DTypeError",
    "GraphError",
    "Layer",
    "NonFiniteError",
    "ShapeError",
    "TargetError",
    "backend_name",
    "default_dtype",
    "set_default_dtype",
    "to_numpy",
    "use",
    "xp",
]
