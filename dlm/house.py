"""The hand-built "house" network of the article *The Second Dimension*, with fixed weights.

A 7x7 RGB image of a house (sky, roof, window, wall, interior) goes through five layers whose
kernels were chosen by hand, not learnt:

- **L1** ``Input2D(3, 7, 7)``.
- **L2** ``Convolution2D(3, 6, 3, padding=1)``. Output channel c detects one part of the house (left
  roof, right roof, window, left wall, right wall, interior) and uses *the same* 3x3 kernel on the
  r, g and b channels, so it sees the sum r + g + b.
- **L3** the biases (-1030, -1030, -1990, -2000, -2000, -4059), followed by a ReLU. Each bias is
  minus (the channel's maximum - 1), so every channel is exactly 1 at its maxima and 0 elsewhere. In
  dlm the biases belong to L2's convolution, as in every convolution layer; ``house_stages``
  splits them off again to show L2 as the article does.
- **L4** ``Convolution2D(6, 6, 3, padding=1, bias=False)``, "diagonal": output c reads input c only,
  through a one-hot kernel that shifts the 1s towards the centre of the house.
- **L5** ``Convolution2D(6, 1, 3, padding=1, bias=False)``, one-hot kernels again: the six parts
  meet at one pixel.

The final channel is 6 at the centre (3, 3), the one pixel with a left roof at its top-left, a right
roof at its top-right, a window at its right, walls at its bottom-left and bottom-right and interior
below, and 1 at (2, 2) and (2, 4). Every value is an integer, exact in float32 and float64.
"""

from __future__ import annotations

import numpy

from dlm.activation import Activation
from dlm.backend import default_dtype, xp
from dlm.conv import Convolution2D
from dlm.graph import Model
from dlm.input2d import Input2D

#: The RGB colour of each material of the house.
COLOURS = {
    "S": (0, 57, 71),  # sky
    "R": (147, 146, 136),  # roof
    "W": (70, 74, 51),  # window
    "B": (152, 92, 57),  # wall (brick)
    "T": (207, 166, 121),  # interior
}

#: The house, row by row from the top: one letter per pixel (see ``COLOURS``).
LAYOUT = (
    "SSSRSSS",
    "SSRRRSS",
    "SRRRWRS",
    "RRRWWRR",
    "SBTTTBS",
    "SBTBTBS",
    "SBTBTBS",
)

#: L2's kernels, one per output channel, shared by the r, g and b inputs.
L2_KERNELS = {
    "left roof": [[0, -1, 1], [-1, 1, 0], [1, 0, 0]],
    "right roof": [[1, -1, 0], [0, 1, -1], [0, 0, 1]],
    "window": [[1, -1, 1], [-1, -1, 1], [1, 1, 1]],
    "left wall": [[-1, 1, 1], [-1, 1, 1], [-1, 1, 1]],
    "right wall": [[1, 1, -1], [1, 1, -1], [1, 1, -1]],
    "interior": [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
}

#: L3's biases: minus (the maximum of each L2 channel - 1).
L3_BIASES = (-1030, -1030, -1990, -2000, -2000, -4059)

#: The (row, column) of the single 1 in L4's kernel for channel c (input c -> output c).
L4_ONES = ((1, 0), (1, 2), (1, 1), (2, 0), (2, 2), (2, 1))

#: The (row, column) of the single 1 in L5's kernel for input channel c (-> the one output).
L5_ONES = ((0, 0), (0, 2), (1, 2), (2, 0), (2, 2), (2, 1))


def house_image():
    """The house as a batch of one image, ``(1, 3, 7, 7)``: the r, g and b channels (0-255)."""
    rgb = numpy.array([[COLOURS[m] for m in row] for row in LAYOUT], dtype=numpy.float64)
    return xp.asarray(rgb.transpose(2, 0, 1)[None], dtype=default_dtype())


def house_network() -> Model:
    """The five-layer network with the article's weights: L1 -> L2 -> L3 (ReLU) -> L4 -> L5.

    ``model.layers`` lists the five layers in that order.
    """
    l1 = Input2D(3, 7, 7)
    l2 = Convolution2D(3, 6, 3, padding=1)
    kernels = numpy.array(list(L2_KERNELS.values()), dtype=numpy.float64)  # (6, 3, 3)
    l2.params["weight"][...] = xp.asarray(numpy.repeat(kernels[:, None], 3, axis=1))
    l2.params["bias"][...] = xp.asarray(numpy.array(L3_BIASES, dtype=numpy.float64))
    l3 = Activation("relu")
    l4 = Convolution2D(6, 6, 3, padding=1, bias=False)
    l4.params["weight"][...] = 0
    for c, (a, b) in enumerate(L4_ONES):
        l4.params["weight"][c, c, a, b] = 1
    l5 = Convolution2D(6, 1, 3, padding=1, bias=False)
    l5.params["weight"][...] = 0
    for c, (a, b) in enumerate(L5_ONES):
        l5.params["weight"][0, c, a, b] = 1
    y = l5(l4(l3(l2(l1))))
    return Model(inputs=l1, outputs=y)


def house_stages(model: Model | None = None, image=None) -> dict:
    """Run the house network; return each stage's output, ``(C, 7, 7)``, as the article shows it.

    Keys: ``"L1"`` (the r, g, b channels), ``"L2"`` (the convolution before the biases), ``"L3"``
    (after the biases and the ReLU), ``"L4"`` and ``"L5"``.
    """
    model = house_network() if model is None else model
    image = house_image() if image is None else image
    model.forward(image)
    l1, l2, l3, l4, l5 = model.layers
    bias = l2.params["bias"][:, None, None]
    return {
        "L1": model.node(l1).o[0],
        "L2": model.node(l2).o[0] - bias,
        "L3": model.node(l3).o[0],
        "L4": model.node(l4).o[0],
        "L5": model.node(l5).o[0],
    }
