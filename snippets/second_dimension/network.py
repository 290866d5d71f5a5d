"""The Second Dimension: the hand-built five-layer network that finds the house.

``dlm.house.house_network()`` builds it with ``dlm.Input2D`` and three ``dlm.Convolution2D``:

- L1 Input2D(3, 7, 7);
- L2 Convolution2D(3 -> 6), one kernel per part of the house, the same for r, g and b;
- L3 the biases (-1030, -1030, -1990, -2000, -2000, -4059) and a ReLU (in dlm the biases belong to
  L2's convolution; ``house_stages`` shows L2 before them, as the article does);
- L4 Convolution2D(6 -> 6), "diagonal": output c reads input c through a one-hot kernel;
- L5 Convolution2D(6 -> 1), one-hot kernels that bring the six parts together.

The snippet asserts every value the article lists, in dlm's default float32 (every value is an
integer, so float32 is exact), and draws every stage as heat tables.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.house import (
    L2_KERNELS,
    L3_BIASES,
    L4_ONES,
    L5_ONES,
    LAYOUT,
    house_image,
    house_network,
    house_stages,
)
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import fmt_cell, frame, grid_axes, heat_table, value_grid  # noqa: E402
from _walkthrough import chain_figure  # noqa: E402

publish.style()

PARTS = list(L2_KERNELS)  # left roof, right roof, window, left wall, right wall, interior
model = house_network()
L1, L2, L3, L4, L5 = model.layers
stages = {k: dlm.to_numpy(v) for k, v in house_stages(model).items()}

# %% The network, as a chain of layers.
fig = chain_figure(
    model,
    x_label="house",
    names=lambda k, node: f"$L^{k + 1}$",
)
publish.figure(
    "network",
    fig,
    alt=(
        "A chain of five boxes from left to right: L1 Input2D, L2 Convolution2D, L3 Activation, "
        "L4 Convolution2D, L5 Convolution2D, with the house image entering L1. The three "
        "convolution layers are marked as holding weights."
    ),
    caption=(
        "The hand-built network, as dlm holds it. Its weights were chosen by hand, not learnt."
    ),
)
assert [type(layer).__name__ for layer in model.layers] == [
    "Input2D",
    "Convolution2D",
    "Activation",
    "Convolution2D",
    "Convolution2D",
]

# %% L1: the image. The channel sums r + g + b of each material.
image = dlm.to_numpy(house_image())[0]
total = image.sum(axis=0)  # (7, 7): r + g + b
SUMS = {"S": 128, "R": 429, "W": 195, "B": 301, "T": 494}
for i, row in enumerate(LAYOUT):
    for j, material in enumerate(row):
        assert total[i, j] == SUMS[material]
for letter, name in {"S": "sky", "R": "roof", "W": "window", "B": "wall", "T": "interior"}.items():
    publish.value(f"sum_{name}", SUMS[letter])

# %% L2: six kernels, each shared by r, g and b, so channel c = K_c * (r + g + b).
weight = dlm.to_numpy(L2.params["weight"])  # (6, 3, 3, 3)
for c, part in enumerate(PARTS):
    for k in range(3):
        assert weight[c, k].tolist() == L2_KERNELS[part]
fig, axes = grid_axes(6, ncols=6, shape=(3, 3), cell=0.5, titles=PARTS, gap=1.2)
for ax, part in zip(axes, PARTS, strict=True):
    value_grid(ax, np.array(L2_KERNELS[part]))
publish.figure(
    "l2_kernels",
    fig,
    alt=(
        "Six 3 by 3 kernels of -1, 0 and 1. Left roof: 0 -1 1 / -1 1 0 / 1 0 0. Right roof: "
        "1 -1 0 / 0 1 -1 / 0 0 1. Window: 1 -1 1 / -1 -1 1 / 1 1 1. Left wall: a column of -1 "
        "then two columns of 1. Right wall: two columns of 1 then a column of -1. Interior: all 1."
    ),
    caption="The six kernels of L², one per part of the house, each used on r, g and b alike.",
)

l2 = stages["L2"]
single = dlm.Convolution2D(1, 6, 3, padding=1, bias=False)
single.params["weight"][...] = weight[:, :1]
assert np.array_equal(l2, dlm.to_numpy(single.forward(total[None, None].astype(np.float32)))[0])
CH1 = [
    [128, 128, 128, 730, 128, 429, 128],
    [128, 128, 1031, 128, 429, -106, 301],
    [128, 1031, 429, 429, -340, 429, 0],
    [730, 128, 301, 26, 728, 427, 173],
    [128, 301, 260, 494, 535, 301, -301],
    [301, 494, 494, 301, 301, 128, 0],
    [301, 366, 0, 0, 0, -366, -301],
]
assert l2[0].tolist() == CH1
MAXIMA = {
    0: (1031, [(1, 2), (2, 1)]),
    1: (1031, [(1, 4), (2, 5)]),
    2: (1991, [(3, 4)]),
    3: (2001, [(5, 1)]),
    4: (2001, [(5, 5)]),
    5: (4060, [(5, 3)]),
}
for c, (top, where) in MAXIMA.items():
    assert l2[c].max() == top
    assert sorted(zip(*np.nonzero(l2[c] == top), strict=True)) == where
    assert L3_BIASES[c] == -(top - 1)  # each bias is minus (the maximum - 1)


# The representation of one position: the vector of its values across the six channels.
centre = l2[:, 3, 3]
assert centre.tolist() == [26, 494, 1248, 650, 1586, 3354]
publish.value("centre_vector", "(" + ", ".join(fmt_cell(v) for v in centre) + ")")


def six_tables(stage: np.ndarray, name: str, alt: str, caption: str, mark=None):
    """Six 7x7 heat tables, one per channel, titled with the part of the house."""
    fig, axes = grid_axes(6, ncols=3, titles=[f"{c + 1}: {p}" for c, p in enumerate(PARTS)])
    for c, ax in enumerate(axes):
        heat_table(ax, stage[c])
        for i, j in (mark or {}).get(c, []):
            frame(ax, (i, i), (j, j), width=2)
    publish.figure(name, fig, alt=alt, caption=caption)


six_tables(
    l2,
    "l2",
    alt=(
        "Six 7 by 7 heat tables of numbers, the outputs of L2 before the biases, each coloured "
        "from blue (its minimum) to red (its maximum). Left roof: maximum 1031 at (1, 2) and "
        "(2, 1). Right roof: 1031 at (1, 4) and (2, 5). Window: 1991 at (3, 4). Left wall: 2001 at "
        "(5, 1). Right wall: 2001 at (5, 5). Interior: 4060 at (5, 3). The maxima are framed."
    ),
    caption=(
        "L²'s six channels (before the biases). Each channel is reddest where its kernel "
        "matches the image best; the maxima are framed."
    ),
    mark={c: where for c, (_, where) in MAXIMA.items()},
)
for c, (top, where) in MAXIMA.items():
    publish.value(f"max_{c + 1}", top)
    publish.value(f"at_{c + 1}", " and ".join(f"({i}, {j})" for i, j in where))
    publish.value(f"bias_{c + 1}", fmt_cell(L3_BIASES[c]))

# %% L3: the biases and the ReLU leave a single 1 at each maximum.
l3 = stages["L3"]
for c, (_, where) in MAXIMA.items():
    expected = np.zeros((7, 7))
    for i, j in where:
        expected[i, j] = 1
    assert np.array_equal(l3[c], expected)
six_tables(
    l3,
    "l3",
    alt=(
        "Six 7 by 7 heat tables after the biases and the ReLU: every cell is 0 (blue) except a "
        "1 (red) at the maxima of L2: two 1s for each roof channel, one for the window, the two "
        "walls and the interior."
    ),
    caption="L³: after the bias and the ReLU, each channel is 1 where its part was found.",
)

# %% L4: one-hot kernels move each 1 towards the centre of the house.
w4 = dlm.to_numpy(L4.params["weight"])  # (6, 6, 3, 3)
for c in range(6):
    for k in range(6):
        expected = np.zeros((3, 3))
        if k == c:
            expected[L4_ONES[c]] = 1
        assert np.array_equal(w4[c, k], expected)
L4_AT = {
    0: [(1, 3), (2, 2)],
    1: [(1, 3), (2, 4)],
    2: [(3, 4)],
    3: [(4, 2)],
    4: [(4, 4)],
    5: [(4, 3)],
}
l4 = stages["L4"]
for c, where in L4_AT.items():
    expected = np.zeros((7, 7))
    for i, j in where:
        expected[i, j] = 1
    assert np.array_equal(l4[c], expected)
fig, axes = grid_axes(6, ncols=6, shape=(3, 3), cell=0.5, titles=PARTS, gap=1.2)
for c, ax in enumerate(axes):
    value_grid(ax, w4[c, c])
    frame(ax, (L4_ONES[c][0],) * 2, (L4_ONES[c][1],) * 2, width=2)
publish.figure(
    "l4_kernels",
    fig,
    alt=(
        "Six 3 by 3 kernels of zeros with a single framed 1: left roof at (1, 0), right roof at "
        "(1, 2), window at (1, 1), left wall at (2, 0), right wall at (2, 2), interior at (2, 1)."
    ),
    caption=(
        "L⁴'s kernels: channel c reads channel c only, through a single 1. Where the 1 "
        "sits decides which way the channel shifts."
    ),
)
six_tables(
    l4,
    "l4",
    alt=(
        "Six 7 by 7 heat tables, all 0 except single 1s: left roof at (1, 3) and (2, 2); right "
        "roof at (1, 3) and (2, 4); window at (3, 4); left wall at (4, 2); right wall at (4, 4); "
        "interior at (4, 3)."
    ),
    caption="L⁴: each part's 1s, shifted one pixel towards the centre of the house.",
)
for c, where in L4_AT.items():
    publish.value(f"l4_at_{c + 1}", " and ".join(f"({i}, {j})" for i, j in where))

# %% L5: one-hot kernels again; the six parts meet at the centre.
w5 = dlm.to_numpy(L5.params["weight"])  # (1, 6, 3, 3)
for c in range(6):
    expected = np.zeros((3, 3))
    expected[L5_ONES[c]] = 1
    assert np.array_equal(w5[0, c], expected)
l5 = stages["L5"][0]
expected = np.zeros((7, 7))
expected[3, 3], expected[2, 2], expected[2, 4] = 6, 1, 1
assert np.array_equal(l5, expected)
assert l5.max() == 6 and list(zip(*np.nonzero(l5 == l5.max()), strict=True)) == [(3, 3)]
publish.value("l5_max", fmt_cell(l5.max()))
publish.value("l5_parts", len(PARTS))
fig, (ax,) = grid_axes(1, titles=["$L^5$: the house detector"], cell=0.55)
heat_table(ax, l5)
frame(ax, (3, 3), (3, 3), width=2)
publish.figure(
    "l5",
    fig,
    alt=(
        "One 7 by 7 heat table: 6 (red) at the centre (3, 3), framed; 1 at (2, 2) and (2, 4); 0 "
        "everywhere else."
    ),
    caption=(
        "L⁵, the network's output: 6 at the one pixel where all six parts of the house meet "
        "around it."
    ),
)

# Every stage keeps the image's 7x7 size (zero padding, stride 1).
assert all(v.shape[-2:] == (7, 7) for v in stages.values())
