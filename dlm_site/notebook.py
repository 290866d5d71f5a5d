"""The reader's copy of an article's code, as a Jupyter notebook.

A snippet becomes cells: its module docstring a Markdown cell, and its code split into code cells
at ``# %%`` lines (the "percent" format that Jupyter, VS Code and jupytext understand). An article
that runs several snippets gets one notebook with all of them, in the order the article uses them.

The notebook is written with ``nbformat`` (installed with mkdocs-jupyter) and has no outputs: the
reader runs it. Cell ids are numbered rather than random, so two builds give the same bytes.
"""

from __future__ import annotations

import ast
import re

import nbformat
from nbformat import v4

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


def build(title: str, snippets: list[tuple[str, str]]) -> str:
    """The notebook (JSON text) for an article: ``snippets`` are ``(path, source)`` pairs."""
    notebook = v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = [
        v4.new_markdown_cell(
            f"# {title}\n\nThe code of this article, as the site runs it when it is built. "
            "It needs `dlm`: install it from the repository with `pip install -e .`."
        )
    ]
    for path, source in snippets:
        cells.append(v4.new_markdown_cell(f"## `snippets/{path}`"))
        for kind, text in split_cells(source):
            if kind == "markdown":
                cells.append(v4.new_markdown_cell(text))
            else:
                cells.append(v4.new_code_cell(text))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    notebook.cells = cells
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"
