"""Batch Learning: three ways to get the batch gradient, and they agree.

1. Vectorised: one forward and one backward pass on the whole batch (what ``dlm`` does).
2. The mean of the per-sample gradients (``dlm.per_sample_gradients``: one sample at a time,
   each with its own loss).
3. A loop over the samples with the 1/n scaling: back-propagate δ/n (the gradient of
   Loss^learning = Loss/n) for each sample, and let the impacts add up in the weight gradient.

On the Example, in exact fractions, the three are equal. On a larger random model in float64,
they agree to rounding error.
"""

# %%
from fractions import Fraction

import numpy as np

from dlm import (
    MSE,
    Activation,
    Input1D,
    Linear,
    per_sample_gradients,
    sequential,
    set_default_dtype,
)
from dlm.example import as_float, example_data, example_model
from dlm_site import publish


def sci(v, digits: int = 1) -> str:
    """A small number in scientific notation for the prose: ``3.5 × 10⁻⁶``."""
    mantissa, exponent = f"{float(v):.{digits}e}".split("e")
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{mantissa} × 10{str(int(exponent)).translate(sup)}"


def vectorised(model, x, y) -> list:
    """Every weight gradient after one backward pass on the whole batch."""
    loss = MSE()
    model.zero_grad()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    return [p.grad.copy() for p in model.parameters()]


def mean_of_per_sample(model, x, y) -> list:
    """The mean over the samples of each sample's own gradient."""
    grads = per_sample_gradients(model, MSE(), x, y)
    return [grads[p].sum(axis=0) / x.shape[0] for p in model.parameters()]


def loop_with_scaling(model, x, y) -> list:
    """One sample at a time, back-propagating δ/n, the impacts adding up in the gradients."""
    n = x.shape[0]
    loss = MSE()
    model.zero_grad()  # once, before the loop: the samples' impacts accumulate
    for i in range(n):
        loss.forward(model.forward(x[i : i + 1]), y[i : i + 1])
        model.backward(loss.backward() / n)  # δ learning = δ / n
    return [p.grad.copy() for p in model.parameters()]


# %% The Example, exactly.
x, y_truth = example_data()
model = example_model()
ways = {
    "one backward pass on the batch (vectorised)": vectorised(model, x, y_truth),
    "mean of the per-sample gradients": mean_of_per_sample(model, x, y_truth),
    "loop over the patients, δ/n each, impacts added": loop_with_scaling(model, x, y_truth),
}
results = [grads[0][0] for grads in ways.values()]  # δw², (3,)
for other in results[1:]:
    assert list(other) == list(results[0])  # equal as fractions, not just close
assert list(results[0]) == [0, Fraction(-2000, 3), -1000]


def exact_row(row) -> str:
    return "(" + ", ".join(str(Fraction(v)).replace("-", "\N{MINUS SIGN}") for v in row) + ")"


publish.table(
    "three_ways",
    ["how", "δw² for the batch of three patients"],
    [[how, exact_row(grads[0][0])] for how, grads in ways.items()],
    align="lr",
)
for how, grads in ways.items():
    print(f"{how}: δw² = {as_float(grads[0][0])}")

# %% Beyond the Example: a random two-layer model on a random batch, in float64.
set_default_dtype("float64")
rng = np.random.default_rng(7)
N = 16
big = sequential(
    Input1D(4),
    Linear(4, 8, rng=rng),
    Activation("relu"),
    Linear(8, 2, rng=rng),
)
xb = rng.standard_normal((N, 4))
yb = rng.standard_normal((N, 2))
g_vec = vectorised(big, xb, yb)
worst = 0.0
for other in (mean_of_per_sample(big, xb, yb), loop_with_scaling(big, xb, yb)):
    for a, b in zip(g_vec, other, strict=True):
        assert a.shape == b.shape
        worst = max(worst, float(np.abs(a - b).max() / np.abs(a).max()))
assert worst < 1e-13
n_params = sum(p.value.size for p in big.parameters())
print(f"random model, {n_params} parameters, batch of {N}: largest relative gap {worst:.1e}")

publish.value("big_n", N)
publish.value("big_params", n_params)
publish.value("big_gap", sci(worst, 0) if worst else "0")
