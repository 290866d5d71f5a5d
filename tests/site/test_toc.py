"""The generated table of contents (dlm_site.toc), without MkDocs."""

from __future__ import annotations

from dlm_site.reading_order import post_from_meta, reading_order
from dlm_site.toc import CHAPTERS, IN_PREPARATION, anchor, render_toc


def post(slug: str, date: str, chapter: str, section: str, position: int) -> object:
    """A valid post of `chapter` (its category is the chapter's full name)."""
    title = {c.key: c.title for c in CHAPTERS}[chapter]
    return post_from_meta(
        f"blog/posts/{slug}.md",
        {
            "title": slug.replace("-", " ").title(),
            "date": date,
            "slug": slug,
            "description": f"About {slug}.",
            "categories": [title],
            "chapter": chapter,
            "section": section,
            "position": position,
        },
    )


def test_chapters_and_sections_are_the_agreed_ones() -> None:
    """Four chapters, with the sections of issue 4, in reading order."""
    assert [(c.key, c.title, c.sections) for c in CHAPTERS] == [
        ("walkthrough", "Deep Learning Meta Walkthrough",
         ("The Foundation", "The Learning Process", "The Deep-Learning Algorithm")),
        ("layer", "From a Layer Perspective", ("1D Layers", "2D Layers")),
        ("network", "From a Network Perspective",
         ("The Linear Network", "The Convolutional Network", "Learning Tasks")),
        ("developer", "From a Developer Perspective", ("Inside the Framework",)),
    ]  # fmt: skip


def test_toc_groups_by_chapter_and_orders_by_position() -> None:
    """Entries sit under their chapter and section, ordered by position, with rank and link."""
    posts = reading_order(
        [
            post("inside-the-model", "2021-08-06", "walkthrough", "The Foundation", 2),
            post("general-concepts", "2021-08-05", "walkthrough", "The Foundation", 1),
            post("linear", "2021-09-19", "layer", "1D Layers", 1),
        ]
    )
    text = render_toc(posts)
    first = text.index("[General Concepts](blog/posts/general-concepts.md)")
    second = text.index("[Inside The Model](blog/posts/inside-the-model.md)")
    layer = text.index("## From a Layer Perspective")
    assert first < second < layer < text.index("[Linear](blog/posts/linear.md)")
    assert 'class="dlm-toc-rank" title="Article 2 in reading order">2</span>' in text
    assert "About inside-the-model." in text


def test_empty_chapter_and_section_are_in_preparation() -> None:
    """A chapter without posts, and a section without posts, say "In preparation"."""
    posts = reading_order([post("linear", "2021-09-19", "layer", "1D Layers", 1)])
    text = render_toc(posts)
    developer = text.split("## From a Developer Perspective")[1]
    assert IN_PREPARATION in developer
    two_d = text.split("### 2D Layers")[1].split("##")[0]
    assert IN_PREPARATION in two_d
    # A chapter with no post at all lists no sections.
    assert "### Inside the Framework" not in text


def test_link_prefix_is_prepended() -> None:
    """A ToC page in a sub-folder links back up to the posts."""
    posts = reading_order([post("linear", "2021-09-19", "layer", "1D Layers", 1)])
    assert "(../blog/posts/linear.md)" in render_toc(posts, link_prefix="../")


def test_anchor_is_stable() -> None:
    """Anchors are lower-case words joined by dashes."""
    assert anchor("1D Layers") == "1d-layers"
    assert anchor("The Deep-Learning Algorithm") == "the-deep-learning-algorithm"
