"""DataParallel: the batch cut in pieces, one process per piece, the same model as one process."""

from __future__ import annotations

import contextlib

import numpy
import pytest

import dlm
from dlm import parallel
from dlm.models import lenet5


def _data(n: int, seed: int = 0):
    rng = numpy.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)), rng.integers(0, 10, n)


def _models(dtype="float64"):
    """Two identical LeNet-5 models in ``dtype``: one to run alone, one to run in pieces."""
    with _dtype(dtype):
        return lenet5(numpy.random.default_rng(1)), lenet5(numpy.random.default_rng(1))


@contextlib.contextmanager
def _dtype(name: str):
    """Build layers in ``name`` (their parameters' dtype), then restore the default."""
    before = dlm.default_dtype()
    dlm.set_default_dtype(name)
    try:
        yield
    finally:
        dlm.set_default_dtype(before)


@pytest.mark.parametrize(("workers", "batch"), [(2, 64), (2, 7), (3, 10), (3, 2)])
def test_pieces_give_the_outputs_and_gradients_of_the_whole_batch(workers, batch):
    """Outputs, input gradients and parameter gradients equal the model's on the whole batch,
    for batches that do not split evenly and batches smaller than the number of workers."""
    alone, model = _models()
    model.layers[1].needs_input_grad = True  # so that the input gradient is compared too
    alone.layers[1].needs_input_grad = True
    x, y = _data(batch)
    loss = dlm.SoftmaxCrossEntropy()
    with dlm.DataParallel(model, workers=workers) as runner:
        out = runner.forward(x)
        expected = alone.forward(x)
        numpy.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        loss.forward(out, y)
        dx = runner.backward(loss.backward())
        loss.forward(expected, y)
        expected_dx = alone.backward(loss.backward())
        numpy.testing.assert_allclose(dx, expected_dx, rtol=1e-10, atol=1e-14)
        for ours, theirs in zip(model.layers, alone.layers, strict=True):
            for name in theirs.grads:
                numpy.testing.assert_allclose(
                    ours.grads[name], theirs.grads[name], rtol=1e-10, atol=1e-14
                )


def test_training_in_pieces_follows_training_alone():
    """Five Adam steps with the workers move the weights as five steps alone, and the workers
    see every update (float64: Adam divides by the gradients' size, so float32 rounding of a
    near-zero gradient can flip a step's sign)."""
    alone, model = _models()
    loss = dlm.SoftmaxCrossEntropy()
    steps = [_data(32, seed) for seed in range(5)]
    with dlm.DataParallel(model, workers=2) as runner:
        for net in (runner, alone):
            optimizer = dlm.Adam(net.parameters(), lr=1e-3)
            for x, y in steps:
                loss.forward(net.forward(x), y)
                optimizer.zero_grad()
                net.backward(loss.backward())
                optimizer.step()
        for ours, theirs in zip(model.layers, alone.layers, strict=True):
            for name in theirs.params:
                numpy.testing.assert_allclose(
                    ours.params[name], theirs.params[name], rtol=1e-9, atol=1e-12
                )
        # The replicas read the updated weights: the outputs still agree after the steps.
        x = _data(16, 9)[0]
        numpy.testing.assert_allclose(runner.forward(x), alone.forward(x), rtol=1e-9, atol=1e-12)


def test_fit_runs_through_the_workers_and_learns():
    """``fit`` takes a DataParallel like a model; the loss falls, in the inferring phase too."""
    x, y = dlm.load_mnist("train")
    model = lenet5(numpy.random.default_rng(0))
    loss = dlm.SoftmaxCrossEntropy()
    with dlm.DataParallel(model, workers=2) as runner:
        before = dlm.evaluate(runner, loss, x[:500], y[:500])
        dlm.fit(
            runner,
            loss,
            dlm.Adam(model.parameters(), lr=3e-3),
            train=(x[:2048], y[:2048]),
            epochs=2,
            rng=numpy.random.default_rng(0),
            log=False,
        )
        after = dlm.evaluate(runner, loss, x[:500], y[:500])
    assert after["loss"] < 0.5 * before["loss"]
    assert after["accuracy"] > 0.7


def test_inferring_phase_reaches_the_workers():
    """``eval()`` on the model (not on the runner) is seen by the workers: Dropout is off there,
    so the output is the model's own; in the training phase the pieces draw their own masks."""
    with _dtype("float64"):
        model = dlm.sequential(
            dlm.Input1D(8), dlm.Dropout(0.5, numpy.random.default_rng(0)), dlm.Linear(8, 4)
        )
    x = numpy.ones((6, 8))
    with dlm.DataParallel(model, workers=2) as runner:
        model.eval()
        numpy.testing.assert_allclose(runner.forward(x), model.forward(x), rtol=1e-12)
        model.train()
        out = runner.forward(x)
        first, second = out[:3], out[3:]
        assert not numpy.array_equal(first, second)  # different masks in the two pieces


def test_a_large_piece_takes_the_pipe(monkeypatch):
    """A piece too large for the mailbox is carried by the pipe instead, with the same result."""
    monkeypatch.setattr(parallel, "MAILBOX_BYTES", 4096)
    alone, model = _models()
    x, _ = _data(8)
    with dlm.DataParallel(model, workers=2) as runner:
        numpy.testing.assert_allclose(runner.forward(x), alone.forward(x), rtol=1e-12)


def test_an_error_in_a_worker_names_the_worker_and_the_layer():
    """NaN in the second half of the batch fails in worker 1, and the error says where."""
    _, model = _models()
    x, _ = _data(4)
    x[3, 0, 5, 5] = numpy.nan
    with dlm.DataParallel(model, workers=2) as runner:
        with pytest.raises(dlm.GraphError, match=r"(?s)worker 1 failed in forward.*Input2D"):
            runner.forward(x)
        assert runner.forward(x[:2]).shape == (2, 10)  # the worker is still there


def test_refuses_what_cannot_be_cut():
    """BatchNorm in the model, a bad worker count, not a model, backward before forward or with
    the wrong batch: clear errors."""
    with pytest.raises(dlm.GraphError, match=r"BatchNorm2D\(channels=6\).*whole batch"):
        dlm.DataParallel(lenet5(batch_norm=True))
    with pytest.raises(ValueError, match=r"DataParallel\(workers=0\): workers must be"):
        dlm.DataParallel(lenet5(), workers=0)
    with pytest.raises(dlm.GraphError, match=r"model must be a dlm.Model .*got Linear"):
        dlm.DataParallel(dlm.Linear(3, 2))
    with dlm.DataParallel(lenet5(), workers=2) as runner:
        with pytest.raises(dlm.GraphError, match="call forward first"):
            runner.backward(numpy.ones((2, 10)))
        runner.forward(numpy.zeros((4, 1, 28, 28), dtype="float32"))
        with pytest.raises(
            dlm.GraphError, match=r"dy must hold the 4 samples of the last forward, got 3"
        ):
            runner.backward(numpy.ones((3, 10), dtype="float32"))


def test_close_stops_the_workers_and_leaves_the_model_working():
    model = lenet5(numpy.random.default_rng(0))
    runner = dlm.DataParallel(model, workers=3)
    processes = list(runner._processes)
    assert all(p.is_alive() for p in processes)
    runner.close()
    assert not any(p.is_alive() for p in processes)
    assert model.forward(numpy.zeros((2, 1, 28, 28), dtype="float32")).shape == (2, 10)
