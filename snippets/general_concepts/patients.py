"""General Concepts: run the hand-picked model on the three patients and score its answers.

The model of the article is the function
model(X) = X1 / 200 - 3000 X2 / 11 600 000 + X3 / 5800.
dlm's Example model (``dlm.example``) holds exactly these weights in its Linear layer. It also ends
with a ReLU, which the next article introduces; none of the three sums is negative, so the ReLU
changes nothing here. The Example computes with exact fractions: in float64, two of the sums come
out at about -1e-17 instead of 0 (see the docstring of ``dlm.example``).
"""

# %%
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from dlm.example import EXAMPLE_W, as_float, example_data, example_model
from dlm_site import publish

publish.style()

# %% The dataset: three patients, three yearly quantities each, and the truth.
x, y_truth = example_data()  # x: (3, 3) exact fractions, y_truth: (3, 1)
features = ["broccoli eaten", "Tagada strawberries eaten", "hours of cardio latin dance"]
print("x =", as_float(x).tolist())
print("y_truth =", as_float(y_truth).ravel().tolist())

# %% Run the model on each patient.
model = example_model()
y = model.forward(x)  # (3, 1)
print("model(x) =", as_float(y).ravel().tolist())

# The weights are the article's fractions, and the answers are exact.
assert tuple(model.layers[1].params["weight"][0]) == EXAMPLE_W
assert y.ravel().tolist() == [0, 1, 0]
# The same numbers by hand, with the formula of the article.
by_hand = [Fraction(a, 200) - Fraction(3000 * b, 11_600_000) + Fraction(c, 5800) for a, b, c in x]
assert by_hand == [0, 1, 0]

# %% Read each answer against the 0.5 threshold and compare it with the truth.
threshold = Fraction(1, 2)
predicted = [1 if v > threshold else 0 for v in y.ravel()]
correct = [p == t for p, t in zip(predicted, y_truth.ravel(), strict=True)]
assert correct == [True, True, False]

shape = {0: "bad shape (0)", 1: "good shape (1)"}
rows = []
for n in range(3):
    rows.append(
        [
            f"{n + 1}",
            f"{float(y[n, 0]):g}",
            shape[predicted[n]],
            shape[int(y_truth[n, 0])],
            publish.mark(correct[n]),
        ]
    )
publish.table(
    "results",
    ["patient", "model(x)", "model says", "truth", "correct?"],
    rows,
    align="crllc",
)

# %% Values quoted in the prose.
for n in range(3):
    publish.value(f"out{n + 1}", float(y[n, 0]), "g")
publish.value("n_correct", sum(correct))
publish.value("n_patients", len(correct))
wrong = correct.index(False)
publish.value("wrong_patient", wrong + 1)
# The third patient ate as much candy as the first, and danced a lot.
assert x[2, 1] == x[0, 1]
publish.value("dance3", int(x[2, 2]), ",")
# Pitfall E1: the same model in float64 misses 0 by a hair.
w_float = np.array([float(w) for w in EXAMPLE_W])
sums_float = example_data(exact=False)[0] @ w_float
assert sums_float[0] != 0 and abs(sums_float[0]) < 1e-15
publish.value("float_sum1", float(sums_float[0]), ".1e")


def latex_terms(row) -> str:
    """The three terms w_i x_i of one patient, as LaTeX fractions joined by + and -."""
    text = ""
    for w, v in zip(EXAMPLE_W, row, strict=True):
        term = w * v
        sign = "-" if term < 0 else "+"
        fraction = rf"\frac{{{abs(term.numerator)}}}{{{term.denominator}}}"
        body = "0" if term == 0 else (str(abs(term)) if term.denominator == 1 else fraction)
        text += (f" {sign} " if text else ("-" if sign == "-" else "")) + body
    return text


for n in range(3):
    publish.value(f"terms{n + 1}", latex_terms(x[n]))

# %% Figure: the patients' inputs.
fig, ax = plt.subplots(figsize=(6.4, 3.2))
colours = [publish.BLUE, publish.ORANGE, publish.GREEN]
width = 0.26
for j, (name, colour) in enumerate(zip(features, colours, strict=True)):
    ax.bar(
        np.arange(3) + (j - 1) * width,
        as_float(x[:, j]),
        width,
        label=name,
        color=colour,
    )
ax.set_xticks(range(3), [f"patient {n + 1}" for n in range(3)])
ax.set_ylabel("per year")
ax.legend(loc="upper left", fontsize=9)
fig.tight_layout()
publish.figure(
    "inputs",
    fig,
    alt=(
        "Grouped bar chart of the three patients' yearly quantities. Patient 1: 100 broccoli, "
        "2,000 Tagada strawberries, 100 hours of dance. Patient 2: 200 broccoli, nothing else. "
        "Patient 3: no broccoli, 2,000 strawberries, 3,000 hours of dance."
    ),
    caption="The dataset: three patients, each described by three numbers.",
)

# %% Figure: the model's answers against the truth.
fig, ax = plt.subplots(figsize=(6.4, 3.4))
patients = np.arange(1, 4)
ax.axhspan(0.5, 1.25, color=publish.GREEN, alpha=0.12, linewidth=0)
ax.axhspan(-0.25, 0.5, color=publish.RED, alpha=0.10, linewidth=0)
ax.axhline(0.5, color=publish.GREY, linestyle="--", linewidth=1)
ax.text(3.45, 1.2, "reads as good shape", color=publish.INK, ha="right", va="top", fontsize=9)
ax.text(3.45, -0.2, "reads as bad shape", color=publish.INK, ha="right", va="bottom", fontsize=9)
ax.scatter(
    patients,
    as_float(y_truth.ravel()),
    s=260,
    facecolors="none",
    edgecolors=publish.ORANGE,
    linewidths=2.5,
    label="truth",
    zorder=3,
)
ax.scatter(patients, as_float(y.ravel()), s=70, color=publish.BLUE, label="model(x)", zorder=4)
for n in range(3):
    if not correct[n]:
        ax.annotate(
            "",
            xy=(n + 1, float(y_truth[n, 0]) - 0.09),
            xytext=(n + 1, float(y[n, 0]) + 0.07),
            arrowprops={"arrowstyle": "->", "color": publish.RED, "linewidth": 1.5},
        )
ax.set_xticks(
    patients,
    [f"patient {n + 1}\n{'✓ correct' if correct[n] else '✗ wrong'}" for n in range(3)],
)
ax.set_xlim(0.5, 3.5)
ax.set_ylim(-0.25, 1.25)
ax.set_yticks([0, 0.5, 1], ["0 (bad)", "0.5", "1 (good)"])
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
fig.tight_layout()
publish.figure(
    "outputs",
    fig,
    alt=(
        "Chart of the model's answer and the truth for each patient, with the 0.5 threshold. "
        "Patient 1: model 0, truth 0, correct. Patient 2: model 1, truth 1, correct. "
        "Patient 3: model 0, truth 1, wrong; an arrow shows the gap."
    ),
    caption=(
        "The model's answers (filled dots) and the truth (rings). Above 0.5 an answer reads as "
        "good shape, below it as bad shape. The third patient is on the wrong side."
    ),
)
