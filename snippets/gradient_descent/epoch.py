"""The Gradient Descent Algorithm: one epoch of per-sample gradient descent on the Example.

The five steps of a training step, written out for each patient in turn: pick the sample, run
the forward pass, compute the loss, run the backward pass (δ and δw²), update the weights with
w² = w² − α δw². The Example computes with exact fractions (``dlm.example``, pitfall E1), so the
weights after the epoch are exactly the article's fractions.
"""

# %%
from fractions import Fraction

import numpy as np

from dlm import MSE, SGD
from dlm.example import (
    EXAMPLE_LR,
    EXAMPLE_W,
    as_float,
    example_data,
    example_model,
    sgd_epoch,
)
from dlm_site import publish


def num(v, fmt: str = ".7g") -> str:
    """A number for a table cell, with a true minus sign."""
    text = format(float(v), fmt)
    return "−" + text[1:] if text.startswith("-") else text


def vec(values, fmt: str = ".7g") -> str:
    """A vector as ``(a, b, c)``."""
    return "(" + ", ".join(num(v, fmt) for v in values) + ")"


# %% The ingredients: a dataset, a model (a graph of layers) and a loss; then α.
x, y_truth = example_data()  # (3, 3) and (3, 1), exact fractions
model = example_model()
L1, L2, L3 = model.layers
loss = MSE()
alpha = EXAMPLE_LR  # 1/10,000,000
optimizer = SGD(model.parameters(), lr=alpha)
w_start = L2.params["weight"][0].copy()
assert tuple(w_start) == EXAMPLE_W

# The losses before any training, for the comparison at the end.
loss.forward(model.forward(x), y_truth)
losses_before = list(loss.sample_losses)
assert losses_before == [0, 0, Fraction(1, 2)]

# %% One epoch: the five steps, once per patient, in order.
rows = []
steps = []
for n in range(3):
    optimizer.zero_grad()
    xn, yn = x[n : n + 1], y_truth[n : n + 1]  # 1. pick one data input
    o3 = model.forward(xn)  # 2. forward pass
    loss_n = loss.forward(o3, yn)  # 3. loss
    model.backward(loss.backward())  # 4. backward pass: δ and δw²
    dw2 = L2.grads["weight"][0].copy()
    delta4 = model[L3].dy[0, 0]
    optimizer.step()  # 5. update: w² = w² − α δw²
    w_after = L2.params["weight"][0].copy()
    steps.append({"loss": loss_n, "delta4": delta4, "dw2": dw2, "w": w_after})
    rows.append(
        [
            f"{n + 1}",
            vec(xn[0], "g"),
            num(o3[0, 0], "g"),
            num(loss_n, "g"),
            num(delta4, "g"),
            vec(dw2, "g"),
            vec(w_after),
        ]
    )
    print(f"patient {n + 1}: loss {float(loss_n):g}, δw² {as_float(dw2)}, w² {as_float(w_after)}")

# Patients 1 and 2 are answered perfectly: zero loss, zero gradient, no move.
assert steps[0]["loss"] == 0 and not steps[0]["dw2"].any()
assert steps[1]["loss"] == 0 and not steps[1]["dw2"].any()
assert (steps[1]["w"] == w_start).all()
# Patient 3: loss 1/2, δ4 = o3 − y = −1, δw² = δ3 · o1 = −(0, 2000, 3000).
assert steps[2]["loss"] == Fraction(1, 2) and steps[2]["delta4"] == -1
assert list(steps[2]["dw2"]) == [0, -2000, -3000]
move = steps[2]["w"] - w_start  # −α δw²
assert list(move) == [0, Fraction(2, 10_000), Fraction(3, 10_000)]

publish.table(
    "epoch",
    ["patient", "input x", "o³", "loss", "δ⁴", "δw²", "w² after the update"],
    rows,
    align="crrrrrr",
)

