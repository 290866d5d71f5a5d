"""dlm: Deep Learning Machinery, a small deep-learning framework for computer vision in numpy."""

from dlm.activation import Activation
from dlm.backend import backend_name, default_dtype, set_default_dtype, to_numpy, use, xp
from dlm.errors import DLMError, DTypeError, GraphError, NonFiniteError, ShapeError, TargetError
from dlm.input import Input1D
from dlm.layer import Layer
from dlm.linear import Linear
from dlm.losses import BCE, MSE, Loss, SoftmaxCrossEntropy

__all__ = [
    "Activation",
    "BCE",
    "Input1D",
    "Linear",
    "Loss",
    "MSE",
    "SoftmaxCrossEntropy",
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
