"""Train LeNet-5 on MNIST in dlm and in PyTorch (CPU), and compare their speed and memory.

Usage::

    python bench/train_mnist.py                 # the comparison table (3 alternating rounds)
    python bench/train_mnist.py --rounds 5      # more rounds, steadier medians
    python bench/train_mnist.py --scaling       # time per batch vs batch size and image size
    python bench/train_mnist.py --gemm          # the convolutions' matrix products vs numpy GEMM
    python bench/train_mnist.py --profile       # where a dlm training step spends its time
    python bench/train_mnist.py --workers 3     # dlm's headline runs with 3 processes

Both sides train the same LeNet-5 (``dlm.models.lenet5`` and ``torch_lenet5``) with Adam
(lr 1e-3) in float32, batch 64, on the same 8,000 training digits in the same shuffled order,
and infer on the 2,000 test digits, batch 64. PyTorch runs with ``torch.set_num_threads(2)``;
dlm runs once in one process and once through ``dlm.DataParallel`` with 2 processes (each batch
cut in two halves), both with one BLAS thread per process: the same two cores either way.
Each measurement runs in a fresh subprocess (so that peak memory is that side's alone: the
resident set size high-water mark, which includes the interpreter, the libraries and the data;
with workers, the parent's plus the largest worker's), the sides alternating, and the table gives
the medians. Each run warms up for 10 steps, then times one full epoch (125 steps) and one pass
over the test set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _child(side: str, batch: int, image_size: int, steps: int | None, workers: int = 1) -> dict:
    """Run in a fresh process: train one epoch and infer once; return throughputs and memory.

    ``workers`` > 1 runs dlm's model through ``dlm.DataParallel``; its peak memory is then this
    process's plus the largest worker's (an upper bound: pages they share count twice).
    """
    import numpy

    sys.path.insert(0, ROOT)
    from dlm.datasets import load_mnist, minibatches

    def load():
        x, y = load_mnist("train")
        x_test, y_test = load_mnist("test")
        if image_size != 28:
            factor = image_size // 28
            x = x.repeat(factor, axis=2).repeat(factor, axis=3)
            x_test = x_test.repeat(factor, axis=2).repeat(factor, axis=3)
        rng = numpy.random.default_rng(0)
        batches = list(minibatches(x, y, batch, rng, drop_last=True))
        if steps is not None:
            batches = (batches * (steps // len(batches) + 1))[:steps]
        return batches, list(minibatches(x_test, y_test, batch))

    if side == "dlm":
        import dlm
        from dlm.models import lenet5

        model = lenet5(numpy.random.default_rng(0), image_size=image_size)
        loss = dlm.SoftmaxCrossEntropy()
        optimizer = dlm.Adam(model.parameters(), lr=1e-3)
        # The workers are forked copies of this process: start them before the data is loaded,
        # so that they do not hold (and the memory figure does not count twice) a copy of it.
        runner = dlm.DataParallel(model, workers) if workers > 1 else model
        batches, test_batches = load()

        def train_step(xb, yb):
            logits = runner.forward(xb)
            loss.forward(logits, yb)
            optimizer.zero_grad()
            runner.backward(loss.backward())
            optimizer.step()

        def infer(xb):
            return runner.forward(xb)

        def to_eval():
            model.eval()

        def finish():
            if runner is not model:
                runner.close()  # so that the workers' peak memory is counted below

    else:
        import torch

        from dlm.models import torch_lenet5

        torch.set_num_threads(2)
        torch.manual_seed(0)
        batches, test_batches = load()
        model = torch_lenet5(image_size=image_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        batches = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in batches]
        test_batches = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in test_batches]

        def train_step(xb, yb):
            logits = model(xb)
            value = torch.nn.functional.cross_entropy(logits, yb)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()

        def infer(xb):
            with torch.no_grad():
                return model(xb)

        def to_eval():
            model.eval()

        def finish():
            pass

    for xb, yb in batches[:10]:
        train_step(xb, yb)
    start = time.perf_counter()
    for xb, yb in batches:
        train_step(xb, yb)
    train_seconds = time.perf_counter() - start
    to_eval()
    for xb, _ in test_batches[:5]:
        infer(xb)
    start = time.perf_counter()
    for xb, _ in test_batches:
        infer(xb)
    infer_seconds = time.perf_counter() - start
    finish()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "train_images_per_second": len(batches) * batch / train_seconds,
        "train_ms_per_batch": 1e3 * train_seconds / len(batches),
        "infer_images_per_second": sum(len(xb) for xb, _ in test_batches) / infer_seconds,
        "peak_mib": peak / 1024,
    }


#: dlm's processes (``dlm.DataParallel`` workers, one BLAS thread each) in the headline runs.
WORKERS = 2


def _run(
    side: str, batch: int = 64, image_size: int = 28, steps: int | None = None, workers: int = 1
) -> dict:
    """One measurement in a fresh subprocess."""
    command = [sys.executable, __file__, "--child", side, "--batch", str(batch)]
    command += ["--image-size", str(image_size), "--workers", str(workers)]
    if steps is not None:
        command += ["--steps", str(steps)]
    env = dict(os.environ)
    if side == "dlm":
        env["OPENBLAS_NUM_THREADS"] = "1"  # one BLAS thread per process: processes use the cores
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def compare(rounds: int) -> None:
    """The dlm/PyTorch table: medians over alternating rounds, dlm on one and on two cores."""
    sides = {
        "dlm, 1 process": ("dlm", 1),
        f"dlm, {WORKERS} processes": ("dlm", WORKERS),
        "PyTorch, 2 threads": ("torch", 1),
    }
    results: dict[str, list[dict]] = {label: [] for label in sides}
    for r in range(rounds):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for label in order:
            side, workers = sides[label]
            results[label].append(_run(side, workers=workers))
            print(f"round {r + 1} {label:18s} {json.dumps(results[label][-1])}", file=sys.stderr)
    rows = [
        ("training img/s", "train_images_per_second", True),
        ("inference img/s", "infer_images_per_second", True),
        ("peak memory (MiB)", "peak_mib", False),
    ]
    torch_label = "PyTorch, 2 threads"
    ours = [label for label in sides if label != torch_label]
    print(
        f"LeNet-5, MNIST 8,000 + 2,000, float32, batch 64, medians of {rounds} alternating runs; "
        f"dlm with one BLAS thread per process, PyTorch with 2 threads"
    )
    print("(best: the fastest run of each side, closest to an idle machine; memory: medians)")
    header = "".join(f" {label:>18s} |" for label in sides)
    ratios = "".join(f" {'ratio (' + label.split(',')[1].strip() + ')':>21s} |" for label in ours)
    print(f"| {'':24s} |{header}{ratios}")
    print("|" + "-" * 26 + "|" + ("-" * 20 + "|") * len(sides) + ("-" * 23 + "|") * len(ours))
    for label, key, higher_is_better in rows:
        statistics_to_show = [("median", statistics.median)]
        if higher_is_better:
            statistics_to_show.append(("best", max))
        for name, function in statistics_to_show:
            values = {side: function(r[key] for r in results[side]) for side in sides}
            text = f"{label}, {name}" if higher_is_better else label
            cells = "".join(f" {values[side]:18,.0f} |" for side in sides)
            shares = "".join(f" {values[side] / values[torch_label]:20.2f}x |" for side in ours)
            print(f"| {text:24s} |{cells}{shares}")


def scaling() -> None:
    """Milliseconds per training batch for batch sizes 16, 64, 256 and images of 28 and 56."""
    print("Training, ms per batch (best of 2 alternating runs); speed = PyTorch ms / dlm ms")
    print(
        f"| batch | image | dlm 1 process | dlm {WORKERS} processes | PyTorch | "
        f"speed (1) | speed ({WORKERS}) |"
    )
    print("|------:|------:|--------------:|------------:|--------:|----------:|----------:|")
    for image_size in (28, 56):
        for batch in (16, 64, 256):
            steps = max(20, 4000 // batch)
            best = {1: float("inf"), WORKERS: float("inf"), "torch": float("inf")}
            for _ in range(2):
                for key in best:
                    side, workers = ("torch", 1) if key == "torch" else ("dlm", key)
                    ms = _run(side, batch, image_size, steps, workers)["train_ms_per_batch"]
                    best[key] = min(best[key], ms)
            one, several, theirs = best[1], best[WORKERS], best["torch"]
            print(
                f"| {batch:5d} | {image_size:5d} | {one:13.2f} | {several:11.2f} | "
                f"{theirs:7.2f} | {theirs / one:8.2f}x | {theirs / several:8.2f}x |"
            )


def gemm() -> None:
    """GFLOP/s of numpy's GEMM on a large square and on LeNet's convolution products."""
    import numpy

    def rate(a, b, repeat):
        a @ b
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeat):
                a @ b
            best = min(best, (time.perf_counter() - start) / repeat)
        return 2 * a.shape[0] * a.shape[1] * b.shape[1] / best / 1e9, best * 1e3

    rng = numpy.random.default_rng(0)

    def mat(*shape):
        return rng.random(shape, dtype=numpy.float32)

    cases = [
        ("square 1024 x 1024 x 1024", mat(1024, 1024), mat(1024, 1024), 5),
        ("conv1 forward (6, 25) @ (25, 36864)", mat(6, 25), mat(25, 36864), 50),
        ("conv1 dW (25, 36864) @ (36864, 6)", mat(25, 36864), mat(36864, 6), 50),
        ("conv2 forward (4096, 150) @ (150, 16)", mat(4096, 150), mat(150, 16), 50),
        ("conv2 dW (150, 4096) @ (4096, 16)", mat(150, 4096), mat(4096, 16), 50),
        ("conv2 dx, col2im (30, 80) @ (80, 6144)", mat(30, 80), mat(80, 6144), 50),
    ]
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {numpy.__version__}, OPENBLAS_NUM_THREADS={threads}")
    print("| product | GFLOP/s | ms |")
    print("|---|---:|---:|")
    for label, a, b, repeat in cases:
        gflops, ms = rate(a, b, repeat)
        print(f"| {label} | {gflops:.1f} | {ms:.3f} |")


def profile(steps: int = 120) -> None:
    """Per-layer CPU time of dlm's training step (medians over ``steps`` batches of 64).

    CPU time of this thread (``time.thread_time``), not wall time, so that other processes on
    the machine disturb the figures less. Run it with ``OPENBLAS_NUM_THREADS=1``.
    """
    import numpy

    sys.path.insert(0, ROOT)
    import dlm
    from dlm.datasets import load_mnist, minibatches
    from dlm.models import lenet5

    x, y = load_mnist("train")
    model = lenet5(numpy.random.default_rng(0))
    loss = dlm.SoftmaxCrossEntropy()
    optimizer = dlm.Adam(model.parameters(), lr=1e-3)
    times: dict = {}

    def timed(function, key):
        def wrapper(*args):
            start = time.thread_time()
            result = function(*args)
            times.setdefault(key, []).append(time.thread_time() - start)
            return result

        return wrapper

    for k, node in enumerate(model.nodes):
        node.layer.forward = timed(node.layer.forward, (k, "forward"))
        node.layer.backward = timed(node.layer.backward, (k, "backward"))
    rng = numpy.random.default_rng(0)
    for xb, yb in list(minibatches(x, y, 64, rng, drop_last=True))[:steps]:
        start = time.thread_time()
        logits = model.forward(xb)
        value_start = time.thread_time()
        loss.forward(logits, yb)
        optimizer.zero_grad()
        dy = loss.backward()
        times.setdefault("loss", []).append(time.thread_time() - value_start)
        model.backward(dy)
        update_start = time.thread_time()
        optimizer.step()
        times.setdefault("Adam", []).append(time.thread_time() - update_start)
        times.setdefault("step", []).append(time.thread_time() - start)

    def ms(key):
        values = times.get(key, [])[10:]
        return 1e3 * statistics.median(values) if values else 0.0

    step = ms("step")
    print(f"dlm LeNet-5 training step, batch 64: {step:.2f} ms of CPU time (median)")
    print("| layer | forward ms | backward ms | share |")
    print("|---|---:|---:|---:|")
    for k, node in enumerate(model.nodes):
        forward, backward = ms((k, "forward")), ms((k, "backward"))
        share = 100 * (forward + backward) / step
        print(f"| {node.layer.describe()} | {forward:.3f} | {backward:.3f} | {share:.0f}% |")
    for key in ("loss", "Adam"):
        print(f"| {key} | {ms(key):.3f} | | {100 * ms(key) / step:.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--gemm", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", choices=["dlm", "torch"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--steps", type=int)
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="dlm's processes (DataParallel workers)"
    )
    args = parser.parse_args()
    if args.child:
        result = _child(args.child, args.batch, args.image_size, args.steps, args.workers)
        print(json.dumps(result))
    elif args.scaling:
        scaling()
    elif args.gemm:
        gemm()
    elif args.profile:
        profile()
    else:
        compare(args.rounds)


if __name__ == "__main__":
    main()
