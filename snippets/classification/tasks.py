"""Classification: tell two digits apart with one output, then ten; three linear models compared.

Every model here is a single Linear layer on the 784 pixels of a digit (``Input1D(784)`` then
``Linear``), trained by ``dlm.training.fit`` with Adam on the 8,000 training digits of
``dlm.datasets`` and scored on the 2,000 test digits. The pixels are centred: ``x/255 - 0.5``
puts them in [-0.5, 0.5] (the draft of the original said [-1, 1] in one place and [-0.5, 0.5] in
another; ``2 x/255 - 1`` would give [-1, 1]). A linear model is small enough to train in seconds,
so the comparison is about the *output and the loss*, not the network.

1. Two classes, the digits 4 and 9: one output, MSE against 0 (a 4) or 1 (a 9), threshold 0.5,
   as the three patients of "General Concepts" were read.
2. Ten classes with one output: MSE against the digit itself (0 to 9), the answer rounded.
3. Ten classes with ten outputs: MSE against a one-hot vector, the answer the largest output.
4. Ten classes with ten outputs: softmax and cross-entropy, the answer the largest probability.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from dlm import MSE, Adam, Input1D, Linear, SoftmaxCrossEntropy, evaluate, fit, sequential
from dlm.datasets import load_mnist
from dlm.losses import softmax
from dlm_site import publish

publish.style()
EPOCHS, BATCH, LR = 10, 64, 1e-3

# %% The digits, centred, and as vectors of 784 pixels.
x_train, y_train = load_mnist("train")  # (8000, 1, 28, 28) in [0, 1], labels (8000,)
x_test, y_test = load_mnist("test")  # (2000, 1, 28, 28)
assert len(x_train) == 8000 and len(x_test) == 2000
assert x_train.min() == 0 and x_train.max() == 1
v_train = x_train.reshape(len(x_train), -1) - np.float32(0.5)  # (8000, 784)
v_test = x_test.reshape(len(x_test), -1) - np.float32(0.5)
assert v_train.min() == -0.5 and v_train.max() == 0.5  # [-0.5, 0.5], not [-1, 1]
publish.value("n_train", len(x_train), ",")
publish.value("n_test", len(x_test), ",")

# %% A few training digits of each class, as the network sees them (28 x 28 grey levels).
# Ink on a light grey tile: it reads on a white page and on a dark one. One mosaic image, with
# transparent gaps between the tiles, keeps the SVG small.
PAPER = LinearSegmentedColormap.from_list("paper", ["#c8c8c8", "#151515"])
PAPER.set_bad(alpha=0)
COLS, GAP = 12, 3
mosaic = np.full((10 * (28 + GAP) - GAP, COLS * (28 + GAP) - GAP), np.nan)
for digit in range(10):
    for k, index in enumerate(np.flatnonzero(y_train == digit)[:COLS]):
        top, left = digit * (28 + GAP), k * (28 + GAP)
        mosaic[top : top + 28, left : left + 28] = x_train[index, 0]
fig, ax = plt.subplots(figsize=(5.6, 4.9))
ax.imshow(np.ma.masked_invalid(mosaic), cmap=PAPER, vmin=0, vmax=1, interpolation="none")
ax.set_xticks([])
ax.set_yticks([14 + d * (28 + GAP) for d in range(10)], [str(d) for d in range(10)])
ax.tick_params(length=0)
for spine in ax.spines.values():
    spine.set_visible(False)
fig.subplots_adjust(left=0.05, right=0.99, top=0.99, bottom=0.01)
publish.figure(
    "digits",
    fig,
    alt="A grid of handwritten digits in ten rows, twelve examples each of 0, 1, 2 and so on up "
    "to 9, dark strokes on light grey squares.",
    caption="Twelve training digits of each class, 28×28 grey levels each. The label on the left "
    "is the expectation the network must learn to give.",
)


def linear_model(outputs: int, seed: int):
    """Input1D(784) then Linear(784, outputs): the smallest model that can read a digit."""
    return sequential(Input1D(784), Linear(784, outputs, rng=np.random.default_rng(seed)))


def train(model, loss, x, y, seed: int) -> None:
    """dlm's training loop: EPOCHS epochs of Adam on shuffled batches."""
    optimizer = Adam(model.parameters(), lr=LR)
    fit(model, loss, optimizer, (x, y), EPOCHS, BATCH, np.random.default_rng(seed), log=False)


