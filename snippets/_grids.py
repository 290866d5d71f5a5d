"""Shared helpers of the 2D articles: grids of pixels, channels, kernels and heat tables.

Not a snippet (the leading underscore), but part of every snippet's cache key. Import it from a
snippet with::

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
    from _grids import grid_axes, heat_table, rgb_discs, value_grid

Every grid is drawn with row 0 at the top and column 0 at the left, the (row, column) indexing of
the articles and of ``dlm`` arrays ``(C, H, W)``. One cell is one unit of data: cell ``(i, j)`` is
centred on ``(x0 + j, y0 - i)``. The helpers draw on an axes and return nothing, so a figure can
hold several grids side by side:

``grid_axes(n, *, ncols=None, shape=(7, 7), cell=0.45, titles=None, pad=0.0)`` -> (Figure, axes)
    A transparent figure with ``n`` panels, each with room for a ``shape`` grid (plus ``pad``
    cells on every side), ``cell`` inches per cell, equal aspect, no axes drawn, and an optional
    title over each panel (in ``publish.INK``).

``heat_table(ax, values, *, fmt=fmt_cell, lo=None, hi=None, x0=0, y0=0, fontsize=None)``
    A numeric heat table: each cell filled from ``HEAT_LOW`` (the table's minimum, or ``lo``) to
    ``HEAT_HIGH`` (its maximum, or ``hi``), linearly, with its value written in white. Both
    colours are dark enough for white text and mid enough to stand out on a dark page.

``value_grid(ax, values, *, fmt=fmt_cell, fills=None, x0=0, y0=0, fontsize=None, dashed=None)``
    Numbers in outlined cells (a kernel, a channel). ``fills``: a colour per cell (or ``None``:
    no fill; the text then follows ``publish.INK``); ``dashed``: a boolean mask of cells drawn
    with a dashed outline, e.g. the zero padding.

``outlined_cells(ax, texts, *, fills=None, dashed=None, x0=0, y0=0, fontsize=None, ink)``
    What ``value_grid`` (and ``_layers2d.text_grid``) draw: text in outlined cells, with
    ``ink(fill, is_dashed)`` choosing each text's colour.

``rgb_discs(ax, rgb, *, texts=None, x0=0, y0=0, fontsize=None)``
    An ``(H, W, 3)`` image (0–255) as one coloured disc per pixel, outlined in grey so that dark
    pixels show on a dark page; ``texts`` (an ``(H, W)`` array of strings or ``None`` cells)
    writes text on the discs, in black or white depending on the disc's lightness.

``grey_discs(ax, channel, *, fmt=fmt_cell, x0=0, y0=0, fontsize=None)``
    One channel (0–255) as grey discs with their values written in.

``frame(ax, rows, cols, *, x0=0, y0=0, colour=publish.ORANGE, width=2.5)``
    A rectangle around the cells ``rows`` (first, last) and ``cols`` (first, last): a kernel's
    window, a pooling cell.

``fmt_cell(v) -> str``
    A cell's number: an integer as an integer, otherwise one decimal; a typographic minus.
"""

from __future__ import annotations

import numpy

from dlm_site import publish

__all__ = [
    "HEAT_HIGH",
    "HEAT_LOW",
    "fmt_cell",
    "frame",
    "grey_discs",
    "grid_axes",
    "heat_table",
    "rgb_discs",
    "value_grid",
]

#: The heat tables' colours at the minimum and at the maximum of a table.
HEAT_LOW = (29, 31, 162)
HEAT_HIGH = (159, 31, 32)
_OUTLINE = publish.GREY


def fmt_cell(v) -> str:
    """A cell's number: integers as integers, others with one decimal; a typographic minus."""
    f = float(v)
    text = str(int(round(f))) if abs(f - round(f)) < 1e-9 else f"{f:.1f}"
    if text in ("-0", "-0.0"):
        text = text[1:]
    return text.replace("-", "\N{MINUS SIGN}")


