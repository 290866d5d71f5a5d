"""The blog's chapters and sections, and the table-of-contents page generated from them.

The table of contents is never written by hand: `render_toc` builds its Markdown from the posts'
front matter (see `dlm_site.reading_order`), chapter by chapter and section by section. A chapter
or a section with no post yet is listed as "in preparation".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from dlm_site.reading_order import Post


@dataclass(frozen=True)
class Chapter:
    """One of the blog's four chapters.

    `key` is what a post's `chapter:` front matter names, `title` is the chapter's full name (also
    its blog category), `promise` says in one line what the chapter covers, and `sections` lists
    the section titles in reading order.
    """

    key: str
    title: str
    promise: str
    sections: tuple[str, ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        key="walkthrough",
        title="Deep Learning Meta Walkthrough",
        promise="One tiny model followed through a whole training step: the forward pass, the "
        "backward pass and the update of the weights.",
        sections=("The Foundation", "The Learning Process", "The Deep-Learning Algorithm"),
    ),
    Chapter(
        key="layer",
        title="From a Layer Perspective",
        promise="Each layer on its own: what it computes, the shape of its neurons, and how its "
        "gradients are derived.",
        sections=("1D Layers", "2D Layers"),
    ),
    Chapter(
        key="network",
        title="From a Network Perspective",
        promise="Layers assembled into networks, and the tasks they learn: supervised, "
        "unsupervised, and maximal activation.",
        sections=("The Linear Network", "The Convolutional Network", "Learning Tasks"),
    ),
    Chapter(
        key="developer",
        title="From a Developer Perspective",
        promise="Inside the framework: impact graphs, gradient checking, and what GPUs change.",
        sections=("Inside the Framework",),
    ),
)

CHAPTERS_BY_KEY: dict[str, Chapter] = {chapter.key: chapter for chapter in CHAPTERS}

IN_PREPARATION = "*In preparation.*"


def anchor(title: str) -> str:
    """Return a stable HTML id for a chapter or section title (`"1D Layers"` -> `"1d-layers"`)."""
    kept = "".join(c if c.isalnum() else "-" for c in title.lower())
    return "-".join(part for part in kept.split("-") if part)


def render_toc(posts: Sequence[Post], link_prefix: str = "") -> str:
    """Return the Markdown body of the table-of-contents page for `posts`.

    Posts are grouped by chapter, then section, and sorted by their `position` in the section.
    Each entry links to the post's source file (`link_prefix` + its path under the docs
    directory), so that MkDocs resolves and checks the link, and shows the post's number in the
    reading order and its description.
    """
    lines: list[str] = []
    for chapter in CHAPTERS:
        in_chapter = [post for post in posts if post.chapter == chapter.key]
        lines.append(f"## {chapter.title} {{ #{anchor(chapter.title)} }}")
        lines.append("")
        lines.append(f"*{chapter.promise}*")
        lines.append("")
        if not in_chapter:
            lines.append(IN_PREPARATION)
            lines.append("")
            continue
        for section in chapter.sections:
            lines.append(f"### {section} {{ #{anchor(section)} }}")
            lines.append("")
            in_section = sorted(
                (post for post in in_chapter if post.section == section),
                key=lambda post: (post.position, post.rank),
            )
            if not in_section:
                lines.append(IN_PREPARATION)
                lines.append("")
                continue
            for post in in_section:
                lines.append(
                    f'- <span class="dlm-toc-rank" title="Article {post.rank} in reading order">'
                    f"{post.rank}</span> [{post.title}]({link_prefix}{post.src_uri})"
                    f'<br><span class="dlm-toc-description">{post.description}</span>'
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