def outputs(model, x):
    """The model's outputs in the inferring phase."""
    model.eval()
    return model.forward(x)


# %% Two classes: 4 or 9, one output, MSE against 0 or 1, read against 0.5.
A, B = 4, 9
pick_train = (y_train == A) | (y_train == B)
pick_test = (y_test == A) | (y_test == B)
t_train = (y_train[pick_train] == B).astype(np.float32)[:, None]  # 0 for a 4, 1 for a 9
t_test = (y_test[pick_test] == B).astype(np.float32)[:, None]
two = linear_model(1, seed=0)
train(two, MSE(), v_train[pick_train], t_train, seed=1)
out_two = outputs(two, v_test[pick_test])[:, 0]
two_correct = (out_two > 0.5) == (t_test[:, 0] == 1)
two_accuracy = two_correct.mean()
print(f"4 or 9, one output: test accuracy {100 * two_accuracy:.2f}% on {len(t_test)} digits")
assert two_accuracy > 0.95
# The 4s gather around 0 and the 9s around 1, as the caption says.
assert abs(np.median(out_two[t_test[:, 0] == 0])) < 0.3
assert abs(np.median(out_two[t_test[:, 0] == 1]) - 1) < 0.3
publish.value("two_train", int(pick_train.sum()), ",")
publish.value("two_test", int(pick_test.sum()), ",")
publish.value("two_accuracy", 100 * two_accuracy, ".1f")
publish.value("two_wrong", int((~two_correct).sum()))

fig, ax = plt.subplots(figsize=(6.4, 3.0))
bins = np.linspace(-0.75, 1.75, 51)
ax.hist(
    np.clip(out_two[t_test[:, 0] == 0], -0.75, 1.75),
    bins,
    color=publish.BLUE,
    alpha=0.8,
    linewidth=0,
    label=f"test digits that are {A}",
)
ax.hist(
    np.clip(out_two[t_test[:, 0] == 1], -0.75, 1.75),
    bins,
    color=publish.ORANGE,
    alpha=0.8,
    linewidth=0,
    label=f"test digits that are {B}",
)
ax.axvline(0.5, color=publish.INK, linestyle="--", linewidth=1)
ax.text(
    0.47,
    ax.get_ylim()[1] * 0.97,
    "threshold 0.5",
    color=publish.INK,
    fontsize=9,
    rotation=90,
    ha="right",
    va="top",
)
ax.set_xlabel("the model's single output")
ax.set_ylabel("digits")
ax.legend(loc="upper right", fontsize=9)
fig.tight_layout()
publish.figure(
    "two_outputs",
    fig,
    alt=f"Two histograms of the single output on the test digits: the {A}s gather around 0, the "
    f"{B}s around 1, with a small overlap near the dashed threshold at 0.5.",
    caption=f"One output is enough for two classes: the {A}s land near 0, the {B}s near 1, and "
    "the threshold 0.5 splits them. The few digits on the wrong side are the errors.",
)

# %% Ten classes, one output: MSE against the digit's value, the answer rounded to 0..9.
single = linear_model(1, seed=0)
train(single, MSE(), v_train, y_train.astype(np.float32)[:, None], seed=1)
out_single = outputs(single, v_test)[:, 0]
single_answer = np.clip(np.rint(out_single), 0, 9).astype(int)
single_accuracy = (single_answer == y_test).mean()
# The columns of the figure overlap: the middle of the 4s sits above the middle of the 5s.
median_single = [float(np.median(out_single[y_test == d])) for d in range(10)]
assert median_single[4] > median_single[5]
publish.value("four_median", median_single[4], ".1f")
publish.value("five_median", median_single[5], ".1f")

