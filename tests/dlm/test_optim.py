"""Optimizers and schedules: the update rules, in place, and the learning-rate formulas."""

from __future__ import annotations

import math

import numpy
import pytest

import dlm


def _layer_with_gradient():
    layer = dlm.Linear(2, 1, rng=numpy.random.default_rng(0))
    layer.grads["weight"][...] = [[1.0, -2.0]]
    layer.grads["bias"][...] = [0.5]
    return layer


def test_sgd_step_is_w_minus_lr_g_in_place():
    """SGD: w ← w − lr·g, updating the very arrays the layer holds."""
    layer = _layer_with_gradient()
    w = layer.params["weight"]
    before = w.copy()
    dlm.SGD(layer.parameters(), lr=0.1).step()
    assert layer.params["weight"] is w
    numpy.testing.assert_allclose(w, before - 0.1 * numpy.array([[1.0, -2.0]]), rtol=1e-6)


def test_optimizer_accepts_a_model_and_zero_grad_clears():
    """An optimizer built from a model updates all its parameters; zero_grad clears them."""
    layer = _layer_with_gradient()
    model = dlm.sequential(dlm.Input1D(2), layer)
    optimizer = dlm.Adam(model, lr=0.01)
    assert len(optimizer.parameters) == 2
    optimizer.step()
    optimizer.zero_grad()
    assert not layer.grads["weight"].any() and not layer.grads["bias"].any()


def test_adam_first_step_moves_each_weight_by_lr():
    """After bias correction, Adam's first step is lr·sign(g) (up to eps)."""
    layer = _layer_with_gradient()
    before = layer.params["weight"].copy()
    dlm.Adam(layer, lr=0.01).step()
    numpy.testing.assert_allclose(before - layer.params["weight"], [[0.01, -0.01]], rtol=1e-5)


def test_step_and_cosine_schedules():
    """StepLR halves every 2 epochs; CosineLR is lr_0 at 0, the midpoint at T/2, min_lr at T."""
    step = dlm.StepLR(dlm.SGD([], lr=1.0), step_size=2, gamma=0.5)
    assert [step.step() for _ in range(5)] == [1.0, 0.5, 0.5, 0.25, 0.25]
    cosine = dlm.CosineLR(dlm.SGD([], lr=1.0), total_steps=10, min_lr=0.2)
    assert cosine.lr_at(0) == 1.0
    assert cosine.lr_at(5) == pytest.approx(0.6)
    assert cosine.lr_at(10) == pytest.approx(0.2)
    assert cosine.lr_at(3) == pytest.approx(0.2 + 0.8 * (1 + math.cos(math.pi * 0.3)) / 2)


def test_training_a_small_model_reduces_the_loss():
    """A few hundred SGD steps on a learnable problem drive the loss down (end to end)."""
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(numpy.float32)
    t = (x[:, 0] * x[:, 1] > 0).astype(numpy.int64)
    inputs = dlm.Input1D(2)
    h = dlm.Activation("tanh")(dlm.Linear(2, 16, rng=rng)(inputs))
    model = dlm.Model(inputs, dlm.Linear(16, 2, rng=rng)(h))
    loss = dlm.SoftmaxCrossEntropy()
    optimizer = dlm.SGD(model, lr=0.5, momentum=0.9)
    first = None
    for _ in range(300):
        optimizer.zero_grad()
        value = float(loss.forward(model.forward(x), t))
        first = value if first is None else first
        model.backward(loss.backward())
        optimizer.step()
    assert value < 0.3 * first
