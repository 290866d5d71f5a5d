"""The Input 1D Layer: the neural structure of a dlm Input1D layer, its two passes, the Example's
L1 and its δ¹ (the input sensitivity), and a gradient check.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.example import as_float, example_data, example_model
from dlm.gradcheck import check_layer
from dlm.losses import MSE
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402
from _walkthrough import fmt_row, fmt_value, forward_backward  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% L^1 = Input1D(2): the developer's data goes in, the same numbers come out.
layer = dlm.Input1D(2)
assert layer.params == {}  # no weights
data = np.array([[1.5, -0.5]])
o1 = layer.forward(data)
assert np.array_equal(o1, data)  # forward: a copy
delta2 = np.array([[0.3, -0.2]])  # δ², handed back by L^2
delta1 = layer.backward(delta2)
assert np.array_equal(delta1, delta2)  # backward: δ¹ = δ²
J = jacobian(layer, data)
assert np.array_equal(J, np.eye(2))  # each slot impacts one neuron, with derivative 1
print("o1 =", o1.tolist(), " δ1 =", delta1.tolist())

for i in range(2):
    publish.value(f"data{i + 1}", fmt_value(data[0, i]))
    publish.value(f"dnext{i + 1}", fmt_value(delta2[0, i]))
    publish.value(f"delta{i + 1}", fmt_value(delta1[0, i]))

# %% Figure: the structure, forward. Data slots on the left, L1's neurons on the right.
fig = neuron_figure(
    J,
    in_labels=[f"$data_{i + 1}$ = {fmt_value(data[0, i])}" for i in range(2)],
    out_labels=[f"$o^1_{i + 1}$ = {fmt_value(o1[0, i])}" for i in range(2)],
    in_notes=[f"$X^1_{i + 1}$" for i in range(2)],
    out_notes=[f"$X^2_{i + 1}$" for i in range(2)],
    edge_labels={(i, i): "copy" for i in range(2)},
    label_at=0.5,
    data_inputs=True,
    in_title="developer's data",
    out_title="$L^1$ (Input 1D)",
)
publish.figure(
    "structure",
    fig,
    alt=(
        f"Two dashed data slots on the left, data_1 = {fmt_value(data[0, 0])} and data_2 = "
        f"{fmt_value(data[0, 1])}, the variables X^1_1 and X^1_2. Two neurons of L1 on the "
        "right, holding the same two values, the variables X^2_1 and X^2_2. One arrow per "
        "neuron, labelled copy."
    ),
    caption=(
        "The Input 1D layer: each neuron copies one number of the developer's data. Drawn from "
        "the local derivatives that dlm's Input1D(2) reports: 1 on each arrow, 0 elsewhere."
    ),
)

# %% Figure: backward.
fig = neuron_figure(
    J,
    in_labels=[
        f"$data_{i + 1}$ = {fmt_value(data[0, i])}\n$\\delta^1_{i + 1}$ = {fmt_value(delta1[0, i])}"
        for i in range(2)
    ],
    out_labels=[
        f"$o^1_{i + 1}$ = {fmt_value(o1[0, i])}\n$\\delta^2_{i + 1}$ = {fmt_value(delta2[0, i])}"
        for i in range(2)
    ],
    edge_labels={(i, i): "× 1" for i in range(2)},
    label_at=0.5,
    backward=True,
    data_inputs=True,
    in_title="developer's data",
    out_title="$L^1$ (Input 1D)",
)
publish.figure(
    "backward",
    fig,
    alt=(
        "The same structure with red arrows going back from each neuron of L1 to its data slot, "
        f"labelled times 1. The neurons hold δ2 = {fmt_value(delta2[0, 0])} and "
        f"{fmt_value(delta2[0, 1])}; the data slots receive the same values as δ1."
    ),
    caption=(
        "Backward, each data slot reaches the loss through one neuron, with a derivative of 1: "
        "δ¹ = δ²."
    ),
)

# %% The Example's L1: Input1D(3), the third patient.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
assert L1.describe() == "Input1D(features=3)"
forward_backward(model, x[2:3], y_truth[2:3])
ex_delta1, ex_delta2 = model[L1].delta[0], model[L1].dy[0]
assert (ex_delta1 == ex_delta2).all()  # δ¹ = δ²
assert (ex_delta1 == -L2.params["weight"][0]).all()  # = δ³ w² with δ³ = −1
assert np.allclose(as_float(ex_delta1), [-0.005, 2.586e-4, -1.724e-4], rtol=1e-3)
# More broccoli or dance would lower this patient's loss, more candy would raise it.
assert ex_delta1[0] < 0 and ex_delta1[1] > 0 and ex_delta1[2] < 0
publish.value("ex_x", fmt_row(x[2]))
publish.value("ex_delta1", fmt_row(ex_delta1))
publish.value("ex_delta1_dance", fmt_value(ex_delta1[2]))
publish.value("ex_delta1_candy", fmt_value(ex_delta1[1]))
publish.value("ex_delta1_broccoli", fmt_value(ex_delta1[0]))
# Input sensitivity: one more hour of dance changes the loss by about δ¹_3 (a tangent estimate).
dance = x[2:3].copy()
dance[0, 2] += 1
loss = MSE()
before = loss.forward(model.forward(x[2:3]), y_truth[2:3])
after = loss.forward(model.forward(dance), y_truth[2:3])
change = after - before
assert change < 0 and np.isclose(float(change), float(ex_delta1[2]), rtol=1e-3)
publish.value("dance_change", fmt_value(change))

fig = neuron_figure(
    np.eye(3),
    in_labels=[
        f"$x_{i + 1}$ = {fmt_value(x[2, i])}\n$\\delta^1_{i + 1}$ = {fmt_value(ex_delta1[i])}"
        for i in range(3)
    ],
    out_labels=[
        f"$o^1_{i + 1}$ = {fmt_value(x[2, i])}\n$\\delta^2_{i + 1}$ = {fmt_value(ex_delta2[i])}"
        for i in range(3)
    ],
    in_notes=[f"$X^1_{i + 1}$" for i in range(3)],
    out_notes=[f"$X^2_{i + 1}$" for i in range(3)],
    edge_labels={(i, i): "× 1" for i in range(3)},
    label_at=0.5,
    backward=True,
    data_inputs=True,
    in_title="third patient",
    out_title="$L^1$ (Input 1D)",
)
publish.figure(
    "example",
    fig,
    alt=(
        "The three data slots of the third patient, 0, 2000 and 3000, on the left, and the "
        "three neurons of the Example's L1 on the right holding the same values. Red arrows "
        f"labelled times 1 carry δ2 = {fmt_row(ex_delta2)} back, unchanged, as δ1."
    ),
    caption=(
        "The Example's L1 has three neurons, one per feature. For the third patient, the "
        "learning flow reaches the data unchanged: δ¹ = δ²."
    ),
)

# %% Gradient check, on a batch of 4 samples of 3 features.
errors = check_layer(dlm.Input1D(3), np.random.default_rng(3).standard_normal((4, 3)))
assert set(errors) == {"x"} and errors["x"] < 1e-7, errors
publish.value("gradcheck_error", f"{errors['x']:.0e}".replace("-", "−"))
print("relative error:", errors)
