"""Convolution2D: the fast im2col layer against the loop reference and PyTorch, and its errors."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlm
from dlm import reference
from dlm.conv import Convolution2D
from dlm.errors import DTypeError, NonFiniteError, ShapeError


@pytest.fixture
def float64():
    dlm.set_default_dtype("float64")
    yield
    dlm.set_default_dtype("float32")


@st.composite
def conv_setups(draw):
    """A random convolution (odd sizes, strides, paddings) and an input it fits."""
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    SH, SW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    PH, PW = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, KH - 2 * PH), 9))
    W = draw(st.integers(max(1, KW - 2 * PW), 9))
    N, C, O = draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    return (N, C, H, W, O, (KH, KW), (SH, SW), (PH, PW), seed)


@settings(max_examples=60, deadline=None)
@given(conv_setups())
def test_fast_convolution_matches_the_loop_reference(setup):
    """Forward, dx, dW and db of the im2col layer equal the naive loops (float64, 1e-12)."""
    N, C, H, W, O, kernel, stride, padding, seed = setup
    rng = numpy.random.default_rng(seed)
    dlm.set_default_dtype("float64")
    try:
        layer = Convolution2D(C, O, kernel, stride=stride, padding=padding, rng=rng)
    finally:
        dlm.set_default_dtype("float32")
    x = rng.normal(size=(N, C, H, W))
    y = layer.forward(x)
    weight, bias = layer.params["weight"], layer.params["bias"]
    y_ref = reference.conv2d_forward(x, weight, bias, stride, padding)
    assert y.shape == y_ref.shape == (N, O, *layer.output_shape(H, W))
    numpy.testing.assert_allclose(y, y_ref, rtol=0, atol=1e-12)
    dy = rng.normal(size=y.shape)
    dx = layer.backward(dy)
    dx_ref, dW_ref, db_ref = reference.conv2d_backward(x, weight, dy, stride, padding)
    numpy.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-12)
    numpy.testing.assert_allclose(layer.grads["weight"], dW_ref, rtol=0, atol=1e-12)
    numpy.testing.assert_allclose(layer.grads["bias"], db_ref, rtol=0, atol=1e-12)


def test_output_with_many_channels_is_channels_last_in_memory():
    """The output reads (N, O, H, W) but its memory is channels-last (a transposed view)."""
    layer = Convolution2D(4, 3, 3, rng=numpy.random.default_rng(0))
    y = layer.forward(numpy.ones((2, 4, 5, 5), dtype=numpy.float32))
    assert y.shape == (2, 3, 3, 3)
    assert y.transpose(0, 2, 3, 1).flags.c_contiguous


def test_output_with_few_channels_is_channel_planes_in_memory():
    """With fewer than 4 input channels the output's memory is (O, N, H, W) underneath."""
    layer = Convolution2D(1, 3, 3, rng=numpy.random.default_rng(0))
    y = layer.forward(numpy.ones((2, 1, 5, 5), dtype=numpy.float32))
    assert y.shape == (2, 3, 3, 3)
    assert y.transpose(1, 0, 2, 3).flags.c_contiguous


def test_gradients_add_up_over_two_backward_passes(float64):
    """backward adds into grads: two passes on the same batch give twice the gradient."""
    rng = numpy.random.default_rng(1)
    layer = Convolution2D(2, 2, 3, padding=1, rng=rng)
    x, dy = rng.normal(size=(2, 2, 4, 4)), rng.normal(size=(2, 2, 4, 4))
    layer.forward(x)
    layer.backward(dy)
    once = layer.grads["weight"].copy()
    layer.forward(x)
    layer.backward(dy)
    numpy.testing.assert_allclose(layer.grads["weight"], 2 * once, rtol=1e-12)


def test_backward_in_the_inferring_phase_rebuilds_its_columns(float64):
    """In eval() the columns are not kept, yet backward gives the same gradients."""
    rng = numpy.random.default_rng(2)
    layer = Convolution2D(2, 3, 2, stride=2, rng=rng)
    x, dy = rng.normal(size=(2, 2, 6, 6)), rng.normal(size=(2, 3, 3, 3))
    layer.forward(x)
    dx_train = layer.backward(dy)
    dW_train = layer.grads["weight"].copy()
    layer.zero_grad()
    layer.eval()
    layer.forward(x)
    numpy.testing.assert_allclose(layer.backward(dy), dx_train, rtol=1e-12)
    numpy.testing.assert_allclose(layer.grads["weight"], dW_train, rtol=1e-12)


def test_no_input_gradient_when_not_needed():
    """With needs_input_grad = False, backward returns None but still fills the weight gradient."""
    layer = Convolution2D(1, 2, 3, rng=numpy.random.default_rng(0))
    layer.needs_input_grad = False
    layer.forward(numpy.ones((1, 1, 4, 4), dtype=numpy.float32))
    assert layer.backward(numpy.ones((1, 2, 2, 2), dtype=numpy.float32)) is None
    assert numpy.all(layer.grads["bias"] == 4)


