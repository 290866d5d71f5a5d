"""Weights' Balancing: replay the Example's updates one by one and watch the weights balance.

Per-sample gradient descent on ``dlm.example`` (exact fractions, α = 1e-7, patients in order), for
many epochs. Every update is recorded with the signs that decide it: δ⁴ = o³ − y, δ³ (after the
ReLU), the inputs o¹ and the move of each weight. The snippet checks the article's sign rule on
every one of them: the move of w²_i has the sign of −δ³ o¹_i.

At the start of every epoch, ``dlm.per_sample_gradients`` gives each patient's own gradient with
the weights of that moment: the pull of each patient on each weight. The batch gradient is their
average. A full-batch run (one update per epoch) is recorded beside the per-sample one.
"""

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm.example import EXAMPLE_LR, EXAMPLE_W, as_float, example_data, example_model
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _walkthrough import fmt_value, forward_backward  # noqa: E402

publish.style()

EPOCHS = 40
ALPHA = EXAMPLE_LR
x, y_truth = example_data()
n_patients = x.shape[0]


def sign(v) -> int:
    """-1, 0 or 1."""
    return (v > 0) - (v < 0)


ARROW = {1: "↑", -1: "↓", 0: "·"}


def moves_text(move) -> str:
    """The direction of each weight's move: ↑ up, ↓ down, · unchanged."""
    return " ".join(ARROW[sign(v)] for v in move)


# %% Per-sample descent, one update at a time, with the per-sample gradients of every epoch.
model = example_model()
L1, L2, L3 = model.layers
updates = []  # one dict per update
pulls = []  # per epoch: (3 patients, 3 weights) of -α δw, each patient's own wish
weights = [as_float(L2.params["weight"][0])]  # after each update
for epoch in range(1, EPOCHS + 1):
    own = dlm.per_sample_gradients(model, dlm.MSE(), x, y_truth)[L2, "weight"]  # (3, 1, 3)
    pulls.append(as_float(-ALPHA * own[:, 0, :]))
    for n in range(n_patients):
        before = L2.params["weight"][0].copy()
        forward_backward(model, x[n : n + 1], y_truth[n : n + 1])
        grad = L2.grads["weight"][0].copy()
        # A per-sample step uses exactly that patient's own gradient.
        assert (
            grad
            == dlm.per_sample_gradients(model, dlm.MSE(), x[n : n + 1], y_truth[n : n + 1])[
                L2, "weight"
            ][0, 0]
        ).all()
        L2.params["weight"][0] = before - ALPHA * grad
        updates.append(
            {
                "epoch": epoch,
                "patient": n + 1,
                "o1": x[n],
                "o2": model[L2].o[0, 0],
                "o3": model[L3].o[0, 0],
                "y": y_truth[n, 0],
                "d4": model[L3].dy[0, 0],
                "d3": model[L2].dy[0, 0],
                "move": L2.params["weight"][0] - before,
            }
        )
        weights.append(as_float(L2.params["weight"][0]))
weights = np.array(weights)  # (1 + 3 EPOCHS, 3)
pulls = np.array(pulls)  # (EPOCHS, 3, 3)

# %% The sign rule, checked on every update: move_i has the sign of -δ³ o¹_i.
for u in updates:
    # The ReLU passes δ on when o² >= 0 (slope 1 at 0, as in the blog), and blocks it otherwise.
    assert u["d3"] == (u["d4"] if u["o2"] >= 0 else 0)
    assert u["d4"] == u["o3"] - u["y"]
    for i in range(3):
        assert sign(u["move"][i]) == -sign(u["d3"]) * sign(u["o1"][i])
situations = {(sign(u["d3"]), min(sign(v) for v in u["o1"])) for u in updates}
# The Example's inputs are never negative: only three of the five situations ever occur.
assert all(v >= 0 for v in x.ravel())
assert {s for s, _ in situations} == {-1, 0, 1}
publish.value("n_updates", len(updates))
publish.value("epochs", EPOCHS)

# %% The first epoch, and the second: the replay table.
READING = {
    0: "as expected: nothing to learn",
    -1: "too low: push o² up",
    1: "too high: push o² down",
}
rows = []
for k, u in enumerate(updates[:6]):
    rows.append(
        [
            str(k + 1),
            str(u["epoch"]),
            str(u["patient"]),
            fmt_value(u["o3"], 5 if u["patient"] == 2 else 3),
            fmt_value(u["y"]),
            fmt_value(u["d4"], 2),
            fmt_value(u["d3"], 2),
            READING[sign(u["d3"])],
            moves_text(u["move"]),
        ]
    )
publish.table(
    "replay",
    ["update", "epoch", "patient", "o³", "y", "δ⁴", "δ³", "reading", "w²₁ w²₂ w²₃"],
    rows,
    align="ccccccclc",
)
first = updates[:3]
assert [sign(u["d4"]) for u in first] == [0, 0, -1]
assert [moves_text(u["move"]) for u in first] == ["· · ·", "· · ·", "· ↑ ↑"]
second = updates[3:6]
assert [sign(u["d4"]) for u in second] == [1, -1, 1]  # 1 and 3 too high, 2 a little too low
assert [moves_text(u["move"]) for u in second] == ["↓ ↓ ↓", "↑ · ·", "· ↓ ↓"]
publish.value("o3_1_e2", fmt_value(second[0]["o3"], 3))
publish.value("o3_3_e2", fmt_value(second[2]["o3"], 3))
publish.value("o3_2_e2", fmt_value(second[1]["o3"], 5))
publish.value("move3_e1", "(" + ", ".join(fmt_value(v, 3) for v in first[2]["move"]) + ")")

