"""Drawing a model: its graph of layers as a matplotlib figure, for the articles.

``draw_graph(model)`` places each node in the column of its depth (the longest path from an input),
so the information flow runs left to right, and draws one arrow per edge. ``annotate`` adds a line
of text under each node, for example the values ``o`` and ``δ`` of its last passes::

    fig = dlm.draw_graph(model, annotate=lambda node: f"o = {node.o[0, 0]:.2f}")

The figure reads on light and dark pages alike: a transparent background, mid-tone fills with
white text, and grey arrows and annotations. matplotlib is imported only when a figure is drawn, so
numpy stays dlm's only runtime dependency.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from dlm.graph import Model, Node, as_node

#: Mid-tone colours, readable on white and on near-black.
FILL = "#4f7fb8"
HIGHLIGHT = "#d9822b"
LINE = "#8c8c8c"
TEXT = "#ffffff"
LOSS_FILL = "#5a9a6e"
BACK = "#c8553d"

_ARG_NAMES = re.compile(r"\b(features|in_features|out_features|in_channels|out_channels|kind)=")


def short_label(node: Node) -> str:
    """The layer as built, without the obvious argument names: ``Linear(3, 1, bias=False)``."""
    return _ARG_NAMES.sub("", node.layer.describe())


def depths(model: Model) -> dict[int, int]:
    """``id(node) -> depth``: 0 for the inputs, else 1 + the deepest node feeding it."""
    depth: dict[int, int] = {}
    for node in model.nodes:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.inputs), default=-1)
    return depth


def draw_graph(
    model: Model,
    annotate: Callable[[Node], str | None] | None = None,
    highlight: Iterable = (),
    names: Callable[[int, Node], str] | None = None,
    title: str | None = None,
    loss: object | None = None,
    backward: bool = False,
):
    """Return a matplotlib ``Figure`` of the model's graph of layers.

    ``annotate(node)`` gives a text to print under a node (or ``None``); ``highlight`` lists nodes
    (or layers) to fill in a second colour; ``names(k, node)`` gives the label of the k-th node in
    topological order (by default ``"L{k+1}"`` over the layer, as in the blog). ``loss`` (a loss,
    or a label such as ``"Loss"``) adds a box after the outputs. ``backward=True`` adds, under each
    arrow of the information flow, a red arrow of the learning flow going back.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    depth = depths(model)
    columns: dict[int, list[Node]] = {}
    for node in model.nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    tall = max(len(c) for c in columns.values())
    position = {}
    for d, nodes in columns.items():
        for r, node in enumerate(nodes):
            position[id(node)] = (d * 3.0, (len(nodes) - 1) / 2 - r)  # a column, centred on 0
    lit = {id(as_node(h)) for h in highlight}
    names = names or (lambda k, node: f"L{k + 1}")
    edges = [(id(source), id(target)) for source, target in model.edges]
    boxes = [  # (key, label, colour)
        (id(node), f"{names(k, node)}\n{short_label(node)}", HIGHLIGHT if id(node) in lit else FILL)
        for k, node in enumerate(model.nodes)
    ]
    if loss is not None:
        label = loss if isinstance(loss, str) else f"Loss\n{loss!r}"
        ys = [position[id(node)][1] for node in model.outputs]
        position["loss"] = (3.0 * len(columns), sum(ys) / len(ys))
        boxes.append(("loss", label, LOSS_FILL))
        edges += [(id(node), "loss") for node in model.outputs]
        depth["loss"] = len(columns)

    box_w, box_h = 2.4, 0.7
    # An edge that skips columns bends upwards, over the boxes of the columns it skips.
    bends = {}
    peak = (tall - 1) / 2 + box_h / 2
    for source, target in edges:
        d0, d1 = depth[source], depth[target]
        if d1 - d0 > 1:
            top = max(position[id(n)][1] for d in range(d0 + 1, d1) for n in columns[d])
            y0 = max(position[source][1], position[target][1])
            bends[(source, target)] = top + box_h / 2 + 0.25 - y0
            peak = max(peak, top + box_h / 2 + 0.25)
    right = max(x for x, _ in position.values())
    x_min, x_max = -box_w / 2 - 0.1, right + box_w / 2 + 0.1
    y_max = peak + 0.15
    y_min = -(tall - 1) / 2 - box_h / 2 - (0.45 if annotate else 0.1)
    scale = 0.75  # inches per unit, so that 8-point text fits a box
    fig, ax = plt.subplots(figsize=(scale * (x_max - x_min), scale * (y_max - y_min) + 0.3))
    fig.patch.set_alpha(0)
    ax.set_facecolor("none")
    for key, label, colour in boxes:
        x, y = position[key]
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.05,rounding_size=0.15",
                facecolor=colour,
                edgecolor="none",
            )
        )
        ax.text(x, y, label, ha="center", va="center", color=TEXT, fontsize=8)
    for node in model.nodes if annotate else ():
        note = annotate(node)
        if note:
            x, y = position[id(node)]
            ax.text(x, y - box_h / 2 - 0.12, note, ha="center", va="top", color=LINE, fontsize=8)
    shift = 0.12 if backward else 0.0
    for source, target in edges:
        (x0, y0), (x1, y1) = position[source], position[target]
        # A quadratic arc peaks at half its control offset: rad = 2 height / length.
        rad = -2 * bends.get((source, target), 0.0) / (x1 - x0 - box_w)
        arrows = [((x0 + box_w / 2, y0 + shift), (x1 - box_w / 2, y1 + shift), rad, LINE)]
        if backward:  # reversed ends: the same rad bends to the same side
            arrows.append(((x1 - box_w / 2, y1 - shift), (x0 + box_w / 2, y0 - shift), -rad, BACK))
        for start, end, bend, colour in arrows:
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=12,
                    color=colour,
                    linewidth=1.4,
                    connectionstyle=f"arc3,rad={bend}",
                )
            )
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, color=LINE)
    fig.tight_layout()
    return fig
