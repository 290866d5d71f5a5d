"""The pooling layers: Max Pooling 2D and Average Pooling 2D. They shrink each channel, no weights.

Shapes, for a window ``(KH, KW)`` moving by ``(SH, SW)`` (the stride defaults to the window)::

    x: (N, C, H, W)
    y: (N, C, H_out, W_out)       H_out = floor((H - KH) / SH) + 1, or ceil(...) + 1 in ceil mode

``ceil_mode=True`` keeps the partial windows at the bottom and right borders, as the original blog
does: a 7x7 channel pooled by 2x2 windows becomes 4x4, the border windows being 2x1, 1x2 and 1x1.

Max pooling, forward and backward. An input neuron feeds one output neuron only (that of its
window, for non-overlapping windows). Its learning flow is the output's flow if it was the window's
maximum, 0 otherwise::

    y[n, c, i, j] = max over the window of x
    dx[n, c, r, s] = dy[n, c, i, j] if (r, s) is the window's maximum, else 0

With ties, only the *first* maximum in row-major order receives the flow, exactly as in PyTorch.
Sending it to every tied maximum would multiply it: MNIST's constant background makes whole windows
of exact ties after a convolution and a ReLU.

Average pooling::

    y[n, c, i, j] = (1 / m) sum over the window of x          m = cells of the window in the grid
    dx[n, c, r, s] = dy[n, c, i, j] / m

``dlm.reference`` has the loop versions. Why these are fast: the window's KH KW cells are read as
KH KW strided views of ``x`` (``x[:, :, a::SH, b::SW]``), and the output is built by KH KW
elementwise ``maximum`` (or ``+``) calls over the whole batch, with no reshape and no copy of the
windows. This is 5-6x faster than a reshape and a ``max``. In the training phase max pooling also
records which cell won (one byte per output neuron), so that backward is KH KW masked
multiplications. Arrays keep the memory layout of the convolution before them.

Recording the winner costs a comparison per cell: the cells play a knockout tournament (pairs of
cells, then pairs of pairs), which measured twice as fast as scanning the cells one after the
other and updating the winner in place.
"""

from __future__ import annotations

from dlm.backend import xp
from dlm.errors import ShapeError
from dlm.grid import full_like_layout, output_size, pair
from dlm.layer import Layer


