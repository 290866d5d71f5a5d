"""The Loss Function: the derivative as a limit, on the third patient's loss.

The function is the loss of the third patient as a function of the model's output X (the loss's
input X^4), with the expectation held at y_truth = 1:  f(X) = 1/2 (X - 1)^2.  The model answers
o3 = 0, and f'(0) = 0 - 1 = -1.  The difference quotient (f(0 + h) - f(0)) / h approaches -1 as h
shrinks: exactly -1 + h/2 in exact arithmetic.  In float64 the subtraction f(0 + h) - f(0) loses
digits, and below h ~ 1e-8 that round-off error takes over from the h/2 error.
"""

# %%
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from dlm.example import example_data, example_model
from dlm.losses import MSE
from dlm_site import publish

publish.style()

# %% The function: the third patient's loss, as a function of the model's output.
x, y_truth = example_data()
o3 = example_model().forward(x[2:3])  # (1, 1): the model's answer for patient 3
y3 = y_truth[2:3]
assert o3[0, 0] == 0 and y3[0, 0] == 1


def f(X):
    """The loss of patient 3 if the model had answered X: dlm's MSE, ½ (X − 1)²."""
    return MSE().forward(np.array([[X]], dtype=object if isinstance(X, Fraction) else float), y3)


assert f(o3[0, 0]) == Fraction(1, 2)  # the loss of the third patient
slope = Fraction(-1)  # f'(X) = X - 1, at X = o3 = 0
publish.value("o3", f"{o3[0, 0]}")
publish.value("f_at_o3", float(f(o3[0, 0])), "g")
fmt_slope = f"{slope}".replace("-", "\N{MINUS SIGN}")
publish.value("slope", fmt_slope)

_SUPERSCRIPT = str.maketrans("-0123456789", "\N{SUPERSCRIPT MINUS}⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(v: float) -> str:
    """A power of ten as text: 1e-08 becomes 10⁻⁸, 5e-10 becomes 5×10⁻¹⁰."""
    mantissa, exponent = f"{v:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}×{power}"


def tex(v: float) -> str:
    """The same in LaTeX, for the prose: 5e-10 becomes $5 \\times 10^{-10}$."""
    mantissa, exponent = f"{v:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = f"10^{{{int(exponent)}}}"
    return f"${power}$" if mantissa == "1" else f"${mantissa} \\times {power}$"


def decimal(v: Fraction) -> str:
    """An exact decimal fraction written out in full: 1/20000 becomes 0.00005."""
    text = f"{float(v):.12f}".rstrip("0").rstrip(".")
    assert Fraction(text) == v
    return text


# %% Difference quotients in exact arithmetic: the error is exactly h/2.
rows = []
for k in range(5):
    h = Fraction(1, 10**k)
    q = (f(o3[0, 0] + h) - f(o3[0, 0])) / h
    assert q - slope == h / 2  # the error, exactly
    rows.append([decimal(h), decimal(q), decimal(q - slope)])
rows = [[cell.replace("-", "\N{MINUS SIGN}") for cell in row] for row in rows]
publish.table(
    "quotients",
    ["step $h$", "quotient $(f(0+h)-f(0))/h$", "error"],
    rows,
    align="rrr",
)
publish.value("q_h1", rows[0][1])
publish.value("q_small", rows[-1][1])
publish.value("h_small", rows[-1][0])

# %% Figure: secants turning into the tangent.
fig, ax = plt.subplots(figsize=(6.4, 4.6))
X = np.linspace(-0.6, 2.6, 200)
ax.plot(X, 0.5 * (X - 1) ** 2, color=publish.BLUE, linewidth=2.2, label="$f(X) = Loss(X, 1)$")
steps = [2.0, 1.0, 0.5]
shades = [0.35, 0.6, 0.85]
for h, alpha in zip(steps, shades, strict=True):
    q = (float(f(h)) - float(f(0.0))) / h
    ax.plot(
        [-0.6, 2.6],
        [0.5 + q * (-0.6), 0.5 + q * 2.6],
        color=publish.ORANGE,
        alpha=alpha,
        linewidth=1.4,
        label=f"secant, $h$ = {h:g}: slope {q:g}".replace("-", "\N{MINUS SIGN}"),
    )
    ax.plot([h], [float(f(h))], "o", color=publish.ORANGE, alpha=alpha, markersize=6)
ax.plot(
    [-0.6, 2.6],
    [0.5 + 0.6, 0.5 - 2.6],
    "--",
    color=publish.RED,
    linewidth=1.6,
    label="tangent at 0: slope \N{MINUS SIGN}1",
)
ax.plot([0], [0.5], "o", color=publish.INK, markersize=6, zorder=5)
ax.annotate(
    "$(o^3, loss) = (0, 0.5)$",
    (0, 0.5),
    xytext=(0.12, 1.05),
    color=publish.INK,
    fontsize=10,
    arrowprops={"arrowstyle": "-", "color": publish.GREY},
)
ax.set_xlim(-0.6, 2.6)
ax.set_ylim(-0.1, 1.5)
ax.set_xlabel("$X$, the model's answer for the third patient")
ax.set_ylabel("loss")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=9)
fig.tight_layout()
publish.figure(
    "secants",
    fig,
    alt=(
        "A parabola, the loss one half of (X minus 1) squared, with a dot at X = 0 where the "
        "loss is 0.5. Three orange lines join that dot to points of the curve 2, 1 and 0.5 "
        "further right; their slopes are 0, minus 0.5 and minus 0.75. A dashed red tangent at "
        "X = 0 has slope minus 1, and the orange lines tilt towards it as the step shrinks."
    ),
    caption=(
        "The slope of a secant, (f(0 + h) − f(0)) / h, tends to the slope of the tangent as the "
        f"step h shrinks. That limit is the derivative: here {fmt_slope}."
    ),
)

