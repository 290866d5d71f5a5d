"""Directive parsing: what authors write in articles, and the errors they get for typos."""

from __future__ import annotations

import re

import pytest

from dlm_site.directives import (
    DirectiveError,
    parse,
    replace,
    resolve_snippet,
    slug_dir,
    snippet_timeout,
    unescape,
)


def test_every_kind_is_found_in_order():
    """Each kind of directive is parsed with its snippet, name and 1-based line."""
    text = (
        "Intro {{ value patients:out1 }} and {{ value general_concepts/patients:out2 }}.\n"
        "\n"
        "{{ figure patients:outputs }}\n"
        "{{ table patients:results }}\n"
        "{{ source patients }}\n"
        "{{ output patients.py }}\n"
        "{{ downloads }}\n"
    )
    found = parse(text, "general_concepts")
    assert [(d.kind, d.snippet, d.name, d.line) for d in found] == [
        ("value", "general_concepts/patients.py", "out1", 1),
        ("value", "general_concepts/patients.py", "out2", 1),
        ("figure", "general_concepts/patients.py", "outputs", 3),
        ("table", "general_concepts/patients.py", "results", 4),
        ("source", "general_concepts/patients.py", None, 5),
        ("output", "general_concepts/patients.py", None, 6),
        ("downloads", None, None, 7),
    ]


def test_slug_gives_the_snippet_folder():
    """A page's slug, with dashes written as underscores, is its snippet folder."""
    assert slug_dir("general-concepts") == "general_concepts"
    assert slug_dir(None) is None


def test_short_reference_needs_a_slug():
    """Without a slug, a reference must name its folder, and the error says so."""
    with pytest.raises(DirectiveError, match="needs a folder.*general_concepts/patients"):
        parse("{{ value patients:x }}", None)
    assert resolve_snippet("a/b", None, 1) == "a/b.py"


def test_path_escapes_are_refused():
    """A reference cannot climb out of snippets/."""
    with pytest.raises(DirectiveError, match="plain path under snippets"):
        parse("{{ source a/../../secret }}", "demo")


def test_unknown_kind_is_an_error_with_its_line():
    """A misspelt directive kind is reported with the kinds that exist and the line."""
    with pytest.raises(DirectiveError, match=r"line 2: unknown directive 'vaule'.*value") as info:
        parse("text\n{{ vaule patients:x }}\n", "demo")
    assert info.value.line == 2


def test_named_kinds_need_a_name():
    """A figure, table or value without ``:name`` is an error that shows the right form."""
    with pytest.raises(DirectiveError, match=r"needs a published name: '\{\{ figure p:NAME \}\}'"):
        parse("{{ figure p }}", "demo")


def test_source_takes_no_name():
    """``source`` and ``output`` take a snippet only."""
    with pytest.raises(DirectiveError, match="takes a snippet only"):
        parse("{{ source p:thing }}", "demo")


def test_missing_reference():
    """A directive without its snippet is an error."""
    with pytest.raises(DirectiveError, match="needs a snippet reference"):
        parse("{{ figure }}", "demo")


def test_downloads_takes_no_argument():
    """``downloads`` stands alone."""
    with pytest.raises(DirectiveError, match="takes no argument"):
        parse("{{ downloads p }}", "demo")


def test_block_directive_must_stand_alone():
    """A figure inside a sentence is refused: blocks need their own line."""
    with pytest.raises(DirectiveError, match="must stand alone on its line"):
        parse("See {{ figure p:f }} here.", "demo")


def test_indented_block_keeps_its_indent():
    """A block directive inside an admonition is indented, and so is its replacement."""
    text = "!!! note\n    {{ table p:t }}\n"
    (found,) = parse(text, "demo")
    assert found.indent == "    "
    assert replace(text, [found], ["| a |\n| - |\n| 1 |"]) == (
        "!!! note\n    | a |\n    | - |\n    | 1 |\n"
    )


def test_code_is_left_alone():
    """Directives inside fenced code and inline code are not directives."""
    text = (
        "```markdown\n{{ figure p:f }}\n```\n"
        "~~~\n{{ vaule nonsense }}\n~~~\n"
        "Write `{{ value p:x }}` to insert a value.\n"
    )
    assert parse(text, "demo") == []


def test_escaped_braces_are_literal():
    """``\\{{`` is not a directive, and ``unescape`` turns it into ``{{``."""
    text = "Literally \\{{ value p:x }}."
    assert parse(text, "demo") == []
    assert unescape(text) == "Literally {{ value p:x }}."


def test_latex_braces_are_not_directives():
    """LaTeX's ``{{`` without inner spaces is never taken for a directive."""
    assert parse(r"$\frac{{a}}{b}$ and $x^{{2}}$", "demo") == []


def test_replace_substitutes_inline_values():
    """Values are replaced in place, keeping the sentence around them."""
    text = "It gives {{ value p:a }} then {{ value p:b }}."
    found = parse(text, "demo")
    assert replace(text, found, ["0", "1"]) == "It gives 0 then 1."


def test_timeout_comment():
    """A snippet asks for a longer timeout with a comment line; otherwise the default holds."""
    assert snippet_timeout("# dlm-snippet: timeout=300\nprint(1)\n", 120) == 300
    assert snippet_timeout("print(1)\n", 120) == 120


def test_output_takes_a_language():
    """``{{ output code lang=python }}`` asks for Python highlighting of printed code."""
    (found,) = parse("{{ output code lang=python }}\n", "linear")
    assert (found.kind, found.snippet, found.option("lang")) == (
        "output",
        "linear/code.py",
        "python",
    )
    (plain,) = parse("{{ output code }}\n", "linear")
    assert plain.option("lang", "text") == "text"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ output code lang= }}", "the option lang= needs a value such as 'python', got ''"),
        ("{{ output code colour=red }}", "the output directive takes no option 'colour'"),
        ("{{ figure p:f lang=python }}", "the figure directive takes no option 'lang'"),
    ],
)
def test_bad_options_are_errors(text, message):
    """An option a directive does not take, or a bad value, is an error naming it."""
    with pytest.raises(DirectiveError, match=re.escape(message)):
        parse(text + "\n", "demo")
