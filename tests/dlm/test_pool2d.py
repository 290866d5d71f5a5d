"""MaxPool2D and AvgPool2D: against the loop reference and PyTorch, ties, ceil mode, errors."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlm import reference
from dlm.errors import ShapeError
from dlm.pooling import AvgPool2D, MaxPool2D


@st.composite
def pool_setups(draw):
    """A random window, stride, ceil mode and an input it fits, with many exact ties."""
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    SH, SW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(KH, 10)), draw(st.integers(KW, 10))
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ceil_mode = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return N, C, H, W, (KH, KW), (SH, SW), ceil_mode, seed


@settings(max_examples=80, deadline=None)
@given(pool_setups())
def test_fast_max_pooling_matches_the_loop_reference(setup):
    """Forward and backward of MaxPool2D equal the loops exactly, ties (first maximum) included."""
    N, C, H, W, kernel, stride, ceil_mode, seed = setup
    rng = numpy.random.default_rng(seed)
    x = rng.integers(-2, 3, size=(N, C, H, W)).astype(numpy.float64)  # small ints: many ties
    layer = MaxPool2D(kernel, stride, ceil_mode)
    y = layer.forward(x)
    y_ref, _ = reference.maxpool2d_forward(x, kernel, stride, ceil_mode)
    numpy.testing.assert_array_equal(y, y_ref)
    dy = rng.normal(size=y.shape)
    dx_ref = reference.maxpool2d_backward(x, dy, kernel, stride, ceil_mode)
    numpy.testing.assert_allclose(layer.backward(dy), dx_ref, rtol=0, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(pool_setups())
def test_fast_average_pooling_matches_the_loop_reference(setup):
    """Forward and backward of AvgPool2D equal the loops (partial windows averaged over m)."""
    N, C, H, W, kernel, stride, ceil_mode, seed = setup
    rng = numpy.random.default_rng(seed)
    x = rng.normal(size=(N, C, H, W))
    layer = AvgPool2D(kernel, stride, ceil_mode)
    y = layer.forward(x)
    numpy.testing.assert_allclose(
        y, reference.avgpool2d_forward(x, kernel, stride, ceil_mode), rtol=0, atol=1e-12
    )
    dy = rng.normal(size=y.shape)
    dx_ref = reference.avgpool2d_backward(x, dy, kernel, stride, ceil_mode)
    numpy.testing.assert_allclose(layer.backward(dy), dx_ref, rtol=0, atol=1e-12)


def test_ceil_mode_keeps_partial_windows():
    """A 7x7 channel becomes 4x4 in ceil mode (the blog's pooling) and 3x3 otherwise."""
    x = numpy.zeros((1, 2, 7, 7), dtype=numpy.float32)
    assert MaxPool2D(2, ceil_mode=True).forward(x).shape == (1, 2, 4, 4)
    assert MaxPool2D(2).forward(x).shape == (1, 2, 3, 3)
    assert AvgPool2D(2, ceil_mode=True).forward(x).shape == (1, 2, 4, 4)


def test_ties_send_the_gradient_to_the_first_maximum_only():
    """On constant (all-tied) input, each window's gradient goes to its top-left cell only."""
    layer = MaxPool2D(2)
    layer.forward(numpy.zeros((2, 3, 4, 6), dtype=numpy.float32))
    dx = layer.backward(numpy.ones((2, 3, 2, 3), dtype=numpy.float32))
    expected = numpy.zeros((2, 3, 4, 6), dtype=numpy.float32)
    expected[:, :, ::2, ::2] = 1
    numpy.testing.assert_array_equal(dx, expected)
    assert dx.sum() == 2 * 3 * 2 * 3  # the total flow is preserved, not multiplied by 4


def test_tied_background_does_not_inflate_a_bias_gradient():
    """Conv bias -> ReLU -> pool on a flat background: the bias gets the pooled flow, not 4x it."""
    from dlm.conv import Convolution2D

    conv = Convolution2D(1, 1, 1, rng=numpy.random.default_rng(0))
    conv.params["weight"][...] = 1.0
    conv.params["bias"][...] = 0.5
    pool = MaxPool2D(2)
    pool.forward(conv.forward(numpy.zeros((1, 1, 4, 4), dtype=numpy.float32)))
    conv.backward(pool.backward(numpy.ones((1, 1, 2, 2), dtype=numpy.float32)))
    assert conv.grads["bias"][0] == 4.0


def test_parity_with_pytorch():
    """Both poolings equal torch's max_pool2d / avg_pool2d (ties, ceil mode) in float64."""
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(0)
    for layer, function in [
        (MaxPool2D, torch.nn.functional.max_pool2d),
        (AvgPool2D, torch.nn.functional.avg_pool2d),
    ]:
        for kernel, stride, ceil_mode in [(2, None, False), (2, None, True), (3, 2, True)]:
            x = rng.integers(-2, 3, size=(2, 3, 9, 7)).astype(numpy.float64)
            pool = layer(kernel, stride, ceil_mode)
            y = pool.forward(x)
            dy = rng.normal(size=y.shape)
            dx = pool.backward(dy)
            xt = torch.tensor(x, requires_grad=True)
            yt = function(xt, kernel, stride, ceil_mode=ceil_mode)
            yt.backward(torch.tensor(dy))
            numpy.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
            numpy.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)


