"""The training loop and LeNet-5: a short smoke training, reports, and the log format."""

from __future__ import annotations

import io

import numpy

import dlm
from dlm.datasets import load_mnist, random_shifts
from dlm.models import lenet5
from dlm.training import evaluate, fit, format_report


def test_lenet_learns_on_a_few_hundred_digits():
    """Two epochs on 512 digits lower the loss and beat chance by far on 256 test digits."""
    rng = numpy.random.default_rng(0)
    x, y = load_mnist("train")
    x_test, y_test = load_mnist("test")
    model = lenet5(rng, batch_norm=True)
    loss = dlm.SoftmaxCrossEntropy()
    optimizer = dlm.Adam(model.parameters(), lr=3e-3)
    log = io.StringIO()
    reports = fit(
        model,
        loss,
        optimizer,
        (x[:512], y[:512]),
        epochs=2,
        batch_size=32,
        rng=rng,
        test=(x_test[:256], y_test[:256]),
        augment=lambda xb, r: random_shifts(xb, 1, r),
        log=log,
    )
    assert [r["epoch"] for r in reports] == [1, 2]
    assert reports[1]["loss"] < reports[0]["loss"]
    assert reports[1]["test_accuracy"] > 0.5
    assert all(r["images_per_second"] > 0 for r in reports)
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2")
    assert "\r" not in log.getvalue()  # not a terminal: one clean line per epoch


def test_evaluate_restores_the_training_phase():
    """evaluate runs in the inferring phase and puts the model back in training."""
    model = lenet5(numpy.random.default_rng(0), batch_norm=True)
    x, y = load_mnist("test")
    result = evaluate(model, dlm.SoftmaxCrossEntropy(), x[:100], y[:100])
    assert 0 <= result["accuracy"] <= 1 and result["loss"] > 0
    assert all(layer.training for layer in model.layers)


def test_schedule_is_stepped_once_per_epoch():
    """With a cosine schedule over 2 epochs, epoch 1 runs at lr_0 and epoch 2 at lr_0 / 2."""
    rng = numpy.random.default_rng(0)
    x, y = load_mnist("test")
    model = lenet5(rng)
    optimizer = dlm.Adam(model.parameters(), lr=1e-3)
    schedule = dlm.CosineLR(optimizer, total_steps=2)
    reports = fit(
        model,
        dlm.SoftmaxCrossEntropy(),
        optimizer,
        (x[:64], y[:64]),
        epochs=2,
        rng=rng,
        schedule=schedule,
        log=False,
    )
    assert [r["lr"] for r in reports] == [1e-3, 0.5e-3]


def test_report_line_format():
    """A report reads as one line with the epoch, losses, accuracies, speed and time."""
    line = format_report(
        {
            "epoch": 3,
            "lr": 0.001,
            "loss": 0.07123,
            "accuracy": 0.9785,
            "test_loss": 0.06,
            "test_accuracy": 0.981,
            "images_per_second": 11200.4,
            "seconds": 0.714,
        },
        epochs=10,
    )
    assert line == (
        "epoch  3/10  lr 0.001  loss 0.0712  acc 97.85%  test loss 0.0600  test acc 98.10%  "
        "11,200 img/s  0.71 s"
    )


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_then_one_line_per_epoch():
    """On a terminal, fit redraws a bar with carriage returns, then clears it for the epoch line."""
    rng = numpy.random.default_rng(0)
    x, y = load_mnist("test")
    model = lenet5(rng)
    stream = _Terminal()
    fit(model, dlm.SoftmaxCrossEntropy(), dlm.SGD(model.parameters(), lr=0.01),
        (x[:40], y[:40]), epochs=1, batch_size=4, rng=rng, log=stream)  # fmt: skip
    text = stream.getvalue()
    assert "\repoch 1/1 [" in text and "10/10" in text
    last = text.split("\r\033[K")[-1]
    assert text.endswith("\n") and last.startswith("epoch 1/1  lr 0.01")
