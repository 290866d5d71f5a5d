"""The Weights: which way to move a variable to lower a function, read from its tangent.

A smooth test function f, two points x0 (one where f climbs, one where it falls), the derivative
at each from a central difference, and the tangent line it gives. Arrows show where x0 − h and
x0 + h land on the curve: when the slope is positive, f is lower on the left, so the move that
lowers f goes against the slope's sign.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from dlm.gradcheck import numerical_gradient
from dlm_site import publish

publish.style()


def f(x):
    """A smooth function with a climb and a dip: our stand-in for the loss along one weight."""
    return 0.6 + 0.5 * np.sin(1.2 * x) + 0.04 * (x - 1.0) ** 2


def slope_at(x0: float) -> float:
    """df/dx at x0 by a central difference (dlm.gradcheck, the tool of the gradient checks)."""
    point = np.array([x0])
    return float(numerical_gradient(lambda: f(point[0]), point, h=1e-6)[0])


# %% Two points: one on a climb, one on a descent.
h = 0.8  # the size of the move drawn
points = {"climb": 0.2, "descent": 2.6}
slopes = {name: slope_at(x0) for name, x0 in points.items()}
# The central difference agrees with the derivative worked out by hand.
for name, x0 in points.items():
    exact = 0.6 * np.cos(1.2 * x0) + 0.08 * (x0 - 1.0)
    assert abs(slopes[name] - exact) < 1e-8, name
for name, x0 in points.items():
    print(f"{name}: x0 = {x0}, f(x0) = {f(x0):.4f}, slope = {slopes[name]:.4f}")

# A positive slope: f is lower on the left and higher on the right, so we move left.
x0, s = points["climb"], slopes["climb"]
assert s > 0
assert f(x0 - h) < f(x0) < f(x0 + h)
# A negative slope: the other way round, so we move right. Either way: move by −slope.
x1, s1 = points["descent"], slopes["descent"]
assert s1 < 0
assert f(x1 - h) > f(x1) > f(x1 + h)
# Near x0 the tangent predicts f well; further away the prediction drifts (only local).
for step in (0.01, 0.1, h):
    print(f"step {step}: f = {f(x0 - step):.5f}, tangent predicts {f(x0) - s * step:.5f}")
assert abs(f(x0 - 0.01) - (f(x0) - s * 0.01)) < 1e-3
assert abs(f(x0 - h) - (f(x0) - s * h)) > 10 * abs(f(x0 - 0.01) - (f(x0) - s * 0.01))

publish.value("slope_climb", s, ".2f")
publish.value("slope_descent", format(s1, ".2f").replace("-", "−"))

# %% The figure: the curve, the two tangents, and the moves.
xs = np.linspace(-1.4, 4.4, 400)
fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6), sharey=True)
for ax, name in zip(axes, ("climb", "descent"), strict=True):
    a, slope = points[name], slopes[name]
    ax.plot(xs, f(xs), color=publish.BLUE, linewidth=2, label="$f$")
    near = np.linspace(a - 1.1, a + 1.1, 2)
    ax.plot(
        near,
        f(a) + slope * (near - a),
        color=publish.GREY,
        linestyle="--",
        linewidth=1.5,
        label="tangent at $x_0$",
    )
    ax.scatter([a], [f(a)], color=publish.INK, zorder=4, s=30)
    end = 1.1 if slope > 0 else -1.1  # label the tangent at its upper end
    ax.text(
        a + end + (0.1 if slope > 0 else -0.1),
        f(a) + slope * end,
        f"slope {slope:+.2f}".replace("-", "−"),
        ha="left" if slope > 0 else "right",
        va="center",
        color=publish.INK,
        fontsize=10,
    )
    for step in (-h, h):
        lower = f(a + step) < f(a)
        colour = publish.GREEN if lower else publish.RED
        ax.annotate(
            "",
            xy=(a + step, f(a + step)),
            xytext=(a, f(a)),
            arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.8},
        )
        ax.scatter([a + step], [f(a + step)], color=colour, zorder=4, s=22)
        ax.plot(
            [a + step, a + step],
            [0, f(a + step)],
            color=colour,
            linestyle=":",
            linewidth=1.2,
        )
    ax.set_xticks([a - h, a, a + h], ["$x_0 - h$", "$x_0$", "$x_0 + h$"])
    ax.set_xlabel("$X$")
    ax.set_title(
        "slope > 0: move left" if slope > 0 else "slope < 0: move right",
        color=publish.INK,
        fontsize=11,
    )
    ax.set_xlim(xs[0], xs[-1])
axes[0].set_ylabel("$f(X)$")
axes[0].set_ylim(0.0, 2.0)
axes[0].plot([], [], color=publish.GREEN, marker="o", label="lower than $f(x_0)$")
axes[0].plot([], [], color=publish.RED, marker="o", label="higher than $f(x_0)$")
axes[0].legend(loc="upper left", fontsize=9, bbox_to_anchor=(-0.02, 1.02))
fig.tight_layout()
publish.figure(
    "tangent",
    fig,
    alt=(
        "Two copies of the same smooth curve f. Left: at a point x0 where the curve climbs, the "
        "tangent has a positive slope; the move to x0 - h lands lower on the curve (green arrow) "
        "and the move to x0 + h lands higher (red arrow). Right: at a point where the curve falls, "
        "the tangent has a negative slope; now x0 + h is lower and x0 - h is higher."
    ),
    caption=(
        "The derivative is the slope of the tangent, and its sign tells which way f goes down. "
        "Where the slope is positive, a small move to the left lowers f; where it is negative, "
        "a small move to the right does. Either way: move in the direction of minus the slope."
    ),
)