# %% Figure: the error of the difference quotient in float64, against h, on log-log axes.
hs = 10.0 ** -np.linspace(0, 17, 17 * 8 + 1)
# dlm's loss on every step at once: one row per step, the per-row losses in ``sample_losses``.
loss = MSE()
loss.forward(hs[:, None], np.ones((hs.size, 1)))
f_h = loss.sample_losses  # f(0 + h) for every h
f0 = float(f(0.0))
quotients = (f_h - f0) / hs
errors = np.abs(quotients - float(slope))
big = hs >= 1e-6
assert np.allclose(errors[big], hs[big] / 2, rtol=1e-2)  # truncation: error = h/2
best = int(np.argmin(errors))
assert 1e-10 <= hs[best] <= 1e-6
assert errors[hs <= 1e-13].min() > 100 * errors[best]  # round-off takes over
tiny = hs < 2**-54  # 1 - h rounds back to 1: the quotient is exactly 0
assert tiny.any() and (quotients[tiny] == 0).all() and (errors[tiny] == 1).all()
eps = np.finfo(np.float64).eps
publish.value("eps", tex(eps))
publish.value("best_h", tex(hs[best]))
publish.value("best_err", tex(errors[best]))
at = {k: errors[np.argmin(np.abs(np.log10(hs) + k))] for k in (2, 12)}
publish.value("err_h1e-2", tex(at[2]))
publish.value("err_h1e-12", tex(at[12]))

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.loglog(
    hs,
    np.maximum(errors, 1e-18),
    ".",
    color=publish.BLUE,
    markersize=4,
    label="error of the difference quotient (float64)",
)
ax.loglog(hs, hs / 2, "-", color=publish.ORANGE, linewidth=1.4, label="$h/2$: the step is too big")
ax.loglog(
    hs,
    eps / hs,
    "--",
    color=publish.RED,
    linewidth=1.4,
    label=f"$\\varepsilon/h$: round-off ($\\varepsilon$ = {eps:.1e})".replace("-", "−"),
)
ax.set_xlim(1e-17, 2)
ax.set_ylim(1e-11, 5)
ax.invert_xaxis()
ax.set_xlabel("step $h$ (smaller to the right)")
ax.set_ylabel("|quotient \N{MINUS SIGN} derivative|")
ax.legend(loc="upper center", fontsize=9)
fig.tight_layout()
publish.figure(
    "error",
    fig,
    alt=(
        "Log-log plot of the error of the difference quotient against the step h, from 1 down to "
        "1e-17. From h = 1 to about 1e-8 the points follow the straight line h/2 down to an error "
        "of about 1e-9. For smaller steps the points scatter upwards along the line epsilon/h, and "
        "below h of about 1e-16 the error is 1."
    ),
    caption=(
        f"The error of (f(0 + h) − f(0)) / h in float64. Shrinking h helps until about "
        f"{sci(hs[best])}; "
        "below that, rounding errors in f(0 + h) − f(0) grow like ε/h and take over."
    ),
)