def _fontsize(ax, texts, fontsize) -> float:
    """A font size that fits the longest text in one cell, unless one is given."""
    if fontsize is not None:
        return fontsize
    fig = ax.figure
    width_in = fig.get_size_inches()[0] * ax.get_position().width
    x0, x1 = ax.get_xlim()
    cell_in = width_in / abs(x1 - x0)
    longest = max((len(t) for t in texts if t), default=1)
    return float(min(10.0, cell_in * 72 / (0.62 * max(longest, 2) + 0.6)))


def grid_axes(
    n: int,
    *,
    ncols: int | None = None,
    shape: tuple[int, int] = (7, 7),
    cell: float = 0.45,
    titles=None,
    pad: float = 0.0,
    gap: float = 1.0,
):
    """A figure of ``n`` panels ready for grids; returns ``(fig, axes)`` (a flat list)."""
    import matplotlib.pyplot as plt

    ncols = n if ncols is None else ncols
    nrows = -(-n // ncols)
    H, W = shape
    title_h = 0.9 if titles else 0.2
    panel_w, panel_h = W + 2 * pad, H + 2 * pad + title_h
    fig_w = (ncols * panel_w + (ncols - 1) * gap) * cell
    fig_h = (nrows * panel_h + (nrows - 1) * gap * 0.5) * cell
    fig = plt.figure(figsize=(fig_w, fig_h))
    fig.patch.set_alpha(0)
    axes = []
    for k in range(n):
        r, c = divmod(k, ncols)
        left = c * (panel_w + gap) * cell / fig_w
        bottom = 1 - ((r + 1) * panel_h + r * gap * 0.5) * cell / fig_h
        ax = fig.add_axes([left, bottom, panel_w * cell / fig_w, panel_h * cell / fig_h])
        ax.set_facecolor("none")
        ax.axis("off")
        ax.set_xlim(-0.5 - pad, W - 0.5 + pad)
        ax.set_ylim(-(H - 0.5) - pad, 0.5 + pad + title_h)
        ax.set_aspect("equal")
        if titles:
            ax.text(
                (W - 1) / 2,
                0.5 + pad + title_h * 0.45,
                titles[k],
                ha="center",
                va="center",
                color=publish.INK,
                fontsize=10,
            )
        axes.append(ax)
    return fig, axes


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(round(c)) for c in rgb))


def _lightness(rgb) -> float:
    """Relative luminance of an sRGB colour (0–255), 0 (black) to 1 (white)."""
    channels = []
    for c in rgb:
        c = c / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_on(rgb) -> str:
    """Black or white text, whichever reads better on a fill of colour ``rgb``."""
    return "#111111" if _lightness(rgb) > 0.2 else "#ffffff"


def heat_table(ax, values, *, fmt=fmt_cell, lo=None, hi=None, x0=0, y0=0, fontsize=None):
    """Cells filled from HEAT_LOW (minimum) to HEAT_HIGH (maximum), values written in white."""
    from matplotlib.patches import Rectangle

    values = numpy.asarray(values, dtype=float)
    lo = values.min() if lo is None else lo
    hi = values.max() if hi is None else hi
    span = hi - lo
    texts = [fmt(v) for v in values.ravel()]
    size = _fontsize(ax, texts, fontsize)
    low, high = numpy.array(HEAT_LOW, float), numpy.array(HEAT_HIGH, float)
    H, W = values.shape
    for i in range(H):
        for j in range(W):
            t = 0.0 if span == 0 else (values[i, j] - lo) / span
            colour = _hex(low + t * (high - low))
            ax.add_patch(
                Rectangle(
                    (x0 + j - 0.5, y0 - i - 0.5),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor=_OUTLINE,
                    linewidth=0.5,
                )
            )
            ax.text(
                x0 + j,
                y0 - i,
                texts[i * W + j],
                ha="center",
                va="center",
                color="white",
                fontsize=size,
            )