fig, ax = plt.subplots(figsize=(6.4, 3.4))
jitter = np.random.default_rng(2).uniform(-0.3, 0.3, len(y_test))
ax.scatter(
    y_test + jitter, out_single, s=3, color=publish.BLUE, alpha=0.35, linewidths=0, rasterized=True
)
ax.plot([-0.5, 9.5], [-0.5, 9.5], color=publish.ORANGE, linewidth=1.5, label="the right answer")
ax.set_xticks(range(10))
ax.set_yticks(range(0, 10))
ax.set_xlabel("true digit")
ax.set_ylabel("the model's single output")
ax.legend(loc="upper left", fontsize=9)
fig.tight_layout()
publish.figure(
    "single_output",
    fig,
    alt="A scatter plot of the single output against the true digit for the 2,000 test digits: "
    "each class forms a tall column of points spanning several units, far from the diagonal of "
    "right answers.",
    caption="One output for ten classes: each test digit is a dot at its true class. The columns "
    "are tall and overlap, so rounding the output gives the wrong digit most of the time.",
)


# %% Ten classes, ten outputs, MSE against a one-hot vector.
class OneHotMSE(MSE):
    """MSE against the one-hot vector of an integer label: 1 at the true class, 0 elsewhere."""

    def forward(self, prediction, target):
        """``1/N sum_n 1/2 sum_c (x[n, c] - onehot(t_n)[c])^2``."""
        return super().forward(prediction, np.eye(10, dtype=prediction.dtype)[target])


ten_mse = linear_model(10, seed=0)
train(ten_mse, OneHotMSE(), v_train, y_train, seed=1)
mse_accuracy = (outputs(ten_mse, v_test).argmax(axis=1) == y_test).mean()

# %% Ten classes, ten outputs, softmax and cross-entropy.
ten_ce = linear_model(10, seed=0)
train(ten_ce, SoftmaxCrossEntropy(), v_train, y_train, seed=1)
ce = evaluate(ten_ce, SoftmaxCrossEntropy(), v_test, y_test)
ce_accuracy = ce["accuracy"]

print(f"ten classes, one output, MSE:        {100 * single_accuracy:.2f}%")
print(f"ten classes, ten outputs, MSE:       {100 * mse_accuracy:.2f}%")
print(f"ten classes, softmax + cross-entropy: {100 * ce_accuracy:.2f}%")
# The article's claims: one output for ten classes fails; one output per class works; softmax
# and cross-entropy do better than MSE on the same ten outputs, same data, same steps.
assert single_accuracy < 0.25  # "fewer than one in four"
assert mse_accuracy > 0.8 and ce_accuracy > mse_accuracy + 0.01
assert ce_accuracy < 0.92  # LeNet-5 beats it after one epoch (snippet lenet)

publish.value("single_accuracy", 100 * single_accuracy, ".1f")
publish.value("mse_accuracy", 100 * mse_accuracy, ".1f")
publish.value("ce_accuracy", 100 * ce_accuracy, ".1f")
publish.value("epochs", EPOCHS)
publish.table(
    "ten_classes",
    ["outputs", "loss", "answer", "test accuracy"],
    [
        ["1", "MSE against the digit", "the output, rounded", f"{100 * single_accuracy:.1f}%"],
        ["10", "MSE against one-hot", "the largest output", f"{100 * mse_accuracy:.1f}%"],
        ["10", "softmax + cross-entropy", "the largest probability", f"{100 * ce_accuracy:.1f}%"],
    ],
    align="cllr",
)

# %% What the softmax model says about one test digit: ten probabilities that sum to 1.
p = softmax(outputs(ten_ce, v_test[:1]))[0]
assert abs(p.sum() - 1) < 1e-6 and p.argmax() == y_test[0]
publish.value("first_digit", int(y_test[0]))
publish.value("first_p", 100 * p.max(), ".1f")
