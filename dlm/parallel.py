"""Data parallelism: one model, each batch cut in pieces, each piece on its own CPU core.

The samples of a batch are independent (Batch Learning): the output of sample n depends on sample
n alone, and the batch gradient is the sum of the per-sample impacts. So a batch can be cut in
two, each half sent through the model on its own core, and the results put back together::

    y = concat(model(x[:32]), model(x[32:]))                   the information flow
    grads = grads(first half) + grads(second half)              the learning flow

``DataParallel(model, workers=2)`` does exactly this. The first piece runs here, on ``model``
itself; every other piece runs in a worker process that holds a copy of the model (a *replica*).
Use it wherever a model goes::

    runner = dlm.DataParallel(model, workers=2)
    dlm.fit(runner, loss, dlm.Adam(model.parameters(), lr=1e-3), train=(x, y), epochs=3)
    runner.close()                                  # or: with dlm.DataParallel(model) as runner:

How the pieces meet. The parameters move into memory that the processes share (``mmap``), before
the workers start, so an optimizer step here moves every replica's weights too: each replica reads
the same numbers. Each worker adds its gradients into its own shared arrays; ``backward`` adds them
into the model's ``grads``, worker by worker in a fixed order (two runs give the same numbers),
and clears them. A piece of the batch goes to a worker, and its output comes back, through two
more blocks of shared memory (mailboxes); the pipe between them carries only where to read.

Why processes and not threads. numpy lets go of Python's global interpreter lock (GIL) inside a
large operation, but a training step is hundreds of numpy calls, and between two calls a thread
must take the lock back. Two threads hand it to each other hundreds of times per step, and each
hand-over wakes a sleeping thread: measured here, two threads ran a LeNet-5 step no faster than
one. Processes have a lock each; they meet twice per step (forward, backward). Give each process
one BLAS thread (``OPENBLAS_NUM_THREADS=1``): processes that each start a pool of BLAS threads
fight over the same cores.

What it changes. The gradients are the same sums in another order (float32 rounding differs in the
last bits). A layer that mixes the samples of a batch cannot be cut: ``BatchNorm`` in the training
phase normalises with the statistics of the whole batch, so ``DataParallel`` refuses it. Each
worker's ``Dropout`` layers draw from a generator spawned from the layer's own, so the pieces draw
different masks. Parameters must be changed in place (optimizers and ``dlm.io.load`` do); a new
array put into ``params`` would not reach the workers. The workers are forked: Linux and macOS,
numpy backend only.
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import time
import traceback

import numpy

from dlm.backend import backend_name
from dlm.dropout import Dropout
from dlm.errors import GraphError
from dlm.graph import Model
from dlm.normalization import BatchNorm1D

_ALIGN = 64  # bytes: every shared array starts on a cache line
#: Each worker's mailbox: room for pieces of up to 16 MiB (about 5,000 MNIST images).
MAILBOX_BYTES = 16 * 2**20
#: How long a waiting process keeps asking for its next message before it sleeps (``_await``).
SPIN_SECONDS = 0.002


class DataParallel:
    """Run ``model`` on ``workers`` pieces of every batch at once, one process per piece."""

    def __init__(self, model, workers: int = 2) -> None:
        if isinstance(workers, bool) or int(workers) != workers or workers < 1:
            raise ValueError(f"DataParallel(workers={workers!r}): workers must be a positive int")
        if not isinstance(model, Model):
            raise GraphError(
                f"DataParallel: model must be a dlm.Model (a graph of layers), "
                f"got {type(model).__name__}"
            )
        if backend_name() != "numpy":
            raise GraphError(
                f"DataParallel: runs on the numpy backend (processes on CPU cores), "
                f"not on {backend_name()!r}"
            )
        self._layers = model.layers  # the graph is fixed once built
        for layer in self._layers:
            if isinstance(layer, BatchNorm1D):  # BatchNorm2D is a BatchNorm1D
                raise GraphError(
                    f"DataParallel: {layer.describe()} normalises with the statistics of the "
                    f"whole batch, so the batch cannot be cut in pieces"
                )
        if "fork" not in multiprocessing.get_all_start_methods():
            raise GraphError("DataParallel: needs processes started by fork (Linux, macOS)")
        self.model = model
        self.workers = int(workers)
        _share_params(model)
        # One set of gradient arrays per worker process, shared, filled by its backward passes.
        self._worker_grads = [_shared_like(model) for _ in range(self.workers - 1)]
        context = multiprocessing.get_context("fork")
        self._pipes, self._processes = [], []
        # Two mailboxes per worker, shared memory in place of the pipe for arrays: the pieces of
        # the batch go in through one, the results come out through the other; the pipe carries
        # only a few numbers saying where. Only the pages written become memory; an array too
        # large for its mailbox takes the pipe.
        self._mailboxes = [
            (mmap.mmap(-1, MAILBOX_BYTES), mmap.mmap(-1, MAILBOX_BYTES))
            for _ in range(self.workers - 1)
        ]
        for k in range(1, self.workers):
            here, there = context.Pipe()
            arguments = (model, self._worker_grads[k - 1], *self._mailboxes[k - 1], k, there)
            process = context.Process(target=_serve, args=arguments, daemon=True)
            process.start()
            there.close()
            self._pipes.append(here)
            self._processes.append(process)
        self._bounds: list[tuple[int, int]] = []  # the pieces of the last forward

    # -- the two passes ----------------------------------------------------------------------

    def forward(self, data):
        """The model's output for ``data``: piece 0 here, the other pieces in the workers."""
        size = len(data[0]) if isinstance(data, list | tuple) else len(data)
        self._bounds = _bounds(size, min(self.workers, max(size, 1)))
        phases = [layer.training for layer in self._layers]
        return self._run("forward", data, phases)

    __call__ = forward

    def backward(self, dy):
        """The gradient at the input(s); the pieces' parameter gradients go into the model's."""
        if not self._bounds:
            raise GraphError("DataParallel.backward: call forward first")
        size = len(dy[0]) if isinstance(dy, list | tuple) else len(dy)
        if size != self._bounds[-1][1]:
            raise GraphError(
                f"DataParallel.backward: dy must hold the {self._bounds[-1][1]} samples of the "
                f"last forward, got {size}"
            )
        dx = self._run("backward", dy, None)
        for grads in self._worker_grads[: len(self._bounds) - 1]:
            for layer, piece in zip(self._layers, grads, strict=True):
                for name, value in piece.items():
                    layer.grads[name] += value
                    value[...] = 0
        return dx

    def _run(self, command: str, data, phases):
        """Send pieces 1, 2, ... to the workers, run piece 0 here, and join the results."""
        pieces = [_cut(data, start, stop) for start, stop in self._bounds]
        pipes = self._pipes[: len(pieces) - 1]
        for pipe, (inbox, _), piece in zip(pipes, self._mailboxes, pieces[1:], strict=False):
            pipe.send((command, _post(inbox, piece), phases))
        results = [getattr(self.model, command)(pieces[0])]
        for k, (pipe, (_, outbox)) in enumerate(zip(pipes, self._mailboxes, strict=False), 1):
            _await(pipe)
            status, value = pipe.recv()
            if status == "error":
                raise GraphError(f"DataParallel: worker {k} failed in {command}:\n{value}")
            results.append(_fetch(outbox, value))
        return _join(results)

    # -- what a model offers -----------------------------------------------------------------

    @property
    def layers(self):
        return self._layers

    def parameters(self):
        """The model's parameters, for an optimizer (the workers read the same arrays)."""
        return self.model.parameters()

    def zero_grad(self) -> None:
        self.model.zero_grad()

    def train(self) -> DataParallel:
        self.model.train()
        return self

    def eval(self) -> DataParallel:
        self.model.eval()
        return self

    # -- the workers' lifetime ---------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker processes (the model keeps working on its own)."""
        for pipe in self._pipes:
            try:
                pipe.send(("stop", None, None))
            except (BrokenPipeError, OSError):
                pass
            pipe.close()
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        self._pipes, self._processes, self._bounds = [], [], []

    def __enter__(self) -> DataParallel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_processes", None):
            self.close()


