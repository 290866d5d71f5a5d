"""The shipped MNIST digits, their fixed split, the minibatch iterator and the random shifts."""

from __future__ import annotations

import numpy
import pytest

from dlm.datasets import MNIST_TRAIN_SIZE, load_mnist, minibatches, random_shifts


def test_split_is_8000_then_2000_and_covers_all_10000():
    """Training is the first 8,000 digits and test the last 2,000, in [0, 1], labels 0-9."""
    x, y = load_mnist("train")
    x_test, y_test = load_mnist("test")
    x_all, y_all = load_mnist("all")
    assert MNIST_TRAIN_SIZE == 8000
    assert x.shape == (8000, 1, 28, 28) and x_test.shape == (2000, 1, 28, 28)
    assert x.dtype == numpy.float32 and y.dtype == numpy.int64
    numpy.testing.assert_array_equal(numpy.concatenate([y, y_test]), y_all)
    numpy.testing.assert_array_equal(x_test, x_all[8000:])
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(numpy.unique(y_test)) == set(range(10))


def test_unknown_split_is_refused():
    """A split other than train, test or all is refused, with the choices."""
    with pytest.raises(ValueError, match=r"load_mnist\(split='valid'\): split must be one of"):
        load_mnist("valid")


def test_minibatches_cover_every_sample_once_in_a_seeded_order():
    """Shuffled batches cover each sample once; the same seed gives the same order."""
    x = numpy.arange(10, dtype=numpy.float32)[:, None]
    y = numpy.arange(10)
    batches = list(minibatches(x, y, 4, numpy.random.default_rng(0)))
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    seen = numpy.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))
    again = numpy.concatenate([yb for _, yb in minibatches(x, y, 4, numpy.random.default_rng(0))])
    numpy.testing.assert_array_equal(seen, again)
    for xb, yb in batches:
        numpy.testing.assert_array_equal(xb[:, 0], yb)


def test_minibatches_without_rng_keep_the_order_and_can_drop_the_last():
    """Without a generator batches come in order; drop_last leaves out the short batch."""
    x, y = numpy.zeros((10, 2)), numpy.arange(10)
    assert [list(yb) for _, yb in minibatches(x, y, 5)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert len(list(minibatches(x, y, 4, drop_last=True))) == 2


def test_minibatches_errors():
    """Mismatched lengths and a zero batch size are refused with the values."""
    with pytest.raises(ValueError, match=r"x and y must hold as many samples, got 3 and 2"):
        list(minibatches(numpy.zeros(3), numpy.zeros(2), 1))
    with pytest.raises(ValueError, match=r"batch_size must be a positive int, got 0"):
        list(minibatches(numpy.zeros(3), numpy.zeros(3), 0))


def test_random_shifts_move_digits_by_at_most_the_limit():
    """Each shifted image is its original moved by at most max_shift pixels, zeros filling in."""
    x, _ = load_mnist("test")
    x = x[:20]
    shifted = random_shifts(x, 2, numpy.random.default_rng(0))
    for original, moved in zip(x, shifted, strict=True):
        found = False
        for a in range(-2, 3):
            for b in range(-2, 3):
                padded = numpy.pad(original[0], 2)
                window = padded[2 - a : 2 - a + 28, 2 - b : 2 - b + 28]
                found |= numpy.array_equal(window, moved[0])
        assert found
