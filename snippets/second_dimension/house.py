"""The Second Dimension: the 7x7 house, its three channels, and one kernel slid over the red one.

The image is ``dlm.house.house_image()``, (1, 3, 7, 7): a house of five materials (sky, roof,
window, wall, interior), each with its RGB colour. The kernel of the worked example runs through a
``dlm.Convolution2D(1, 1, 3, padding=1, bias=False)`` on the red channel: cross-correlation (the
kernel is not flipped), zero padding, stride 1, (row, column) indices with row 0 at the top. The
snippet asserts the article's values, r²₆,₀ = 152 and r²₃,₃ = 53, and redoes both sums by hand.
It then shows a convolution from three channels to one: one kernel per input channel gives a
temporary grid each, and their sum is the new channel.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.house import COLOURS, L2_KERNELS, LAYOUT, house_image
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import fmt_cell, frame, grey_discs, grid_axes, heat_table, rgb_discs, value_grid  # noqa: E402

publish.style()

# %% The image: (1, 3, 7, 7), channels r, g, b.
image = dlm.to_numpy(house_image())
r, g, b = image[0]
rgb = image[0].transpose(1, 2, 0)  # (7, 7, 3), for drawing
H, W = r.shape
assert (H, W) == (7, 7)
for i, row in enumerate(LAYOUT):
    for j, material in enumerate(row):
        assert tuple(rgb[i, j]) == COLOURS[material]
NAMES = {"S": "sky", "R": "roof", "W": "window", "B": "wall", "T": "interior"}
for letter, name in NAMES.items():
    publish.value(f"rgb_{name}", "(" + ", ".join(str(c) for c in COLOURS[letter]) + ")")
publish.value("n_pixels", H * W)

fig, (ax,) = grid_axes(1, cell=0.5)
rgb_discs(ax, rgb)
publish.figure(
    "house",
    fig,
    alt=(
        "A 7 by 7 grid of coloured discs drawing a house: a dark teal sky, a grey triangular roof "
        "from the top centre down to row 4, a dark olive window in the roof at its right, brown "
        "walls and a beige interior in the three bottom rows, with two brown pillars inside."
    ),
    caption="The image: 7×7 pixels, each a colour made of three numbers (red, green, blue).",
)

# %% The centre 3x3 pixels with their three numbers.
texts = [[None] * W for _ in range(H)]
for i in range(2, 5):
    for j in range(2, 5):
        texts[i][j] = "\n".join(str(int(c)) for c in rgb[i, j])
fig, (ax,) = grid_axes(1, cell=0.62)
rgb_discs(ax, rgb, texts=texts, fontsize=6.5)
frame(ax, (2, 4), (2, 4))
publish.figure(
    "house_numbers",
    fig,
    alt=(
        "The same house; the nine discs of the centre 3 by 3 square are framed and show their red, "
        "green and blue values on three lines, for example 147, 146, 136 for the roof and 70, 74, "
        "51 for the window."
    ),
    caption="Zooming in: each pixel of the framed centre shows its red, green and blue values.",
)

# %% The three channels, as grey levels with their values.
fig, axes = grid_axes(3, titles=["red channel $r$", "green channel $g$", "blue channel $b$"])
for ax, channel in zip(axes, (r, g, b), strict=True):
    grey_discs(ax, channel)
publish.figure(
    "channels",
    fig,
    alt=(
        "Three 7 by 7 grids of grey discs, one per channel, each disc showing its value from 0 to "
        "255. In the red channel the sky is 0, the roof 147, the window 70, the walls 152 and the "
        "interior 207; the green and blue channels have the same layout with other values."
    ),
    caption=(
        "The image split into its three channels. Each is a grid of 49 numbers: from now on, a "
        "pixel means one number in one channel."
    ),
)
assert [int(v) for v in r[2, 2:5]] == [147, 147, 70]
assert [int(v) for v in r[3, 2:5]] == [147, 70, 70]
assert [int(v) for v in r[4, 2:5]] == [207, 207, 207]

# %% The kernel, slid over the red channel by a real Convolution2D.
K = np.array(L2_KERNELS["left roof"], dtype=float)
assert K.tolist() == [[0, -1, 1], [-1, 1, 0], [1, 0, 0]]
conv = dlm.Convolution2D(1, 1, 3, padding=1, bias=False)
conv.params["weight"][...] = K[None, None]
r2 = dlm.to_numpy(conv.forward(image[:, :1]))[0, 0]  # (7, 7)
assert r2.shape == (7, 7)  # zero padding keeps the size
assert r2[6, 0] == 152 and r2[3, 3] == 53

padded = np.pad(r, 1)  # zero padding: one ring of zeros around the channel


def by_hand(i: int, j: int) -> tuple[float, str]:
    """r²_{i,j} as the sum of the nine products kernel × window, and the sum written out."""
    window = padded[i : i + 3, j : j + 3]  # rows i-1..i+1, cols j-1..j+1 of r
    terms = [
        f"{fmt_cell(k)}\\cdot{fmt_cell(v)}" for k, v in zip(K.ravel(), window.ravel(), strict=True)
    ]
    return float((K * window).sum()), " + ".join(terms).replace("+ −", "- ").replace("−", "-")


for i, j in ((6, 0), (3, 3)):
    total, text = by_hand(i, j)
    assert total == r2[i, j]
    publish.value(f"sum_{i}{j}", text)
    publish.value(f"r2_{i}{j}", fmt_cell(r2[i, j]))

fig, (ax,) = grid_axes(1, titles=["kernel $K$"], shape=(3, 3), cell=0.6)
value_grid(ax, K)
publish.figure(
    "kernel",
    fig,
    alt="A 3 by 3 grid of numbers: 0, -1, 1 on the top row; -1, 1, 0 in the middle; 1, 0, 0 "
    "at the bottom.",
    caption="The kernel K of the worked example.",
)


def window_figure(i: int, j: int):
    """The padded red channel with the kernel's window at (i, j) and its weights in orange."""
    fig, (ax, ax_out) = grid_axes(
        2, shape=(9, 9), titles=["$r^1$ with zero padding", "$r^2 = K \\star r^1$"]
    )
    pad_mask = np.ones((9, 9), bool)
    pad_mask[1:-1, 1:-1] = False
    value_grid(ax, padded, dashed=pad_mask)
    frame(ax, (i, i + 2), (j, j + 2))
    for a in range(3):
        for c in range(3):
            ax.text(
                j + c + 0.42,
                -(i + a) + 0.42,
                f"×{fmt_cell(K[a, c])}",
                ha="right",
                va="top",
                fontsize=6.5,
                color=publish.ORANGE,
                fontweight="bold",
            )
    heat_table(ax_out, r2, x0=1, y0=-1)
    frame(ax_out, (i + 1, i + 1), (j + 1, j + 1))
    return fig


