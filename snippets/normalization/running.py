"""The Normalization Layer: running statistics, and why the inferring phase needs them.

A ``dlm.BatchNorm2D(2)`` after a seeded ``dlm.Convolution2D(1, 2, 3)``, fed batches of 16 MNIST
digits (``dlm/data/mnist10k.npz``) in the training phase. Each batch moves the running mean
(and variance) a tenth of the way towards its own statistics (momentum 0.1, as in PyTorch), so
after a few dozen batches they sit near the statistics of the whole data. In the inferring phase
(``eval()``) the layer uses them, and a digit's output no longer depends on the other digits of
its batch; in the training phase it does.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm_site import publish

publish.style()
dlm.set_default_dtype("float64")

images = np.load("dlm/data/mnist10k.npz")["images"][:2000, None].astype(np.float64) / 255
conv = dlm.Convolution2D(1, 2, 3, rng=np.random.default_rng(7))
features = dlm.to_numpy(conv.forward(images))  # (2000, 2, 26, 26): what the layer will see
population_mean = features.mean(axis=(0, 2, 3))
bn = dlm.BatchNorm2D(2)
assert np.array_equal(bn.running_mean, [0, 0]) and np.array_equal(bn.running_var, [1, 1])

# %% Training phase: 60 batches of 16 digits.
rng = np.random.default_rng(1)
BATCH = 16
history = [bn.running_mean.copy()]
batch_means = []
for _ in range(60):
    batch = features[rng.choice(len(features), BATCH, replace=False)]
    mean_before = bn.running_mean.copy()
    bn.forward(batch)
    mu = batch.mean(axis=(0, 2, 3))
    assert np.allclose(bn.running_mean, 0.9 * mean_before + 0.1 * mu)  # momentum 0.1
    batch_means.append(mu)
    history.append(bn.running_mean.copy())
history, batch_means = np.array(history), np.array(batch_means)
gap = np.abs(history[-1] - population_mean) / np.abs(population_mean)
print("running mean", history[-1], "population", population_mean)
assert (gap < 0.05).all()  # within 5 % of the whole data's mean
publish.value("n_steps", len(batch_means))
publish.value("n_digits", len(features), ",")
publish.value("batch_size", BATCH)
publish.value("gap", f"{100 * gap.max():.1f}\u2009%")
publish.value("weight_after_20", f"{100 * 0.9**20:.0f}\u2009%")

# %% A digit's output depends on its batch in training, not when inferring.
digit = features[:1]
companions_a, companions_b = features[1:4], features[100:103]
bn.train()
in_a = dlm.to_numpy(bn.forward(np.concatenate([digit, companions_a])))[0]
in_b = dlm.to_numpy(bn.forward(np.concatenate([digit, companions_b])))[0]
train_gap = float(np.abs(in_a - in_b).max())
assert train_gap > 0.01
bn.eval()
frozen = bn.running_mean.copy()
out_a = dlm.to_numpy(bn.forward(np.concatenate([digit, companions_a])))[0]
out_b = dlm.to_numpy(bn.forward(np.concatenate([digit, companions_b])))[0]
alone = dlm.to_numpy(bn.forward(digit))[0]
assert np.array_equal(out_a, out_b) and np.allclose(out_a, alone)
assert np.array_equal(bn.running_mean, frozen)  # inferring never moves the statistics
expected = (digit[0] - bn.running_mean[:, None, None]) / np.sqrt(
    bn.running_var[:, None, None] + bn.eps
)
assert np.allclose(alone, expected)
publish.value("train_gap", f"{train_gap:.2f}")

# %% Figure: the running mean of each channel, batch after batch.
fig, ax = plt.subplots(figsize=(6.4, 3.2))
fig.patch.set_alpha(0)
ax.set_facecolor("none")
steps = np.arange(len(history))
for c, colour in enumerate((publish.BLUE, publish.ORANGE)):
    ax.plot(steps[1:], batch_means[:, c], ".", color=colour, alpha=0.45, markersize=4)
    ax.plot(steps, history[:, c], "-", color=colour, linewidth=2, label=f"channel {c + 1}")
    ax.axhline(population_mean[c], color=colour, linestyle="--", linewidth=1)
ax.set_xlabel("training batches")
ax.set_ylabel("mean")
ax.legend(frameon=False, fontsize=9)
for side in ("right", "top"):
    ax.spines[side].set_visible(False)
fig.tight_layout()
publish.figure(
    "running",
    fig,
    alt=(
        "Line chart over 60 training batches. For each of two channels, dots show each batch's "
        "mean, scattered; a solid line, the running mean, starts at 0 and climbs smoothly to a "
        "dashed line, the mean over 2,000 digits, which it reaches after about 30 batches."
    ),
    caption=(
        "Running means of the two channels (lines) during training: each batch (dots) moves them "
        "a tenth of the way. They settle on the mean of the whole data (dashed), which is what "
        "the inferring phase uses."
    ),
)
