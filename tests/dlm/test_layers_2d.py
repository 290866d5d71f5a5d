"""Input2D, Flatten, Dropout and Upsample2D: behaviour, PyTorch parity and errors."""

from __future__ import annotations

import numpy
import pytest

import dlm
from dlm.dropout import Dropout
from dlm.errors import DTypeError, ShapeError
from dlm.flatten import Flatten
from dlm.input2d import Input2D
from dlm.upsample import Upsample2D


def test_input2d_passes_images_on_channels_last_in_the_default_dtype():
    """Input2D returns the same values, as float32, with channels-last memory."""
    x = numpy.arange(2 * 3 * 4 * 5, dtype=numpy.float64).reshape(2, 3, 4, 5)
    y = Input2D(3, 4, 5).forward(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y, x)
    assert y.transpose(0, 2, 3, 1).flags.c_contiguous
    assert Input2D(3, 4, 5).backward(x) is x


def test_input2d_error_wrong_shape():
    """Images of the wrong size name the layer and both shapes."""
    with pytest.raises(
        ShapeError,
        match=r"Input2D\(channels=1, height=28, width=28\): x must have shape \(N, 1, 28, 28\), "
        r"got \(5, 28, 28\)",
    ):
        Input2D(1, 28, 28).forward(numpy.zeros((5, 28, 28), dtype=numpy.float32))


def test_input2d_error_integer_pixels():
    """uint8 pixels are refused: scale them to floats first."""
    with pytest.raises(DTypeError, match=r"Input2D\(.*\): x must hold floats .*got dtype uint8"):
        Input2D(1, 2, 2).forward(numpy.zeros((1, 1, 2, 2), dtype=numpy.uint8))


def test_input2d_error_bad_size():
    """A zero height is refused at construction."""
    with pytest.raises(ValueError, match=r"Input2D\(.*\): height must be a positive int, got 0"):
        Input2D(1, 0, 3)


def test_flatten_uses_pytorch_order_even_for_channels_last_memory():
    """Flatten gives (c, h, w) order whatever the memory layout, and backward restores the shape."""
    x = numpy.arange(24, dtype=numpy.float32).reshape(2, 3, 2, 2)
    channels_last = numpy.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    numpy.testing.assert_array_equal(Flatten().forward(channels_last), x.reshape(2, 12))
    layer = Flatten()
    layer.forward(x)
    numpy.testing.assert_array_equal(layer.backward(x.reshape(2, 12)), x)


def test_flatten_error_one_dimension():
    """A 1-dimensional input has no batch axis to keep."""
    with pytest.raises(ShapeError, match=r"Flatten\(\): x must have shape 2 dimensions, got \(3,"):
        Flatten().forward(numpy.zeros(3, dtype=numpy.float32))


def test_dropout_keeps_the_expected_value_and_uses_the_same_mask_backward():
    """Kept neurons are scaled by 1/(1-p); dropped ones get no gradient; eval is the identity."""
    layer = Dropout(0.25, rng=numpy.random.default_rng(0))
    x = numpy.ones((200, 50), dtype=numpy.float32)
    y = layer.forward(x)
    assert set(numpy.unique(y)) == {0.0, numpy.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    numpy.testing.assert_array_equal(layer.backward(x), y)
    layer.eval()
    assert layer.forward(x) is x


def test_dropout_is_reproducible_with_a_seeded_generator():
    """Two layers seeded alike draw the same masks."""
    x = numpy.ones((4, 8), dtype=numpy.float32)
    a = Dropout(0.5, rng=numpy.random.default_rng(5)).forward(x)
    b = Dropout(0.5, rng=numpy.random.default_rng(5)).forward(x)
    numpy.testing.assert_array_equal(a, b)


def test_dropout_error_bad_probability():
    """p outside [0, 1) is refused, naming the layer and the value."""
    with pytest.raises(ValueError, match=r"Dropout\(p=1.0\): p must be in \[0, 1\), got 1.0"):
        Dropout(1.0)


def test_upsample_parity_with_pytorch():
    """Upsample2D equals torch's nearest upsampling, forward and backward, in float64."""
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 5))
    layer = Upsample2D(3)
    y = layer.forward(x)
    dy = rng.normal(size=y.shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.interpolate(xt, scale_factor=3, mode="nearest")
    yt.backward(torch.tensor(dy))
    numpy.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
    numpy.testing.assert_allclose(layer.backward(dy), xt.grad.numpy(), rtol=0, atol=1e-10)


def test_upsample_error_bad_scale():
    """A zero scale factor is refused."""
    with pytest.raises(ValueError, match=r"Upsample2D\(scale_factor=0\): scale_factor must be"):
        Upsample2D(0)


def _layout(array):
    """The axes of an (N, C, H, W) array from the slowest to the fastest in memory."""
    return tuple(sorted(range(4), key=lambda axis: -array.strides[axis]))


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (0, 2, 3, 1), (1, 0, 2, 3)])
@pytest.mark.parametrize(
    "make",
    [
        lambda: dlm.Convolution2D(2, 3, 3, padding=1, rng=numpy.random.default_rng(0)),
        lambda: dlm.Convolution2D(5, 3, 3, rng=numpy.random.default_rng(0)),
        lambda: dlm.MaxPool2D(2, ceil_mode=True),
        lambda: dlm.AvgPool2D(2),
        lambda: dlm.BatchNorm2D(5),
        lambda: dlm.Upsample2D(2),
    ],
    ids=["conv planes", "conv channels-last", "maxpool", "avgpool", "batchnorm", "upsample"],
)
def test_backward_returns_dx_laid_out_like_x(make, order):
    """Whatever the memory order of x (NCHW, channels-last, planes), dx has the same one."""
    layer = make()
    C = 2 if getattr(layer, "in_channels", 5) == 2 else 5
    shape = (3, C, 6, 7)
    memory = tuple(shape[axis] for axis in order)
    x = numpy.random.default_rng(1).normal(size=memory).astype(numpy.float32)
    x = x.transpose([order.index(axis) for axis in range(4)])
    assert x.shape == shape and _layout(x) == order
    y = layer.forward(x)
    dx = layer.backward(numpy.ones_like(y))
    assert dx.shape == shape
    assert _layout(dx) == order
