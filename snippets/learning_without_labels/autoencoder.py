"""Learning Without Labels: a convolutional autoencoder on the MNIST digits of dlm.

The encoder squeezes each 28x28 digit into a code of 16 numbers; the decoder grows the code back
into a 28x28 image. The loss compares the output with the input itself, so the labels are never
read during training. Only afterwards does the snippet look at them, to colour the codes of the
test digits (drawn on the plane of their two main directions, found without labels too) and to
measure how well digits of one class gather in code space.

It asserts what the article states: the reconstruction loss falls over the epochs, the
reconstructions are closer to their originals than the average digit is, and a nearest-neighbour
vote or a nearest class centre in the code finds the digit's class far more often than
chance (10%).
"""
# dlm-snippet: timeout=600

# %%
import numpy as np
from matplotlib import pyplot as plt

import dlm
from dlm.layer import Layer
from dlm_site import publish

publish.style()
rng = np.random.default_rng(0)


class Unflatten(Layer):
    """Reshape ``x: (N, C H W)`` into ``(N, C, H, W)``: Flatten run backwards."""

    def __init__(self, channels: int, height: int, width: int) -> None:
        super().__init__()
        self.shape = (channels, height, width)

    def describe(self) -> str:
        return "Unflatten(channels={}, height={}, width={})".format(*self.shape)

    def forward(self, x):
        """``y = x.reshape(N, C, H, W)``."""
        return x.reshape(x.shape[0], *self.shape)

    def backward(self, dy):
        """``dx = dy.reshape(N, C H W)``."""
        return dy.reshape(dy.shape[0], -1)


# %% The encoder: 28x28 -> 14x14 -> 7x7 -> a code of 16 numbers.
CODE = 16
conv1 = dlm.Convolution2D(1, 8, 3, stride=2, padding=1, rng=rng)
conv1.needs_input_grad = False  # nobody needs the gradient with respect to the data here
encoder = [
    dlm.Input2D(1, 28, 28),
    conv1,  # (N, 8, 14, 14)
    dlm.Activation("relu"),
    dlm.Convolution2D(8, 16, 3, stride=2, padding=1, rng=rng),  # (N, 16, 7, 7)
    dlm.Activation("relu"),
    dlm.Flatten(),  # (N, 784)
    dlm.Linear(16 * 7 * 7, CODE, rng=rng),  # the code: (N, 16)
]
# The decoder: the same path backwards, with Upsample2D in place of the strides.
decoder = [
    dlm.Linear(CODE, 16 * 7 * 7, rng=rng),
    dlm.Activation("relu"),
    Unflatten(16, 7, 7),  # (N, 16, 7, 7)
    dlm.Upsample2D(2),  # (N, 16, 14, 14)
    dlm.Convolution2D(16, 8, 3, padding=1, rng=rng),
    dlm.Activation("relu"),
    dlm.Upsample2D(2),  # (N, 8, 28, 28)
    dlm.Convolution2D(8, 1, 3, padding=1, rng=rng),
    dlm.Activation("sigmoid"),  # grey levels in (0, 1)
    dlm.Flatten(),  # (N, 784), to compare with the flattened input
]
autoencoder = dlm.sequential(*encoder, *decoder)
encode = dlm.sequential(*encoder)  # the same layers, so the same weights
decode = dlm.sequential(dlm.Input1D(CODE), *decoder)
code_layer = encoder[-1]
print(autoencoder.describe())

