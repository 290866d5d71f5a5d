"""Posts, their front matter, and the order in which the blog is meant to be read.

The blog lists its posts newest first, but it is written to be read from the oldest post on: the
reading order is the order of the `date:` fields, and a post's number in it (its *rank*, 1 for
the oldest) is shown in the blog list, on the post, and in the table of contents.

Everything here is a pure function of the posts' front matter, so that it can be tested without
MkDocs. The front matter every post carries (see AUTHORING.md):

    title: General Concepts
    date: 2021-08-05
    slug: general-concepts
    description: One or two lines shown in the blog list and the table of contents.
    categories:
      - Deep Learning Meta Walkthrough
    chapter: walkthrough
    section: The Foundation
    position: 1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dlm_site.toc import CHAPTERS_BY_KEY


class FrontMatterError(ValueError):
    """A post's front matter is missing a field or names something that does not exist."""


@dataclass(frozen=True)
class Post:
    """What the blog machinery needs to know about one post.

    `src_uri` is the post's path under the docs directory (`blog/posts/general-concepts.md`),
    `rank` its number in the reading order (0 until `reading_order` assigns it).
    """

    src_uri: str
    title: str
    date: dt.date
    slug: str
    description: str
    chapter: str
    section: str
    position: int
    rank: int = 0


def _as_date(value: Any) -> dt.date | None:
    """Return the creation date of a `date:` field (a date, a datetime, or `{created: ...}`)."""
    if isinstance(value, Mapping):
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def post_from_meta(src_uri: str, meta: Mapping[str, Any]) -> Post:
    """Validate one post's front matter and return its `Post`.

    Raises `FrontMatterError`, naming the file, the field, what was expected and what was found,
    when a field is missing, when the chapter or the section does not exist, or when the
    categories do not include the chapter's full name.
    """

    def fail(message: str) -> FrontMatterError:
        return FrontMatterError(f"{src_uri}: {message}")

    for field in ("title", "date", "slug", "description", "chapter", "section", "position"):
        if meta.get(field) in (None, ""):
            raise fail(f"front matter has no '{field}:' (every post needs one; see AUTHORING.md)")
    date = _as_date(meta["date"])
    if date is None:
        raise fail(f"'date:' must be a date such as 2021-08-05, got {meta['date']!r}")
    chapter_key = str(meta["chapter"])
    chapter = CHAPTERS_BY_KEY.get(chapter_key)
    if chapter is None:
        raise fail(f"unknown chapter {chapter_key!r}; expected one of {sorted(CHAPTERS_BY_KEY)}")
    section = str(meta["section"])
    if section not in chapter.sections:
        raise fail(
            f"unknown section {section!r} for chapter {chapter_key!r}; "
            f"expected one of {list(chapter.sections)}"
        )
    position = meta["position"]
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise fail(f"'position:' must be a whole number from 1, got {position!r}")
    categories = meta.get("categories") or []
    if chapter.title not in categories:
        raise fail(
            f"'categories:' must list the chapter's name {chapter.title!r}, got {categories!r}"
        )
    return Post(
        src_uri=src_uri,
        title=str(meta["title"]),
        date=date,
        slug=str(meta["slug"]),
        description=" ".join(str(meta["description"]).split()),
        chapter=chapter_key,
        section=section,
        position=position,
    )


def reading_order(posts: Iterable[Post]) -> list[Post]:
    """Return the posts oldest first, each with its `rank` set (1 for the oldest).

    Posts with the same date are ordered by chapter, section and position, then by slug, so the
    order never depends on the file system. Raises `FrontMatterError` when two posts share a slug,
    or the same position in the same section.
    """
    chapter_index = {key: i for i, key in enumerate(CHAPTERS_BY_KEY)}

    def key(post: Post) -> tuple:
        sections = CHAPTERS_BY_KEY[post.chapter].sections
        return (
            post.date,
            chapter_index[post.chapter],
            sections.index(post.section),
            post.position,
            post.slug,
        )

    ordered = sorted(posts, key=key)
    slugs: dict[str, str] = {}
    places: dict[tuple[str, str, int], str] = {}
    for post in ordered:
        if post.slug in slugs:
            raise FrontMatterError(
                f"{post.src_uri}: slug {post.slug!r} is already used by {slugs[post.slug]}"
            )
        slugs[post.slug] = post.src_uri
        place = (post.chapter, post.section, post.position)
        if place in places:
            raise FrontMatterError(
                f"{post.src_uri}: position {post.position} in section {post.section!r} is "
                f"already taken by {places[place]}"
            )
        places[place] = post.src_uri
    return [replace(post, rank=i) for i, post in enumerate(ordered, start=1)]


def neighbours(ordered: Sequence[Post]) -> dict[str, tuple[Post | None, Post | None]]:
    """Map each post's `src_uri` to its (previous, next) posts in the reading order."""
    result: dict[str, tuple[Post | None, Post | None]] = {}
    for i, post in enumerate(ordered):
        previous = ordered[i - 1] if i > 0 else None
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        result[post.src_uri] = (previous, following)
    return result
