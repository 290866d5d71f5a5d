"""The Linear Layer: the neural structure of a small dlm Linear layer, its two passes neuron by
neuron, the same passes as matrix products, and a gradient check.

The layer is ``dlm.Linear(3, 2)``: three input neurons (the outputs o^{k-1} of the layer before)
and two output neurons. Its weights come from dlm's seeded initialiser, rounded to one decimal so
that a reader can redo every sum by hand.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.gradcheck import check_layer, numerical_gradient, relative_error
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402
from _walkthrough import fmt_value  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% A Linear layer with 3 inputs and 2 outputs; weights rounded to one decimal.
layer = dlm.Linear(3, 2, rng=np.random.default_rng(0))
layer.params["weight"] = np.round(layer.params["weight"], 1)  # W: (out, in) = (2, 3)
layer.params["bias"] = np.round(layer.params["bias"], 1)  # b: (2,)
layer.zero_grad()
W, b = layer.params["weight"], layer.params["bias"]
print("W =", W.tolist(), " b =", b.tolist())
n_params = sum(p.value.size for p in layer.parameters())
assert W.size == 6 and b.size == 2 and n_params == 8

# %% Forward: each output neuron j sums every input neuron i, weighted by W[j, i], plus b[j].
o_prev = np.array([[2.0, 1.0, -1.0]])  # o^{k-1}: one sample, three neurons
o = layer.forward(o_prev)  # o^k: (1, 2)
by_hand = [sum(W[j, i] * o_prev[0, i] for i in range(3)) + b[j] for j in range(2)]
assert np.allclose(o[0], by_hand)
assert np.allclose(o, o_prev @ W.T + b)  # the matrix form
assert np.allclose(o[0], [0.7, -1.0])
print("o^k =", o.tolist())

# %% Backward: each input neuron impacts both outputs, so its δ sums two impacts.
delta_next = np.array([[1.0, -0.5]])  # δ^{k+1}, handed back by the next layer
delta = layer.backward(delta_next)  # δ^k: (1, 3)
delta_by_hand = [sum(delta_next[0, j] * W[j, i] for j in range(2)) for i in range(3)]
dw_by_hand = [[delta_next[0, j] * o_prev[0, i] for i in range(3)] for j in range(2)]
assert np.allclose(delta[0], delta_by_hand)
assert np.allclose(delta, delta_next @ W)  # δ^k = W^T δ^{k+1}, one sample per row
assert np.allclose(layer.grads["weight"], dw_by_hand)
assert np.allclose(layer.grads["weight"], delta_next.T @ o_prev)  # δW = δ^{k+1} (o^{k-1})^T
assert np.allclose(layer.grads["bias"], delta_next[0])  # δb = δ^{k+1}
assert np.allclose(delta[0], [0.5, -0.5, -0.75])
print("δ^k =", delta.tolist())
grad_w, grad_b = (
    layer.grads["weight"].copy(),
    layer.grads["bias"].copy(),
)  # before jacobian() zeroes them
print("δW =", grad_w.tolist(), " δb =", grad_b.tolist())

# The local derivative ∂o^k_j/∂X^k_i, asked of the layer's own backward pass, is the weight:
# the edges of the neural structure carry exactly W.
J = jacobian(layer, o_prev)
assert np.array_equal(J, W)

# %% Values for the prose. Plain "-" inside maths; a typographic minus in the text.


def tex(v) -> str:
    """A number for a LaTeX formula: negatives in parentheses."""
    text = f"{float(v):g}"
    return f"({text})" if v < 0 else text


for j in range(2):
    terms = " + ".join(rf"{tex(W[j, i])} \times {tex(o_prev[0, i])}" for i in range(3))
    publish.value(f"forward_sum{j + 1}", f"{terms} + {tex(b[j])}")
    publish.value(f"o{j + 1}", fmt_value(o[0, j]))
    publish.value(f"o{j + 1}_tex", f"{float(o[0, j]):g}")
for i in range(3):
    terms = " + ".join(rf"{tex(delta_next[0, j])} \times {tex(W[j, i])}" for j in range(2))
    publish.value(f"backward_sum{i + 1}", terms)
    publish.value(f"delta{i + 1}_tex", f"{float(delta[0, i]):g}")
    publish.value(f"x{i + 1}", fmt_value(o_prev[0, i]))
for j in range(2):
    publish.value(f"dnext{j + 1}", fmt_value(delta_next[0, j]))
    publish.value(f"b{j + 1}", fmt_value(b[j]))
    for i in range(3):
        publish.value(f"w{j + 1}{i + 1}", fmt_value(W[j, i]))
publish.value("n_weights", W.size)
publish.value("n_biases", b.size)
publish.value("n_params", n_params)


def paren(v) -> str:
    """A number for a product in the text: negatives in parentheses."""
    return f"({fmt_value(v)})" if v < 0 else fmt_value(v)


rows = []
for j in range(2):
    cells = [
        f"{fmt_value(delta_next[0, j])} × {paren(o_prev[0, i])} = **{fmt_value(grad_w[j, i])}**"
        for i in range(3)
    ]
    rows.append([f"output $j = {j + 1}$", *cells, f"**{fmt_value(grad_b[j])}**"])
publish.table(
    "weight_gradients",
    [
        r"$\delta w^{k,j}_i = \delta^{k+1}_j\,o^{k-1}_i$",
        "input $i = 1$",
        "input $i = 2$",
        "input $i = 3$",
        r"bias: $\delta b^k_j = \delta^{k+1}_j$",
    ],
    rows,
    align="lcccc",
)

# %% Figure: the neural structure, symbolic.
# Labels of the edges into output 1 near the inputs, those into output 2 near the outputs.
SPREAD = {(j, i): 0.2 if j == 0 else 0.68 for j in range(2) for i in range(3)}
sym_in = [f"$o^{{k-1}}_{i + 1}$" for i in range(3)]
sym_out = [f"$o^{{k}}_{j + 1}$" for j in range(2)]
notes_in = [f"$X^{{k}}_{i + 1}$" for i in range(3)]
notes_out = [f"$X^{{k+1}}_{j + 1}$" for j in range(2)]
fig = neuron_figure(
    J,
    in_labels=sym_in,
    out_labels=sym_out,
    in_notes=notes_in,
    out_notes=notes_out,
    edge_labels={(j, i): f"$w^{{k,{j + 1}}}_{i + 1}$" for j in range(2) for i in range(3)},
    label_at=SPREAD,
    colour_by_output=True,
    in_title="$L^{k-1}$",
    out_title="$L^{k}$",
    title="Linear(3, 2)",
)
publish.figure(
    "structure",
    fig,
    alt=(
        "Three input neurons on the left, o^{k-1}_1 to o^{k-1}_3, and two output neurons on the "
        "right, o^k_1 and o^k_2. Every input is joined to every output by an arrow labelled with "
        "its weight w^{k,j}_i: six arrows in all, three orange ones into the first output and "
        "three green ones into the second."
    ),
    caption=(
        "The neural structure of a Linear layer with 3 inputs and 2 outputs: every input neuron "
        "is joined to every output neuron, and each arrow carries one weight. Drawn from the "
        "local derivatives that dlm's Linear(3, 2) reports, which are exactly its weights."
    ),
)

# %% Figure: the forward pass with numbers.
fig = neuron_figure(
    J,
    in_labels=[f"$o^{{k-1}}_{i + 1}$ = {fmt_value(o_prev[0, i])}" for i in range(3)],
    out_labels=[
        f"$o^{{k}}_{j + 1}$ = {fmt_value(o[0, j])}\n(bias {fmt_value(b[j])})" for j in range(2)
    ],
    edge_labels={(j, i): fmt_value(W[j, i]) for j in range(2) for i in range(3)},
    label_at=SPREAD,
    colour_by_output=True,
    in_title="$L^{k-1}$",
    out_title="$L^{k}$",
    title="forward",
)
publish.figure(
    "forward",
    fig,
    alt=(
        f"The same structure with numbers. Inputs {', '.join(fmt_value(v) for v in o_prev[0])}. "
        f"The arrows into output 1 carry {', '.join(fmt_value(v) for v in W[0])} and its bias is "
        f"{fmt_value(b[0])}, giving {fmt_value(o[0, 0])}. The arrows into output 2 carry "
        f"{', '.join(fmt_value(v) for v in W[1])} and its bias is {fmt_value(b[1])}, giving "
        f"{fmt_value(o[0, 1])}."
    ),
    caption=(
        "The forward pass: each output neuron adds up its three inputs, each times the weight on "
        "its arrow, then adds its bias."
    ),
)

# %% Figure: the learning flow into the first input neuron.
pair_in = [
    f"$o^{{k-1}}_{i + 1}$ = {fmt_value(o_prev[0, i])}\n$\\delta^{{k}}_{i + 1}$ = "
    f"{fmt_value(delta[0, i]) if i == 0 else '?'}"
    for i in range(3)
]
pair_out = [
    f"$o^{{k}}_{j + 1}$ = {fmt_value(o[0, j])}\n$\\delta^{{k+1}}_{j + 1}$ = "
    f"{fmt_value(delta_next[0, j])}"
    for j in range(2)
]
fig = neuron_figure(
    J,
    in_labels=pair_in,
    out_labels=pair_out,
    edge_labels={(j, 0): f"$w^{{k,{j + 1}}}_1$ = {fmt_value(W[j, 0])}" for j in range(2)},
    label_at=0.5,
    backward=True,
    show=[(0, 0), (1, 0)],
    ghost=True,
    highlight_in=[0],
    in_title="$L^{k-1}$",
    out_title="$L^{k}$",
    title="backward: the two paths from input 1",
)
publish.figure(
    "backward",
    fig,
    alt=(
        "The structure again, each neuron holding its pair (o, δ). Two red arrows go back from "
        f"the outputs, whose δ are {fmt_value(delta_next[0, 0])} and "
        f"{fmt_value(delta_next[0, 1])}, to the first input, through weights "
        f"{fmt_value(W[0, 0])} and {fmt_value(W[1, 0])}. The first input's δ is "
        f"{fmt_value(delta[0, 0])}; the other inputs' δ are still question marks."
    ),
    caption=(
        "The learning flow into the first input neuron. It impacts the loss along two paths, one "
        "through each output neuron, so its δ is the sum of two products."
    ),
)

# %% Gradient check: the layer's backward pass against central differences, in float64.
layer.zero_grad()
rng = np.random.default_rng(1)
x_check = rng.standard_normal((4, 3))  # a batch of 4 samples
errors = check_layer(layer, x_check)
print("relative errors:", errors)
assert set(errors) == {"x", "weight", "bias"}
assert all(e < 1e-7 for e in errors.values()), errors

# The same check by hand for δ^k of the worked example: f = Σ δ^{k+1} · o^k.
v = o_prev.copy()
g_hat = numerical_gradient(lambda: float((delta_next * layer.forward(v)).sum()), v)
assert relative_error(delta, g_hat) < 1e-9

publish.table(
    "gradcheck",
    [
        "gradient",
        r"relative error $\lVert g - \hat g\rVert / (\lVert g\rVert + \lVert \hat g\rVert)$",
    ],
    [
        [r"$\delta^k$ (the input)", f"{errors['x']:.1e}"],
        [r"$\delta w^k$ (the weights)", f"{errors['weight']:.1e}"],
        [r"$\delta b^k$ (the biases)", f"{errors['bias']:.1e}"],
    ],
    align="lr",
)
publish.value("worst_error", f"{max(errors.values()):.0e}".replace("-", "−"))
