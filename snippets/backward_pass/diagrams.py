"""The Backward Pass: the diagrams, drawn from the Example model after a real forward and backward.

The third patient goes forward through ``dlm.example.example_model()``, then the ½(o − y)² loss,
then backward. Each node of the model then holds the values that flowed: ``o`` (o^k), ``dy``
(δ^{k+1}) and ``delta`` (δ^k). The figures print those values, so they are the ones the prose and
the ``deltas`` snippet state.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

from dlm.example import EXAMPLE_W, example_data, example_model
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, fmt_value, forward_backward, layer_figure  # noqa: E402

publish.style()

# %% Forward and backward for patient 3, in exact arithmetic.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
loss = forward_backward(model, x[2:3], y_truth[2:3])

# What the figures print is what the article states.
assert loss == Fraction(1, 2)
assert model[L3].o.tolist() == [[0]] and model[L2].o.tolist() == [[0]]
assert model[L3].dy.tolist() == [[-1]]  # δ4
assert model[L2].dy.tolist() == [[-1]]  # δ3
assert model[L1].dy[0].tolist() == [-w for w in EXAMPLE_W]  # δ2 = δ3 · w
assert (model[L1].delta == model[L1].dy).all()  # δ1 = δ2

# %% The whole chain: both flows, and the pair (o^k, δ^{k+1}) each layer holds.
fig = chain_figure(
    model,
    values="both",
    backward=True,
    weights=False,
    loss="$Loss$",
    y_truth=y_truth[2, 0],
    loss_value=loss,
    delta_out=True,
    fmt=lambda v: fmt_value(v, 2),  # two digits keep the whole chain readable at page width
    compact=True,  # vectors as columns: narrow enough for a phone
)
publish.figure(
    "chain",
    fig,
    alt=(
        "The Example model as a chain: the data x enters L1 (Input1D), then L2 (Linear), then L3 "
        "(Activation), then the Loss box, which also receives y truth = 1 and gives loss = 1/2. "
        "Grey arrows go forward, red arrows go back. Under each layer, its output o and, in red, "
        "the learning flow at its output: under L1, o1 = (0, 2000, 3000) and delta2 = (-0.005, "
        "0.00026, -0.00017); under L2, o2 = 0 and delta3 = -1; under L3, o3 = 0 and "
        "delta4 = -1. A red arrow leaves L1 to the left with delta1, equal to delta2."
    ),
    caption=(
        "Patient 3 in both directions. The information flow (grey) goes from the data to the "
        "loss, the learning flow (red) from the loss back to the data. Each layer Lᵏ holds "
        "its output oᵏ and the δᵏ⁺¹ that comes back to it."
    ),
)

# %% One layer, zoomed in: L2, forward only, then with the learning flow.
publish.figure(
    "layer_forward",
    layer_figure(model, 1),
    alt=(
        "The layer L2 (Linear) alone. On its left, the arrow o1 = (0, 2000, 3000) enters its "
        "input X2; on its right, the arrow o2 = 0 leaves from its output X3."
    ),
    caption=(
        "The forward pass seen from one layer, here L² with patient 3: it receives "
        "oᵏ⁻¹ on its input Xᵏ and produces oᵏ = Lᵏ(oᵏ⁻¹)."
    ),
)
publish.figure(
    "layer_backward",
    layer_figure(model, 1, backward=True),
    alt=(
        "The layer L2 alone, with both flows. Forward, in grey: o1 = (0, 2000, 3000) enters, "
        "o2 = 0 leaves. Backward, in red: delta3 = -1 enters from the right, and delta2 = "
        "(-0.005, 0.0002586, -0.0001724) leaves to the left."
    ),
    caption=(
        "The backward pass seen from the same layer: it receives δᵏ⁺¹ from the layer "
        "after it and sends δᵏ back, turning (oᵏ, δᵏ⁺¹) into "
        "(oᵏ⁻¹, δᵏ)."
    ),
)
