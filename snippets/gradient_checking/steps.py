"""Gradient Checking: how the error of a finite difference depends on the step h.

The function is dlm's tanh activation at x = 0.5, whose exact derivative is 1 - tanh(0.5)^2. We
estimate it with a forward difference (f(x+h) - f(x)) / h and a central difference
(f(x+h) - f(x-h)) / 2h, in float32 and in float64, for h from 1e-12 to 1e-1, and plot the
absolute error on a log-log scale. Two errors compete: truncation (the difference quotient is not
the derivative; it shrinks like h for the forward difference, h^2 for the central one) and
round-off (f is stored with a relative precision ε, about 1e-16 in float64 and 6e-8 in float32,
and dividing by a small h magnifies it like ε/h).
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm_site import publish

publish.style()

x0 = 0.5
exact = 1 - math.tanh(x0) ** 2
steps = np.logspace(-12, -1, 45)


def errors(dtype: str, central: bool) -> np.ndarray:
    """|estimate - exact| for every h in ``steps``, computing f in ``dtype``."""
    dlm.set_default_dtype(dtype)
    layer = dlm.Activation("tanh")
    t = np.dtype(dtype).type

    def f(x):
        return float(layer.forward(np.array([[x]], dtype=dtype))[0, 0])

    out = []
    for h in steps:
        h_t = t(h)
        if central:
            estimate = (f(t(x0) + h_t) - f(t(x0) - h_t)) / (2 * float(h_t))
        else:
            estimate = (f(t(x0) + h_t) - f(t(x0))) / float(h_t)
        out.append(abs(estimate - exact))
    return np.maximum(np.array(out), 1e-17)  # an exact hit would be log(0)


curves = {
    ("float64", "forward"): errors("float64", central=False),
    ("float64", "central"): errors("float64", central=True),
    ("float32", "forward"): errors("float32", central=False),
    ("float32", "central"): errors("float32", central=True),
}
dlm.set_default_dtype("float32")

# %% The best step and the best error of each curve.
best = {}
for key, err in curves.items():
    k = int(np.argmin(err))
    best[key] = (steps[k], err[k])
    print(f"{key[0]} {key[1]:8s}: best h = {steps[k]:.0e}, error = {err[k]:.1e}")

# Central beats forward in both precisions; float64 beats float32 by orders of magnitude.
for dtype in ("float32", "float64"):
    assert best[(dtype, "central")][1] < best[(dtype, "forward")][1] / 10
assert best[("float64", "central")][1] < 1e-9
assert best[("float32", "central")][1] > 1e-6
assert best[("float64", "central")][1] < best[("float32", "central")][1] / 1000
# The best steps follow the theory: about ε^(1/2) forward, ε^(1/3) central.
assert 1e-9 <= best[("float64", "forward")][0] <= 1e-7
assert 1e-6 <= best[("float64", "central")][0] <= 1e-4
assert 1e-4 <= best[("float32", "forward")][0] <= 1e-2
assert 1e-3 <= best[("float32", "central")][0] <= 1e-1
# Right of the best step, truncation: slopes 1 (forward) and 2 (central) on the log-log plot.
large = steps > 1e-3
for method, slope in (("forward", 1), ("central", 2)):
    fit = np.polyfit(np.log10(steps[large]), np.log10(curves[("float64", method)][large]), 1)
    assert abs(fit[0] - slope) < 0.15, (method, fit[0])
# Left of it, round-off: at h = 1e-12 the float64 errors are worse than at the best step.
assert curves[("float64", "central")][0] > 100 * best[("float64", "central")][1]

for (dtype, method), (h, err) in best.items():
    publish.value(f"h_{dtype}_{method}", h, ".0e")
    publish.value(f"err_{dtype}_{method}", err, ".0e")
publish.value("exact", exact, ".6f")
publish.value("eps32", float(np.finfo(np.float32).eps), ".1e")
publish.value("eps64", float(np.finfo(np.float64).eps), ".1e")

# %% The log-log plot.
fig, ax = plt.subplots(figsize=(7, 4.2))
styles = {
    ("float64", "forward"): (publish.BLUE, "--"),
    ("float64", "central"): (publish.BLUE, "-"),
    ("float32", "forward"): (publish.ORANGE, "--"),
    ("float32", "central"): (publish.ORANGE, "-"),
}
for key, err in curves.items():
    colour, line = styles[key]
    ax.loglog(steps, err, line, color=colour, linewidth=1.8, label=f"{key[1]}, {key[0]}")
    h, e = best[key]
    ax.plot([h], [e], "o", color=colour, markersize=5)
ax.set_xlabel("step h")
ax.set_ylabel("|estimate − exact derivative|")
ax.set_ylim(1e-13, 1)
ax.legend(frameon=False, fontsize=9, loc="lower left")
ax.grid(True, which="major", alpha=0.3)
publish.figure(
    "error_vs_h",
    fig,
    alt="Log-log plot of the error of four finite-difference estimates against the step h. Each "
    "curve falls from the left (round-off) to a minimum, then rises to the right (truncation). "
    "The central differences reach lower minima than the forward ones, and float64 curves lie "
    "far below float32 curves.",
    caption="The error of a finite difference of tanh at 0.5 against the step h. Left of each "
    "dot, round-off wins (it grows like ε/h); right of it, truncation wins (slope 1 for the "
    "forward difference, slope 2 for the central one). Dots mark the best step.",
)
plt.close(fig)
