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

Why this version is fast. It rewrites the sums as one matrix product (im2col): every window
becomes one column of numbers, in (kh, kw, c) order, and ``W`` becomes the matrix
``W_mat: (KH KW C, O)``, so that the whole layer is ``y = cols @ W_mat`` in one BLAS call, and
``dW = cols.T @ dy`` is another. The products are only a part of the time (see
``bench/train_mnist.py --profile``); the rest is moving memory, so the copies are arranged to
move long runs:

1. With many input channels, ``x`` is read channels-last, ``(N, H, W, C)``, and
   ``sliding_window_view`` lays out ``cols: (N H_out W_out, KH KW C)`` in one copy whose runs are
   C numbers long. With few input channels (fewer than 4, as for images), runs of C numbers are
   too short; each of the KH KW kernel cells then copies a whole shifted plane instead, into
   ``cols: (KH KW C, N H_out W_out)``, in runs of W_out numbers.
2. The product is returned in the memory order it came out in (channels-last, or
   ``(O, N, H, W)`` underneath), as a transposed view that reads ``(N, O, H_out, W_out)``, with no
   copy. Every 2D layer of dlm accepts any such layout and keeps it.
3. The way back to the input grid (col2im) never builds ``d_cols`` (one row per window, as large
   as ``cols``). It shifts ``dy`` along the width once per kernel column (KW copies of ``dy``),
   makes one matrix product that sums over the kernel columns and the output channels at once,
   and adds the result onto the input grid once per kernel row, in runs of whole rows. That
   measured 2.5x faster here than one small product per kernel cell added back in short runs,
   and far faster than ``add.at`` over a precomputed index.
4. ``cols`` (the largest array of a step) and the padded input are reused from one batch to the
   next, because fresh memory is slow to touch. ``backward`` hands ``cols`` back for the next
   ``forward``; in the inferring phase ``forward`` hands it back at once, and a later ``backward``
   rebuilds it from ``x``. A layer used twice in a graph takes a second array meanwhile.

