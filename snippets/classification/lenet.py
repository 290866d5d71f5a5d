"""Classification: train dlm's LeNet-5 on the 8,000 training digits, test it on the other 2,000.

The training is dlm's recipe (``dlm.models.train_lenet5``: LeNet-5 with batch normalization,
Adam at 3e-3 with a cosine decay, batches of 64, random shifts of up to one pixel, seed 0), run
for EPOCHS epochs instead of the recipe's 20 so that the build stays short. This is the only
snippet of the article that trains a convolutional network; everything about the trained model
(the curves, the confusion matrix, the misclassified digits, the inferring phase) comes from this
one run.

The digits stay in [0, 1] here: the batch normalization after each convolution centres the
representations the network builds, so the input needs no centring of its own.
"""

# dlm-snippet: timeout=1200
# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from dlm.datasets import load_mnist
from dlm.losses import softmax
from dlm.models import train_lenet5
from dlm.normalization import BatchNorm2D
from dlm_site import publish

publish.style()
EPOCHS = 8

# %% Train: one line per epoch (training loss and accuracy, then the same on the test digits).
model, reports = train_lenet5(epochs=EPOCHS, seed=0, log=False)
for r in reports:
    print(
        f"epoch {r['epoch']}/{EPOCHS}  training: loss {r['loss']:.4f}, accuracy "
        f"{100 * r['accuracy']:.2f}%   test: loss {r['test_loss']:.4f}, accuracy "
        f"{100 * r['test_accuracy']:.2f}%"
    )
final = reports[-1]
assert len(reports) == EPOCHS
assert final["test_accuracy"] >= 0.98  # the article's claim: at least 98% on unseen digits

# %% The network: each layer, the shape of its output for one digit, and its weights.
x_test, y_test = load_mnist("test")
model.eval()
model.forward(x_test[:1])
rows, total = [], 0
for k, node in enumerate(model.nodes, start=1):
    count = sum(int(np.prod(v.shape)) for v in node.layer.params.values())
    total += count
    shape = "×".join(str(s) for s in node.o.shape[1:])
    rows.append([f"L{k}", f"`{node.layer.describe()}`", shape, f"{count:,}" if count else ""])
publish.table("layers", ["layer", "in dlm", "output", "weights"], rows, align="llrr")
publish.value("n_layers", len(rows))
publish.value("n_weights", total, ",")
assert rows[-1][2] == "10"  # one output per class

# %% The learning curves.
epochs = [r["epoch"] for r in reports]
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(6.8, 3.0))
ax_loss.plot(epochs, [r["loss"] for r in reports], "o-", color=publish.BLUE, label="training")
ax_loss.plot(epochs, [r["test_loss"] for r in reports], "s-", color=publish.ORANGE, label="test")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy loss")
ax_loss.legend()
ax_acc.plot(
    epochs, [100 * r["accuracy"] for r in reports], "o-", color=publish.BLUE, label="training"
)
ax_acc.plot(
    epochs, [100 * r["test_accuracy"] for r in reports], "s-", color=publish.ORANGE, label="test"
)
ax_acc.axhline(98, color=publish.GREY, linestyle="--", linewidth=1)
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("accuracy (%)")
ax_acc.set_ylim(80, 100)
ax_acc.legend(loc="lower right")
for ax in (ax_loss, ax_acc):
    ax.set_xticks(epochs)
fig.tight_layout()
publish.figure(
    "curves",
    fig,
    alt=f"Two line charts over {EPOCHS} epochs. Left: the training and test losses fall fast in "
    f"the first epochs, then slowly. Right: the training accuracy climbs from "
    f"{100 * reports[0]['accuracy']:.0f}% to {100 * final['accuracy']:.1f}%, the test accuracy "
    f"from {100 * reports[0]['test_accuracy']:.1f}% to {100 * final['test_accuracy']:.1f}%, "
    "ending above a dashed line at 98%.",
    caption="Loss and accuracy after each epoch. The training values are averaged over the "
    "epoch's batches (shifted digits, weights still moving); the test values are measured after "
    "the epoch, in the inferring phase, on digits the network never trains on.",
)
publish.value("epochs", EPOCHS)
publish.value("first_test_accuracy", 100 * reports[0]["test_accuracy"], ".1f")
publish.value("train_accuracy", 100 * final["accuracy"], ".1f")
publish.value("test_loss", final["test_loss"], ".3f")
assert final["accuracy"] > reports[0]["accuracy"] and final["test_loss"] < reports[0]["test_loss"]
assert reports[0]["test_accuracy"] > 0.92  # already above every linear model (snippet tasks)
# Test above training in the first epoch; training above test in the last, by a small gap.
assert reports[0]["test_accuracy"] > reports[0]["accuracy"]
assert 0 < final["accuracy"] - final["test_accuracy"] < 0.02

# %% The inferring phase: the same forward pass, weights frozen, batch normalization on its
# running statistics. Inferring on the 2,000 test digits changes nothing in the model.
before = {
    (k, name): v.copy() for k, layer in enumerate(model.layers) for name, v in layer.params.items()
}
norms = [layer for layer in model.layers if isinstance(layer, BatchNorm2D)]
stats = [(n.running_mean.copy(), n.running_var.copy()) for n in norms]
model.eval()
logits = np.concatenate([model.forward(x_test[i : i + 500]) for i in range(0, len(x_test), 500)])
predicted = logits.argmax(axis=1)
wrong = np.flatnonzero(predicted != y_test)
accuracy = 1 - len(wrong) / len(y_test)
assert abs(accuracy - final["test_accuracy"]) < 1e-12  # the same measure as fit's report
for (k, name), v in before.items():
    assert np.array_equal(model.layers[k].params[name], v)  # frozen: not one weight moved
