"""Fixtures for the snippet pipeline's tests: a small MkDocs project in a temporary folder.

``mini_project`` writes a project with its own ``snippets/``, a ``lib/`` folder standing in for
``dlm/`` (its files go into every cache key), and a page per test; ``build_mini`` builds it in
this process, as ``mkdocs build`` or as ``mkdocs serve`` would, and returns what happened.
"""

from __future__ import annotations

import logging
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

MKDOCS_YML = """\
site_name: Mini
docs_dir: docs
site_url: http://localhost:8000/
use_directory_urls: true
strict: true
theme:
  name: mkdocs
plugins:
  - snippets:
      key_dirs: [lib]
      watch: [snippets, lib]
      timeout: 60
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.details
  - pymdownx.superfences
  - tables
"""

GOOD_SNIPPET = """\
import matplotlib.pyplot as plt

from dlm_site import publish

publish.style()
print("hello from the snippet")
publish.value("answer", 41 + 1)
publish.value("ratio", 2 / 3, ".3f")
publish.table("marks", ["case", "ok"], [["a", publish.mark(True)], ["b", publish.mark(False)]])
fig, ax = plt.subplots()
ax.plot([0, 1, 2], [0, 1, 4], color=publish.BLUE)
ax.set_title("a parabola")
publish.figure("curve", fig, alt="A rising curve through three points.", caption="A parabola.")
"""

GOOD_PAGE = """\
---
title: Demo
slug: demo-page
---

# Demo

The answer is {{ value good:answer }} and the ratio {{ value good:ratio }}.

{{ figure good:curve }}

{{ table good:marks }}

{{ source good }}

{{ output good }}
"""


@dataclass
class MiniProject:
    """A temporary MkDocs project: write pages and snippets, then build it."""

    root: Path

    def page(self, name: str, text: str) -> Path:
        """Write ``docs/<name>`` (dedented)."""
        path = self.root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def snippet(self, rel: str, text: str) -> Path:
        """Write ``snippets/<rel>`` (dedented)."""
        path = self.root / "snippets" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    @property
    def site(self) -> Path:
        """The built site."""
        return self.root / "site"

    @property
    def cache(self) -> Path:
        """The snippet cache of this project."""
        return self.root / ".cache" / "snippets"


@dataclass
class BuildResult:
    """What a build did: whether it succeeded, what it logged, and where the site is."""

    ok: bool
    log: str
    site: Path

    def html(self, page: str = "demo") -> str:
        """The HTML of a built page (``demo`` -> ``site/demo/index.html``)."""
        return (self.site / page / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def mini_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MiniProject:
    """A project with one good snippet (``demo_page/good.py``) and a page that uses it."""
    for name in ("DLM_SNIPPETS_FORCE", "DLM_SNIPPETS_EXECUTE", "DLM_SNIPPETS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "core.py").write_text("VERSION = 1\n", encoding="utf-8")
    project = MiniProject(tmp_path)
    project.snippet("demo_page/good.py", GOOD_SNIPPET)
    project.page("demo.md", GOOD_PAGE)
    project.page("index.md", "# Home\n")
    return project


@pytest.fixture
def build_mini(caplog: pytest.LogCaptureFixture):
    """Build a ``MiniProject`` in this process: ``build_mini(project, serve=False)``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, PluginError

    def run(project: MiniProject, serve: bool = False) -> BuildResult:
        caplog.clear()
        config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.site))
        config.plugins.on_startup(command="serve" if serve else "build", dirty=False)
        ok = True
        with caplog.at_level(logging.INFO):
            try:
                build(config, serve_url="http://localhost:8000/" if serve else None)
            except (Abort, PluginError) as error:
                ok = False
                caplog.records.append(
                    logging.LogRecord("abort", logging.ERROR, "", 0, str(error), None, None)
                )
            finally:
                config.plugins.on_shutdown()
        text = "\n".join(record.getMessage() for record in caplog.records)
        return BuildResult(ok, text, project.site)

    return run
