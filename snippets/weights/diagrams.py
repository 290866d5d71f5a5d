"""The Weights: which layers hold weights, and where δw appears in the backward pass.

Three drawings from real dlm models: one layer of the Example (L2) with its weight gradient, a
chain in which every layer holds weights, and the Example itself, where only L2 does. The values
printed are those of patient 3 after a forward and a backward pass.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm.example import example_data, example_model
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, forward_backward, layer_figure  # noqa: E402

publish.style()

# %% Patient 3 through the Example, forward and backward, in exact arithmetic.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
loss = forward_backward(model, x[2:3], y_truth[2:3])
assert L2.grads["weight"].tolist() == [[0, -2000, -3000]]
assert not L1.params and not L3.params  # only L2 holds weights

# %% One layer: the backward pass now also yields the weights' gradient.
publish.figure(
    "layer_weights",
    layer_figure(model, 1, backward=True, show_dw=True),
    alt=(
        "The layer L2 (Linear) alone, for patient 3. Forward, in grey: o1 = (0, 2000, 3000) "
        "enters, o2 = 0 leaves. Backward, in red: delta3 = -1 enters from the right and delta2 = "
        "(-0.005, 0.0002586, -0.0001724) leaves to the left. Above the layer, a green tag holds "
        "its weight gradient delta w2 = (0, -2000, -3000)."
    ),
    caption=(
        "A layer with weights, in the backward pass: from the δᵏ⁺¹ it receives, it "
        "computes both the δᵏ it sends back and the gradient δwᵏ of its own "
        "weights, which stays with the layer."
    ),
)

# %% A chain where every layer holds weights: three Linear layers (seeded), the first one fed by
# the data directly.
rng = np.random.default_rng(0)
deep = dlm.sequential(
    dlm.Linear(3, 3, bias=False, rng=rng),
    dlm.Linear(3, 3, bias=False, rng=rng),
    dlm.Linear(3, 1, bias=False, rng=rng),
)
assert all(layer.params for layer in deep.layers)
publish.figure(
    "every_layer",
    chain_figure(deep, backward=True, loss="$Loss$", compact=True),
    alt=(
        "A chain of three Linear layers L1, L2, L3, then a Loss box, with grey forward arrows "
        "and red backward arrows. Each layer carries a green tag for its weights: w1, w2, w3."
    ),
    caption=(
        "A model in which every layer holds weights (tagged wᵏ). During the backward pass "
        "each of them computes its own δwᵏ."
    ),
)

# %% The Example: only L2 holds weights, so only L2 gets a δw.
fig = chain_figure(
    model,
    values="delta",
    backward=True,
    show_dw=True,
    loss="$Loss$",
    y_truth=y_truth[2, 0],
    loss_value=loss,
    highlight=[1],
    compact=True,
)
publish.figure(
    "example_weights",
    fig,
    alt=(
        "The Example chain L1 (Input1D), L2 (Linear), L3 (Activation), Loss, for patient 3, with "
        "red backward arrows. L2 is highlighted and carries the tag w2 with, in red, delta w2 = "
        "(0, -2000, -3000). Under the layers, the learning flow: delta2 = (-0.005, 0.0002586, "
        "-0.0001724) under L1, delta3 = -1 under L2, delta4 = -1 under L3."
    ),
    caption=(
        "In the Example only L² holds weights, so the backward pass of patient 3 yields one "
        "weight gradient, δw². L¹ and L³ only pass the learning flow on."
    ),
)
