"""Tests for ``snippets/_layers2d.py``, the helpers of the 2D layer articles."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "snippets"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from _layers2d import excerpt, receptive_fields, support, text_grid  # noqa: E402

import dlm  # noqa: E402


def test_receptive_fields_of_lenet5():
    """LeNet-5's 2D layers give grids 24, 12, 8, 4 and receptive fields 5, 6, 14, 16."""
    chain = dlm.models.lenet5(rng=np.random.default_rng(0)).layers[:7]
    rows = [r for r in receptive_fields(chain) if hasattr(r["layer"], "kernel_size")]
    assert [r["size"] for r in rows] == [24, 12, 8, 4]
    assert [r["field"] for r in rows] == [5, 6, 14, 16]
    assert [r["jump"] for r in rows] == [1, 2, 2, 4]


def test_excerpt_from_first_to_last_line():
    """excerpt() returns the dedented lines between the two anchors, or to the function's end."""

    def f():
        a = 1
        b = a + 1
        return b

    assert excerpt(f, "a = 1", "b = ") == "a = 1\nb = a + 1"
    assert excerpt(f, "b = ") == "b = a + 1\nreturn b"


def test_support_is_the_bounding_box():
    """support() gives the height and width of the non-zero cells' bounding box."""
    mask = np.zeros((7, 7))
    mask[2, 3] = mask[4, 5] = 1
    assert support(mask) == (3, 3)


def test_text_grid_draws_one_cell_and_text_each():
    """text_grid() adds one rectangle per cell and one text per non-empty string."""
    fig, ax = plt.subplots()
    text_grid(ax, [["a", ""], ["c", "d"]], fills=[[None, "#3b82c4"], [None, None]])
    assert len(ax.patches) == 4 and len(ax.texts) == 3
    plt.close(fig)
