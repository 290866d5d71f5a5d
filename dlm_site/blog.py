"""The `dlm_blog` MkDocs plugin: reading order, the generated table of contents, KaTeX's files.

Thin glue over pure functions (`reading_order`, `toc`, `maths`):

- `on_config` installs KaTeX (once, into `.cache/katex`) when `dlm_site.maths` is enabled;
- `on_files`, after Material's blog plugin has given every post its URL, reads and validates the
  posts' front matter (a missing or unknown chapter or section fails the build, naming the file),
  numbers the posts in reading order, generates the table-of-contents page, and adds KaTeX's
  stylesheet and fonts to the site;
- `on_env` hands the templates `dlm_reading`, a map from a post's source path to its number,
  chapter, section and previous and next posts in reading order (see overrides/).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from dlm_site import maths
from dlm_site.reading_order import FrontMatterError, Post, neighbours, post_from_meta
from dlm_site.reading_order import reading_order as order_posts
from dlm_site.toc import CHAPTERS_BY_KEY, render_toc

TOC_INTRO = """\
The blog is written to be read in order, oldest article first: the number before each title is
the article's place on that path. This page groups the same articles by chapter, for a reader who
wants one subject. It is generated from the articles themselves, so it is always complete.
"""


# What a reader does not read by default: a folded block (the snippet's source code) and the TeX
# source that KaTeX keeps in its MathML for screen readers.
FOLDED_RE = re.compile(r"<details(?![^>]*\bopen\b)[^>]*>.*?</details>", re.DOTALL)
ANNOTATION_RE = re.compile(r"<annotation\b.*?</annotation>", re.DOTALL)


def readable_html(html: str) -> str:
    """Return a post's HTML without folded blocks and TeX annotations, to time its reading."""
    return ANNOTATION_RE.sub("", FOLDED_RE.sub("", html))


class BlogReadingConfig(Config):
    """Options of the `dlm_blog` plugin."""

    posts_dir = c.Type(str, default="blog/posts")
    toc_page = c.Type(str, default="table-of-contents.md")
    toc_title = c.Type(str, default="Table of contents")
    toc_description = c.Type(
        str, default="Every article of the blog, grouped by chapter and section."
    )


def load_posts(files: Files, posts_dir: str) -> list[Post]:
    """Read and validate the front matter of every non-draft post under `posts_dir`."""
    posts: list[Post] = []
    prefix = posixpath.normpath(posts_dir) + "/"
    # Material's blog plugin marks posts as excluded from the navigation: ask for every page.
    for file in files.documentation_pages(inclusion=lambda _: True):
        if not file.src_uri.startswith(prefix):
            continue
        _, meta = get_data(Path(file.abs_src_path).read_text(encoding="utf-8-sig"))
        if meta.get("draft"):
            continue
        posts.append(post_from_meta(file.src_uri, meta))
    return posts


def toc_markdown(posts: list[Post], title: str, description: str, page_path: str) -> str:
    """Return the whole Markdown source of the generated table-of-contents page."""
    depth = page_path.count("/")
    prefix = "../" * depth
    return (
        f"---\ntitle: {title}\ndescription: {description}\nhide:\n  - navigation\n---\n\n"
        f"# {title}\n\n{TOC_INTRO}\n{render_toc(posts, link_prefix=prefix)}"
    )


def reading_context(ordered: list[Post], files: Files) -> dict[str, dict[str, Any]]:
    """Return, for each post's source path, what the templates show about its reading order."""

    def brief(post: Post | None) -> dict[str, Any] | None:
        if post is None:
            return None
        file = files.get_file_from_path(post.src_uri)
        return {"rank": post.rank, "title": post.title, "url": file.url if file else ""}

    links = neighbours(ordered)
    context: dict[str, dict[str, Any]] = {}
    for post in ordered:
        previous, following = links[post.src_uri]
        chapter = CHAPTERS_BY_KEY[post.chapter]
        context[post.src_uri] = {
            "rank": post.rank,
            "total": len(ordered),
            "chapter": chapter.title,
            "section": post.section,
            "previous": brief(previous),
            "next": brief(following),
        }
    return context


class BlogReadingPlugin(BasePlugin[BlogReadingConfig]):
    """Numbers posts in reading order, generates the ToC page, ships KaTeX's assets."""

    def __init__(self) -> None:
        self.katex_package: Path | None = None
        self.reading: dict[str, dict[str, Any]] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Install KaTeX when the maths extension is enabled."""
        if "dlm_site.maths" in config.markdown_extensions:
            try:
                self.katex_package = maths.ensure_katex()
            except maths.MathsError as error:
                raise PluginError(str(error)) from error
        return config

    @event_priority(-100)  # after Material's blog plugin (-50) has set the posts' URLs
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Validate posts, number them, add the ToC page and KaTeX's stylesheet and fonts."""
        try:
            ordered = order_posts(load_posts(files, self.config.posts_dir))
        except FrontMatterError as error:
            raise PluginError(f"dlm_blog: {error}") from error
        self.reading = reading_context(ordered, files)

        toc_path = self.config.toc_page
        if files.get_file_from_path(toc_path) is not None:
            raise PluginError(
                f"dlm_blog: {toc_path} is generated from the posts' front matter; "
                f"remove the hand-written file from the docs directory"
            )
        source = toc_markdown(ordered, self.config.toc_title, self.config.toc_description, toc_path)
        files.append(File.generated(config, toc_path, content=source))

        if self.katex_package is not None:
            for site_path, path in maths.katex_assets(self.katex_package):
                files.append(File.generated(config, site_path, abs_src_path=str(path)))
        return files

    @event_priority(50)  # before Material's blog plugin times the post
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Time a post's reading on what a reader reads: not the folded code, not the TeX."""
        post_config = getattr(page, "config", None)  # Material's blog posts carry one
        blog = config.plugins.get("material/blog")
        if page.file.src_uri not in self.reading or post_config is None or blog is None:
            return html
        if blog.config.post_readtime and not post_config.readtime:
            from material.plugins.blog.readtime import readtime

            speed = blog.config.post_readtime_words_per_minute
            post_config.readtime = readtime(readable_html(html), speed)
        return html

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Give the templates the reading order (`dlm_reading`)."""
        env.globals["dlm_reading"] = self.reading
        return env
