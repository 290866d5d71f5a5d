"""The Normalization Layer: the layer's inner impact graph (figure BN6 of the original, lost and
rebuilt here), its backward pass on three numbers, and gradient checks.

The inner variables are X (the m input elements of one channel or feature), M (their mean), Σ
(their deviation), X' (the norm elements), Γ and B (the weights γ and β) and Y (the outputs). Each
is written below as a function of the variables it reads, and the graph's edges are read off
those signatures; an edge is drawn dashed where its local derivative, evaluated at the worked
example, is 0 (Σ's derivative with respect to M). Γ and B impact Y only: they impact neither M
nor Σ, which ``dlm.BatchNorm1D`` confirms (pitfall E8 of the original).
"""

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm.gradcheck import check_layer, numerical_gradient
from dlm.reference import batchnorm_backward
from dlm_site import publish

publish.style()
dlm.set_default_dtype("float64")
EPS = 1e-5


def M(X):
    return X.mean()


def Sigma(X, M):
    return np.sqrt(((X - M) ** 2).mean() + EPS)


def Xn(X, M, Sigma):
    return (X - M) / Sigma


def Y(Xn, Gamma, B):
    return Gamma * Xn + B


# %% The worked example: three elements, γ = 2, β = 0.5, a learning flow handed back.
x = np.array([1.0, 4.0, 7.0])
gamma, beta = 2.0, 0.5
dy = np.array([1.0, -2.0, 0.5])  # δ^{k+1}
m = len(x)
mu = M(x)
sigma = Sigma(x, mu)
xn = Xn(x, mu, sigma)
y = Y(xn, gamma, beta)
bn = dlm.BatchNorm1D(1, eps=EPS)
bn.params["weight"][...] = gamma
bn.params["bias"][...] = beta
assert np.allclose(dlm.to_numpy(bn.forward(x[:, None]))[:, 0], y)

# Edges: who reads whom, from the signatures; dashed where the derivative is 0 here.
PROBE = np.array([0.3, -1.1, 0.7])
values = {"X": x, "M": mu, "Sigma": sigma, "Xn": xn, "Gamma": gamma, "B": beta}
functions = {"M": M, "Sigma": Sigma, "Xn": Xn, "Y": Y}
edges = {}
for target, f in functions.items():
    args = list(inspect.signature(f).parameters)
    for source in args:

        def g(source=source, f=f, args=args):
            out = np.atleast_1d(f(*[values[a] for a in args]))
            return float(out @ PROBE[: out.size])  # a generic weighting: no lucky cancellation

        point = np.array(values[source], dtype=float, ndmin=1)
        saved = values[source]
        values[source] = point
        slope = numerical_gradient(g, point)
        values[source] = saved
        edges[(source, target)] = bool(np.abs(slope).max() > 1e-8)
assert edges == {
    ("X", "M"): True,
    ("X", "Sigma"): True,
    ("M", "Sigma"): False,  # Σ reads M, but ∂Σ/∂M = −(1/mσ) Σ_e (x_e − μ) = 0 at M = μ
    ("X", "Xn"): True,
    ("M", "Xn"): True,
    ("Sigma", "Xn"): True,
    ("Xn", "Y"): True,
    ("Gamma", "Y"): True,
    ("B", "Y"): True,
}
# E8: Γ and B impact neither M nor Σ. In dlm: change γ and β, and σ (and x') stay the same.
bn.forward(x[:, None])
x_norm_before, inv_sigma_before = (np.copy(v) for v in bn.cache[:2])
bn.params["weight"][...] = 5.0
bn.params["bias"][...] = -3.0
bn.forward(x[:, None])
assert np.array_equal(bn.cache[0], x_norm_before) and np.array_equal(bn.cache[1], inv_sigma_before)
bn.params["weight"][...] = gamma
bn.params["bias"][...] = beta

