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
            ", ".join(f"{int(v):,}" for v in x[n]),
            f"{float(y[n, 0]):g}",
            shape[predicted[n]],
            shape[int(y_truth[n, 0])],
            publish.mark(correct[n]),
        ]
    )
publish.table(
    "results",
    ["patient", "input x", "model(x)", "model says", "truth", "correct?"],
    rows,
    align="crrllc",
)

# %% Values quoted in the prose.
for n in range(3):
    publish.value(f"out{n + 1}", float(y[n, 0]), "g")
publish.value("n_correct", sum(correct))
publish.value("n_patients", len(correct))
wrong = correct.index(False)
publish.value("wrong_patient", wrong + 1)
publish.value("wrong_x", ", ".join(f"{int(v):,}" for v in x[wrong]))
# Pitfall E1: the same model in float64 misses 0 by a hair.
y_float = example_model(exact=False).forward(example_data(exact=False)[0]).ravel()
w_float = np.array([float(w) for w in EXAMPLE_W])
sums_float = example_data(exact=False)[0] @ w_float
assert sums_float[0] != 0 and abs(sums_float[0]) < 1e-15
publish.value("float_sum1", float(sums_float[0]), ".1e")

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
fig, ax = plt.subplots(figsize=(6.4, 3.2))
positions = np.arange(3)
ax.axhline(0.5, color=publish.GREY, linestyle="--", linewidth=1)
ax.text(2.45, 0.52, "0.5: neither", color=publish.GREY, ha="right", va="bottom", fontsize=9)
ax.bar(positions - 0.17, as_float(y.ravel()), 0.3, color=publish.BLUE, label="model(x)")
ax.bar(positions + 0.17, as_float(y_truth.ravel()), 0.3, color=publish.ORANGE, label="truth")
for n in range(3):
    ax.text(
        n,
        1.12,
        "✓ correct" if correct[n] else "✗ wrong",
        ha="center",
        color=publish.GREEN if correct[n] else publish.RED,
        fontsize=10,
    )
ax.set_xticks(positions, [f"patient {n + 1}" for n in range(3)])
ax.set_ylim(0, 1.25)
ax.set_yticks([0, 0.5, 1], ["0 (bad)", "0.5", "1 (good)"])
ax.legend(loc="upper left", bbox_to_anchor=(0, 0.93), fontsize=9)
fig.tight_layout()
publish.figure(
    "outputs",
    fig,
    alt=(
        "Bar chart comparing the model's answer with the truth for each patient. Patient 1: "
        "model 0, truth 0, correct. Patient 2: model 1, truth 1, correct. Patient 3: model 0, "
        "truth 1, wrong."
    ),
    caption=(
        "What the model answers (blue) and what is true (orange). Above 0.5 the answer reads "
        '"good shape", below it "bad shape": the third patient is misjudged.'
    ),
)
