"""From Loops to GPUs: one convolution computed four ways on this machine's CPU, in images/second.

The layer is LeNet-5's second convolution: 6 input channels, 16 output channels, 5x5 kernels, on
the 6x12x12 maps that its first convolution, a ReLU and a max pooling make of MNIST digits (8x8
outputs: 153,600 multiply-adds per image), forward pass only, float32.

1. Python loops, one multiply-add at a time (seven nested loops over plain Python floats).
2. Loops over the output neurons, numpy for each window (``dlm.reference.conv2d_forward``).
3. Loops over the 25 kernel cells only: each cell's weights times a shifted copy of the whole
   batch, in numpy (shift and add: 25 products over the 6 channels).
4. dlm's layer: im2col, then one matrix product in BLAS (``dlm.Convolution2D``), a batch at once.
5. PyTorch's ``conv2d`` on the same batch, when torch is installed.

Timings depend on the machine and on what else runs on it, so the article shows ratios measured
in one run, and the snippet asserts only orderings. Every method runs on one core (one BLAS
thread, one PyTorch thread) and is timed in CPU time (``time.process_time``), which other
programs running on a busy machine disturb far less than the wall clock; the methods take turns,
round after round, and each keeps its best round.
"""

# %%
import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"  # one core for everyone, set before numpy loads its BLAS

import time  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import dlm  # noqa: E402
from dlm import reference  # noqa: E402
from dlm_site import publish  # noqa: E402

publish.style()
rng = np.random.default_rng(0)
digits, _ = dlm.load_mnist("test")  # float32, (N, 1, 28, 28)
first = dlm.sequential(
    dlm.Input2D(1, 28, 28), dlm.Convolution2D(1, 6, 5, rng=rng), dlm.Activation("relu"),
    dlm.MaxPool2D(2),
)  # fmt: skip
first.eval()
x_all = np.ascontiguousarray(dlm.to_numpy(first.forward(digits[:64])))  # (64, 6, 12, 12)
layer = dlm.Convolution2D(6, 16, 5, rng=rng).eval()  # forward only: buffers reused
W = dlm.to_numpy(layer.params["weight"])
b = dlm.to_numpy(layer.params["bias"])


def best_rates(methods: dict, rounds: int) -> dict:
    """Images per CPU second of each ``(run, images, calls)`` method: in each round every method
    runs ``calls`` times, and each method keeps its fastest call over all rounds."""
    best = {name: float("inf") for name in methods}
    for _ in range(rounds):
        for name, (run, _, calls) in methods.items():
            for _ in range(calls):
                start = time.process_time()
                run()
                best[name] = min(best[name], time.process_time() - start)
    return {name: images / best[name] for name, (_, images, _) in methods.items()}


# %% 1. Six nested Python loops over lists of floats.
def python_loops(x):
    xs, ws, bs = x.tolist(), W.tolist(), b.tolist()
    N, O, K, H_out = len(xs), len(ws), len(ws[0][0]), len(xs[0][0]) - len(ws[0][0]) + 1
    y = [[[[0.0] * H_out for _ in range(H_out)] for _ in range(O)] for _ in range(N)]
    for n in range(N):
        for o in range(O):
            for i in range(H_out):
                for j in range(H_out):
                    total = bs[o]
                    for c in range(len(xs[n])):
                        for a in range(K):
                            for d in range(K):
                                total += ws[o][c][a][d] * xs[n][c][i + a][j + d]
                    y[n][o][i][j] = total
    return np.array(y, dtype=np.float32)


# %% 3. Loops over the kernel cells, numpy over every image and every output position at once.
def shift_and_add(x):
    N, C, H, W_in = x.shape
    O, _, KH, KW = W.shape
    H_out, W_out = H - KH + 1, W_in - KW + 1
    y = np.zeros((N, O, H_out, W_out), dtype=x.dtype) + b[:, None, None]
    for a in range(KH):
        for d in range(KW):
            window = x[:, :, a : a + H_out, d : d + W_out]  # (N, C, H_out, W_out)
            y += np.einsum("oc,nchw->nohw", W[:, :, a, d], window)
    return y


x_small = x_all[:2]
y_loops = python_loops(x_small)
y_ref = reference.conv2d_forward(x_small, W, b)
y_dlm = dlm.to_numpy(layer.forward(x_small))
assert np.allclose(y_loops, y_dlm, atol=1e-4) and np.allclose(y_ref, y_dlm, atol=1e-4)
assert np.allclose(shift_and_add(x_small), y_dlm, atol=1e-4)

