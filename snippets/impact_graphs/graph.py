"""Impact Graphs: the impact graph at the scale of layers, with a branch and a residual Sum.

The model: Input1D(2) -> Linear(2, 3) -> ReLU, whose output feeds two layers (a fan-out): the
next Linear(3, 3), and a Sum that adds it back to that Linear's output (a residual connection).
The Sum feeds a last Linear(3, 1). We check that dlm's backward pass adds the two impacts that
reach the ReLU's output, then break that addition on purpose (the second impact overwrites the
first) and let the gradient check catch it. Last, the topological order, and why dlm computes it
with a loop and a stack rather than with recursion.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm import gradcheck
from dlm.graph import topological_order
from dlm_site import publish

publish.style()
dlm.set_default_dtype("float64")
rng = np.random.default_rng(0)

# %% The model: a branch (fan-out) at the ReLU, merged back by a residual Sum.
x_in = dlm.Input1D(2)
hidden = dlm.Linear(2, 3, rng=rng)(x_in)
relu = dlm.Activation("relu")(hidden)
inner = dlm.Linear(3, 3, rng=rng)(relu)
merged = dlm.Sum()(relu, inner)  # relu's output is used twice: by inner, and here
out = dlm.Linear(3, 1, rng=rng)(merged)
model = dlm.Model(inputs=x_in, outputs=out)
print(model.describe())
fan_out = {id(n): 0 for n in model.nodes}
for source, _ in model.edges:
    fan_out[id(source)] += 1
assert fan_out[id(relu)] == 2 and sum(v == 2 for v in fan_out.values()) == 1

# %% One sample, one backward pass from δ = 1 at the output.
x = np.array([[1.0, -0.5]])
model.forward(x)
model.zero_grad()
model.backward(np.ones((1, 1)))
# The two impacts that reach the ReLU's output, one per path to the loss.
impact_skip = merged.dy  # through the Sum directly: the skip path
impact_inner = inner.delta  # through Linear(3, 3), then the Sum
assert np.allclose(relu.dy, impact_skip + impact_inner)  # dlm adds them
print("impact through the skip path:", impact_skip.round(4).tolist())
print("impact through Linear(3, 3): ", impact_inner.round(4).tolist())
print("their sum, dlm's δ at ReLU:   ", relu.dy.round(4).tolist())


def fmt(row) -> str:
    return "(" + ", ".join(f"{v:.3f}".replace("-", "−") for v in row) + ")"


publish.value("impact_skip", fmt(impact_skip[0]))
publish.value("impact_inner", fmt(impact_inner[0]))
publish.value("impact_total", fmt(relu.dy[0]))

fig = dlm.draw_graph(
    model,
    highlight=[relu],
    names=lambda k, node: f"L{k + 1}",
    annotate=lambda node: "feeds 2 layers" if fan_out[id(node)] == 2 else None,
    backward=True,
)
publish.figure(
    "model",
    fig,
    alt="Six boxes, left to right: Input1D, Linear(2, 3), ReLU, Linear(3, 3), Sum, Linear(3, 1). "
    "The ReLU, in orange, has two outgoing arrows: one to Linear(3, 3) and one that arcs over it "
    "to the Sum. Red arrows run back along every edge.",
    caption="The impact graph of a small model at the scale of layers. The ReLU's output feeds "
    "two layers, so two impacts come back to it (red), one per path, and its δ is their sum.",
)
plt.close(fig)

# %% The gradient check of the correct model, and of one that forgets to add.
errors_ok = gradcheck.check_model(model, x.copy())
worst_ok = max(errors_ok.values())
assert worst_ok < 1e-7


class Overwriting(dlm.Model):
    """A broken backward pass: on fan-out, the last impact to arrive overwrites the others."""

    def backward(self, dy):
        for node in self.nodes:
            node.dy = None
        self.outputs[0].dy = dy
        for node in reversed(self.nodes):
            node.layer.cache = node.cache
            node.delta = node.layer.backward(node.dy)
            if not node.inputs:
                continue
            deltas = (node.delta,) if len(node.inputs) == 1 else node.delta
            for parent, delta in zip(node.inputs, deltas, strict=True):
                parent.dy = delta  # the bug: should be parent.dy + delta when already set
        return self.inputs[0].delta


broken = Overwriting(inputs=x_in, outputs=out)
errors_bad = gradcheck.check_model(broken, x.copy())
print("relative errors, correct:", {k: f"{v:.1e}" for k, v in errors_ok.items()})
print("relative errors, broken: ", {k: f"{v:.1e}" for k, v in errors_bad.items()})
# Layers after the fan-out are untouched; the ones before it, and the input, are wrong.
after = ["3:Linear.weight", "3:Linear.bias", "5:Linear.weight", "5:Linear.bias"]
before = ["1:Linear.weight", "1:Linear.bias", "x"]
assert model.layers[3] is inner.layer and model.layers[5] is out.layer
assert all(errors_bad[k] < 1e-7 for k in after)
assert all(errors_bad[k] > 1e-2 for k in before)

rows = []
labels = {
    "x": "the data x",
    "1:Linear.weight": "Linear(2, 3) weight",
    "1:Linear.bias": "Linear(2, 3) bias",
    "3:Linear.weight": "Linear(3, 3) weight",
    "3:Linear.bias": "Linear(3, 3) bias",
    "5:Linear.weight": "Linear(3, 1) weight",
    "5:Linear.bias": "Linear(3, 1) bias",
}
for key, label in labels.items():
    ok, bad = errors_ok[key], errors_bad[key]
    rows.append(
        [label, f"{ok:.1e}", publish.mark(ok < 1e-7), f"{bad:.1e}", publish.mark(bad < 1e-7)]
    )
publish.table(
    "check",
    ["gradient of", "adds (dlm)", "passes?", "overwrites", "passes?"],
    rows,
    align="lrcrc",
)
publish.value("worst_ok", worst_ok, ".0e")
publish.value("worst_bad", max(errors_bad.values()), ".2f")

# %% Topological order: each node after every node that feeds it.
order = [n.layer.describe() for n in model.topological_order()]
print("\n".join(order))
position = {id(n): k for k, n in enumerate(model.nodes)}
assert all(position[id(s)] < position[id(t)] for s, t in model.edges)
assert position[id(relu)] < position[id(inner)] < position[id(merged)]


def recursive_order(node, seen, order):
    """The textbook version: visit the inputs first, by recursion."""
    for parent in node.inputs:
        if id(parent) not in seen:
            recursive_order(parent, seen, order)
    seen.add(id(node))
    order.append(node)
    return order


assert [id(n) for n in recursive_order(out, set(), [])] == [id(n) for n in model.nodes]

# A deep chain: 5,000 layers, deeper than Python's default recursion limit.
depth = 5000
node = dlm.Input1D(1)
first = node
for _ in range(depth):
    node = dlm.Activation("relu")(node)
assert sys.getrecursionlimit() < depth
try:
    recursive_order(node, set(), [])
    recursion_failed = False
except RecursionError:
    recursion_failed = True
assert recursion_failed
chain = topological_order([node])
assert len(chain) == depth + 1 and chain[0].layer is first
print(f"a chain of {depth:,} layers: recursion fails, the loop orders {len(chain):,} nodes")
publish.value("depth", depth, ",")
publish.value("recursion_limit", sys.getrecursionlimit(), ",")