for n, (mean, var) in zip(norms, stats, strict=True):
    assert np.array_equal(n.running_mean, mean) and np.array_equal(n.running_var, var)

# In the inferring phase a digit gets the same answer alone as in a batch of 500.
alone = model.forward(x_test[:1])[0]
assert np.allclose(alone, logits[0], atol=1e-4)
# In the training phase, batch normalization would use the batch's own statistics: the same
# digit gets other logits depending on its batch-mates (we restore the statistics afterwards).
model.train()
with_first = model.forward(x_test[:100])[0]
with_others = model.forward(np.concatenate([x_test[:1], x_test[1000:1099]]))[0]
model.eval()
for n, (mean, var) in zip(norms, stats, strict=True):
    n.running_mean[...], n.running_var[...] = mean, var
batch_shift = float(np.abs(with_first - with_others).max())
assert batch_shift > 1e-2
publish.value("batch_shift", batch_shift, ".2f")

publish.value("test_accuracy", 100 * accuracy, ".2f")
publish.value("n_wrong", len(wrong))
publish.value("n_right", len(y_test) - len(wrong), ",")
publish.value("n_test", len(y_test), ",")
print(f"test accuracy {100 * accuracy:.2f}%: {len(wrong)} of {len(y_test)} digits wrong")

# %% The confusion matrix: row = true digit, column = the network's answer.
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
assert confusion.sum() == len(y_test) and np.trace(confusion) == len(y_test) - len(wrong)
off = confusion - np.diag(np.diag(confusion))
true_digit, said = np.unravel_index(off.argmax(), off.shape)
per_class = np.diag(confusion) / confusion.sum(axis=1)
worst = int(per_class.argmin())
publish.value("top_true", int(true_digit))
publish.value("top_said", int(said))
publish.value("top_count", int(off.max()))
publish.value("worst_class", worst)
publish.value("worst_class_accuracy", 100 * per_class[worst], ".1f")
publish.value("best_class", int(per_class.argmax()))
publish.value("best_class_accuracy", 100 * per_class.max(), ".1f")

fig, ax = plt.subplots(figsize=(4.8, 4.6))
for i in range(10):
    for j in range(10):
        n = confusion[i, j]
        if i == j:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, color=publish.GREEN))
            ax.text(j, i, str(n), ha="center", va="center", color="white", fontsize=9)
        elif n:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, color=publish.RED))
            ax.text(j, i, str(n), ha="center", va="center", color="white", fontsize=9)
ax.set_xlim(-0.5, 9.5)
ax.set_ylim(9.5, -0.5)
ax.set_aspect("equal")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.xaxis.tick_top()
ax.xaxis.set_label_position("top")
ax.set_xlabel("the network's answer")
ax.set_ylabel("true digit")
for spine in ax.spines.values():
    spine.set_visible(False)
ax.tick_params(length=0)
ax.grid(False)
for k in np.arange(-0.5, 10, 1):
    ax.axhline(k, color=publish.GREY, linewidth=0.5)
    ax.axvline(k, color=publish.GREY, linewidth=0.5)
fig.tight_layout()
publish.figure(
    "confusion",
    fig,
    alt=f"A 10 by 10 table of counts, true digit by row and answer by column. The diagonal holds "
    f"the correct answers, about 200 per digit; the {len(wrong)} errors are scattered off the "
    f"diagonal, none above {off.max()}.",
    caption=f"The confusion matrix of the {len(y_test):,} test digits: row i, column j counts the "
    "digits i "
    "that the network reads as j. Green: right answers. Red: mistakes (empty cells are zero).",
)

# %% Every misclassified test digit, with its true label and the network's answer.
PAPER = LinearSegmentedColormap.from_list("paper", ["#c8c8c8", "#151515"])
cols = 12
nrows = -(-len(wrong) // cols)
fig, axes = plt.subplots(nrows, cols, figsize=(6.4, 0.78 * nrows), squeeze=False)
for ax in axes.ravel():
    ax.axis("off")
for ax, i in zip(axes.ravel(), wrong, strict=False):
    ax.imshow(x_test[i, 0], cmap=PAPER, vmin=0, vmax=1, interpolation="nearest", rasterized=True)
    ax.set_title(f"{y_test[i]}→{predicted[i]}", fontsize=8, pad=2, color=publish.INK)
fig.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.01, wspace=0.1, hspace=0.45)
publish.figure(
    "wrong",
    fig,
    alt=f"The {len(wrong)} test digits the network gets wrong, each with a label 'true → "
    "answer' above it. Many are badly written: open loops, broken strokes, digits squeezed or "
    "slanted.",
    caption="Every misclassified test digit, labelled true digit → the network's answer. Many of "
    "them would make a person hesitate too.",
)
# How sure the network is of its answer (the largest probability), on its right and wrong answers.
sure = softmax(logits).max(axis=1)
right = np.setdiff1d(np.arange(len(y_test)), wrong)
sure_right = float((sure[right] > 0.99).mean())  # share of right answers given over 99%
sure_wrong = float((sure[wrong] > 0.99).mean())
assert sure_wrong < sure_right / 2
publish.value("sure_right", 100 * sure_right, ".0f")
publish.value("sure_wrong", 100 * sure_wrong, ".0f")
