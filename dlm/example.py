"""The blog's running Example: three patients, a three-layer model and the ½(x − y)² loss.

Each patient is described by three yearly quantities (broccoli eaten, Tagada strawberries eaten,
hours of cardio latin dance) and labelled 0 (bad shape) or 1 (good shape)::

    x = (100, 2000, 100) -> 0        (200, 0, 0) -> 1        (0, 2000, 3000) -> 1

The model is ``L3 ∘ L2 ∘ L1``: ``L1 = Input1D(3)``, the identity; ``L2 = Linear(3, 1, bias=False)``
with the hand-picked weights w = (1/200, −3000/11 600 000, 1/5800); ``L3 = Activation("relu")``.
Its outputs are exactly (0, 1, 0): the third patient is misclassified, on the ReLU's kink.

**Exact arithmetic (pitfall E1).** In float64 the sums w · x of patients 1 and 3 come out at
−2.5e-17 and −7.4e-17 instead of 0. The ReLU then sees a negative input, its slope there is 0,
the third patient's impact never reaches the weights, and neither epoch of the articles changes
anything. The articles compute by hand, in exact rational arithmetic. So does this module, by
default: the data and the weights are numpy arrays of Python ``Fraction`` objects, which the very
same dlm layers, loss and optimizer compute with (numpy runs ``@``, ``+`` and ``>=`` on objects).
The sums are then exactly 0, the ReLU's slope at 0 is 1, as in the blog, and every number of the
articles comes out exact: after one SGD epoch, o3 = (43/100, 1, 13/10). Pass ``exact=False`` to
get the float64 model and watch the pitfall happen. Convert for printing with ``as_float``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy

from dlm.activation import Activation
from dlm.graph import Model
from dlm.input import Input1D
from dlm.linear import Linear
from dlm.losses import MSE
from dlm.optim import SGD

#: The three patients, one per row.
EXAMPLE_X = ((100, 2000, 100), (200, 0, 0), (0, 2000, 3000))
#: Their expectations: bad shape (0), good shape (1), good shape (1).
EXAMPLE_Y = (0, 1, 1)
#: The hand-picked weights of L2.
EXAMPLE_W = (Fraction(1, 200), Fraction(-3000, 11_600_000), Fraction(1, 5800))
#: The learning rate α of the articles.
EXAMPLE_LR = Fraction(1, 10_000_000)


def _array(values, exact: bool):
    """Fractions in an object array (exact), or float64."""
    if exact:
        return numpy.array([[Fraction(v) for v in row] for row in values], dtype=object)
    return numpy.array([[float(v) for v in row] for row in values], dtype=numpy.float64)


def example_data(exact: bool = True):
    """The dataset ``(x, y)``: ``x: (3, 3)`` and ``y: (3, 1)``."""
    return _array(EXAMPLE_X, exact), _array([[y] for y in EXAMPLE_Y], exact)


def example_model(exact: bool = True) -> Model:
    """The Example model ``L3 ∘ L2 ∘ L1``; its layers are ``model.layers``, in order."""
    L1 = Input1D(3)
    L2 = Linear(3, 1, bias=False)
    L3 = Activation("relu")
    L2.params["weight"] = _array([EXAMPLE_W], exact)  # (out, in) = (1, 3)
    L2.zero_grad()
    return Model(inputs=L1, outputs=L3(L2(L1)))


def as_float(a) -> numpy.ndarray:
    """An array of Fractions (or floats) as float64, for printing and plotting."""
    return numpy.asarray(a, dtype=numpy.float64)


def _optimizer(model: Model, lr) -> SGD:
    """Plain SGD; a Fraction learning rate becomes a float for a float model."""
    parameters = model.parameters()
    if isinstance(lr, Fraction) and parameters[0].value.dtype != object:
        lr = float(lr)
    return SGD(parameters, lr=lr)


def sgd_epoch(model: Model, x, y, lr=EXAMPLE_LR) -> list:
    """One epoch of per-sample gradient descent, patients in order; returns their losses.

    For each patient: forward, loss, backward, then ``w = w - α δw`` before the next patient.
    """
    loss = MSE()
    optimizer = _optimizer(model, lr)
    losses = []
    for n in range(x.shape[0]):
        optimizer.zero_grad()
        losses.append(loss.forward(model.forward(x[n : n + 1]), y[n : n + 1]))
        model.backward(loss.backward())
        optimizer.step()
    return losses


def batch_epoch(model: Model, x, y, lr=EXAMPLE_LR):
    """One epoch of full-batch gradient descent: one update with the average gradient.

    Returns the average loss before the update (the blog's Loss^avg).
    """
    loss = MSE()
    optimizer = _optimizer(model, lr)
    optimizer.zero_grad()
    average = loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    optimizer.step()
    return average