class _Pool2D(Layer):
    """What max and average pooling share: the window geometry and its strided views."""

    def __init__(self, kernel_size=2, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        owner = f"{type(self).__name__}(kernel_size={kernel_size!r}, stride={stride!r})"
        self.kernel_size = pair(kernel_size, owner, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, owner, "stride")
        self.ceil_mode = bool(ceil_mode)

    def describe(self) -> str:
        text = f"{type(self).__name__}(kernel_size={_short(self.kernel_size)}"
        if self.stride != self.kernel_size:
            text += f", stride={_short(self.stride)}"
        if self.ceil_mode:
            text += ", ceil_mode=True"
        return text + ")"

    def output_shape(self, H: int, W: int) -> tuple[int, int]:
        """``(H_out, W_out)`` for a channel of ``H x W`` pixels."""
        (KH, KW), (SH, SW) = self.kernel_size, self.stride
        return (
            output_size(H, KH, SH, 0, self.ceil_mode),
            output_size(W, KW, SW, 0, self.ceil_mode),
        )

    def _prepare(self, x, fill: float):
        """Check ``x``; return it (padded with ``fill`` for partial windows) and the output size."""
        x = self._check_input(x, ndim=4, shape=(None, "C", "H", "W"))
        N, C, H, W = x.shape
        (KH, KW), (SH, SW) = self.kernel_size, self.stride
        H_out, W_out = self.output_shape(H, W)
        if H_out < 1 or W_out < 1:
            raise ShapeError(f"{self.describe()}: x must be at least {KH}x{KW} pixels, got {H}x{W}")
        H_need, W_need = (H_out - 1) * SH + KH, (W_out - 1) * SW + KW
        if H_need > H or W_need > W:
            # Partial border windows (ceil mode): complete them with cells that never win.
            shape = (N, C, max(H_need, H), max(W_need, W))
            padded = full_like_layout(x, shape, fill)
            padded[:, :, :H, :W] = x
            x = padded
        return x, H_out, W_out

    def _view(self, x, a: int, b: int, H_out: int, W_out: int):
        """The cell (a, b) of every window at once: a strided view ``(N, C, H_out, W_out)``."""
        SH, SW = self.stride
        return x[:, :, a : a + SH * (H_out - 1) + 1 : SH, b : b + SW * (W_out - 1) + 1 : SW]

    def _cells(self):
        KH, KW = self.kernel_size
        return [(a, b) for a in range(KH) for b in range(KW)]

    def _overlapping(self) -> bool:
        return self.stride[0] < self.kernel_size[0] or self.stride[1] < self.kernel_size[1]


class MaxPool2D(_Pool2D):
    """Keep the maximum of each ``kernel_size`` window; its gradient goes to the first maximum."""

    def forward(self, x):
        """``y`` = the elementwise maximum of the KH KW strided views of ``x``."""
        shape = x.shape if hasattr(x, "shape") else None
        x, H_out, W_out = self._prepare(x, fill=-xp.inf)
        cells = [self._view(x, a, b, H_out, W_out) for a, b in self._cells()]
        if not self.training:
            y = cells[0].copy(order="K")
            for cell in cells[1:]:
                xp.maximum(y, cell, out=y)
            self.cache = (shape, x, None)
            return y
        # A knockout tournament between the cells, in row-major order: each match keeps the
        # larger value and the index of its cell, the left (earlier) cell winning ties, so the
        # final winner is the *first* maximum. winner[n, c, i, j] is that cell's index.
        values = cells
        index_type = xp.uint8 if len(cells) <= 256 else xp.uint16  # one byte per neuron
        winners = [index_type(k) for k in range(len(cells))]
        while len(values) > 1:
            next_values, next_winners = [], []
            for left in range(0, len(values) - 1, 2):
                right = left + 1
                right_wins = values[right] > values[left]  # strictly: ties stay left
                next_values.append(xp.maximum(values[left], values[right]))
                # winner = left, or right where it wins (uint8 arithmetic: where() is slower
                # here and forgets the memory layout).
                next_winners.append(_pick(right_wins, winners[left], winners[right]))
            if len(values) % 2:
                next_values.append(values[-1])
                next_winners.append(winners[-1])
            values, winners = next_values, next_winners
        y, winner = values[0], winners[0]
        if len(cells) == 1:
            y, winner = y.copy(order="K"), xp.zeros(y.shape, dtype=index_type)
        self.cache = (shape, x, winner)
        return y

    def backward(self, dy):
        """Route each window's ``dy`` to the cell recorded as its first maximum."""
        shape, x, winner = self.cache
        if winner is None:
            raise RuntimeError(f"{self.describe()}: backward needs a forward in the training phase")
        H_out, W_out = dy.shape[2], dy.shape[3]
        dx = full_like_layout(x, x.shape, 0, dy.dtype)
        overlapping = self._overlapping()
        for k, (a, b) in enumerate(self._cells()):
            target = self._view(dx, a, b, H_out, W_out)
            if overlapping:
                target += dy * (winner == k)
            else:
                xp.multiply(dy, winner == k, out=target)
        return dx[:, :, : shape[2], : shape[3]]


class AvgPool2D(_Pool2D):
    """Keep the mean of each ``kernel_size`` window (of its cells inside the grid, in ceil mode)."""

    def _counts(self, H: int, W: int, H_out: int, W_out: int, dtype):
        """``m``: the number of cells of each window inside the grid, shape ``(H_out, W_out)``."""
        (KH, KW), (SH, SW) = self.kernel_size, self.stride
        rows = xp.minimum(xp.arange(H_out) * SH + KH, H) - xp.arange(H_out) * SH
        columns = xp.minimum(xp.arange(W_out) * SW + KW, W) - xp.arange(W_out) * SW
        return (rows[:, None] * columns[None, :]).astype(dtype)

    def forward(self, x):
        """``y`` = the sum of the KH KW strided views of ``x``, divided by the window size."""
        shape = x.shape if hasattr(x, "shape") else None
        x, H_out, W_out = self._prepare(x, fill=0.0)
        cells = self._cells()
        y = self._view(x, *cells[0], H_out, W_out).copy(order="K")
        for a, b in cells[1:]:
            y += self._view(x, a, b, H_out, W_out)
        counts = self._counts(shape[2], shape[3], H_out, W_out, x.dtype)
        y /= counts
        self.cache = (shape, x, counts)
        return y

    def backward(self, dy):
        """Each cell of a window receives ``dy / m``."""
        shape, x, counts = self.cache
        H_out, W_out = dy.shape[2], dy.shape[3]
        share = dy / counts
        dx = full_like_layout(x, x.shape, 0, dy.dtype)
        for a, b in self._cells():
            self._view(dx, a, b, H_out, W_out)[...] += share
        return dx[:, :, : shape[2], : shape[3]]


def _pick(right_wins, left, right):
    """``right`` where ``right_wins``, else ``left`` (uint8 indices; scalars in the first round)."""
    if isinstance(left, xp.uint8) and isinstance(right, xp.uint8) and (left, right) == (0, 1):
        return right_wins.view(xp.uint8)  # the first match of all: the index is the boolean
    return right_wins.view(xp.uint8) * (right - left) + left


def _short(values: tuple[int, int]):
    return values[0] if values[0] == values[1] else values
