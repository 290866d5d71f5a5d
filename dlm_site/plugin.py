"""The MkDocs plugin ``snippets``: thin glue between MkDocs' events and ``dlm_site``'s functions.

- ``on_files``: read every page, find its directives (``directives.parse``), run or look up every
  snippet that a page uses (``runner.run_all``, in parallel, through the cache), and register the
  figures and downloads as MkDocs files.
- ``on_page_markdown``: replace each directive by its Markdown (``render``).
- ``on_serve``: watch ``snippets/`` and ``dlm/``.
- ``on_post_build``: write the execution report, prune unused cache entries.

A failing snippet is an error in ``mkdocs build`` (fatal with ``--strict``), naming the article,
the snippet, its line and the exception. Under ``mkdocs serve`` the page shows an error box instead
and the server keeps running.
"""

from __future__ import annotations

import difflib
import json
import logging
import posixpath
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.utils.meta import get_data

from dlm_site import directives as dmod
from dlm_site import notebook, render, runner
from dlm_site.directives import Directive, DirectiveError

log = logging.getLogger("mkdocs.plugins.snippets")

# Under `mkdocs serve`, errors must not reach MkDocs' strict-mode counter (it would abort the
# build and stall the server), so they go to a logger of their own that prints to stderr.
serve_log = logging.getLogger("dlm_site.serve")


class _StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


if not serve_log.handlers:
    _handler = _StderrHandler()
    _handler.setFormatter(logging.Formatter("ERROR    -  %(message)s"))
    serve_log.addHandler(_handler)
    serve_log.propagate = False


class SnippetsConfig(base.Config):
    """The plugin's options in ``mkdocs.yml`` (paths are relative to ``mkdocs.yml``)."""

    snippets_dir = c.Type(str, default="snippets")
    cache_dir = c.Type(str, default=".cache/snippets")
    key_dirs = c.Type(list, default=["dlm"])
    watch = c.Type(list, default=["snippets", "dlm"])
    timeout = c.Type((int, float), default=runner.DEFAULT_TIMEOUT)
    jobs = c.Type(int, default=0)
    execute = c.Type(bool, default=True)
    downloads = c.Type(bool, default=True)


@dataclass
class PageInfo:
    """What ``on_files`` learnt about one page."""

    title: str
    page_dir: str | None
    slug: str | None = None
    directives: list[Directive] = field(default_factory=list)
    error: DirectiveError | None = None
    line_offset: int = 0
    helpers: list[str] = field(default_factory=list)

    @property
    def snippets(self) -> list[str]:
        """The snippets the page uses, in order of first use."""
        seen: dict[str, None] = {}
        for d in self.directives:
            if d.snippet:
                seen.setdefault(d.snippet, None)
        return list(seen)


def _relative(target: str, page_src: str) -> str:
    """A link from a page's source file to another file of the site (both docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(page_src) or ".")


def figure_uri(snippet: str, filename: str) -> str:
    """Where a figure file lives in the site: ``figures/<snippet>/<file>``."""
    return f"figures/{snippet.removesuffix('.py')}/{filename}"


def download_uri(snippet: str) -> str:
    """Where a snippet's ``.py`` lives in the site: ``downloads/<snippet>``."""
    return f"downloads/{snippet}"


def notebook_uri(page_src: str, slug: str | None = None) -> str:
    """Where a page's notebook lives: ``downloads/<slug>.ipynb`` (else the page's path)."""
    return "downloads/" + (slug or page_src.removesuffix(".md")) + ".ipynb"


