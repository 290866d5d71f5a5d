"""From Loops to GPUs: two processes, two halves of the batch, the same gradient as one process.

``dlm.DataParallel(model, workers=2)`` sends the first half of a batch through the model here and
the second half through a copy of the model in a second process, which shares the weights. The
outputs are stacked back in order, and the two halves' parameter gradients are added. Since the
batch gradient is a sum over the samples, the sum of the two half-sums is the same gradient: this
snippet runs one training step of LeNet-5 on 64 digits both ways, in float64, and compares the
outputs and every parameter gradient.
"""

# %%
import os

import numpy as np

import dlm
from dlm.models import lenet5
from dlm_site import publish

dlm.set_default_dtype("float64")
x, y = dlm.load_mnist("train")
x, y = x[:64].astype(np.float64), y[:64]
loss = dlm.SoftmaxCrossEntropy()


def one_step(runner):
    """The output and the parameter gradients of one training step."""
    logits = runner.forward(x)
    loss.forward(logits, y)
    runner.zero_grad()
    runner.backward(loss.backward())
    return logits, [g.copy() for layer in runner.layers for g in layer.grads.values()]


alone_out, alone_grads = one_step(lenet5(np.random.default_rng(0)))
with dlm.DataParallel(lenet5(np.random.default_rng(0)), workers=2) as halves:
    halves_out, halves_grads = one_step(halves)

out_difference = float(np.abs(halves_out - alone_out).max())
grad_difference = max(
    float(np.abs(a - b).max() / np.abs(b).max())
    for a, b in zip(halves_grads, alone_grads, strict=True)
)
print(f"outputs: largest difference {out_difference:.1e}")
print(f"gradients: largest difference, relative to the gradient's size, {grad_difference:.1e}")
assert out_difference < 1e-12
assert grad_difference < 1e-12
assert len(halves_grads) == 10  # weights and biases of 2 convolutions and 3 linear layers

publish.value("cores", os.cpu_count())  # the build machine's, for the prose
publish.value("n_params", len(halves_grads))


def plain(difference: float) -> str:
    """``0`` when the two agree exactly, else the difference as ``2e-15``."""
    return "0" if difference == 0 else format(difference, ".0e")


publish.value("out_difference", plain(out_difference))
publish.value("grad_difference", plain(grad_difference))
