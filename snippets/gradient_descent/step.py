"""The Gradient Descent Algorithm: one training step on patient 3, drawn from the real model.

The forward pass (grey arrows) leaves o¹, o², o³ in the layers, the loss compares o³ with the
truth, and the backward pass (red arrows) leaves δ², δ³, δ⁴ and the weight gradient δw² of L²,
the only layer with weights. The update then moves w² by −α δw².
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

from dlm import SGD
from dlm.example import EXAMPLE_LR, EXAMPLE_W, example_data, example_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, fmt_row, forward_backward  # noqa: E402

from dlm_site import publish  # noqa: E402

publish.style()

# %% Moves 1 to 4 on patient 3: pick, forward, loss, backward.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
n = 2
loss = forward_backward(model, x[n : n + 1], y_truth[n : n + 1])
assert loss == Fraction(1, 2)
assert model[L3].o[0, 0] == 0 and model[L3].dy[0, 0] == -1  # o³ = 0, δ⁴ = −1
assert list(L2.grads["weight"][0]) == [0, -2000, -3000]  # δw² = δ³ o¹

fig = chain_figure(
    model,
    values="both",
    backward=True,
    show_w=True,
    show_dw=True,
    loss="$Loss$",
    y_truth=y_truth[n, 0],
    loss_value=loss,
    compact=True,
)
publish.figure(
    "step",
    fig,
    alt=(
        "Chain of three layers L1, L2, L3 followed by a loss box, with forward arrows and red "
        "backward arrows, for patient 3. Under the layers: o1 = (0, 2000, 3000), o2 = 0, o3 = 0; "
        "in red: delta2 = (−0.005, 0.0002586, −0.0001724), delta3 = −1, delta4 = −1. The truth "
        "1 enters the loss from above and loss = 0.5 leaves it. Only L2 holds weights: its tag "
        "shows w2 and, in red, its gradient delta w2 = (0, −2000, −3000)."
    ),
    caption=(
        "Moves 2 to 4 of a training step on patient 3. The forward pass leaves oᵏ in each "
        "layer, the loss compares o³ with the truth, and the backward pass (red arrows) "
        "leaves δᵏ⁺¹ in each layer and the gradient δw² in L², the only layer with weights (framed "
        "tag). Move 5 uses δw² to update w²."
    ),
)

# %% Move 5: the update.
SGD(model.parameters(), lr=EXAMPLE_LR).step()
w = L2.params["weight"][0]
assert list(w - EXAMPLE_W) == [0, Fraction(2, 10_000), Fraction(3, 10_000)]
publish.value("w_updated", fmt_row(w))
