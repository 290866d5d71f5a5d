"""The reader's copy of an article's code, as a Jupyter notebook.

A snippet becomes cells: its module docstring a Markdown cell, and its code split into code cells
at ``# %%`` lines (the "percent" format that Jupyter, VS Code and jupytext understand). An article
that runs several snippets gets one notebook with all of them, in the order the article uses them.

The notebook is written with ``nbformat`` (installed with mkdocs-jupyter) and has no outputs: the
reader runs it. Cell ids are numbered rather than random, so two builds give the same bytes. (The
tests validate it against the notebook schema; the build skips that, which costs 20 ms a page.)

Snippets import shared helper modules (``snippets/_walkthrough.py``, ``_layers.py``, ...) after
putting ``snippets/`` on ``sys.path`` with ``Path(__file__)``. A notebook has no ``__file__`` and no
``snippets/`` folder, so it carries its helpers: its first code cells write each helper module the
article needs (found with ``helper_names``, transitively) into a ``snippet_helpers/`` folder and
put that folder on ``sys.path``, and the snippets' own ``sys.path`` line becomes a comment. The
notebook runs anywhere ``dlm`` is installed.

Why not mkdocs-jupyter itself: it turns notebooks into *pages* and executes them in a Jupyter
kernel, with a cache keyed on the notebook alone and tracebacks published by default. Our pages
are Markdown and our snippets run in the runner; what the reader needs is a file to download, and
nbformat, which mkdocs-jupyter brings along, writes exactly that.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from nbformat import from_dict
from nbformat.v4 import nbjson

_CELL = re.compile(r"^# %%.*$", re.MULTILINE)
# The snippets' way to reach the helpers: ``sys.path.insert(0, str(Path(__file__)...))``.
_SYS_PATH = re.compile(
    r"^(?P<indent>[ \t]*)sys\.path\.(?:insert|append)\(.*__file__.*$", re.MULTILINE
)
#: Where the notebook writes the helper modules, relative to its working directory.
HELPERS_DIR = "snippet_helpers"


def imported_helpers(source: str) -> list[str]:
    """The helper modules (top-level names starting with one ``_``) that ``source`` imports."""
    try:
        module = ast.parse(source)
    except SyntaxError:
        return []
    names: dict[str, None] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            found = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found = [node.module.split(".")[0]]
        else:
            continue
        for name in found:
            if name.startswith("_") and not name.startswith("__"):
                names.setdefault(name, None)
    return list(names)


def helper_names(sources: list[str], snippets_dir: Path) -> list[str]:
    """The helper files under ``snippets_dir`` (``_walkthrough.py``, ...) that these snippet
    sources import, directly or through another helper, sorted."""
    needed: set[str] = set()
    todo = [name for source in sources for name in imported_helpers(source)]
    while todo:
        name = todo.pop()
        path = Path(snippets_dir) / f"{name}.py"
        if name in needed or not path.is_file():
            continue
        needed.add(name)
        todo += imported_helpers(path.read_text(encoding="utf-8"))
    return sorted(f"{name}.py" for name in needed)


def notebook_code(source: str) -> str:
    """A snippet's code as the notebook runs it: its ``sys.path`` line using ``__file__`` (which
    a notebook lacks) becomes a comment, as the notebook's first cells set the path."""
    note = f"the notebook's first cells put {HELPERS_DIR}/ on sys.path"

    def swap(match: re.Match[str]) -> str:
        indent = match.group("indent")
        return f"{indent}pass  # {note}" if indent else f"# ({note})"

    return _SYS_PATH.sub(swap, source)


def _string_literal(text: str) -> str:
    """Python source for the string ``text``: a readable raw triple-quoted string if possible."""
    for quote in ("'''", '"""'):
        if quote not in text and not text.endswith("\\") and quote[0] not in text[-1:]:
            return f"r{quote}{text}{quote}"
    return repr(text)


def helper_cells(helpers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cells that write the helper modules (``(name, source)`` pairs) and import-enable them."""
    if not helpers:
        return []
    names = ", ".join(f"`{name}`" for name, _ in helpers)
    cells = [
        (
            "markdown",
            f"## Helper modules\n\nThe code below imports {names}, shared by several articles. "
            f"The next cells save them into a folder `{HELPERS_DIR}/` beside this notebook and "
            "put it on Python's path. Run them first.",
        ),
        (
            "code",
            "import importlib\nimport sys\nfrom pathlib import Path\n\n"
            f'HELPERS = Path("{HELPERS_DIR}").resolve()\n'
            "HELPERS.mkdir(exist_ok=True)\n"
            "if str(HELPERS) not in sys.path:\n"
            "    sys.path.insert(0, str(HELPERS))",
        ),
    ]
    for name, source in helpers:
        cells.append(
            (
                "code",
                f"# {name}\n(HELPERS / {name!r}).write_text(\n"
                f"    {_string_literal(source)},\n"
                '    encoding="utf-8",\n)\nimportlib.invalidate_caches()',
            )
        )
    return cells


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


def build(
    title: str, snippets: list[tuple[str, str]], helpers: list[tuple[str, str]] | None = None
) -> str:
    """The notebook (JSON text) for an article: ``snippets`` are ``(path, source)`` pairs, and
    ``helpers`` the ``(file name, source)`` of the helper modules they import."""
    cells = [
        (
            "markdown",
            f"# {title}\n\nThe code of this article, as the site runs it when it is built. "
            "It needs `dlm`: install it from the repository with `pip install -e .`.",
        )
    ]
    cells += helper_cells(list(helpers or []))
    for path, source in snippets:
        cells.append(("markdown", f"## `snippets/{path}`"))
        cells += split_cells(notebook_code(source))
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


def for_article(title: str, snippets: list[str], snippets_dir: Path) -> tuple[str, list[str]]:
    """The notebook of an article whose snippets are ``snippets`` (paths under
    ``snippets_dir``, in the order the article uses them; missing files are skipped), and the
    names of the helper modules it carries."""
    sources = []
    for snippet in snippets:
        path = Path(snippets_dir) / snippet
        if path.is_file():
            sources.append((snippet, path.read_text(encoding="utf-8")))
    helpers = helper_names([text for _, text in sources], snippets_dir)
    helper_sources = [
        (name, (Path(snippets_dir) / name).read_text(encoding="utf-8")) for name in helpers
    ]
    return build(title, sources, helper_sources), helpers
