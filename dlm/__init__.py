"""dlm: Deep Learning Machinery, a small deep-learning framework for computer vision in numpy."""

from dlm import datasets, gradcheck, house, io, models, reference, training
from dlm.activation import Activation
from dlm.backend import backend_name, default_dtype, set_default_dtype, to_numpy, use, xp
from dlm.conv import Convolution2D
from dlm.datasets import load_mnist, minibatches
from dlm.draw import draw_graph
from dlm.dropout import Dropout
from dlm.errors import DLMError, DTypeError, GraphError, NonFiniteError, ShapeError, TargetError
from dlm.flatten import Flatten
from dlm.graph import Model, Node, sequential
from dlm.input import Input1D
from dlm.input2d import Input2D
from dlm.layer import Layer, Parameter
from dlm.linear import Linear
from dlm.losses import BCE, MSE, Loss, SoftmaxCrossEntropy
from dlm.merge import Concat, Sum
from dlm.models import lenet5
from dlm.normalization import BatchNorm1D, BatchNorm2D
from dlm.optim import SGD, Adam, Optimizer
from dlm.parallel import DataParallel
from dlm.per_sample import linear_per_sample, per_sample_gradients
from dlm.pooling import AvgPool2D, MaxPool2D
from dlm.schedules import CosineLR, Schedule, StepLR
from dlm.training import evaluate, fit
from dlm.upsample import Upsample2D

__all__ = [
    "Activation",
    "Adam",
    "Concat",
    "DataParallel",
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
    "AvgPool2D",
    "BatchNorm1D",
    "BatchNorm2D",
    "Convolution2D",
    "Dropout",
    "Flatten",
    "Input2D",
    "MaxPool2D",
    "Upsample2D",
    "datasets",
    "evaluate",
    "fit",
    "house",
    "io",
    "lenet5",
    "load_mnist",
    "minibatches",
    "models",
    "reference",
    "training",
]
