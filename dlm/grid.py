"""Shape arithmetic on 2D grids, shared by the convolution and pooling layers.

A window of ``kernel`` cells slides over ``size`` cells (plus ``padding`` zeros on each side),
moving ``stride`` cells at a time. The number of positions it takes is::

    floor((size + 2 padding - kernel) / stride) + 1           (floor mode, the default)
    ceil((size + 2 padding - kernel) / stride) + 1            (ceil mode: partial windows kept)

In ceil mode the last window may hang over the border, but it must start inside the grid (or its
left padding), as in PyTorch. With a 2x2 window and stride 2, a 7x7 grid gives 3x3 windows in floor
mode and 4x4 in ceil mode, the last row and column of windows being 1 cell wide.
"""

from __future__ import annotations

from dlm.backend import xp


def pair(value, owner: str, name: str, minimum: int = 1) -> tuple[int, int]:
    """``3`` gives ``(3, 3)``; ``(3, 5)`` stays. Raises ``ValueError`` naming ``owner``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or int(v) != v or v < minimum for v in values):
        raise ValueError(
            f"{owner}: {name} must be an int >= {minimum} or a pair of them, got {value!r}"
        )
    return int(values[0]), int(values[1])


def output_size(size: int, kernel: int, stride: int, padding: int = 0, ceil_mode=False) -> int:
    """How many positions a window of ``kernel`` cells takes along ``size`` cells (see above).

    Returns 0 or less when the window does not fit at all.
    """
    span = size + 2 * padding - kernel
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    count = -(-span // stride) + 1
    # The last window must start inside the grid or its left padding, as in PyTorch.
    if (count - 1) * stride >= size + padding:
        count -= 1
    return count


def full_like_layout(like, shape: tuple, fill, dtype=None):
    """A new array of ``shape`` filled with ``fill``, whose memory order of axes is ``like``'s.

    dlm's 2D layers pass arrays whose logical shape is ``(N, C, H, W)`` but whose memory may be
    channels-last (``(N, H, W, C)`` underneath) or channels-first-of-batch (``(C, N, H, W)``
    underneath), whichever their computation produced. A layer that makes a new array of the same
    kind keeps that order, so that no layer pays for a layout change it did not choose.
    """
    order = sorted(range(like.ndim), key=lambda axis: -like.strides[axis])
    memory_shape = tuple(shape[axis] for axis in order)
    inverse = sorted(range(like.ndim), key=lambda axis: order[axis])
    array = xp.full(memory_shape, fill, dtype=like.dtype if dtype is None else dtype)
    return array.transpose(inverse)


def same_layout(array, like):
    """``array`` (same shape as ``like``) with ``like``'s memory order of axes: a copy if needed.

    A layer's ``backward`` returns ``dx`` laid out like its input ``x``, so that the layer before
    it combines arrays of one layout (mixed layouts make every elementwise operation stride).
    """
    order = sorted(range(like.ndim), key=lambda axis: -like.strides[axis])
    if sorted(range(array.ndim), key=lambda axis: -array.strides[axis]) == order:
        return array
    result = full_like_layout(like, array.shape, 0, array.dtype)
    result[...] = array
    return result


def sum_over(matrix, axis: int):
    """The sums of a 2D ``matrix`` over ``axis`` (0: column sums, 1: row sums), kept 2D.

    Computed as a product with a vector of ones: BLAS sums a tall, narrow matrix's columns about
    ten times faster than ``matrix.sum(axis=0)``, whose pairwise summation works in short runs.
    """
    if axis == 0:
        return (xp.ones(matrix.shape[0], dtype=matrix.dtype) @ matrix)[None, :]
    return (matrix @ xp.ones(matrix.shape[1], dtype=matrix.dtype))[:, None]
