"""Reading time counts what a reader reads (dlm_site.blog.readable_html)."""

from __future__ import annotations

from dlm_site.blog import readable_html


def test_folded_blocks_and_tex_annotations_are_not_timed() -> None:
    """Folded code and KaTeX's TeX annotation are dropped; open maths passages are kept."""
    html = (
        "<p>Text.</p>"
        '<details class="example dlm-source"><summary>The code</summary><pre>x = 1</pre></details>'
        '<details class="dlm-maths__fold" open="open"><p>Kept maths prose.</p></details>'
        '<math><semantics><mi>x</mi><annotation encoding="application/x-tex">\\frac{a}{b}'
        "</annotation></semantics></math>"
    )
    cleaned = readable_html(html)
    assert "x = 1" not in cleaned and "\\frac" not in cleaned
    assert "Kept maths prose." in cleaned and "<p>Text.</p>" in cleaned and "<mi>x</mi>" in cleaned
