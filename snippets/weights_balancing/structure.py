"""Weights' Balancing: the Example's whole neural structure, forward and backward, for patient 3.

Every neuron of the model is drawn, from the developer's three data slots to the loss: the three
neurons of L1 (Input1D), the one neuron of L2 (Linear) and the one of L3 (Activation). The edges
are the ones the layers really have: the snippet asks each layer for its local derivatives
(``_layers.jacobian``) and draws an edge wherever one is not zero. The values printed under the
neurons are the ``o`` and ``δ`` that flowed through ``dlm.example.example_model()`` for patient 3,
in exact arithmetic.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from dlm.example import EXAMPLE_W, example_data, example_model
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian  # noqa: E402
from _walkthrough import fmt_value, forward_backward  # noqa: E402

publish.style()

# %% Patient 3 forward and backward, in exact fractions.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
loss = forward_backward(model, x[2:3], y_truth[2:3])
o1, o2, o3 = (model[layer].o[0] for layer in (L1, L2, L3))
d2, d3, d4 = (model[layer].dy[0] for layer in (L1, L2, L3))
d1 = model[L1].delta[0]
assert loss == Fraction(1, 2)
assert o2.tolist() == [0] and o3.tolist() == [0]
assert d4.tolist() == [-1] and d3.tolist() == [-1]
assert d2.tolist() == [-w for w in EXAMPLE_W]  # δ² = δ³ w²
assert d1.tolist() == d2.tolist()  # δ¹ = δ², the input layer's copy

# The edges of each layer, read from its local derivatives (float copies of the same layers).
structure = {
    "L1": jacobian(L1, x[2:3].astype(float)),
    "L2": jacobian(L2, x[2:3].astype(float)),
    "L3": jacobian(L3, o2[None].astype(float)),
}
assert (structure["L1"] != 0).sum() == 3 and (structure["L2"] != 0).sum() == 3
model.zero_grad()
forward_backward(model, x[2:3], y_truth[2:3])  # jacobian ran the layers: run the pass again


# %% The drawing.
COLS = {"data": 0.0, "L1": 3.2, "L2": 7.6, "L3": 11.0, "loss": 14.4}
ROWS = (2.0, 0.0, -2.0)
R = 0.42


def neuron(ax, xy, text, fill=publish.BLUE, dashed=False):
    """One neuron (a disc) or one data slot (a dashed ring)."""
    if dashed:
        ax.add_patch(Circle(xy, R, facecolor="none", edgecolor=publish.INK, linestyle="--"))
        ax.text(*xy, text, ha="center", va="center", color=publish.INK, fontsize=10)
    else:
        ax.add_patch(Circle(xy, R, facecolor=fill, edgecolor="none", zorder=2))
        ax.text(*xy, text, ha="center", va="center", color="white", fontsize=10, zorder=3)


def edge(ax, a, b, backward, label=None):
    """A forward edge (grey, left to right) or a learning-flow edge (red, right to left)."""
    start, end = (b, a) if backward else (a, b)
    colour = publish.RED if backward else publish.GREY
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=11,
            shrinkA=R * 40,
            shrinkB=R * 40,
            color=colour,
            linewidth=1.4,
            zorder=1,
        )
    )
    if label:
        t = 0.35
        ax.text(
            a[0] + t * (b[0] - a[0]),
            a[1] + t * (b[1] - a[1]) + 0.28,
            label,
            ha="center",
            va="bottom",
            fontsize=10,
            color=publish.INK,
        )


def pair(ax, xy, o_text, d_text, backward, dy=-0.62):
    """The values a neuron holds: o (ink) and, backward, δ (red), under the neuron."""
    ax.text(xy[0], xy[1] + dy, o_text, ha="center", va="top", fontsize=9, color=publish.INK)
    if backward:
        ax.text(
            xy[0], xy[1] + dy - 0.42, d_text, ha="center", va="top", fontsize=9, color=publish.RED
        )


def model_figure(backward: bool):
    """The whole neural structure of the Example, with patient 3's values."""
    fig = plt.figure(figsize=(9.4, 4.4))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_facecolor("none")
    ax.axis("off")
    ax.set_aspect("equal")
    data_xy = [(COLS["data"], r) for r in ROWS]
    l1_xy = [(COLS["L1"], r) for r in ROWS]
    l2_xy, l3_xy = (COLS["L2"], 0.0), (COLS["L3"], 0.0)
    loss_xy = (COLS["loss"], 0.0)
    for i in range(3):
        neuron(ax, data_xy[i], f"$x_{i + 1}$", dashed=True)
        neuron(ax, l1_xy[i], f"$o^1_{i + 1}$")
        if structure["L1"][i, i] != 0:
            edge(ax, data_xy[i], l1_xy[i], backward)
        if structure["L2"][0, i] != 0:
            edge(ax, l1_xy[i], l2_xy, backward, None if backward else f"$w^2_{i + 1}$")
        pair(ax, data_xy[i], fmt_value(x[2, i]), f"δ¹={fmt_value(d1[i])}", backward)
        pair(ax, l1_xy[i], fmt_value(o1[i]), f"δ²={fmt_value(d2[i])}", backward)
    neuron(ax, l2_xy, "$o^2$")
    neuron(ax, l3_xy, "$o^3$")
    edge(ax, l2_xy, l3_xy, backward)
    edge(ax, l3_xy, loss_xy, backward)
    pair(ax, l2_xy, f"o²={fmt_value(o2[0])}", f"δ³={fmt_value(d3[0])}", backward)
    pair(ax, l3_xy, f"o³={fmt_value(o3[0])}", f"δ⁴={fmt_value(d4[0])}", backward)
    ax.add_patch(
        FancyBboxPatch(
            (loss_xy[0] - 0.2, -0.45),
            1.6,
            0.9,
            boxstyle="round,pad=0.05,rounding_size=0.2",
            facecolor=publish.GREEN,
            edgecolor="none",
        )
    )
    ax.text(loss_xy[0] + 0.6, 0, "Loss", ha="center", va="center", color="white", fontsize=10)
    ax.annotate(
        "",
        xy=(loss_xy[0] + 0.6, 0.5),
        xytext=(loss_xy[0] + 0.6, 1.6),
        arrowprops={"arrowstyle": "-|>", "color": publish.GREY, "linewidth": 1.4},
    )
    ax.text(
        loss_xy[0] + 0.6,
        1.7,
        f"$y^{{truth}}$ = {fmt_value(y_truth[2, 0])}",
        ha="center",
        va="bottom",
        color=publish.INK,
        fontsize=10,
    )
    for name, title in (("L1", "$L^1$ Input1D"), ("L2", "$L^2$ Linear"), ("L3", "$L^3$ ReLU")):
        ax.text(COLS[name], 2.85, title, ha="center", va="bottom", color=publish.INK, fontsize=10)
    ax.text(COLS["data"], 2.85, "data", ha="center", va="bottom", color=publish.INK, fontsize=10)
    ax.set_xlim(-1.2, 16.4)
    ax.set_ylim(-3.6, 3.4)
    return fig


