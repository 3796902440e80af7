"""Lighter chapter pages: code cells' copy icons defined once per page, and code spans that
colour nothing unwrapped."""

from __future__ import annotations

import hashlib

from ..markup import LexborHTMLParser, fragment

ICONS_SVG = (
    '<svg aria-hidden="true" focusable="false" width="0" height="0" style="position:absolute"'
    ' class="attn-icons" xmlns="http://www.w3.org/2000/svg"><defs>{}</defs></svg>'
)
# nbconvert's lab template: a copy button with its own inline icon in every code cell.
_COPY_ICON = 'svg.clipboard-copy-icon[aria-hidden="true"]'
_CODE_CELL_SPANS = 'div[class^="highlight-ipynb"] > pre span'
# Pygments classes that no rule of the notebook CSS (.highlight-ipynb .X) or extra.css colours
# differently from the code's text ("w": whitespace, whose colour shows nothing).
UNCOLOURED = frozenset({"n", "nb", "nf", "nn", "w"})


def slim_code_cells(tree: LexborHTMLParser) -> list[str]:
    """Code cells without what shows nothing: each copy button's icon becomes a ``<use>`` of
    one definition, and spans that colour nothing are unwrapped; returns the definitions."""
    icons: dict[str, str] = {}
    for svg in tree.css(_COPY_ICON):
        drawing = svg.inner_html
        name = "c" + hashlib.sha256(drawing.encode()).hexdigest()[:6]
        icons.setdefault(name, f'<g id="{name}">{drawing}</g>')
        svg.inner_html = f'<use xlink:href="#{name}"></use>'
    for span in tree.css(_CODE_CELL_SPANS):
        attrs = span.attributes
        if span.first_child is None and not attrs:
            span.decompose()  # Pygments' empty <span></span>
        elif len(attrs) == 1 and attrs.get("class") in UNCOLOURED:
            child = span.first_child
            if child is None or (child.is_text_node and child.next is None):
                span.unwrap()
    return list(icons.values())


def share_definitions(tree: LexborHTMLParser) -> None:
    """The code cells' copy icons defined once, in one hidden <svg> at the top of the article
    (inside the content that Material's instant navigation swaps)."""
    icons = slim_code_cells(tree)
    if not icons:
        return
    svg = fragment(ICONS_SVG.format("".join(icons))).root
    top = tree.css_first("article") or tree.body
    if top.first_child is None:
        top.insert_child(svg)
    else:
        top.first_child.insert_before(svg)
