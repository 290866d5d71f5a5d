"""dlm: Deep Learning Machinery, a small deep-learning framework for computer vision in numpy."""

from dlm import gradcheck
from dlm.activation import Activation
from dlm.backend import backend_name, default_dtype, set_default_dtype, to_numpy, use, xp
from dlm.draw import draw_graph
from dlm.errors import DLMError, DTypeError, GraphError, NonFiniteError, ShapeError, TargetError
from dlm.graph import Model, Node, sequential
from dlm.input import Input1D
from dlm.layer import Layer, Parameter
from dlm.linear import Linear
from dlm.losses import BCE, MSE, Loss, SoftmaxCrossEntropy
from dlm.merge import Concat, Sum
from dlm.optim import SGD, Adam, Optimizer
from dlm.per_sample import linear_per_sample, per_sample_gradients
from dlm.schedules import CosineLR, Schedule, StepLR

__all__ = [
    "Activation",
    "Adam",
    "Concat",
    "CosineLR",
    "Model",
    "Node",
    "Optimizer",
    "Parameter",
    "SGD",
    "Schedule",
    "StepLR",
    "Sum",
    "draw_graph",
    "gradcheck",
    "linear_per_sample",
    "per_sample_gradients",
    "sequential",
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