def test_output_keeps_the_memory_layout():
    """Pooling keeps the memory layout (channels-last or channel planes), backward too."""
    x = numpy.zeros((2, 5, 6, 3), dtype=numpy.float32).transpose(0, 3, 1, 2)
    y = MaxPool2D(2).forward(x)
    assert y.shape == (2, 3, 2, 3)
    assert y.transpose(0, 2, 3, 1).flags.c_contiguous
    layer = MaxPool2D(2, ceil_mode=True)
    x = numpy.zeros((3, 2, 5, 6), dtype=numpy.float32).transpose(1, 0, 2, 3)
    y = layer.forward(x)
    assert y.shape == (2, 3, 3, 3)
    assert y.transpose(1, 0, 2, 3).flags.c_contiguous
    strides = layer.backward(y).strides
    assert strides[1] > strides[0] > strides[2] > strides[3]  # (C, N, H, W) underneath


def test_backward_needs_a_training_forward():
    """Max pooling records its winners only in training; backward after eval() says so."""
    layer = MaxPool2D(2).eval()
    layer.forward(numpy.zeros((1, 1, 4, 4), dtype=numpy.float32))
    with pytest.raises(RuntimeError, match=r"MaxPool2D\(kernel_size=2\): backward needs a forward"):
        layer.backward(numpy.zeros((1, 1, 2, 2), dtype=numpy.float32))


def test_error_image_smaller_than_the_window():
    """An image smaller than the window is refused, with both sizes."""
    with pytest.raises(
        ShapeError, match=r"MaxPool2D\(kernel_size=3\): x must be at least 3x3 pixels, got 2x5"
    ):
        MaxPool2D(3).forward(numpy.zeros((1, 1, 2, 5), dtype=numpy.float32))


def test_error_wrong_number_of_dimensions():
    """A 3-dimensional input is refused, with its shape."""
    with pytest.raises(
        ShapeError,
        match=r"AvgPool2D\(kernel_size=2\): x must have shape "
        r"\(N, C, H, W\), got \(4, 4, 4\)",
    ):
        AvgPool2D(2).forward(numpy.zeros((4, 4, 4), dtype=numpy.float32))


def test_error_bad_kernel_size():
    """A zero window is refused at construction, naming the layer and the argument."""
    with pytest.raises(ValueError, match=r"MaxPool2D\(kernel_size=0, stride=None\): kernel_size"):
        MaxPool2D(0)
