"""The publishing helper that snippets import: what it writes, what it refuses, and figures that
are the same bytes every time."""

from __future__ import annotations

import json

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlm_site import publish  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure after each test."""
    yield
    plt.close("all")


@pytest.fixture
def out(tmp_path, monkeypatch):
    """A publish folder, as the runner sets it, and a fresh record of what was published."""
    monkeypatch.setenv(publish.OUT_ENV, str(tmp_path))
    monkeypatch.setattr(publish, "_published", {"values": {}, "tables": {}, "figures": {}})
    return tmp_path


def manifest(folder) -> dict:
    """The manifest the runner reads back."""
    return json.loads((folder / publish.MANIFEST).read_text())


def draw():
    """A small figure in the publish style."""
    with matplotlib.rc_context(publish.RC):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [1, 0, 1], color=publish.BLUE)
        ax.set_xlabel("x")
    return fig


def test_value_is_formatted_and_recorded(out):
    """``value`` formats with the format spec and records the text in the manifest."""
    assert publish.value("third", 1 / 3, ".3f") == "0.333"
    publish.value("count", 1234, ",")
    assert manifest(out)["values"] == {"third": "0.333", "count": "1,234"}


def test_value_must_fit_on_one_line(out):
    """A value with a newline is refused: it sits inside a sentence."""
    with pytest.raises(ValueError, match=r"publish.value\('v'\): a value must fit on one line"):
        publish.value("v", "a\nb")


def test_names_are_checked(out):
    """Names are letters, digits, ``_`` and ``-``, and each name is published once."""
    with pytest.raises(ValueError, match="a name must be letters, digits"):
        publish.value("has space", 1)
    publish.value("x", 1)
    with pytest.raises(ValueError, match="the name 'x' is published twice"):
        publish.table("x", ["a"], [["1"]])


def test_table_checks_its_shape(out):
    """Every row has one cell per header cell, and ``align`` one letter per column."""
    with pytest.raises(ValueError, match=r"row 1 has 1 cells, the header has 2"):
        publish.table("t", ["a", "b"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="align must be one of l, c, r per column"):
        publish.table("t", ["a", "b"], [["1", "2"]], align="lx")
    publish.table("t", ["a", "b"], [[1, 2.5]], align="lr")
    assert manifest(out)["tables"]["t"] == {
        "header": ["a", "b"],
        "rows": [["1", "2.5"]],
        "align": "lr",
    }


def test_marks_have_text_alternatives():
    """✓ is read as "correct" and ✗ as "wrong" (the original blog had them swapped)."""
    assert 'aria-label="correct">✓' in publish.mark(True)
    assert 'aria-label="wrong">✗' in publish.mark(False)


def test_figure_needs_alt_and_caption(out):
    """A figure without alt text or without a caption is refused."""
    with pytest.raises(ValueError, match="alt text is required"):
        publish.figure("f", draw(), alt=" ", caption="c")
    with pytest.raises(ValueError, match="a caption is required"):
        publish.figure("f", draw(), alt="a", caption="")


def test_figure_writes_a_light_and_a_dark_svg(out):
    """Two SVG files: the dark one swaps the ink for a light grey and keeps the data colours."""
    publish.figure("f", draw(), alt="A V shape.", caption="Caption.")
    entry = manifest(out)["figures"]["f"]
    assert entry["alt"] == "A V shape." and entry["caption"] == "Caption."
    light = (out / entry["light"]).read_text()
    dark = (out / entry["dark"]).read_text()
    assert publish.INK in light and publish.INK not in dark and publish.INK_DARK in dark
    assert publish.BLUE in light and publish.BLUE in dark
    assert "<dc:date>" not in light


def test_figure_bytes_are_reproducible(tmp_path, monkeypatch):
    """The same figure saved twice gives the same bytes (fixed hash salt, no date)."""
    saved = []
    for run in ("one", "two"):
        folder = tmp_path / run
        folder.mkdir()
        monkeypatch.setenv(publish.OUT_ENV, str(folder))
        monkeypatch.setattr(publish, "_published", {"values": {}, "tables": {}, "figures": {}})
        publish.figure("f", draw(), alt="a", caption="c")
        saved.append([(folder / n).read_bytes() for n in ("f.svg", "f-dark.svg")])
    assert saved[0] == saved[1]


def test_alone_it_prints_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """Outside the build, publishing prints what would be published and writes no file."""
    monkeypatch.delenv(publish.OUT_ENV, raising=False)
    monkeypatch.setattr(publish, "_published", {"values": {}, "tables": {}, "figures": {}})
    monkeypatch.chdir(tmp_path)
    publish.value("v", 2)
    publish.figure("f", draw(), alt="a", caption="The caption.")
    assert capsys.readouterr().out == "[value v] 2\n[figure f] The caption.\n"
    assert list(tmp_path.iterdir()) == []


def test_black_ink_is_swapped_too(out):
    """A figure drawn in matplotlib's default black still gets light ink in the dark variant."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1], color="black")
    ax.set_title("black title", color="black")
    publish.figure("b", fig, alt="a", caption="c")
    dark = (out / "b-dark.svg").read_text()
    assert "#000000" not in dark and publish.INK_DARK in dark


def test_figure_size_is_in_css_pixels(out):
    """The recorded width and height are CSS pixels (96 per inch): the SVG's own size in points
    (72 per inch) times 96/72, so the page shows the figure at its drawn size, not at 75%."""
    import re

    publish.figure("f", draw(), alt="A V shape.", caption="Caption.")
    entry = manifest(out)["figures"]["f"]
    assert (entry["width"], entry["height"]) == (3 * 96, 2 * 96)
    svg = (out / entry["light"]).read_text()
    width_pt = float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', svg).group(1))
    height_pt = float(re.search(r'<svg[^>]* height="([0-9.]+)pt"', svg).group(1))
    assert round(width_pt * 96 / 72) == entry["width"]
    assert round(height_pt * 96 / 72) == entry["height"]
