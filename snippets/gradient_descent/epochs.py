"""The Gradient Descent Algorithm: many epochs of per-sample gradient descent on the Example.

After each epoch, the whole dataset is run forward with the current weights and each patient's
loss is recorded, together with their average. The first epoch is the one the article works by
hand; the following ones go beyond the original blog, which only says that a second epoch could
be run. Exact fractions throughout (``dlm.example``).
"""

# %%
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from dlm import MSE
from dlm.example import as_float, example_data, example_model, sgd_epoch
from dlm_site import publish

publish.style()

EPOCHS = 15

# %% Train, and evaluate every patient after every epoch.
x, y_truth = example_data()
model = example_model()
loss = MSE()


def evaluate() -> tuple[list, list]:
    """Each patient's loss and the model's decision (threshold 0.5) with the current weights."""
    o3 = model.forward(x)
    loss.forward(o3, y_truth)
    decisions = [1 if v > Fraction(1, 2) else 0 for v in o3.ravel()]
    return list(loss.sample_losses), decisions


history = [evaluate()[0]]  # epoch 0: before any training
all_correct = [False]
for _ in range(EPOCHS):
    sgd_epoch(model, x, y_truth)
    losses, decisions = evaluate()
    history.append(losses)
    all_correct.append(decisions == [int(v) for v in y_truth.ravel()])
per_sample = as_float(history)  # (EPOCHS + 1, 3)
average = per_sample.mean(axis=1)
for epoch, (row, avg) in enumerate(zip(per_sample, average, strict=True)):
    print(f"epoch {epoch:2d}: losses {np.round(row, 5)}, average {avg:.5f}")

# %% What the article states.
# Epoch 1 is the worked epoch: patient 1's loss rose from 0 to 0.09245.
assert history[0][0] == 0 and history[1][0] == Fraction(1849, 20_000)
# The average loss falls at every epoch.
assert all(np.diff(average) < 0)
# Every patient is classified correctly after every epoch from the first on.
assert all(all_correct[1:])
# Patient 3's loss drops below a tenth of its start in one epoch; patient 2's stays near 0.
assert per_sample[1, 2] < per_sample[0, 2] / 10
assert per_sample[:, 1].max() < 1e-4
# Patient 1's loss falls back after its jump, and ends below a thousandth of its peak.
peak = per_sample[:, 0].max()
assert per_sample[1, 0] == peak and per_sample[-1, 0] < peak / 1000
publish.value("epochs", EPOCHS)
publish.value("avg_0", average[0], ".4f")
publish.value("avg_1", average[1], ".4f")
publish.value("avg_2", average[2], ".4f")
publish.value("avg_last", average[-1], ".1e")
publish.value("loss1_peak", peak, ".4g")
publish.value("loss1_last", per_sample[-1, 0], ".1e")
w_last = as_float(model.parameters()[0].value[0])
publish.value("w_last", "(" + ", ".join(f"{v:.4g}".replace("-", "−") for v in w_last) + ")")

# %% Figure: each patient's loss and the average loss, epoch after epoch.
fig, ax = plt.subplots(figsize=(6.4, 3.6))
epochs = np.arange(EPOCHS + 1)
colours = [publish.BLUE, publish.ORANGE, publish.GREEN]
markers = ["o", "s", "^"]
for n in range(3):
    ax.plot(
        epochs,
        per_sample[:, n],
        marker=markers[n],
        markersize=4,
        linewidth=1.4,
        color=colours[n],
        label=f"patient {n + 1}",
    )
ax.plot(epochs, average, color=publish.INK, linewidth=2.2, linestyle="--", label="average")
ax.set_xlabel("epoch")
ax.set_ylabel("loss after the epoch")
ax.set_xticks(epochs[::3] if EPOCHS > 10 else epochs)
ax.set_xlim(0, EPOCHS)
ax.set_ylim(0, None)
ax.legend(loc="upper right", fontsize=9)
fig.tight_layout()
publish.figure(
    "losses",
    fig,
    alt=(
        f"Line chart of the loss of each patient, and of their average, over {EPOCHS} epochs. "
        "Patient 3 starts at 0.5 and drops to almost 0 after the first epoch. Patient 1 starts "
        "at 0, jumps to about 0.09 after the first epoch, then decays towards 0. Patient 2 stays "
        "near 0. The average falls at every epoch."
    ),
    caption=(
        "Per-sample gradient descent over several epochs. The first epoch fixes patient 3 at "
        "the expense of patient 1; the following epochs repair patient 1, and the average loss "
        "falls all along."
    ),
)
