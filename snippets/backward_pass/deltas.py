"""The Backward Pass: the learning flow δ of the Example, computed by dlm and checked.

For each patient: run the forward pass (the information flow), the loss, then the backward pass
(the learning flow). Each node of the dlm model keeps the values that flowed through it: ``o``
(the layer's output, o^k), ``dy`` (the gradient at its output, δ^{k+1}) and ``delta`` (the
gradient at its input, δ^k). The Example computes with exact fractions (see ``dlm.example``).

Then the first gradient check: nudge one input of a layer by ±h, run the rest of the chain
forward, and compare the change in loss with the δ the backward pass gave. The third patient sits
exactly on the ReLU's kink, where a central difference averages the two slopes and reports half
the value: there, the check has to look from the side the convention picks.
"""

# %%
from fractions import Fraction

import numpy as np

import dlm
from dlm.example import EXAMPLE_W, as_float, example_data, example_model
from dlm.gradcheck import numerical_gradient, relative_error
from dlm.losses import MSE
from dlm_site import publish


def fraction_text(q: Fraction) -> str:
    """A fraction as the article writes it, with a real minus sign: −1/200."""
    sign = "−" if q < 0 else ""
    q = abs(q)
    return f"{sign}{q.numerator}" if q.denominator == 1 else f"{sign}{q.numerator}/{q.denominator}"


def number_text(v, fmt: str = ".5g") -> str:
    """A number with a real minus sign, and without exponent for ``.5g``: −0.000086207."""
    if fmt == ".5g":
        text = np.format_float_positional(float(v), precision=5, fractional=False, trim="-")
    else:
        text = format(float(v), fmt)
    return text.replace("-", "−")


def power_text(v: float) -> str:
    """A small positive number as a power of ten: 2 × 10⁻⁷, or 10⁻⁶ when the mantissa is 1."""
    mantissa, exponent = f"{v:.0e}".split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{superscript}" if mantissa == "1" else f"{mantissa} × 10{superscript}"


def vector_text(values, fmt: str = ".5g") -> str:
    """A vector as ``(a, b, c)``, and a vector of one number as that number."""
    if len(values) == 1:
        return number_text(values[0], fmt)
    return "(" + ", ".join(number_text(v, fmt) for v in values) + ")"


# %% Forward then backward, patient by patient, in exact arithmetic.
x, y_truth = example_data()
model = example_model()
L1, L2, L3 = model.layers
loss = MSE()

flows = []  # per patient: o^k for k = 1..3, δ^k for k = 1..4, and the loss
for n in range(3):
    model.zero_grad()
    o3 = model.forward(x[n : n + 1])
    value = loss.forward(o3, y_truth[n : n + 1])
    delta4 = loss.backward()  # the learning flow enters the model here
    model.backward(delta4)
    flows.append(
        {
            "o": {k: model[layer].o[0] for k, layer in enumerate(model.layers, start=1)},
            "delta": {
                4: delta4[0],
                3: model[L3].delta[0],
                2: model[L2].delta[0],
                1: model[L1].delta[0],
            },
            "loss": value,
        }
    )
    # Each layer L^k holds the pair (o^k, δ^{k+1}): the δ at its output is the δ of the next.
    assert (model[L3].dy == delta4).all()
    assert (model[L2].dy == model[L3].delta).all()
    assert (model[L1].dy == model[L2].delta).all()

for n in range(3):
    print(f"patient {n + 1}: loss = {float(flows[n]['loss']):g}")
    for k in (4, 3, 2, 1):
        print(f"  δ{k} = {as_float(flows[n]['delta'][k]).tolist()}")

# %% The facts the article states.
w = np.array(EXAMPLE_W, dtype=object)
# Patients 1 and 2 are answered perfectly: no error, so nothing flows back.
for n in (0, 1):
    assert flows[n]["loss"] == 0
    assert all((flows[n]["delta"][k] == 0).all() for k in (1, 2, 3, 4))
# Patient 3: the loss is 1/2 and the learning flow is not zero.
third = flows[2]
assert third["loss"] == Fraction(1, 2)
assert third["o"][2].tolist() == [0]  # exactly on the ReLU's kink (pitfall E1 avoided)
assert third["delta"][4].tolist() == [-1]  # δ4 = o3 − y = 0 − 1
assert third["delta"][3].tolist() == [-1]  # δ3 = δ4 · 1, since o2 ≥ 0
assert third["delta"][2].tolist() == [
    Fraction(-1, 200),
    Fraction(3000, 11_600_000),
    -Fraction(1, 5800),
]
assert (third["delta"][2] == third["delta"][3][0] * w).all()  # δ2 = δ3 · w
assert (third["delta"][1] == third["delta"][2]).all()  # δ1 = δ2: L1 is the identity
assert np.allclose(as_float(third["delta"][2]), [-0.005, 2.5862e-4, -1.7241e-4], rtol=1e-4)

# %% Values quoted in the prose.
publish.value("o1_3", vector_text(third["o"][1], ",.0f"))
publish.value("o2_3", number_text(third["o"][2][0], "g"))
publish.value("o3_3", number_text(third["o"][3][0], "g"))
publish.value("d4_3", number_text(third["delta"][4][0], "g"))
publish.value("d3_3", number_text(third["delta"][3][0], "g"))
publish.value("d2_3", vector_text(third["delta"][2]))
publish.value("d1_3", vector_text(third["delta"][1]))
publish.value("d2_3_exact", "(" + ", ".join(fraction_text(q) for q in third["delta"][2]) + ")")
for n in range(3):
    publish.value(f"loss{n + 1}", float(flows[n]["loss"]), "g")
