"""Measure dlm on the active array backend (numpy, or CuPy on a GPU) and store the results.

Usage, on a machine with an NVIDIA GPU and CuPy installed::

    DLM_BACKEND=cupy python bench/gpu.py --json snippets/loops_to_gpus/gpu_results.json

(the article "From Loops to GPUs" reads that file; a data file under ``snippets/`` is part of the
snippets' cache key, so the next build shows the new numbers), and for a CPU line to compare with,
on the same machine::

    python bench/gpu.py

It records the date, the device and the library versions, then:

- the gradient check (float64, central differences) of a few layers, run on that backend: the
  relative error ``||g - ĝ|| / (||g|| + ||ĝ||)`` of each;
- LeNet-5 (``dlm.models.lenet5``) trained with Adam for one epoch on the 8,000 training digits, and
  one inference pass over the 2,000 test digits, batch ``--batch`` (64): images per second. The
  first 10 steps warm up (CuPy compiles its kernels then) and are not timed. On a GPU the clock
  stops only after the device has finished (``synchronize``), and each batch is copied from the
  host inside the timed loop, as ``dlm.fit`` does.

The build never runs this script: it only reads the stored JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy  # noqa: E402

import dlm  # noqa: E402
from dlm import backend, gradcheck  # noqa: E402


def _sync() -> None:
    """Wait for the GPU to finish its queued work (nothing to wait for on numpy)."""
    if backend.backend_name() == "cupy":
        backend.xp.cuda.Device().synchronize()


def device() -> str:
    """The device the arrays live on, in words."""
    if backend.backend_name() == "cupy":
        properties = backend.xp.cuda.runtime.getDeviceProperties(0)
        name = properties["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    return f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def gradient_checks() -> dict:
    """Relative error of a few layers' backward passes, computed on the active backend."""
    rng = numpy.random.default_rng(0)
    dlm.set_default_dtype("float64")
    on = backend.to_device
    cases = {
        "Linear": (dlm.Linear(4, 3, rng=rng), rng.normal(size=(5, 4))),
        "Activation(relu)": (dlm.Activation("relu"), rng.uniform(0.1, 1, (4, 5))),
        "Convolution2D": (dlm.Convolution2D(2, 3, 3, 1, 1, rng=rng), rng.normal(size=(2, 2, 5, 5))),
        "MaxPool2D": (dlm.MaxPool2D(2), rng.permutation(64).reshape(1, 1, 8, 8) / 10.0),
        "BatchNorm2D": (dlm.BatchNorm2D(2), rng.normal(size=(3, 2, 3, 3))),
    }  # fmt: skip
    errors = {}
    for name, (layer, x) in cases.items():
        errors[name] = max(gradcheck.check_layer(layer, on(x), rng=rng).values())
    logits, labels = on(rng.normal(size=(5, 4))), on(rng.integers(0, 4, 5))
    errors["SoftmaxCrossEntropy"] = gradcheck.check_loss(dlm.SoftmaxCrossEntropy(), logits, labels)
    dlm.set_default_dtype("float32")
    return errors


def train_and_infer(batch: int) -> dict:
    """Images per second of one LeNet-5 training epoch and one inference pass."""
    from dlm.models import lenet5

    x, y = dlm.load_mnist("train")
    x_test, y_test = dlm.load_mnist("test")
    rng = numpy.random.default_rng(0)
    batches = list(dlm.minibatches(x, y, batch, rng, drop_last=True))
    model = lenet5(numpy.random.default_rng(0))
    loss = dlm.SoftmaxCrossEntropy()
    optimizer = dlm.Adam(model.parameters(), lr=1e-3)

    def step(xb, yb):
        xb, yb = backend.to_device(xb), backend.to_device(yb)
        loss.forward(model.forward(xb), yb)
        optimizer.zero_grad()
        model.backward(loss.backward())
        optimizer.step()

    for xb, yb in batches[:10]:
        step(xb, yb)
    _sync()
    start = time.perf_counter()
    for xb, yb in batches:
        step(xb, yb)
    _sync()
    train_seconds = time.perf_counter() - start
    model.eval()
    start = time.perf_counter()
    correct = 0
    for xb, yb in dlm.minibatches(x_test, y_test, batch):
        logits = model.forward(backend.to_device(xb))
        correct += int((backend.to_numpy(logits).argmax(axis=1) == yb).sum())
    _sync()
    infer_seconds = time.perf_counter() - start
    return {
        "batch": batch,
        "train_images_per_second": len(batches) * batch / train_seconds,
        "infer_images_per_second": len(x_test) / infer_seconds,
        "test_accuracy_after_one_epoch": correct / len(x_test),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    versions = {"python": platform.python_version(), "numpy": numpy.__version__}
    if backend.backend_name() == "cupy":
        versions["cupy"] = backend.xp.__version__
        versions["cuda_runtime"] = backend.xp.cuda.runtime.runtimeGetVersion()
    results = {
        "date": datetime.date.today().isoformat(),
        "backend": backend.backend_name(),
        "device": device(),
        "versions": versions,
        "gradient_check_relative_error": gradient_checks(),
        "lenet5": train_and_infer(args.batch),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as file:
            file.write(text + "\n")


if __name__ == "__main__":
    main()
