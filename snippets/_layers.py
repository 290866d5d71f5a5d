"""Shared helpers of the layer articles: a layer's neural structure, drawn from a real dlm layer.

Not a snippet (the leading underscore), but part of every snippet's cache key. Import it from a
snippet with::

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
    from _layers import jacobian, neuron_figure

The neural structure of a layer is a bipartite graph: an edge goes from input neuron ``i`` to
output neuron ``j`` when ``X^k_i`` impacts ``X^{k+1}_j``, that is when the local derivative
``∂y_j/∂x_i`` is not zero. ``jacobian`` asks the layer itself for those derivatives, through its
own backward pass, so the drawing shows what dlm computes, not what we believe it computes.

``jacobian(layer, x) -> ndarray (n_out, n_in)``
    Run ``layer.forward(x)`` on one sample (``x: (1, ...)``), then ``layer.backward`` once per
    output neuron with a one-hot upstream gradient: row ``j`` is ``∂y_j/∂x``. Inputs and outputs
    of any shape are flattened in C order, so 2D layers work too (neuron ``(c, h, w)`` becomes
    ``c*H*W + h*W + w``). The layer's parameter gradients are zeroed afterwards.

``neuron_figure(J, *, in_labels, out_labels, ...) -> Figure``
    One box per neuron, inputs on the left and outputs on the right (or at the positions given by
    ``in_xy`` and ``out_xy``, in data units, for grids), and one edge per non-zero entry of ``J``
    (or per ``(j, i)`` listed in ``show``). The keyword arguments:

    - ``in_labels``, ``out_labels``: the text inside each box (a string per neuron, ``\\n`` for
      a second line, mathtext allowed); ``in_notes``, ``out_notes``: a text under each box (the
      variable's name, ``$X^k_1$``).
    - ``edge_labels``: ``{(j, i): text}``, written along the edge near ``label_at`` (0: at the
      input, 1: at the output; default 0.78), one number or ``{(j, i): t}`` per edge.
    - ``backward``: draw the edges as red arrows from output to input (the learning flow).
    - ``colour_by_output``: colour each output neuron's edges (forward only) in its own colour,
      so that the edges into one neuron read as a group.
    - ``show``: the ``(j, i)`` edges to draw (default: every non-zero ``J[j, i]``); ``ghost``: draw
      the other edges faintly, so the full structure stays visible.
    - ``highlight_in``, ``highlight_out``: neuron indices to fill in orange.
    - ``data_inputs``: draw the inputs as dashed data slots, not neurons (the input layer).
    - ``in_title``, ``out_title``: a title above each column; ``title``: one above the middle,
      e.g. the layer's name.
    - ``width``: the figure's width in inches (default: its natural size).

Colours come from ``dlm_site.publish``: neurons in ``BLUE`` with white text, forward edges in
``GREY`` (or one colour per output neuron), the learning flow in ``RED``, titles and notes in
``INK`` (light grey in the dark theme). The background is transparent. Call
``publish.style()`` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy

from dlm_site import publish

__all__ = ["jacobian", "neuron_figure"]

_BOX_W = 2.4  # neuron box width, in data units
_BOX_H = 0.9
_GAP_X = 7.5  # from the input column to the output column
_GAP_Y = 1.55  # between two neurons of a column
_SCALE = 0.62  # inches per data unit
_FONT = 10  # points
_EDGE_COLOURS = (publish.ORANGE, publish.GREEN, publish.BLUE, publish.GREY)


def jacobian(layer, x) -> numpy.ndarray:
    """``J[j, i] = ∂y_j/∂x_i`` for one sample ``x: (1, ...)``, from the layer's backward pass."""
    y = layer.forward(x)
    n_out = int(numpy.prod(y.shape[1:]))
    n_in = int(numpy.prod(numpy.shape(x)[1:]))
    J = numpy.zeros((n_out, n_in), dtype=object if y.dtype == object else numpy.float64)
    for j in range(n_out):
        dy = numpy.zeros(y.shape, dtype=y.dtype)
        dy.reshape(-1)[j] = 1
        J[j] = numpy.asarray(layer.backward(dy)).reshape(-1)
    layer.zero_grad()
    return J


def _column(n: int, x: float, gap: float = _GAP_Y) -> list[tuple[float, float]]:
    """``n`` positions in a column at ``x``, ``gap`` apart, centred on 0, first at the top."""
    return [(x, ((n - 1) / 2 - r) * gap) for r in range(n)]


