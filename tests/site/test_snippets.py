"""Every snippet of the blog, run through the same runner the build uses (one test per file).

A snippet asserts the facts its article states, so a passing run means the article is right.
Snippets are found automatically: every ``snippets/**/*.py`` not named ``_*``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dlm_site import runner

PROJECT = runner.default_project()
SNIPPETS = runner.find_snippets(PROJECT.snippets_dir)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_snippet_runs_and_publishes(snippet: str, snippet_cache: Path):
    """The snippet runs to the end in a subprocess, and every figure it publishes has alt text,
    a caption and both theme variants."""
    project = runner.Project(PROJECT.root, PROJECT.snippets_dir, PROJECT.key_dirs, snippet_cache)
    outcome = runner.run_all(project, [snippet])[snippet]
    if outcome.failure is not None:
        pytest.fail(f"{outcome.failure}\n\n{outcome.failure.details}", pytrace=False)
    for name, figure in outcome.published["figures"].items():
        assert figure["alt"] and figure["caption"], name
        for variant in ("light", "dark"):
            assert outcome.entry.file(figure[variant]).stat().st_size > 0


def test_snippets_are_found():
    """The blog has snippets, and each one lies in an article's folder."""
    assert SNIPPETS
    assert all("/" in snippet for snippet in SNIPPETS)
