"""The gradient-check catalogue of the 2D layers.

Each case builds a layer (from a seeded ``numpy.random.Generator``) and an input of a small shape,
chosen away from the kinks (no ties in max pooling, no zeros at a ReLU). The parametrised gradient
check of ``test_gradcheck.py`` runs every case (with ``cases_core.CASES``) in float64 against
central differences, for the input and every parameter. The ``Case`` format is the core one.
"""

from __future__ import annotations

import numpy
from cases_core import Case

from dlm.conv import Convolution2D
from dlm.dropout import Dropout
from dlm.flatten import Flatten
from dlm.input2d import Input2D
from dlm.normalization import BatchNorm1D, BatchNorm2D
from dlm.pooling import AvgPool2D, MaxPool2D
from dlm.upsample import Upsample2D


def _normal(*shape):
    return lambda rng: rng.normal(size=shape)


def _distinct(*shape):
    """Values at least 0.05 apart (a shuffled ramp): no ties, so max pooling is differentiable."""

    def make(rng):
        values = numpy.arange(numpy.prod(shape)) * 0.05
        return rng.permutation(values).reshape(shape) - values.mean()

    return make


CASES: list[Case] = [
    Case("Input2D", lambda rng: Input2D(2, 4, 5), _normal(2, 2, 4, 5)),
    Case(
        "Convolution2D 3x3 same",
        lambda rng: Convolution2D(3, 2, 3, padding=1, rng=rng),
        _normal(2, 3, 5, 5),
    ),
    Case(
        "Convolution2D stride 2, 3x2, odd sizes",
        lambda rng: Convolution2D(2, 3, (3, 2), stride=2, padding=(1, 0), rng=rng),
        _normal(2, 2, 7, 6),
    ),
    Case(
        "Convolution2D no bias, eval",
        lambda rng: Convolution2D(1, 2, 2, bias=False, rng=rng),
        _normal(3, 1, 4, 3),
        phase="eval",
    ),
    Case("MaxPool2D 2", lambda rng: MaxPool2D(2), _distinct(2, 2, 4, 6)),
    Case("MaxPool2D 2 ceil 7->4", lambda rng: MaxPool2D(2, ceil_mode=True), _distinct(1, 2, 7, 7)),
    Case(
        "MaxPool2D 3 stride 2 overlapping",
        lambda rng: MaxPool2D(3, stride=2),
        _distinct(2, 1, 7, 6),
    ),
    Case("AvgPool2D 2", lambda rng: AvgPool2D(2), _normal(2, 2, 4, 6)),
    Case("AvgPool2D 2 ceil", lambda rng: AvgPool2D(2, ceil_mode=True), _normal(2, 2, 5, 7)),
    Case("AvgPool2D 3 stride 1", lambda rng: AvgPool2D(3, stride=1), _normal(1, 2, 5, 4)),
    Case("BatchNorm1D", lambda rng: _randomised(BatchNorm1D(4), rng), _normal(5, 4)),
    Case(
        "BatchNorm1D eval",
        lambda rng: _randomised(BatchNorm1D(3), rng),
        _normal(4, 3),
        phase="eval",
    ),
    Case("BatchNorm2D", lambda rng: _randomised(BatchNorm2D(3), rng), _normal(2, 3, 3, 4)),
    Case(
        "BatchNorm2D eval",
        lambda rng: _randomised(BatchNorm2D(2), rng),
        _normal(2, 2, 3, 3),
        phase="eval",
    ),
    Case("Flatten", lambda rng: Flatten(), _normal(2, 3, 2, 4)),
    Case("Dropout eval", lambda rng: Dropout(0.5, rng=rng), _normal(3, 4), phase="eval"),
    Case("Upsample2D", lambda rng: Upsample2D(2), _normal(2, 2, 3, 4)),
]


def _randomised(layer, rng):
    """A normalization layer with random gamma, beta and running statistics (not 1, 0, 0, 1)."""
    n = layer.features
    layer.params["weight"] = rng.uniform(0.5, 1.5, n)
    layer.params["bias"] = rng.normal(size=n)
    layer.running_mean = rng.normal(size=n)
    layer.running_var = rng.uniform(0.5, 2.0, n)
    layer.zero_grad()
    return layer
