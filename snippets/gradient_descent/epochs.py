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
from dlm.example import EXAMPLE_W, as_float, example_data, example_model, sgd_epoch
from dlm_site import publish

publish.style()


def sci(v, digits: int = 1) -> str:
    """A small number in scientific notation for the prose: ``3.5 × 10⁻⁶``."""
    mantissa, exponent = f"{float(v):.{digits}e}".split("e")
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{mantissa} × 10{str(int(exponent)).translate(sup)}"


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
assert per_sample[:, 1].max() < 1e-5
# Why: patient 1's steps lower the broccoli weight, and patient 2 (broccoli only) drifts below 1.
assert model.parameters()[0].value[0, 0] < EXAMPLE_W[0]
assert model.forward(x)[1, 0] < 1
# The average falls by more than four orders of magnitude over the epochs.
assert average[-1] < average[0] / 1e4
# Patient 1's loss falls back after its jump, and ends below a thousandth of its peak.
peak = per_sample[:, 0].max()
assert per_sample[1, 0] == peak and per_sample[-1, 0] < peak / 1000
publish.value("epochs", EPOCHS)
publish.value("avg_0", average[0], ".4f")
publish.value("avg_1", average[1], ".4f")
publish.value("avg_2", average[2], ".4f")
publish.value("avg_last", sci(average[-1]))
publish.value("loss1_peak", peak, ".4g")
publish.value("loss2_max", sci(per_sample[:, 1].max(), 0))
publish.value("loss1_last", sci(per_sample[-1, 0]))
w_last = as_float(model.parameters()[0].value[0])
publish.value("w_last", "(" + ", ".join(f"{v:.4g}".replace("-", "−") for v in w_last) + ")")

# %% Figure: each patient's loss and the average loss, epoch after epoch.
# Left: the first epochs on a linear scale, where a loss of 0 shows. Right: every epoch on a log
# scale, where the small losses of the later epochs show (a loss of exactly 0 cannot).
ZOOM = 6
fig, (ax_lin, ax_log) = plt.subplots(1, 2, figsize=(8.0, 3.6))
epochs = np.arange(EPOCHS + 1)
colours = [publish.BLUE, publish.ORANGE, publish.GREEN]
markers = ["o", "s", "^"]
for ax, last in ((ax_lin, ZOOM), (ax_log, EPOCHS)):
    shown = epochs[: last + 1]
    for n in range(3):
        values = per_sample[: last + 1, n]
        if ax is ax_log:
            values = np.where(values > 0, values, np.nan)
        ax.plot(
            shown,
            values,
            marker=markers[n],
            markersize=4,
            linewidth=1.4,
            color=colours[n],
            label=f"patient {n + 1}",
        )
    ax.plot(
        shown,
        average[: last + 1],
        color=publish.INK,
        linewidth=2.0,
        linestyle="--",
        label="average",
    )
    ax.set_xlabel("epoch")
    ax.set_xlim(0, last)
ax_lin.set_xticks(epochs[: ZOOM + 1])
ax_lin.set_ylim(0, None)
ax_lin.set_ylabel("loss after the epoch")
ax_lin.set_title(f"epochs 0 to {ZOOM}", fontsize=10)
ax_log.set_yscale("log")
ax_log.set_xticks(epochs[::3])
ax_log.set_title(f"epochs 0 to {EPOCHS}, log scale", fontsize=10)
ax_lin.legend(loc="upper right", fontsize=9)
fig.tight_layout()
publish.figure(
    "losses",
    fig,
    alt=(
        "Two line charts of the loss of each patient, and of their average, after each epoch. "
        f"Left, epochs 0 to {ZOOM} on a linear scale: patient 3 starts at 0.5 and drops near 0 "
        "after the first epoch; patient 1 starts at 0, jumps to about 0.09 after the first "
        "epoch, then decays; patient 2 stays near 0; the average falls at every epoch. Right, "
        f"epochs 0 to {EPOCHS} on a log scale: the average and patients 1 and 3 keep falling, "
        "the average by more than four orders of magnitude, while patient 2's loss creeps up "
        "from 0 to a few millionths."
    ),
    caption=(
        "Per-sample gradient descent over several epochs. The first epoch fixes patient 3 at "
        "the expense of patient 1; the following epochs repair patient 1, and the average loss "
        "falls all along. A loss of exactly 0 has no place on the log scale, so the right-hand "
        "chart leaves those points out."
    ),
)