def test_parity_with_pytorch(float64):
    """Forward and backward equal torch.nn.functional.conv2d in float64 within 1e-10."""
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(3)
    for stride, padding in [(1, 0), (1, 1), (2, 1), ((2, 1), (0, 2))]:
        layer = Convolution2D(3, 4, (3, 2), stride=stride, padding=padding, rng=rng)
        x = rng.normal(size=(2, 3, 8, 7))
        y = layer.forward(x)
        dy = rng.normal(size=y.shape)
        dx = layer.backward(dy)
        xt = torch.tensor(x, requires_grad=True)
        Wt = torch.tensor(layer.params["weight"], requires_grad=True)
        bt = torch.tensor(layer.params["bias"], requires_grad=True)
        yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=stride, padding=padding)
        yt.backward(torch.tensor(dy))
        numpy.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
        numpy.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)
        numpy.testing.assert_allclose(layer.grads["weight"], Wt.grad.numpy(), rtol=0, atol=1e-10)
        numpy.testing.assert_allclose(layer.grads["bias"], bt.grad.numpy(), rtol=0, atol=1e-10)


def test_parameters_have_pytorch_shapes():
    """weight is (out, in, kh, kw) and bias (out,), in the default dtype; describe names them."""
    layer = Convolution2D(3, 6, (5, 3), rng=numpy.random.default_rng(0))
    assert layer.params["weight"].shape == (6, 3, 5, 3)
    assert layer.params["bias"].shape == (6,)
    assert layer.params["weight"].dtype == numpy.float32
    assert "bias" not in Convolution2D(1, 1, 1, bias=False).params
    assert layer.describe() == "Convolution2D(in_channels=3, out_channels=6, kernel_size=(5, 3))"


def test_error_wrong_number_of_channels():
    """A wrong channel count names the layer, x, the expected and the received shape."""
    layer = Convolution2D(3, 6, 5, rng=numpy.random.default_rng(0))
    with pytest.raises(
        ShapeError,
        match=r"Convolution2D\(in_channels=3, out_channels=6, kernel_size=5\): "
        r"x must have shape \(N, 3, H, W\), got \(8, 1, 28, 28\)",
    ):
        layer.forward(numpy.zeros((8, 1, 28, 28), dtype=numpy.float32))


def test_error_wrong_number_of_dimensions():
    """A 3-dimensional input is refused with its shape in the message."""
    layer = Convolution2D(1, 2, 3)
    with pytest.raises(ShapeError, match=r"x must have shape \(N, 1, H, W\), got \(1, 28, 28\)"):
        layer.forward(numpy.zeros((1, 28, 28), dtype=numpy.float32))


def test_error_image_smaller_than_the_kernel():
    """An image smaller than the (padded) kernel is refused, with both sizes in the message."""
    layer = Convolution2D(1, 2, 5, padding=1)
    with pytest.raises(ShapeError, match=r"x must be at least 3x3 pixels, got 2x4"):
        layer.forward(numpy.zeros((1, 1, 2, 4), dtype=numpy.float32))


def test_error_integer_input():
    """Integer images (uint8 pixels) are refused: convert them to floats first."""
    with pytest.raises(DTypeError, match=r"x must hold floats .* got dtype uint8"):
        Convolution2D(1, 2, 3).forward(numpy.zeros((1, 1, 5, 5), dtype=numpy.uint8))


def test_error_nan_input():
    """NaN in the input is refused."""
    x = numpy.zeros((1, 1, 5, 5), dtype=numpy.float32)
    x[0, 0, 2, 2] = numpy.nan
    with pytest.raises(NonFiniteError, match=r"Convolution2D\(.*\): x holds NaN or inf"):
        Convolution2D(1, 2, 3).forward(x)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"in_channels": 0}, r"in_channels must be a positive int, got 0"),
        ({"kernel_size": 0}, r"kernel_size must be an int >= 1 or a pair of them, got 0"),
        ({"stride": (1, 2, 3)}, r"stride must be an int >= 1 or a pair of them, got \(1, 2, 3\)"),
        ({"padding": -1}, r"padding must be an int >= 0 or a pair of them, got -1"),
    ],
)
def test_error_bad_arguments(kwargs, message):
    """Invalid constructor arguments raise ValueError naming the layer and the argument."""
    arguments = {"in_channels": 1, "out_channels": 2, "kernel_size": 3} | kwargs
    with pytest.raises(ValueError, match=r"Convolution2D\(in_channels=.*\): " + message):
        Convolution2D(**arguments)


def test_impact_counts_of_the_convolution_article(float64):
    """3 -> 2 channels, 3x3, same padding, 7x7: an interior input neuron impacts 18 outputs, the
    kernel weight ker[0, 0] 36 (the others multiply padding) and a bias all 49 of its channel."""
    rng = numpy.random.default_rng(5)
    layer = Convolution2D(3, 2, 3, padding=1, rng=rng)
    x = rng.uniform(0.5, 1.5, size=(1, 3, 7, 7))  # no zero input
    layer.forward(x)
    neuron, weight, bias = 0, 0, 0
    for o in range(2):
        for i in range(7):
            for j in range(7):
                dy = numpy.zeros((1, 2, 7, 7))
                dy[0, o, i, j] = 1.0
                layer.zero_grad()
                dx = layer.backward(dy)
                neuron += dx[0, 0, 3, 3] != 0
                weight += o == 0 and layer.grads["weight"][0, 0, 0, 0] != 0
                bias += o == 0 and layer.grads["bias"][0] != 0
    assert (neuron, weight, bias) == (18, 36, 49)
