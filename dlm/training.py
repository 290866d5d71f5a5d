"""A small training loop: epochs of minibatches, then an evaluation, one report per epoch.

One training step is the whole of the blog's learning cycle::

    logits = model.forward(x_batch)           the information flow
    loss.forward(logits, y_batch)             how wrong the model is
    optimizer.zero_grad()
    model.backward(loss.backward())           the learning flow, gradients added into grads
    optimizer.step()                          the weights move against their gradients

``fit`` repeats it over shuffled minibatches for a number of epochs and returns one report (a
dict) per epoch: the training loss and accuracy, the test loss and accuracy when test data is
given, the learning rate, the seconds spent training (the augmentation and the four steps above,
not the evaluation) and the training images per second. On a
terminal it draws a progress bar; in a log or a site build it prints one clean line per epoch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy

from dlm.backend import to_device, to_numpy
from dlm.datasets import minibatches


def evaluate(model, loss, x, y, batch_size: int = 500) -> dict:
    """The mean loss and the accuracy of ``model`` on ``(x, y)``, in the inferring phase.

    The model is put back in the training phase afterwards.
    """
    model.eval()
    total_loss, correct = 0.0, 0
    try:
        for xb, yb in minibatches(x, y, batch_size):
            xb, yb = to_device(xb), to_device(yb)  # no-op on numpy; host to GPU on CuPy
            logits = model.forward(xb)
            total_loss += float(loss.forward(logits, yb)) * len(yb)
            correct += int((to_numpy(logits).argmax(axis=1) == to_numpy(yb)).sum())
    finally:
        model.train()
    return {"loss": total_loss / len(y), "accuracy": correct / len(y)}


def fit(
    model,
    loss,
    optimizer,
    train: tuple,
    epochs: int,
    batch_size: int = 64,
    rng: numpy.random.Generator | None = None,
    test: tuple | None = None,
    schedule=None,
    augment: Callable | None = None,
    log=None,
) -> list[dict]:
    """Train ``model`` on ``train = (x, y)`` for ``epochs`` epochs; return one report per epoch.

    ``rng`` shuffles the batches (and feeds ``augment(x_batch, rng)``, if given, which returns a
    transformed batch). ``schedule`` (a ``dlm`` learning-rate schedule) is stepped after every
    epoch. ``log`` is the stream for the progress (``sys.stdout`` by default; ``False`` for none).
    """
    x, y = train
    rng = numpy.random.default_rng() if rng is None else rng
    stream = sys.stdout if log is None else log
    interactive = bool(stream) and hasattr(stream, "isatty") and stream.isatty()
    steps = -(-len(x) // batch_size)
    reports = []
    model.train()
    for epoch in range(1, epochs + 1):
        lr = optimizer.lr
        total_loss, correct, seen, seconds = 0.0, 0, 0, 0.0
        for step, (xb, yb) in enumerate(minibatches(x, y, batch_size, rng), start=1):
            start = time.perf_counter()
            if augment is not None:
                xb = augment(xb, rng)
            xb, yb = to_device(xb), to_device(yb)  # no-op on numpy; host to GPU on CuPy
            logits = model.forward(xb)
            value = loss.forward(logits, yb)
            optimizer.zero_grad()
            model.backward(loss.backward())
            optimizer.step()
            seconds += time.perf_counter() - start
            total_loss += float(value) * len(yb)
            correct += int((logits.argmax(axis=1) == yb).sum())
            seen += len(yb)
            if interactive:
                _draw_bar(stream, epoch, epochs, step, steps, total_loss / seen, correct / seen)
        report = {
            "epoch": epoch,
            "lr": lr,
            "loss": total_loss / seen,
            "accuracy": correct / seen,
            "seconds": seconds,
            "images_per_second": seen / seconds,
        }
        if test is not None:
            result = evaluate(model, loss, *test)
            report["test_loss"], report["test_accuracy"] = result["loss"], result["accuracy"]
        if schedule is not None:
            schedule.step()
        reports.append(report)
        if stream:
            if interactive:
                stream.write("\r\033[K")
            stream.write(format_report(report, epochs) + "\n")
            stream.flush()
    return reports


def format_report(report: dict, epochs: int | None = None) -> str:
    """One line: ``epoch 3/10  loss 0.0712  acc 97.85%  test 98.10%  11,200 img/s  0.71 s``."""
    width = len(str(epochs)) if epochs else 1
    total = f"/{epochs}" if epochs else ""
    line = (
        f"epoch {report['epoch']:>{width}}{total}  lr {report['lr']:.2g}  "
        f"loss {report['loss']:.4f}  acc {100 * report['accuracy']:.2f}%"
    )
    if "test_accuracy" in report:
        line += (
            f"  test loss {report['test_loss']:.4f}  test acc {100 * report['test_accuracy']:.2f}%"
        )
    return line + f"  {report['images_per_second']:,.0f} img/s  {report['seconds']:.2f} s"


def _draw_bar(stream, epoch, epochs, step, steps, loss, accuracy, width: int = 30) -> None:
    """Redraw the progress bar in place (terminals only)."""
    if step != steps and step % 10:
        return
    filled = width * step // steps
    bar = "#" * filled + "." * (width - filled)
    stream.write(
        f"\repoch {epoch}/{epochs} [{bar}] {step}/{steps}  loss {loss:.4f}  "
        f"acc {100 * accuracy:.2f}%"
    )
    stream.flush()
