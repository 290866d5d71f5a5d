"""The optimizers: the update rules that move the weights against their gradients.

Every optimizer takes the parameters to update (``model.parameters()``, a layer's
``parameters()``, or the model or layer itself) and a learning rate ``lr`` (the blog's α).
``step()`` updates every parameter in place from its gradient; ``zero_grad()`` clears the
gradients before the next backward pass, since backward passes *add* into them.

``SGD``, gradient descent, with optional momentum μ (PyTorch's form: v starts at 0)::

    v = μ v + g
    w = w - lr v                      (μ = 0 gives the blog's w = w - α δw)

``Adam``, with moments m and v (both start at 0) and step count t::

    m = β1 m + (1 - β1) g
    v = β2 v + (1 - β2) g^2
    w = w - lr (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + eps)

The divisions by 1 - β^t correct the moments' bias towards their zero start.
"""

from __future__ import annotations

from dlm.backend import xp
from dlm.layer import Parameter


def _parameters(parameters) -> list[Parameter]:
    """Accept a list of parameters, or anything with a ``parameters()`` method."""
    if hasattr(parameters, "parameters"):
        parameters = parameters.parameters()
    parameters = list(parameters)
    for p in parameters:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"optimizer: parameters must be dlm Parameters (from model.parameters()), "
                f"got {type(p).__name__}"
            )
    return parameters


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr``."""

    def __init__(self, parameters, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}(lr={lr!r}): lr must be positive")
        self.parameters = _parameters(parameters)
        self.lr = lr

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to zero."""
        for p in self.parameters:
            p.layer.grads[p.name] = xp.zeros_like(p.value)

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent: ``w = w - lr g``, or with momentum ``v = μ v + g; w = w - lr v``."""

    def __init__(self, parameters, lr: float, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD(momentum={momentum!r}): momentum must be in [0, 1)")
        self.momentum = momentum
        self.velocity = [None for _ in self.parameters]

    def step(self) -> None:
        """``w -= lr g`` (with momentum: ``v = μ v + g; w -= lr v``), in place."""
        for k, p in enumerate(self.parameters):
            update = p.grad
            if self.momentum:
                if self.velocity[k] is None:
                    self.velocity[k] = xp.zeros_like(p.value)
                self.velocity[k] = self.momentum * self.velocity[k] + update
                update = self.velocity[k]
            w = p.value
            w -= self.lr * update


class Adam(Optimizer):
    """Adam: gradient descent scaled by running estimates of the gradient's mean and variance."""

    def __init__(
        self,
        parameters,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(parameters, lr)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam(betas={betas!r}): each beta must be in [0, 1)")
        self.betas = betas
        self.eps = eps
        self.t = 0
        # The update is elementwise, so every parameter is updated at once: the gradients are
        # gathered into one flat array, and m and v are flat too. A LeNet-5 has 10 parameter
        # arrays; one pass over 44,000 numbers beats ten passes over small arrays, each paying
        # numpy's per-call overhead. The arithmetic per number is the same, to the last bit.
        self._slices, start = [], 0  # where each parameter lies in the flat arrays
        for p in self.parameters:
            self._slices.append(slice(start, start + p.value.size))
            start += p.value.size
        dtype = self.parameters[0].value.dtype if self.parameters else None
        self.m = xp.zeros(start, dtype=dtype)
        self.v = xp.zeros(start, dtype=dtype)
        self._g = xp.zeros(start, dtype=dtype)

    def step(self) -> None:
        """One Adam update of every parameter, in place."""
        beta1, beta2 = self.betas
        self.t += 1
        g, m, v = self._g, self.m, self.v
        for p, where in zip(self.parameters, self._slices, strict=True):
            g[where] = p.grad.reshape(-1)
        # The formulas above, computed in place (same operations, same rounding): fewer
        # temporary arrays, which matters for a small model updated thousands of times.
        m *= beta1
        m += (1 - beta1) * g
        g_squared = (1 - beta2) * g
        g_squared *= g
        v *= beta2
        v += g_squared
        update = m / (1 - beta1**self.t)  # m_hat
        update *= self.lr
        denominator = v / (1 - beta2**self.t)  # v_hat
        xp.sqrt(denominator, out=denominator)
        denominator += self.eps
        update /= denominator
        for p, where in zip(self.parameters, self._slices, strict=True):
            p.value[...] -= update[where].reshape(p.value.shape)