def _serve(model, grads: list[dict], inbox, outbox, index: int, pipe) -> None:
    """A worker: answer ``forward`` and ``backward`` requests on its replica until ``stop``."""
    layers = model.layers
    for layer, shared in zip(layers, grads, strict=True):
        layer.grads = shared  # this replica's gradients, which the parent reads
        if isinstance(layer, Dropout):
            layer.rng = layer.rng.spawn(index)[-1]
    while True:
        try:
            _await(pipe)
            command, piece, phases = pipe.recv()
        except EOFError:
            return
        if command == "stop":
            return
        try:
            if phases is not None:
                for layer, training in zip(layers, phases, strict=True):
                    layer.training = training
            result = getattr(model, command)(_fetch(inbox, piece))
            pipe.send(("ok", _post(outbox, result)))
        except Exception:  # noqa: BLE001 (any failure goes back to the parent, with its trace)
            pipe.send(("error", traceback.format_exc()))


def _await(pipe, spin: float = SPIN_SECONDS) -> None:
    """Wait for a message, first by asking again and again for ``spin`` seconds, then asleep.

    The next message usually comes within a millisecond, and waking a sleeping process costs
    about a tenth of one here; asking in a loop keeps the process awake and answers at once.
    """
    deadline = time.perf_counter() + spin
    while not pipe.poll(0):
        if time.perf_counter() > deadline:
            pipe.poll(None)
            return


