"""LaTeX rendered at build time with KaTeX, plus equation numbers and references.

Writers use `$...$` (inline) and `$$...$$` (display). `pymdownx.arithmatex` (generic mode) finds
them and leaves them in the HTML as `<span class="arithmatex">\\(...\\)</span>` and
`<div class="arithmatex">\\[...\\]</div>`; this module's Markdown extension then replaces each one
with KaTeX's HTML (visual, with KaTeX's own fonts served by the site) and MathML (for screen
readers). Pages need no JavaScript to show maths, and nothing is fetched from another host.

Numbering is ours, not KaTeX's (KaTeX has no `\\label`/`\\eqref`):

- a display formula with `\\tag{...}` shows that tag;
- a display formula with `\\label{name}` and no tag gets the next number on the page;
- `\\eqref{name}`, in the text or as a whole `$\\eqref{name}$`, becomes a link "(n)" to the
  formula; inside a larger formula it becomes the text "(n)".

KaTeX comes from the npm registry: `ensure_katex()` installs the pinned version into
`.cache/katex/` (never committed) the first time it is needed. A formula that KaTeX cannot parse,
or a reference to an unknown label, fails the build with the formula in the message.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

KATEX_VERSION = "0.19.1"
RENDER_SCRIPT = Path(__file__).parent / "assets" / "katex_render.js"

INLINE_RE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.DOTALL)
DISPLAY_RE = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.DOTALL)
MATHS_RE = re.compile(f"{INLINE_RE.pattern}|{DISPLAY_RE.pattern}", re.DOTALL)
LABEL_RE = re.compile(r"\\label\{([^{}]*)\}")
TAG_RE = re.compile(r"\\tag\*?\{([^{}]*)\}")
EQREF_RE = re.compile(r"\\eqref\{([^{}]*)\}")
# Code is left alone: an `\eqref{...}` shown in a code sample stays as written.
CODE_RE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)


class MathsError(ValueError):
    """A formula cannot be rendered, or an equation reference names no equation."""


def katex_dir() -> Path:
    """Return where KaTeX is installed: `$DLM_KATEX_DIR`, or `.cache/katex` in the repository."""
    configured = os.environ.get("DLM_KATEX_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / ".cache" / "katex"


def ensure_katex(directory: Path | None = None) -> Path:
    """Install KaTeX `KATEX_VERSION` from the npm registry if needed; return the package path.

    The package lands in `<directory>/node_modules/katex`. Raises `MathsError` when Node.js or
    npm is missing or the installation fails.
    """
    directory = directory or katex_dir()
    package = directory / "node_modules" / "katex"
    manifest = package / "package.json"
    if manifest.is_file():
        if json.loads(manifest.read_text(encoding="utf-8")).get("version") == KATEX_VERSION:
            return package
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise MathsError(
            "rendering maths needs Node.js and npm (Debian: apt-get install nodejs npm); "
            "KaTeX is then installed from the npm registry into " + str(directory)
        )
    directory.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
               "--prefix", str(directory), f"katex@{KATEX_VERSION}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not manifest.is_file():
        raise MathsError(
            f"could not install katex@{KATEX_VERSION} with {' '.join(command)}:\n{done.stderr}"
        )
    return package


def katex_assets(package: Path) -> list[tuple[str, Path]]:
    """Return (path in the site, file) for KaTeX's stylesheet and its woff2 fonts."""
    dist = package / "dist"
    assets = [("assets/katex/katex.min.css", dist / "katex.min.css")]
    for font in sorted((dist / "fonts").glob("*.woff2")):
        assets.append((f"assets/katex/fonts/{font.name}", font))
    return assets


_cache: dict[tuple[str, bool], str] = {}


