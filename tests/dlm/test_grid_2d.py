"""Shape arithmetic and memory-layout helpers of the 2D layers (``dlm.grid``)."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dlm.grid import full_like_layout, output_size, pair, same_layout, sum_over


@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 5), st.integers(0, 3))
def test_output_size_laws(size, kernel, stride, padding):
    """Floor mode counts whole windows; ceil mode adds at most one, which starts inside.

    As in PyTorch, the padding is at most half the window.
    """
    assume(padding <= kernel // 2)
    floor = output_size(size, kernel, stride, padding)
    ceil = output_size(size, kernel, stride, padding, ceil_mode=True)
    span = size + 2 * padding
    if kernel > span:
        assert floor == ceil == 0
        return
    assert (floor - 1) * stride + kernel <= span < floor * stride + kernel
    assert floor <= ceil <= floor + 1
    assert (ceil - 1) * stride < size + padding


def test_the_blog_pooling_sizes():
    """2x2 windows, stride 2, on 7 cells: 3 in floor mode, 4 in ceil mode."""
    assert output_size(7, 2, 2) == 3
    assert output_size(7, 2, 2, ceil_mode=True) == 4


def test_pair_accepts_ints_and_pairs_and_names_the_owner():
    """3 becomes (3, 3); a pair stays; a bad value names the owner and the argument."""
    assert pair(3, "L", "kernel_size") == (3, 3)
    assert pair((3, 5), "L", "kernel_size") == (3, 5)
    with pytest.raises(ValueError, match=r"L: stride must be an int >= 1 or a pair of them"):
        pair(True, "L", "stride")


@given(st.integers(1, 50), st.integers(1, 20), st.sampled_from([0, 1]))
def test_sum_over_equals_numpy_sums(rows, columns, axis):
    """Sums through a ones vector equal numpy's sums, kept 2D."""
    matrix = numpy.random.default_rng(rows * columns).normal(size=(rows, columns))
    numpy.testing.assert_allclose(
        sum_over(matrix, axis), matrix.sum(axis=axis, keepdims=True), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (0, 2, 3, 1), (1, 0, 2, 3)])
def test_layout_helpers_keep_values_and_memory_order(order):
    """full_like_layout and same_layout give like's memory order without changing values."""
    like = numpy.zeros([(2, 3, 4, 5)[axis] for axis in order]).transpose(numpy.argsort(order))
    made = full_like_layout(like, (2, 3, 6, 7), 1.5)
    assert made.shape == (2, 3, 6, 7) and numpy.all(made == 1.5)
    assert tuple(sorted(range(4), key=lambda axis: -made.strides[axis])) == order
    values = numpy.arange(120.0).reshape(2, 3, 4, 5)
    moved = same_layout(values, like)
    numpy.testing.assert_array_equal(moved, values)
    assert tuple(sorted(range(4), key=lambda axis: -moved.strides[axis])) == order