def _share_params(model) -> None:
    """Move every parameter of ``model`` into shared memory, in place of its own array."""
    for layer, shared in zip(model.layers, _shared_like(model), strict=True):
        for name, value in shared.items():
            value[...] = layer.params[name]
            layer.params[name] = value


def _shared_like(model) -> list[dict]:
    """Zeroed arrays shaped like every layer's parameters, in one block of shared memory."""
    offsets, total = [], 0
    for layer in model.layers:
        for value in layer.params.values():
            offsets.append(total)
            total += _aligned(value.nbytes)
    block = mmap.mmap(-1, max(total, 1))  # anonymous and shared; the arrays keep it alive
    result, k = [], 0
    for layer in model.layers:
        arrays = {}
        for name, value in layer.params.items():
            array = numpy.frombuffer(block, value.dtype, value.size, offsets[k])
            arrays[name] = array.reshape(value.shape)
            k += 1
        result.append(arrays)
    return result


def _aligned(nbytes: int) -> int:
    """``nbytes`` rounded up to a whole number of cache lines."""
    return -(-nbytes // _ALIGN) * _ALIGN


def _bounds(size: int, pieces: int) -> list[tuple[int, int]]:
    """``pieces`` contiguous ranges covering ``range(size)``, the first ones one larger."""
    step, extra = divmod(size, pieces)
    bounds, start = [], 0
    for k in range(pieces):
        stop = start + step + (k < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def _post(mailbox, piece):
    """Write ``piece`` (an array, a list of arrays, or None) into ``mailbox``; say how to read it.

    The answer is ``("mailbox", [(shape, dtype, offset), ...], several)``, or ``("inline",
    piece)`` when the piece does not fit (then the pipe carries it).
    """
    arrays = list(piece) if isinstance(piece, list) else [piece]
    layout, offset = [], 0
    for array in arrays:
        if array is None or offset + array.nbytes > len(mailbox):
            return ("inline", piece)
        target = numpy.frombuffer(mailbox, array.dtype, array.size, offset)
        target.reshape(array.shape)[...] = array
        layout.append((array.shape, array.dtype.str, offset))
        offset += _aligned(array.nbytes)
    return ("mailbox", layout, isinstance(piece, list))


def _fetch(mailbox, posted):
    """What ``_post`` wrote: copied out, since the next message will overwrite it."""
    if posted[0] == "inline":
        return posted[1]
    _, layout, several = posted
    arrays = [
        numpy.frombuffer(mailbox, dtype, math.prod(shape), offset).reshape(shape).copy()
        for shape, dtype, offset in layout
    ]
    return arrays if several else arrays[0]


def _cut(data, start: int, stop: int):
    """Samples ``start:stop`` of an array, or of each array of a list."""
    if isinstance(data, list | tuple):
        return [x[start:stop] for x in data]
    return data[start:stop]


def _join(results):
    """Put the pieces' results back together along the batch axis (``None`` stays ``None``)."""
    first = results[0]
    if first is None:
        return None
    if isinstance(first, list):
        return [_join([r[i] for r in results]) for i in range(len(first))]
    return first if len(results) == 1 else numpy.concatenate(results, axis=0)
