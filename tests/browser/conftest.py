"""Fixtures for the browser tests: two built blogs, served locally, and headless Chromium.

- The real blog: `built_site` (tests/conftest.py), every page of which is checked.
- `fixture_site`: the pages of `site_src/` with the real posts replaced by `FIXTURE_POSTS`
  (nine posts: a second blog page, several chapters, an empty chapter, and an article with every
  kind of formula and a maths marker), built with the repository's own `mkdocs.yml`. Its counts
  never change when writers add articles, so pagination, numbering and ToC tests use it.

`serve(site)` serves a folder on 127.0.0.1 with a threaded `http.server`; `browser` is Debian's
Chromium driven by Playwright, headless and with the features that call home turned off.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

MATHS_POST = r"""---
title: Fixture Maths
date: 2021-08-09
slug: fixture-maths
description: A fixture article with every kind of formula the blog uses.
categories:
  - Deep Learning Meta Walkthrough
chapter: walkthrough
section: The Learning Process
position: 1
---

# Fixture Maths

The loss $Loss = \tfrac12(x-y)^2$ is defined in \eqref{loss}, and its gradient in $\eqref{grad}$.

$$
Loss(X^4, Y^{truth}) = \frac{1}{2}\left(X^4 - Y^{truth}\right)^2
\label{loss}
$$

/// maths | The gradient of the loss
$$
\begin{aligned}
\delta^4 &= \frac{\partial Loss}{\partial X^4} \\
         &= o^4 - y^{truth}
\end{aligned}
\label{grad}
$$

$$
\boxed{\hat w = w - \alpha\,\delta w} \tag{U}
$$
///

The text goes on after the marked passage, and refers to \eqref{loss} once more.
"""


def _post(i: int, date: str, chapter: str, category: str, section: str, position: int) -> str:
    return f"""---
title: Fixture Post {i}
date: {date}
slug: fixture-post-{i}
description: Fixture post number {i}, in {section}.
categories:
  - {category}
chapter: {chapter}
section: {section}
position: {position}
---

# Fixture Post {i}

A short fixture article so that the blog has more than one page.
"""


WALK, LAYER, NET = (
    "Deep Learning Meta Walkthrough",
    "From a Layer Perspective",
    "From a Network Perspective",
)
FIXTURE_POSTS: dict[str, str] = {
    "fixture-maths.md": MATHS_POST,
    "fixture-post-1.md": _post(1, "2021-08-05", "walkthrough", WALK, "The Foundation", 1),
    "fixture-post-2.md": _post(2, "2021-08-06", "walkthrough", WALK, "The Foundation", 2),
    "fixture-post-3.md": _post(3, "2021-08-14", "walkthrough", WALK, "The Learning Process", 2),
    "fixture-post-4.md": _post(
        4, "2021-08-23", "walkthrough", WALK, "The Deep-Learning Algorithm", 1
    ),
    "fixture-post-5.md": _post(5, "2021-09-19", "layer", LAYER, "1D Layers", 1),
    "fixture-post-6.md": _post(6, "2021-10-06", "layer", LAYER, "1D Layers", 2),
    "fixture-post-7.md": _post(7, "2021-11-17", "network", NET, "The Linear Network", 1),
    "fixture-post-8.md": _post(8, "2022-03-02", "layer", LAYER, "2D Layers", 1),
}


def build_site(docs_dir: Path, site_dir: Path) -> None:
    """Build `docs_dir` into `site_dir` with the repository's mkdocs.yml (strict)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(docs_dir), site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        # Material's blog plugin removes its temporary folder here, which may already be gone
        # after an aborted build in the same process.
        with contextlib.suppress(FileNotFoundError):
            config.plugins.on_shutdown()


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`site_src/` with `FIXTURE_POSTS` instead of the real posts, built once; returns site/."""
    root = tmp_path_factory.mktemp("fixture_blog")
    docs = root / "docs"
    shutil.copytree(ROOT / "site_src", docs, ignore=shutil.ignore_patterns("posts"))
    (docs / "blog" / "posts").mkdir()
    # The real glossary links to the real posts, which this build leaves out.
    (docs / "glossary.md").write_text("# Glossary\n", encoding="utf-8")
    for name, text in FIXTURE_POSTS.items():
        (docs / "blog" / "posts" / name).write_text(text, encoding="utf-8")
    build_site(docs, root / "site")
    return root / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        """Keep the test output clean."""


@pytest.fixture(scope="session")
def serve() -> Iterator:
    """`serve(folder)` serves a folder on 127.0.0.1 (a free port) and returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def server_url(serve, fixture_site: Path) -> str:
    """Base URL of the fixture blog, served locally."""
    return serve(fixture_site)


@pytest.fixture(scope="session")
def real_url(serve, built_site: Path) -> str:
    """Base URL of the real blog, served locally."""
    return serve(built_site)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian, through Playwright; skipped when Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
