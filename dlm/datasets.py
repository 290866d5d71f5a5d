"""Datasets shipped with dlm, and the minibatch iterator.

MNIST. ``dlm/data/mnist10k.npz`` holds 10,000 handwritten digits of the MNIST database by Yann
LeCun, Corinna Cortes and Christopher J. C. Burges (http://yann.lecun.com/exdb/mnist/): 28x28
grey-level images (0-255) and their labels (0-9). dlm splits them once and for all:

- **training**: the first 8,000 digits (indices 0-7,999);
- **test**: the last 2,000 digits (indices 8,000-9,999).

Every class has between 679 and 882 training digits and between 184 and 245 test digits. The split
never changes, so accuracies are comparable from one article (and one run) to the next.

Randomness is explicit: ``minibatches`` shuffles with the ``numpy.random.Generator`` it is given,
and ``random_shifts`` draws its shifts from one too.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import numpy

from dlm.backend import default_dtype

#: How many of the 10,000 digits are used for training; the rest are the test set.
MNIST_TRAIN_SIZE = 8000


def load_mnist(split: str = "train", dtype=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The MNIST digits of ``split`` (``"train"``: 8,000; ``"test"``: 2,000; ``"all"``: 10,000).

    Returns ``(x, y)``: images ``x: (N, 1, 28, 28)`` scaled to [0, 1] in ``dtype`` (the default
    dtype unless given), and labels ``y: (N,)`` as int64.
    """
    parts = {
        "train": slice(0, MNIST_TRAIN_SIZE),
        "test": slice(MNIST_TRAIN_SIZE, None),
        "all": slice(None),
    }
    if split not in parts:
        raise ValueError(f"load_mnist(split={split!r}): split must be one of {sorted(parts)}")
    with resources.files("dlm").joinpath("data/mnist10k.npz").open("rb") as file:
        data = numpy.load(file)
        images, labels = data["images"][parts[split]], data["labels"][parts[split]]
    dtype = default_dtype() if dtype is None else numpy.dtype(dtype)
    x = (images.astype(dtype) / dtype.type(255))[:, None, :, :]
    return x, labels.astype(numpy.int64)


def minibatches(
    x,
    y,
    batch_size: int,
    rng: numpy.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[tuple]:
    """Yield ``(x_batch, y_batch)`` pairs of ``batch_size`` samples covering ``x`` and ``y`` once.

    With ``rng``, the order is a fresh random permutation (drawn from ``rng``) at every call;
    without it, the samples come in order. The last batch is smaller unless ``drop_last``.
    """
    if len(x) != len(y):
        raise ValueError(
            f"minibatches: x and y must hold as many samples, got {len(x)} and {len(y)}"
        )
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be a positive int, got {batch_size!r}")
    order = numpy.arange(len(x)) if rng is None else rng.permutation(len(x))
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for start in range(0, stop, batch_size):
        index = order[start : start + batch_size]
        if rng is None:
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            yield x[index], y[index]


def random_shifts(x, max_shift: int, rng: numpy.random.Generator):
    """Shift each image by a random whole number of pixels in [-max_shift, max_shift] on each axis.

    A small data augmentation: a digit moved by a pixel or two is the same digit, so the model
    learns to ignore position. Pixels moved in from outside are 0 (the background).
    ``x: (N, C, H, W)``.
    """
    N, C, H, W = x.shape
    s = max_shift
    padded = numpy.zeros((N, C, H + 2 * s, W + 2 * s), dtype=x.dtype)
    padded[:, :, s : s + H, s : s + W] = x
    rows, columns = rng.integers(0, 2 * s + 1, size=(2, N))
    # Every H x W window of each padded image, without copying; then pick one per image.
    windows = numpy.lib.stride_tricks.sliding_window_view(padded, (H, W), axis=(2, 3))
    return windows[numpy.arange(N), :, rows, columns]  # (N, C, H, W)
