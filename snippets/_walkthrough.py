"""Shared helpers of the walkthrough articles (2 to 7): a chain of layers drawn from a real model.

Not a snippet (the leading underscore), but part of every snippet's cache key. Import it from a
snippet with::

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/, for shared helpers
    from _walkthrough import chain_figure, fmt_value, forward_backward

The functions (their signatures are stable: new arguments only ever come with defaults):

``chain_figure(model, *, sample=0, values="none", backward=False, weights=True, show_w=False,
show_dw=False, loss=None, y_truth=None, loss_value=None, highlight=(), notes=None, enclose=None,
x_label="$x$", out_label=None, names=None, fmt=fmt_value, width=None, delta_out=False,
compact=False) -> Figure``
    A chain model (each node fed by the one before, ``dlm.example.example_model()`` for instance)
    drawn left to right: one box per layer, labelled $L^1$, $L^2$, ... over the layer's kind; the
    forward arrows (grey, the information flow) and, with ``backward=True``, the backward arrows
    under them (red, the learning flow). The values come from the model's nodes, that is from the
    last ``model.forward`` / ``model.backward`` that actually ran:

    - ``values``: ``"none"``, ``"o"`` (print $o^k$ under layer $L^k$: ``node.o``), ``"delta"``
      (print $\\delta^{k+1}$ under $L^k$: ``node.dy``, the gradient at the layer's output, which
      is the next layer's input) or ``"both"``. Layer $L^k$ holds the pair $(o^k, \\delta^{k+1})$.
    - ``sample``: the row of the batch to print (``0`` after a one-patient pass), or ``None`` for
      every row: ``[0, 1, 0]`` for one output per sample, one line per sample otherwise.
    - ``weights``: tag the layers that hold weights ($w^k$) above their box; ``show_w`` prints the
      weights' values in the tag and ``show_dw`` their gradient $\\delta w^k$ (``layer.grads``).
    - ``loss``: a label (e.g. ``"$Loss(X^4, Y^{truth})$"``) adds the loss node after the output
      layer; ``y_truth`` (a value or a text) draws the expectation coming into it from above, and
      ``loss_value`` (a value or a text) the arrow ``loss = ...`` leaving it.
    - ``highlight``: layer indices (0-based) or layers to fill in orange; ``notes``: ``{index:
      text}`` printed above a box (e.g. ``{0: "input layer"}``).
    - ``enclose``: a label (e.g. ``"$model(X)$"``) draws a dashed frame around all the layers.
    - ``x_label``: the text on the arrow into $L^1$ (``None``: no arrow); ``out_label``: the text
      on an arrow out of the last layer (drawn only without ``loss``).
    - ``names(k, node)``: the box's title (default ``"$L^{k+1}$"``); ``fmt(v)``: one number as
      text; ``width``: the figure's width in inches (default: its natural size).
    - ``delta_out`` (with ``backward=True``): a red arrow leaving $L^1$ to the left, labelled with
      $\\delta^1$ (the first node's ``delta``), where the learning flow leaves the model.
    - ``compact``: a narrower drawing for phone screens: a vector of one sample is printed as a
      column (one entry per line), the boxes sit closer, and the $\\delta^1$ label goes under its
      arrow. The same values, about half as wide.

    Colours: boxes in ``publish.BLUE`` (highlighted ones ``ORANGE``, the loss ``GREEN``) with white
    text; values, labels and arrows in ``publish.INK`` (light grey in the dark theme) or ``RED``
    (the learning flow). The background is transparent. Call ``publish.style()`` first.

``fmt_value(v, digits=4) -> str``
    One number as short text: an exact ``Fraction`` that is an integer prints as one (``0``,
    ``−1``), anything else with ``digits`` significant digits (``0.43``, ``−5.862e−05``). Minus
    signs are typographic (U+2212), as in the rendered maths.

``fmt_row(row, digits=4) -> str``
    A vector as ``(a, b, c)``, or a lone number as itself.

``forward_backward(model, x, y_truth) -> loss``
    Zero the gradients, run the forward pass, the ½(x − y)² loss (``dlm.losses.MSE``, averaged
    over the rows of ``x``) and the backward pass; return the loss. Afterwards every node holds
    its ``o``, ``dy`` and ``delta``, and every layer its ``grads``, ready for ``chain_figure``.
    Pass one patient as ``x[n : n + 1]`` to get the per-sample values of the articles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

import numpy
from _layers import crop_to_drawing

from dlm.graph import Model, Node
from dlm.losses import MSE
from dlm_site import publish

__all__ = ["chain_figure", "fmt_row", "fmt_value", "forward_backward", "layer_figure"]

_BOX_W = 1.7  # box width, in data units
_BOX_H = 0.8
_GAP = 3.3  # from one box centre to the next
_GAP_COMPACT = 2.5  # the same, with ``compact=True``
_SCALE = 0.72  # inches per data unit (the page shows 72 pixels per inch)
_FONT = 10  # points, for values and labels
_ZOOM = 1.3  # the final scale of the whole drawing, text included


def fmt_value(v, digits: int = 4) -> str:
    """One number as short text: exact integers as integers, others with ``digits`` digits."""
    if isinstance(v, Fraction) and v.denominator == 1:
        text = str(v.numerator)
    else:
        f = float(v)
        if f == 0:
            text = "0"
        elif f == int(f) and abs(f) < 1e15:
            text = str(int(f))
        else:
            text = f"{f:.{digits}g}"
    return text.replace("-", "\N{MINUS SIGN}")  # a typographic minus, as in the maths


def fmt_row(row, digits: int = 4) -> str:
    """A vector as ``(a, b, c)``; a single number as itself."""
    items = list(numpy.asarray(row, dtype=object).ravel())
    texts = [fmt_value(v, digits) for v in items]
    return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"


def _fmt_array(a, sample: int | None, fmt: Callable) -> str:
    """A node's (N, C) array as text: one row, or every row."""
    a = numpy.asarray(a, dtype=object)
    if a.ndim == 1:
        a = a[None, :]
    if sample is not None:
        row = list(a[sample].ravel())
        return fmt(row[0]) if len(row) == 1 else "(" + ", ".join(fmt(v) for v in row) + ")"
    if a.shape[1] == 1:
        return "[" + ", ".join(fmt(v) for v in a[:, 0]) + "]"
    return "\n".join("(" + ", ".join(fmt(v) for v in r) + ")" for r in a)


