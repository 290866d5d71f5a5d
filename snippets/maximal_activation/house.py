"""Maximal Activation on the hand-built house network of *The Second Dimension*.

The weights stay as they are; the input moves. Starting from a uniform grey image, gradient ascent
on the pixels raises the final channel at the centre, the pixel where the network says "house".
``model.backward`` returns the gradient with respect to the input, the blog's δ^1.

It asserts what the article states: with the network's own ReLU the grey start gets no gradient
at all (every part detector is silent); through a leaky ReLU during the search the activation
rises at every step until it stops moving; the input found, measured with the real ReLU, lights
the centre far more than the house does; and its brightness matches the house's shape (the
correlation with the house's r + g + b is high).
"""

# %%
import numpy as np
from matplotlib import pyplot as plt

import dlm
from dlm.activation import FUNCTIONS
from dlm.house import house_image, house_network
from dlm_site import publish

publish.style()

model = house_network()
L1, L2, L3, L4, L5 = model.layers
L2.needs_input_grad = True  # we want δ at the input this time
CENTRE = (3, 3)
house = dlm.to_numpy(house_image())


def centre(x) -> float:
    """The final channel at the centre pixel, for an input ``x: (1, 3, 7, 7)``."""
    return float(model.forward(x)[0, 0, CENTRE[0], CENTRE[1]])


def input_gradient(x):
    """δ^1: the gradient of the centre pixel of L5's output with respect to the input."""
    y = model.forward(x)
    dy = np.zeros_like(y)
    dy[0, 0, CENTRE[0], CENTRE[1]] = 1
    return dlm.to_numpy(model.backward(dy))


def set_gate(kind: str) -> None:
    """Switch L3's activation function (the weights do not change)."""
    L3.kind = kind
    L3.f, L3.f_slope = FUNCTIONS[kind]


# %% A grey start: every detector is silent, and so is the gradient.
start = np.full((1, 3, 7, 7), 127.5, dtype=house.dtype)
assert centre(house) == 6
assert centre(start) == 0
assert not np.any(input_gradient(start))
publish.value("house_activation", centre(house), ".0f")
publish.value("grey", 127.5, ".1f")

# %% Gradient ascent with a leaky gate, then measured with the real ReLU.
set_gate("leaky_relu")
STEP, STEPS = 5.0, 120
x = start.copy()
trace = []
for _ in range(STEPS):
    g = input_gradient(x)
    trace.append(centre(x))
    x = np.clip(x + STEP * np.sign(g), 0, 255)  # a step of 5 grey levels, kept inside [0, 255]
trace.append(centre(x))
set_gate("relu")
found = centre(x)

trace = np.array(trace)
assert np.all(np.diff(trace) >= 0)  # the activation never falls
settled = int(np.argmax(trace == trace[-1]))
assert settled < STEPS
assert found > 1000 * centre(house)
brightness = x[0].mean(axis=0)
house_brightness = house[0].mean(axis=0)
correlation = float(np.corrcoef(brightness.ravel(), house_brightness.ravel())[0, 1])
assert correlation > 0.7
untouched = int((brightness == 127.5).sum())
assert untouched > 0
publish.value("step", STEP, ".0f")
publish.value("steps", STEPS)
publish.value("settled", settled)
publish.value("found_activation", found, ",.0f")
publish.value("correlation", correlation, ".2f")
publish.value("untouched", untouched)
publish.value("leak", 0.01, ".2f")
print(f"activation {trace[0]:.2f} -> {found:,.0f} after {settled} steps; corr {correlation:.2f}")

# %% The figure: the house, what the network sees of it, and the input found.
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.8))
axes[0].imshow(house[0].transpose(1, 2, 0).astype(np.uint8), rasterized=True)
axes[0].set_title("the house")
axes[1].imshow(house_brightness, cmap="gray", vmin=0, vmax=255, rasterized=True)
axes[1].set_title("its brightness")
axes[2].imshow(brightness, cmap="gray", vmin=0, vmax=255, rasterized=True)
axes[2].set_title("input found")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
publish.figure(
    "house_found",
    fig,
    alt=(
        "Three 7 by 7 images. Left: the colour house. Middle: its brightness in grey, a light "
        "roof, a dark window and a light body. Right: the input found by gradient ascent, in "
        "black, white and grey: a white body framed by black columns on both sides, a black "
        "window just above it on the right, and above that steps of black and white along the "
        "two slopes of the roof; the top row stayed grey."
    ),
    caption=(
        "Left, the house; middle, the mean of its r, g and b, which is all the network can see; "
        "right, the input that gradient ascent found for the centre pixel, starting from grey. "
        "Pixels that stayed grey are outside what the centre looks at."
    ),
)

fig, ax = plt.subplots(figsize=(6.4, 3.0))
ax.plot(np.arange(len(trace)), trace, color=publish.BLUE)
ax.set_xlabel("step")
ax.set_ylabel("centre of L5")
fig.tight_layout()
publish.figure(
    "house_trace",
    fig,
    alt=(
        "A line that starts at zero, climbs steeply for a couple of dozen steps and then stays "
        "flat until the last step."
    ),
    caption="The final channel at the centre, step by step: it only goes up, then settles.",
)
