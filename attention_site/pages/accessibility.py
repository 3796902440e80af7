"""Scrollable boxes reachable by keyboard (code blocks, text outputs, display equations and
tables get ``tabindex="0"``, a role and a label in the page's language; extra.css shows a cue),
and named controls (the search dialog; an empty table header cell becomes a data cell)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..markup import LexborHTMLParser, LexborNode

LABELS = {
    "en": {"code": "Code (scrolls sideways)", "output": "Output (scrolls sideways)",
           "math": "Equation (scrolls sideways)", "table": "Table (scrolls sideways)",
           "search": "Search"},
    "zh": {"code": "代码，可横向滚动", "output": "输出，可横向滚动",
           "math": "公式，可横向滚动", "table": "表格，可横向滚动", "search": "搜索"},
}  # fmt: skip
# English that no setting translates: the copy button of the notebook template (mkdocs-jupyter)
# and the title of the toc extension's permalinks. Chinese as Material's own "clipboard.copy".
UI_WORDS = {
    "zh": [
        ('clipboard-copy[aria-label="Copy to Clipboard"]', "aria-label", "复制"),
        ('a[class="headerlink"][title="Permanent link"]', "title", "永久链接"),
    ]
}
# The copy button's notice (its text, not an attribute).
COPIED = {"zh": "已复制"}
_NOTICE = 'span[class="notice"][hidden]'

# The boxes that scroll sideways, by kind: a selector, and which element of a match scrolls.
_HIGHLIGHT = re.compile(r"(?:language-[\w-]+ |doc-signature )?highlight")


def _scrollers(tree: LexborHTMLParser) -> Iterator[tuple[LexborNode, str]]:
    """Every box that scrolls sideways, and its kind (a key of `LABELS`)."""
    for div in tree.css('div[class^="highlight-ipynb"]'):  # notebook code cells: the <pre>
        pre = div.first_child
        if pre is not None and pre.tag == "pre" and not pre.attributes:
            yield pre, "code"
    for div in tree.css("div.highlight"):
        # Material's code blocks and mkdocstrings' signatures: their <code> scrolls, or else
        # (Pygments HTML in a notebook output, show_source) the <pre>.
        pre = div.first_child
        if not _HIGHLIGHT.fullmatch(div.attributes.get("class") or "") or pre is None:
            continue
        if pre.tag != "pre":
            continue
        code = _code_of(pre)
        if code is not None:
            yield code, "code"
        elif div.attributes["class"] == "highlight" and not pre.attributes:
            yield pre, "code"
    # Source with line numbers (mkdocstrings' "Source code in ..."): its <code> scrolls.
    for pre in tree.css('td[class="code"] > div > pre'):
        code = _code_of(pre)
        if code is not None and pre.parent.first_child == pre and not pre.parent.attributes:
            yield code, "code"
    for div in tree.css('div[class="jp-RenderedText jp-OutputArea-output"]'):
        pre = _first_element(div)
        if pre is not None and pre.tag == "pre" and not pre.attributes:
            yield pre, "output"
    for span in tree.css('span[class="katex-display"]'):
        if len(span.attributes) == 1:
            yield span, "math"
    # A table in a notebook's Markdown cell scrolls itself (Material: inline-block, overflow auto).
    for table in tree.css("table"):
        if not table.attributes:
            yield table, "table"


def _first_element(node: LexborNode) -> LexborNode | None:
    """The first child element of ``node`` if only whitespace comes before it."""
    child = node.first_child
    while child is not None and child.is_text_node and not child.text_content.strip(_SPACE):
        child = child.next
    return child if child is not None and child.is_element_node else None


def _code_of(pre: LexborNode) -> LexborNode | None:
    """The <code> of Pygments' ``<pre><span></span><code>``, if it has no attributes."""
    span = pre.first_child
    code = span.next if span is not None else None
    if span is None or span.tag != "span" or span.attributes or span.first_child is not None:
        return None
    return code if code is not None and code.tag == "code" and not code.attributes else None


def mark_scrollers(tree: LexborHTMLParser, lang: str) -> None:
    """Give every box that may scroll sideways a keyboard stop, a role and a name."""
    labels = LABELS.get(lang, LABELS["en"])
    for node, kind in list(_scrollers(tree)):
        node.attrs["tabindex"] = "0"
        # role=group, not region: a page has dozens, and landmarks must be few and unique. A
        # table keeps its own role (a screen reader navigates it by rows and cells).
        if kind != "table":
            node.attrs["role"] = "group"
        node.attrs["aria-label"] = labels[kind]


_SPACE = " \t\n\r\f"  # HTML's whitespace (not str.strip's, which takes U+00A0 too)


def name_controls(tree: LexborHTMLParser, lang: str) -> None:
    """The search dialog named in the page's language, and the words of the copy buttons and
    permalinks; empty header cells made data cells."""
    for th in tree.css("th"):
        child = th.first_child
        if child is None or (
            child.is_text_node and child.next is None and not child.text_content.strip(_SPACE)
        ):
            cell = tree.create_node("td")
            for name, value in th.attributes.items():
                cell.attrs[name] = value
            if child is not None:
                cell.insert_child(child.text_content)
            th.replace_with(cell)
    for selector, attribute, words in UI_WORDS.get(lang, []):
        for node in tree.css(selector):
            node.attrs[attribute] = words
    if lang in COPIED:
        for notice in tree.css(_NOTICE):
            only = notice.first_child
            if only is not None and only.next is None and notice.text() == "Copied!":
                notice.inner_html = COPIED[lang]
    label = LABELS.get(lang, LABELS["en"])["search"]
    dialog = 'div[class="md-search"][data-md-component="search"][role="dialog"]'
    for node in tree.css(dialog):
        node.attrs["aria-label"] = label