def forward_backward(model: Model, x, y_truth):
    """Zero the gradients, run forward, the ½(x − y)² loss and backward; return the loss."""
    model.zero_grad()
    loss = MSE()
    value = loss.forward(model.forward(x), y_truth)
    model.backward(loss.backward())
    return value


def _text_or_value(v, fmt: Callable) -> str:
    return v if isinstance(v, str) else fmt(v)


def chain_figure(
    model: Model,
    *,
    sample: int | None = 0,
    values: str = "none",
    backward: bool = False,
    weights: bool = True,
    show_w: bool = False,
    show_dw: bool = False,
    loss: str | None = None,
    y_truth=None,
    loss_value=None,
    highlight: Iterable = (),
    notes: dict[int, str] | None = None,
    enclose: str | None = None,
    x_label: str | None = "$x$",
    out_label: str | None = None,
    names: Callable[[int, Node], str] | None = None,
    fmt: Callable = fmt_value,
    width: float | None = None,
    delta_out: bool = False,
    compact: bool = False,
):
    """Return a matplotlib ``Figure`` of a chain model; see the module docstring."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if values not in ("none", "o", "delta", "both"):
        raise ValueError(f"chain_figure: values must be none, o, delta or both, got {values!r}")
    nodes = model.nodes
    for k, node in enumerate(nodes[1:], start=1):
        if node.inputs != (nodes[k - 1],):
            raise ValueError("chain_figure: the model must be a chain, each layer fed by the last")
    n = len(nodes)
    names = names or (lambda k, node: f"$L^{{{k + 1}}}$")
    lit = set()
    for h in highlight:
        lit.add(h if isinstance(h, int) else next(i for i, nd in enumerate(nodes) if nd.layer is h))
    notes = notes or {}
    gap = _GAP_COMPACT if compact else _GAP

    def as_text(a) -> str:
        text = _fmt_array(a, sample, fmt)
        if compact and sample is not None and text.startswith("("):
            return "\n".join(text[1:-1].split(", "))  # a column: one entry per line
        return text

    fig = plt.figure(figsize=(4, 2))
    fig.patch.set_alpha(0)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_facecolor("none")
    ax.axis("off")
    ink, red = publish.INK, publish.RED
    half_w, half_h = _BOX_W / 2, _BOX_H / 2
    shift = 0.14 if backward else 0.0
    bottom = -half_h  # the lowest value printed under a box, for the frame of ``enclose``
    top_used = 0.0  # the highest weight tag above a box

    def box(x, colour, title, subtitle):
        ax.add_patch(
            FancyBboxPatch(
                (x - half_w, -half_h),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0.04,rounding_size=0.18",
                facecolor=colour,
                edgecolor="none",
                zorder=2,
            )
        )
        ax.text(x, 0.1, title, ha="center", va="center", color="white", fontsize=12, zorder=3)
        if subtitle:
            ax.text(
                x, -0.2, subtitle, ha="center", va="center", color="white", fontsize=7, zorder=3
            )

    def arrow(start, end, colour, dashed=False):
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=12,
                color=colour,
                linewidth=1.4,
                linestyle="--" if dashed else "-",
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )

    # The layers, and the values each one holds.
    for k, node in enumerate(nodes):
        x = k * gap
        kind = type(node.layer).__name__
        box(x, publish.ORANGE if k in lit else publish.BLUE, names(k, node), kind)
        below = []
        if values in ("o", "both") and node.o is not None:
            below.append((f"$o^{{{k + 1}}}$", as_text(node.o), ink))
        if values in ("delta", "both") and node.dy is not None:
            below.append((f"$\\delta^{{{k + 2}}}$", as_text(node.dy), red))
        y = -half_h - 0.15
        for symbol, text, colour in below:
            # Several rows: the symbol on a line of its own, then one row per line.
            text = f"{symbol} =\n{text}" if "\n" in text else f"{symbol} = {text}"
            ax.text(x, y, text, ha="center", va="top", color=colour, fontsize=_FONT)
            y -= (0.24 if compact else 0.3) * (1 + text.count("\n")) + 0.08
        bottom = min(bottom, y)
        above = []  # (text, colour, framed)
        if weights and node.layer.params:
            for name, w in node.layer.params.items():
                symbol = "w" if name == "weight" else "b"
                line = f"${symbol}^{{{k + 1}}}$"
                if show_w:
                    line += " = " + _fmt_list(w, fmt)
                above.append((line, ink, True))
                if show_dw and name in node.layer.grads:
                    line = f"$\\delta {symbol}^{{{k + 1}}}$ = " + _fmt_list(
                        node.layer.grads[name], fmt
                    )
                    above.append((line, red, False))
        y = half_h + 0.22
        for text, colour, framed in above:
            frame = None
            if framed:  # the tag of a layer that holds weights
                frame = {
                    "boxstyle": "round,pad=0.25,rounding_size=0.3",
                    "facecolor": "none",
                    "edgecolor": publish.GREEN,
                    "linewidth": 1.2,
                }
            ax.text(x, y, text, ha="center", va="bottom", color=colour, fontsize=_FONT, bbox=frame)
            y += 0.42 if framed else 0.32
        if k in notes:
            ax.text(
                x,
                y + 0.05,
                notes[k],
                ha="center",
                va="bottom",
                color=ink,
                fontsize=_FONT,
                fontweight="bold",
            )
            y += 0.4
        top_used = max(top_used, y if (above or k in notes) else half_h)
        if k > 0:
            x0 = (k - 1) * gap + half_w + 0.08
            arrow((x0, shift), (x - half_w - 0.08, shift), ink)
            if backward:
                arrow((x - half_w - 0.08, -shift), (x0, -shift), red)

    # Into the first layer.
    if x_label is not None:
        x0 = -half_w - 1.3
        arrow((x0, 0), (-half_w - 0.08, 0), ink)
        ax.text(x0 + 0.55, 0.1, x_label, ha="center", va="bottom", color=ink, fontsize=_FONT + 1)
    if delta_out and backward and nodes[0].delta is not None:  # where the learning flow leaves
        x0 = -half_w - 1.3
        arrow((-half_w - 0.08, -2 * shift), (x0, -2 * shift), red)
        text = as_text(nodes[0].delta)
        if compact:  # under the arrow, as a column
            ax.text(
                x0 + 0.55,
                -2 * shift - 0.15,
                "$\\delta^{1}$ =\n" + text,
                ha="center",
                va="top",
                color=red,
                fontsize=_FONT,
            )
        else:
            ax.text(
                x0 - 0.1,
                -2 * shift,
                "$\\delta^{1}$ = " + text,
                ha="right",
                va="center",
                color=red,
                fontsize=_FONT,
            )
    last = (n - 1) * gap
    if loss is not None:
        xl = n * gap
        ax.add_patch(
            FancyBboxPatch(
                (xl - half_w, -half_h),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0.04,rounding_size=0.18",
                facecolor=publish.GREEN,
                edgecolor="none",
                zorder=2,
            )
        )
        ax.text(xl, 0, loss, ha="center", va="center", color="white", fontsize=9, zorder=3)
        arrow((last + half_w + 0.08, shift), (xl - half_w - 0.08, shift), ink)
        if backward:
            arrow((xl - half_w - 0.08, -shift), (last + half_w + 0.08, -shift), red)
        if y_truth is not None:
            arrow((xl, half_h + 0.9), (xl, half_h + 0.08), ink)
            ax.text(
                xl,
                half_h + 0.95,
                "$y^{truth}$ = " + _text_or_value(y_truth, fmt),
                ha="center",
                va="bottom",
                color=ink,
                fontsize=_FONT + 1,
            )
        if loss_value is not None:
            arrow((xl, -half_h - 0.08), (xl, -half_h - 0.8), ink)
            ax.text(
                xl,
                -half_h - 0.88,
                "$loss$ = " + _text_or_value(loss_value, fmt),
                ha="center",
                va="top",
                color=ink,
                fontsize=_FONT + 1,
            )
    elif out_label is not None:
        arrow((last + half_w + 0.08, 0), (last + half_w + 1.3, 0), ink)
        ax.text(
            last + half_w + 1.4, 0, out_label, ha="left", va="center", color=ink, fontsize=_FONT + 1
        )
    if enclose is not None:
        pad = 0.3
        top = top_used + pad
        low = bottom - 0.1
        ax.add_patch(
            FancyBboxPatch(
                (-half_w - pad, low),
                last + _BOX_W + 2 * pad,
                top - low,
                boxstyle="round,pad=0.02,rounding_size=0.25",
                facecolor="none",
                edgecolor=publish.GREY,
                linewidth=1.3,
                linestyle="--",
            )
        )
        ax.text(
            -half_w - pad + 0.1,
            top + 0.06,
            enclose,
            ha="left",
            va="bottom",
            color=publish.GREY,
            fontsize=_FONT + 2,
        )

    return _fit(fig, ax, width)


def _fmt_list(a, fmt: Callable) -> str:
    items = [fmt(v) for v in numpy.asarray(a, dtype=object).ravel()]
    return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"


def _fit(fig, ax, width: float | None):
    """Size the figure to what was drawn, at a fixed number of inches per data unit."""
    from matplotlib.patches import FancyArrowPatch

    # Measure at the final scale (inches per data unit), so text sizes in data units hold.
    fig.set_size_inches(_SCALE * 60, _SCALE * 16)
    ax.set_xlim(-15, 45)
    ax.set_ylim(-8, 8)
    crop_to_drawing(fig, ax, _SCALE)
    # Scale everything, text included, so the drawing keeps its look: by _ZOOM, so that the
    # page (which shows a figure at 72 pixels per inch) gets text as large as its own, or to
    # the width asked for.
    w, h = fig.get_size_inches()
    factor = _ZOOM if width is None else width / w
    if factor != 1:
        fig.set_size_inches(w * factor, h * factor)
        for text in ax.texts:
            text.set_fontsize(text.get_fontsize() * factor)
        for patch in ax.patches:
            patch.set_linewidth(patch.get_linewidth() * factor)
            if isinstance(patch, FancyArrowPatch):  # the arrow heads; box pads are data units
                patch.set_mutation_scale(patch.get_mutation_scale() * factor)
    return fig


def layer_figure(
    model: Model,
    index: int,
    *,
    sample: int | None = 0,
    backward: bool = False,
    show_dw: bool = False,
    values: bool = True,
    fmt: Callable = fmt_value,
    width: float | None = None,
):
    """Return a ``Figure`` of one layer of a chain model, zoomed in: what comes in, what goes out.

    ``index`` is the layer's 0-based position (the box is titled $L^{index+1}$). The forward view
    shows $o^{k-1}$ entering the layer's input $X^k$ and $o^k$ leaving from its output $X^{k+1}$;
    ``backward=True`` adds the learning flow, $\\delta^{k+1}$ coming in from the right and
    $\\delta^k$ going back to the left: $(o^{k-1}, \\delta^k) \\leftarrow (o^k, \\delta^{k+1})$.
    ``show_dw`` tags a layer that holds weights with $\\delta w^k$ (from ``layer.grads``).
    ``values=False`` prints the symbols alone; otherwise each symbol is followed by the value of
    the last pass that ran (row ``sample``).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    nodes = model.nodes
    node = nodes[index]
    k = index + 1
    fig = plt.figure(figsize=(4, 2))
    fig.patch.set_alpha(0)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_facecolor("none")
    ax.axis("off")
    ink, red = publish.INK, publish.RED
    half_w, half_h = _BOX_W / 2, _BOX_H / 2
    shift = 0.2 if backward else 0.0
    reach = 1.5  # the length of an arrow

    ax.add_patch(
        FancyBboxPatch(
            (-half_w, -half_h),
            _BOX_W,
            _BOX_H,
            boxstyle="round,pad=0.04,rounding_size=0.18",
            facecolor=publish.BLUE,
            edgecolor="none",
            zorder=2,
        )
    )
    ax.text(0, 0.1, f"$L^{{{k}}}$", ha="center", va="center", color="white", fontsize=12)
    kind = type(node.layer).__name__
    ax.text(0, -0.2, kind, ha="center", va="center", color="white", fontsize=7)

    def arrow(start, end, colour):
        ax.add_patch(
            FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=1.4
            )
        )

    def label(symbol, array):
        if not values or array is None:
            return symbol
        return f"{symbol} = {_fmt_array(array, sample, fmt)}"

    o_in = nodes[index - 1].o if index > 0 else None
    left_o = label(f"$o^{{{k - 1}}}$" if index > 0 else "$x$", o_in if index > 0 else node.o)
    right_o = label(f"$o^{{{k}}}$", node.o)
    xl, xr = -half_w - reach, half_w + reach
    arrow((xl, shift), (-half_w - 0.08, shift), ink)
    arrow((half_w + 0.08, shift), (xr, shift), ink)
    ax.text(xl - 0.1, shift, left_o, ha="right", va="center", color=ink, fontsize=_FONT)
    ax.text(xr + 0.1, shift, right_o, ha="left", va="center", color=ink, fontsize=_FONT)
    for x, ha, symbol in (
        (-half_w - 0.12, "right", f"$X^{{{k}}}$"),
        (half_w + 0.12, "left", f"$X^{{{k + 1}}}$"),
    ):
        ax.text(x, -half_h - 0.08, symbol, ha=ha, va="top", color=ink, fontsize=_FONT)
    if backward:
        arrow((xr, -shift), (half_w + 0.08, -shift), red)
        arrow((-half_w - 0.08, -shift), (xl, -shift), red)
        left_d = label(f"$\\delta^{{{k}}}$", node.delta)
        right_d = label(f"$\\delta^{{{k + 1}}}$", node.dy)
        ax.text(xl - 0.1, -shift, left_d, ha="right", va="center", color=red, fontsize=_FONT)
        ax.text(xr + 0.1, -shift, right_d, ha="left", va="center", color=red, fontsize=_FONT)
    if show_dw and "weight" in node.layer.params:
        ax.text(
            0,
            half_h + 0.22,
            label(f"$\\delta w^{{{k}}}$", node.layer.grads["weight"].reshape(1, -1)),
            ha="center",
            va="bottom",
            color=red,
            fontsize=_FONT,
            bbox={
                "boxstyle": "round,pad=0.25,rounding_size=0.3",
                "facecolor": "none",
                "edgecolor": publish.GREEN,
                "linewidth": 1.2,
            },
        )
    return _fit(fig, ax, width)
