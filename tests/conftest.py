"""Session fixtures shared by every test folder.

``built_site`` builds the real blog once per test session, with ``mkdocs build --strict`` into a
temporary folder, and returns the folder; the browser tests and the site tests read it.
``snippet_cache`` is the snippet cache of the session: empty when the session starts, so every
snippet really runs once per session, and shared by the snippet tests and the build.
``site_builder(site_dir, cache_dir)`` builds the blog again, for tests that need a second build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def build_site(site_dir: Path, cache_dir: Path, extra_env: dict[str, str] | None = None):
    """Run ``mkdocs build --strict`` of the real blog into ``site_dir``; return the process."""
    env = dict(os.environ)
    env.update({"NO_MKDOCS_2_WARNING": "1", "DLM_SNIPPETS_CACHE": str(cache_dir)})
    env.pop("DLM_SNIPPETS_EXECUTE", None)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="session")
def site_builder():
    """The function that builds the real blog: ``site_builder(site_dir, cache_dir)``."""
    return build_site


@pytest.fixture(scope="session")
def snippet_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty snippet cache for this session (``DLM_SNIPPETS_CACHE`` of the session's builds)."""
    return tmp_path_factory.mktemp("snippet-cache")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, snippet_cache: Path) -> Path:
    """The real blog, built once per session with ``mkdocs build --strict``; its folder."""
    site = tmp_path_factory.mktemp("built-site") / "site"
    done = build_site(site, snippet_cache)
    if done.returncode != 0:
        pytest.fail(
            f"mkdocs build --strict failed (exit {done.returncode}):\n{done.stderr[-6000:]}",
            pytrace=False,
        )
    return site
