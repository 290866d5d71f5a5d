"""Inside the Model: the Example as a chain of three layers, and its forward pass.

The model of the first article, model(X) = X1 / 200 - 3000 X2 / 11 600 000 + X3 / 5800, is cut
into three layers: L1 hands the data on (Input1D), L2 computes the weighted sum (Linear, no bias)
and L3 keeps X when X >= 0 and gives 0 otherwise (Activation "relu"). Running the forward pass
means running the layers in order and keeping every output: o1 = L1(x), o2 = L2(o1), o3 = L3(o2),
and model(x) = o3. The arithmetic is exact (fractions), as in ``dlm.example``.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

import numpy

from dlm.activation import Activation
from dlm.example import EXAMPLE_W, as_float, example_data, example_model
from dlm.graph import sequential
from dlm.input import Input1D
from dlm.linear import Linear
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, fmt_row, fmt_value  # noqa: E402

publish.style()

# %% A typical model: a chain of layers. This one is a real dlm model, with random weights.
generic = sequential(
    Input1D(3),
    Linear(3, 4),
    Activation("relu"),
    Linear(4, 1),
)
assert len(generic.layers) == 4
fig = chain_figure(generic, weights=False, x_label="$x$", out_label="$model(x)$", compact=True)
publish.figure(
    "chain",
    fig,
    alt=(
        "Four boxes in a row, L1 to L4 (Input1D, Linear, Activation, Linear), joined left to "
        "right by arrows. An arrow labelled x enters L1 and an arrow labelled model(x) leaves L4."
    ),
    caption=(
        "A model is a chain of layers. The arrows fix the order: each layer works on what the "
        "layer before it produced."
    ),
)

# %% The Example: L1, L2, L3.
x, y_truth = example_data()  # x: (3, 3) exact fractions
model = example_model()
L1, L2, L3 = model.layers
assert [type(layer).__name__ for layer in model.layers] == ["Input1D", "Linear", "Activation"]
assert tuple(L2.params["weight"][0]) == EXAMPLE_W
assert L2.params.keys() == {"weight"}  # no bias
assert not L1.params and not L3.params
print(model.describe())

fig = chain_figure(model, weights=False, enclose="$model(X)$", out_label="$model(x)$", compact=True)
publish.figure(
    "example",
    fig,
    alt=(
        "Three boxes, L1 (Input1D), L2 (Linear) and L3 (Activation), joined by arrows inside a "
        "dashed frame labelled model(X). An arrow x enters the frame at L1; an arrow model(x) "
        "leaves it after L3."
    ),
    caption=(
        "The model of the first article, cut into three layers. From the outside nothing "
        "changed: x goes in, model(x) comes out."
    ),
)

# %% The forward pass: run the layers in order, and keep every output.
o1 = L1.forward(x)
o2 = L2.forward(o1)
o3 = L3.forward(o2)
# The model runs exactly the same chain: model(x) = L3(L2(L1(x))).
out = model.forward(x)
assert (out == o3).all()
assert (model[L1].o == o1).all() and (model[L2].o == o2).all() and (model[L3].o == o3).all()

# What each layer does, checked value by value.
assert (o1 == x).all()  # L1 hands the data on
assert o2.ravel().tolist() == [0, 1, 0]  # L2: the weighted sum of the first article
assert o3.ravel().tolist() == [0, 1, 0]  # L3: no sum is negative, so the ReLU keeps them
assert (o3 == o2).all()
# The same answers as the first article (its snippet asserts model(x) = [0, 1, 0] too).
by_hand = [sum(w * v for w, v in zip(EXAMPLE_W, row, strict=True)) for row in x]
assert o3.ravel().tolist() == by_hand == [0, 1, 0]
# Why exact fractions (pitfall E1): in floating point, the sums of patients 1 and 3 miss 0 by a
# hair, on the negative side. L3 turns them back into 0, so the answers do not change; the
# trouble only shows when the model learns (the articles on the backward pass and the weights).
model_float = example_model(exact=False)
model_float.forward(example_data(exact=False)[0])
o2_float = model_float.nodes[1].o.ravel()
assert o2_float[0] < 0 and o2_float[2] < 0 and max(abs(o2_float[[0, 2]])) < 1e-15
assert model_float.nodes[2].o.ravel().tolist() == [0, 1, 0]
mantissa, exponent = f"{o2_float[0]:.1e}".split("e")
publish.value("o2_float1", f"${mantissa} \\times 10^{{{int(exponent)}}}$")

# L3 does change something on other inputs: a fourth patient, who only eats strawberries, gets a
# negative sum from L2, and L3 turns it into 0.
newcomer = numpy.array([[Fraction(0), Fraction(4000), Fraction(0)]], dtype=object)
newcomer_sum = L2.forward(L1.forward(newcomer))[0, 0]
assert newcomer_sum < 0
assert L3.forward(L2.forward(L1.forward(newcomer)))[0, 0] == 0
publish.value("newcomer_x", fmt_row(newcomer[0]))
publish.value("newcomer_sum", fmt_value(newcomer_sum, 3))

print("o1 =", as_float(o1).tolist())
print("o2 =", as_float(o2).ravel().tolist())
print("o3 =", as_float(o3).ravel().tolist())

# %% Tables, straight from the layer outputs.
patients = [str(n + 1) for n in range(3)]
publish.table(
    "o1",
    ["patient", "broccoli", "Tagada strawberries", "hours of dance"],
    [[p, *(f"{int(v):,}" for v in row)] for p, row in zip(patients, o1, strict=True)],
    align="crrr",
)
publish.table(
    "o2",
    ["patient", "$o^2 = L^2(o^1)$"],
    [[p, fmt_value(row[0])] for p, row in zip(patients, o2, strict=True)],
    align="cc",
)
publish.table(
    "o3",
    ["patient", "$o^3 = L^3(o^2)$", "$model(x)$ in the first article"],
    [[p, fmt_value(row[0]), fmt_value(b)] for p, row, b in zip(patients, o3, by_hand, strict=True)],
    align="ccc",
)
publish.value("o2_all", "[" + ", ".join(fmt_value(v) for v in o2.ravel()) + "]")
publish.value("o3_all", "[" + ", ".join(fmt_value(v) for v in o3.ravel()) + "]")
publish.value("o1_first", fmt_row(o1[0]))
publish.value("w2", fmt_row(L2.params["weight"][0]))
publish.value("n_layers", len(model.layers))

# %% Figures: the input layer, the output layer, and the whole forward pass.
fig = chain_figure(
    model,
    weights=False,
    highlight=[0],
    notes={0: "input layer"},
    out_label="$model(x)$",
    compact=True,
)
publish.figure(
    "input_layer",
    fig,
    alt=(
        "The chain L1, L2, L3 with L1 filled in orange and labelled input layer. The arrow x, the "
        "data, enters L1 from outside the model; the arrow model(x) leaves L3."
    ),
    caption=("The input layer, L¹, has no layer before it: we hand it the data x ourselves."),
)
fig = chain_figure(
    model,
    weights=False,
    highlight=[2],
    notes={2: "output layer"},
    out_label="$o^3 = model(x)$",
    compact=True,
)
publish.figure(
    "output_layer",
    fig,
    alt=(
        "The chain L1, L2, L3 with L3 filled in orange and labelled output layer. An arrow "
        "labelled o3 = model(x) leaves L3; no layer comes after it."
    ),
    caption=("The output layer, L³, feeds no other layer: its output o³ is the model's answer."),
)

model.forward(x)  # all three patients at once: each row of a batch is one patient
fig = chain_figure(
    model,
    sample=None,
    values="o",
    weights=True,
    highlight=[0, 2],
    notes={0: "input layer", 2: "output layer"},
    out_label="$model(x)$",
    compact=True,
)
publish.figure(
    "forward",
    fig,
    alt=(
        "The chain L1, L2, L3, with the input layer L1 and the output layer L3 in orange and a "
        "tag w2 above L2, the layer that holds weights. Under each layer, the values it produced "
        "for the three patients: o1 is the three rows of x, (100, 2000, 100), (200, 0, 0) and "
        "(0, 2000, 3000); o2 = [0, 1, 0]; o3 = [0, 1, 0]."
    ),
    caption=(
        "The forward pass of the three patients, with the values that really flowed. L² is "
        "the only layer that holds weights (w²), so it is where learning will happen."
    ),
)