for i, j in ((6, 0), (3, 3)):
    publish.figure(
        f"window_{i}{j}",
        window_figure(i, j),
        alt=(
            f"Left: the red channel with a ring of zeros around it, as a 9 by 9 grid of numbers; "
            f"an orange frame marks the 3 by 3 window centred on pixel ({i}, {j}), each cell "
            f"tagged with its kernel weight. Right: the 7 by 7 output of the convolution as a "
            f"heat table, with the pixel ({i}, {j}) framed: {fmt_cell(r2[i, j])}."
        ),
        caption=(
            f"Computing r²({i}, {j}): centre the kernel on pixel ({i}, {j}), multiply each "
            "pair (the kernel's weights in orange), and add the nine products. Outside the "
            "image, the padding counts as 0."
        ),
    )

# %% Three channels in, one channel out: one kernel per input channel, then a sum.
kernels = np.stack([K, np.array(L2_KERNELS["right roof"], float), np.eye(3)[::-1]])  # (3, 3, 3)
mix = dlm.Convolution2D(3, 1, 3, padding=1, bias=False)
mix.params["weight"][...] = kernels[None]
rep = dlm.to_numpy(mix.forward(image))[0, 0]
tmps = []
for c in range(3):
    one = dlm.Convolution2D(1, 1, 3, padding=1, bias=False)
    one.params["weight"][...] = kernels[c][None, None]
    tmps.append(dlm.to_numpy(one.forward(image[:, c : c + 1]))[0, 0])
assert np.array_equal(rep, tmps[0] + tmps[1] + tmps[2])  # the output channel is the sum
lo, hi = min(t.min() for t in tmps + [rep]), max(t.max() for t in tmps + [rep])
fig, axes = grid_axes(
    4,
    ncols=4,
    titles=[
        "$tmp^{1} = ker^{1} \\star r$",
        "$tmp^{2} = ker^{2} \\star g$",
        "$tmp^{3} = ker^{3} \\star b$",
        "$rep = tmp^1 + tmp^2 + tmp^3$",
    ],
    cell=0.42,
)
for ax, grid in zip(axes, tmps + [rep], strict=True):
    heat_table(ax, grid, lo=lo, hi=hi)
publish.figure(
    "three_to_one",
    fig,
    alt=(
        "Four 7 by 7 heat tables of numbers on one shared colour scale from blue (lowest) to red "
        "(highest): the red channel convolved with a first kernel, the green channel with a "
        "second, the blue channel with a third, and their cell-by-cell sum, the new channel."
    ),
    caption=(
        "A convolution from three channels to one: each input channel gets its own kernel, "
        "and the new representation is the sum of the three temporary grids (one colour scale "
        "for all four)."
    ),
)
publish.value("rep_33", fmt_cell(rep[3, 3]))
publish.value("tmps_33", " + ".join(fmt_cell(t[3, 3]) for t in tmps).replace("+ −", "− "))
