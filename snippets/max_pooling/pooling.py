"""The Max Pooling Layer: 2x2 windows, stride 2, ceil mode, on a real channel of the house network.

The channel is the "interior" channel of L2 in *The Second Dimension* (``dlm.house``), 7x7. A
``dlm.MaxPool2D(2, ceil_mode=True)`` keeps the partial windows at the border, so the output is
4x4. Backward, each window's δ goes to one neuron only: its maximum, and with ties its first
maximum in row-major order (shown on the L3 "left roof" channel, all 0s and 1s after the ReLU).
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.gradcheck import check_layer
from dlm.house import house_stages
from dlm.reference import maxpool2d_backward, maxpool2d_forward
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import fmt_cell, frame, grid_axes, heat_table  # noqa: E402
from _layers import jacobian  # noqa: E402
from _layers2d import text_grid  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% Forward: the house's interior channel, 7x7 -> 4x4.
stages = house_stages()
channel = dlm.to_numpy(stages["L2"])[5]  # the "interior" channel of L2, before its bias
pool = dlm.MaxPool2D(2, ceil_mode=True)
y = dlm.to_numpy(pool.forward(channel[None, None]))[0, 0]
assert channel.shape == (7, 7) and y.shape == (4, 4) == pool.output_shape(7, 7)
assert y.tolist() == [
    [2055, 3025, 2724, 1069],
    [3196, 3629, 3161, 1844],
    [3133, 4060, 3481, 1716],
    [1846, 2578, 2192, 858],
]
y_ref, argmax = maxpool2d_forward(channel[None, None], ceil_mode=True)
assert np.array_equal(y, y_ref[0, 0])
# The windows, from kernel, stride and ceil mode: 2x2 inside; 2x1, 1x2, 1x1 at the border.
windows = {
    (i, j): ((2 * i, min(2 * i + 1, 6)), (2 * j, min(2 * j + 1, 6)))
    for i in range(4)
    for j in range(4)
}
sizes = {(r1 - r0 + 1, c1 - c0 + 1) for (r0, r1), (c0, c1) in windows.values()}
assert sizes == {(2, 2), (2, 1), (1, 2), (1, 1)}
i, j = 1, 1
assert y[1, 1] == max(channel[2, 2], channel[2, 3], channel[3, 2], channel[3, 3])
publish.value("y11", fmt_cell(y[1, 1]))
publish.value("window11", ", ".join(fmt_cell(v) for v in channel[2:4, 2:4].ravel()))

# %% Backward: a δ^{k+1} of 1..16, routed to the maxima.
dy = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
dx = dlm.to_numpy(pool.backward(dy))[0, 0]
assert np.array_equal(dx, maxpool2d_backward(channel[None, None], dy, ceil_mode=True)[0, 0])
for (i, j), ((r0, r1), (c0, c1)) in windows.items():
    cell = dx[r0 : r1 + 1, c0 : c1 + 1]
    assert np.count_nonzero(cell) == 1  # exactly one neuron of each window receives a δ
    r, s = argmax[0, 0, i, j]
    assert dx[r, s] == dy[0, 0, i, j] and channel[r, s] == y[i, j]
assert dx.sum() == dy.sum()  # nothing lost, nothing created
publish.value("n_windows", len(windows))

# The neural structure: each input neuron belongs to one window, and only a maximum's local
# derivative is not 0 (it is 1).
J = jacobian(pool, channel[None, None])  # (16, 49)
assert J.shape == (16, 49) and np.count_nonzero(J) == 16 and set(J[J != 0]) == {1.0}


def pool_figure(grid, out, dgrid, dout, lo=None, hi=None):
    """Input with its windows and maxima, output; then δ^{k+1} and where it goes back."""
    fig, axes = grid_axes(
        4,
        ncols=2,
        cell=0.5,
        titles=["$ch^{k-1}$ and its windows", "$ch^{k}$", "$\\delta^{k}$", "$\\delta^{k+1}$"],
    )
    y_ref, argmax = maxpool2d_forward(grid[None, None], ceil_mode=True)
    winners = {tuple(argmax[0, 0, i, j]) for i in range(4) for j in range(4)}
    texts = [[fmt_cell(v) for v in row] for row in grid]
    fills = [[publish.ORANGE if (r, s) in winners else None for s in range(7)] for r in range(7)]
    text_grid(axes[0], texts, fills=fills, fontsize=7)
    heat_table(axes[1], out, x0=1.5, y0=-1.5, lo=lo, hi=hi)
    dtexts = [[fmt_cell(v) for v in row] for row in dgrid]
    dfills = [[publish.RED if (r, s) in winners else None for s in range(7)] for r in range(7)]
    text_grid(axes[2], dtexts, fills=dfills, fontsize=7)
    text_grid(axes[3], [[fmt_cell(v) for v in row] for row in dout], x0=1.5, y0=-1.5, fontsize=9)
    for ax in (axes[0], axes[2]):
        for (r0, r1), (c0, c1) in windows.values():
            frame(ax, (r0, r1), (c0, c1), colour=publish.BLUE, width=1.8)
    return fig


fig = pool_figure(channel, y, dx, dy[0, 0])
publish.figure(
    "pool",
    fig,
    alt=(
        "Top left: the 7 by 7 interior channel, cut by blue frames into 16 windows, 2 by 2 inside "
        "and narrower on the last row and column; the largest value of each window is orange. "
        "Top right: the 4 by 4 output, "
        + ", ".join(fmt_cell(v) for v in y.ravel())
        + ". Bottom right: a learning flow of 1 to 16 on the output. Bottom left: the 7 by 7 "
        "learning flow of the input, 0 everywhere except at the 16 orange maxima, which receive "
        "1 to 16."
    ),
    caption=(
        "Max pooling with 2×2 windows and stride 2 on the house's interior channel: 7×7 becomes "
        "4×4, the border windows being 2×1, 1×2 and 1×1. Backward, each window's δ goes to its "
        "maximum (orange, then red), and every other neuron gets 0."
    ),
)

# %% Ties: after a ReLU most windows are all 0. Only the first maximum receives the δ.
relu_channel = dlm.to_numpy(stages["L3"])[0]  # left roof after bias and ReLU: 0s and two 1s
y_tie = dlm.to_numpy(pool.forward(relu_channel[None, None]))[0, 0]
dx_tie = dlm.to_numpy(pool.backward(dy))[0, 0]
ties = 0
for (i, j), ((r0, r1), (c0, c1)) in windows.items():
    cell = relu_channel[r0 : r1 + 1, c0 : c1 + 1]
    tied = np.count_nonzero(cell == cell.max()) > 1
    ties += tied
    d = dx_tie[r0 : r1 + 1, c0 : c1 + 1]
    assert np.count_nonzero(d) == 1  # one neuron per window, ties included
    first = np.argwhere(cell == cell.max())[0]  # the first maximum in row-major order
    assert d[first[0], first[1]] == dy[0, 0, i, j]
assert dx_tie.sum() == dy.sum()  # sending δ to every tied maximum would have multiplied it
publish.value("n_ties", ties)
fig = pool_figure(relu_channel, y_tie, dx_tie, dy[0, 0])
publish.figure(
    "ties",
    fig,
    alt=(
        "The same four panels for the left-roof channel after its ReLU: 0 everywhere except two "
        "1s. Most windows hold only 0s; the orange cell of each such window is its top-left one, "
        "and only that cell receives the window's δ in the bottom-left grid."
    ),
    caption=(
        f"Ties: after a ReLU, {ties} of the 16 windows hold only equal values. dlm, like PyTorch, "
        "sends each window's δ to its first maximum, reading row by row, so the δ total stays "
        "the same."
    ),
)

# %% Gradient check, float64, on random data (no ties): a batch of two, two channels.
x = np.random.default_rng(0).standard_normal((2, 2, 7, 7))
errors = check_layer(dlm.MaxPool2D(2, ceil_mode=True), x)
print("relative error:", errors)
assert set(errors) == {"x"} and errors["x"] < 1e-7
publish.value("gradcheck", f"{errors['x']:.0e}".replace("-", "−"))
