"""The Weights: the gradient δw² of the Example's weights, per patient, and its check.

The backward pass of dlm adds each layer's weight gradient into ``layer.grads["weight"]``. For
the Example's L2 (``Linear(3, 1, bias=False)``, so ``W: (1, 3)``) it is δw² = δ3 · o1: the
learning flow at the layer's output times the values its input had. We compute it patient by
patient, check the formula, then check it against finite differences of the loss with respect to
each weight, as the backward-pass article did for δ.
"""

# %%
from fractions import Fraction

import numpy as np

import dlm
from dlm.example import EXAMPLE_LR, EXAMPLE_W, as_float, example_data, example_model
from dlm.gradcheck import check_model, numerical_gradient, relative_error
from dlm.losses import MSE
from dlm_site import publish


def number_text(v, fmt: str = "g") -> str:
    """A number with a real minus sign."""
    return format(float(v), fmt).replace("-", "−")


def power_text(v: float) -> str:
    """A small positive number as a power of ten: 7 × 10⁻⁷, or 10⁻⁹ when the mantissa is 1."""
    mantissa, exponent = f"{v:.0e}".split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{superscript}" if mantissa == "1" else f"{mantissa} × 10{superscript}"


def vector_text(values, fmt: str = "g") -> str:
    """A vector as ``(a, b, c)``, with real minus signs."""
    return "(" + ", ".join(number_text(v, fmt) for v in values) + ")"


# %% The weight gradient of each patient, in exact arithmetic.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
loss = MSE()

# Only L2 holds weights: L1 and L3 have none.
assert [sorted(layer.params) for layer in model.layers] == [[], ["weight"], []]
assert tuple(L2.params["weight"][0]) == EXAMPLE_W  # the constants of the first article

dw, d3 = [], []
for n in range(3):
    model.zero_grad()
    loss.forward(model.forward(x[n : n + 1]), y_truth[n : n + 1])
    model.backward(loss.backward())
    dw.append(L2.grads["weight"][0].copy())
    d3.append(model[L2].dy[0, 0])  # δ3, the learning flow at L2's output
    # δw² = δ3 · o1: the learning flow at L2's output times the value at L2's input.
    assert (dw[n] == d3[n] * model[L1].o[0]).all()
    print(f"patient {n + 1}: δw² = {as_float(dw[n]).tolist()}")

# The numbers the article states.
assert dw[0].tolist() == [0, 0, 0]
assert dw[1].tolist() == [0, 0, 0]
assert dw[2].tolist() == [0, -2000, -3000]

rows = [
    [f"{n + 1}", vector_text(x[n], ",.0f"), number_text(d3[n]), vector_text(dw[n], ",.0f")]
    for n in range(3)
]
publish.table("dw", ["patient", "$o^1$ (the data)", "$\\delta^3$", "$\\delta w^2$"], rows, "crrr")
publish.value("dw3", vector_text(dw[2], ",.0f"))
publish.value("d3_1", number_text(d3[0]))
publish.value("d3_2", number_text(d3[1]))
publish.value("d3_3", number_text(d3[2]))
assert model[L2].o.tolist() == [[0]]  # patient 3 (the last one run) sits on the ReLU's kink
publish.value("o2_3", number_text(model[L2].o[0, 0]))
publish.value("o1_3", vector_text(x[2], ",.0f"))

# %% The update the next article performs, for patient 3: ŵ = w − α δw.
step = -EXAMPLE_LR * dw[2]
assert step.tolist() == [0, Fraction(2, 10_000), Fraction(3, 10_000)]
publish.value("alpha", power_text(float(EXAMPLE_LR)))
publish.value("step3", vector_text(step, "g"))

# %% Check δw² with finite differences of the loss, weight by weight (float64 is plenty).
dlm.set_default_dtype("float64")
xf, yf = example_data(exact=False)
float_model = example_model(exact=False)
weight = float_model.layers[1].params["weight"]  # (1, 3), perturbed in place by the check
h = 1e-9  # the weights are about 1e-3; the step must be much smaller than them
float_loss = MSE()


def loss_of(n: int):
    """Patient n's loss as a function of the weights (read from ``weight`` at each call)."""
    return lambda: float_loss.forward(float_model.forward(xf[n : n + 1]), yf[n : n + 1])


# Patients 1 and 2: the central differences are 0, as δw² says, up to an O(h) remainder (patient
# 1 sits on the kink too, with both slopes 0) far below the thousands of patient 3's gradient.
for n in (0, 1):
    assert np.abs(numerical_gradient(loss_of(n), weight, h)).max() < 1e-2, n

# Patient 3 sits on the ReLU's kink (o2 = 0): a central difference averages its two slopes and
# gives half of δw². Nudging a weight *up* raises o2 (the patient's numbers are ≥ 0), which keeps
# the ReLU on its active side; that one-sided difference is the one the convention describes.
central = numerical_gradient(loss_of(2), weight, h)[0]
assert np.allclose(central, as_float(dw[2]) / 2, rtol=1e-4, atol=1e-6)
one_sided = np.zeros(3)
for i in range(3):
    base = loss_of(2)()
    weight[0, i] += h
    one_sided[i] = (loss_of(2)() - base) / h
    weight[0, i] -= h
error3 = relative_error(as_float(dw[2]), one_sided)
print(f"patient 3: central {central.tolist()}, one-sided {one_sided.tolist()}, error {error3:.1e}")
assert error3 < 1e-5

# Patient 2 is away from the kink (o2 = 1). There dlm's own gradient check, with a random
# upstream gradient, checks the input and weight gradients of the whole model at once.
errors = check_model(float_model, xf[1:2].copy())
print("dlm.gradcheck.check_model on patient 2:", errors)
assert max(errors.values()) < 1e-7

publish.table(
    "check",
    ["patient 3", "$\\delta w^2_1$", "$\\delta w^2_2$", "$\\delta w^2_3$"],
    [
        ["backward pass"] + [number_text(v, ",.0f") for v in dw[2]],
        ["central difference"] + [number_text(v, ",.0f") for v in central],
        ["difference on the active side"] + [number_text(v, ",.0f") for v in one_sided],
    ],
    "lrrr",
)
publish.value("h", power_text(h))
publish.value("error3", power_text(error3))
publish.value("error2", power_text(max(errors.values())))
