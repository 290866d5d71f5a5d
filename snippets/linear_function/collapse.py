"""The Linear Function: stacked Linear layers collapse into one; an activation breaks the collapse.

1. Three ``dlm.Linear`` layers in a row (4 -> 5 -> 3 -> 2, seeded random weights and biases) give
   exactly the function of one Linear layer whose matrix is the product W³ W² W¹ and whose bias is
   W³ W² b¹ + W³ b² + b³. The snippet asserts it on random inputs, in float64.
2. Put a ReLU after each hidden layer and the model is no longer a Linear function: it breaks
   additivity, model(a + b) - model(0) != (model(a) - model(0)) + (model(b) - model(0)), and the
   best Linear fit to it (least squares) leaves a large error.
3. Training. Two models with the same two Linear layers (1 -> 16 -> 1) learn the curve
   y = sin(πx) on [-1, 1]: one with a ReLU between the layers, one without. The one without can
   only ever be a straight line; the snippet checks that its weights collapse to the least-squares
   line and that the ReLU network's loss is far below it.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm_site import publish

dlm.set_default_dtype("float64")
publish.style()
rng = np.random.default_rng(0)


def weight(layer: dlm.Linear) -> np.ndarray:
    """The layer's weight matrix W, (out_features, in_features)."""
    return layer.params["weight"]


def bias(layer: dlm.Linear) -> np.ndarray:
    """The layer's bias b, (out_features,)."""
    return layer.params["bias"]


# %% 1. Three Linear layers, and the one Linear layer they amount to.
sizes = (4, 5, 3, 2)
layers = [dlm.Linear(a, b, rng=rng) for a, b in zip(sizes, sizes[1:], strict=False)]
stack = dlm.sequential(dlm.Input1D(sizes[0]), *layers)
L_a, L_b, L_c = layers
W = weight(L_c) @ weight(L_b) @ weight(L_a)  # (2, 4): the product of the weight matrices
b = weight(L_c) @ weight(L_b) @ bias(L_a) + weight(L_c) @ bias(L_b) + bias(L_c)
single = dlm.Linear(sizes[0], sizes[-1], rng=rng)
single.params["weight"][...] = W
single.params["bias"][...] = b
one = dlm.sequential(dlm.Input1D(sizes[0]), single)

x = rng.normal(size=(1000, sizes[0]))
y_stack = stack.forward(x)
y_one = one.forward(x)
assert np.allclose(y_stack, y_one, rtol=1e-12, atol=1e-12)
n_stack = sum(p.value.size for p in stack.parameters())
n_one = sum(p.value.size for p in one.parameters())
publish.value("sizes", " → ".join(str(s) for s in sizes))
publish.value("n_stack", n_stack)
publish.value("n_one", n_one)
publish.value("max_gap", f"{np.abs(y_stack - y_one).max():.0e}")
print("product W = W3 W2 W1:\n", W.round(3))

# %% 2. A ReLU after each hidden layer breaks the collapse.
relu_net = dlm.sequential(
    dlm.Input1D(sizes[0]), L_a, dlm.Activation("relu"), L_b, dlm.Activation("relu"), L_c
)
y_relu = relu_net.forward(x)
zero = relu_net.forward(np.zeros((1, sizes[0])))


def additivity_gap(model: dlm.Model) -> float:
    """The largest |f(a + b) - f(a) - f(b) + f(0)| over pairs of inputs: 0 for a Linear function."""
    a, c = x[:500], x[500:]
    f0 = model.forward(np.zeros((1, sizes[0])))
    return float(np.abs(model.forward(a + c) - model.forward(a) - model.forward(c) + f0).max())


