"""The gradient-check catalogue of the core layers and losses.

Each case builds a layer or a loss from a seeded ``numpy.random.Generator``, and its input: one
array, or a tuple of arrays for a layer with several inputs (``Sum``, ``Concat``) and for a loss
(prediction, target). Inputs are kept away from the kinks: no value within 0.1 of 0 at a ReLU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy

import dlm


@dataclass
class Case:
    """One gradient check: ``make(rng)`` builds the layer or loss, ``make_input(rng)`` its input."""

    name: str
    make: Callable[[numpy.random.Generator], object]
    make_input: Callable[[numpy.random.Generator], object]
    phase: str = "train"
    tags: tuple = field(default_factory=tuple)


def _normal(*shape):
    return lambda rng: rng.normal(size=shape)


def _away_from_zero(*shape):
    """Normal values pushed at least 0.1 away from 0, where ReLU and leaky ReLU have a kink."""

    def make(rng):
        x = rng.normal(size=shape)
        return x + 0.1 * numpy.sign(x)

    return make


def _several(*shapes):
    return lambda rng: tuple(rng.normal(size=s) for s in shapes)


def _classes(N, C):
    return lambda rng: (rng.normal(size=(N, C)), rng.integers(0, C, N))


def _probabilities(N, C):
    return lambda rng: (rng.uniform(0.1, 0.9, (N, C)), rng.uniform(0, 1, (N, C)))


CASES: list[Case] = [
    Case("Input1D", lambda rng: dlm.Input1D(4), _normal(3, 4)),
    Case("Linear", lambda rng: dlm.Linear(4, 3, rng=rng), _normal(5, 4)),
    Case("Linear no bias", lambda rng: dlm.Linear(3, 2, bias=False, rng=rng), _normal(4, 3)),
    Case("Linear 1 -> 1", lambda rng: dlm.Linear(1, 1, rng=rng), _normal(2, 1)),
    Case("Activation relu", lambda rng: dlm.Activation("relu"), _away_from_zero(4, 5)),
    Case("Activation leaky_relu", lambda rng: dlm.Activation("leaky_relu"), _away_from_zero(4, 5)),
    Case("Activation sigmoid", lambda rng: dlm.Activation("sigmoid"), _normal(4, 5)),
    Case("Activation tanh", lambda rng: dlm.Activation("tanh"), _normal(4, 5)),
    Case("Activation gelu", lambda rng: dlm.Activation("gelu"), _normal(4, 5)),
    Case("Activation relu 4D", lambda rng: dlm.Activation("relu"), _away_from_zero(2, 2, 3, 3)),
    Case("Sum of 2", lambda rng: dlm.Sum(), _several((3, 4), (3, 4))),
    Case("Sum of 3, 4D", lambda rng: dlm.Sum(), _several((2, 2, 3, 3), (2, 2, 3, 3), (2, 2, 3, 3))),
    Case("Concat of 2", lambda rng: dlm.Concat(), _several((3, 2), (3, 4))),
    Case(
        "Concat of 3, 4D",
        lambda rng: dlm.Concat(),
        _several((2, 1, 3, 3), (2, 2, 3, 3), (2, 3, 3, 3)),
    ),
    Case("MSE", lambda rng: dlm.MSE(), _several((4, 3), (4, 3))),
    Case("SoftmaxCrossEntropy", lambda rng: dlm.SoftmaxCrossEntropy(), _classes(5, 4)),
    Case("BCE", lambda rng: dlm.BCE(), _probabilities(4, 3)),
]
