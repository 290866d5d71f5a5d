"""The real blog: a full ``mkdocs build --strict``, and figures that are the same bytes when the
snippets run again from a clean cache."""

from __future__ import annotations

import json
from pathlib import Path

from dlm_site import runner
from dlm_site.plugin import figure_uri


def test_full_build_has_article_one(built_site: Path):
    """The strict build succeeds, and article 1 shows its values, table, figures and downloads."""
    page = built_site / "blog/2021/08/05/general-concepts/index.html"
    html = page.read_text(encoding="utf-8")
    assert "dlm-snippet-error" not in html and "dlm-placeholder" not in html
    assert 'aria-label="wrong">✗</span>' in html
    assert html.count('<figure class="dlm-figure">') >= 2
    figures = sorted(p.name for p in (built_site / "figures/general_concepts/patients").iterdir())
    assert "outputs.svg" in figures and "outputs-dark.svg" in figures
    assert (built_site / "downloads/general_concepts/patients.py").is_file()
    assert (built_site / "downloads/general-concepts.ipynb").is_file()


#: Snippets slower than this (in the session's first run) are not run a second time here.
SECOND_RUN_LIMIT_S = 60.0


def test_figures_are_identical_from_a_clean_cache(
    built_site: Path, snippet_cache: Path, tmp_path: Path
):
    """Every snippet run again from an empty cache writes the same figure bytes that the built
    site serves (the build copies cache files verbatim, so this is a second clean build's
    figures). Snippets slower than a minute are left out to keep the suite fast, and so are the
    figures a snippet declares ``measured`` (timings of the build machine), which must stay rare."""
    report = json.loads((snippet_cache / "report.json").read_text())
    quick = [
        s["snippet"]
        for s in report["snippets"]
        if s["run_seconds"] is not None and s["run_seconds"] < SECOND_RUN_LIMIT_S
    ]
    assert quick
    project = runner.default_project()
    project = runner.Project(project.root, project.snippets_dir, project.key_dirs, tmp_path)
    outcomes = runner.run_all(project, quick, force=True)
    compared = 0
    measured = []
    for snippet, outcome in outcomes.items():
        assert outcome.ok, str(outcome.failure)
        for name, info in outcome.published["figures"].items():
            if info.get("measured"):
                measured.append(f"{snippet}:{name}")
                continue
            for variant in ("light", "dark"):
                served = built_site / figure_uri(snippet, info[variant])
                assert served.read_bytes() == outcome.entry.file(info[variant]).read_bytes(), (
                    f"{served} differs between two clean runs"
                )
                compared += 1
    assert compared >= 4
    assert len(measured) <= 3, f"too many figures exempt from determinism: {measured}"
