"""The Linear Function: what each output neuron of a Linear layer means, and when it fires.

A ``dlm.Linear(3, 2, bias=False)`` with hand-picked weights stands for one layer L^k of a network.
Its inputs are given meanings for illustration: eats vegetables, had a rare childhood operation,
works out regularly. Output 1 has the signs (+, -, +), output 2 the signs (-, 0, -).

- The signs: by finite differences, raising input i (the others held fixed) moves output j in the
  direction of the sign of w^{k,j}_i, and not at all when the weight is 0.
- The learning flow: one backward pass, checked against
  δ^k_1 = δ^{k+1}_1 w^{k,1}_1 + δ^{k+1}_2 w^{k,2}_1, where w^{k,2}_1 < 0.
- The threshold: with a bias b and a ReLU, output 1 is positive exactly where w^{k,1} · x > -b,
  checked on a grid of inputs and drawn as a heat map with the line w^{k,1} · x = -b.
"""

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

import dlm
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402
from _walkthrough import fmt_value  # noqa: E402

dlm.set_default_dtype("float64")
publish.style()

MEANINGS = ("eats vegetables", "rare operation", "works out")
W = np.array([[0.6, -0.9, 0.5], [-0.7, 0.0, -0.4]])  # (out, in): w^{k,1} and w^{k,2}

layer = dlm.Linear(3, 2, bias=False)
layer.params["weight"][...] = W
x = np.array([[0.8, 0.0, 0.6]])  # o^{k-1}: vegetables often, no operation, works out a bit
o = layer.forward(x)

# %% The neural structure, drawn from the layer's own derivatives: no edge where a weight is 0.
J = jacobian(layer, x)
assert np.array_equal(J, W)
assert J[1, 1] == 0  # the operation does not enter output 2

SIGN = {1: "+", -1: "−", 0: "0"}
fig = neuron_figure(
    J,
    in_labels=[f"$o^{{k-1}}_{i + 1}$\n{m}" for i, m in enumerate(MEANINGS)],
    out_labels=["$o^{k}_1$\nin good shape", "$o^{k}_2$\nno regular habit"],
    edge_labels={
        (j, i): f"{SIGN[int(np.sign(W[j, i]))]}{abs(W[j, i]):g}"
        for j in range(2)
        for i in range(3)
        if W[j, i] != 0
    },
    label_at={(j, i): 0.25 if j == 0 else 0.8 for j in range(2) for i in range(3)},
    colour_by_output=True,
    in_title="$L^{k-1}$",
    out_title="$L^{k}$",
)
publish.figure(
    "meanings",
    fig,
    alt=(
        "Three input neurons (eats vegetables, rare operation, works out) and two output neurons. "
        "Output 1, 'in good shape', receives +0.6 from vegetables, -0.9 from the operation and "
        "+0.5 from working out. Output 2, 'no regular habit', receives -0.7 from vegetables and "
        "-0.4 from working out, and no edge from the operation."
    ),
    caption=(
        "Two output neurons share the same three inputs and differ only by their weights. The "
        "meanings are ours, for illustration; the layer only knows the signs and sizes."
    ),
)

# %% The signs, by finite differences: raise one input, hold the others.
h = 1e-3
for i in range(3):
    bumped = x.copy()
    bumped[0, i] += h
    change = layer.forward(bumped) - layer.forward(x)
    for j in range(2):
        assert np.sign(np.round(change[0, j], 12)) == np.sign(W[j, i]), (i, j)

# %% The learning flow back to the inputs.
d_next = np.array([[-1.0, 0.5]])  # δ^{k+1}: output 1 should grow, output 2 shrink
layer.zero_grad()
layer.forward(x)
d = layer.backward(d_next)  # δ^k
assert np.isclose(d[0, 0], d_next[0, 0] * W[0, 0] + d_next[0, 1] * W[1, 0])
assert W[1, 0] < 0 and d[0, 0] < 0  # both paths agree: use vegetables more
assert d[0, 1] > 0  # and the operation less
publish.value("d_next", f"({fmt_value(d_next[0, 0])}, {fmt_value(d_next[0, 1])})")
publish.value("d1", fmt_value(d[0, 0]))
publish.value("d2", fmt_value(d[0, 1]))
publish.value("d3", fmt_value(d[0, 2]))
publish.value("w11", fmt_value(W[0, 0]))
publish.value("w21", fmt_value(W[1, 0]))
publish.value("o_k", f"({fmt_value(o[0, 0])}, {fmt_value(o[0, 1])})")

# %% The threshold: a bias and a ReLU after output 1.
B1 = -0.4
neuron = dlm.Linear(3, 1)
neuron.params["weight"][...] = W[:1]
neuron.params["bias"][...] = B1
fires = dlm.sequential(dlm.Input1D(3), neuron, dlm.Activation("relu"))
veg, work = np.meshgrid(np.linspace(0, 1, 201), np.linspace(0, 1, 201))
grid = np.stack([veg.ravel(), np.zeros(veg.size), work.ravel()], axis=1)  # no operation
out = fires.forward(grid).reshape(veg.shape)
score = grid @ W[0]
away = np.abs(score + B1) > 1e-12  # leave out the points that sit on the line itself
assert np.array_equal((out > 0)[away.reshape(veg.shape)], (score > -B1)[away])
publish.value("b1", fmt_value(B1))
publish.value("minus_b1", fmt_value(-B1))
publish.value("fire_share", f"{(out > 0).mean():.0%}")

cmap = LinearSegmentedColormap.from_list("fire", ["#f0c08a", publish.RED])
cmap.set_under(publish.GREY)  # exactly 0: the silent side
fig, ax = plt.subplots(figsize=(5.2, 4.0))
image = ax.imshow(out, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, aspect="equal", vmin=1e-9)
line_x = np.linspace(0, 1, 2)
ax.plot(
    line_x, (-B1 - W[0, 0] * line_x) / W[0, 2], color=publish.INK, linestyle="--", linewidth=1.5
)
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.set_xlabel("eats vegetables, $o^{k-1}_1$")
ax.set_ylabel("works out, $o^{k-1}_3$")
ax.text(0.05, 0.08, "silent: ReLU gives 0", color="white", fontsize=9)
ax.text(0.95, 0.92, "fires", color="white", fontsize=10, ha="right", va="top")
bar = fig.colorbar(image, ax=ax, shrink=0.85, extend="min")
bar.set_label("$ReLU(w^{k,1} \\cdot o^{k-1} + b^k_1)$")
fig.tight_layout()
publish.figure(
    "threshold",
    fig,
    alt=(
        "Heat map over two inputs, vegetables (horizontal, 0 to 1) and working out (vertical, 0 "
        "to 1), of the ReLU of 0.6 times vegetables plus 0.5 times working out minus 0.4. The "
        "lower-left corner is flat grey, where the neuron is silent; a dashed straight line from "
        "about (0.67, 0) to (0, 0.8) separates it from the upper-right region, which goes from "
        "light orange near the line to red in the far corner as the output grows."
    ),
    caption=(
        "A Linear neuron followed by a ReLU fires only on one side of a straight line "
        "(dashed), where its weighted sum equals minus its bias: the bias sets the threshold."
    ),
)
