"""draw_graph returns a matplotlib figure of the graph, readable in light and dark themes."""

from __future__ import annotations

import subprocess
import sys

import numpy
import pytest

import dlm
from dlm.example import as_float, example_data, example_model

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_importing_dlm_does_not_import_matplotlib():
    """numpy stays dlm's only runtime dependency: matplotlib loads only when a figure is drawn."""
    code = "import sys, dlm; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_example_graph_figure():
    """One box and label per node, one arrow per edge, a transparent background, annotations."""
    import matplotlib.pyplot as plt

    model = example_model()
    x, _ = example_data()
    model.forward(x)
    fig = dlm.draw_graph(
        model,
        annotate=lambda node: f"o = {as_float(node.o)[2, 0]:.2f}",
        highlight=[model.layers[0]],
    )
    try:
        ax = fig.axes[0]
        texts = [t.get_text() for t in ax.texts]
        assert "L2\nLinear(3, 1, bias=False)" in texts
        assert "L3\nActivation('relu')" in texts
        assert "o = 0.00" in texts
        assert fig.patch.get_alpha() == 0
        arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
        assert len(arrows) == len(model.edges) == 2
    finally:
        plt.close(fig)


def test_branching_graph_figure_draws_every_edge():
    """A graph with a fan-out, a merge and a skip connection draws each of its edges."""
    import matplotlib.pyplot as plt

    rng = numpy.random.default_rng(0)
    x = dlm.Input1D(3)
    a = dlm.Linear(3, 4, rng=rng)(x)
    t = dlm.Activation("tanh")(a)
    s = dlm.Sum()(dlm.Linear(4, 4, rng=rng)(t), dlm.Linear(4, 4, rng=rng)(t))
    model = dlm.Model(inputs=x, outputs=dlm.Concat()(s, a))
    fig = dlm.draw_graph(model, title="a graph")
    try:
        arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
        assert len(arrows) == len(model.edges) == 8
    finally:
        plt.close(fig)


def test_loss_box_and_backward_arrows():
    """loss= adds a box fed by the output; backward=True doubles every arrow (one per flow)."""
    import matplotlib.pyplot as plt

    model = example_model()
    fig = dlm.draw_graph(model, loss=dlm.MSE(), backward=True)
    try:
        ax = fig.axes[0]
        assert "Loss\nMSE()" in [t.get_text() for t in ax.texts]
        arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
        assert len(arrows) == 2 * (len(model.edges) + 1)
    finally:
        plt.close(fig)
