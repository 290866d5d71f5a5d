"""Gradient Checking: the relative error of every dlm layer and loss, computed at build time.

The snippet walks ``dlm.__all__``: every exported class that is a Layer or a Loss must have a case
below (an activation gets one row per kind), or the snippet fails and names it, so a new layer
cannot reach the blog without its check. Each case runs ``dlm.gradcheck`` in float64 with central
differences (h = 1e-6), a random upstream gradient, and inputs kept away from kinks; the table
gives the worst relative error over the input and the parameters.
"""

# %%
import numpy as np

import dlm
from dlm import gradcheck
from dlm.activation import FUNCTIONS
from dlm_site import publish

dlm.set_default_dtype("float64")


def normal(*shape):
    return lambda rng: rng.normal(size=shape)


def away_from_zero(*shape):
    """Normal values pushed at least 0.2 away from 0, the kink of ReLU and leaky ReLU."""

    def make(rng):
        x = rng.normal(size=shape)
        return x + 0.2 * np.sign(x)

    return make


def distinct(*shape):
    """A shuffled ramp: no two values equal, so no max-pooling window holds a tie."""
    return lambda rng: rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0


def pair(a, b, make=lambda rng, shape: rng.normal(size=shape)):
    """Two inputs (a layer with two inputs, or a loss's prediction and target)."""
    return lambda rng: (make(rng, a), make(rng, b))


# name -> (what the row says, make the layer, make the input(s), phase)
CASES = {
    "Input1D": ("Input1D(4)", lambda rng: dlm.Input1D(4), normal(3, 4), "train"),
    "Input2D": ("Input2D(2, 4, 5)", lambda rng: dlm.Input2D(2, 4, 5), normal(2, 2, 4, 5), "train"),
    "Linear": ("Linear(4, 3)", lambda rng: dlm.Linear(4, 3, rng=rng), normal(5, 4), "train"),
    "Convolution2D": (
        "Convolution2D(2, 3, 3, stride=1, padding=1)",
        lambda rng: dlm.Convolution2D(2, 3, 3, padding=1, rng=rng),
        normal(2, 2, 5, 5),
        "train",
    ),
    "MaxPool2D": ("MaxPool2D(2)", lambda rng: dlm.MaxPool2D(2), distinct(2, 2, 4, 6), "train"),
    "AvgPool2D": ("AvgPool2D(2)", lambda rng: dlm.AvgPool2D(2), normal(2, 2, 4, 6), "train"),
    "BatchNorm1D": ("BatchNorm1D(4)", lambda rng: dlm.BatchNorm1D(4), normal(5, 4), "train"),
    "BatchNorm2D": ("BatchNorm2D(3)", lambda rng: dlm.BatchNorm2D(3), normal(2, 3, 3, 4), "train"),
    "Flatten": ("Flatten()", lambda rng: dlm.Flatten(), normal(2, 3, 2, 4), "train"),
    "Dropout": ("Dropout(0.5), inferring", lambda rng: dlm.Dropout(0.5), normal(3, 4), "eval"),
    "Upsample2D": ("Upsample2D(2)", lambda rng: dlm.Upsample2D(2), normal(2, 2, 3, 4), "train"),
    "Sum": ("Sum() of 2 inputs", lambda rng: dlm.Sum(), pair((3, 4), (3, 4)), "train"),
    "Concat": ("Concat() of 2 inputs", lambda rng: dlm.Concat(), pair((3, 2), (3, 4)), "train"),
    "MSE": ("MSE()", lambda rng: dlm.MSE(), pair((4, 3), (4, 3)), "train"),
    "SoftmaxCrossEntropy": (
        "SoftmaxCrossEntropy()",
        lambda rng: dlm.SoftmaxCrossEntropy(),
        lambda rng: (rng.normal(size=(5, 4)), rng.integers(0, 4, 5)),
        "train",
    ),
    "BCE": (
        "BCE()",
        lambda rng: dlm.BCE(),
        lambda rng: (rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3))),
        "train",
    ),
}  # fmt: skip
for kind in FUNCTIONS:
    kinked = kind in ("relu", "leaky_relu")
    CASES[f"Activation {kind}"] = (
        f"Activation('{kind}')",
        lambda rng, kind=kind: dlm.Activation(kind),
        away_from_zero(4, 5) if kinked else normal(4, 5),
        "train",
    )

# %% Every exported layer and loss has a case.
exported = [
    name
    for name in dlm.__all__
    if isinstance(getattr(dlm, name), type)
    and issubclass(getattr(dlm, name), dlm.Layer | dlm.Loss)
    and getattr(dlm, name) not in (dlm.Layer, dlm.Loss)
]
covered = {key.split()[0] for key in CASES}
missing = sorted(set(exported) - covered)
assert not missing, f"dlm exports layers with no gradient-check case here: {missing}"

# %% Run every check.
rows, worst = [], {}
for key, (label, make, make_input, phase) in sorted(CASES.items()):
    rng = np.random.default_rng(0)
    layer = make(rng)
    data = make_input(rng)
    if isinstance(layer, dlm.Loss):
        errors = {"prediction": gradcheck.check_loss(layer, *data)}
    else:
        getattr(layer, phase)()
        errors = gradcheck.check_layer(
            layer, *(data if isinstance(data, tuple) else (data,)), rng=rng
        )
    worst[key] = max(errors.values())
    checked = ", ".join(f"`{name}`" for name in errors)
    rows.append([f"`{label}`", checked, f"{worst[key]:.1e}", publish.mark(worst[key] < 1e-7)])
    print(f"{label:45s} {worst[key]:.1e}  ({', '.join(errors)})")

assert all(err < 1e-7 for err in worst.values())
publish.table(
    "layers",
    ["layer or loss", "gradients checked", "worst relative error", "passes?"],
    rows,
    align="llrc",
)
publish.value("n_cases", len(rows))
publish.value("n_exported", len(exported))
publish.value("worst_of_all", max(worst.values()), ".0e")
publish.value("best_of_all", min(v for v in worst.values() if v > 0), ".0e")
dlm.set_default_dtype("float32")