publish.value("d4_1", number_text(flows[0]["delta"][4][0], "g"))
publish.value("d4_2", number_text(flows[1]["delta"][4][0], "g"))

rows = []
for n in range(3):
    d = flows[n]["delta"]
    rows.append(
        [
            f"{n + 1}",
            number_text(flows[n]["loss"], "g"),
            number_text(d[4][0], "g"),
            number_text(d[3][0], "g"),
            vector_text(d[2]),
            vector_text(d[1]),
        ]
    )
publish.table(
    "deltas",
    ["patient", "loss", "δ4", "δ3", "δ2", "δ1"],
    rows,
    align="crrrrr",
)

# %% The gradient check. Finite differences need only the forward pass; float64 is plenty here.
dlm.set_default_dtype("float64")
xf, yf = example_data(exact=False)
float_model = example_model(exact=False)
F1, F2, F3 = float_model.layers
float_loss = MSE()
h = 1e-6


def rest_of_chain(k: int, n: int):
    """The loss of patient n as a function of X^k, the input of layer k (k = 4: the loss)."""
    layers = [F1, F2, F3][k - 1 :]

    def f(v):
        for layer in layers:
            v = layer.forward(v)
        return float_loss.forward(v, yf[n : n + 1])

    return f


def the_input(k: int, n: int):
    """The value of X^k for patient n, as a float64 row: the data for k = 1, else o^{k-1}."""
    return as_float(x[n : n + 1] if k == 1 else flows[n]["o"][k - 1][None, :]).copy()


def central(k: int, n: int):
    """Central differences of the loss with respect to X^k: (f(v + h) − f(v − h)) / 2h."""
    f, v = rest_of_chain(k, n), the_input(k, n)
    return numerical_gradient(lambda: f(v), v, h)[0]


def one_sided(k: int, n: int, side):
    """One-sided differences (f(v + s) − f(v)) / s, with the step s = h · side[i] per entry."""
    f, v = rest_of_chain(k, n), the_input(k, n)
    base = f(v)
    grad = np.zeros(v.shape[1])
    for i in range(v.shape[1]):
        step = h * side[i]
        nudged = v.copy()
        nudged[0, i] += step
        grad[i] = (f(nudged) - base) / step
    return grad


# Patients 1 and 2: the central differences agree with the backward pass (all zero), up to the
# step h itself (patient 1 sits on the kink too, but both of its slopes there are 0).
for n in (0, 1):
    for k in (1, 2, 3, 4):
        assert np.abs(central(k, n)).max() < h, (n, k)

# Patient 3, δ4: the loss is smooth in o3, and the central difference agrees.
checks = {4: central(4, 2)}
assert relative_error(as_float(third["delta"][4]), checks[4]) < 1e-8
# Patient 3, δ3..δ1: on the kink, the central difference is half the backward value ...
halves = {k: central(k, 2) for k in (3, 2, 1)}
for k in (3, 2, 1):
    assert np.allclose(halves[k], as_float(third["delta"][k]) / 2, rtol=1e-6, atol=0), k
# ... while a one-sided difference that keeps the ReLU on its active side (o2 grows) agrees.
# Nudging X^3 = o2 upwards means a positive step; nudging an input X^k_i (k = 1, 2) raises o2
# when the step has the sign of the weight w_i that carries it.
active_side = {3: [1.0], 2: np.sign(as_float(w)), 1: np.sign(as_float(w))}
errors = {}
for k in (3, 2, 1):
    checks[k] = one_sided(k, 2, active_side[k])
    errors[k] = relative_error(as_float(third["delta"][k]), checks[k])
    assert errors[k] < 1e-6, (k, errors[k])
errors[4] = relative_error(as_float(third["delta"][4]), checks[4])
print("relative errors (patient 3):", {k: f"{e:.1e}" for k, e in errors.items()})

rows = []
for k in (4, 3, 2, 1):
    rows.append(
        [
            f"δ{k}",
            vector_text(third["delta"][k]),
            vector_text(halves[k] if k != 4 else checks[4]),
            vector_text(checks[k]),
        ]
    )
publish.table(
    "check",
    ["patient 3", "backward pass", "central difference", "difference on the active side"],
    rows,
    align="lrrr",
)
# %% The sum of impacts through L1: input i reaches the loss through every output j of L1, with
# the local slope dL1_j/dX^1_i. Central differences of L1 give the identity matrix, so every
# cross term of the sum vanishes and δ1 = δ2.
v = the_input(1, 2)
jacobian = np.array(
    [numerical_gradient(lambda j=j: F1.forward(v)[0, j], v, h)[0] for j in range(3)]
)
assert np.allclose(jacobian, np.eye(3), rtol=0, atol=1e-6)
impacts = np.array(
    [[as_float(third["delta"][2])[j] * jacobian[j, i] for j in range(3)] for i in range(3)]
)
assert np.allclose(impacts.sum(axis=1), as_float(third["delta"][1]), rtol=1e-8)
print("dL1/dX1 by central differences:", jacobian.round(12).tolist())

publish.value("h", power_text(h))
publish.value("worst_error", power_text(max(errors.values())))
publish.value("central_d3", number_text(halves[3][0], ".3g"))
