"""The Convolution Layer: the window sliding with zero padding and a stride, products written in.

A ``dlm.Convolution2D(1, 1, 3, stride=2, padding=1, bias=False)`` on a 5x5 channel of small
integers: padding 1 adds a ring of zeros, stride 2 moves the window two pixels at a time, so the
output is ``floor((5 + 2*1 - 3) / 2) + 1 = 3`` pixels a side. Each output neuron is redone by hand,
nine products, and compared with the layer.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.grid import output_size
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import fmt_cell, frame, grid_axes, heat_table  # noqa: E402
from _layers2d import text_grid  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% A 5x5 channel, a 3x3 kernel, padding 1, stride 2.
rng = np.random.default_rng(3)
x = rng.integers(0, 4, size=(5, 5)).astype(float)
K = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float)  # a vertical-edge detector
layer = dlm.Convolution2D(1, 1, 3, stride=2, padding=1, bias=False)
layer.params["weight"][...] = K[None, None]
y = dlm.to_numpy(layer.forward(x[None, None]))[0, 0]
H_out = output_size(5, 3, 2, 1)
assert y.shape == (H_out, H_out) == (3, 3) == layer.output_shape(5, 5)
padded = np.pad(x, 1)  # 7x7


def terms(i: int, j: int) -> list[tuple[float, float]]:
    """The nine (weight, pixel) pairs of output neuron (i, j): window at (2i, 2j) of the padding."""
    window = padded[2 * i : 2 * i + 3, 2 * j : 2 * j + 3]
    return list(zip(K.ravel(), window.ravel(), strict=True))


for i in range(3):
    for j in range(3):
        assert sum(k * v for k, v in terms(i, j)) == y[i, j]

publish.value("h_out", H_out)
publish.value("n_out", H_out * H_out)


def tex_sum(i: int, j: int) -> str:
    parts = [f"{fmt_cell(k)}\\cdot {fmt_cell(v)}" for k, v in terms(i, j) if k != 0]
    return " + ".join(parts).replace("+ −", "- ").replace("−", "-")


for i, j in ((0, 0), (1, 1)):
    publish.value(f"sum_{i}{j}", tex_sum(i, j))
    publish.value(f"y_{i}{j}", fmt_cell(y[i, j]).replace("−", "-"))

# %% Figure: the window at four output positions, each cell showing weight · pixel.
POSITIONS = ((0, 0), (0, 1), (1, 1), (2, 2))
fig, axes = grid_axes(
    5,
    ncols=3,
    cell=0.5,
    titles=[f"$o^k_{{{i},{j}}}$ = {fmt_cell(y[i, j])}" for i, j in POSITIONS] + ["$o^k$ (3×3)"],
    gap=0.6,
)
pad_mask = np.ones((7, 7), bool)
pad_mask[1:-1, 1:-1] = False
for ax, (i, j) in zip(axes, POSITIONS, strict=False):
    texts = [[fmt_cell(v) for v in row] for row in padded]
    fills = [[None] * 7 for _ in range(7)]
    for a in range(3):
        for bb in range(3):
            k, v = K[a, bb], padded[2 * i + a, 2 * j + bb]
            texts[2 * i + a][2 * j + bb] = f"{fmt_cell(k)}·{fmt_cell(v)}"
            fills[2 * i + a][2 * j + bb] = publish.ORANGE
    text_grid(ax, texts, fills=fills, dashed=pad_mask, fontsize=9)
    frame(ax, (2 * i, 2 * i + 2), (2 * j, 2 * j + 2), colour=publish.RED, width=2)
heat_table(axes[4], y, x0=2, y0=-2)
publish.figure(
    "stride",
    fig,
    alt=(
        "Four copies of a 5 by 5 channel surrounded by a dashed ring of zeros, 7 by 7 cells in "
        "all, and a 3 by 3 output grid. In each copy a red frame marks a 3 by 3 window, at the "
        "top left, then two cells to the right, then at the centre, then at the bottom right; "
        "each cell of the window shows its kernel weight times its pixel. The output grid holds "
        + ", ".join(fmt_cell(v) for v in y.ravel())
        + "."
    ),
    caption=(
        "Padding 1 and stride 2: the window starts on the ring of zeros and jumps two pixels at "
        "a time, so a 5×5 channel gives a 3×3 output. Each output neuron adds the nine products "
        "written in its window (kernel weight · pixel)."
    ),
)
