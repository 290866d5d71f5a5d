"""BatchNorm1D and BatchNorm2D: statistics, running statistics, PyTorch parity, errors."""

from __future__ import annotations

import numpy
import pytest

import dlm
from dlm.errors import ShapeError
from dlm.normalization import BatchNorm1D, BatchNorm2D


@pytest.fixture
def float64():
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


def test_normalised_outputs_have_mean_zero_and_the_predicted_std(float64):
    """With gamma 1, beta 0: mean 0 and std exactly sqrt(var / (var + eps)) per feature."""
    rng = numpy.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(3, 4))
    layer = BatchNorm1D(4, eps=0.5)
    y = layer.forward(x)
    numpy.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-15)
    var = x.var(axis=0)
    numpy.testing.assert_allclose(y.std(axis=0), numpy.sqrt(var / (var + 0.5)), rtol=1e-12)


def test_batchnorm2d_pools_each_channel_over_batch_and_pixels(float64):
    """BatchNorm2D's statistics are per channel over axes (N, H, W), as independent numpy gives."""
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4, 5)) * numpy.array([1.0, 2.0, 3.0])[:, None, None]
    layer = BatchNorm2D(3)
    y = layer.forward(x)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    numpy.testing.assert_allclose(y, (x - mu) / numpy.sqrt(var + 1e-5), rtol=1e-12, atol=1e-14)
    numpy.testing.assert_allclose(layer.running_mean, 0.1 * mu.ravel(), rtol=1e-12)
    m = 2 * 4 * 5
    numpy.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * var.ravel() * m / (m - 1))


@pytest.mark.parametrize("two_d", [False, True])
def test_parity_with_pytorch_training_then_inferring(two_d, float64):
    """Three training steps then eval: outputs, gradients and running stats equal torch's."""
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(2)
    shape = (4, 3, 5, 2) if two_d else (6, 3)
    layer = BatchNorm2D(3) if two_d else BatchNorm1D(3)
    ref = (torch.nn.BatchNorm2d(3) if two_d else torch.nn.BatchNorm1d(3)).double()
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    layer.params["weight"][...], layer.params["bias"][...] = gamma, beta
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(gamma))
        ref.bias.copy_(torch.tensor(beta))
    for phase in ["train", "train", "train", "eval"]:
        getattr(layer, phase)()
        getattr(ref, phase)()
        x = rng.normal(1.0, 2.0, size=shape)
        dy = rng.normal(size=shape)
        layer.zero_grad()
        ref.zero_grad()
        y = layer.forward(x)
        dx = layer.backward(dy)
        xt = torch.tensor(x, requires_grad=True)
        yt = ref(xt)
        yt.backward(torch.tensor(dy))
        numpy.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
        numpy.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)
        numpy.testing.assert_allclose(layer.grads["weight"], ref.weight.grad.numpy(), atol=1e-10)
        numpy.testing.assert_allclose(layer.grads["bias"], ref.bias.grad.numpy(), atol=1e-10)
        numpy.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), atol=1e-12)
        numpy.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), atol=1e-12)


def test_inferring_phase_does_not_depend_on_the_batch(float64):
    """In eval(), a sample's output is the same alone or within a batch."""
    rng = numpy.random.default_rng(3)
    layer = BatchNorm2D(2)
    layer.forward(rng.normal(size=(4, 2, 3, 3)))
    layer.eval()
    x = rng.normal(size=(4, 2, 3, 3))
    numpy.testing.assert_allclose(layer.forward(x)[1:2], layer.forward(x[1:2]), rtol=1e-14)


def test_parameters_are_named_weight_and_bias():
    """gamma is params['weight'] (ones) and beta params['bias'] (zeros), one per channel."""
    layer = BatchNorm2D(6)
    assert set(layer.params) == {"weight", "bias"}
    numpy.testing.assert_array_equal(layer.params["weight"], numpy.ones(6))
    numpy.testing.assert_array_equal(layer.params["bias"], numpy.zeros(6))


def test_error_wrong_number_of_channels():
    """A wrong channel count names the layer, x, and both shapes."""
    with pytest.raises(
        ShapeError,
        match=r"BatchNorm2D\(channels=6\): x must have shape \(N, 6, H, W\), got \(2, 3, 4, 4\)",
    ):
        BatchNorm2D(6).forward(numpy.zeros((2, 3, 4, 4), dtype=numpy.float32))


def test_error_wrong_number_of_features():
    """BatchNorm1D refuses a wrong feature count, with both shapes."""
    with pytest.raises(
        ShapeError, match=r"BatchNorm1D\(features=4\): x must have shape \(N, 4\), got \(2, 5\)"
    ):
        BatchNorm1D(4).forward(numpy.zeros((2, 5), dtype=numpy.float32))


def test_error_bad_feature_count():
    """A non-positive feature count is refused at construction."""
    with pytest.raises(ValueError, match=r"BatchNorm2D\(0\): features must be a positive int"):
        BatchNorm2D(0)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4, 5)])
def test_fast_batchnorm_matches_the_loop_reference(shape, float64):
    """BatchNorm1D/2D forward and backward equal the article's formulas written as loops."""
    from dlm import reference

    rng = numpy.random.default_rng(4)
    layer = BatchNorm2D(shape[1]) if len(shape) == 4 else BatchNorm1D(shape[1])
    gamma, beta = rng.uniform(0.5, 2, shape[1]), rng.normal(size=shape[1])
    layer.params["weight"][...], layer.params["bias"][...] = gamma, beta
    x, dy = rng.normal(size=shape), rng.normal(size=shape)
    y_ref, _ = reference.batchnorm_forward(x, gamma, beta)
    numpy.testing.assert_allclose(layer.forward(x), y_ref, rtol=0, atol=1e-12)
    dx_ref, d_gamma_ref, d_beta_ref = reference.batchnorm_backward(x, gamma, dy)
    numpy.testing.assert_allclose(layer.backward(dy), dx_ref, rtol=0, atol=1e-12)
    numpy.testing.assert_allclose(layer.grads["weight"], d_gamma_ref, rtol=0, atol=1e-12)
    numpy.testing.assert_allclose(layer.grads["bias"], d_beta_ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("phase", ["train", "eval"])
def test_batchnorm2d_gives_the_same_numbers_for_every_memory_layout(phase, float64):
    """Channel planes, channels-last and NCHW inputs give equal outputs, gradients, statistics."""
    rng = numpy.random.default_rng(6)
    x = rng.normal(size=(3, 4, 5, 6))
    dy = rng.normal(size=x.shape)
    results = []
    for order in [(0, 1, 2, 3), (0, 2, 3, 1), (1, 0, 2, 3)]:
        layer = BatchNorm2D(4)
        layer.params["weight"][...] = numpy.arange(1.0, 5.0)
        layer.running_mean[...] = 0.5
        layer.running_var[...] = 2.0
        getattr(layer, phase)()
        back = numpy.argsort(order)
        y = layer.forward(numpy.ascontiguousarray(x.transpose(order)).transpose(back))
        dx = layer.backward(numpy.ascontiguousarray(dy.transpose(order)).transpose(back))
        results.append((y, dx, layer.grads["weight"], layer.grads["bias"], layer.running_mean,
                        layer.running_var))  # fmt: skip
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            numpy.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
