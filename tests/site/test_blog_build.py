"""The blog built with the repository's mkdocs.yml on fixture posts: numbering, reading-order
links, the generated table of contents, feeds and meta, and the errors that stop a build."""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

ROOT = Path(__file__).resolve().parents[2]


def post(slug: str, date: str, chapter: str = "walkthrough", section: str = "The Foundation",
         position: int = 1, category: str = "Deep Learning Meta Walkthrough") -> str:  # fmt: skip
    """Markdown of a fixture post."""
    return textwrap.dedent(
        f"""\
        ---
        title: Post {slug}
        date: {date}
        slug: {slug}
        description: The post called {slug}.
        categories:
          - {category}
        chapter: {chapter}
        section: {section}
        position: {position}
        ---

        # Post {slug}

        Some text.
        """
    )


def build_blog(
    tmp_path: Path, posts: dict[str, str], files: dict[str, str] | None = None, **settings: object
) -> Path:
    """Build site_src's pages with only `posts` as the blog's posts; return the site folder."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "site_src", docs, ignore=shutil.ignore_patterns("posts"))
    (docs / "blog" / "posts").mkdir()
    # The real glossary links to the real posts, which this build leaves out.
    (docs / "glossary.md").write_text("# Glossary\n", encoding="utf-8")
    for name, text in posts.items():
        (docs / "blog" / "posts" / name).write_text(text, encoding="utf-8")
    for name, text in (files or {}).items():
        (docs / name).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site), **settings
    )
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        # Material's blog plugin removes its temporary folder here, which may already be gone
        # after an aborted build in the same process.
        with contextlib.suppress(FileNotFoundError):
            config.plugins.on_shutdown()
    return site


def build_fails(tmp_path: Path, caplog: pytest.LogCaptureFixture, posts: dict[str, str],
                files: dict[str, str] | None = None) -> str:  # fmt: skip
    """Build, expect MkDocs to abort, and return what it logged."""
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_blog(tmp_path, posts, files)
    return caplog.text


def test_post_without_chapter_fails_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A post with no `chapter:` stops the build, and the message names the post's file."""
    text = post("lost", "2021-08-05").replace("chapter: walkthrough\n", "")
    log = build_fails(tmp_path, caplog, {"lost.md": text})
    assert "blog/posts/lost.md: front matter has no 'chapter:'" in log


def test_post_with_unknown_section_fails_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A section that the chapter does not have stops the build, naming file and section."""
    log = build_fails(tmp_path, caplog, {"odd.md": post("odd", "2021-08-05", section="Middle")})
    assert "blog/posts/odd.md: unknown section 'Middle' for chapter 'walkthrough'" in log


def test_hand_written_toc_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The ToC is generated: a hand-written table-of-contents.md in the docs stops the build."""
    log = build_fails(tmp_path, caplog, {}, files={"table-of-contents.md": "# By hand\n"})
    assert "table-of-contents.md is generated from the posts' front matter" in log


