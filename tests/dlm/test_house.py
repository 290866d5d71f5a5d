"""The hand-built house network of *The Second Dimension*, reproduced bit-exactly."""

from __future__ import annotations

import numpy
import pytest

import dlm
from dlm.house import house_image, house_network, house_stages

L2_CHANNEL_1 = [
    [128, 128, 128, 730, 128, 429, 128],
    [128, 128, 1031, 128, 429, -106, 301],
    [128, 1031, 429, 429, -340, 429, 0],
    [730, 128, 301, 26, 728, 427, 173],
    [128, 301, 260, 494, 535, 301, -301],
    [301, 494, 494, 301, 301, 128, 0],
    [301, 366, 0, 0, 0, -366, -301],
]

L2_MAXIMA = [
    (1031, [(1, 2), (2, 1)]),
    (1031, [(1, 4), (2, 5)]),
    (1991, [(3, 4)]),
    (2001, [(5, 1)]),
    (2001, [(5, 5)]),
    (4060, [(5, 3)]),
]

L4_ONES = [[(1, 3), (2, 2)], [(1, 3), (2, 4)], [(3, 4)], [(4, 2)], [(4, 4)], [(4, 3)]]


@pytest.fixture(params=["float32", "float64"])
def stages(request):
    """The stages of the house network, computed in float32 and in float64."""
    dlm.set_default_dtype(request.param)
    try:
        yield house_stages()
    finally:
        dlm.set_default_dtype("float32")


def _positions(channel, value):
    return sorted(map(tuple, numpy.argwhere(channel == value).tolist()))


def test_channel_sums_per_material():
    """r + g + b per material: sky 128, roof 429, window 195, wall 301, interior 494."""
    total = house_image()[0].sum(axis=0)
    assert [total[0, 0], total[0, 3], total[2, 4], total[4, 1], total[4, 2]] == [
        128,
        429,
        195,
        301,
        494,
    ]


def test_the_red_channel_worked_example():
    """The left-roof kernel on the red channel alone: 152 at (6, 0) and 53 at (3, 3)."""
    conv = dlm.Convolution2D(1, 1, 3, padding=1, bias=False)
    conv.params["weight"][...] = numpy.array([[0, -1, 1], [-1, 1, 0], [1, 0, 0]])
    r2 = conv.forward(house_image()[:, :1])[0, 0]
    assert r2[6, 0] == 152
    assert r2[3, 3] == 53


def test_l2_left_roof_channel_exactly(stages):
    """L2's left-roof channel equals the article's 7x7 table, every value."""
    numpy.testing.assert_array_equal(stages["L2"][0], L2_CHANNEL_1)


def test_l2_maxima_and_l3_ones(stages):
    """Each L2 channel peaks where the article says; after bias and ReLU it is 1 there, 0 else."""
    for c, (maximum, positions) in enumerate(L2_MAXIMA):
        assert stages["L2"][c].max() == maximum
        assert _positions(stages["L2"][c], maximum) == positions
        assert _positions(stages["L3"][c], 1) == positions
        assert stages["L3"][c].sum() == len(positions)


def test_l4_shifts_the_ones(stages):
    """L4's one-hot kernels move each channel's 1s to the article's positions."""
    for c, positions in enumerate(L4_ONES):
        assert _positions(stages["L4"][c], 1) == positions
        assert stages["L4"][c].sum() == len(positions)


def test_l5_is_six_at_the_centre(stages):
    """The last channel is 6 at the centre (3, 3), 1 at (2, 2) and (2, 4), and 0 elsewhere."""
    expected = numpy.zeros((7, 7))
    expected[3, 3] = 6
    expected[2, 2] = expected[2, 4] = 1
    numpy.testing.assert_array_equal(stages["L5"][0], expected)


def test_max_pooling_the_interior_channel():
    """Max pooling (2x2, ceil mode) of L2's interior channel gives the article's 4x4 table."""
    interior = house_stages()["L2"][5][None, None]
    pooled = dlm.MaxPool2D(2, ceil_mode=True).forward(numpy.ascontiguousarray(interior))
    numpy.testing.assert_array_equal(
        pooled[0, 0],
        [
            [2055, 3025, 2724, 1069],
            [3196, 3629, 3161, 1844],
            [3133, 4060, 3481, 1716],
            [1846, 2578, 2192, 858],
        ],
    )


def test_the_network_lists_its_five_layers():
    """The model holds Input2D, a 3->6 convolution, a ReLU and two fixed convolutions."""
    layers = house_network().layers
    assert [type(layer).__name__ for layer in layers] == [
        "Input2D",
        "Convolution2D",
        "Activation",
        "Convolution2D",
        "Convolution2D",
    ]
