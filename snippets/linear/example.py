"""The Linear Layer: the Example's L2 is a Linear layer with 3 inputs, 1 output and no bias.

Specialising the neuron-level formulas to it recovers what the walkthrough found for the third
patient: δ² = δ³ w² and δw² = δ³ o¹. The Example computes with exact fractions (``dlm.example``,
pitfall E1), so the assertions are equalities.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

from dlm.example import EXAMPLE_W, as_float, example_data, example_model
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402
from _walkthrough import fmt_row, fmt_value, forward_backward  # noqa: E402

publish.style()

# %% The third patient, forward and backward through the Example.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
assert L2.describe() == "Linear(in_features=3, out_features=1, bias=False)"
assert list(L2.params) == ["weight"]  # no bias
forward_backward(model, x[2:3], y_truth[2:3])
o1 = model[L1].o[0]  # o¹: what L2 receives
o2 = model[L2].o[0]  # o²: what it gives
delta3 = model[L2].dy[0]  # δ³: handed back by L3
delta2 = model[L2].delta[0]  # δ²: what L2 hands back to L1
dw2 = L2.grads["weight"][0].copy()  # δw²
w2 = L2.params["weight"][0]
print("o1 =", as_float(o1).tolist(), " o2 =", as_float(o2).tolist())
print("δ3 =", as_float(delta3).tolist(), " δ2 =", as_float(delta2).tolist())
print("δw2 =", as_float(dw2).tolist())

# %% The formulas of the article, with j = 1 only: one output neuron, so each sum has one term.
assert delta3.tolist() == [-1]
assert [delta2[i] for i in range(3)] == [delta3[0] * w2[i] for i in range(3)]  # δ² = δ³ w²
assert (delta2 == -w2).all()  # δ³ = −1, so δ² = −w²
assert [dw2[i] for i in range(3)] == [delta3[0] * o1[i] for i in range(3)]  # δw² = δ³ o¹
assert dw2.tolist() == [0, -2000, -3000]
assert tuple(w2) == EXAMPLE_W
assert o2.tolist() == [0]  # 1/200·0 − 3000/11 600 000·2000 + 1/5800·3000 = 0, exactly
J = jacobian(L2, x[2:3])  # the edges of the structure carry the weights
assert (J[0] == w2).all()

publish.value("delta3", fmt_value(delta3[0]))
publish.value("delta2", fmt_row(delta2))
publish.value("dw2", fmt_row(dw2))
publish.value("o1", fmt_row(o1))
publish.value("w2", fmt_row(w2))
assert all(isinstance(w, Fraction) for w in EXAMPLE_W)

# %% Figure: the Example's L2 at the neuron level, backward, with the third patient's values.
fig = neuron_figure(
    J,
    in_labels=[
        f"$o^1_{i + 1}$ = {fmt_value(o1[i])}\n$\\delta^2_{i + 1}$ = {fmt_value(delta2[i])}"
        for i in range(3)
    ],
    out_labels=[f"$o^2$ = {fmt_value(o2[0])}\n$\\delta^3$ = {fmt_value(delta3[0])}"],
    in_notes=[f"$X^2_{i + 1}$" for i in range(3)],
    out_notes=["$X^3$"],
    edge_labels={(0, i): f"$w^2_{i + 1}$ = {fmt_value(w2[i])}" for i in range(3)},
    label_at=0.5,
    colour_by_output=True,
    in_title="$L^1$ (Input 1D)",
    out_title="$L^2$ (Linear)",
    title="The Example's L2, third patient",
)
publish.figure(
    "example",
    fig,
    alt=(
        "Three neurons of L1 on the left, holding o1 = 0, 2000, 3000 and δ2 = "
        f"{fmt_row(delta2)}, joined to the single neuron of L2 on the right, which holds o2 = 0 "
        "and δ3 = −1. The three arrows carry the weights "
        f"{fmt_row(w2)}."
    ),
    caption=(
        "The Example's L2 is a Linear layer with three inputs, one output and no bias. Each input "
        "reaches the loss along a single path, so each δ² is one product: δ³ times the weight."
    ),
)
