"""Maximal Activation on a trained LeNet-5: the input each digit class prefers, with and without
regularisation, and what a few channels of the second convolution respond to.

LeNet-5 is trained briefly with dlm's recipe (``dlm.models.train_lenet5``, two epochs). Then its
weights are frozen (the model is in the inferring phase and no optimizer runs) and the *input*
moves by gradient ascent on one output: a class score (a logit) or one pixel of a channel.

It asserts what the article states: every score rises over the steps, with and without
regularisation; the unregularised images are rougher than the regularised ones (a blur removes
a larger share of their variation); and the network puts each regularised
image in the class it was grown for.
"""
# dlm-snippet: timeout=600

# %%
import numpy as np
from matplotlib import pyplot as plt

import dlm
from dlm.models import train_lenet5
from dlm_site import publish

publish.style()

EPOCHS = 2
model, reports = train_lenet5(epochs=EPOCHS, log=False)
model.eval()  # batch normalization in the inferring phase: each image on its own
for layer in model.layers:
    if isinstance(layer, dlm.MaxPool2D):
        layer.train()  # max pooling must remember its winners to pass δ back; nothing else changes
layers = model.layers
layers[1].needs_input_grad = True  # the first convolution must now pass δ to the input
accuracy = reports[-1]["test_accuracy"]
assert accuracy > 0.95
publish.value("epochs", EPOCHS)
publish.value("accuracy", 100 * accuracy, ".1f")

# %% Gradient ascent on the input, for a batch of images at once.
rng = np.random.default_rng(0)
BLUR = np.array([1.0, 2.0, 1.0]) / 4


def blur(x):
    """A 3x3 blur (1 2 1 / 4 along each axis), edges padded with zeros."""
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    rows = BLUR[0] * padded[:, :, :-2] + BLUR[1] * padded[:, :, 1:-1] + BLUR[2] * padded[:, :, 2:]
    return BLUR[0] * rows[..., :-2] + BLUR[1] * rows[..., 1:-1] + BLUR[2] * rows[..., 2:]


def ascend(net, pick, n, steps=150, rate=0.05, l2=0.0, blur_every=0, jitter=0):
    """Grow ``n`` images that maximise ``pick(y)``, a ``(n,)`` selection of the output ``y``.

    Each step: shift by a random jitter, forward, backward from a one-hot ``dy``, shift the
    gradient back, move along the gradient scaled to a largest value of 1, minus ``l2 * x``, keep
    pixels in [0, 1] when regularising; every ``blur_every`` steps, blur. Returns the images and
    the traced objective of every step, measured without jitter.
    """
    x = np.full((n, 1, 28, 28), 0.1, dtype=dlm.default_dtype())
    trace = []
    for step in range(steps):
        dr, dc = rng.integers(-jitter, jitter + 1, size=2) if jitter else (0, 0)
        shifted = np.roll(x, (dr, dc), axis=(2, 3))
        y = net.forward(shifted)
        dy = np.zeros_like(y)
        pick(dy)[...] = 1
        g = np.roll(dlm.to_numpy(net.backward(dy)), (-dr, -dc), axis=(2, 3))
        g = g / (np.abs(g).max(axis=(1, 2, 3), keepdims=True) + 1e-12)
        x = x + rate * (g - l2 * x)
        if l2 or blur_every:
            x = np.clip(x, 0, 1)
        if blur_every and step % blur_every == 0:
            x = blur(x)
        trace.append(np.asarray(pick(net.forward(x))).copy())
    return x.astype(dlm.default_dtype()), np.array(trace)


def class_scores(y):
    """The score of class k in row k."""
    return y[np.arange(10), np.arange(10)]


class _Diagonal:
    def __init__(self, y):
        self.y = y

    def __setitem__(self, key, value):
        self.y[np.arange(10), np.arange(10)] = value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(class_scores(self.y), dtype=dtype)


def pick_scores(y):
    """View of the class scores; writable through ``[...] =``."""
    return _Diagonal(y)


VARIANTS = {
    "none": {},
    "L2 penalty": {"l2": 0.05},
    "L2, blur, jitter": {"l2": 0.05, "blur_every": 8, "jitter": 1},
}
publish.value("l2", VARIANTS["L2, blur, jitter"]["l2"], ".2f")
publish.value("blur_every", VARIANTS["L2, blur, jitter"]["blur_every"])
publish.value("jitter", VARIANTS["L2, blur, jitter"]["jitter"])
images, traces = {}, {}
for name, options in VARIANTS.items():
    images[name], traces[name] = ascend(model, pick_scores, 10, **options)


def roughness(x):
    """The share of an image's variation that one blur removes: ``mean |x - blur(x)|`` over
    ``mean |x - mean(x)|``. Pixel-sized noise scores high, smooth strokes low."""
    x = x.astype(np.float64)
    spread = np.abs(x - x.mean(axis=(2, 3), keepdims=True)).mean(axis=(1, 2, 3))
    return np.abs(x - blur(x)).mean(axis=(1, 2, 3)) / spread


