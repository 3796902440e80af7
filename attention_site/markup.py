"""The one HTML parser of the site's build: Lexbor (``selectolax.lexbor``), which follows the
HTML5 rules, SVG and MathML included (an SVG keeps its ``viewBox``: lxml's HTML parser lowercases
it). A page is parsed once, every job edits that tree, and it is serialised once
(`attention_site.pages.finish_page`; nbconvert's fragment: `attention_site.notebooks.render`).
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["LexborHTMLParser", "LexborNode", "fragment", "inside", "put_html", "text_nodes"]

# Elements whose text is not prose: never rewritten (math, Chinese line breaks).
VERBATIM = frozenset({"pre", "code", "script", "style", "textarea"})


def fragment(markup: str) -> LexborHTMLParser:
    """``markup`` parsed as the content of a ``<div>`` (no ``<html>`` or ``<body>`` added)."""
    return LexborHTMLParser(markup, is_fragment=True)


def put_html(where: LexborNode, markup: str, *, replace: bool = False) -> None:
    """The nodes of ``markup`` inserted before ``where`` (in its place if ``replace``)."""
    tree = where.parser
    holder = tree.create_node("span")
    holder.inner_html = markup  # parsed in the context of a <span> in the body: phrasing content
    where.insert_before(holder, move=True)
    holder.unwrap()
    if replace:
        where.decompose()


def inside(node: LexborNode, tags: frozenset[str], classes: frozenset[str] = frozenset()) -> bool:
    """Whether ``node`` or an element around it is one of ``tags`` or has one of ``classes``."""
    while node is not None:
        if node.tag in tags:
            return True
        if classes and node.is_element_node:
            names = node.attributes.get("class")
            if names and not classes.isdisjoint(names.split()):
                return True
        node = node.parent
    return False


def text_nodes(root: LexborNode) -> Iterator[LexborNode]:
    """Every text node under ``root``, in document order."""
    return (node for node in root.traverse(include_text=True) if node.is_text_node)
