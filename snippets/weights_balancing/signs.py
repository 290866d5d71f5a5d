"""Weights' Balancing: the five situations of an update, the dead ReLU, and convexity.

1. The sign table. For each of the five situations (δ³ = 0; δ³ < 0 or > 0, with o¹₁ ≥ 0 or < 0),
   a patient is built that lands in it, the Example's model takes one gradient-descent step on
   that patient, and the snippet checks that w²₁ moves the way the table says. The Example's own
   data has no negative input, so the two situations with o¹₁ < 0 need a patient of our own (a
   broccoli count measured against an average, say).
2. The dead ReLU. With weights that make o² < 0 for patient 3 (who should get 1), a ReLU passes no
   gradient back, and the weights cannot move. A leaky ReLU (slope 0.01 on the left) lets 1% of δ⁴
   through, with the sign that pushes o² back up.
3. Convexity. The loss of patient 3 as a function of one weight, w²₃, with the ReLU and without it:
   a parabola without it, a flat plateau joined to a parabola with it. A chord that passes under
   the curve shows that the second one is not convex.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm.example import EXAMPLE_LR, EXAMPLE_W, as_float, example_data
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import fmt_value, forward_backward  # noqa: E402

publish.style()


def sign(v) -> int:
    """-1, 0 or 1."""
    return (v > 0) - (v < 0)


def example_like(kind: str = "relu", w=EXAMPLE_W, exact: bool = True) -> dlm.Model:
    """The Example's three layers with the activation ``kind`` and the weights ``w``."""
    L2 = dlm.Linear(3, 1, bias=False)
    if exact:
        L2.params["weight"] = np.array([[Fraction(v) for v in w]], dtype=object)
    else:
        L2.params["weight"] = np.array([[float(v) for v in w]])
    L2.zero_grad()
    return dlm.sequential(dlm.Input1D(3), L2, dlm.Activation(kind))


def one_step(model: dlm.Model, x, y) -> dict:
    """One per-sample gradient-descent step on one patient; what flowed and how w² moved."""
    L1, L2, L3 = model.layers
    forward_backward(model, x, y)
    move = -EXAMPLE_LR * L2.grads["weight"][0]
    L2.params["weight"][0] = L2.params["weight"][0] + move
    return {
        "o2": model[L2].o[0, 0],
        "o3": model[L3].o[0, 0],
        "d3": model[L2].dy[0, 0],
        "d4": model[L3].dy[0, 0],
        "move": move,
    }


# %% 1. The five situations, each with a patient that lands in it.
x_ex, y_ex = example_data()
cases = [
    # (δ³ sign, o¹₁ sign, patient, truth, what the table says w²₁ does)
    ("δ³ = 0", "any", x_ex[1], y_ex[1, 0], 0),
    ("δ³ < 0", "o¹₁ ≥ 0", (50, 0, 1500), 1, 1),
    ("δ³ < 0", "o¹₁ < 0", (-50, 0, 3000), 1, -1),
    ("δ³ > 0", "o¹₁ ≥ 0", (300, 0, 0), 1, -1),
    ("δ³ > 0", "o¹₁ < 0", (-100, 0, 6000), 0, 1),
]
WORDS = {0: "as expected", -1: "too low", 1: "too high"}
TABLE = {0: "unchanged", 1: "increase", -1: "decrease"}
rows = []
for d3_text, o1_text, patient, truth, expected in cases:
    x = np.array([[Fraction(v) for v in patient]], dtype=object)
    y = np.array([[Fraction(truth)]], dtype=object)
    step = one_step(example_like(), x, y)
    # The case is the one announced, and w²₁ moves as the table says.
    assert sign(step["d3"]) == {"δ³ = 0": 0, "δ³ < 0": -1, "δ³ > 0": 1}[d3_text]
    assert o1_text == "any" or (x[0, 0] >= 0) == (o1_text == "o¹₁ ≥ 0")
    assert sign(step["move"][0]) == expected
    rows.append(
        [
            d3_text,
            o1_text,
            "(" + ", ".join(fmt_value(v) for v in x[0]) + ")",
            fmt_value(truth),
            fmt_value(step["o3"], 3),
            WORDS[sign(step["d3"])],
            fmt_value(step["d3"], 3),
            fmt_value(step["move"][0], 3),
            TABLE[expected],
        ]
    )
publish.table(
    "situations",
    ["δ³", "o¹₁", "patient x", "y", "o³", "model result", "δ³", "move of w²₁", "ŵ²₁"],
    rows,
    align="cccccccrc",
)