class SnippetsPlugin(BasePlugin[SnippetsConfig]):
    """Runs each article's snippets and puts their figures, values and tables in the page."""

    def __init__(self) -> None:
        self.serving = False
        self.pages: dict[str, PageInfo] = {}
        self.outcomes: dict[str, runner.Outcome] = {}
        self.failed: list[str] = []
        self._reported: set[tuple[str, str]] = set()

    # -- events ----------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve`` (errors become boxes, not failures)."""
        self.serving = command == "serve"

    def on_config(self, config):
        """Resolve the paths and the switches from the environment."""
        root = Path(config.config_file_path or ".").resolve().parent
        self.root = root
        self.execute = self.config.execute and runner.env_flag(runner.ENV_EXECUTE, True)
        cache_dir = runner.os.environ.get(runner.ENV_CACHE) or self.config.cache_dir
        self.project = runner.Project(
            root=root,
            snippets_dir=root / self.config.snippets_dir,
            key_dirs=[root / d for d in self.config.key_dirs],
            cache_dir=(root / cache_dir).resolve(),
        )
        return config

    def on_files(self, files: Files, *, config) -> Files:
        """Find every page's directives, run the snippets, register figures and downloads."""
        self.pages, self.outcomes, self.failed, self._reported = {}, {}, [], set()
        start = time.monotonic()
        # Every page, drafts included: `mkdocs serve` shows drafts, and their snippets get
        # tested; a page that is not rendered reports no error.
        for file in files.documentation_pages(inclusion=lambda level: True):
            self.pages[file.src_uri] = self._scan(file)
        needed = sorted({s for info in self.pages.values() for s in info.snippets})
        if not self.execute:
            log.info(f"snippets: execution is off ({runner.ENV_EXECUTE}=0); showing placeholders")
            self._register(files, config, needed)
            return files
        if needed:
            self.outcomes = runner.run_all(
                self.project, needed, timeout=self._timeout(), jobs=self.config.jobs or None
            )
        for snippet in needed:
            outcome = self.outcomes[snippet]
            if outcome.status == "hit":
                log.info(f"snippets: {snippet}: cache hit ({outcome.seconds:.2f} s)")
            elif outcome.status == "ran":
                log.info(f"snippets: {snippet}: ran in {outcome.seconds:.2f} s")
            else:
                log.info(f"snippets: {snippet}: {outcome.status} after {outcome.seconds:.2f} s")
        self._register(files, config, needed)
        self.total_seconds = time.monotonic() - start
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        """Replace the page's directives by figures, values, tables, code and output."""
        info = self.pages.get(page.file.src_uri)
        if info is None:
            return markdown
        if info.error is not None:
            error = info.error
            self._report(page, error.line + info.line_offset, f"bad directive: {error.message}")
            return render.error_block("Bad snippet directive", str(error)) + "\n\n" + markdown
        # The page text MkDocs hands us has no front matter: parse it again for exact offsets.
        found = dmod.parse(markdown, info.page_dir)
        texts = [self._render(d, page, info) for d in found]
        markdown = dmod.replace(markdown, found, texts)
        if self.config.downloads and info.snippets:
            if not any(d.kind == "downloads" for d in found):
                markdown = markdown.rstrip("\n") + "\n\n" + self._downloads(page, info) + "\n"
        return dmod.unescape(markdown)

    def on_serve(self, server, *, config, builder):
        """Rebuild when a snippet or ``dlm/`` changes."""
        for folder in self.config.watch:
            path = self.root / folder
            if path.exists():
                server.watch(str(path))
        return server

    def on_post_build(self, *, config) -> None:
        """Write the execution report and prune cache entries that this build did not use."""
        if not self.execute:
            return
        report = {
            "total_seconds": round(getattr(self, "total_seconds", 0.0), 3),
            "snippets": [
                {
                    "snippet": o.snippet,
                    "status": o.status,
                    "seconds": round(o.seconds, 3),
                    "run_seconds": o.entry.result.get("seconds") if o.entry else None,
                    "key": o.key,
                    "pages": [s for s, p in self.pages.items() if o.snippet in p.snippets],
                    "error": str(o.failure) if o.failure else None,
                }
                for o in self.outcomes.values()
            ],
        }
        folder = self.project.cache_dir
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "report.json.tmp"
        tmp.write_text(json.dumps(report, indent=1), encoding="utf-8")
        tmp.replace(folder / "report.json")
        log.info(f"snippets: execution report in {folder / 'report.json'}")
        keep = {o.key for o in self.outcomes.values() if o.entry is not None}
        if keep or not self.outcomes:
            cache_store = runner.cache_mod.Cache(folder)
            removed = cache_store.prune(keep)
            if removed:
                log.info(f"snippets: pruned {len(removed)} unused cache entries")

    # -- helpers ---------------------------------------------------------------------------

    def _timeout(self) -> float:
        env = runner.os.environ.get(runner.ENV_TIMEOUT)
        return float(env) if env else float(self.config.timeout)

    def _scan(self, file: File) -> PageInfo:
        try:
            text = file.content_string
        except (OSError, TypeError, ValueError):
            return PageInfo(file.src_uri, None)
        body, meta = get_data(text)
        offset = text.count("\n", 0, len(text) - len(body))
        page_dir = dmod.slug_dir(meta.get("slug"))
        title = str(meta.get("title") or Path(file.src_uri).stem)
        slug = str(meta["slug"]).strip() if meta.get("slug") else None
        info = PageInfo(title, page_dir, slug, line_offset=offset)
        try:
            info.directives = dmod.parse(body, page_dir)
        except DirectiveError as error:
            info.error = error
        return info

    def _register(self, files: Files, config, snippets: list[str]) -> None:
        """Add the snippets' files to the site: each ``.py``, and the figures of each result."""
        for snippet in snippets:
            path = self.project.snippets_dir / snippet
            if path.is_file():
                files.append(File.generated(config, download_uri(snippet), abs_src_path=str(path)))
            outcome = self.outcomes.get(snippet)
            if outcome is None or outcome.entry is None:
                continue
            for info in outcome.published.get("figures", {}).values():
                for variant in ("light", "dark"):
                    files.append(
                        File.generated(
                            config,
                            figure_uri(snippet, info[variant]),
                            abs_src_path=str(outcome.entry.file(info[variant])),
                        )
                    )
        if not self.config.downloads:
            return
        registered: set[str] = set()
        for src, info in self.pages.items():
            if not any((self.project.snippets_dir / s).is_file() for s in info.snippets):
                continue
            # The helper modules the snippets import: downloads of their own, and in the notebook.
            text, info.helpers = notebook.for_article(
                info.title, info.snippets, self.project.snippets_dir
            )
            for name in info.helpers:
                if name not in registered:
                    registered.add(name)
                    path = self.project.snippets_dir / name
                    files.append(File.generated(config, download_uri(name), abs_src_path=str(path)))
            files.append(File.generated(config, notebook_uri(src, info.slug), content=text))

    def _report(self, page, line: int, message: str, details: str = "") -> None:
        """Log an error that names the article and the line of the page."""
        text = f"article '{page.file.src_uri}' (line {line}): {message}"
        if details:
            text += "\n" + details.rstrip()
        self.failed.append(text)
        if self.serving:
            serve_log.error(text)
        else:
            log.error(text)

    def _render(self, d: Directive, page, info: PageInfo) -> str:
        line = d.line + info.line_offset
        inline = d.kind == "value"
        what = f"{d.snippet}:{d.name}" if d.name else (d.snippet or "")
        if d.kind == "downloads":
            return self._downloads(page, info)
        if not self.execute:
            if d.kind == "source" and (self.project.snippets_dir / d.snippet).is_file():
                return self._source(d, page)  # the code needs no execution
            return render.placeholder(d.kind, what)
        outcome = self.outcomes[d.snippet]
        if outcome.failure is not None:
            failure = outcome.failure
            key = (page.file.src_uri, d.snippet)
            if key not in self._reported:
                self._reported.add(key)
                self._report(page, line, f"snippet {failure}", failure.details)
            if inline:
                return render.error_inline(str(failure))
            return render.error_block(
                f"Snippet failed: snippets/{d.snippet}", f"{failure}\n\n{failure.details}"
            )
        assert outcome.entry is not None
        published = outcome.published
        if d.kind in dmod.NAMED_KINDS:
            group = published.get(d.kind + "s", {})
            if d.name not in group:
                known = sorted(group)
                close = difflib.get_close_matches(d.name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = (
                    f"snippets/{d.snippet} publishes no {d.kind} named {d.name!r} (its {d.kind}s: "
                    f"{', '.join(known) or 'none'}){hint}"
                )
                self._report(page, line, message)
                return (
                    render.error_inline(message)
                    if inline
                    else render.error_block("Unknown snippet result", message)
                )
            item = group[d.name]
            if d.kind == "value":
                return render.value(item)
            if d.kind == "table":
                return render.table(item)
            return render.figure(
                item,
                _relative(figure_uri(d.snippet, item["light"]), page.file.src_uri),
                _relative(figure_uri(d.snippet, item["dark"]), page.file.src_uri),
            )
        if d.kind == "source":
            return self._source(d, page)
        return render.output(outcome.entry.result.get("stdout", ""), d.option("lang", "text"))

    def _source(self, d: Directive, page) -> str:
        code = (self.project.snippets_dir / d.snippet).read_text(encoding="utf-8")
        return render.source(code, d.snippet, _relative(download_uri(d.snippet), page.file.src_uri))

    def _downloads(self, page, info: PageInfo) -> str:
        links = []
        for snippet in info.snippets:
            if (self.project.snippets_dir / snippet).is_file():
                name = snippet.rsplit("/", 1)[-1]
                links.append(
                    (f"{name} (Python)", _relative(download_uri(snippet), page.file.src_uri))
                )
        if links:
            for name in info.helpers:
                links.append(
                    (
                        f"{name} (helper module that the code imports)",
                        _relative(download_uri(name), page.file.src_uri),
                    )
                )
            links.append(
                (
                    f"{info.slug or Path(page.file.src_uri).stem}.ipynb (Jupyter notebook)",
                    _relative(notebook_uri(page.file.src_uri, info.slug), page.file.src_uri),
                )
            )
        return render.downloads(links, helpers=bool(info.helpers))
