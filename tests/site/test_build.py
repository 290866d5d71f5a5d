"""The plugin inside real MkDocs builds of a small project: results on pages, errors that fail
``mkdocs build --strict`` and name the article, error boxes under ``mkdocs serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

from dlm_site.runner import ENV_EXECUTE


def report(project) -> dict:
    """The execution report of the last build, by snippet."""
    data = json.loads((project.cache / "report.json").read_text())
    return {s["snippet"]: s for s in data["snippets"]}


def test_results_appear_on_the_page(mini_project, build_mini):
    """Values, figure, table, source, output and downloads all land on the built page."""
    result = build_mini(mini_project)
    assert result.ok, result.log
    html = result.html()
    assert "The answer is 42 and the ratio 0.667." in html
    assert '<figure class="dlm-figure">' in html
    assert 'alt="A rising curve through three points."' in html
    assert "<figcaption>A parabola.</figcaption>" in html
    assert 'src="../figures/demo_page/good/curve.svg#only-light"' in html
    assert 'width="614"' in html and 'height="346"' in html  # 6.4 x 3.6 in at 96 px per inch
    assert 'src="../figures/demo_page/good/curve-dark.svg#only-dark"' in html
    assert 'aria-label="correct">✓</span>' in html and 'aria-label="wrong">✗</span>' in html
    assert "hello from the snippet" in html
    assert 'class="example dlm-source"' in html
    for name in ("curve.svg", "curve-dark.svg"):
        assert (result.site / "figures/demo_page/good" / name).read_bytes().startswith(b"<?xml")
    assert (result.site / "downloads/demo_page/good.py").read_text().startswith("import matplotlib")
    notebook = nbformat.reads((result.site / "downloads/demo-page.ipynb").read_text(), 4)
    nbformat.validate(notebook)
    assert any("publish.value" in cell.source for cell in notebook.cells)
    assert 'href="../downloads/demo-page.ipynb"' in html


def test_caption_is_inline_markdown_with_maths(mini_project, build_mini):
    """A caption renders emphasis, code and ``$...$`` maths; the alt text stays plain."""
    yml = mini_project.root / "mkdocs.yml"
    yml.write_text(yml.read_text() + "  - pymdownx.arithmatex:\n      generic: true\n")
    snippet = mini_project.root / "snippets/demo_page/good.py"
    snippet.write_text(
        snippet.read_text().replace(
            'caption="A parabola."', 'caption="The *x* axis, `x**2` and $L^2$: a < b."'
        )
    )
    result = build_mini(mini_project)
    assert result.ok, result.log
    html = result.html()
    caption = html[html.index("<figcaption>") : html.index("</figcaption>")]
    assert "<em>x</em>" in caption
    assert "<code>x**2</code>" in caption
    assert '<span class="arithmatex">\\(L^2\\)</span>' in caption
    assert "a &lt; b" in caption
    assert 'alt="A rising curve through three points."' in html


def test_printed_code_can_be_highlighted_as_python(mini_project, build_mini):
    """``{{ output good lang=python }}`` gives a Python code block; without it, plain text."""
    page = mini_project.root / "docs" / "demo.md"
    page.write_text(page.read_text() + "\n{{ output good lang=python }}\n")
    result = build_mini(mini_project)
    assert result.ok, result.log
    html = result.html()
    assert "<code>hello from the snippet" in html  # plain text
    assert '<span class="n">hello</span> <span class="kn">from</span>' in html  # as Python


def test_downloads_offer_the_helper_modules(mini_project, build_mini, tmp_path):
    """A snippet that imports a helper ``snippets/_shared.py``: the download box offers the
    helper, the site serves it, and the downloaded ``.py`` runs on its own beside it."""
    mini_project.snippet("_shared.py", "def double(x):\n    return 2 * x\n")
    mini_project.snippet(
        "demo_page/helped.py",
        """\
        import sys
        from pathlib import Path

        from dlm_site import publish

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # snippets/
        from _shared import double  # noqa: E402

        publish.value("doubled", double(21))
        """,
    )
    page = mini_project.root / "docs" / "demo.md"
    page.write_text(page.read_text() + "\nTwice is {{ value helped:doubled }}.\n")
    result = build_mini(mini_project)
    assert result.ok, result.log
    html = result.html()
    assert "Twice is 42." in html
    assert 'href="../downloads/_shared.py"' in html and "helper module" in html
    reader = tmp_path / "reader"
    reader.mkdir()
    for name in ("demo_page/helped.py", "_shared.py"):  # saved side by side, as the box says
        target = reader / name.rsplit("/", 1)[-1]
        target.write_bytes((result.site / "downloads" / name).read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "DLM_PUBLISH_DIR"}
    done = subprocess.run(
        [sys.executable, "helped.py"], cwd=reader, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "[value doubled] 42" in done.stdout
    notebook = nbformat.reads((result.site / "downloads/demo-page.ipynb").read_text(), 4)
    assert any("_shared.py" in cell.source for cell in notebook.cells if cell.cell_type == "code")


def test_one_log_line_per_snippet_and_a_report(mini_project, build_mini):
    """The log says ran or cache hit, with seconds; the JSON report has per-snippet timings."""
    first = build_mini(mini_project)
    assert "snippets: demo_page/good.py: ran in" in first.log
    assert report(mini_project)["demo_page/good.py"]["status"] == "ran"
    second = build_mini(mini_project)
    assert "snippets: demo_page/good.py: cache hit" in second.log
    entry = report(mini_project)["demo_page/good.py"]
    assert entry["status"] == "hit" and entry["pages"] == ["demo.md"]
    assert entry["run_seconds"] > 0


def test_editing_prose_reruns_nothing(mini_project, build_mini):
    """A prose edit leaves every snippet cached; the page shows the new prose."""
    build_mini(mini_project)
    page = mini_project.root / "docs" / "demo.md"
    page.write_text(page.read_text().replace("The answer is", "Our answer is"))
    result = build_mini(mini_project)
    assert report(mini_project)["demo_page/good.py"]["status"] == "hit"
    assert "Our answer is 42" in result.html()


def test_editing_the_library_reruns_the_snippet(mini_project, build_mini):
    """An edit under the key folders (``dlm/`` in the real site) re-runs the snippet."""
    build_mini(mini_project)
    (mini_project.root / "lib" / "core.py").write_text("VERSION = 2\n")
    build_mini(mini_project)
    assert report(mini_project)["demo_page/good.py"]["status"] == "ran"


def test_unused_cache_entries_are_pruned(mini_project, build_mini):
    """After a snippet changes, its old entry is deleted at the end of a build, once no build
    has used it for an hour (a build running beside this one may still need it before that)."""
    build_mini(mini_project)
    old = report(mini_project)["demo_page/good.py"]["key"]
    snippet = mini_project.root / "snippets/demo_page/good.py"
    snippet.write_text(snippet.read_text() + "\nprint('more')\n")
    build_mini(mini_project)
    assert (mini_project.cache / old).exists()  # used a moment ago: kept
    os.utime(mini_project.cache / old / "result.json", (0, 0))
    build_mini(mini_project)
    assert not (mini_project.cache / old).exists()
    assert (mini_project.cache / report(mini_project)["demo_page/good.py"]["key"]).exists()


def test_raising_snippet_fails_the_build(mini_project, build_mini):
    """A snippet that raises fails the strict build, naming article, snippet, line, exception."""
    mini_project.snippet("demo_page/good.py", "x = 1\nassert x == 2, 'x is not 2'\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert (
        "article 'demo.md' (line 8): snippet snippets/demo_page/good.py, line 2: "
        "AssertionError: x is not 2" in result.log
    )
    assert "Aborted with" in result.log


def test_nonzero_exit_fails_the_build(mini_project, build_mini):
    """A snippet that exits with a non-zero status fails the build."""
    mini_project.snippet("demo_page/good.py", "import sys\nsys.exit(2)\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert "snippets/demo_page/good.py: exited with status 2" in result.log


def test_timeout_fails_the_build(mini_project, build_mini):
    """A snippet that runs past its timeout fails the build and says so."""
    mini_project.snippet(
        "demo_page/good.py", "# dlm-snippet: timeout=0.5\nimport time\ntime.sleep(30)\n"
    )
    result = build_mini(mini_project)
    assert not result.ok
    assert "snippets/demo_page/good.py: timed out after 0.5 s" in result.log


def test_unpublished_figure_fails_the_build(mini_project, build_mini):
    """A page asking for a figure the snippet does not publish fails, listing what exists."""
    mini_project.page("demo.md", "---\nslug: demo-page\n---\n\n{{ figure good:curv }}\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert (
        "article 'demo.md' (line 5): snippets/demo_page/good.py publishes no figure named 'curv' "
        "(its figures: curve); did you mean 'curve'?" in result.log
    )


def test_misspelt_value_fails_the_build(mini_project, build_mini):
    """A misspelt value name is an error naming the value, never an empty string."""
    mini_project.page("demo.md", "---\nslug: demo-page\n---\n\nIt is {{ value good:answr }}.\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert (
        "publishes no value named 'answr' (its values: answer, ratio); did you mean 'answer'?"
        in (result.log)
    )


def test_missing_snippet_file_fails_the_build(mini_project, build_mini):
    """A directive naming a snippet that does not exist fails with the path it looked for."""
    mini_project.page("demo.md", "---\nslug: demo-page\n---\n\n{{ output missing }}\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert "snippets/demo_page/missing.py: the snippet file does not exist" in result.log


def test_bad_directive_fails_the_build(mini_project, build_mini):
    """A malformed directive fails the build with the page and its line."""
    mini_project.page("demo.md", "---\nslug: demo-page\n---\n\nText.\n\n{{ figur good:curve }}\n")
    result = build_mini(mini_project)
    assert not result.ok
    assert "article 'demo.md' (line 7): bad directive: unknown directive 'figur'" in result.log


def test_serve_shows_an_error_box_and_keeps_going(mini_project, build_mini, capfd):
    """Under ``mkdocs serve`` a failing snippet gives an error box, the build completes, the
    error is printed, and the old (cached) result is not shown."""
    assert build_mini(mini_project).ok
    mini_project.snippet("demo_page/good.py", "raise RuntimeError('broken on purpose')\n")
    result = build_mini(mini_project, serve=True)
    assert result.ok, result.log
    html = result.html()
    assert "dlm-snippet-error" in html and "RuntimeError: broken on purpose" in html
    assert "The answer is 42" not in html and "curve.svg" not in html
    assert "snippets/demo_page/good.py, line 1: RuntimeError: broken on purpose" in (
        capfd.readouterr().err
    )


def test_execution_off_gives_placeholders(mini_project, build_mini, monkeypatch):
    """With ``DLM_SNIPPETS_EXECUTE=0`` nothing runs: results show placeholders, while the code
    and the downloads, which need no execution, are still there."""
    monkeypatch.setenv(ENV_EXECUTE, "0")
    result = build_mini(mini_project)
    assert result.ok, result.log
    assert "execution is off" in result.log
    html = result.html()
    assert "[value demo_page/good.py:answer]" in html and "[figure demo_page/good.py:curve" in html
    assert 'class="example dlm-source"' in html  # the code needs no execution
    assert (result.site / "downloads/demo-page.ipynb").is_file()
    assert not (mini_project.cache / "report.json").exists()


@pytest.mark.parametrize("text", ["\\{{ value good:answer }}", "`{{ value good:answer }}`"])
def test_escapes_are_kept_literal(mini_project, build_mini, text):
    """An escaped or code-quoted directive is printed as written."""
    mini_project.page("demo.md", f"---\nslug: demo-page\n---\n\nWrite {text} to insert.\n")
    result = build_mini(mini_project)
    assert result.ok, result.log
    assert "{{ value good:answer }}" in result.html()


def test_serve_watches_snippets_and_the_library(mini_project):
    """``mkdocs serve`` watches ``snippets/`` and the key folders (``dlm/`` in the real site)."""
    from mkdocs.config import load_config

    config = load_config(str(mini_project.root / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    watched = []

    class Server:
        def watch(self, path):
            watched.append(path)

    config.plugins["snippets"].on_serve(Server(), config=config, builder=None)
    assert watched == [str(mini_project.root / "snippets"), str(mini_project.root / "lib")]