def value_grid(ax, values, *, fmt=fmt_cell, fills=None, x0=0, y0=0, fontsize=None, dashed=None):
    """Numbers in outlined cells, optionally filled (``fills``: a colour per cell)."""
    texts = [[fmt(v) for v in row] for row in numpy.asarray(values, dtype=float)]
    size = _fontsize(ax, [t for row in texts for t in row], fontsize)

    def ink(fill, is_dashed):
        if fill is None:
            return publish.GREY if is_dashed else publish.INK
        return _ink_on(_rgb_of(fill))

    outlined_cells(ax, texts, fills=fills, dashed=dashed, x0=x0, y0=y0, fontsize=size, ink=ink)


def outlined_cells(ax, texts, *, fills=None, dashed=None, x0=0, y0=0, fontsize=None, ink):
    """Text in outlined cells, row 0 at the top: what ``value_grid`` and ``_layers2d.text_grid``
    draw. ``fills`` a colour (or None) per cell, ``dashed`` a mask of dashed outlines, and
    ``ink(fill, is_dashed)`` the colour of a cell's text (an empty text is not drawn)."""
    from matplotlib.patches import Rectangle

    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            fill = None if fills is None else fills[i][j]
            is_dashed = dashed is not None and bool(dashed[i][j])
            ax.add_patch(
                Rectangle(
                    (x0 + j - 0.5, y0 - i - 0.5),
                    1,
                    1,
                    facecolor="none" if fill is None else fill,
                    edgecolor=_OUTLINE,
                    linewidth=0.6,
                    linestyle="--" if is_dashed else "-",
                )
            )
            if text:
                colour = ink(fill, is_dashed)
                ax.text(
                    x0 + j, y0 - i, text, ha="center", va="center", color=colour, fontsize=fontsize
                )


def _rgb_of(colour) -> tuple:
    """A colour as an (r, g, b) tuple in 0–255."""
    from matplotlib.colors import to_rgb

    return tuple(255 * c for c in to_rgb(colour))


def rgb_discs(ax, rgb, *, texts=None, x0=0, y0=0, fontsize=None):
    """An ``(H, W, 3)`` image (0–255) as coloured discs, with optional text on each."""
    from matplotlib.patches import Circle

    rgb = numpy.asarray(rgb, dtype=float)
    H, W, _ = rgb.shape
    flat = [t for row in (texts if texts is not None else []) for t in row]
    size = _fontsize(ax, [t.split("\n")[0] for t in flat if t], fontsize) if flat else 8
    for i in range(H):
        for j in range(W):
            ax.add_patch(
                Circle(
                    (x0 + j, y0 - i),
                    0.44,
                    facecolor=_hex(rgb[i, j]),
                    edgecolor=_OUTLINE,
                    linewidth=0.6,
                )
            )
            if texts is not None and texts[i][j]:
                ax.text(
                    x0 + j,
                    y0 - i,
                    texts[i][j],
                    ha="center",
                    va="center",
                    color=_ink_on(rgb[i, j]),
                    fontsize=size,
                    linespacing=1.0,
                )


def grey_discs(ax, channel, *, fmt=fmt_cell, x0=0, y0=0, fontsize=None):
    """One channel (0–255) as grey discs, each with its value written in."""
    channel = numpy.asarray(channel, dtype=float)
    rgb = numpy.repeat(channel[:, :, None], 3, axis=2)
    texts = [[fmt(v) for v in row] for row in channel]
    rgb_discs(ax, rgb, texts=texts, x0=x0, y0=y0, fontsize=fontsize)


def frame(ax, rows, cols, *, x0=0, y0=0, colour=publish.ORANGE, width=2.5):
    """A rectangle around the cells ``rows[0]..rows[1]`` x ``cols[0]..cols[1]`` (inclusive)."""
    from matplotlib.patches import Rectangle

    (r0, r1), (c0, c1) = rows, cols
    ax.add_patch(
        Rectangle(
            (x0 + c0 - 0.5, y0 - r1 - 0.5),
            c1 - c0 + 1,
            r1 - r0 + 1,
            facecolor="none",
            edgecolor=colour,
            linewidth=width,
            zorder=5,
        )
    )