Setting ``layer.needs_input_grad = False`` (``dlm.models.lenet5`` does it for the first layer, fed
by the data) skips ``dx``, which nobody needs there; ``backward`` then returns ``None``.
"""

from __future__ import annotations

import math

import numpy

from dlm.backend import xp
from dlm.errors import ShapeError
from dlm.grid import output_size, pair, same_layout, sum_over
from dlm.layer import Layer

#: Below this many input channels, im2col copies whole planes (see the module docstring).
PLANES_BELOW = 4


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
        self.planes = self.in_channels < PLANES_BELOW
        rng = numpy.random.default_rng() if rng is None else rng
        KH, KW = self.kernel_size
        # PyTorch's default: uniform in (-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C KH KW.
        bound = 1.0 / numpy.sqrt(self.in_channels * KH * KW)
        shape = (self.out_channels, self.in_channels, KH, KW)
        params = {"weight": rng.uniform(-bound, bound, shape)}
        if self.bias:
            params["bias"] = rng.uniform(-bound, bound, self.out_channels)
        self._init_params(**params)
        self._spare: dict = {}

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

    # -- the two passes ----------------------------------------------------------------------

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
        O = self.out_channels
        W_mat = self.params["weight"].transpose(2, 3, 1, 0).reshape(KH * KW * C, O)
        cols = self._im2col(x, H_out, W_out)
        if self.planes:
            y = W_mat.T @ cols  # (O, N H_out W_out)
            if self.bias:
                y += self.params["bias"][:, None]
            y = y.reshape(O, N, H_out, W_out).transpose(1, 0, 2, 3)
        else:
            y = cols @ W_mat  # (N H_out W_out, O)
            if self.bias:
                y += self.params["bias"]
            y = y.reshape(N, H_out, W_out, O).transpose(0, 3, 1, 2)
        if not self.training:
            self._spare["cols"] = cols
            cols = None
        self.cache = (x, cols, W_mat)
        return y

    def backward(self, dy):
        """``dW = cols.T @ dy``, ``db = sum(dy)``, and ``dx`` = col2im(``dy @ W_mat.T``)."""
        x, cols, W_mat = self.cache
        N, C, H, W = x.shape
        KH, KW = self.kernel_size
        O, H_out, W_out = self.out_channels, dy.shape[2], dy.shape[3]
        if cols is None:
            cols = self._im2col(x, H_out, W_out)
        if self.planes:
            dy_mat = dy.transpose(1, 0, 2, 3).reshape(O, N * H_out * W_out)  # free if (O, N, ..)
            dW_mat = cols @ dy_mat.T  # (KH KW C, O)
            db = sum_over(dy_mat, axis=1)[:, 0]
        else:
            dy_mat = dy.transpose(0, 2, 3, 1).reshape(N * H_out * W_out, O)  # free if channels-last
            dW_mat = cols.T @ dy_mat  # (KH KW C, O)
            db = sum_over(dy_mat, axis=0)[0]
        self._spare["cols"] = cols
        self.grads["weight"] += dW_mat.reshape(KH, KW, C, O).transpose(3, 2, 0, 1)
        if self.bias:
            self.grads["bias"] += db
        if not self.needs_input_grad:
            return None
        return same_layout(self._col2im(dy, x.shape), x)

    # -- im2col and col2im -------------------------------------------------------------------

    def _take(self, name: str, shape: tuple, dtype, bordered: bool = False):
        """A spare array of that shape (or a new, zeroed one); handed back with ``_spare``.

        A ``bordered`` array has zeros that are never rewritten (a padding border), so it is
        reused only for exactly the same shape; any other is rewritten whole before it is read.
        """
        buffer = self._spare.pop(name, None)
        if (
            buffer is None
            or buffer.size != math.prod(shape)
            or buffer.dtype != dtype
            or (bordered and buffer.shape != shape)
        ):
            return xp.zeros(shape, dtype=dtype)
        return buffer.reshape(shape)  # a view: spare arrays are contiguous

    def _padded(self, x, axes_order: tuple):
        """``x`` with its axes in ``axes_order``, contiguous, zero-padded if needed.

        A contiguous source lets the im2col copy move long runs: converting a layout costs a
        copy of ``x``, far less than a strided im2col of it.
        """
        PH, PW = self.padding
        x = x.transpose(axes_order)
        if not (PH or PW):
            return xp.ascontiguousarray(x)  # a no-op in the usual case; else a cheap copy
        if axes_order == (0, 2, 3, 1):  # (N, H, W, C)
            N, H, W, C = x.shape
            padded = self._take("x_padded", (N, H + 2 * PH, W + 2 * PW, C), x.dtype, bordered=True)
            padded[:, PH : PH + H, PW : PW + W, :] = x  # the zero border is never written
        else:  # (C, N, H, W)
            C, N, H, W = x.shape
            padded = self._take("x_padded", (C, N, H + 2 * PH, W + 2 * PW), x.dtype, bordered=True)
            padded[:, :, PH : PH + H, PW : PW + W] = x
        self._spare["x_padded"] = padded
        return padded

    def _im2col(self, x, H_out: int, W_out: int):
        """Every window as a column: ``(KH KW C, N H_out W_out)`` (planes) or its transpose."""
        N, C, H, W = x.shape
        (KH, KW), (SH, SW) = self.kernel_size, self.stride
        if self.planes:
            x_cn = self._padded(x, (1, 0, 2, 3))  # (C, N, H, W)
            cols = self._take("cols", (KH, KW, C, N, H_out, W_out), x.dtype)
            for a in range(KH):
                for b in range(KW):
                    # Kernel cell (a, b) sees the plane shifted by (a, b): one copy per cell.
                    cols[a, b] = x_cn[:, :, a : a + SH * (H_out - 1) + 1 : SH,
                                      b : b + SW * (W_out - 1) + 1 : SW]  # fmt: skip
            return cols.reshape(KH * KW * C, N * H_out * W_out)
        x_hwc = self._padded(x, (0, 2, 3, 1))  # (N, H, W, C)
        windows = xp.lib.stride_tricks.sliding_window_view(x_hwc, (KH, KW), axis=(1, 2))
        windows = windows[:, ::SH, ::SW]  # (N, H_out, W_out, C, KH, KW), no copy yet
        cols = self._take("cols", (N, H_out, W_out, KH, KW, C), x.dtype)
        xp.copyto(cols, windows.transpose(0, 1, 2, 4, 5, 3))  # the one im2col copy
        return cols.reshape(N * H_out * W_out, KH * KW * C)

    def _col2im(self, dy, shape: tuple):
        """``dx`` from ``dy``: what every window sends back, added up on the input grid.

        ``dx[n, c, i SH + a, j SW + b] += sum_o dy[n, o, i, j] W[o, c, a, b]``, in two steps.
        Across the kernel's columns b: ``dy`` is copied KW times, shifted by b along the width,
        into ``dy_b`` (one copy per column), so that one matrix product sums over (b, o) at once:
        ``part[a, c] = sum_(b, o) W[o, c, a, b] dy_b``. Across its rows a: ``part[a]`` is added
        onto the grid shifted by a rows, in runs of whole rows. This measured 2.5x faster here
        than one small product per kernel cell, each added back in short runs.
        """
        N, C, H, W = shape
        (KH, KW), (SH, SW), (PH, PW) = self.kernel_size, self.stride, self.padding
        O, H_out, W_out = self.out_channels, dy.shape[2], dy.shape[3]
        H_pad, W_pad = H + 2 * PH, W + 2 * PW
        columns = slice(None, SW * (W_out - 1) + 1, SW)  # output column j lands on j SW (+ b)
        # W_rows[(a, c), (b, o)] = W[o, c, a, b]
        W_rows = self.params["weight"].transpose(2, 1, 3, 0).reshape(KH * C, KW * O)
        if self.planes:  # dy is laid out (O, N, H_out, W_out) underneath
            dy_b = self._take("dy_b", (KW, O, N, H_out, W_pad), dy.dtype, bordered=True)
            for b in range(KW):
                dy_b[b, :, :, :, b:][..., columns] = dy.transpose(1, 0, 2, 3)
            part = W_rows @ dy_b.reshape(KW * O, N * H_out * W_pad)
        else:  # dy is channels-last, (N, H_out, W_out, O) underneath
            dy_b = self._take("dy_b", (N, H_out, W_pad, KW, O), dy.dtype, bordered=True)
            for b in range(KW):
                dy_b[:, :, b:, b][:, :, columns] = dy.transpose(0, 2, 3, 1)
            part = W_rows @ dy_b.reshape(N * H_out * W_pad, KW * O).T
        self._spare["dy_b"] = dy_b  # its zeros stay in place: the same cells are rewritten
        part = part.reshape(KH, C, N, H_out, W_pad)
        dx = xp.zeros((C, N, H_pad, W_pad), dtype=dy.dtype)
        for a in range(KH):
            dx[:, :, a : a + SH * (H_out - 1) + 1 : SH] += part[a]
        return dx[:, :, PH : PH + H, PW : PW + W].transpose(1, 0, 2, 3)


def _short(values: tuple[int, int]):
    """``(3, 3)`` reads ``3``; ``(3, 5)`` stays a pair."""
    return values[0] if values[0] == values[1] else values
