"""Learning-rate schedules: the learning rate as a function of the epoch (or step) t.

A schedule wraps an optimizer, remembers its starting rate ``lr_0``, and sets ``optimizer.lr``
each time ``step()`` is called (once per epoch, say). ``lr_at(t)`` is the pure formula.

``StepLR``, divided by 1/γ every ``step_size`` epochs::

    lr(t) = lr_0 γ^floor(t / step_size)

``CosineLR``, from ``lr_0`` down to ``min_lr`` along half a cosine over ``total_steps``::

    lr(t) = min_lr + (lr_0 - min_lr) (1 + cos(π min(t, T) / T)) / 2
"""

from __future__ import annotations

import math

from dlm.optim import Optimizer


class Schedule:
    """Base class: ``step()`` advances t by one and sets ``optimizer.lr = lr_at(t)``."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.lr_0 = optimizer.lr
        self.t = 0

    def lr_at(self, t: int) -> float:
        """The learning rate at epoch ``t``."""
        raise NotImplementedError

    def step(self) -> float:
        """Move to the next epoch; return the new learning rate."""
        self.t += 1
        self.optimizer.lr = self.lr_at(self.t)
        return self.optimizer.lr


class StepLR(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        if step_size < 1:
            raise ValueError(f"StepLR(step_size={step_size!r}): step_size must be >= 1")
        self.step_size = step_size
        self.gamma = gamma

    def lr_at(self, t: int) -> float:
        """``lr_0 gamma^floor(t / step_size)``."""
        return self.lr_0 * self.gamma ** (t // self.step_size)


class CosineLR(Schedule):
    """Decay the learning rate from ``lr_0`` to ``min_lr`` along half a cosine."""

    def __init__(self, optimizer: Optimizer, total_steps: int, min_lr: float = 0.0) -> None:
        super().__init__(optimizer)
        if total_steps < 1:
            raise ValueError(f"CosineLR(total_steps={total_steps!r}): total_steps must be >= 1")
        self.total_steps = total_steps
        self.min_lr = min_lr

    def lr_at(self, t: int) -> float:
        """``min_lr + (lr_0 - min_lr) (1 + cos(pi min(t, T) / T)) / 2``."""
        progress = min(t, self.total_steps) / self.total_steps
        return self.min_lr + (self.lr_0 - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2