# %% Backward, in the order of the graph: δβ, δγ, δx', then δσ, δμ, and δx.
d_beta = dy.sum()
d_gamma = (dy * xn).sum()
d_xn = gamma * dy
d_sigma = (d_xn * (-xn / sigma)).sum()  # Σ impacts every x'_e
d_mu = (d_xn * (-1 / sigma)).sum()  # + δσ · ∂Σ/∂M, which is 0
dx = d_xn / sigma + d_mu / m + d_sigma * xn / m  # X impacts X', M and Σ
boxed = gamma / sigma / m * (m * dy - dy.sum() - xn * (dy * xn).sum())
assert np.isclose(d_sigma, -gamma / sigma * (dy * xn).sum())
assert np.isclose(d_mu, -gamma / sigma * dy.sum())
assert np.allclose(dx, boxed)
bn.forward(x[:, None])
bn.zero_grad()
dx_dlm = dlm.to_numpy(bn.backward(dy[:, None]))[:, 0]
assert np.allclose(dx_dlm, dx)
assert np.isclose(bn.grads["weight"][0], d_gamma) and np.isclose(bn.grads["bias"][0], d_beta)
dx_ref, dg_ref, db_ref = batchnorm_backward(x[:, None], np.array([gamma]), dy[:, None], EPS)
assert np.allclose(dx_ref[:, 0], dx) and np.isclose(dg_ref[0], d_gamma)
assert abs(dx.sum()) < 1e-12  # the mean is taken out: moving all inputs together changes nothing


def num(v, digits=4) -> str:
    return f"{v:.{digits}f}".rstrip("0").rstrip(".").replace("-", "−")


publish.value("ex_x", ", ".join(num(v) for v in x))
publish.value("ex_gamma", num(gamma))
publish.value("ex_beta", num(beta))
publish.value("ex_dy", ", ".join(num(v) for v in dy))
publish.value("ex_xn", ", ".join(num(v) for v in xn))
publish.value("ex_dbeta", num(d_beta))
publish.value("ex_dgamma", num(d_gamma))
publish.value("ex_dsigma", num(d_sigma))
publish.value("ex_dmu", num(d_mu))
publish.value("ex_dx", ", ".join(num(v) for v in dx))

# %% Figure: the inner impact graph, forward arrows with their local derivatives.
POS = {
    "X": (0.0, 0.0),
    "M": (3.2, 1.7),
    "Sigma": (3.2, -1.7),
    "Xn": (6.6, 0.0),
    "Gamma": (8.6, 2.2),
    "B": (8.6, -2.2),
    "Y": (10.8, 0.0),
}
LABEL = {
    "X": "$X$\n$o^{k-1}_e$",
    "M": "$M$\n$\\mu$",
    "Sigma": "$\\Sigma$\n$\\sigma$",
    "Xn": "$X'$\n$o'_e$",
    "Gamma": "$\\Gamma$\n$\\gamma$",
    "B": "$B$\n$\\beta$",
    "Y": "$Y$\n$o^k_e$",
}
LOCAL = {
    ("X", "M"): "$1/m$",
    ("X", "Sigma"): "$o'_e/m$",
    ("M", "Sigma"): "$0$",
    ("X", "Xn"): "$1/\\sigma$",
    ("M", "Xn"): "$-1/\\sigma$",
    ("Sigma", "Xn"): "$-o'_e/\\sigma$",
    ("Xn", "Y"): "$\\gamma$",
    ("Gamma", "Y"): "$o'_e$",
    ("B", "Y"): "$1$",
}
ORDER = {"Y": 1, "B": 2, "Gamma": 2, "Xn": 3, "Sigma": 4, "M": 5, "X": 6}
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