batch = 64
x_batch = x_all[:batch]
methods = {
    "Python loops, one multiply-add at a time": (lambda: python_loops(x_small), 2, 1),
    "loops over output neurons, numpy per window": (
        lambda: reference.conv2d_forward(x_all[:8], W, b),
        8,
        1,
    ),
    "loops over kernel cells, numpy over the batch": (lambda: shift_and_add(x_batch), batch, 3),
    "dlm: im2col + one BLAS matrix product": (lambda: layer.forward(x_batch), batch, 10),
}
torch_version = None
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    torch_version = torch.__version__.split("+")[0]
    torch.set_num_threads(1)
    weight, bias, xt = torch.from_numpy(W), torch.from_numpy(b), torch.from_numpy(x_batch)
    with torch.no_grad():
        y_torch = torch.nn.functional.conv2d(xt, weight, bias).numpy()
        assert np.allclose(y_torch, dlm.to_numpy(layer.forward(x_batch)), atol=1e-4)

    def torch_conv():
        with torch.no_grad():
            torch.nn.functional.conv2d(xt, weight, bias)

    methods[f"PyTorch {torch_version} conv2d"] = (torch_conv, batch, 10)
rates = best_rates(methods, rounds=4)


# %% Orderings, never absolute times.
names = list(rates)
slowest = rates[names[0]]
ratios = {name: rate / slowest for name, rate in rates.items()}
for name, rate in rates.items():
    print(f"{name:45s} {rate:12,.0f} images/s  x{ratios[name]:,.0f}")
# im2col + BLAS beats both loop versions by more than 10x, and the shift-and-add loops too.
assert rates[names[3]] > 10 * rates[names[0]] and rates[names[3]] > 10 * rates[names[1]]
assert rates[names[2]] > 10 * max(rates[names[0]], rates[names[1]])
assert rates[names[1]] > rates[names[0]]
assert rates[names[3]] > 2 * rates[names[2]]  # one deep matrix product beats 25 shallow ones

rows = [[name, f"×{ratios[name]:,.0f}"] for name in names]
publish.table("speed", ["how the convolution is computed", "speed, relative to row 1"], rows, "lr")
publish.value("im2col_vs_windows", rates[names[3]] / rates[names[1]], ",.0f")
publish.value("im2col_vs_loops", rates[names[3]] / rates[names[0]], ",.0f")
publish.value("windows_vs_loops", rates[names[1]] / rates[names[0]], ".1f")
publish.value("shift_vs_loops", rates[names[2]] / rates[names[0]], ",.0f")
publish.value("im2col_vs_shift", rates[names[3]] / rates[names[2]], ".1f")
publish.value("macs", 16 * 8 * 8 * 6 * 25, ",")
publish.value("cores", os.cpu_count())
publish.value(
    "torch_note",
    f"PyTorch {torch_version}, on the same batch and the same single core"
    if torch_version
    else "PyTorch is not installed on the machine that built this page, so its row is missing",
)
if torch_version:
    publish.value("torch_vs_dlm", rates[f"PyTorch {torch_version} conv2d"] / rates[names[3]], ".1f")
else:
    publish.value("torch_vs_dlm", "(not measured)")

# %% The plot: images per second on a log scale.
fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.55 * len(names)))
colours = [publish.GREY, publish.RED, publish.ORANGE, publish.BLUE, publish.GREEN][: len(names)]
ax.barh(range(len(names)), [rates[n] for n in names], color=colours)
short = ["scalar loops", "numpy per window", "shift and add", "dlm im2col + BLAS", "PyTorch"]
ax.set_yticks(range(len(names)), [f"{k + 1}. {short[k]}" for k in range(len(names))], fontsize=9)
ax.invert_yaxis()
ax.set_xscale("log")
ax.set_xlabel("images per CPU second, one core (log scale)")
for k, n in enumerate(names):
    ax.text(rates[n] * 1.15, k, f"×{ratios[n]:,.0f}", va="center", fontsize=9, color=publish.INK)
ax.set_xlim(slowest / 3, max(rates.values()) * 30)
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()
publish.figure(
    "speed_plot",
    fig,
    measured=True,  # timings of the build machine: the one figure that may differ between builds
    alt="Horizontal bars on a logarithmic axis: the images per second of the same convolution "
    "computed by scalar Python loops, by loops over windows with numpy, by loops over kernel "
    "cells with numpy over the batch, by dlm's im2col and BLAS, "
    + ("and by PyTorch; " if torch_version else "; ")
    + "each bar is labelled with its speed relative to the scalar loops.",
    caption="One convolution (LeNet-5's second), computed in several ways, on the machine that "
    "built this page. Read the ratios, not the absolute numbers: they change from machine to "
    "machine, and from run to run.",
)
plt.close(fig)
