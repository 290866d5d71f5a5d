"""The reader's notebook: it carries the helper modules its snippets import, needs no
``__file__``, and runs from a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

from dlm_site import directives, notebook

ROOT = Path(__file__).resolve().parents[2]

# Runs a notebook's code cells in order in one namespace, as a kernel would (no Jupyter needed).
EXEC_CELLS = """\
import sys

import nbformat

nb = nbformat.read(sys.argv[1], as_version=4)
namespace = {"__name__": "__main__"}
for cell in nb.cells:
    if cell.cell_type == "code":
        exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)
print("all cells ran")
"""


def run_notebook(path: Path, folder: Path) -> subprocess.CompletedProcess:
    """Run the notebook's code cells in a fresh Python process whose working folder is
    ``folder`` and whose path does not hold ``snippets/``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLM_")}
    env.update({"MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})
    script = folder / "exec_cells.py"
    script.write_text(EXEC_CELLS)
    return subprocess.run(
        [sys.executable, str(script), str(path)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_imported_helpers_are_found_transitively(tmp_path):
    """Helpers are the ``_name`` modules imported, directly or through another helper."""
    (tmp_path / "_a.py").write_text("import _b\n")
    (tmp_path / "_b.py").write_text("X = 1\n")
    (tmp_path / "_unused.py").write_text("")
    source = "from __future__ import annotations\nimport numpy\nfrom _a import thing\n"
    assert notebook.imported_helpers(source) == ["_a"]
    assert notebook.helper_names([source], tmp_path) == ["_a.py", "_b.py"]
    assert notebook.helper_names(["import _missing\n"], tmp_path) == []


def test_sys_path_lines_using_file_become_comments():
    """The snippets' ``sys.path`` line with ``__file__`` is neutralised, indented or not."""
    line = "sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # helpers"
    code = notebook.notebook_code(f"import sys\n{line}\nif True:\n    {line}\n")
    assert "__file__" not in code
    compile(code, "<notebook>", "exec")
    assert code.splitlines()[1].startswith("# (")
    assert code.splitlines()[3].startswith("    pass  #")


def test_helper_cells_write_the_helpers_exactly(tmp_path):
    """The helper cells write each module byte for byte, quotes and backslashes included."""
    source = 'S = "\\\\n"\nT = \'\'\'x\'\'\'\nU = """y"""\n'
    cells = notebook.helper_cells([("_odd.py", source)])
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for kind, text in cells:
            if kind == "code":
                exec(text, namespace)
    finally:
        os.chdir(cwd)
        sys.path.remove(str(tmp_path / notebook.HELPERS_DIR))
    assert (tmp_path / notebook.HELPERS_DIR / "_odd.py").read_text() == source


def test_article_notebook_runs_in_a_fresh_folder(tmp_path):
    """The notebook of "Inside the Model" (its snippet imports ``_walkthrough.py``) carries the
    helper, has no ``__file__``, validates, and its code cells run in a fresh process in an
    empty folder."""
    page = (ROOT / "site_src/blog/posts/inside-the-model.md").read_text(encoding="utf-8")
    found = directives.parse(page, directives.slug_dir("inside-the-model"))
    snippets = list(dict.fromkeys(d.snippet for d in found if d.snippet))
    text, helpers = notebook.for_article("Inside the Model", snippets, ROOT / "snippets")
    assert "_walkthrough.py" in helpers
    parsed = nbformat.reads(text, as_version=4)
    nbformat.validate(parsed)
    code = [c.source for c in parsed.cells if c.cell_type == "code"]
    assert not any("__file__" in c for c in code if "write_text" not in c)
    path = tmp_path / "inside-the-model.ipynb"
    path.write_text(text)
    folder = tmp_path / "reader"
    folder.mkdir()
    done = run_notebook(path, folder)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "all cells ran" in done.stdout
    assert (folder / notebook.HELPERS_DIR / "_walkthrough.py").is_file()


def test_notebook_without_helpers_has_no_helper_cells():
    """A snippet that imports no helper gives a notebook without the helper cells."""
    text = notebook.build("Demo", [("demo/a.py", textwrap.dedent("print(1)\n"))])
    assert notebook.HELPERS_DIR not in text
