"""The Convolution Layer: its neural structure, neuron by neuron, asked of a real dlm layer.

The layer is the article's: ``dlm.Convolution2D(3, 2, 3, padding=1)``, three input channels of 7x7
pixels, two output channels, six 3x3 kernels and two biases, in float64 with dlm's seeded
initialiser. Each count of the article (27 products per output neuron, 18 impacts for an inside
input neuron, 36 for the kernel weight ker_{0,0}, 49 for a bias) is read off the layer's own
backward pass, one output neuron at a time, and the three formulas of the learning flow and of
the gradients are checked against it. Indices are (row, column) from 0 at the top left.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.gradcheck import check_layer
from dlm.reference import conv2d_backward, conv2d_forward
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import grid_axes  # noqa: E402
from _layers import jacobian  # noqa: E402
from _layers2d import text_grid  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% The layer and one input: three channels of 7x7 pixels.
rng = np.random.default_rng(0)
layer = dlm.Convolution2D(3, 2, 3, padding=1, rng=rng)
K, b = layer.params["weight"], layer.params["bias"]  # (O, C, 3, 3) = (2, 3, 3, 3), (2,)
assert K.shape == (2, 3, 3, 3) and b.shape == (2,)
n_weights, n_biases = K.size, b.size
assert (n_weights, n_biases) == (54, 2)
x = rng.standard_normal((1, 3, 7, 7))  # o^{k-1}: no pixel is exactly 0
y = dlm.to_numpy(layer.forward(x))
assert y.shape == (1, 2, 7, 7)  # padding 1 keeps the size
assert np.allclose(y, conv2d_forward(x, K, b, padding=(1, 1)))  # the loop reference
# im2col: every window is one column of 27 numbers, and the layer is one matrix product.
_, cols, W_mat = layer.cache
assert cols.shape == (27, 49) and W_mat.shape == (27, 2)
assert np.allclose(y[0].reshape(2, 49), W_mat.T @ cols + b[:, None])
publish.value("cols_shape", f"{cols.shape[0]} × {cols.shape[1]}")

# %% One output neuron written in full: 3 channels x 9 kernel cells = 27 products, plus a bias.
padded = np.pad(x[0], ((0, 0), (1, 1), (1, 1)))
o, i, j = 0, 3, 3
products = [
    K[o, c, a, bb] * padded[c, i + a, j + bb] for c in range(3) for a in range(3) for bb in range(3)
]
assert len(products) == 27
assert np.isclose(sum(products) + b[o], y[0, o, i, j])

# %% The neural structure: which output neuron each input neuron impacts, from dlm's backward.
J = jacobian(layer, x)  # (2*7*7, 3*7*7): J[output, input] = ∂o^k/∂o^{k-1}
assert J.shape == (98, 147)


def index(c: int, r: int, s: int) -> int:
    return c * 49 + r * 7 + s


impacts_inside = int(np.count_nonzero(J[:, index(0, 3, 3)]))
impacts_corner = int(np.count_nonzero(J[:, index(0, 0, 0)]))
fan_in = int(np.count_nonzero(J[o * 49 + i * 7 + j]))
assert impacts_inside == 18 and impacts_corner == 8 and fan_in == 27
# Input (3, 3) reaches output (r, s) of channel o through the kernel weight ker^{o,1}_{4-r, 4-s}:
# the kernel read upside down and back to front.
for oo in range(2):
    for r in range(2, 5):
        for s in range(2, 5):
            assert np.isclose(J[oo * 49 + r * 7 + s, index(0, 3, 3)], K[oo, 0, 4 - r, 4 - s])

# %% The learning flow of ch^{k-1,1}_{3,3}: 18 impacts, one per (output channel, window).
dy = rng.standard_normal((1, 2, 7, 7))  # δ^{k+1}, handed back by the next layer
layer.forward(x)
layer.zero_grad()
dx = dlm.to_numpy(layer.backward(dy))
flow = sum(
    dy[0, oo, r, s] * K[oo, 0, 4 - r, 4 - s]
    for oo in range(2)
    for r in (2, 3, 4)
    for s in (2, 3, 4)
)
assert np.isclose(dx[0, 0, 3, 3], flow)
dx_ref, dk_ref, db_ref = conv2d_backward(x, K, dy, padding=(1, 1))
assert np.allclose(dx, dx_ref)

# The kernel weight ker^{k,1,1}_{0,0}: 36 impacts, on every output but the top row and left column.
dk = layer.grads["weight"]
by_hand = sum(dy[0, 0, r, s] * x[0, 0, r - 1, s - 1] for r in range(1, 7) for s in range(1, 7))
assert np.isclose(dk[0, 0, 0, 0], by_hand)
assert np.allclose(dk, dk_ref)
# The bias b^{k,1}: 49 impacts, every neuron of output channel 1.
assert np.isclose(layer.grads["bias"][0], dy[0, 0].sum())
assert np.allclose(layer.grads["bias"], db_ref)


def weight_mask(o: int, c: int, a: int, bb: int, bias: bool = False) -> np.ndarray:
    """Which output neurons of channel o a kernel weight (or the bias) impacts, from backward."""
    mask = np.zeros((7, 7), bool)
    for r in range(7):
        for s in range(7):
            one_hot = np.zeros((1, 2, 7, 7))
            one_hot[0, o, r, s] = 1
            layer.forward(x)
            layer.zero_grad()
            layer.backward(one_hot)
            g = layer.grads["bias"][o] if bias else layer.grads["weight"][o, c, a, bb]
            mask[r, s] = g != 0
    layer.zero_grad()
    return mask


mask_w = weight_mask(0, 0, 0, 0)
mask_b = weight_mask(0, 0, 0, 0, bias=True)
impacts_w, impacts_b = int(mask_w.sum()), int(mask_b.sum())
assert impacts_w == 7 * 7 - 7 - 6 == 36 and impacts_b == 49
assert not mask_w[0].any() and not mask_w[:, 0].any()

publish.value("n_weights", n_weights)
publish.value("n_biases", n_biases)
publish.value("n_products", len(products))
publish.value("impacts_inside", impacts_inside)
publish.value("impacts_corner", impacts_corner)
publish.value("impacts_w", impacts_w)
publish.value("impacts_b", impacts_b)
print(f"{n_weights} weights, {n_biases} biases; an output neuron sums {len(products)} products")
print(f"impacts: input (3,3) {impacts_inside}, corner input {impacts_corner}, "
      f"ker_00 {impacts_w}, bias {impacts_b}")  # fmt: skip

# %% Figure: the forward window of output (3, 3) and the backward paths of input (3, 3).
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(a: int, bb: int) -> str:
    return f"{a},{bb}".translate(SUB)


fig, (ax_in, ax_out) = grid_axes(
    2,
    cell=0.6,
    titles=[
        "forward: the window of $ch^{k,1}_{3,3}$",
        "backward: where $ch^{k-1,1}_{3,3}$ goes",
    ],
)
texts = [[f"{r},{s}" for s in range(7)] for r in range(7)]
fills = [[None] * 7 for _ in range(7)]
for a in range(3):
    for bb in range(3):
        texts[2 + a][2 + bb] = f"{2 + a},{2 + bb}\n×k{sub(a, bb)}"
        fills[2 + a][2 + bb] = publish.ORANGE
text_grid(ax_in, texts, fills=fills, fontsize=8.5)
texts = [[f"{r},{s}" for s in range(7)] for r in range(7)]
fills = [[None] * 7 for _ in range(7)]
for r in range(2, 5):
    for s in range(2, 5):
        texts[r][s] = f"{r},{s}\n×k{sub(4 - r, 4 - s)}"
        fills[r][s] = publish.RED
text_grid(ax_out, texts, fills=fills, fontsize=8.5)
publish.figure(
    "windows",
    fig,
    alt=(
        "Two 7 by 7 grids of (row, column) indices. Left, the input channel: the 3 by 3 block of "
        "rows 2 to 4 and columns 2 to 4 is orange, each cell tagged with the kernel weight that "
        "multiplies it, k0,0 at the top left to k2,2 at the bottom right. Right, the output "
        "channel: the same block is red, and the tags run the other way, k2,2 at (2, 2) to k0,0 "
        "at (4, 4)."
    ),
    caption=(
        "Left: output neuron (3, 3) reads the window of rows 2–4 and columns 2–4, the kernel "
        "centred on it. Right: input neuron (3, 3) reaches the nine output neurons around it, "
        "each through one kernel weight, and the weights come in reverse order."
    ),
)

# %% Figure: the impacts of one input neuron, one kernel weight and one bias, from backward.
fig, axes = grid_axes(
    3,
    cell=0.42,
    titles=[
        "$ch^{k-1,1}_{3,3}$: 9 + 9",
        "$ker^{k,1,1}_{0,0}$",
        "$b^{k,1}$",
    ],
)
mask_in = np.abs(J[:49, index(0, 3, 3)]).reshape(7, 7) > 0
for ax, mask, colour in zip(
    axes, (mask_in, mask_w, mask_b), (publish.RED, publish.ORANGE, publish.GREEN), strict=True
):
    text_grid(
        ax,
        [["" for _ in range(7)] for _ in range(7)],
        fills=[[colour if mask[r, s] else None for s in range(7)] for r in range(7)],
    )
publish.figure(
    "impacts",
    fig,
    alt=(
        "Three 7 by 7 grids of output neurons of channel 1. Left: the 3 by 3 block around (3, 3) "
        "is red, 9 cells. Middle: every cell is orange except the top row and the left column, "
        "36 cells. Right: all 49 cells are green."
    ),
    caption=(
        "The output neurons of channel 1 that each variable impacts, read from dlm's backward "
        "pass. An input neuron reaches 9 of them (and 9 more in channel 2), the kernel weight "
        "ker₀,₀ reaches 36 (elsewhere it multiplies the padding), the bias all 49."
    ),
)

# %% Gradient checks, float64: the article's layer, and one with stride 2 on a batch of two.
errors = check_layer(layer, x)
strided = dlm.Convolution2D(3, 2, 3, stride=2, padding=1, rng=np.random.default_rng(1))
x2 = np.random.default_rng(2).standard_normal((2, 3, 7, 7))
errors_strided = check_layer(strided, x2)
print("relative errors:", errors, errors_strided)
assert set(errors) == {"x", "weight", "bias"}
assert all(e < 1e-7 for e in list(errors.values()) + list(errors_strided.values()))
publish.table(
    "gradcheck",
    ["gradient", "Convolution2D(3, 2, 3, padding=1)", "… stride=2, batch of 2"],
    [
        [r"$\delta^k$ (the input)", f"{errors['x']:.1e}", f"{errors_strided['x']:.1e}"],
        [
            r"$\delta ker^k$ (the kernels)",
            f"{errors['weight']:.1e}",
            f"{errors_strided['weight']:.1e}",
        ],
        [r"$\delta b^k$ (the biases)", f"{errors['bias']:.1e}", f"{errors_strided['bias']:.1e}"],
    ],
    align="lrr",
)
worst = max(list(errors.values()) + list(errors_strided.values()))
publish.value("worst_error", f"{worst:.0e}".replace("-", "−"))
