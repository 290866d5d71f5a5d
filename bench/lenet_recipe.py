"""Train LeNet-5 on MNIST with dlm's recipe and report the test accuracy and the training time.

Usage::

    python bench/lenet_recipe.py              # the recipe of dlm.models.train_lenet5
    python bench/lenet_recipe.py --epochs 10  # a shorter schedule

The recipe (see ``dlm.models``): LeNet-5 with batch normalization, Adam at 3e-3 with a cosine
decay over the epochs, batches of 64, random shifts of up to 1 pixel, 20 epochs, seed 0. The
training time counts the training steps (forward, loss, backward, update) and the shifts, not the
evaluations on the test digits after each epoch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dlm.models import train_lenet5  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--max-shift", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    _, reports = train_lenet5(args.epochs, args.lr, max_shift=args.max_shift, seed=args.seed)
    wall = time.perf_counter() - start
    steps = sum(r["seconds"] for r in reports)
    best = max(r["test_accuracy"] for r in reports)
    print(
        f"final test accuracy {100 * reports[-1]['test_accuracy']:.2f}% (best {100 * best:.2f}%) "
        f"on 2,000 digits; training steps {steps:.1f} s, wall time with evaluations {wall:.1f} s"
    )


if __name__ == "__main__":
    main()
