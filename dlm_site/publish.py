"""What a snippet publishes for its article: figures, values and tables.

A snippet is a plain Python file. It computes with ``dlm``, asserts what its article states, and
hands the article its results through three calls::

    from dlm_site import publish

    publish.value("first_output", y[0], fmt=".2f")       # inline in a sentence
    publish.table("results", ["patient", "correct"], rows)  # a table
    publish.figure("outputs", fig, alt="...", caption="...")  # a figure (matplotlib)

Under the build, the runner sets ``DLM_PUBLISH_DIR``; each call then writes its result into that
folder, and records it in ``published.json``. Run alone (``python snippets/....py``), the snippet
has no such folder: the calls print what they would publish, and write nothing.

Figures are saved twice, once for the light theme and once for the dark theme: the dark copy swaps
the ink colour (``INK``, used for text, axes and ticks, and black) for ``INK_DARK``. Data colours
should be mid-tones that read on both backgrounds, such as ``BLUE``, ``ORANGE``, ``GREEN`` and
``RED``. The SVG files are byte-for-byte reproducible: a fixed ``svg.hashsalt`` and no date in
the metadata.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

#: The environment variable that holds the folder results are written to (set by the runner).
OUT_ENV = "DLM_PUBLISH_DIR"
#: The manifest the runner reads back.
MANIFEST = "published.json"

#: Ink for text, axes and ticks in the light theme, and its replacement in the dark theme.
INK = "#333333"
INK_DARK = "#d6d6d6"
#: Mid-tone colours that read on a white and on a dark background.
BLUE = "#3b82c4"
ORANGE = "#e08a2c"
GREEN = "#3a9d5d"
RED = "#d1495b"
GREY = "#8c8c8c"

#: matplotlib settings for every snippet figure (apply them with ``publish.style()``).
RC = {
    "svg.hashsalt": "dlm",
    "svg.fonttype": "path",
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "figure.figsize": (6.4, 3.6),
}

_published: dict = {"values": {}, "tables": {}, "figures": {}}


def style() -> None:
    """Apply ``RC`` to matplotlib: call it once, before drawing the first figure."""
    import matplotlib

    matplotlib.rcParams.update(RC)


def out_dir() -> Path | None:
    """The folder results go to, or ``None`` when the snippet runs outside the build."""
    path = os.environ.get(OUT_ENV)
    return Path(path) if path else None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.replace("_", "a").replace("-", "a").isalnum():
        raise ValueError(f"publish: a name must be letters, digits, '_' or '-', got {name!r}")
    for kind in _published.values():
        if name in kind:
            raise ValueError(f"publish: the name {name!r} is published twice")


def _write_manifest() -> None:
    folder = out_dir()
    if folder is None:
        return
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(_published, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def value(name: str, x, fmt: str = "") -> str:
    """Publish one value for the prose, formatted with ``format(x, fmt)``; return the text.

    ``fmt`` is a format spec such as ``".2f"``, ``".3g"`` or ``","``. Strings are published as
    they are. Keep them short: a value sits inside a sentence.
    """
    _check_name(name)
    text = format(x, fmt)
    if "\n" in text:
        raise ValueError(f"publish.value({name!r}): a value must fit on one line, got {text!r}")
    _published["values"][name] = text
    _write_manifest()
    if out_dir() is None:
        print(f"[value {name}] {text}")
    return text


def mark(ok: bool) -> str:
    """A table cell that shows ✓ (``ok``) or ✗, with a text alternative for screen readers."""
    if ok:
        return '<span class="dlm-mark dlm-mark--ok" role="img" aria-label="correct">✓</span>'
    return '<span class="dlm-mark dlm-mark--wrong" role="img" aria-label="wrong">✗</span>'


def table(name: str, header: list[str], rows: list[list], align: str = "") -> None:
    """Publish a small table: a header and rows of cells (numbers or Markdown strings).

    ``align`` gives one letter per column, ``l``, ``c`` or ``r`` (default: left everywhere).
    Format numbers before passing them in, so that the table shows what the prose says.
    """
    _check_name(name)
    rows = [[str(cell) for cell in row] for row in rows]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"publish.table({name!r}): row {i} has {len(row)} cells, the header has "
                f"{len(header)}"
            )
    align = align or "l" * len(header)
    if len(align) != len(header) or set(align) - set("lcr"):
        raise ValueError(
            f"publish.table({name!r}): align must be one of l, c, r per column, got {align!r}"
        )
    _published["tables"][name] = {"header": [str(h) for h in header], "rows": rows, "align": align}
    _write_manifest()
    if out_dir() is None:
        print(f"[table {name}] " + " | ".join(header))
        for row in rows:
            print(f"[table {name}] " + " | ".join(row))


def _recolour(fig, old: tuple[str, ...], new: str) -> list:
    """Set every artist drawn in one of the colours ``old`` to ``new``; return how to undo it."""
    from matplotlib.colors import to_hex, to_rgba

    undo = []
    targets = {to_hex(colour) for colour in old}
    rgba_new = to_rgba(new)
    for artist in fig.findobj():
        for attr in ("color", "edgecolor", "facecolor", "markeredgecolor", "markerfacecolor"):
            getter = getattr(artist, f"get_{attr}", None)
            setter = getattr(artist, f"set_{attr}", None)
            if getter is None or setter is None:
                continue
            try:
                colour = getter()
                # Collections return an (n, 4) array of colours; others return one colour.
                if hasattr(colour, "ndim") and colour.ndim == 2:
                    if len(colour) == 0 or any(
                        to_hex(c, keep_alpha=False) not in targets for c in colour
                    ):
                        continue
                    alpha = colour[0][3]
                elif isinstance(colour, str) and colour in ("none", "auto", "inherit"):
                    continue
                else:
                    if to_hex(colour, keep_alpha=False) not in targets:
                        continue
                    alpha = to_rgba(colour)[3]
            except (ValueError, TypeError):
                continue
            undo.append((setter, colour))
            setter((*rgba_new[:3], alpha))
    return undo


def _save_svg(fig, path: Path) -> None:
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "dlm"}):
        fig.savefig(path, format="svg", metadata={"Date": None}, transparent=True)


def figure(name: str, fig, alt: str, caption: str, measured: bool = False) -> None:
    """Publish a matplotlib figure with its alt text (what it shows) and its caption.

    Both are required: the alt text is read aloud in place of the picture, the caption is shown
    under it. The figure is saved as ``<name>.svg`` (light theme) and ``<name>-dark.svg``.

    ``measured=True`` declares a figure that plots timings of the build machine: the only kind of
    figure that may differ between two builds. The determinism test leaves it out; every other
    figure must come out byte-identical.
    """
    _check_name(name)
    if not alt or not alt.strip():
        raise ValueError(f"publish.figure({name!r}): alt text is required")
    if not caption or not caption.strip():
        raise ValueError(f"publish.figure({name!r}): a caption is required")
    # CSS pixels: an SVG sized in points (72 per inch) shows at 96 pixels per inch.
    width, height = (float(v) * 96 for v in fig.get_size_inches())
    entry = {
        "alt": alt.strip(),
        "caption": caption.strip(),
        "light": f"{name}.svg",
        "dark": f"{name}-dark.svg",
        "width": round(width),
        "height": round(height),
        "measured": bool(measured),
    }
    folder = out_dir()
    if folder is None:
        print(f"[figure {name}] {caption.strip()}")
        _published["figures"][name] = entry
        return
    _save_svg(fig, folder / entry["light"])
    # Black too: matplotlib's default ink, for a figure drawn without publish.style().
    undo = _recolour(fig, (INK, "#000000"), INK_DARK)
    try:
        _save_svg(fig, folder / entry["dark"])
    finally:
        for setter, colour in reversed(undo):
            setter(colour)
    import matplotlib.pyplot as plt

    plt.close(fig)
    _published["figures"][name] = entry
    _write_manifest()


def escape(text: str) -> str:
    """Escape ``text`` for use in a table cell or a caption (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)
