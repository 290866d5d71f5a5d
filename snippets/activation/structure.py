"""The Activation Layer: the neural structure of a dlm Activation layer, its two passes neuron by
neuron, the Example's L3, and a gradient check of every activation kind.

The layer before is the Linear(3, 2) of "The Linear Layer", with the same rounded weights and the
same input, so the activation receives its outputs o^{k-1} = (0.7, −1).
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.example import example_data, example_model
from dlm.gradcheck import check_layer
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402
from _walkthrough import fmt_value, forward_backward  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% L^{k-1}: the Linear(3, 2) of the previous article; L^k: a ReLU activation on its 2 outputs.
linear = dlm.Linear(3, 2, rng=np.random.default_rng(0))
linear.params["weight"] = np.round(linear.params["weight"], 1)
linear.params["bias"] = np.round(linear.params["bias"], 1)
layer = dlm.Activation("relu")
assert layer.params == {}  # no weights: a passive layer
o_prev = linear.forward(np.array([[2.0, 1.0, -1.0]]))  # o^{k-1}
assert np.allclose(o_prev, [[0.7, -1.0]])
o = layer.forward(o_prev)  # o^k
assert o.shape == o_prev.shape  # as many neurons out as in
assert np.allclose(o, [[0.7, 0.0]])

# %% Backward: one path per neuron, so δ^k_i = δ^{k+1}_i · f'(o^{k-1}_i).
delta_next = np.array([[0.4, 0.8]])  # δ^{k+1}, handed back by the next layer
delta = layer.backward(delta_next)
slopes = (o_prev >= 0).astype(float)  # ReLU's slope: 1 where the input is >= 0, else 0
assert np.allclose(delta, delta_next * slopes)
assert np.allclose(delta, [[0.4, 0.0]])
J = jacobian(layer, o_prev)  # ∂o^k_j/∂X^k_i: zero off the diagonal, the slope on it
assert np.array_equal(J, np.diag(slopes[0]))
print("o^{k-1} =", o_prev.tolist(), " o^k =", o.tolist())
print("δ^{k+1} =", delta_next.tolist(), " δ^k =", delta.tolist())

for i in range(2):
    publish.value(f"in{i + 1}", fmt_value(o_prev[0, i]))
    publish.value(f"out{i + 1}", fmt_value(o[0, i]))
    publish.value(f"dnext{i + 1}", fmt_value(delta_next[0, i]))
    publish.value(f"delta{i + 1}", fmt_value(delta[0, i]))
    publish.value(f"slope{i + 1}", fmt_value(slopes[0, i]))

# %% Figure: the structure, symbolic. Each output neuron is fed by its own input neuron only.
sigmoid = dlm.Activation("sigmoid")
J_any = jacobian(sigmoid, o_prev)  # a smooth kind: every slope non-zero, the one-to-one shape
assert (J_any != 0).sum() == 2 and (np.diag(J_any) != 0).all()
fig = neuron_figure(
    J_any,
    in_labels=[f"$o^{{k-1}}_{i + 1}$" for i in range(2)],
    out_labels=[f"$o^{{k}}_{i + 1}$" for i in range(2)],
    in_notes=[f"$X^{{k}}_{i + 1}$" for i in range(2)],
    out_notes=[f"$X^{{k+1}}_{i + 1}$" for i in range(2)],
    edge_labels={(i, i): "$act$" for i in range(2)},
    label_at=0.5,
    in_title="$L^{k-1}$ (Linear)",
    out_title="$L^{k}$ (Activation)",
)
publish.figure(
    "structure",
    fig,
    alt=(
        "Two neurons on the left, o^{k-1}_1 and o^{k-1}_2, and two on the right, o^k_1 and "
        "o^k_2. Only two arrows, both labelled act: from the first neuron to the first, and "
        "from the second to the second."
    ),
    caption=(
        "The neural structure of an Activation layer: one arrow per neuron, no weight. Drawn "
        "from the local derivatives that a dlm Activation layer reports: none off the diagonal."
    ),
)

# %% Figure: both passes with numbers, on a ReLU.
fig = neuron_figure(
    J,
    in_labels=[
        f"$o^{{k-1}}_{i + 1}$ = {fmt_value(o_prev[0, i])}\n"
        f"$\\delta^{{k}}_{i + 1}$ = {fmt_value(delta[0, i])}"
        for i in range(2)
    ],
    out_labels=[
        f"$o^{{k}}_{i + 1}$ = {fmt_value(o[0, i])}\n"
        f"$\\delta^{{k+1}}_{i + 1}$ = {fmt_value(delta_next[0, i])}"
        for i in range(2)
    ],
    edge_labels={(i, i): f"× {fmt_value(slopes[0, i])}" for i in range(2)},
    label_at=0.5,
    backward=True,
    show=[(0, 0), (1, 1)],
    in_title="$L^{k-1}$ (Linear)",
    out_title="$L^{k}$ (ReLU)",
)
publish.figure(
    "relu",
    fig,
    alt=(
        f"The same two-by-two structure on a ReLU. The first neuron receives "
        f"{fmt_value(o_prev[0, 0])}, outputs {fmt_value(o[0, 0])}, and its δ "
        f"{fmt_value(delta_next[0, 0])} goes back times 1. The second receives "
        f"{fmt_value(o_prev[0, 1])}, outputs 0, and its δ {fmt_value(delta_next[0, 1])} goes "
        "back times 0, so its input's δ is 0."
    ),
    caption=(
        "A ReLU after one pass forward and back: each neuron holds its pair (o, δ). Each δ goes "
        "back along its single arrow, multiplied by the slope of the function where the forward "
        "pass was: 1 for a positive input, 0 for a negative one."
    ),
)

# %% The Example's L3: a ReLU with one neuron, between L2 (Linear) and the loss.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
assert L3.describe() == "Activation(kind='relu')"
forward_backward(model, x[2:3], y_truth[2:3])  # the third patient
o2, o3 = model[L2].o[0, 0], model[L3].o[0, 0]
delta4, delta3 = model[L3].dy[0, 0], model[L3].delta[0, 0]
assert o2 == 0 and o3 == 0  # exactly on the kink (exact fractions, pitfall E1)
assert delta4 == -1 and delta3 == delta4  # o2 >= 0, so δ3 = δ4
# In float64 the same sum lands a hair below 0, on the ReLU's flat side (pitfall E1).
x_float = example_data(exact=False)[0]
w_float = example_model(exact=False).layers[1].params["weight"]
assert (x_float[2:3] @ w_float.T)[0, 0] < 0
publish.value("ex_o2", fmt_value(o2))
publish.value("ex_delta4", fmt_value(delta4))
publish.value("ex_delta3", fmt_value(delta3))
fig = neuron_figure(
    np.ones((1, 1)),
    in_labels=[f"$o^2$ = {fmt_value(o2)}\n$\\delta^3$ = {fmt_value(delta3)}"],
    out_labels=[f"$o^3$ = {fmt_value(o3)}\n$\\delta^4$ = {fmt_value(delta4)}"],
    in_notes=["$X^3$"],
    out_notes=["$X^4$"],
    edge_labels={(0, 0): "ReLU, × 1"},
    label_at=0.5,
    backward=True,
    in_title="$L^2$ (Linear)",
    out_title="$L^3$ (Activation)",
)
publish.figure(
    "example",
    fig,
    alt=(
        "One neuron of L2 on the left, holding o2 = 0 and δ3 = −1, and one neuron of L3 on the "
        "right, holding o3 = 0 and δ4 = −1. A red arrow goes back from L3 to L2, labelled "
        "ReLU, times 1."
    ),
    caption=(
        "The Example's L3 is a ReLU with a single neuron, fed by L2's single neuron. For the "
        "third patient o² is exactly 0, on the kink, where dlm takes the slope 1: δ³ = δ⁴."
    ),
)

# %% Gradient check of every kind, on a batch of 4 samples of 2 neurons, away from 0.
rng = np.random.default_rng(2)
x_check = rng.uniform(0.2, 2.0, (4, 2)) * rng.choice([-1.0, 1.0], (4, 2))
assert np.abs(x_check).min() >= 0.2  # no input on ReLU's kink
rows = []
worst = 0.0
for kind in ["relu", "leaky_relu", "sigmoid", "tanh", "gelu"]:
    errors = check_layer(dlm.Activation(kind), x_check)
    assert set(errors) == {"x"}  # no weights to check
    assert errors["x"] < 1e-7, (kind, errors)
    worst = max(worst, errors["x"])
    rows.append([f"`{kind}`", f"{errors['x']:.1e}"])
publish.table(
    "gradcheck",
    ["kind", r"relative error on $\delta^k$"],
    rows,
    align="lr",
)
publish.value("worst_error", f"{worst:.0e}".replace("-", "−"))