gap_stack, gap_relu = additivity_gap(stack), additivity_gap(relu_net)
assert gap_stack < 1e-12 and gap_relu > 0.1
# The best Linear function (least squares, with a bias) fits the stack exactly, not the ReLU net.
design = np.hstack([x, np.ones((len(x), 1))])
for target, name in ((y_stack, "stack"), (y_relu, "relu")):
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = np.abs(design @ coef - target).max()
    publish.value(f"lstsq_{name}", f"{residual:.2g}")
    if name == "stack":
        assert residual < 1e-10 and np.allclose(coef[:-1].T, W) and np.allclose(coef[-1], b)
    else:
        assert residual > 0.1
publish.value("gap_stack", f"{gap_stack:.0e}")
publish.value("gap_relu", f"{gap_relu:.2f}")

# %% 3. Learn y = sin(πx) with and without the activation.
x_train = np.linspace(-1, 1, 64)[:, None]
y_train = np.sin(np.pi * x_train)
HIDDEN, STEPS, LR = 16, 1500, 0.02


def two_layers(activation: bool) -> dlm.Model:
    """Linear(1, 16) -> [ReLU] -> Linear(16, 1), with seeded initial weights."""
    init = np.random.default_rng(1)
    first, second = dlm.Linear(1, HIDDEN, rng=init), dlm.Linear(HIDDEN, 1, rng=init)
    middle = [dlm.Activation("relu")] if activation else []
    return dlm.sequential(dlm.Input1D(1), first, *middle, second)


def train(model: dlm.Model) -> list:
    """Full-batch Adam on the 64 points; the loss before each step."""
    loss, optimizer, history = dlm.MSE(), dlm.Adam(model.parameters(), lr=LR), []
    for _ in range(STEPS):
        optimizer.zero_grad()
        history.append(loss.forward(model.forward(x_train), y_train))
        model.backward(loss.backward())
        optimizer.step()
    history.append(loss.forward(model.forward(x_train), y_train))
    return history


nonlinear, linear = two_layers(True), two_layers(False)
loss_nonlinear, loss_linear = train(nonlinear), train(linear)
# The network without activation is one straight line: the product of its weights, which
# training has brought to the least-squares line through the points.
first, second = (layer for layer in linear.layers if isinstance(layer, dlm.Linear))
slope = float((weight(second) @ weight(first))[0, 0])
intercept = float((weight(second) @ bias(first) + bias(second))[0])
grid = np.linspace(-1, 1, 201)[:, None]
assert np.allclose(linear.forward(grid), slope * grid + intercept, atol=1e-12)
line = np.polyfit(x_train.ravel(), y_train.ravel(), 1)
assert np.allclose([slope, intercept], line, atol=1e-3)
# The ReLU network does far better.
assert loss_nonlinear[-1] < loss_linear[-1] / 50, (loss_nonlinear[-1], loss_linear[-1])
publish.value("hidden", HIDDEN)
publish.value("steps", STEPS)
publish.value("loss_nonlinear", f"{loss_nonlinear[-1]:.4f}")
publish.value("loss_linear", f"{loss_linear[-1]:.3f}")
publish.value("ratio", f"{loss_linear[-1] / loss_nonlinear[-1]:.0f}")
publish.value("slope", f"{slope:.3f}")

fig, ax = plt.subplots(figsize=(8.0, 3.6))
ax.plot(x_train, y_train, "o", color=publish.GREY, markersize=3.5, label="the 64 points")
ax.plot(
    grid, nonlinear.forward(grid), color=publish.BLUE, linewidth=2, label="Linear → ReLU → Linear"
)
ax.plot(grid, linear.forward(grid), color=publish.ORANGE, linewidth=2, label="Linear → Linear")
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
fig.tight_layout()
publish.figure(
    "fit",
    fig,
    alt=(
        "64 grey points along one period of a sine wave from x = -1 to 1. The blue curve, the "
        "network with a ReLU, follows the wave closely with a few straight pieces. The orange "
        "line, the same network without the ReLU, is a single straight line rising through the "
        "middle."
    ),
    caption=(
        f"The same two Linear layers ({HIDDEN} hidden neurons), trained the same way: with a ReLU "
        "between them (blue), they bend to the curve; without it (orange), they can only draw a "
        "straight line."
    ),
)
