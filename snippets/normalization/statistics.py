"""The Normalization Layer: the norm elements on three numbers, the statistics per channel on real
grids, and the final shift that can undo the normalization.

1. Three values of one neuron across a batch of three, through ``dlm.BatchNorm1D(1)``: μ, σ (biased
   variance, ε inside the root), the norm elements, their mean 0 and their standard deviation
   exactly sqrt(var / (var + ε)).
2. ``dlm.BatchNorm2D(6)`` on a batch of two images' channels: the six channels of the house
   network's L2 (``dlm.house``) for the house and for its mirror image. Each channel has its own
   μ and σ, over both images and all 49 pixels, checked against independent numpy reductions.
3. With γ = σ and β = μ the layer gives back its input: normalization costs the model nothing it
   cannot learn back.
"""

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dlm
from dlm.house import L2_KERNELS, house_image, house_stages
from dlm.reference import batchnorm_forward
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _grids import grid_axes, heat_table  # noqa: E402
from _walkthrough import fmt_value  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")
EPS = 1e-5

# %% 1. Three elements: one neuron, a batch of three.
o = np.array([[1.0], [4.0], [7.0]])  # o^{k-1}: (batch, 1 neuron)
bn1 = dlm.BatchNorm1D(1, eps=EPS)
out = dlm.to_numpy(bn1.forward(o))[:, 0]  # γ = 1, β = 0 at the start: the norm elements
mu = o.mean()
var = ((o - mu) ** 2).mean()  # biased: divided by 3, not 2
sigma = np.sqrt(var + EPS)  # ε inside the root
assert mu == 4 and var == 6
assert np.allclose(out, (o[:, 0] - mu) / sigma)
assert abs(out.mean()) < 1e-15
assert np.isclose(out.std(), np.sqrt(var / (var + EPS)), rtol=0, atol=1e-15)
assert out.std() < 1 and 1 - out.std() < 1e-6
publish.value("o_values", ", ".join(fmt_value(v) for v in o[:, 0]))
publish.value("mu", fmt_value(mu))
publish.value("var", fmt_value(var))
publish.value("sigma", f"{sigma:.4f}")
publish.value("o_norm", ", ".join(f"{v:.4f}".replace("-", "−") for v in out))
publish.value("new_std", f"{out.std():.8f}")
publish.value("eps", "10^{-5}")

# %% 2. Per-channel statistics on real grids: L2 of the house network, two images.
image = dlm.to_numpy(house_image())
mirror = image[..., ::-1].copy()  # the house seen in a mirror
x = np.stack([dlm.to_numpy(house_stages(image=im)["L2"]) for im in (image, mirror)])
assert x.shape == (2, 6, 7, 7)
bn = dlm.BatchNorm2D(6, eps=EPS)
y = dlm.to_numpy(bn.forward(x))
mu_c = x.mean(axis=(0, 2, 3))  # over the batch and the pixels: 2 * 49 = 98 elements each
var_c = x.var(axis=(0, 2, 3))
sigma_c = np.sqrt(var_c + EPS)
assert np.allclose(y, (x - mu_c[:, None, None]) / sigma_c[:, None, None])
assert np.allclose(y, batchnorm_forward(x, np.ones(6), np.zeros(6), EPS)[0])  # the loops
assert np.allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
assert np.allclose(y.std(axis=(0, 2, 3)), np.sqrt(var_c / (var_c + EPS)))
# Normalising each pixel across channels instead would mix neurons that mean different things.
assert not np.allclose(mu_c, mu_c[0])
publish.value("n_elements", x.shape[0] * x.shape[2] * x.shape[3])
names = list(L2_KERNELS)
SHOWN = (0, 2, 5)  # left roof, window, interior
fig, axes = grid_axes(
    6,
    ncols=3,
    cell=0.42,
    titles=[f"{names[c]}: μ = {mu_c[c]:.0f}, σ = {sigma_c[c]:.0f}" for c in SHOWN]
    + [f"{names[c]} normalised" for c in SHOWN],
)
for ax, c in zip(axes[:3], SHOWN, strict=True):
    heat_table(ax, x[0, c])
for ax, c in zip(axes[3:], SHOWN, strict=True):
    heat_table(ax, y[0, c], fmt=lambda v: f"{v:.1f}".replace("-", "\N{MINUS SIGN}"))
for c in SHOWN:
    publish.value(f"mu_{c}", f"{mu_c[c]:.0f}")
    publish.value(f"sigma_{c}", f"{sigma_c[c]:.0f}")
publish.figure(
    "channels",
    fig,
    alt=(
        "Top row: three 7 by 7 heat tables of the house network's L2, the left-roof, window and "
        "interior channels, with values in the hundreds and thousands; each title gives the "
        "channel's mean and standard deviation: "
        + "; ".join(f"{names[c]} {mu_c[c]:.0f} and {sigma_c[c]:.0f}" for c in SHOWN)
        + ". Bottom row: the same channels normalised, values between about −3 and 3, with the "
        "same pattern of colours."
    ),
    caption=(
        "BatchNorm2D computes one mean μ and one deviation σ per channel, over both images of "
        "the batch and all their pixels (the first image is shown). Each channel is then centred "
        "and scaled on its own: the pattern stays, the scale goes."
    ),
)

# %% 3. The final shift: γ and β. With γ = σ and β = μ, the layer is the identity.
bn.params["weight"][...] = sigma_c
bn.params["bias"][...] = mu_c
undone = dlm.to_numpy(bn.forward(x))
gap = float(np.abs(undone - x).max())
assert gap < 1e-9
publish.value("undo_gap", f"{gap:.0e}".replace("-", "−"))

c = 5  # interior
values = x[:, c].ravel()
norm = y[:, c].ravel()
shifted = 0.5 * norm + 2.0  # another choice of γ and β
fig, axes = plt.subplots(3, 1, figsize=(6.4, 4.6), sharex=False)
fig.patch.set_alpha(0)
rows = [
    (values, f"input: μ = {values.mean():.0f}, σ = {values.std():.0f}", publish.GREY),
    (norm, "normalised: μ = 0, σ ≈ 1", publish.BLUE),
    (shifted, "γ = 0.5, β = 2: μ = 2, σ ≈ 0.5", publish.ORANGE),
]
for ax, (v, label, colour) in zip(axes, rows, strict=True):
    ax.set_facecolor("none")
    ax.hist(v, bins=24, color=colour)
    ax.axvline(v.mean(), color=publish.RED, linewidth=1.5)
    ax.set_title(label, fontsize=9, color=publish.INK, loc="left")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
fig.tight_layout()
publish.figure(
    "shift",
    fig,
    alt=(
        "Three histograms of the 98 values of the interior channel. Top: the input, spread from "
        "a few hundred to about 4,000, mean about 2,300. Middle: normalised, same shape, spread "
        "around 0 from about −2 to 2. Bottom: after γ = 0.5 and β = 2, same shape again, around "
        "2. A red line marks each mean."
    ),
    caption=(
        "One channel (98 values) before and after normalization, then after a final shift with "
        "γ = 0.5 and β = 2. The shape never changes; μ and σ fix the centre and the spread, and "
        "γ and β set them anew. With γ = σ and β = μ the input comes back."
    ),
)
