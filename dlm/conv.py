"""The Convolution 2D layer: kernels slide over the channels and add up what they see.

Shapes, with PyTorch's conventions::

    x: (N, C, H, W)                 W: (O, C, KH, KW)        (O = out_channels, C = in_channels)
    y: (N, O, H_out, W_out)         b: (O,)

with ``H_out = floor((H + 2 PH - KH) / SH) + 1`` (the same for the width), for a stride
``(SH, SW)`` and a zero padding ``(PH, PW)``.

Forward. Output channel o at position (i, j) is the sum over every input channel c of the
kernel ``W[o, c]`` laid on the (padded) input at (i SH, j SW), multiplied cell by cell. It is a
cross-correlation: the kernel is not flipped, exactly as in PyTorch::

    y[n, o, i, j] = b[o] + sum_c sum_a sum_b' W[o, c, a, b'] x[n, c, i SH + a, j SW + b']

Backward. An input neuron is seen by every window that covers it, in every output channel: its
learning flow is the sum of those impacts. A kernel weight touches one input neuron per output
position, and the bias touches every output position::

    dx[n, c, i SH + a, j SW + b'] += sum_o dy[n, o, i, j] W[o, c, a, b']
    dW[o, c, a, b'] = sum_n sum_i sum_j dy[n, o, i, j] x[n, c, i SH + a, j SW + b']
    db[o] = sum_n sum_i sum_j dy[n, o, i, j]

``dlm.reference.conv2d_forward`` and ``conv2d_backward`` write these sums as plain loops; the tests
use them as the oracle.

Why this version is fast. It rewrites the sums as one matrix product (im2col):

1. ``x`` is read channels-last, as ``(N, H, W, C)``. Every 2D layer of dlm returns arrays whose
   memory is laid out channels-last (a transposed view, like PyTorch's ``channels_last`` format),
   so this costs nothing between dlm layers.
2. ``sliding_window_view`` sees every window without copying, and one copy lays them out as the
   rows of ``cols: (N H_out W_out, KH KW C)``, in (kh, kw, c) order: C stays the fastest axis, so
   each row is a few contiguous runs of memory, which copies 2-5x faster than (c, kh, kw).
3. ``y = cols @ W_mat`` with ``W_mat: (KH KW C, O)`` is one BLAS call, and its result is already
   channels-last, so it is returned as a transposed view, without a copy.
4. Backward, ``dW = cols.T @ dy`` and ``d_cols = dy @ W_mat.T`` are two more BLAS calls. ``d_cols``
   goes back onto the input grid (col2im) with KH KW strided additions, one per kernel cell,
   each a single vectorised ``+=`` over the whole batch.
5. The scratch arrays (``cols`` and the padded input) are reused from one batch to the next:
   fresh memory is slow to touch, and ``cols`` is the largest array of a step. ``backward`` hands
   ``cols`` back for the next ``forward``; in the inferring phase ``forward`` hands it back at
   once, and a later ``backward`` (for a saliency map, say) rebuilds it from ``x``. A layer used
   at two places in a graph simply takes a second array while the first one is in use.

Setting ``layer.needs_input_grad = False`` (the model does it for a layer fed by the input) skips
the computation of ``dx``, which nobody needs there.
"""

from __future__ import annotations

import numpy

from dlm.backend import xp
from dlm.errors import ShapeError
from dlm.grid import output_size, pair
from dlm.layer import Layer


