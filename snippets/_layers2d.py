"""Shared helpers of the 2D layer articles (convolution, max pooling, normalization).

Not a snippet (the leading underscore), but part of every snippet's cache key. It adds to
``_grids`` (which draws numbers in cells) what these articles need on top:

``text_grid(ax, texts, *, fills=None, dashed=None, x0=0, y0=0, fontsize=None, ink=None)``
    Any text in outlined cells (an index, a product such as ``3·(−1)``, an empty string), with an
    optional fill colour per cell and dashed outlines (the zero padding). Row 0 at the top, as
    in ``_grids``.

``excerpt(function, first, last=None) -> str``
    The lines of a function's source from the first line containing ``first`` to the first line
    after it containing ``last`` (or to the end of the function), dedented: a short excerpt of
    dlm's own code, read at build time.

``receptive_fields(layers) -> list[dict]``
    For a chain of 2D layers that have a ``kernel_size`` (convolutions and pooling; any other
    layer keeps the grid), each layer's output size, the jump (how many input pixels apart two
    neighbouring neurons of its output sit) and the receptive field (how many input pixels, per
    side, one of its neurons sees): ``r_out = r_in + (k - 1) j_in`` and ``j_out = j_in s``.
"""

from __future__ import annotations

import inspect

import numpy
from _grids import outlined_cells  # snippets/ is on the path of whoever imports this

from dlm_site import publish

__all__ = ["excerpt", "receptive_fields", "text_grid"]


def text_grid(ax, texts, *, fills=None, dashed=None, x0=0, y0=0, fontsize=8, ink=None):
    """Text in outlined cells; ``fills`` a colour (or None) per cell, ``dashed`` a mask."""
    from matplotlib.colors import to_rgb

    def colour(fill, is_dashed):
        if fill is not None:
            r, g, b = to_rgb(fill)
            return "#111111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else "white"
        if ink is not None:
            return ink
        return publish.GREY if is_dashed else publish.INK

    outlined_cells(
        ax, texts, fills=fills, dashed=dashed, x0=x0, y0=y0, fontsize=fontsize, ink=colour
    )


def excerpt(function, first: str, last: str | None = None) -> str:
    """The source lines of ``function`` from the one containing ``first`` to ``last`` (or end)."""
    lines = inspect.getsource(function).splitlines()
    start = next(k for k, line in enumerate(lines) if first in line)
    if last is None:
        stop = len(lines) - 1
    else:
        stop = next(k for k in range(start, len(lines)) if last in lines[k])
    chunk = lines[start : stop + 1]
    indent = min(len(line) - len(line.lstrip()) for line in chunk if line.strip())
    return "\n".join(line[indent:] for line in chunk)


def receptive_fields(layers) -> list[dict]:
    """Output size, jump and receptive field after each layer of a chain of 2D layers."""
    first = layers[0]
    size, jump, field = first.height, 1, 1
    rows = [{"layer": first, "size": size, "jump": jump, "field": field}]
    for layer in layers[1:]:
        if hasattr(layer, "kernel_size"):
            k, s = layer.kernel_size[0], layer.stride[0]
            size = layer.output_shape(size, size)[0]
            field = field + (k - 1) * jump
            jump = jump * s
        rows.append({"layer": layer, "size": size, "jump": jump, "field": field})
    return rows


def support(mask) -> tuple[int, int]:
    """The height and width of the bounding box of the non-zero cells of a 2D array."""
    rows = numpy.flatnonzero(numpy.asarray(mask).any(axis=1))
    cols = numpy.flatnonzero(numpy.asarray(mask).any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
