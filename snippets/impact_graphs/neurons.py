"""Impact Graphs: the impact graph at the scale of neurons, inside one Linear layer.

An edge goes from input neuron i to output neuron j when X_i directly impacts Y_j, that is when
the local derivative ∂Y_j/∂X_i is not zero. The derivatives are asked of the layer's own backward
pass (``_layers.jacobian``), so the picture is what dlm computes. A Linear layer gives the complete
bipartite graph; an activation gives one edge per neuron.
"""

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers import jacobian, neuron_figure  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% A Linear layer, 3 inputs and 2 outputs, and a ReLU on 3 neurons.
linear = dlm.Linear(3, 2, rng=np.random.default_rng(0))
linear.params["weight"] = np.round(linear.params["weight"], 1)
linear.zero_grad()
x = np.array([[2.0, 1.0, -1.0]])
J_linear = jacobian(linear, x)  # (2, 3): row j is ∂Y_j/∂X
assert np.array_equal(J_linear, linear.params["weight"])  # the edges carry the weights
edges_linear = int(np.count_nonzero(J_linear))
assert edges_linear == 3 * 2  # complete bipartite: every input impacts every output
print("∂Y/∂X of Linear(3, 2) =", J_linear.tolist())

relu = dlm.Activation("relu")
J_relu = jacobian(relu, np.array([[0.5, 1.0, 2.0]]))
edges_relu = int(np.count_nonzero(J_relu))
assert np.array_equal(J_relu, np.eye(3))  # one edge per neuron: Y_i depends on X_i only
print("∂Y/∂X of ReLU at (0.5, 1, 2) =", J_relu.tolist())

# %% The figure: the Linear layer's bipartite graph, each edge labelled with its derivative.
fig = neuron_figure(
    J_linear,
    in_labels=[f"$X_{i + 1}$" for i in range(3)],
    out_labels=[f"$Y_{j + 1}$" for j in range(2)],
    edge_labels={(j, i): f"{J_linear[j, i]:g}" for j in range(2) for i in range(3)},
    colour_by_output=True,
    in_title="inputs",
    out_title="outputs",
    title="Linear(3, 2)",
)
publish.figure(
    "linear",
    fig,
    alt="Three input neurons on the left, two output neurons on the right, and six edges: every "
    "input joined to every output, each edge labelled with its weight.",
    caption="The impact graph inside Linear(3, 2): every input impacts every output, and the "
    "label on an edge is the local derivative ∂Y_j/∂X_i, here the weight W[j, i], as the "
    "layer's own backward pass reports it.",
)
plt.close(fig)

publish.value("edges_linear", edges_linear)
publish.value("edges_relu", edges_relu)
