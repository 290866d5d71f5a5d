"""Find the snippet directives in an article's Markdown.

A directive is written between double braces, with a space inside each brace pair::

    {{ figure patients:outputs }}     a figure (alone on its line)
    {{ table patients:results }}      a table (alone on its line)
    {{ source patients }}             the snippet's code, folded (alone on its line)
    {{ output patients }}             what the snippet printed (alone on its line)
    {{ output code lang=python }}     the same, highlighted as Python (printed source code)
    {{ downloads }}                   where the download box goes (alone on its line)
    ... gives {{ value patients:first_output }} for ...   a value, inline in a sentence

``patients`` names ``snippets/<slug>/patients.py``, where ``<slug>`` is the page's front-matter
``slug`` with ``-`` written ``_``. A reference with a ``/`` is a path under ``snippets/``
(``general_concepts/patients``), which any page may use. ``\\{{`` writes a literal ``{{``.
Directives inside fenced code blocks and inline code are left alone.

Everything here is pure: text in, data out. ``DirectiveError`` carries the line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Kinds that produce a block and must stand alone on their line.
BLOCK_KINDS = ("figure", "table", "source", "output", "downloads")
#: Kinds that produce inline text.
INLINE_KINDS = ("value",)
KINDS = BLOCK_KINDS + INLINE_KINDS
#: Kinds that name one published result (``snippet:name``).
NAMED_KINDS = ("figure", "table", "value")

_DIRECTIVE = re.compile(
    r"(\\?)\{\{\s+([A-Za-z_]+)(?:\s+([^\s{}=]+))?((?:\s+[A-Za-z_]+=[^\s{}]*)*)\s+\}\}"
)
_OPTION = re.compile(r"([A-Za-z_]+)=([^\s{}]*)")
#: The options each kind accepts, and what their values must look like.
OPTIONS = {"output": {"lang": re.compile(r"^[A-Za-z0-9_+-]+$")}}
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_REF = re.compile(r"^(?P<snippet>[A-Za-z0-9_][A-Za-z0-9_./-]*?)(?::(?P<name>[A-Za-z0-9_-]+))?$")


class DirectiveError(ValueError):
    """A directive that cannot be understood: an unknown kind, a bad reference, a misplacement."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Directive:
    """One directive found in a page.

    ``snippet`` is the path under ``snippets/`` (``general_concepts/patients.py``), ``name`` the
    published name (``None`` for source, output and downloads), ``line`` is 1-based, ``start`` and
    ``end`` are offsets in the page text, and ``indent`` is the text before a block directive.
    """

    kind: str
    snippet: str | None
    name: str | None
    line: int
    start: int
    end: int
    indent: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str, default: str | None = None) -> str | None:
        """The value of an option (``lang`` in ``{{ output code lang=python }}``), or
        ``default``."""
        return dict(self.options).get(key, default)


def slug_dir(slug: str | None) -> str | None:
    """The snippet folder of a page: its slug with ``-`` written ``_`` (``None`` without slug)."""
    if not slug:
        return None
    return str(slug).strip().replace("-", "_")


def resolve_snippet(ref: str, page_dir: str | None, line: int) -> str:
    """Turn a reference (``patients`` or ``general_concepts/patients``) into a path under
    ``snippets/`` with its ``.py`` suffix."""
    path = ref if ref.endswith(".py") else ref + ".py"
    if "/" not in ref:
        if page_dir is None:
            raise DirectiveError(
                f"snippet reference {ref!r} needs a folder, as in 'general_concepts/{ref}', "
                "because this page has no 'slug' in its front matter",
                line,
            )
        path = f"{page_dir}/{path}"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise DirectiveError(
            f"snippet reference {ref!r} must be a plain path under snippets/", line
        )
    return path


