"""Reading order and front-matter validation (dlm_site.reading_order), without MkDocs."""

from __future__ import annotations

import datetime as dt

import pytest

from dlm_site.reading_order import FrontMatterError, neighbours, post_from_meta, reading_order


def meta(**overrides: object) -> dict:
    """Front matter of a valid post, with some fields replaced."""
    base = {
        "title": "General Concepts",
        "date": dt.date(2021, 8, 5),
        "slug": "general-concepts",
        "description": "What a model is.",
        "categories": ["Deep Learning Meta Walkthrough"],
        "chapter": "walkthrough",
        "section": "The Foundation",
        "position": 1,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_valid_front_matter_gives_a_post() -> None:
    """A complete front matter is accepted and its fields are kept."""
    post = post_from_meta("blog/posts/general-concepts.md", meta())
    assert post.chapter == "walkthrough"
    assert post.section == "The Foundation"
    assert post.date == dt.date(2021, 8, 5)
    assert post.rank == 0


@pytest.mark.parametrize(
    "field", ["title", "date", "slug", "description", "chapter", "section", "position"]
)
def test_missing_field_names_file_and_field(field: str) -> None:
    """A missing field fails with the file's path and the field's name in the message."""
    with pytest.raises(FrontMatterError, match=rf"blog/posts/x\.md: .*'{field}:'"):
        post_from_meta("blog/posts/x.md", meta(**{field: None}))


def test_unknown_chapter_names_file_and_lists_chapters() -> None:
    """An unknown chapter fails naming the file, the chapter, and the four valid keys."""
    with pytest.raises(FrontMatterError, match=r"blog/posts/x\.md: unknown chapter 'layers'.*"
                       r"\['developer', 'layer', 'network', 'walkthrough'\]"):  # fmt: skip
        post_from_meta("blog/posts/x.md", meta(chapter="layers"))


def test_section_of_another_chapter_is_refused() -> None:
    """A section that exists, but in another chapter, is refused with the chapter's sections."""
    with pytest.raises(FrontMatterError, match=r"blog/posts/x\.md: unknown section '1D Layers' "
                       r"for chapter 'walkthrough'"):  # fmt: skip
        post_from_meta("blog/posts/x.md", meta(section="1D Layers"))


def test_categories_must_name_the_chapter() -> None:
    """The blog category must be the chapter's full name, so the list and the ToC agree."""
    with pytest.raises(FrontMatterError, match=r"'categories:' must list the chapter's name"):
        post_from_meta("blog/posts/x.md", meta(categories=["From a Layer Perspective"]))


@pytest.mark.parametrize("position", [0, -1, "1", 1.5, True])
def test_position_must_be_a_whole_number_from_one(position: object) -> None:
    """`position:` must be an int >= 1 (not a bool, string or float)."""
    with pytest.raises(FrontMatterError, match=r"'position:' must be a whole number from 1"):
        post_from_meta("blog/posts/x.md", meta(position=position))


def test_bad_date_is_refused() -> None:
    """A date that is not a date fails with the value received."""
    with pytest.raises(FrontMatterError, match=r"'date:' must be a date.*'soon'"):
        post_from_meta("blog/posts/x.md", meta(date="soon"))


def test_date_as_string_datetime_or_created_mapping() -> None:
    """Dates written as a string, a datetime or Material's {created: ...} are all read."""
    for value in ("2021-08-05", dt.datetime(2021, 8, 5, 10, 0), {"created": dt.date(2021, 8, 5)}):
        assert post_from_meta("p.md", meta(date=value)).date == dt.date(2021, 8, 5)


def _posts(*dates: str) -> list:
    return [
        post_from_meta(f"blog/posts/p{i}.md", meta(date=d, slug=f"p{i}", position=i + 1))
        for i, d in enumerate(dates)
    ]


def test_rank_follows_dates_oldest_first() -> None:
    """The oldest post gets rank 1, whatever the order the files were found in."""
    ordered = reading_order(_posts("2022-01-22", "2021-08-05", "2021-09-19"))
    assert [p.slug for p in ordered] == ["p1", "p2", "p0"]
    assert [p.rank for p in ordered] == [1, 2, 3]


def test_same_date_is_ordered_by_position() -> None:
    """Two posts of the same day are ordered by section position, never by file order."""
    a = post_from_meta("a.md", meta(slug="a", position=2))
    b = post_from_meta("b.md", meta(slug="b", position=1))
    assert [p.slug for p in reading_order([a, b])] == ["b", "a"]


def test_duplicate_slug_is_refused() -> None:
    """Two posts with one slug fail, naming both files."""
    a = post_from_meta("blog/posts/a.md", meta(slug="same"))
    b = post_from_meta("blog/posts/b.md", meta(slug="same", date="2021-09-01"))
    with pytest.raises(FrontMatterError, match=r"blog/posts/b\.md: slug 'same' .*blog/posts/a\.md"):
        reading_order([a, b])


def test_neighbours_are_previous_and_next_in_reading_order() -> None:
    """The first post has no previous, the last no next, the middle one has both."""
    ordered = reading_order(_posts("2021-08-05", "2021-08-06", "2021-08-09"))
    links = neighbours(ordered)
    assert links["blog/posts/p0.md"] == (None, ordered[1])
    assert links["blog/posts/p1.md"] == (ordered[0], ordered[2])
    assert links["blog/posts/p2.md"] == (ordered[1], None)


def test_same_position_in_a_section_is_refused() -> None:
    """Two posts at one position of one section fail, naming both files."""
    a = post_from_meta("blog/posts/a.md", meta(slug="a"))
    b = post_from_meta("blog/posts/b.md", meta(slug="b", date="2021-09-01"))
    with pytest.raises(
        FrontMatterError,
        match=r"blog/posts/b\.md: position 1 in section 'The Foundation' is already taken by "
        r"blog/posts/a\.md",
    ):
        reading_order([a, b])
