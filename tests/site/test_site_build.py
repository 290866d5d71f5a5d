"""The real blog: a full ``mkdocs build --strict``, and figures that are the same bytes when the
site is built again from a clean cache."""

from __future__ import annotations

from pathlib import Path


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


def test_figures_are_identical_from_a_clean_cache(built_site: Path, site_builder, tmp_path: Path):
    """A second build from another empty cache writes byte-identical figure files."""
    again = tmp_path / "site"
    done = site_builder(again, tmp_path / "cache")
    assert done.returncode == 0, done.stderr[-4000:]
    first = {
        p.relative_to(built_site): p.read_bytes()
        for p in (built_site / "figures").rglob("*")
        if p.is_file()
    }
    second = {
        p.relative_to(again): p.read_bytes() for p in (again / "figures").rglob("*") if p.is_file()
    }
    assert first and first.keys() == second.keys()
    different = [str(path) for path in first if first[path] != second[path]]
    assert different == []