def _masked(markdown: str) -> str:
    """The text with fenced code blocks and inline code replaced by spaces (same offsets)."""
    out = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out.append(" " * len(line.rstrip("\n")) + line[len(line.rstrip("\n")) :])
            continue
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            out.append(" " * len(line.rstrip("\n")) + line[len(line.rstrip("\n")) :])
            continue
        out.append(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return "".join(out)


def parse(markdown: str, page_dir: str | None = None) -> list[Directive]:
    """Find every directive in ``markdown``, in order.

    ``page_dir`` is the page's snippet folder (see ``slug_dir``). Raises ``DirectiveError`` on the
    first malformed directive.
    """
    masked = _masked(markdown)
    found = []
    for match in _DIRECTIVE.finditer(masked):
        if match.group(1):  # an escaped \{{
            continue
        start, end = match.start(), match.end()
        line = markdown.count("\n", 0, start) + 1
        kind, ref = match.group(2), match.group(3)
        if kind not in KINDS:
            raise DirectiveError(
                f"unknown directive {kind!r} in {match.group(0)!r}; expected one of "
                + ", ".join(KINDS),
                line,
            )
        line_start = markdown.rfind("\n", 0, start) + 1
        line_end = markdown.find("\n", end)
        line_end = len(markdown) if line_end == -1 else line_end
        before, after = markdown[line_start:start], markdown[end:line_end]
        if kind in BLOCK_KINDS and (before.strip() or after.strip()):
            raise DirectiveError(
                f"{match.group(0)!r} must stand alone on its line (a {kind} is a block)", line
            )
        options = _parse_options(kind, match.group(4) or "", match.group(0), line)
        if kind == "downloads":
            if ref is not None:
                raise DirectiveError("'{{ downloads }}' takes no argument", line)
            found.append(Directive(kind, None, None, line, start, end, before))
            continue
        if ref is None:
            raise DirectiveError(f"{match.group(0)!r} needs a snippet reference", line)
        ref_match = _REF.match(ref)
        if ref_match is None:
            raise DirectiveError(f"cannot read the reference {ref!r} in {match.group(0)!r}", line)
        name = ref_match.group("name")
        if kind in NAMED_KINDS and name is None:
            raise DirectiveError(
                f"{match.group(0)!r} needs a published name: '{{{{ {kind} {ref}:NAME }}}}'", line
            )
        if kind not in NAMED_KINDS and name is not None:
            raise DirectiveError(
                f"{match.group(0)!r} takes a snippet only, not a name: '{{{{ {kind} "
                f"{ref_match.group('snippet')} }}}}'",
                line,
            )
        snippet = resolve_snippet(ref_match.group("snippet"), page_dir, line)
        indent = before if kind in BLOCK_KINDS else ""
        found.append(Directive(kind, snippet, name, line, start, end, indent, options))
    return found


def _parse_options(kind: str, text: str, whole: str, line: int) -> tuple[tuple[str, str], ...]:
    """The ``key=value`` options after a directive's reference, checked against ``OPTIONS``."""
    options = []
    allowed = OPTIONS.get(kind, {})
    for key, value in _OPTION.findall(text):
        if key not in allowed:
            accepted = ", ".join(f"{k}=" for k in allowed) or "none"
            raise DirectiveError(
                f"{whole!r}: the {kind} directive takes no option {key!r} (it takes: {accepted})",
                line,
            )
        if not allowed[key].match(value):
            raise DirectiveError(
                f"{whole!r}: the option {key}= needs a value such as 'python', got {value!r}",
                line,
            )
        options.append((key, value))
    return tuple(options)


def unescape(markdown: str) -> str:
    """Turn each escaped ``\\{{`` into a literal ``{{`` (outside code, where it is kept as is)."""
    masked = _masked(markdown)
    out, last = [], 0
    for match in re.finditer(r"\\\{\{", masked):
        out.append(markdown[last : match.start()])
        out.append("{{")
        last = match.end()
    out.append(markdown[last:])
    return "".join(out)


def replace(markdown: str, directives: list[Directive], texts: list[str]) -> str:
    """Replace each directive by its text (block texts are indented like their directive)."""
    out, last = [], 0
    for directive, text in zip(directives, texts, strict=True):
        out.append(markdown[last : directive.start])
        if directive.kind in BLOCK_KINDS and directive.indent:
            lines = text.split("\n")
            text = "\n".join([lines[0]] + [directive.indent + ln if ln else ln for ln in lines[1:]])
        out.append(text)
        last = directive.end
    out.append(markdown[last:])
    return "".join(out)


def snippet_timeout(source: str, default: float) -> float:
    """The timeout a snippet asks for with a ``# dlm-snippet: timeout=300`` line, else
    ``default`` (seconds)."""
    match = re.search(r"^#\s*dlm-snippet:\s*timeout\s*=\s*([0-9.]+)\s*$", source, re.MULTILINE)
    return float(match.group(1)) if match else default