publish.figure(
    "forward",
    model_figure(backward=False),
    alt=(
        "Every neuron of the Example. Three dashed data slots x1, x2, x3 (0, 2000, 3000) each "
        "feed one neuron of L1; the three L1 neurons all feed the single L2 neuron, through the "
        "weights w2_1, w2_2, w2_3; L2 feeds the single L3 neuron (ReLU), which feeds the Loss box, "
        "which also receives y truth = 1. Under each neuron, its output for patient 3: o2 = 0, "
        "o3 = 0."
    ),
    caption=(
        "The information flow through every neuron of the Example, for patient 3. The only "
        "weights sit on the three edges into L²."
    ),
)
publish.figure(
    "backward",
    model_figure(backward=True),
    alt=(
        "The same neurons with red arrows going from the Loss back to the data. Under each neuron, "
        "its output and, in red, the delta at its output: delta4 = -1 at L3, delta3 = -1 at L2, "
        "delta2 = (-0.005, 0.0002586, -0.0001724) at the L1 neurons, and the same values as "
        "delta1 at the data slots."
    ),
    caption=(
        "The learning flow for patient 3: each neuron holds its output o and the δ that "
        "came back to it. δ¹ = δ²: the input layer copies in both directions."
    ),
)

# %% Values for the prose.
publish.value("o1_3", "(" + ", ".join(fmt_value(v) for v in o1) + ")")
publish.value("d2_3", "(" + ", ".join(fmt_value(v) for v in d2) + ")")
publish.value("d4_3", fmt_value(d4[0]))
publish.value("d3_3", fmt_value(d3[0]))
