"""Gradient checks of every 2D layer in ``cases_2d.CASES``, in float64, by central differences."""

from __future__ import annotations

import numpy
import pytest
from cases_2d import CASES

import dlm


def _numerical(f, x, eps=1e-6):
    """Central differences of the scalar function ``f`` at ``x``, every entry."""
    grad = numpy.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        plus = f()
        flat[k] = saved - eps
        minus = f()
        flat[k] = saved
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def _relative_error(g, h):
    return numpy.linalg.norm(g - h) / max(numpy.linalg.norm(g) + numpy.linalg.norm(h), 1e-300)


@pytest.fixture
def float64():
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradient_matches_central_differences(case, float64):
    """The input and parameter gradients of each 2D layer agree with central differences < 1e-7."""
    rng = numpy.random.default_rng(7)
    layer = case.make(rng)
    layer.train() if case.phase == "train" else layer.eval()
    x = case.make_input(rng).astype(numpy.float64)
    y = layer.forward(x.copy())
    dy = rng.normal(size=y.shape)
    layer.zero_grad()
    dx = layer.backward(dy)
    analytic = {name: g.copy() for name, g in layer.grads.items()}

    def loss():
        # Running statistics must not drift while probing: restore them after each forward.
        saved = {k: v.copy() for k, v in getattr(layer, "buffers", dict)().items()}
        value = float((layer.forward(x) * dy).sum())
        for k, v in saved.items():
            setattr(layer, k, v)
        return value

    assert _relative_error(dx, _numerical(loss, x)) < 1e-7
    for name, value in layer.params.items():
        assert _relative_error(analytic[name], _numerical(loss, value)) < 1e-7, name
