"""Markdown and HTML for what snippets publish: figures, values, tables, source, output, errors.

Pure functions: data in, Markdown text out. The plugin puts the text where the directive was,
before MkDocs turns the page into HTML, so links to figures and downloads are checked and
rewritten by MkDocs like any other link.

CSS classes for the theme: ``dlm-figure`` (a ``<figure>``, with two ``<img>``: one for the light
theme and one for the dark theme, chosen by Material's ``#only-light`` and ``#only-dark``),
``dlm-mark`` (✓/✗ cells), ``dlm-output`` (printed output), ``dlm-source`` (the folded code),
``dlm-downloads`` (the download box), ``dlm-snippet-error`` (an error shown under
``mkdocs serve``) and ``dlm-placeholder`` (a result with execution turned off).
"""

from __future__ import annotations

import html
import re


def _fence(text: str, info: str = "") -> str:
    """A fenced code block around ``text``, with a fence longer than any backtick run in it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _md_escape(text: str) -> str:
    """Escape text for Markdown link text or alt text (``$`` too: no maths in plain text)."""
    return re.sub(r"([\\\[\]*_`<>$])", r"\\\1", text)


def value(text: str) -> str:
    """An inline value: HTML-escaped, so that a value never turns into markup."""
    return html.escape(text, quote=False)


def table(data: dict) -> str:
    """A Markdown table from ``{"header": [...], "rows": [[...]], "align": "lcr"}``."""

    def cells(row: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |"

    rule = {"l": ":--", "c": ":-:", "r": "--:"}
    lines = [cells(data["header"]), "| " + " | ".join(rule[a] for a in data["align"]) + " |"]
    lines += [cells(row) for row in data["rows"]]
    return "\n".join(lines)


def figure(info: dict, light_url: str, dark_url: str) -> str:
    """A ``<figure>`` with a light and a dark image, alt text and caption.

    The URLs are relative to the page's source file; MkDocs validates and rewrites them. The alt
    text is plain text. The caption is inline Markdown (``*x*``, backticks, links, ``$L^2$``):
    its ``<figcaption markdown="span">`` is converted by the page's own Markdown instance (the
    ``md_in_html`` extension), so it gets the page's extensions, KaTeX maths included.
    """
    alt = _md_escape(info["alt"])
    size = f'{{ width="{info["width"]}" height="{info["height"]}" loading="lazy" }}'
    # One line: a blank line would end the HTML block that md_in_html reads.
    caption = " ".join(info["caption"].split())
    return "\n".join(
        [
            '<figure class="dlm-figure" markdown="span">',
            f"![{alt}]({light_url}#only-light){size}",
            f"![{alt}]({dark_url}#only-dark){size}",
            f'<figcaption markdown="span">{caption}</figcaption>',
            "</figure>",
        ]
    )


def source(code: str, snippet: str, download_url: str) -> str:
    """The snippet's code in a folded block, with a link to download it."""
    body = _fence(code, "python")
    body = "\n".join("    " + line if line else line for line in body.split("\n"))
    name = snippet.rsplit("/", 1)[-1]
    return (
        f'??? example dlm-source "The code: snippets/{snippet}"\n'
        f"    [Download {_md_escape(name)}]({download_url}){{ .dlm-source-download }}\n\n"
        f"{body}\n"
    )


def output(stdout: str, lang: str = "text") -> str:
    """What the snippet printed, as a code block highlighted as ``lang`` (plain ``text`` by
    default; ``python`` for printed source code)."""
    if not stdout.strip():
        return '<p class="dlm-output">The snippet printed nothing.</p>'
    return "\n".join(
        ['<div class="dlm-output" markdown="block">', "", _fence(stdout, lang), "", "</div>"]
    )


def downloads(links: list[tuple[str, str]], helpers: bool = False) -> str:
    """The download box at the end of an article: ``(label, url)`` pairs. With ``helpers``, the
    box says to save the helper modules beside the snippets (the notebook carries its own)."""
    items = "\n".join(f"    - [{_md_escape(label)}]({url})" for label, url in links)
    note = (
        " Save the helper modules in the same folder as the `.py` files, which import them; "
        "the notebook needs nothing else, it writes its helpers itself."
        if helpers
        else ""
    )
    return (
        '!!! tip dlm-downloads "Run this article\'s code"\n'
        "    Every figure and number on this page comes from the code below, run with `dlm` when "
        "the site was built. Download it and run it at home (`pip install -e .` from the "
        f"repository first).{note}\n\n"
        f"{items}"
    )


def error_block(title: str, message: str) -> str:
    """A visible error box (under ``mkdocs serve``) in place of a block result."""
    body = _fence(message, "text")
    body = "\n".join("    " + line if line else line for line in body.split("\n"))
    return f'!!! failure dlm-snippet-error "{title.replace(chr(34), chr(39))}"\n\n{body}\n'


def error_inline(message: str) -> str:
    """A visible error marker in place of an inline value."""
    return (
        '<strong class="dlm-snippet-error">[snippet error: '
        f"{html.escape(message, quote=False)}]</strong>"
    )


def placeholder(kind: str, what: str) -> str:
    """What a directive shows when execution is turned off (a plain build)."""
    text = html.escape(f"{kind} {what}", quote=False)
    if kind == "value":
        return f'<span class="dlm-placeholder">[{text}]</span>'
    return f'<p class="dlm-placeholder">[{text}: execution is turned off]</p>'
