"""Batch Learning: one epoch of full-batch gradient descent on the Example.

The three patients form one batch. The forward pass runs on all of them at once, the loss
reported is their average, the backward pass starts from δ/n (the gradient of Loss/n for each
patient), and the weight gradient of L² adds the three patients' impacts, since all three used
the same w². One update, with that average gradient. Exact fractions (``dlm.example``).
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from dlm import MSE, SGD, linear_per_sample
from dlm.example import (
    EXAMPLE_LR,
    EXAMPLE_W,
    as_float,
    batch_epoch,
    example_data,
    example_model,
    sgd_epoch,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, fmt_row, fmt_value  # noqa: E402

from dlm_site import publish  # noqa: E402

publish.style()


def exact(v) -> str:
    """An exact fraction as text, ``−2000/3``, with a typographic minus."""
    return str(Fraction(v)).replace("-", "\N{MINUS SIGN}")


def exact_row(row) -> str:
    """A vector of fractions as ``(a, b, c)``."""
    return "(" + ", ".join(exact(v) for v in row) + ")"


# %% The batch: all three patients. Forward, average loss, backward from δ/n.
x, y_truth = example_data()  # (3, 3), (3, 1)
n = x.shape[0]
model = example_model()
L1, L2, L3 = model.layers
loss = MSE()  # reports Loss^avg and back-propagates Loss^learning = Loss / n
optimizer = SGD(model.parameters(), lr=EXAMPLE_LR)

optimizer.zero_grad()
o3 = model.forward(x)  # the forward pass is unchanged: one row per patient
loss_avg = loss.forward(o3, y_truth)
losses_before = list(loss.sample_losses)
delta4 = loss.backward()  # δ⁴ learning = (o³ − y) / n
model.backward(delta4)
dw2 = L2.grads["weight"][0].copy()  # δw² avg: the sum of the patients' impacts

assert o3.ravel().tolist() == [0, 1, 0]
assert losses_before == [0, 0, Fraction(1, 2)]
assert loss_avg == Fraction(1, 6) == sum(losses_before) / n
assert delta4.ravel().tolist() == [0, 0, Fraction(-1, 3)]
assert list(dw2) == [0, Fraction(-2000, 3), -1000]

# Each patient's impact on w², δw^{2,i} learning = δ³ⁱ o¹ⁱ, computed apart; they add up to δw².
impacts = linear_per_sample(model[L1].o, model[L2].dy)[:, 0, :]  # (n, 3)
assert [list(row) for row in impacts] == [[0, 0, 0], [0, 0, 0], [0, Fraction(-2000, 3), -1000]]
assert list(impacts.sum(axis=0)) == list(dw2)

rows = [
    [
        f"{i + 1}",
        fmt_row(x[i]),
        fmt_value(o3[i, 0]),
        fmt_value(losses_before[i]),
        exact(delta4[i, 0]),
        exact_row(impacts[i]),
    ]
    for i in range(n)
]
rows.append(["sum: δw²", "", "", "", "", f"**{exact_row(dw2)}**"])
publish.table(
    "batch",
    ["patient", "input x", "o³", "loss", "δ⁴ learning", "impact on w²"],
    rows,
    align="crrrrr",
)

# %% Figure: the batch flowing through the chain, forward and backward.
fig = chain_figure(
    model,
    sample=None,
    values="both",
    backward=True,
    show_w=True,
    show_dw=True,
    loss="$Loss^{avg}$",
    y_truth="[" + ", ".join(exact(v) for v in y_truth.ravel()) + "]",
    loss_value=exact(loss_avg),
    fmt=lambda v: exact(v) if Fraction(v).denominator in (1, 3) else fmt_value(v),
    compact=True,  # narrow enough for a phone
)
publish.figure(
    "batch_chain",
    fig,
    alt=(
        "Chain of layers L1, L2, L3 and a loss box, with forward arrows and red backward "
        "arrows, for the batch of three patients. Under L1: o1 has one row per patient, "
        "(100, 2000, 100), (200, 0, 0) and (0, 2000, 3000). o2 = o3 = [0, 1, 0]. In red, "
        "delta4 = [0, 0, −1/3] and delta3 the same. The truth [0, 1, 1] enters the loss, "
        "and the average loss 1/6 leaves it. L2's tag shows w2 and, in red, a single "
        "gradient delta w2 = (0, −2000/3, −1000) for the whole batch."
    ),
    caption=(
        "A full-batch step on the three patients. Each layer holds one row per patient, and "
        "the learning flow starts from δ⁴ divided by n = 3. L² holds a single gradient δw²: "
        "the three patients used the same w², so their impacts add up."
    ),
)

# %% One update with the average gradient.
optimizer.step()
w = L2.params["weight"][0]
move = w - np.array(EXAMPLE_W, dtype=object)
assert list(move) == [0, Fraction(2, 30_000), Fraction(1, 10_000)]
expected = [
    Fraction(1, 200),
    Fraction(2, 30_000) - Fraction(3000, 11_600_000),
    Fraction(1, 10_000) + Fraction(1, 5800),
]
assert list(w) == expected
np.testing.assert_allclose(as_float(w), [0.005, -1.9195402e-04, 2.7241379e-04], rtol=1e-7)
# dlm's helper gives the same epoch.
again = example_model()
assert batch_epoch(again, *example_data()) == Fraction(1, 6)
assert list(again.layers[1].params["weight"][0]) == list(w)

# %% The new forward pass, and the 0.5 threshold.
o3_after = model.forward(x)
loss.forward(o3_after, y_truth)
losses_after = list(loss.sample_losses)
assert o3_after.ravel().tolist() == [Fraction(43, 300), 1, Fraction(13, 30)]
np.testing.assert_allclose(as_float(o3_after.ravel()), [0.143333, 1, 0.433333], rtol=1e-5)
np.testing.assert_allclose(as_float(losses_after), [0.010272, 0, 0.160556], rtol=1e-4)
predicted = [1 if v > Fraction(1, 2) else 0 for v in o3_after.ravel()]
correct = [p == t for p, t in zip(predicted, y_truth.ravel(), strict=True)]
assert predicted == [0, 1, 0] and correct == [True, True, False]

# Per-sample descent, for comparison: o³ = (0.43, 1, 1.3) after its epoch.
sgd = example_model()
sgd_epoch(sgd, *example_data())
o3_sgd = sgd.forward(x)
assert o3_sgd.ravel().tolist() == [Fraction(43, 100), 1, Fraction(13, 10)]
# The batch moved each output less far from where it started: "more moderate".
assert all(
    abs(a - 0) <= abs(b - 0)
    for a, b in zip(o3_after.ravel() - o3.ravel(), o3_sgd.ravel() - o3.ravel(), strict=True)
)

shape = {0: "bad shape (0)", 1: "good shape (1)"}
publish.table(
    "after",
    ["patient", "o³ before", "o³ after", "model says", "truth", "loss after", "correct?"],
    [
        [
            f"{i + 1}",
            fmt_value(o3[i, 0]),
            fmt_value(o3_after[i, 0]),
            shape[predicted[i]],
            shape[int(y_truth[i, 0])],
            fmt_value(losses_after[i]),
            publish.mark(correct[i]),
        ]
        for i in range(n)
    ],
    align="crrllrc",
)

# %% Values quoted in the prose.
publish.value("n", n)
publish.value("loss_avg", exact(loss_avg))
publish.value("loss_avg_dec", fmt_value(loss_avg))
publish.value("delta4_3", exact(delta4[2, 0]))
publish.value("dw2", exact_row(dw2))
publish.value("move", exact_row(move))
publish.value("w_after", fmt_row(w, 8))
publish.value("w_frac", "(" + ", ".join(str(v).replace("-", "−") for v in w) + ")")
publish.value("o3_after", fmt_row(o3_after.ravel()))
publish.value("o3_3", fmt_value(o3_after[2, 0]))
publish.value("o3_sgd", fmt_row(o3_sgd.ravel()))
publish.value("losses_after", fmt_row(losses_after))
publish.value("predicted", fmt_row(predicted))
publish.value("avg_after", fmt_value(sum(losses_after) / n))
print("w² after the batch epoch:", as_float(w), [str(v) for v in w])
print("o³ after:", as_float(o3_after.ravel()), "losses:", as_float(losses_after))
