"""The losses: how far the model's output is from the expectation.

A loss sits after the output layer. ``forward(prediction, target)`` returns the scalar loss, the
average over the batch of the per-sample losses (kept in ``sample_losses``); ``backward()`` returns
its gradient with respect to the prediction, the learning flow that enters the model (the blog's
δ at the loss input). The 1/N of the average is the 1/n of batch learning: it is already inside
the gradient, so ``model.backward(loss.backward())`` gives the average of the per-sample impacts.

Shapes: ``prediction: (N, C)``; ``target: (N, C)`` for ``MSE`` and ``BCE``, ``(N,)`` integer class
indices for ``SoftmaxCrossEntropy``. Each per-sample loss sums over the C outputs.

``MSE``, the blog's loss::

    loss_n = 1/2 sum_c (x[n, c] - y[n, c])^2            dx = (x - y) / N

``SoftmaxCrossEntropy``, on raw scores (logits) and integer targets t::

    p = softmax(x)       loss_n = -log p[n, t_n]        dx = (p - onehot(t)) / N

computed stably: ``log p = z - log(sum exp z)`` with ``z = x - max(x)``, so ``exp`` never overflows.

``BCE``, on probabilities p in [0, 1] (the output of a sigmoid) and targets y in [0, 1]::

    loss_n = -sum_c y log p + (1 - y) log(1 - p)         dx = (p - y) / (p (1 - p)) / N

with each log clamped at -100, as PyTorch does, so that p = 0 or 1 gives a large finite loss.
"""

from __future__ import annotations

import numpy

from dlm.backend import xp
from dlm.errors import DTypeError, ShapeError, TargetError
from dlm.layer import check_array


class Loss:
    """Base class of the losses: ``forward(prediction, target)`` then ``backward()``."""

    def __init__(self) -> None:
        self.cache = None
        self.sample_losses = None

    def describe(self) -> str:
        """The loss as it was built, for error messages."""
        return f"{type(self).__name__}()"

    def __repr__(self) -> str:
        return self.describe()

    def __call__(self, prediction, target):
        """Same as ``forward``."""
        return self.forward(prediction, target)

    def _check_pair(self, prediction, target):
        """Check a ``(N, C)`` prediction and a target of the same shape."""
        prediction = check_array(self.describe(), prediction, "prediction", ndim=2)
        target = check_array(self.describe(), target, "target", shape=prediction.shape)
        return prediction, target


class MSE(Loss):
    """The blog's loss: ``1/2 (x - y)^2``, summed over outputs and averaged over the batch."""

    def forward(self, prediction, target):
        """``1/N sum_n 1/2 sum_c (x[n, c] - y[n, c])^2``."""
        x, y = self._check_pair(prediction, target)
        diff = x - y
        self.cache = diff
        self.sample_losses = (diff * diff).sum(axis=1) / 2
        return self.sample_losses.sum() / x.shape[0]

    def backward(self):
        """``dx = (x - y) / N``."""
        diff = self.cache
        return diff / diff.shape[0]


class SoftmaxCrossEntropy(Loss):
    """Softmax then cross-entropy, on logits ``(N, C)`` and integer targets ``(N,)`` in [0, C)."""

    def forward(self, prediction, target):
        """``1/N sum_n -log softmax(x)[n, t_n]``, computed stably."""
        x = check_array(self.describe(), prediction, "prediction", ndim=2)
        N, C = x.shape
        if not hasattr(target, "dtype") or target.dtype.kind not in "iu":
            got = getattr(target, "dtype", type(target).__name__)
            raise DTypeError(
                f"{self.describe()}: target must hold integer class indices, got {got}"
            )
        if target.shape != (N,):
            raise ShapeError(
                f"{self.describe()}: target must have shape ({N},), got {tuple(target.shape)}"
            )
        bad = xp.nonzero((target < 0) | (target >= C))[0]
        if bad.size:
            n = int(bad[0])
            raise TargetError(
                f"{self.describe()}: target must hold class indices in [0, {C}), "
                f"got {int(target[n])} at index {n}"
            )
        log_p = log_softmax(x)
        rows = xp.arange(N)
        self.cache = (log_p, target)
        self.sample_losses = -log_p[rows, target]
        return self.sample_losses.sum() / N

    def backward(self):
        """``dx = (softmax(x) - onehot(t)) / N``."""
        log_p, target = self.cache
        N = log_p.shape[0]
        dx = xp.exp(log_p)
        dx[xp.arange(N), target] -= 1
        return dx / N


class BCE(Loss):
    """Binary cross-entropy on probabilities ``p`` in [0, 1] and targets ``y`` in [0, 1]."""

    def forward(self, prediction, target):
        """``1/N sum_n -sum_c y log p + (1 - y) log(1 - p)``, logs clamped at -100."""
        p, y = self._check_pair(prediction, target)
        if bool(((y < 0) | (y > 1)).any()):
            raise TargetError(f"{self.describe()}: target must lie in [0, 1], got {_outside(y)}")
        if bool(((p < 0) | (p > 1)).any()):
            raise ValueError(
                f"{self.describe()}: prediction must be probabilities in [0, 1] (apply a "
                f"sigmoid first), got {_outside(p)}"
            )
        with numpy.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(p), -100)
            log_q = xp.maximum(xp.log(1 - p), -100)
        self.cache = (p, y)
        self.sample_losses = -(y * log_p + (1 - y) * log_q).sum(axis=1)
        return self.sample_losses.sum() / p.shape[0]

    def backward(self):
        """``dx = (p - y) / (p (1 - p)) / N``, with ``p (1 - p)`` kept above 1e-12."""
        p, y = self.cache
        return (p - y) / xp.maximum(p * (1 - p), 1e-12) / p.shape[0]


def log_softmax(x):
    """``log softmax(x)`` along axis 1, stably: ``z - log(sum exp z)`` with ``z = x - max(x)``."""
    z = x - x.max(axis=1, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=1, keepdims=True))


def softmax(x):
    """``exp(x) / sum(exp(x))`` along axis 1: each row is a probability distribution."""
    return xp.exp(log_softmax(x))


def _outside(a) -> str:
    """The first value of ``a`` outside [0, 1], for an error message."""
    bad = a[(a < 0) | (a > 1)]
    return repr(float(bad.reshape(-1)[0]))