def neuron_figure(
    J,
    *,
    in_labels: Sequence[str],
    out_labels: Sequence[str],
    in_notes: Sequence[str] | None = None,
    out_notes: Sequence[str] | None = None,
    edge_labels: dict[tuple[int, int], str] | None = None,
    label_at: float | dict[tuple[int, int], float] = 0.78,
    backward: bool = False,
    colour_by_output: bool = False,
    show: Iterable[tuple[int, int]] | None = None,
    ghost: bool = False,
    highlight_in: Iterable[int] = (),
    highlight_out: Iterable[int] = (),
    data_inputs: bool = False,
    in_title: str | None = None,
    out_title: str | None = None,
    title: str | None = None,
    in_xy: Sequence[tuple[float, float]] | None = None,
    out_xy: Sequence[tuple[float, float]] | None = None,
    width: float | None = None,
):
    """Return a matplotlib ``Figure`` of a layer's neural structure; see the module docstring."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    J = numpy.asarray(J)
    n_out, n_in = J.shape
    if len(in_labels) != n_in or len(out_labels) != n_out:
        raise ValueError(
            f"neuron_figure: J is {n_out}x{n_in}, got {len(in_labels)} input labels and "
            f"{len(out_labels)} output labels"
        )
    in_xy = list(in_xy) if in_xy is not None else _column(n_in, 0.0)
    if out_xy is None:
        # The smaller column spreads over most of the larger one's height, so that the edges
        # into different neurons fan out and their labels stay apart.
        span = max(n_in - 1, 1) * _GAP_Y * 0.75
        out_xy = _column(n_out, _GAP_X, max(_GAP_Y, span / max(n_out - 1, 1)))
    out_xy = list(out_xy)
    nonzero = {(j, i) for j in range(n_out) for i in range(n_in) if J[j, i] != 0}
    shown = set(show) if show is not None else nonzero
    edge_labels = edge_labels or {}
    lit_in, lit_out = set(highlight_in), set(highlight_out)
    ink, red = publish.INK, publish.RED

    fig = plt.figure(figsize=(4, 2))
    fig.patch.set_alpha(0)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_facecolor("none")
    ax.axis("off")
    ax.set_aspect("equal")
    half_w, half_h = _BOX_W / 2, _BOX_H / 2

    def box(xy, label, lit, dashed):
        x, y = xy
        ax.add_patch(
            FancyBboxPatch(
                (x - half_w, y - half_h),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0.04,rounding_size=0.2",
                facecolor="none" if dashed else (publish.ORANGE if lit else publish.BLUE),
                edgecolor=(publish.ORANGE if lit else publish.GREY) if dashed else "none",
                linestyle="--",
                linewidth=1.3,
                zorder=2,
            )
        )
        ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            color=ink if dashed else "white",
            fontsize=_FONT,
            zorder=3,
            linespacing=1.5,
        )

    for k, xy in enumerate(in_xy):
        box(xy, in_labels[k], k in lit_in, data_inputs)
    for k, xy in enumerate(out_xy):
        box(xy, out_labels[k], k in lit_out, False)
    for notes, xys in ((in_notes, in_xy), (out_notes, out_xy)):
        for note, (x, y) in zip(notes or (), xys, strict=False):
            ax.text(x, y - half_h - 0.1, note, ha="center", va="top", color=ink, fontsize=_FONT)

    def edge_colour(j):
        if backward:
            return red
        return _EDGE_COLOURS[j % len(_EDGE_COLOURS)] if colour_by_output else publish.GREY

    edges = sorted(nonzero | shown) if ghost else sorted(shown)
    for j, i in edges:
        (x0, y0), (x1, y1) = in_xy[i], out_xy[j]
        start = numpy.array([x0 + half_w + 0.05, y0])
        end = numpy.array([x1 - half_w - 0.05, y1])
        faint = (j, i) not in shown
        colour = publish.GREY if faint else edge_colour(j)
        a, b = (end, start) if backward else (start, end)
        ax.add_patch(
            FancyArrowPatch(
                tuple(a),
                tuple(b),
                arrowstyle="-|>",
                mutation_scale=11,
                color=colour,
                linewidth=0.8 if faint else 1.4,
                alpha=0.35 if faint else 1.0,
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )
        text = edge_labels.get((j, i))
        if text and not faint:
            direction = end - start
            t = label_at.get((j, i), 0.78) if isinstance(label_at, dict) else label_at
            point = start + t * direction
            angle = numpy.degrees(numpy.arctan2(direction[1], direction[0]))
            normal = numpy.array([-direction[1], direction[0]]) / numpy.linalg.norm(direction)
            point = point + 0.16 * normal
            ax.text(
                point[0],
                point[1],
                text,
                ha="center",
                va="center",
                rotation=angle,
                rotation_mode="anchor",
                color=colour,
                fontsize=_FONT + 0.5,
                zorder=3,
            )

    top = max(y for _, y in in_xy + out_xy) + half_h + 0.25
    for text, xys in ((in_title, in_xy), (out_title, out_xy)):
        if text:
            x = sum(x for x, _ in xys) / len(xys)
            ax.text(x, top, text, ha="center", va="bottom", color=ink, fontsize=_FONT + 1)
    if title:
        x = (sum(x for x, _ in in_xy) / n_in + sum(x for x, _ in out_xy) / n_out) / 2
        ax.text(
            x,
            top + 0.55,
            title,
            ha="center",
            va="bottom",
            color=ink,
            fontsize=_FONT + 2,
            fontweight="bold",
        )
    return _fit(fig, ax, width)


def crop_to_drawing(fig, ax, scale: float, margin: float = 0.15) -> None:
    """Crop the axes to the boxes of its texts and patches, at ``scale`` inches per data unit.

    Draw first at that scale over generous limits, so that text sizes in data units are right.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inverse = ax.transData.inverted()
    xs, ys = [], []
    for artist in list(ax.texts) + list(ax.patches):
        box = artist.get_window_extent(renderer)
        (x0, y0), (x1, y1) = inverse.transform([(box.x0, box.y0), (box.x1, box.y1)])
        xs += [x0, x1]
        ys += [y0, y1]
    x_min, x_max = min(xs) - margin, max(xs) + margin
    y_min, y_max = min(ys) - margin, max(ys) + margin
    fig.set_size_inches(scale * (x_max - x_min), scale * (y_max - y_min))
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)


def _fit(fig, ax, width: float | None):
    """Size the figure to what was drawn, at a fixed number of inches per data unit."""
    fig.set_size_inches(_SCALE * 60, _SCALE * 40)
    ax.set_xlim(-20, 40)
    ax.set_ylim(-20, 20)
    crop_to_drawing(fig, ax, _SCALE)
    if width is not None:
        w, h = fig.get_size_inches()
        fig.set_size_inches(width, h * width / w)
    return fig
