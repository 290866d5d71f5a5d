"""PyTorch parity: every core layer, loss and optimizer matches torch in float64 within 1e-10.

Each test runs the same input through dlm and torch, forward and backward, with a random upstream
gradient. Skipped when torch is not installed.
"""

from __future__ import annotations

import numpy
import pytest

import dlm

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture
def float64():
    """Compute in float64 for the duration of the test."""
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


def _t(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _close(a, b):
    numpy.testing.assert_allclose(numpy.asarray(a), b.detach().numpy(), **TOL)


@pytest.mark.parametrize("bias", [True, False])
def test_linear(float64, bias):
    """Linear: y, dx, dW and db equal torch's, with weights in torch's (out, in) shape."""
    rng = numpy.random.default_rng(0)
    layer = dlm.Linear(4, 3, bias=bias, rng=rng)
    x, dy = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    tx = _t(x)
    tw = _t(layer.params["weight"])
    tb = _t(layer.params["bias"]) if bias else None
    ty = F.linear(tx, tw, tb)
    ty.backward(torch.tensor(dy))
    _close(layer.forward(x), ty)
    _close(layer.backward(dy), tx.grad)
    _close(layer.grads["weight"], tw.grad)
    if bias:
        _close(layer.grads["bias"], tb.grad)


TORCH_ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": lambda x: F.gelu(x, approximate="tanh"),
}


@pytest.mark.parametrize("kind", sorted(TORCH_ACTIVATIONS))
def test_activation(float64, kind):
    """Each activation: y and dx equal torch's (inputs away from 0, where ReLU's slope differs)."""
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(4, 6)) * 3
    x += 0.1 * numpy.sign(x)
    dy = rng.normal(size=x.shape)
    layer = dlm.Activation(kind)
    tx = _t(x)
    ty = TORCH_ACTIVATIONS[kind](tx)
    ty.backward(torch.tensor(dy))
    _close(layer.forward(x), ty)
    _close(layer.backward(dy), tx.grad)


def test_relu_slope_at_zero_is_one_unlike_torch(float64):
    """At exactly 0, dlm's ReLU passes the gradient through (slope 1); torch's blocks it."""
    layer = dlm.Activation("relu")
    layer.forward(numpy.zeros((1, 1)))
    assert layer.backward(numpy.ones((1, 1)))[0, 0] == 1.0
    tx = _t(numpy.zeros((1, 1)))
    F.relu(tx).backward(torch.ones(1, 1, dtype=torch.float64))
    assert tx.grad[0, 0] == 0.0


def test_sum_and_concat(float64):
    """Sum and Concat: outputs and input gradients equal torch's add and cat."""
    rng = numpy.random.default_rng(2)
    a, b = rng.normal(size=(3, 2, 2, 2)), rng.normal(size=(3, 4, 2, 2))
    dy = rng.normal(size=(3, 6, 2, 2))
    ta, tb = _t(a), _t(b)
    ty = torch.cat([ta, tb], dim=1)
    ty.backward(torch.tensor(dy))
    cat = dlm.Concat()
    _close(cat.forward(a, b), ty)
    da, db = cat.backward(dy)
    _close(da, ta.grad)
    _close(db, tb.grad)
    c, dy = rng.normal(size=a.shape), rng.normal(size=a.shape)
    ta, tc = _t(a), _t(c)
    (ta + tc).backward(torch.tensor(dy))
    add = dlm.Sum()
    _close(add.forward(a, c), (ta + tc))
    _close(add.backward(dy)[1], tc.grad)


def test_mse(float64):
    """MSE is torch's ½ sum (x − y)² / N; its gradient too."""
    rng = numpy.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    tx = _t(x)
    tl = 0.5 * F.mse_loss(tx, torch.tensor(y), reduction="sum") / 5
    tl.backward()
    loss = dlm.MSE()
    _close(loss.forward(x, y), tl)
    _close(loss.backward(), tx.grad)


def test_softmax_cross_entropy(float64):
    """SoftmaxCrossEntropy equals torch's cross_entropy (mean), large logits included."""
    rng = numpy.random.default_rng(4)
    x = rng.normal(size=(6, 5)) * 30
    t = rng.integers(0, 5, 6)
    tx = _t(x)
    tl = F.cross_entropy(tx, torch.tensor(t))
    tl.backward()
    loss = dlm.SoftmaxCrossEntropy()
    _close(loss.forward(x, t), tl)
    _close(loss.backward(), tx.grad)


def test_bce(float64):
    """BCE equals torch's binary_cross_entropy summed over outputs, averaged over the batch."""
    rng = numpy.random.default_rng(5)
    p, y = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    tp = _t(p)
    tl = F.binary_cross_entropy(tp, torch.tensor(y), reduction="sum") / 4
    tl.backward()
    loss = dlm.BCE()
    _close(loss.forward(p, y), tl)
    _close(loss.backward(), tp.grad)


def _optimizer_run(make_dlm, make_torch, steps=5):
    """Run both optimizers on the same quadratic for a few steps; return both weights."""
    rng = numpy.random.default_rng(6)
    layer = dlm.Linear(3, 2, rng=rng)
    tw, tb = _t(layer.params["weight"]), _t(layer.params["bias"])
    opt, topt = make_dlm(layer.parameters()), make_torch([tw, tb])
    x = rng.normal(size=(4, 3))
    for _ in range(steps):
        opt.zero_grad()
        topt.zero_grad()
        y = layer.forward(x)
        layer.backward(2 * y)  # the gradient of sum(y^2)
        (F.linear(_t(x, False), tw, tb) ** 2).sum().backward()
        opt.step()
        topt.step()
    return layer, tw, tb


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd(float64, momentum):
    """SGD, with and without momentum, follows torch.optim.SGD step for step."""
    layer, tw, tb = _optimizer_run(
        lambda p: dlm.SGD(p, lr=0.1, momentum=momentum),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=momentum),
    )
    _close(layer.params["weight"], tw)
    _close(layer.params["bias"], tb)


def test_adam(float64):
    """Adam follows torch.optim.Adam step for step."""
    layer, tw, tb = _optimizer_run(
        lambda p: dlm.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7),
    )
    _close(layer.params["weight"], tw)
    _close(layer.params["bias"], tb)


def test_schedules():
    """StepLR and CosineLR give torch's StepLR and CosineAnnealingLR rates, epoch by epoch."""
    w = torch.zeros(1, requires_grad=True)
    pairs = [
        (
            lambda o: dlm.StepLR(o, step_size=3, gamma=0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5),
        ),
        (
            lambda o: dlm.CosineLR(o, total_steps=8, min_lr=0.01),
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
        ),
    ]
    for make, make_torch in pairs:
        schedule = make(dlm.SGD([], lr=0.2))
        topt = torch.optim.SGD([w], lr=0.2)
        tschedule = make_torch(topt)
        for _ in range(8):
            topt.step()
            tschedule.step()
            assert schedule.step() == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
