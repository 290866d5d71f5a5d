"""Tests for ``snippets/_grids.py``, the grid and heat-table helpers of the 2D articles."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "snippets"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from _grids import (  # noqa: E402
    HEAT_HIGH,
    HEAT_LOW,
    fmt_cell,
    frame,
    grey_discs,
    grid_axes,
    heat_table,
    value_grid,
)
from matplotlib.colors import to_hex  # noqa: E402


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def test_fmt_cell_integers_decimals_and_minus():
    """Integers print without decimals, others with one, and the minus sign is typographic."""
    assert fmt_cell(1031.0) == "1031"
    assert fmt_cell(-366) == "\N{MINUS SIGN}366"
    assert fmt_cell(0.25) == "0.2"  # one decimal, Python's rounding
    assert fmt_cell(-0.0) == "0"


def test_grid_axes_gives_one_panel_per_grid_with_titles():
    """grid_axes returns n axes, each titled, row 0 of a grid at the top (y = 0)."""
    fig, axes = grid_axes(4, ncols=2, titles=["a", "b", "c", "d"])
    assert len(axes) == 4
    assert [ax.texts[0].get_text() for ax in axes] == ["a", "b", "c", "d"]
    bottom, top = axes[0].get_ylim()
    assert bottom < -6 and top > 0  # rows go down from 0 to -6
    plt.close(fig)


def test_heat_table_fills_minimum_and_maximum_with_the_end_colours():
    """The table's minimum cell gets HEAT_LOW, its maximum HEAT_HIGH, and every value is written."""
    fig, (ax,) = grid_axes(1, shape=(2, 2))
    heat_table(ax, np.array([[0, 5], [10, 5]]))
    fills = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert fills[0] == _hex(HEAT_LOW) and fills[2] == _hex(HEAT_HIGH)
    assert [t.get_text() for t in ax.texts] == ["0", "5", "10", "5"]
    plt.close(fig)


def test_constant_table_uses_the_low_colour():
    """A table of equal cells (all zeros, say) is drawn in HEAT_LOW, without dividing by 0."""
    fig, (ax,) = grid_axes(1, shape=(2, 2))
    heat_table(ax, np.zeros((2, 2)))
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {_hex(HEAT_LOW)}
    plt.close(fig)


def test_grey_discs_write_dark_text_on_light_discs_and_light_text_on_dark_ones():
    """The text on a disc is black on a light grey and white on a dark one."""
    fig, (ax,) = grid_axes(1, shape=(1, 2))
    grey_discs(ax, np.array([[0, 207]]))
    colours = [t.get_color() for t in ax.texts]
    assert colours == ["#ffffff", "#111111"]
    plt.close(fig)


def test_value_grid_and_frame_draw_one_patch_per_cell_plus_the_frame():
    """value_grid draws a cell per number, dashed where asked; frame adds one rectangle."""
    fig, (ax,) = grid_axes(1, shape=(3, 3))
    dashed = np.zeros((3, 3), bool)
    dashed[0] = True
    value_grid(ax, np.arange(9).reshape(3, 3), dashed=dashed)
    frame(ax, (0, 1), (0, 1))
    assert len(ax.patches) == 10
    assert ax.patches[0].get_linestyle() == "--" and ax.patches[4].get_linestyle() == "-"
    plt.close(fig)
