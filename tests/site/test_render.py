"""Rendering what snippets publish into Markdown, and the reader's notebook."""

from __future__ import annotations

import nbformat

from dlm_site import notebook, render
from dlm_site.plugin import _relative, figure_uri, notebook_uri


def test_value_is_escaped():
    """A value never turns into markup."""
    assert render.value("a < b & c") == "a &lt; b &amp; c"


def test_table_markdown_with_alignment_and_pipes():
    """Tables are Markdown with the asked alignment; a ``|`` in a cell is escaped."""
    text = render.table({"header": ["a", "b"], "rows": [["1|2", "3"]], "align": "lr"})
    assert text == "| a | b |\n| :-- | --: |\n| 1\\|2 | 3 |"


def test_figure_markup():
    """A figure is a ``<figure class="dlm-figure">`` with both theme images and a caption."""
    info = {
        "alt": "A [curve]",
        "caption": "x < y\nand *z*",
        "light": "f.svg",
        "dark": "f-dark.svg",
        "width": 400,
        "height": 300,
    }
    text = render.figure(info, "../f.svg", "../f-dark.svg")
    assert text.startswith('<figure class="dlm-figure" markdown="span">')
    assert "![A \\[curve\\]](../f.svg#only-light)" in text
    assert "![A \\[curve\\]](../f-dark.svg#only-dark)" in text
    assert '{ width="400" height="300" loading="lazy" }' in text  # CSS pixels, as published
    assert '<figcaption markdown="span">x < y and *z*</figcaption>' in text


def test_source_is_folded_and_fenced_safely():
    """The source is a collapsed block; a fence longer than any backtick run in the code."""
    text = render.source('s = "```"\n', "demo/a.py", "../downloads/demo/a.py")
    assert text.startswith('??? example dlm-source "The code: snippets/demo/a.py"')
    assert "    ````python" in text
    assert "[Download a.py](../downloads/demo/a.py)" in text


def test_output_and_empty_output():
    """Printed output is a text block (or a block in the language asked); no output says so."""
    assert "```text\nhello\n```" in render.output("hello\n")
    assert "```python\nx = 1\n```" in render.output("x = 1\n", "python")
    assert "printed nothing" in render.output("")


def test_error_boxes():
    """Errors are a failure admonition (blocks) or a visible marker (inline values)."""
    assert render.error_block("Snippet failed", "boom").startswith("!!! failure dlm-snippet-error")
    assert 'class="dlm-snippet-error"' in render.error_inline("x < y")


def test_site_paths():
    """Figures, downloads and notebooks have stable paths; links are relative to the page."""
    assert figure_uri("general_concepts/patients.py", "f.svg") == (
        "figures/general_concepts/patients/f.svg"
    )
    assert notebook_uri("blog/posts/general-concepts.md", "general-concepts") == (
        "downloads/general-concepts.ipynb"
    )
    assert _relative("figures/a/b.svg", "blog/posts/p.md") == "../../figures/a/b.svg"


def test_notebook_cells_follow_the_snippet():
    """The docstring becomes Markdown, ``# %%`` splits code cells, ids are stable."""
    source = '"""Title.\n\nMore."""\n\n# %%\nimport math\n\n# %% Step two\nprint(math.pi)\n'
    assert notebook.split_cells(source) == [
        ("markdown", "Title.\n\nMore."),
        ("code", "import math"),
        ("code", "print(math.pi)"),
    ]
    text = notebook.build("Demo", [("demo/a.py", source)])
    assert text == notebook.build("Demo", [("demo/a.py", source)])
    parsed = nbformat.reads(text, as_version=4)
    nbformat.validate(parsed)
    assert [c.cell_type for c in parsed.cells] == [
        "markdown",
        "markdown",
        "markdown",
        "code",
        "code",
    ]
    assert parsed.cells[0].id == "cell-0"


def test_caption_maths_is_rendered_by_katex_through_the_page_markdown():
    """With the site's extensions, ``$L^2$`` in a caption becomes KaTeX HTML inside the caption."""
    import markdown
    import pytest

    from dlm_site import maths

    if not (maths.katex_dir() / "node_modules").exists():
        pytest.skip("KaTeX is not installed in .cache/katex")
    info = {"alt": "A $x$ plot", "caption": "The $L^2$ norm of *w*.", "light": "f.svg"}
    info.update({"dark": "f-dark.svg", "width": 400, "height": 300})
    text = render.figure(info, "f.svg", "f-dark.svg")
    out = markdown.markdown(
        text,
        extensions=["attr_list", "md_in_html", "pymdownx.arithmatex", "dlm_site.maths"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    caption = out[out.index("<figcaption>") : out.index("</figcaption>")]
    assert 'class="katex"' in caption and "<em>w</em>" in caption
    assert 'alt="A $x$ plot"' in out