# %% Training: the target is the input. The labels y_train are loaded, then left alone.
x_train, y_train = dlm.load_mnist("train")
x_test, y_test = dlm.load_mnist("test")
EPOCHS, BATCH = 3, 64
loss = dlm.BCE()
optimizer = dlm.Adam(autoencoder.parameters(), lr=3e-3)
schedule = dlm.CosineLR(optimizer, total_steps=EPOCHS)
history = []
for epoch in range(1, EPOCHS + 1):
    total = 0.0
    for xb, _ in dlm.minibatches(x_train, y_train, BATCH, rng):  # the label is dropped: _
        target = xb.reshape(len(xb), -1)
        value = loss.forward(autoencoder.forward(xb), target)
        optimizer.zero_grad()
        autoencoder.backward(loss.backward())
        optimizer.step()
        total += float(value) * len(xb)
    schedule.step()
    history.append(total / len(x_train))
    print(f"epoch {epoch}: reconstruction loss {history[-1]:.1f} per digit")
autoencoder.eval()

# The loss per digit is summed over the 784 pixels; it falls at every epoch.
assert np.all(np.diff(history) < 0)
publish.value("epochs", EPOCHS)
publish.value("n_train", len(x_train), ",")
publish.value("n_test", len(x_test), ",")
publish.value("loss_first", history[0], ".1f")
publish.value("loss_last", history[-1], ".1f")
publish.value("n_code", CODE)
publish.value("squeeze", 28 * 28 // CODE)

# %% Reconstructions of test digits.
recon = dlm.to_numpy(autoencoder.forward(x_test)).reshape(-1, 28, 28)
codes = dlm.to_numpy(autoencoder.node(code_layer).o).copy()
originals = dlm.to_numpy(x_test)[:, 0]
pixel_error = ((recon - originals) ** 2).mean()
mean_digit = dlm.to_numpy(x_train)[:, 0].mean(axis=0)
mean_error = ((mean_digit[None] - originals) ** 2).mean()
assert pixel_error < 0.5 * mean_error, (pixel_error, mean_error)
publish.value("pixel_error", pixel_error, ".3f")
publish.value("mean_error", mean_error, ".3f")
publish.value("gain", 100 * (1 - pixel_error / mean_error), ".0f")


def digit_axes(axes):
    """Hide ticks and frames of a row of image axes."""
    for ax in np.ravel(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)


shown = [int(np.flatnonzero(y_test == k)[0]) for k in range(10)]
fig, axes = plt.subplots(2, 10, figsize=(8, 1.9))
for j, i in enumerate(shown):
    axes[0, j].imshow(originals[i], cmap="gray", vmin=0, vmax=1, rasterized=True)
    axes[1, j].imshow(recon[i], cmap="gray", vmin=0, vmax=1, rasterized=True)
digit_axes(axes)
axes[0, 0].set_ylabel("input", rotation=0, ha="right", va="center")
axes[1, 0].set_ylabel("output", rotation=0, ha="right", va="center")
fig.subplots_adjust(left=0.09, right=0.99, top=0.98, bottom=0.02, wspace=0.08, hspace=0.08)
publish.figure(
    "reconstructions",
    fig,
    alt=(
        "Two rows of ten small grey images. Top: the first test digit of each class, 0 to 9. "
        "Bottom: the autoencoder's output for each, a blurred but recognisable copy."
    ),
    caption=(
        "Test digits the autoencoder never saw (top) and what it rebuilds from their codes of 16 "
        "numbers (bottom). The shape survives; the finest details of the stroke do not."
    ),
)

# %% The codes of the test digits, coloured by their label only now.
train_codes = dlm.to_numpy(encode.forward(x_train)).copy()
centres = np.stack([train_codes[y_train == k].mean(axis=0) for k in range(10)])
nearest_centre = ((codes[:, None] - centres[None]) ** 2).sum(axis=-1).argmin(axis=1)
centre_accuracy = float((nearest_centre == y_test).mean())
K = 5
distances = ((codes[:, None] - train_codes[None]) ** 2).sum(axis=-1)  # (2000, 8000)
neighbours = y_train[np.argsort(distances, axis=1)[:, :K]]
votes = np.array([np.bincount(row, minlength=10).argmax() for row in neighbours])
knn_accuracy = float((votes == y_test).mean())
print(f"nearest class centre: {centre_accuracy:.1%}; {K} nearest neighbours: {knn_accuracy:.1%}")
assert knn_accuracy > 0.85 and centre_accuracy > 0.6  # chance is 10%
publish.value("knn_k", K)
publish.value("chance", 10)
publish.value("knn_accuracy", 100 * knn_accuracy, ".1f")
publish.value("centre_accuracy", 100 * centre_accuracy, ".1f")

# The plane of the two directions along which the training codes vary most (principal
# components: an SVD of the centred codes). Like the training, it never reads a label.
mean_code = train_codes.mean(axis=0)
_, singular, directions = np.linalg.svd(train_codes - mean_code, full_matrices=False)
plane = directions[:2].T  # (16, 2)
share = float((singular[:2] ** 2).sum() / (singular**2).sum())
assert 0.2 < share < 0.8  # the plane shows part of the spread, not all of it
publish.value("plane_share", 100 * share, ".0f")
flat = (codes - mean_code) @ plane
flat_centres = (centres - mean_code) @ plane

palette = plt.get_cmap("tab10").colors
fig, ax = plt.subplots(figsize=(6.4, 5.2))
for k in range(10):
    mine = flat[y_test == k]
    ax.scatter(mine[:, 0], mine[:, 1], s=5, color=palette[k], alpha=0.7, lw=0, rasterized=True)
    ax.annotate(
        str(k),
        flat_centres[k],
        ha="center",
        va="center",
        fontsize=13,
        fontweight="bold",
        color=palette[k],
        bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": palette[k], "alpha": 0.9},
    )
ax.set_xlabel("first main direction of the codes")
ax.set_ylabel("second main direction")
publish.figure(
    "codes",
    fig,
    alt=(
        "A scatter plot of 2,000 points, the codes of the test digits seen along their two main "
        "directions, each coloured by its label, with each class's centre marked by its digit "
        "in a circle. Points of a class gather in their own regions, which overlap at their edges."
    ),
    caption=(
        "The code of every test digit on the plane where the codes spread most, coloured by its "
        "label after training. The labels played no part in placing the points; digits of one "
        "class gather all the same. Each circled digit marks its class's centre."
    ),
)

# %% A walk through code space between two test digits, decoded at every step.
a, b = shown[0], shown[1]
STEPS = 9
publish.value("walk_steps", STEPS)
ts = np.linspace(0.0, 1.0, STEPS)
path = (1 - ts)[:, None] * codes[a] + ts[:, None] * codes[b]
walk = dlm.to_numpy(decode.forward(path.astype(codes.dtype))).reshape(-1, 28, 28)
assert np.allclose(walk[0], recon[a], atol=1e-5) and np.allclose(walk[-1], recon[b], atol=1e-5)
fig, axes = plt.subplots(1, STEPS + 2, figsize=(8, 1.25))
axes[0].imshow(originals[a], cmap="gray", vmin=0, vmax=1, rasterized=True)
axes[-1].imshow(originals[b], cmap="gray", vmin=0, vmax=1, rasterized=True)
for j in range(STEPS):
    axes[j + 1].imshow(walk[j], cmap="gray", vmin=0, vmax=1, rasterized=True)
    axes[j + 1].set_title(f"{ts[j]:.2g}", fontsize=9)
axes[0].set_title("input", fontsize=9)
axes[-1].set_title("input", fontsize=9)
digit_axes(axes)
fig.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.02, wspace=0.1)
publish.figure(
    "walk",
    fig,
    alt=(
        "A row of eleven small grey images: a test 0 on the left, a test 1 on the right, and "
        "between them nine decoded images along the straight line between their codes: the 0 "
        "narrows, passes through a shape close to a 6, and straightens into a 1."
    ),
    caption=(
        "A straight walk in code space from the code of a 0 to the code of a 1 (s from 0 to 1), "
        "each point decoded. The decoder draws a plausible digit all along the way."
    ),
)
