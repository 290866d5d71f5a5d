"""The Loss Function: put the loss after the output layer, and measure each patient's error.

The loss of the articles is Loss(X^4, Y^truth) = 1/2 (X^4 - Y^truth)^2, dlm's ``MSE``. Its input
X^4 receives o3, the output of the last layer. For the three patients: loss = 0, 0, 1/2. Its
derivative with respect to X^4 is X^4 - Y^truth, so at the data delta4 = o3 - y_truth = 0, 0, -1:
exactly what dlm's ``MSE.backward`` hands to the model, one patient at a time.
"""

# %%
import sys
from fractions import Fraction
from pathlib import Path

from dlm.example import as_float, example_data, example_model
from dlm.losses import MSE
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import chain_figure, fmt_value, forward_backward  # noqa: E402

publish.style()

# %% The model's answers, and the loss of each patient.
x, y_truth = example_data()  # exact fractions
model = example_model()
L1, L2, L3 = model.layers
o3 = model.forward(x)  # (3, 1)
assert o3.ravel().tolist() == [0, 1, 0]

loss = MSE()  # Loss(X4, Y) = 1/2 (X4 - Y)^2, per patient
loss.forward(o3, y_truth)
losses = list(loss.sample_losses)
assert losses == [0, 0, Fraction(1, 2)]
# The same numbers from the formula of the article.
assert losses == [
    Fraction(1, 2) * (o - y) ** 2 for o, y in zip(o3[:, 0], y_truth[:, 0], strict=True)
]
assert all(value >= 0 for value in losses)  # a loss is never negative
correct = [value == 0 for value in losses]
assert correct == [True, True, False]  # zero exactly where the first article saw a right answer
print("loss =", as_float(losses).tolist())

rows = []
for n in range(3):
    rows.append(
        [
            f"{n + 1}",
            fmt_value(o3[n, 0]),
            fmt_value(y_truth[n, 0]),
            fmt_value(losses[n]),
            publish.mark(correct[n]),
        ]
    )
publish.table(
    "losses",
    ["patient", "$o^3$", "$y^{truth}$", "$loss = Loss(o^3, y^{truth})$", "correct?"],
    rows,
    align="ccccc",
)
publish.value("loss_all", "[" + ", ".join(fmt_value(v) for v in losses) + "]")
publish.value("loss3", fmt_value(losses[2]))

# %% Figure: the loss after the output layer, with the values of the three patients.
fig = chain_figure(
    model,
    sample=None,
    values="o",
    weights=False,
    loss="$Loss(X^4, Y^{truth})$",
    y_truth="[" + ", ".join(fmt_value(v) for v in y_truth[:, 0]) + "]",
    loss_value="[" + ", ".join(fmt_value(v) for v in losses) + "]",
    compact=True,
)
publish.figure(
    "loss_chain",
    fig,
    alt=(
        "The chain L1, L2, L3 followed by a green box Loss(X4, Y truth). Under the layers, the "
        "values of the three patients: o1 is the three rows of x, o2 = [0, 1, 0], o3 = [0, 1, 0]. "
        "The arrow from L3 carries o3 into the loss box; y truth = [0, 1, 1] comes in from above; "
        "the arrow leaving the box below reads loss = [0, 0, 0.5]."
    ),
    caption=(
        "The loss sits after the output layer. It takes the model's answer o³ and the truth, "
        "and gives one number per patient: 0 when the model is right."
    ),
)

# %% delta4: the derivative of the loss with respect to X4, at the data of each patient.
# By the formula: dLoss/dX4 = X4 - Ytruth, evaluated at (o3, y_truth).
delta4_formula = [o - y for o, y in zip(o3[:, 0], y_truth[:, 0], strict=True)]
# By dlm: the loss's backward pass, one patient at a time, is the learning flow that enters the
# model at the output of L3 (the node's ``dy``).
delta4_dlm = []
for n in range(3):
    forward_backward(model, x[n : n + 1], y_truth[n : n + 1])
    delta4_dlm.append(model[L3].dy[0, 0])
assert delta4_formula == delta4_dlm == [0, 0, -1]
publish.value("delta4_all", "[" + ", ".join(fmt_value(v) for v in delta4_dlm) + "]")
publish.value("delta4_3", fmt_value(delta4_dlm[2]))
print("delta4 =", as_float(delta4_dlm).tolist())

publish.table(
    "delta4",
    ["patient", "$o^3$", "$y^{truth}$", "$\\delta^4 = o^3 - y^{truth}$"],
    [
        [f"{n + 1}", fmt_value(o3[n, 0]), fmt_value(y_truth[n, 0]), fmt_value(delta4_dlm[n])]
        for n in range(3)
    ],
    align="cccc",
)

# %% The third patient: the derivative predicts the effect of a nudge of the output...
nudge = Fraction(1, 10)
o3_3, y_3 = o3[2, 0], y_truth[2, 0]
loss3 = losses[2]
predicted = loss3 + nudge * delta4_dlm[2]  # f(x + h) ~ f(x) + h f'(x)
actual = Fraction(1, 2) * (o3_3 + nudge - y_3) ** 2
assert predicted == Fraction(2, 5) and actual == Fraction(81, 200)
assert abs(actual - predicted) < nudge  # a good prediction for a small nudge
publish.value("nudge", fmt_value(nudge))
publish.value("predicted", fmt_value(predicted))
publish.value("actual", fmt_value(actual))

# %% ...and earlier variables reach the loss through the chain. Nudge X3, the input of L3 (its
# value is o2 = 0): L3 passes the change on, and the loss moves. Nudge the hours of dance in x:
# L1 passes it on, L2 turns 580 hours into 0.1, L3 passes it on, and the loss moves the same way.
model.forward(x[2:3])
o2_3 = model[L2].o  # o2 of patient 3, as it flowed
assert o2_3[0, 0] == 0
loss_after_x3 = loss.forward(L3.forward(o2_3 + nudge), y_truth[2:3])
assert loss_after_x3 == actual
dance = Fraction(580)
x_danced = x[2:3].copy()
x_danced[0, 2] += dance
assert L2.forward(L1.forward(x_danced))[0, 0] == nudge  # 580 hours / 5800 = 0.1
loss_after_dance = loss.forward(model.forward(x_danced), y_truth[2:3])
assert loss_after_dance == actual < loss3
publish.value("dance", f"{int(dance)}")
publish.value("dance_hours", f"{int(x[2, 2] + dance):,}")
