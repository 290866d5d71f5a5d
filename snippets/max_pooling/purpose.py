"""The Max Pooling Layer: what pooling is for. Shifts matter less, grids shrink, fields grow.

1. Invariance to small shifts, measured: 1,000 MNIST digits (``dlm/data/mnist10k.npz``) moved one
   pixel to the right, and the relative change ||f(shifted) - f(x)|| / ||f(x)|| of the raw pixels,
   after one ``MaxPool2D(2)``, and after two.
2. The receptive field of one neuron after each 2D layer of ``dlm.models.lenet5()``, from the real
   layers' kernel sizes and strides (``r_out = r_in + (k - 1) j_in``, ``j_out = j_in s``), and
   checked by dlm's own backward pass: a chain with the same geometry (all-ones kernels, average
   pooling, so no path is cut by a ReLU or a max) sends a one-hot δ back to the image, and the
   pixels that receive something are exactly the receptive field.
"""

# %%
import sys
from pathlib import Path

import numpy as np

import dlm
from dlm_site import publish

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
from _layers2d import receptive_fields, support  # noqa: E402

publish.style()
dlm.set_default_dtype("float64")

# %% 1. A one-pixel shift, before and after pooling.
images = np.load("dlm/data/mnist10k.npz")["images"][:1000].astype(np.float64) / 255
shifted = np.zeros_like(images)
shifted[:, :, 1:] = images[:, :, :-1]  # one pixel to the right


def pooled(x, times: int):
    z = x[:, None]
    for _ in range(times):
        z = dlm.to_numpy(dlm.MaxPool2D(2).forward(z))
    return z


publish.value("n_digits", len(images), ",")
changes = []
for times in range(3):
    a, b = pooled(images, times), pooled(shifted, times)
    changes.append(float(np.linalg.norm(b - a) / np.linalg.norm(a)))
print("relative change after 0, 1, 2 poolings:", changes)
assert changes[0] > changes[1] > changes[2]  # each pooling makes the shift matter less
for times, change in enumerate(changes):
    publish.value(f"change{times}", f"{100 * change:.0f}\u2009%")

# %% 2. Receptive fields in LeNet-5, from its real layers.
model = dlm.models.lenet5(rng=np.random.default_rng(0))
chain = [layer for layer in model.layers[:7]]  # Input2D ... second MaxPool2D
names = [type(layer).__name__ for layer in chain]
assert names == [
    "Input2D",
    "Convolution2D",
    "Activation",
    "MaxPool2D",
    "Convolution2D",
    "Activation",
    "MaxPool2D",
]
rows = [r for r in receptive_fields(chain) if not isinstance(r["layer"], dlm.Activation)]
assert [r["size"] for r in rows] == [28, 24, 12, 8, 4]
assert [r["field"] for r in rows] == [1, 5, 6, 14, 16]

# The same geometry, with weights that cut no path: the one-hot δ of a centre neuron reaches
# exactly its receptive field in the image.
for depth in range(1, len(rows)):
    layers = [dlm.Input2D(1, 28, 28)]
    for r in rows[1 : depth + 1]:
        layer = r["layer"]
        if isinstance(layer, dlm.Convolution2D):
            conv = dlm.Convolution2D(1, 1, layer.kernel_size, stride=layer.stride, bias=False)
            conv.params["weight"][...] = 1
            layers.append(conv)
        else:
            layers.append(dlm.AvgPool2D(layer.kernel_size, layer.stride))
    probe = dlm.sequential(*layers)
    out = probe.forward(np.ones((1, 1, 28, 28)))
    dy = np.zeros(out.shape)
    centre = out.shape[2] // 2
    dy[0, 0, centre, centre] = 1
    reach = dlm.to_numpy(probe.backward(dy))[0, 0] != 0
    assert support(reach) == (rows[depth]["field"],) * 2
    rows[depth]["corner"] = int(np.argwhere(reach)[0][0])

publish.table(
    "fields",
    ["layer of LeNet-5", "grid", "one neuron sees"],
    [
        [
            f"`{r['layer'].describe()}`",
            f"{r['size']}×{r['size']}",
            f"{r['field']}×{r['field']} pixels",
        ]
        for r in rows
    ],
    align="lcc",
)
publish.value("field_last", rows[-1]["field"])
publish.value("size_last", rows[-1]["size"])

# %% Figure: a digit with the receptive field of one neuron after each layer.
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

digit = images[0]
colours = [publish.BLUE, publish.GREEN, publish.ORANGE, publish.RED]
fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.2), gridspec_kw={"width_ratios": [1, 1]})
fig.patch.set_alpha(0)
ax = axes[0]
ax.imshow(digit, cmap="gray_r", vmin=0, vmax=1, extent=(-0.5, 27.5, 27.5, -0.5))
for r, colour in zip(rows[1:], colours, strict=True):
    c0, f = r["corner"], r["field"]
    ax.add_patch(
        Rectangle((c0 - 0.5, c0 - 0.5), f, f, facecolor="none", edgecolor=colour, linewidth=2.2)
    )
ax.set_xticks([])
ax.set_yticks([])
for spine in ax.spines.values():
    spine.set_visible(True)
    spine.set_edgecolor(publish.GREY)
ax.set_title("the image, 28×28", color=publish.INK, fontsize=10)
# Right: the grids shrinking, each drawn at its size, with one neuron marked.
ax = axes[1]
ax.set_facecolor("none")
x = 0.0
for r, colour in zip(rows, [publish.GREY, *colours], strict=True):
    s = r["size"] / 28 * 10
    ax.add_patch(Rectangle((x, -s / 2), s, s, facecolor="none", edgecolor=colour, linewidth=1.6))
    cell = 10 / 28
    ax.add_patch(
        Rectangle((x + s / 2 - cell / 2, -cell / 2), cell, cell, facecolor=colour, edgecolor="none")
    )
    ax.text(x + s / 2, -s / 2 - 0.6, f"{r['size']}×{r['size']}", ha="center", va="top",
            color=publish.INK, fontsize=8)  # fmt: skip
    ax.text(x + s / 2, s / 2 + 0.4, f"sees {r['field']}", ha="center", va="bottom",
            color=colour, fontsize=8)  # fmt: skip
    x += s + 2.4
ax.set_xlim(-0.3, x)
ax.set_ylim(-7, 7)
ax.set_aspect("equal")
ax.axis("off")
ax.set_title("the grids of LeNet-5", color=publish.INK, fontsize=10)
fig.tight_layout()
publish.figure(
    "receptive",
    fig,
    alt=(
        "Left: a handwritten digit on a 28 by 28 grid, with four nested squares around its centre "
        "region: 5, 6, 14 and 16 pixels wide, in blue, green, orange and red. Right: five squares "
        "of decreasing size, 28, 24, 12, 8 and 4 cells wide, each with one neuron marked, labelled "
        "with how many pixels that neuron sees: 1, 5, 6, 14, 16."
    ),
    caption=(
        "Through LeNet-5's convolutions and poolings the grid shrinks from 28×28 to 4×4 while one "
        "neuron's receptive field grows from 1 pixel to 16×16. Each square was found by sending "
        "one neuron's δ back to the image through dlm layers of the same geometry."
    ),
)