@pytest.fixture(scope="module")
def small_blog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three posts over two chapters, written in an order unlike their dates."""
    posts = {
        "c.md": post("c", "2021-09-19", "layer", "1D Layers", 1, "From a Layer Perspective"),
        # A reference in the excerpt (before "more") to a formula after it.
        "a.md": post("a", "2021-08-05")
        + "\nSee \\eqref{sq}.\n\n<!-- more -->\n\n$$\ny = x^2 \\label{sq}\n$$\n",
        "b.md": post("b", "2021-08-06", position=2),
    }
    return build_blog(tmp_path_factory.mktemp("small_blog"), posts)


def page(site: Path, path: str) -> str:
    """The HTML of one built page."""
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_list_shows_rank_newest_first(small_blog: Path) -> None:
    """The blog list is newest first and each entry carries its reading-order rank."""
    ranks = re.findall(
        r'class="dlm-rank" title="Article (\d) in reading order"', page(small_blog, "blog")
    )
    assert ranks == ["3", "2", "1"]


def test_post_shows_rank_and_reading_order_links(small_blog: Path) -> None:
    """The middle post says it is article 2 of 3 and links to posts 1 and 3."""
    html = page(small_blog, "blog/2021/08/06/b")
    assert "Article 2 of 3 in reading order" in html
    nav = html.split('class="dlm-reading-nav"')[1].split("</nav>")[0]
    assert re.search(r'href="../../05/a/" rel="prev">.*1\. Post a', nav, re.DOTALL)
    assert re.search(r'href="../../../09/19/c/" rel="next">.*3\. Post c', nav, re.DOTALL)


def test_first_and_last_posts_have_one_link(small_blog: Path) -> None:
    """The first post has only a next link, the last only a previous link."""
    first = page(small_blog, "blog/2021/08/05/a").split('class="dlm-reading-nav"')[1]
    last = page(small_blog, "blog/2021/09/19/c").split('class="dlm-reading-nav"')[1]
    assert 'rel="next"' in first.split("</nav>")[0] and 'rel="prev"' not in first.split("</nav>")[0]
    assert 'rel="prev"' in last.split("</nav>")[0] and 'rel="next"' not in last.split("</nav>")[0]


def test_toc_page_is_generated_with_links_and_in_preparation(small_blog: Path) -> None:
    """The ToC links every post by its URL, and empty chapters read "In preparation"."""
    html = page(small_blog, "table-of-contents")
    for url in ("blog/2021/08/05/a/", "blog/2021/08/06/b/", "blog/2021/09/19/c/"):
        assert f'href="../{url}"' in html
    network = html.split('id="from-a-network-perspective"')[1].split("<h2")[0]
    assert "In preparation." in network


def test_every_page_has_description_and_open_graph(small_blog: Path) -> None:
    """Every HTML page has a meta description and OpenGraph title, description and type."""
    pages = list(small_blog.rglob("*.html"))
    assert len(pages) > 8
    for path in pages:
        html = path.read_text(encoding="utf-8")
        for needle in ('<meta name="description"', 'property="og:title"',
                       'property="og:description"', 'property="og:type"'):  # fmt: skip
            assert needle in html, f"{path.relative_to(small_blog)} lacks {needle}"
    assert 'property="og:type" content="article"' in page(small_blog, "blog/2021/08/05/a")


def test_feed_sitemap_and_404(small_blog: Path) -> None:
    """The RSS feed lists the posts, the sitemap lists the pages, and 404.html is ours."""
    feed = (small_blog / "feed_rss_created.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 3 and "The post called a." in feed
    sitemap = (small_blog / "sitemap.xml").read_text(encoding="utf-8")
    assert "blog/2021/08/05/a/" in sitemap and "table-of-contents/" in sitemap
    assert "There is no page at this address" in (small_blog / "404.html").read_text("utf-8")


def test_no_external_assets_and_no_comments_by_default(small_blog: Path) -> None:
    """No page links a stylesheet, script or font from another host, and giscus is off."""
    for path in small_blog.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:link|script|img)\b[^>]*>", html):
            if re.search(r'rel="(canonical|alternate)"', tag):
                continue  # addresses of this page, never fetched
            assert not re.search(r'(href|src)="(https?:)?//', tag), f"{path}: {tag}"
        assert "giscus" not in html
    assert (small_blog / "assets" / "katex" / "katex.min.css").is_file()


def test_giscus_comments_appear_under_posts_once_configured(tmp_path: Path) -> None:
    """With `extra.comments.giscus` set, posts (and only posts) carry the giscus script."""
    giscus = {"repo": "owner/blog", "repo_id": "R_1", "category": "Comments", "category_id": "C_1"}
    site = build_blog(
        tmp_path, {"a.md": post("a", "2021-08-05")}, extra={"comments": {"giscus": giscus}}
    )
    article = page(site, "blog/2021/08/05/a")
    assert 'src="https://giscus.app/client.js"' in article
    assert 'data-repo="owner/blog"' in article and 'data-category-id="C_1"' in article
    assert "giscus" not in page(site, "") and "giscus" not in page(site, "table-of-contents")


def test_reference_before_the_excerpt_break_builds_and_links(small_blog: Path) -> None:
    """A post whose excerpt refers to a later formula builds, and the post links to it."""
    html = page(small_blog, "blog/2021/08/05/a")
    assert '<a class="dlm-eqref" href="#eq-sq">(1)</a>' in html
    assert 'id="eq-sq"' in html