class Convolution2D(Layer):
    """Cross-correlate ``x: (N, C, H, W)`` with kernels ``W: (O, C, KH, KW)``, add ``b: (O,)``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        rng: numpy.random.Generator | None = None,
    ) -> None:
        super().__init__()
        owner = (
            f"Convolution2D(in_channels={in_channels!r}, out_channels={out_channels!r}, "
            f"kernel_size={kernel_size!r})"
        )
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = pair(kernel_size, owner, "kernel_size")
        self.stride = pair(stride, owner, "stride")
        self.padding = pair(padding, owner, "padding", minimum=0)
        self.bias = bool(bias)
        self.needs_input_grad = True
        rng = numpy.random.default_rng() if rng is None else rng
        KH, KW = self.kernel_size
        # PyTorch's default: uniform in (-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C KH KW.
        bound = 1.0 / numpy.sqrt(self.in_channels * KH * KW)
        shape = (self.out_channels, self.in_channels, KH, KW)
        params = {"weight": rng.uniform(-bound, bound, shape)}
        if self.bias:
            params["bias"] = rng.uniform(-bound, bound, self.out_channels)
        self._init_params(**params)
        self._scratch: dict = {}

    def describe(self) -> str:
        text = (
            f"Convolution2D(in_channels={self.in_channels}, out_channels={self.out_channels}, "
            f"kernel_size={_short(self.kernel_size)}"
        )
        if self.stride != (1, 1):
            text += f", stride={_short(self.stride)}"
        if self.padding != (0, 0):
            text += f", padding={_short(self.padding)}"
        if not self.bias:
            text += ", bias=False"
        return text + ")"

    def output_shape(self, H: int, W: int) -> tuple[int, int]:
        """``(H_out, W_out)`` for an input of ``H x W`` pixels."""
        (KH, KW), (SH, SW), (PH, PW) = self.kernel_size, self.stride, self.padding
        return output_size(H, KH, SH, PH), output_size(W, KW, SW, PW)

    def _take(self, name: str, shape: tuple, dtype):
        """A scratch array from the spare ones (or a new, zeroed one); ``_give`` hands it back."""
        buffer = self._scratch.pop(name, None)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = xp.zeros(shape, dtype=dtype)
        return buffer

    def _give(self, name: str, buffer) -> None:
        self._scratch[name] = buffer

    def _im2col(self, x, H_out: int, W_out: int):
        """``cols: (N H_out W_out, KH KW C)``, row (n, i, j) holding the window at (i, j)."""
        N, C, H, W = x.shape
        (KH, KW), (SH, SW), (PH, PW) = self.kernel_size, self.stride, self.padding
        x_hwc = x.transpose(0, 2, 3, 1)  # (N, H, W, C): a view, contiguous for dlm's own arrays
        if PH or PW:
            # Only the interior is written, so the zero border survives from one call to the next.
            padded = self._take("x_padded", (N, H + 2 * PH, W + 2 * PW, C), x.dtype)
            padded[:, PH : PH + H, PW : PW + W, :] = x_hwc
            self._give("x_padded", padded)
            x_hwc = padded
        windows = xp.lib.stride_tricks.sliding_window_view(x_hwc, (KH, KW), axis=(1, 2))
        windows = windows[:, ::SH, ::SW]  # (N, H_out, W_out, C, KH, KW), no copy yet
        cols = self._take("cols", (N, H_out, W_out, KH, KW, C), x.dtype)
        xp.copyto(cols, windows.transpose(0, 1, 2, 4, 5, 3))  # the one im2col copy
        return cols.reshape(N * H_out * W_out, KH * KW * C)

    def forward(self, x):
        """``y = b + W (*) x`` through im2col and one matrix product (see the module docstring)."""
        x = self._check_input(x, shape=(None, self.in_channels, "H", "W"))
        N, C, H, W = x.shape
        (KH, KW), (PH, PW) = self.kernel_size, self.padding
        H_out, W_out = self.output_shape(H, W)
        if H_out < 1 or W_out < 1:
            raise ShapeError(
                f"{self.describe()}: x must be at least {KH - 2 * PH}x{KW - 2 * PW} pixels, "
                f"got {H}x{W}"
            )
        cols = self._im2col(x, H_out, W_out)  # (N H_out W_out, KH KW C)
        W_mat = self.params["weight"].transpose(2, 3, 1, 0).reshape(KH * KW * C, self.out_channels)
        y = cols @ W_mat  # (N H_out W_out, O): channels-last
        if self.bias:
            y += self.params["bias"]
        if not self.training:
            self._give("cols", cols)
            cols = None
        self.cache = (x, cols, W_mat)
        return y.reshape(N, H_out, W_out, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dy):
        """``dW = cols.T @ dy``, ``db = sum(dy)``, and ``dx`` = col2im(``dy @ W_mat.T``)."""
        x, cols, W_mat = self.cache
        N, C, H, W = x.shape
        (KH, KW), (SH, SW), (PH, PW) = self.kernel_size, self.stride, self.padding
        O = self.out_channels
        H_out, W_out = dy.shape[2], dy.shape[3]
        dy_mat = dy.transpose(0, 2, 3, 1).reshape(N * H_out * W_out, O)  # free if channels-last
        if self.bias:
            self.grads["bias"] += dy_mat.sum(axis=0)
        if cols is None:
            cols = self._im2col(x, H_out, W_out)
        dW_mat = cols.T @ dy_mat  # (KH KW C, O)
        self._give("cols", cols)
        self.grads["weight"] += dW_mat.reshape(KH, KW, C, O).transpose(3, 2, 0, 1)
        if not self.needs_input_grad:
            return None
        d_cols = (dy_mat @ W_mat.T).reshape(N, H_out, W_out, KH, KW, C)
        # col2im: every kernel cell (a, b') sends its column back to the pixels it looked at.
        # The result is returned, so it is a fresh array, not a reused buffer.
        dx = xp.zeros((N, H + 2 * PH, W + 2 * PW, C), dtype=d_cols.dtype)
        for a in range(KH):
            for b_ in range(KW):
                dx[:, a : a + SH * (H_out - 1) + 1 : SH, b_ : b_ + SW * (W_out - 1) + 1 : SW] += (
                    d_cols[:, :, :, a, b_, :]
                )
        dx = dx[:, PH : PH + H, PW : PW + W, :]
        return dx.transpose(0, 3, 1, 2)


def _short(values: tuple[int, int]):
    """``(3, 3)`` reads ``3``; ``(3, 5)`` stays a pair."""
    return values[0] if values[0] == values[1] else values
