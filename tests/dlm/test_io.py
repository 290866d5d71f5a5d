"""Saving and loading weights (.npz), and loading PyTorch state_dicts into dlm models."""

from __future__ import annotations

import numpy
import pytest

import dlm
from dlm.errors import ShapeError
from dlm.io import load_torch_state_dict, load_weights, save_weights, state_dict
from dlm.models import lenet5


def test_save_then_load_restores_every_weight_and_running_statistic(tmp_path):
    """A model loaded from a saved file computes exactly what the saved model computed."""
    rng = numpy.random.default_rng(0)
    model = lenet5(rng, batch_norm=True)
    model.forward(rng.random((8, 1, 28, 28), dtype=numpy.float32))  # moves running stats
    model.eval()
    path = tmp_path / "lenet.npz"
    save_weights(model, path)
    other = lenet5(numpy.random.default_rng(1), batch_norm=True).eval()
    load_weights(other, path)
    x = rng.random((4, 1, 28, 28), dtype=numpy.float32)
    numpy.testing.assert_array_equal(other.forward(x), model.forward(x))
    assert "1.running_mean" in state_dict(model)


def test_load_refuses_another_architecture(tmp_path):
    """Loading LeNet weights with batch norm into one without names the missing/unexpected keys."""
    path = tmp_path / "bn.npz"
    save_weights(lenet5(numpy.random.default_rng(0), batch_norm=True), path)
    with pytest.raises(ShapeError, match=r"load: .* does not match the model's layers: missing"):
        load_weights(lenet5(numpy.random.default_rng(0)), path)


def test_load_refuses_a_wrong_shape(tmp_path):
    """A weight of the wrong shape is refused, naming the layer, the weight and both shapes."""
    small = dlm.sequential(dlm.Input1D(3), dlm.Linear(3, 2))
    path = tmp_path / "small.npz"
    numpy.savez(path, **{"0.weight": numpy.zeros((2, 4)), "0.bias": numpy.zeros(2)})
    with pytest.raises(
        ShapeError,
        match=r"load: Linear\(in_features=3, out_features=2, bias=True\): weight must have "
        r"shape \(2, 3\), got \(2, 4\)",
    ):
        load_weights(small, path)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_pytorch_lenet_loads_and_matches_forward_and_backward(batch_norm):
    """After load_torch_state_dict, dlm's LeNet equals PyTorch's in float64 (1e-10), both ways."""
    torch = pytest.importorskip("torch")
    from dlm.models import torch_lenet5

    dlm.set_default_dtype("float64")
    try:
        torch.manual_seed(0)
        reference = torch_lenet5(batch_norm=batch_norm).double()
        model = lenet5(numpy.random.default_rng(0), batch_norm=batch_norm)
        load_torch_state_dict(model, reference.state_dict())
        x = numpy.random.default_rng(1).random((6, 1, 28, 28))
        dy = numpy.random.default_rng(2).normal(size=(6, 10))
        y = model.forward(x)
        model.backward(dy)
        yt = reference(torch.tensor(x))
        yt.backward(torch.tensor(dy))
        numpy.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
        layers = [layer for layer in model.layers if layer.params]
        modules = [m for m in reference if list(m.parameters())]
        for layer, module in zip(layers, modules, strict=True):
            numpy.testing.assert_allclose(
                layer.grads["weight"], module.weight.grad.numpy(), rtol=0, atol=1e-10
            )
            numpy.testing.assert_allclose(
                layer.grads["bias"], module.bias.grad.numpy(), rtol=0, atol=1e-10
            )
    finally:
        dlm.set_default_dtype("float32")