def render_many(formulas: Sequence[tuple[str, bool]], package: Path | None = None) -> list[str]:
    """Render (tex, display) pairs to HTML with one Node.js process; results are memoised."""
    missing = sorted({item for item in formulas if item not in _cache})
    if missing:
        package = package or ensure_katex()
        done = subprocess.run(
            ["node", str(RENDER_SCRIPT), str(package)],
            input=json.dumps([[tex, display] for tex, display in missing]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise MathsError(f"KaTeX failed:\n{done.stderr}")
        for (tex, display), result in zip(missing, json.loads(done.stdout), strict=True):
            if "error" in result:
                kind = "display" if display else "inline"
                raise MathsError(f"cannot render the {kind} formula {tex!r}: {result['error']}")
            _cache[(tex, display)] = result["html"]
    return [_cache[item] for item in formulas]


@dataclass(frozen=True)
class Equation:
    """One formula found in a page: its TeX, whether it is displayed, and its label and tag."""

    tex: str
    display: bool
    label: str | None = None
    tag: str | None = None


def number_equations(formulas: Sequence[tuple[str, bool]]) -> tuple[list[Equation], dict]:
    """Read labels and tags from the formulas of one page, in order, and number them.

    Returns the equations (their TeX without `\\label`, and with a `\\tag` added where a label
    has none) and the map from each label to its shown number. Raises `MathsError` when a label
    is used twice, or a label sits in an inline formula.
    """
    counter = 0
    numbers: dict[str, str] = {}
    equations: list[Equation] = []
    for tex, display in formulas:
        labels = LABEL_RE.findall(tex)
        if not labels:
            equations.append(Equation(tex, display))
            continue
        if not display:
            raise MathsError(f"\\label is only allowed in a display formula ($$...$$): {tex!r}")
        if len(labels) > 1:
            raise MathsError(f"one \\label per formula, got {labels} in {tex!r}")
        label = labels[0].strip()
        if label in numbers:
            raise MathsError(f"equation label {label!r} is used twice on the page")
        tex = LABEL_RE.sub("", tex)
        tags = TAG_RE.findall(tex)
        if tags:
            tag = tags[0]
        else:
            counter += 1
            tag = str(counter)
            tex = f"{tex.rstrip()} \\tag{{{tag}}}"
        numbers[label] = tag
        equations.append(Equation(tex, display, label, tag))
    return equations, numbers


def equation_id(label: str) -> str:
    """Return the HTML id of the formula labelled `label` (`loss` -> `eq-loss`)."""
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")


def _reference(label: str, numbers: dict[str, str], strict: bool = True) -> str:
    """The HTML link "(n)" to the formula labelled `label`."""
    if label not in numbers and not strict:
        return "(?)"
    number = _ref_number(label, numbers)
    return f'<a class="dlm-eqref" href="#{equation_id(label)}">({number})</a>'


def render_page_maths(page_html: str, package: Path | None = None, strict: bool = True) -> str:
    """Replace every arithmatex formula and `\\eqref` of one page's HTML with rendered HTML.

    With `strict=False` (a blog excerpt: the start of a post, whose references may point past
    its end) a reference to an unknown label becomes "(?)" instead of an error.
    """
    found = [
        (
            html.unescape(m.group(1) if m.group(1) is not None else m.group(2)),
            m.group(2) is not None,
        )
        for m in MATHS_RE.finditer(page_html)
    ]
    equations, numbers = number_equations(found)

    to_render: list[tuple[str, bool]] = []
    plan: list[str | int] = []  # a finished string, or an index into to_render
    for equation in equations:
        only_ref = EQREF_RE.fullmatch(equation.tex.strip())
        if only_ref and not equation.display:
            plan.append(_reference(only_ref.group(1).strip(), numbers, strict))
            continue
        tex = EQREF_RE.sub(
            lambda m: "\\text{(" + _ref_number(m.group(1).strip(), numbers, strict) + ")}",
            equation.tex,
        )
        plan.append(len(to_render))
        to_render.append((tex.strip(), equation.display))
    rendered = render_many(to_render, package)

    pieces = iter(zip(equations, plan, strict=True))

    def substitute(match: re.Match[str]) -> str:
        equation, step = next(pieces)
        body = step if isinstance(step, str) else rendered[step]
        if not equation.display:
            return body
        ident = f' id="{equation_id(equation.label)}"' if equation.label else ""
        return f'<div class="dlm-equation"{ident}>{body}</div>'

    page_html = MATHS_RE.sub(substitute, page_html)
    parts = CODE_RE.split(page_html)
    for i in range(0, len(parts), 2):  # even parts are outside code
        parts[i] = EQREF_RE.sub(lambda m: _reference(m.group(1).strip(), numbers, strict), parts[i])
    return "".join(parts)


def _ref_number(label: str, numbers: dict[str, str], strict: bool = True) -> str:
    """The number shown for `label` ("?" for an unknown label when not strict)."""
    if label not in numbers:
        if not strict:
            return "?"
        raise MathsError(
            f"\\eqref{{{label}}} names no equation on this page; labels here: {sorted(numbers)}"
        )
    return numbers[label]


class KatexPostprocessor(Postprocessor):
    """Runs `render_page_maths` on the finished HTML of each Markdown conversion."""

    def run(self, text: str) -> str:
        """Render the maths of one page."""
        if "arithmatex" not in text and "\\eqref" not in text:
            return text
        # Material's blog renders each post's excerpt with its own Markdown instance, marked by
        # an "excerpt" tree processor; the full post is checked strictly.
        excerpt = "excerpt" in self.md.treeprocessors
        return render_page_maths(text, strict=not excerpt)


class KatexExtension(Extension):
    """Markdown extension: renders arithmatex's formulas with KaTeX at build time."""

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the postprocessor after every built-in one (raw HTML restored, & unescaped)."""
        md.postprocessors.register(KatexPostprocessor(md), "dlm_katex", 5)


def makeExtension(**kwargs: Any) -> KatexExtension:  # noqa: N802 (Markdown's API name)
    """Entry point used by Markdown when mkdocs.yml lists `dlm_site.maths`."""
    return KatexExtension(**kwargs)
