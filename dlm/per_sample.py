"""Per-sample gradients: the weight gradient of each sample of a batch, kept apart.

A batch backward pass adds the impacts of all the samples into one gradient. Batch learning
back-propagates ``Loss/N`` for each sample, so that sum is the *average* of the per-sample
gradients::

    dW_batch = 1/N sum_n dW_n        where dW_n is the gradient of sample n's own loss

``per_sample_gradients`` computes each ``dW_n`` by running the model on one sample at a time (a
batch of one), which works for every layer whose samples do not interact. A normalization layer in
its training phase mixes the samples through the batch statistics, so there the law does not hold.

For a ``Linear`` layer the per-sample gradient has a closed form, an outer product per sample,
which ``linear_per_sample`` computes for the whole batch at once::

    dW_n[j, i] = dy[n, j] x[n, i]              (dW_n: (N, out, in); dy here is sample n's own)
"""

from __future__ import annotations

from dlm.backend import xp
from dlm.graph import Model
from dlm.layer import Parameter
from dlm.losses import Loss


def per_sample_gradients(model: Model, loss: Loss, x, target) -> dict:
    """The gradient of each sample's loss for every parameter: ``{(layer, name): (N, *shape)}``.

    The keys are ``Parameter`` tuples, so ``grads[layer, "weight"]`` works. The layers' own
    ``grads`` are left as they were.
    """
    parameters = model.parameters()
    saved = [p.grad for p in parameters]
    N = x.shape[0]
    result: dict[Parameter, list] = {p: [] for p in parameters}
    for n in range(N):
        model.zero_grad()
        loss.forward(model.forward(x[n : n + 1]), target[n : n + 1])
        model.backward(loss.backward())
        for p in parameters:
            result[p].append(p.grad)
    for p, grad in zip(parameters, saved, strict=True):
        p.layer.grads[p.name] = grad
    return {p: xp.stack(grads) for p, grads in result.items()}


def linear_per_sample(x, dy):
    """Per-sample weight gradients of a ``Linear`` layer: ``dW_n = outer(dy[n], x[n])``.

    ``x: (N, in)`` is the layer's input and ``dy: (N, out)`` its upstream gradient, where row n
    is the gradient of sample n's own loss. Returns ``(N, out, in)``.
    """
    return dy[:, :, None] * x[:, None, :]
