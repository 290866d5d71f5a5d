"""Gradient Checking: kinks fool the check, and a wrong backward pass is caught.

Kinks. At x = 0 a ReLU has no derivative: its slope jumps from 0 to 1. dlm's backward picks
one side (the snippet reads which); a central difference straddles the jump and sees the
average, 1/2. In a max-pooling window holding two equal maxima, the backward pass sends the
gradient to one of them; a finite difference, moving one entry up or down, sees the maximum
move only upwards, and reports 1/2 for each. Neither layer is wrong: the check fails because
the function is not differentiable where it was asked. Keeping the inputs away from kinks
makes the check pass.

A wrong backward. A sigmoid whose backward forgets a factor (it uses σ instead of σ(1 − σ)), and a
Linear layer whose bias gradient averages over the batch instead of summing: the check catches
both, and says which gradient is wrong.
"""

# %%
import numpy as np

import dlm
from dlm import gradcheck
from dlm_site import publish

dlm.set_default_dtype("float64")
rng = np.random.default_rng(0)

# %% ReLU: one input exactly at 0.
x_kink = rng.normal(size=(2, 3))
x_kink[0, 1] = 0.0
err_relu_kink = gradcheck.check_layer(dlm.Activation("relu"), x_kink)["x"]
relu = dlm.Activation("relu")
relu.forward(x_kink)
slope_at_zero = float(relu.backward(np.ones_like(x_kink))[0, 1])
numeric_at_zero = float(
    gradcheck.numerical_gradient(lambda: relu.forward(x_kink).sum(), x_kink)[0, 1]
)
assert slope_at_zero in (0.0, 1.0) and abs(numeric_at_zero - 0.5) < 1e-6
publish.value("relu_slope0", slope_at_zero, "g")
x_away = x_kink.copy()
x_away[0, 1] = 0.3
err_relu_away = gradcheck.check_layer(dlm.Activation("relu"), x_away)["x"]
assert err_relu_kink > 1e-3 and err_relu_away < 1e-9
print(f"ReLU: slope used at 0 = {slope_at_zero}, finite difference = {numeric_at_zero:.3f}")
print(f"ReLU check: {err_relu_kink:.1e} with a 0 in x, {err_relu_away:.1e} without")

# %% Max pooling: a 2x2 window whose two largest values are equal.
x_tie = np.array([[[[0.5, 0.9], [0.9, 0.1]]]])
pool = dlm.MaxPool2D(2)
err_pool_tie = gradcheck.check_layer(pool, x_tie)["x"]
pool.forward(x_tie)
routed = pool.backward(np.ones((1, 1, 1, 1)))[0, 0]
numeric_tie = gradcheck.numerical_gradient(lambda: pool.forward(x_tie).sum(), x_tie)[0, 0]
assert sorted(routed.ravel().tolist()) == [0, 0, 0, 1]
assert np.allclose(numeric_tie, [[0, 0.5], [0.5, 0]])
x_untied = np.array([[[[0.5, 0.9], [0.8, 0.1]]]])
err_pool_untied = gradcheck.check_layer(dlm.MaxPool2D(2), x_untied)["x"]
assert err_pool_tie > 1e-3 and err_pool_untied < 1e-9
print("max pool, tie: backward", routed.tolist(), " finite difference", numeric_tie.tolist())

publish.value("relu_numeric", numeric_at_zero, ".1f")
publish.value("err_relu_kink", err_relu_kink, ".2f")
publish.value("err_relu_away", err_relu_away, ".0e")
publish.value("err_pool_tie", err_pool_tie, ".2f")
publish.value("err_pool_untied", err_pool_untied, ".0e")


# %% Deliberately wrong backward passes.
class WrongSigmoid(dlm.Activation):
    """The bug: dx = dy σ(x), forgetting the factor (1 − σ(x))."""

    def __init__(self) -> None:
        super().__init__("sigmoid")

    def backward(self, dy):
        _, y = self.cache
        return dy * y


class WrongLinear(dlm.Linear):
    """The bug: the bias gradient averages dy over the batch instead of summing it."""

    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["bias"] -= dy.sum(axis=0)
        self.grads["bias"] += dy.mean(axis=0)
        return dx


x = rng.normal(size=(4, 3))
err_sigmoid = gradcheck.check_layer(WrongSigmoid(), x)["x"]
err_sigmoid_ok = gradcheck.check_layer(dlm.Activation("sigmoid"), x)["x"]
errors_linear = gradcheck.check_layer(WrongLinear(3, 2, rng=np.random.default_rng(1)), x)
print(f"wrong sigmoid: {err_sigmoid:.2f} (the real one: {err_sigmoid_ok:.0e})")
print("wrong Linear:", {k: f"{v:.1e}" for k, v in errors_linear.items()})
assert err_sigmoid > 0.1 and err_sigmoid_ok < 1e-9
assert errors_linear["x"] < 1e-9 and errors_linear["weight"] < 1e-9
assert errors_linear["bias"] > 0.1  # a batch of 4: the bias gradient is 4 times too small
publish.value("err_sigmoid", err_sigmoid, ".2f")
publish.value("err_sigmoid_ok", err_sigmoid_ok, ".0e")
publish.table(
    "wrong_linear",
    ["gradient of", "relative error", "passes?"],
    [[f"`{k}`", f"{v:.1e}", publish.mark(v < 1e-7)] for k, v in errors_linear.items()],
    align="lrc",
)
publish.value("err_bias", errors_linear["bias"], ".2f")
dlm.set_default_dtype("float32")
