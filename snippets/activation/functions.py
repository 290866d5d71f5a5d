"""The Activation Layer: every activation function of dlm and its derivative, plotted from dlm's
own forward and backward passes.

For each kind, ``Activation(kind).forward(x)`` gives f(x) on a grid, and ``backward`` with an
upstream gradient of ones gives f'(x): the very slope the layer uses when it learns. The grid
holds 0 exactly, where ReLU's slope is 1 by dlm's convention (the blog's and GrAIdient's; PyTorch
takes 0).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm.gradcheck import numerical_gradient
from dlm_site import publish

publish.style()
dlm.set_default_dtype("float64")

KINDS = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu"]
NAMES = {
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU (slope 0.01)",
    "sigmoid": "logistic (sigmoid)",
    "tanh": "tanh",
    "gelu": "GELU (tanh form)",
}
xs = np.linspace(-4, 4, 801)  # step 0.01: holds 0 exactly
assert xs[400] == 0


def f_and_slope(kind: str, x):
    """f(x) and f'(x), from the layer's forward pass and its backward pass with dy = 1."""
    layer = dlm.Activation(kind)
    y = layer.forward(x[None, :])
    slope = layer.backward(np.ones_like(y))
    return y[0], slope[0]


curves = {kind: f_and_slope(kind, xs) for kind in KINDS}

# %% The facts the article states.
relu, relu_slope = curves["relu"]
sig, sig_slope = curves["sigmoid"]
assert sig[400] == 0.5  # logistic(0) = 1/2
assert sig.min() > 0 and sig.max() < 1  # squeezed into (0, 1)
assert np.isclose(sig_slope[400], 0.25)
assert relu_slope[400] == 1  # ReLU's slope at exactly 0 is 1 in dlm
assert (relu_slope == (xs >= 0)).all()  # ReLU's slope is the Heaviside step, H(0) = 1
assert (relu == np.where(xs >= 0, xs, 0)).all()
assert curves["leaky_relu"][1][400] == 1
assert np.isclose(curves["tanh"][1][400], 1)
# At the kink, a central difference averages the two sides: it sees 1/2, not 1 (nor 0).
at_zero = np.zeros((1, 1))
layer = dlm.Activation("relu")
kink_numeric = numerical_gradient(lambda: float(layer.forward(at_zero).sum()), at_zero)[0, 0]
assert np.isclose(kink_numeric, 0.5)
# Away from 0, the slopes agree with finite differences of the forward pass, for every kind.
for kind in KINDS:
    away = xs[np.abs(xs) > 0.05]
    layer = dlm.Activation(kind)
    numeric = (layer.forward(away + 1e-6) - layer.forward(away - 1e-6)) / 2e-6
    assert np.allclose(numeric, f_and_slope(kind, away)[1], atol=1e-7), kind

publish.value("sigmoid_at_0", f"{sig[400]:g}")
publish.value("sigmoid_slope_at_0", f"{sig_slope[400]:g}")
publish.value("relu_slope_at_0", f"{relu_slope[400]:g}")
publish.value("kink_numeric", f"{kink_numeric:g}")

# %% Figure: each function (solid) and its derivative (dashed).
fig, axes = plt.subplots(2, 3, figsize=(7.2, 4.6), sharex=True)
for ax, kind in zip(axes.flat, KINDS, strict=False):
    y, slope = curves[kind]
    ax.axhline(0, color=publish.GREY, linewidth=0.6)
    ax.axvline(0, color=publish.GREY, linewidth=0.6)
    ax.plot(xs, y, color=publish.BLUE, linewidth=2, label="$f(x)$")
    if kind in ("relu", "leaky_relu"):
        # The slope jumps at 0: draw each side alone, and mark the value dlm takes at 0.
        left, right = xs < 0, xs >= 0
        ax.plot(xs[left], slope[left], color=publish.ORANGE, linewidth=2, linestyle="--")
        ax.plot(
            xs[right],
            slope[right],
            color=publish.ORANGE,
            linewidth=2,
            linestyle="--",
            label="$f'(x)$",
        )
        ax.plot([0], [slope[400]], "o", color=publish.ORANGE, markersize=6)
        ax.plot(
            [0],
            [slope[399]],
            "o",
            markerfacecolor="none",
            markeredgecolor=publish.ORANGE,
            markersize=6,
        )
    else:
        ax.plot(xs, slope, color=publish.ORANGE, linewidth=2, linestyle="--", label="$f'(x)$")
    ax.set_title(NAMES[kind], fontsize=10)
    ax.set_ylim(-1.3, 2.3 if kind in ("relu", "leaky_relu", "gelu") else 1.3)
    ax.set_xlim(-4, 4)
    ax.tick_params(labelsize=8)
legend_ax = axes.flat[-1]
legend_ax.axis("off")
handles, labels = axes.flat[2].get_legend_handles_labels()
legend_ax.legend(handles, ["$f(x)$: forward", "$f'(x)$: backward slope"], loc="center")
fig.tight_layout()
publish.figure(
    "functions",
    fig,
    alt=(
        "Five small plots for x from −4 to 4, each with the function as a solid blue line and "
        "its derivative as a dashed orange line. ReLU: zero on the left, the identity on the "
        "right; its derivative jumps from 0 to 1 at x = 0, with a filled dot at 1 on x = 0. "
        "Leaky ReLU: the same with a slight slope 0.01 on the left. Logistic: an S curve from 0 "
        "to 1 through 0.5, with a bell-shaped derivative peaking at 0.25. Tanh: an S curve from "
        "−1 to 1, derivative peaking at 1. GELU: close to ReLU, smooth, dipping slightly below 0."
    ),
    caption=(
        "dlm's activation functions (solid) and their slopes (dashed), computed by the layer's "
        "own forward and backward passes. The filled dot is the slope dlm takes at exactly 0 "
        "for ReLU and leaky ReLU: 1."
    ),
)
