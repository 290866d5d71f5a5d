"""Batch Learning: per-sample descent against full-batch descent, epoch after epoch.

Three runs from the Example's initial weights, exact fractions, evaluated on the three patients
after every epoch:

- per-sample descent (one update per patient, three per epoch), α;
- full-batch descent (one update per epoch, with the average gradient), the same α;
- full-batch descent with n α, so that one epoch takes a step as long as n per-sample steps.
"""

# %%
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from dlm import MSE
from dlm.example import EXAMPLE_LR, as_float, batch_epoch, example_data, example_model, sgd_epoch
from dlm_site import publish

publish.style()


def sci(v, digits: int = 1) -> str:
    """A small number in scientific notation for the prose: ``3.5 × 10⁻⁶``."""
    mantissa, exponent = f"{float(v):.{digits}e}".split("e")
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{mantissa} × 10{str(int(exponent)).translate(sup)}"


EPOCHS = 20
x, y_truth = example_data()
n = x.shape[0]
truth = [int(v) for v in y_truth.ravel()]

# %% The three runs.
runs = {
    "per-sample, α": (sgd_epoch, EXAMPLE_LR),
    "full batch, α": (batch_epoch, EXAMPLE_LR),
    f"full batch, {n}α": (batch_epoch, n * EXAMPLE_LR),
}
average, output3, first_all_correct = {}, {}, {}
for name, (epoch_fn, lr) in runs.items():
    model = example_model()
    loss = MSE()
    avg, out3, correct_at = [], [], None
    for epoch in range(EPOCHS + 1):
        if epoch > 0:
            epoch_fn(model, x, y_truth, lr=lr)
        o3 = model.forward(x)
        avg.append(loss.forward(o3, y_truth))
        out3.append(o3[2, 0])
        decisions = [1 if v > Fraction(1, 2) else 0 for v in o3.ravel()]
        if correct_at is None and decisions == truth:
            correct_at = epoch
    average[name], output3[name], first_all_correct[name] = avg, out3, correct_at
    print(f"{name}: average loss {[f'{float(v):.2g}' for v in avg]}; all correct at {correct_at}")

sgd, batch, batch_n = (average[k] for k in runs)
# After one epoch: the full batch is more moderate, its average loss higher than per-sample's.
assert batch[0] == sgd[0] == Fraction(1, 6)
assert batch[1] > sgd[1]
# At the same α, per-sample descent is ahead at every epoch: it takes n steps per epoch.
assert all(b > s for b, s in zip(batch[1:], sgd[1:], strict=True))
# With n α, the full batch's first epoch equals per-sample's (patients 1 and 2 taught nothing).
assert batch_n[1] == sgd[1]
# Every run lowers the average loss at every epoch.
for avg in average.values():
    assert all(b < a for a, b in zip(avg, avg[1:], strict=False))
# When each run first gets the three patients right.
k_sgd, k_batch, k_batch_n = (first_all_correct[k] for k in runs)
assert k_sgd == 1 and k_batch > 1 and k_batch_n == 1

# Patient 3's output: the full batch at α climbs towards 1 without overshooting; the two runs
# with longer steps per epoch overshoot to 1.3 first, then settle.
out_batch = output3["full batch, α"]
assert all(a < b < 1 for a, b in zip(out_batch, out_batch[1:], strict=False))
for name in ("per-sample, α", f"full batch, {n}α"):
    assert max(output3[name]) == Fraction(13, 10)
    assert abs(output3[name][-1] - 1) < Fraction(1, 50)

publish.value("epochs", EPOCHS)
publish.value("o3_peak", float(max(output3["per-sample, α"])), "g")
publish.value("sgd_last", sci(sgd[-1]))
publish.value("batch_last", sci(batch[-1]))
publish.value("batch_n_last", sci(batch_n[-1]))
publish.value("batch_correct_at", k_batch)
publish.value("sgd_1", float(sgd[1]), ".4f")
publish.value("batch_1", float(batch[1]), ".4f")

# %% Figure: the average loss (log scale) and patient 3's output, for the three runs.
fig, (ax_loss, ax_out) = plt.subplots(1, 2, figsize=(8.0, 3.6))
epochs = np.arange(EPOCHS + 1)
styles = [
    {"color": publish.BLUE, "marker": "o", "linestyle": "-"},
    {"color": publish.ORANGE, "marker": "s", "linestyle": "-"},
    {"color": publish.GREEN, "marker": "^", "linestyle": "--"},
]
for name, style in zip(runs, styles, strict=True):
    ax_loss.plot(
        epochs, as_float(average[name]), markersize=3.5, linewidth=1.4, label=name, **style
    )
    ax_out.plot(epochs, as_float(output3[name]), markersize=3.5, linewidth=1.4, label=name, **style)
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("average loss")
ax_loss.set_title("average loss of the three patients", fontsize=10)
ax_out.axhline(0.5, color=publish.GREY, linestyle=":", linewidth=1.2)
ax_out.text(EPOCHS, 0.47, "threshold 0.5", color=publish.GREY, ha="right", va="top", fontsize=9)
ax_out.set_xlabel("epoch")
ax_out.set_ylabel("o³ of patient 3 (truth: 1)")
ax_out.set_title("patient 3's output", fontsize=10)
ax_out.legend(loc="lower right", fontsize=9)
for ax in (ax_loss, ax_out):
    ax.set_xlim(0, EPOCHS)
    ax.set_xticks(epochs[::5])
fig.tight_layout()
publish.figure(
    "compare",
    fig,
    alt=(
        f"Two line charts over {EPOCHS} epochs for three runs: per-sample descent with α, "
        f"full-batch descent with α, and full-batch descent with {n}α. Left, the average loss "
        "on a log scale: all three fall at every epoch; per-sample descent falls fastest, "
        f"full batch with α slowest, and full batch with {n}α close to per-sample. Right, "
        "patient 3's output: per-sample and full batch with "
        f"{n}α jump to 1.3 after one epoch, then oscillate and settle at 1; full batch with α "
        f"climbs smoothly from below, crosses the 0.5 threshold at epoch {k_batch} and "
        "approaches 1 without overshooting."
    ),
    caption=(
        "Per-sample against full-batch descent on the three patients. At the same learning "
        "rate the full batch moves more gently: one averaged step per epoch where per-sample "
        f"descent makes {n}. It learns more slowly, but never overshoots. Give the batch a "
        f"step {n} times longer and it behaves much like per-sample descent."
    ),
)
