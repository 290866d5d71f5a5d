"""Build-time maths (dlm_site.maths) and the maths markers (dlm_site.markers)."""

from __future__ import annotations

import shutil

import markdown
import pytest

from dlm_site import maths
from dlm_site.maths import MathsError, number_equations, render_page_maths

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def convert(text: str) -> str:
    """Markdown -> HTML with the site's maths and marker extensions."""
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "dlm_site.maths", "dlm_site.markers"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(text)


def test_labels_are_numbered_in_order_and_tags_are_kept() -> None:
    """\\label gets the next number; an explicit \\tag wins and does not use a number."""
    equations, numbers = number_equations(
        [
            ("a = b \\label{first}", True),
            ("c = d \\tag{U} \\label{update}", True),
            ("x", False),
            ("e = f \\label{second}", True),
        ]
    )
    assert numbers == {"first": "1", "update": "U", "second": "2"}
    assert equations[0].tex.endswith("\\tag{1}") and "\\label" not in equations[0].tex
    assert "\\tag{2}" not in equations[1].tex
    assert equations[3].tag == "2"


def test_label_twice_fails() -> None:
    """One label used for two formulas fails, naming the label."""
    with pytest.raises(MathsError, match=r"equation label 'a' is used twice"):
        number_equations([("x \\label{a}", True), ("y \\label{a}", True)])


def test_label_in_inline_formula_fails() -> None:
    """Only display formulas can be numbered."""
    with pytest.raises(MathsError, match=r"\\label is only allowed in a display formula"):
        number_equations([("x \\label{a}", False)])


def test_unknown_reference_fails_with_known_labels() -> None:
    """\\eqref to a missing label fails, listing the labels of the page."""
    page = '<div class="arithmatex">\\[x \\label{known}\\]</div><p>\\eqref{missing}</p>'
    with pytest.raises(MathsError, match=r"\\eqref\{missing\} names no equation.*\['known'\]"):
        render_page_maths(page)


@needs_node
def test_formulas_render_to_katex_html_and_mathml() -> None:
    """Inline and display maths become KaTeX HTML with MathML; no raw TeX is left in the text."""
    html = convert("Inline $\\frac{a}{b}$.\n\n$$\n\\sum_{i=1}^{3} w_i x_i\n$$\n")
    assert html.count('class="katex"') == 2
    assert '<span class="katex-display">' in html
    assert "<math" in html
    assert "arithmatex" not in html
    assert "$$" not in html


@needs_node
def test_real_blog_formulas_render() -> None:
    """aligned, cases, \\boxed, \\tag, \\tfrac and norms, as the articles use them, all render."""
    html = convert(
        "$$\n\\begin{aligned} \\delta^3 &= \\frac{\\partial Loss}{\\partial X^3} \\\\ "
        "&= o^4 - y^{truth} \\end{aligned} \\label{delta}\n$$\n\n"
        "$$\n\\boxed{\\hat w = w - \\alpha\\,\\delta w} \\tag{U}\n$$\n\n"
        "$$\nL3(X^3)=\\begin{cases}X^3 & X^3\\ge 0\\\\ 0&\\text{otherwise}\\end{cases}\n$$\n\n"
        "$\\tfrac12(x-y)^2$ and $\\frac{\\lVert g-\\hat g\\rVert}{\\lVert g\\rVert}$, "
        "see \\eqref{delta}."
    )
    assert 'id="eq-delta"' in html
    assert '<a class="dlm-eqref" href="#eq-delta">(1)</a>' in html
    assert "fbox" in html  # \boxed
    assert html.count("katex-tag") == 2  # (1) and (U)


@needs_node
def test_whole_formula_reference_becomes_a_link() -> None:
    """`$\\eqref{x}$` is a link to the formula, not typeset maths."""
    html = convert("$$\ny \\label{x}\n$$\n\nSee $\\eqref{x}$.")
    assert 'See <a class="dlm-eqref" href="#eq-x">(1)</a>.' in html


@needs_node
def test_eqref_in_code_is_left_alone() -> None:
    """An \\eqref shown in inline code is documentation, not a reference."""
    html = convert("$$\ny \\label{x}\n$$\n\nWrite `\\eqref{x}` or `\\eqref{other}`.")
    assert "<code>\\eqref{other}</code>" in html


@needs_node
def test_bad_latex_fails_naming_the_formula() -> None:
    """An unknown command fails the build with the formula in the message."""
    with pytest.raises(MathsError, match=r"cannot render the inline formula '\\\\nope\{x\}'"):
        convert("Bad $\\nope{x}$.")


def test_katex_assets_are_css_and_woff2_fonts() -> None:
    """The site gets KaTeX's stylesheet and its woff2 fonts, under assets/katex/."""
    package = maths.ensure_katex() if shutil.which("npm") else None
    if package is None:
        pytest.skip("npm is not installed")
    assets = dict(maths.katex_assets(package))
    assert "assets/katex/katex.min.css" in assets
    fonts = [path for path in assets if path.startswith("assets/katex/fonts/")]
    assert fonts and all(path.endswith(".woff2") for path in fonts)


def test_marker_block_structure() -> None:
    """`/// maths` gives a hidden-passage note, an open fold with the warning sign, the body,
    and the safe sign after it."""
    html = convert("/// maths | The derivative\nSkippable text.\n///\n\nAfter.")
    order = [
        'class="dlm-maths"',
        'class="dlm-maths__stub"',
        '<details class="dlm-maths__fold" open="open">',
        'aria-label="Warning sign: maths ahead"',
        '<span class="dlm-maths__title">The derivative</span>',
        "<p>Skippable text.</p>",
        'class="dlm-maths__close"',
        'aria-label="Safe sign: the maths passage ends"',
        "<p>After.</p>",
    ]
    position = 0
    for piece in order:  # each piece comes after the previous one
        position = html.index(piece, position) + len(piece)


def test_marker_default_title() -> None:
    """Without a title the fold says "Maths ahead"."""
    html = convert("/// maths\nText.\n///")
    assert '<span class="dlm-maths__title">Maths ahead</span>' in html


def test_excerpt_tolerates_reference_past_its_end() -> None:
    """A blog excerpt (not strict) shows "(?)" for a label defined later in the post."""
    page = "<p>See \\eqref{later}.</p>"
    assert render_page_maths(page, strict=False) == "<p>See (?).</p>"