for name in VARIANTS:
    t = traces[name]
    assert np.all(t[-1] > t[0]), name  # every class score rose
final = {name: dlm.to_numpy(model.forward(images[name])) for name in VARIANTS}
regular = "L2, blur, jitter"
assert np.all(final[regular].argmax(axis=1) == np.arange(10))
rough = {name: float(roughness(images[name]).mean()) for name in VARIANTS}
assert rough["none"] > 2 * rough[regular], rough
publish.value("rough_none", rough["none"], ".2f")
publish.value("rough_regular", rough[regular], ".2f")
publish.value("score_start", float(traces[regular][0].mean()), ".1f")
publish.value("score_end", float(traces[regular][-1].mean()), ".1f")
publish.value("score_end_none", float(traces["none"][-1].mean()), ".1f")
publish.value("steps", len(traces[regular]))
print({name: round(v, 3) for name, v in rough.items()})


def show_rows(rows, labels, columns):
    """A grid of grey images, each scaled to its own range, one labelled row per variant."""
    fig, axes = plt.subplots(len(rows), columns, figsize=(8, 0.95 * len(rows) + 0.3))
    axes = np.atleast_2d(axes)
    for r, (row, label) in enumerate(zip(rows, labels, strict=True)):
        for j in range(columns):
            ax = axes[r, j]
            ax.imshow(row[j, 0], cmap="gray", rasterized=True)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    return fig, axes


fig, axes = show_rows(list(images.values()), list(VARIANTS), 10)
for k in range(10):
    axes[0, k].set_title(str(k), fontsize=10)
fig.subplots_adjust(left=0.17, right=0.99, top=0.9, bottom=0.02, wspace=0.08, hspace=0.08)
publish.figure(
    "classes",
    fig,
    alt=(
        "Three rows of ten small grey images, one column per digit 0 to 9. Top row, no "
        "regularisation: fine speckled patterns with no visible digit. Middle row, L2 penalty: "
        "scattered bright dots on black. Bottom row, L2 penalty, blur and jitter: a few smooth "
        "light strokes, bars and curves, on black."
    ),
    caption=(
        "The input each class prefers, grown from the same faint grey image by gradient ascent "
        "on the class score. Without regularisation (top) the ascent finds noise; a penalty, a "
        "blur and small random shifts (bottom) keep it to smooth strokes. Each image is scaled "
        "from its own darkest to its own lightest pixel."
    ),
)

fig, ax = plt.subplots(figsize=(6.4, 3.2))
colours = [publish.GREY, publish.ORANGE, publish.BLUE]
for (name, t), colour in zip(traces.items(), colours, strict=True):
    ax.plot(np.arange(1, len(t) + 1), t.mean(axis=1), color=colour, label=name)
ax.set_xlabel("step")
ax.set_ylabel("mean class score")
ax.legend(frameon=False)
fig.tight_layout()
publish.figure(
    "scores",
    fig,
    alt=(
        "Three rising curves of the mean class score against the step. The unregularised one "
        "is a straight line that climbs highest; the one with the L2 penalty levels off lower; "
        "the one with blur and jitter climbs least, in a saw-tooth that drops at every blur."
    ),
    caption=(
        "The class score, averaged over the ten classes, during the ascent. Every variant "
        "raises it; the regularised ones give up some score to stay image-like."
    ),
)

# %% What channels of the second convolution respond to: its centre pixel, after normalization.
bn2 = layers[6]
assert isinstance(bn2, dlm.BatchNorm2D)
trunk = dlm.Model(inputs=layers[0], outputs=model.node(bn2))
CHANNELS = 8


def pick_centre(y):
    """Channel c's centre pixel (4, 4) in row c."""
    return _Centre(y)


class _Centre:
    def __init__(self, y):
        self.y = y

    def __setitem__(self, key, value):
        self.y[np.arange(CHANNELS), np.arange(CHANNELS), 4, 4] = value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.y[np.arange(CHANNELS), np.arange(CHANNELS), 4, 4], dtype=dtype)


channels, channel_trace = ascend(trunk, pick_centre, CHANNELS, **VARIANTS[regular])
assert np.all(channel_trace[-1] > channel_trace[0])
publish.value("n_shown", CHANNELS)
publish.value("n_channels", bn2.params["weight"].shape[0])
fig, axes = show_rows([channels], [""], CHANNELS)
for c in range(CHANNELS):
    axes[0, c].set_title(f"channel {c}", fontsize=9)
fig.set_size_inches(8, 1.4)
fig.subplots_adjust(left=0.01, right=0.99, top=0.82, bottom=0.02, wspace=0.08)
publish.figure(
    "channels",
    fig,
    alt=(
        "Eight small grey images, one per channel of the second convolution: each shows light "
        "strokes and blobs near the middle, arranged differently in each, on a dark ground."
    ),
    caption=(
        "The input that lights up the centre pixel of eight channels of LeNet-5's second "
        "convolution, grown with the penalty, the blur and the jitter. Each channel looks for its "
        "own arrangement of stroke pieces in the middle of the image."
    ),
)