fig, ax = plt.subplots(figsize=(7.6, 3.6))
fig.patch.set_alpha(0)
ax.set_facecolor("none")
ax.axis("off")
ax.set_aspect("equal")
W, H = 1.5, 1.0
for name, (px, py) in POS.items():
    weight = name in ("Gamma", "B")
    ax.add_patch(
        FancyBboxPatch(
            (px - W / 2, py - H / 2),
            W,
            H,
            boxstyle="round,pad=0.04,rounding_size=0.2",
            facecolor=publish.ORANGE if weight else publish.BLUE,
            edgecolor="none",
        )
    )
    ax.text(px, py, LABEL[name], ha="center", va="center", color="white", fontsize=10)
    ax.text(
        px + W / 2 + 0.05,
        py + H / 2 + 0.05,
        f"{ORDER[name]}",
        ha="left",
        va="bottom",
        color=publish.RED,
        fontsize=8,
        fontweight="bold",
    )
for (source, target), alive in edges.items():
    (x0, y0), (x1, y1) = POS[source], POS[target]
    arrow = FancyArrowPatch(
        (x0, y0),
        (x1, y1),
        arrowstyle="-|>",
        mutation_scale=12,
        color=publish.GREY,
        linewidth=1.4,
        linestyle="-" if alive else "--",
        shrinkA=22,
        shrinkB=22,
    )
    ax.add_patch(arrow)
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2 + 0.28
    if (source, target) == ("X", "Xn"):
        mx = 1.6  # clear of the dashed M -> Σ arrow
    if (source, target) == ("M", "Sigma"):
        mx, my = mx + 0.15, -0.75
    ax.text(mx, my, LOCAL[(source, target)], ha="left" if source == "M" and target == "Sigma"
            else "center", va="bottom", color=publish.INK, fontsize=9)  # fmt: skip
ax.set_xlim(-1.0, 11.8)
ax.set_ylim(-3.0, 3.0)
fig.tight_layout()
publish.figure(
    "graph",
    fig,
    alt=(
        "A graph of seven boxes. X, the inputs, points to M (the mean), to Σ (the deviation) and "
        "to X' (the norm elements); M points to Σ with a dashed arrow labelled 0 and to X'; Σ "
        "points to X'. X', Γ and B point to Y, the outputs. Each arrow carries its local "
        "derivative: 1/m, o'/m, 1/σ, −1/σ, −o'/σ, γ, o', 1. Small red numbers give the backward "
        "order: Y 1, Γ and B 2, X' 3, Σ 4, M 5, X 6."
    ),
    caption=(
        "Inside a normalization layer, for one channel: who impacts whom, with the local "
        "derivative on each arrow. Γ and B impact only the outputs. The backward pass visits "
        "the variables in the red order, each only after everything it impacts."
    ),
)

# %% Gradient checks, float64: the worked layer's shape (3 elements, 3 features), and 2D.
rng = np.random.default_rng(0)
bn1 = dlm.BatchNorm1D(3)
bn1.params["weight"][...] = rng.uniform(0.5, 2, 3)
bn1.params["bias"][...] = rng.standard_normal(3)
errors1 = check_layer(bn1, rng.standard_normal((3, 3)))
bn2 = dlm.BatchNorm2D(3)
bn2.params["weight"][...] = rng.uniform(0.5, 2, 3)
bn2.params["bias"][...] = rng.standard_normal(3)
errors2 = check_layer(bn2, rng.standard_normal((2, 3, 4, 4)))
print("relative errors:", errors1, errors2)
assert all(e < 1e-7 for e in list(errors1.values()) + list(errors2.values()))
publish.table(
    "gradcheck",
    ["gradient", "BatchNorm1D(3), batch of 3", "BatchNorm2D(3), 2 × 3 × 4 × 4"],
    [
        [r"$\delta^k$ (the input)", f"{errors1['x']:.1e}", f"{errors2['x']:.1e}"],
        [r"$\delta\gamma$", f"{errors1['weight']:.1e}", f"{errors2['weight']:.1e}"],
        [r"$\delta\beta$", f"{errors1['bias']:.1e}", f"{errors2['bias']:.1e}"],
    ],
    align="lrr",
)
