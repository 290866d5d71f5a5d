"""Maths markers: a passage that a reader may skip, opened by a warning sign and closed by a safe
sign.

Writers mark the passage with a `pymdownx.blocks` block (the title is optional):

    /// maths | Deriving the gradient of the loss
    Text and formulas that a reader may skip.
    ///

It becomes a foldable passage (an open `<details>`) headed by the warning marker, followed by the
safe marker where the text resumes. The site-wide "hide the maths" switch (assets/javascripts/
dlm.js) hides every such passage and shows, in its place, a one-line note that a passage was
skipped, so the page stays readable.

Register it in mkdocs.yml under `markdown_extensions` as `- dlm_site.markers`.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from markdown import Markdown
from pymdownx.blocks import BlocksExtension, BlocksProcessor
from pymdownx.blocks.block import Block

DEFAULT_TITLE = "Maths ahead"
OPEN_HINT = "You may skip to the safe sign below."
CLOSE_TEXT = "Safe: the text resumes here."
STUB_TEXT = "A maths passage is hidden here."

# Our two icons, 24x24, drawn for this site. The warning sign is an amber triangle with an
# exclamation mark; the safe sign is a green disc with a tick. Both read on light and dark pages.
WARNING_ICON = {
    "label": "Warning sign: maths ahead",
    "shapes": [
        (
            "path",
            {
                "d": "M12 2.8 22.6 21H1.4Z",
                "fill": "#f2a516",
                "stroke": "#8a5a00",
                "stroke-width": "1.2",
                "stroke-linejoin": "round",
            },
        ),
        (
            "rect",
            {
                "x": "10.9",
                "y": "8.2",
                "width": "2.2",
                "height": "7",
                "rx": "1.1",
                "fill": "#2b1d00",
            },
        ),
        ("circle", {"cx": "12", "cy": "18", "r": "1.3", "fill": "#2b1d00"}),
    ],
}
SAFE_ICON = {
    "label": "Safe sign: the maths passage ends",
    "shapes": [
        (
            "circle",
            {
                "cx": "12",
                "cy": "12",
                "r": "10.4",
                "fill": "#2f9e5a",
                "stroke": "#17613a",
                "stroke-width": "1.2",
            },
        ),
        (
            "path",
            {
                "d": "M7.2 12.4 10.5 15.7 16.9 8.9",
                "fill": "none",
                "stroke": "#ffffff",
                "stroke-width": "2.4",
                "stroke-linecap": "round",
                "stroke-linejoin": "round",
            },
        ),
    ],
}


def icon(parent: Element, spec: dict[str, Any], css_class: str) -> Element:
    """Append one of our marker icons to `parent` as inline SVG with an accessible name."""
    svg = SubElement(
        parent,
        "svg",
        {
            "class": css_class,
            "viewBox": "0 0 24 24",
            "width": "24",
            "height": "24",
            "role": "img",
            "aria-label": spec["label"],
        },
    )
    for tag, attributes in spec["shapes"]:
        SubElement(svg, tag, attributes)
    return svg


def icon_svg(spec: dict[str, Any], css_class: str = "dlm-marker") -> str:
    """Return a marker icon as an SVG string (for templates and the home page)."""
    holder = Element("span")
    icon(holder, spec, css_class)
    return tostring(holder[0], encoding="unicode", method="html")


class MathsBlock(Block):
    """The `/// maths | optional title` block: a skippable, foldable maths passage."""

    NAME = "maths"
    ARGUMENT = None
    OPTIONS: dict[str, Any] = {}

    def on_create(self, parent: Element) -> Element:
        """Build the passage: a note shown when hidden, the fold, and the closing safe sign."""
        wrapper = SubElement(parent, "div", {"class": "dlm-maths"})

        stub = SubElement(wrapper, "p", {"class": "dlm-maths__stub"})
        icon(stub, WARNING_ICON, "dlm-marker dlm-marker--small")
        text = SubElement(stub, "span")
        text.text = STUB_TEXT + " "
        button = SubElement(stub, "button", {"type": "button", "class": "dlm-maths__show"})
        button.text = "Show it"

        fold = SubElement(wrapper, "details", {"class": "dlm-maths__fold", "open": "open"})
        summary = SubElement(fold, "summary", {"class": "dlm-maths__open"})
        icon(summary, WARNING_ICON, "dlm-marker")
        title = SubElement(summary, "span", {"class": "dlm-maths__title"})
        title.text = (self.argument or "").strip() or DEFAULT_TITLE
        hint = SubElement(summary, "span", {"class": "dlm-maths__hint"})
        hint.text = OPEN_HINT
        SubElement(fold, "div", {"class": "dlm-maths__body"})

        close = SubElement(wrapper, "p", {"class": "dlm-maths__close"})
        icon(close, SAFE_ICON, "dlm-marker")
        resume = SubElement(close, "span")
        resume.text = CLOSE_TEXT
        return wrapper

    def on_add(self, block: Element) -> Element:
        """Put the block's content in the fold's body."""
        body = block.find("./details/div")
        assert body is not None  # built by on_create
        return body


class MathsMarkersExtension(BlocksExtension):
    """Markdown extension that registers the `maths` block."""

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: BlocksProcessor) -> None:
        """Register `MathsBlock` with the blocks manager."""
        block_mgr.register(MathsBlock, self.getConfigs())


def makeExtension(**kwargs: Any) -> MathsMarkersExtension:  # noqa: N802 (Markdown's API name)
    """Entry point used by Markdown when mkdocs.yml lists `dlm_site.markers`."""
    return MathsMarkersExtension(**kwargs)