# %% The weights after the epoch: the article's boxed fractions, exactly.
w = L2.params["weight"][0]
expected = [
    Fraction(1, 200),
    Fraction(2, 10_000) - Fraction(3000, 11_600_000),
    Fraction(3, 10_000) + Fraction(1, 5800),
]
assert list(w) == expected
assert list(w) == [Fraction(1, 200), Fraction(-17, 290_000), Fraction(137, 290_000)]
np.testing.assert_allclose(as_float(w), [0.005, -5.862069e-05, 4.7241379e-04], rtol=1e-7)
print("w² after the epoch:", as_float(w), "=", [str(v) for v in w])

# The same epoch through dlm's helper gives the same weights.
again = example_model()
sgd_epoch(again, *example_data())
assert list(again.layers[1].params["weight"][0]) == list(w)

# %% A new forward pass with the new weights, then the 0.5 threshold.
o3_after = model.forward(x)
loss.forward(o3_after, y_truth)
losses_after = list(loss.sample_losses)
assert o3_after.ravel().tolist() == [Fraction(43, 100), 1, Fraction(13, 10)]
assert losses_after == [Fraction(1849, 20_000), 0, Fraction(9, 200)]
np.testing.assert_allclose(as_float(losses_after), [0.09245, 0, 0.045])
predicted = [1 if v > Fraction(1, 2) else 0 for v in o3_after.ravel()]
correct = [p == t for p, t in zip(predicted, y_truth.ravel(), strict=True)]
assert predicted == [0, 1, 1] and all(correct)
# Learning from patient 3 disturbed patient 1: its loss rose from 0.
assert losses_before[0] == 0 and losses_after[0] > 0
# Patient 3's loss fell, and the average loss fell.
assert losses_after[2] < losses_before[2]
assert sum(losses_after) < sum(losses_before)

shape = {0: "bad shape (0)", 1: "good shape (1)"}
publish.table(
    "after",
    [
        "patient",
        "o³ before",
        "o³ after",
        "model says",
        "truth",
        "loss before",
        "loss after",
        "correct?",
    ],
    [
        [
            f"{n + 1}",
            num(o, "g"),
            num(o3_after[n, 0], "g"),
            shape[predicted[n]],
            shape[int(y_truth[n, 0])],
            num(losses_before[n], "g"),
            num(losses_after[n], "g"),
            publish.mark(correct[n]),
        ]
        for n, o in enumerate([0, 1, 0])
    ],
    align="crrllrrc",
)

# %% Values quoted in the prose.
exponent = -(len(str(alpha.denominator)) - 1)
assert alpha == Fraction(10) ** exponent  # α is a power of ten: 10⁻⁷
publish.value("alpha", "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")))
publish.value("loss3", float(steps[2]["loss"]), "g")
publish.value("delta4_3", num(steps[2]["delta4"], "g"))
publish.value("dw2_3", vec(steps[2]["dw2"], "g"))
publish.value("move", vec(move, "g"))
publish.value("w_after", vec(w))
publish.value("w_frac", "(" + ", ".join(str(v).replace("-", "−") for v in w) + ")")
publish.value("w2_after", num(w[1]))
publish.value("w3_after", num(w[2]))
publish.value("o3_after", vec(o3_after.ravel(), "g"))
publish.value("o3_1", num(o3_after[0, 0], "g"))
publish.value("o3_3", num(o3_after[2, 0], "g"))
publish.value("losses_after", vec(losses_after, "g"))
publish.value("loss1_after", num(losses_after[0], "g"))
publish.value("loss3_after", num(losses_after[2], "g"))
publish.value("predicted", vec(predicted, "g"))
publish.value("avg_before", num(sum(losses_before) / 3, ".4g"))
publish.value("avg_after", num(sum(losses_after) / 3, ".4g"))

# %% Pitfall E1 again: in float64 the same epoch teaches nothing.
model_f = example_model(exact=False)
sgd_epoch(model_f, *example_data(exact=False))
assert (model_f.layers[1].params["weight"][0] == as_float(w_start)).all()
print("float64 model after the epoch:", model_f.layers[1].params["weight"][0], "(unchanged)")