# %% 2. The dead ReLU: patient 3 with a weight on candy ten times too strong... the other way.
dead_w = (EXAMPLE_W[0], Fraction(-1, 1000), EXAMPLE_W[2])
x3, y3 = x_ex[2:3], y_ex[2:3]
relu = one_step(example_like("relu", dead_w), x3, y3)
assert relu["o2"] < 0 and relu["o3"] == 0 and relu["d4"] == -1
assert relu["d3"] == 0 and (relu["move"] == 0).all()  # something to learn, nothing learnt
# Leaky ReLU multiplies by a float (0.01), so this model runs in float64.
leaky = one_step(example_like("leaky_relu", dead_w, exact=False), as_float(x3), as_float(y3))
assert np.isclose(leaky["d3"], 0.01 * leaky["d4"]) and leaky["d3"] < 0
assert leaky["move"][0] == 0 and leaky["move"][1] > 0 and leaky["move"][2] > 0  # o² pushed up
publish.value("dead_w2", fmt_value(dead_w[1]))
publish.value("dead_o2", fmt_value(relu["o2"], 3))
publish.value("dead_d4", fmt_value(relu["d4"]))
publish.value("leaky_o3", fmt_value(leaky["o3"], 3))
publish.value("leaky_d4", fmt_value(leaky["d4"], 4))
publish.value("leaky_d3", fmt_value(leaky["d3"], 4))
publish.value("leaky_move", "(" + ", ".join(fmt_value(v, 3) for v in leaky["move"]) + ")")

# %% 3. Convexity: the loss of patient 3 along w²₃, with and without the ReLU.
loss = dlm.MSE()


def loss_along(kind: str, w3s) -> np.ndarray:
    """Patient 3's loss for each value of w²₃ in ``w3s``, the other weights as in the Example."""
    values = []
    for w3 in w3s:
        w = (EXAMPLE_W[0], EXAMPLE_W[1], Fraction(w3))
        model = (
            example_like(kind, w) if kind else dlm.sequential(*example_like("relu", w).layers[:2])
        )
        values.append(loss.forward(model.forward(x3), y3))
    return as_float(values)


# w²₃ such that o² = w² · x runs from -2 to 3 (x₃ = 3000; the other terms add up to -1/2).
o2_grid = [Fraction(k, 20) for k in range(-40, 61)]
w3_grid = [(o2 - EXAMPLE_W[1] * 2000) / 3000 for o2 in o2_grid]
with_relu = loss_along("relu", w3_grid)
linear_only = loss_along(None, w3_grid)
# Chord test between o² = -1 and o² = 1, at their midpoint o² = 0.
a, b, mid = o2_grid.index(-1), o2_grid.index(1), o2_grid.index(0)
assert with_relu[mid] > (with_relu[a] + with_relu[b]) / 2  # above its chord: not convex
assert linear_only[mid] <= (linear_only[a] + linear_only[b]) / 2  # a parabola: below its chord
# Without the ReLU, every chord of the sampled curve lies above it (second differences >= 0).
assert (np.diff(linear_only, 2) >= -1e-12).all()
assert (np.diff(with_relu, 2) < -1e-12).any()
publish.value("chord_mid", f"{(with_relu[a] + with_relu[b]) / 2:g}")
publish.value("loss_mid", f"{with_relu[mid]:g}")

w3 = as_float(w3_grid) * 1e4
fig, ax = plt.subplots(figsize=(6.8, 3.8))
ax.plot(w3, linear_only, color=publish.GREY, linestyle="--", label="without the ReLU")
ax.plot(w3, with_relu, color=publish.BLUE, linewidth=2, label="with the ReLU (the Example)")
ax.plot(
    [w3[a], w3[b]],
    [with_relu[a], with_relu[b]],
    color=publish.RED,
    marker="o",
    label="a chord under the curve",
)
ax.plot([w3[mid]], [with_relu[mid]], color=publish.BLUE, marker="o")
ax.set_xlabel("$w^2_3$ (×10⁻⁴), the other weights fixed")
ax.set_ylabel("loss of patient 3")
ax.set_ylim(-0.1, 2.2)
ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3)
fig.tight_layout()
publish.figure(
    "convexity",
    fig,
    alt=(
        "Patient 3's loss as a function of w2_3. Without the ReLU (dashed) it is a parabola with "
        "its minimum where o2 = 1. With the ReLU (solid) it is flat at 0.5 wherever o2 is "
        "negative, then follows the parabola. A red chord joins the points at o2 = -1 and o2 = 1; "
        "the solid curve at o2 = 0 lies above it."
    ),
    caption=(
        "The loss is convex in the output o³, and without the ReLU it is convex in w² too "
        "(dashed). With the ReLU it is not: the chord (red) passes under the curve, and on the "
        "flat part the gradient is zero."
    ),
)
