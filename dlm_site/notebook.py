"""The reader's copy of an article's code, as a Jupyter notebook.

A snippet becomes cells: its module docstring a Markdown cell, and its code split into code cells
at ``# %%`` lines (the "percent" format that Jupyter, VS Code and jupytext understand). An article
that runs several snippets gets one notebook with all of them, in the order the article uses them.

The notebook is written with ``nbformat`` (installed with mkdocs-jupyter) and has no outputs: the
reader runs it. Cell ids are numbered rather than random, so two builds give the same bytes. (The
tests validate it against the notebook schema; the build skips that, which costs 20 ms a page.)

Why not mkdocs-jupyter itself: it turns notebooks into *pages* and executes them in a Jupyter
kernel, with a cache keyed on the notebook alone and tracebacks published by default. Our pages
are Markdown and our snippets run in the runner; what the reader needs is a file to download, and
nbformat, which mkdocs-jupyter brings along, writes exactly that.
"""

from __future__ import annotations

import ast
import re

from nbformat import from_dict
from nbformat.v4 import nbjson

_CELL = re.compile(r"^# %%.*$", re.MULTILINE)


def split_cells(source: str) -> list[tuple[str, str]]:
    """Split a snippet into ``("markdown" | "code", text)`` cells."""
    cells: list[tuple[str, str]] = []
    try:
        module = ast.parse(source)
    except SyntaxError:
        module = None
    docstring = ast.get_docstring(module) if module else None
    if module and docstring and module.body:
        first = module.body[0]
        lines = source.splitlines(keepends=True)
        source = "".join(lines[first.end_lineno :])
        cells.append(("markdown", docstring))
    for chunk in _CELL.split(source):
        chunk = chunk.strip("\n")
        if chunk.strip():
            cells.append(("code", chunk))
    return cells


def _cell(kind: str, text: str, number: int) -> dict:
    """One cell, with a numbered id (nbformat's ``new_*_cell`` would validate each, slowly)."""
    cell = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": text}
    if kind == "code":
        cell.update({"execution_count": None, "outputs": []})
    return cell


def build(title: str, snippets: list[tuple[str, str]]) -> str:
    """The notebook (JSON text) for an article: ``snippets`` are ``(path, source)`` pairs."""
    cells = [
        (
            "markdown",
            f"# {title}\n\nThe code of this article, as the site runs it when it is built. "
            "It needs `dlm`: install it from the repository with `pip install -e .`.",
        )
    ]
    for path, source in snippets:
        cells.append(("markdown", f"## `snippets/{path}`"))
        cells += split_cells(source)
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "cells": [_cell(kind, text, n) for n, (kind, text) in enumerate(cells)],
    }
    # The v4 JSON writer, without the schema validation that nbformat.writes adds.
    return nbjson.writes(from_dict(notebook)) + "\n"
