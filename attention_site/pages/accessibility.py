"""Scrollable boxes reachable by keyboard (code blocks, text outputs, display equations and
tables get ``tabindex="0"``, a role and a label in the page's language; extra.css shows a cue),
and named controls (the search dialog; an empty table header cell becomes a data cell)."""

from __future__ import annotations

import re

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
        (re.compile(r'(<clipboard-copy\b[^>]*aria-label=")Copy to Clipboard"'), r'\1复制"'),
        (re.compile(r'(<span class="notice" hidden(?:="")?>)Copied!<'), r"\1已复制<"),
        (
            re.compile(r'(<a\b(?=[^>]*\bclass="headerlink")[^>]*\btitle=")Permanent link"'),
            r'\1永久链接"',
        ),
    ]
}


# Opening tags of the boxes that scroll sideways: the element the tag opens scrolls.
_SCROLLERS = (
    (re.compile(r'<div class="highlight-ipynb[^"]*"><pre(?=>)'), "code"),  # notebook code cells
    # Material's code blocks and mkdocstrings' signatures: their <code> scrolls.
    (re.compile(r'<div class="(?:language-[\w-]+ |doc-signature )?highlight"><pre[^>]*>'
                r'<span></span><code(?=>)'), "code"),
    # Source with line numbers (mkdocstrings' "Source code in ..."): its <code> scrolls.
    (re.compile(r'<td class="code"><div><pre[^>]*><span></span><code(?=>)'), "code"),
    # Pygments HTML in a notebook output (show_source): the <pre> scrolls.
    (re.compile(r'<div class="highlight"><pre(?=>)(?!<span></span><code)'), "code"),
    (re.compile(r'<div class="jp-RenderedText jp-OutputArea-output"[^>]*>\s*<pre(?=>)'), "output"),
    (re.compile(r'<span class="katex-display"(?=>)'), "math"),
    # A table in a notebook's Markdown cell scrolls itself (Material: inline-block, overflow auto).
    (re.compile(r"<table(?=>)"), "table"),
)  # fmt: skip


def mark_scrollers(markup: str, lang: str) -> str:
    """Give every box that may scroll sideways a keyboard stop, a role and a name."""
    for pattern, kind in _SCROLLERS:
        # role=group, not region: a page has dozens, and landmarks must be few and unique. A table
        # keeps its own role (a screen reader navigates it by rows and cells).
        role = "" if kind == "table" else ' role="group"'
        attrs = f' tabindex="0"{role} aria-label="{LABELS.get(lang, LABELS["en"])[kind]}"'
        markup = pattern.sub(lambda match, attrs=attrs: match.group(0) + attrs, markup)
    return markup


_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(\s*)</th>")
_SEARCH_DIALOG = re.compile(r'(<div class="md-search" data-md-component="search" role="dialog")')


def name_controls(markup: str, lang: str) -> str:
    """The search dialog named in the page's language, and the words of the copy buttons and
    permalinks; empty header cells made data cells."""
    markup = _EMPTY_TH.sub(r"<td\1>\2</td>", markup)
    label = LABELS.get(lang, LABELS["en"])["search"]
    for pattern, words in UI_WORDS.get(lang, []):
        markup = pattern.sub(words, markup)
    return _SEARCH_DIALOG.sub(rf'\1 aria-label="{label}"', markup)