# Patient 2 was perfect until patient 1's correction lowered w²₁ (patient 2 only ate broccoli).
assert first[1]["o3"] == 1 and second[0]["move"][0] < 0 and second[1]["o3"] < 1

# %% The pulls on w²₁: patient 1 wants it down, patient 2 up, patient 3 never touches it.
pull1 = pulls[:, :, 0]  # (EPOCHS, patients)
assert (pull1[:, 2] == 0).all()  # patient 3 ate no broccoli
tug = [e for e in range(EPOCHS) if pull1[e, 0] < 0 < pull1[e, 1]]
assert len(tug) >= EPOCHS // 2, tug  # most epochs: a tug-of-war on w²₁
publish.value("tug_epochs", len(tug))
# The batch gradient is the average of the per-sample gradients (checked at the first epoch).
check = example_model()
forward_backward(check, x, y_truth)
own = dlm.per_sample_gradients(check, dlm.MSE(), x, y_truth)[check.layers[1], "weight"]
assert (check.layers[1].grads["weight"] == own.sum(axis=0) / n_patients).all()

# w²₁ goes down first, then back up towards 1/200, the value that patient 2 alone asks for.
w1 = weights[:, 0]
low = int(np.argmin(w1))
assert w1[low] < float(EXAMPLE_W[0]) and w1[-1] > w1[low]
publish.value("w1_low", f"{w1[low]:.6f}")
publish.value("w1_low_epoch", (low + 2) // 3)
publish.value("w1_start", f"{float(EXAMPLE_W[0]):.6f}")
publish.value("w1_end", f"{w1[-1]:.6f}")

# %% The full-batch run, for comparison: one update per epoch with the average gradient.
batch = example_model()
batch_weights = [as_float(batch.layers[1].params["weight"][0])]
for _ in range(EPOCHS):
    dlm.example.batch_epoch(batch, x, y_truth)
    batch_weights.append(as_float(batch.layers[1].params["weight"][0]))
batch_weights = np.array(batch_weights)

final = as_float(model.forward(x)).ravel()
loss_end = dlm.MSE().forward(model.forward(x), y_truth)
publish.value("o3_end", "(" + ", ".join(f"{v:.3f}" for v in final) + ")")
assert final[0] < 0.01 and abs(final[1] - 1) < 0.01 and abs(final[2] - 1) < 0.01
publish.value("loss_end", f"{float(loss_end):.1e}")

# %% Figure: the three weights over time.
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.3), sharex=True)
t_sgd = np.arange(len(weights)) / n_patients  # three updates per epoch
t_batch = np.arange(len(batch_weights))
for i, ax in enumerate(axes):
    ax.plot(t_sgd, weights[:, i] * 1e4, color=publish.BLUE, label="per-sample")
    ax.plot(t_batch, batch_weights[:, i] * 1e4, color=publish.ORANGE, label="full batch")
    ax.set_title(f"$w^2_{i + 1}$ (×10⁻⁴)", fontsize=11)
    ax.set_xlabel("epoch")
axes[0].legend(fontsize=9)
fig.tight_layout()
publish.figure(
    "weights",
    fig,
    alt=(
        f"Three line charts, one per weight of L2, over {EPOCHS} epochs, per-sample descent in "
        "blue and full-batch descent in orange. w2_1 starts at 50 (×1e-4), dips to about 49.9 "
        "and creeps back up; w2_2 jumps from about -2.6 to -0.6 in the first epoch, then falls "
        "to about -2.75; w2_3 jumps from 1.7 to "
        "4.7 in the first epoch, then settles near 5.2. The batch curves move the same way, "
        "more slowly."
    ),
    caption=(
        "The weights of L² over time (scaled by 10⁴). Per-sample descent (blue) moves "
        "three times per epoch, full-batch descent (orange) once, by the average move."
    ),
)

# %% Figure: the pulls of the patients on w²₁, in size, on a log scale.
down, up = -pull1[2:, 0], pull1[2:, 1]  # from epoch 3, when both pull
assert (down > 0).all() and (up > 0).all()
epochs = np.arange(3, EPOCHS + 1)
cross = int(epochs[np.argmax(up > down)])  # the first epoch where patient 2 pulls harder
assert abs(cross - (low + 2) / 3) <= 1.5  # ... is when w²₁ turns around
publish.value("cross_epoch", cross)
fig, ax = plt.subplots(figsize=(6.4, 3.3))
ax.semilogy(epochs, down, color=publish.BLUE, marker="o", markersize=3, label="patient 1: down")
ax.semilogy(epochs, up, color=publish.ORANGE, marker="o", markersize=3, label="patient 2: up")
ax.axvline(cross, color=publish.GREY, linestyle="--", linewidth=1)
ax.set_xlabel("epoch")
ax.set_ylabel("size of the wished move of $w^2_1$")
ax.legend(fontsize=9)
fig.tight_layout()
publish.figure(
    "pulls",
    fig,
    alt=(
        "Log-scale line chart of the size of each patient's wished move of w2_1, from per-sample "
        "gradients at the start of each epoch. Patient 1 pulls down, strongly at first, then ever "
        f"less; patient 2 pulls up, weakly at first, then more. The lines cross at epoch {cross}, "
        "marked by a dashed line. Patient 3 never pulls on w2_1."
    ),
    caption=(
        "The tug-of-war on w²₁: the size of α δw²₁ for each patient's own "
        "loss, at the start of each epoch. Where the lines cross, w²₁ stops falling and "
        "turns back up."
    ),
)
