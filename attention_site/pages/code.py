"""Lighter chapter pages: code cells' copy icons defined once per page, code spans that colour
nothing unwrapped, and nbconvert's unused mermaid loader dropped."""

from __future__ import annotations

import hashlib
import re

_ARTICLE = re.compile(r"<article\b[^>]*>")
ICONS_SVG = (
    '<svg aria-hidden="true" focusable="false" width="0" height="0" style="position:absolute"'
    ' class="attn-icons" xmlns="http://www.w3.org/2000/svg"><defs>{}</defs></svg>'
)


# nbconvert's lab template: a copy button with its own inline icon in every code cell.
_COPY_ICON = re.compile(
    r'(<svg aria-hidden="true" class="clipboard-copy-icon"[^>]*>)(.*?)</svg>', re.S
)
_CODE_CELL = re.compile(r'(<div class="highlight-ipynb[^"]*"><pre\b[^>]*>)(.*?)(?=</pre>)', re.S)
# Pygments classes that no rule of the notebook CSS (.highlight-ipynb .X) or extra.css colours
# differently from the code's text ("w": whitespace, whose colour shows nothing).
UNCOLOURED = ("n", "nb", "nf", "nn", "w")
_PLAIN_SPAN = re.compile(rf'<span class="(?:{"|".join(UNCOLOURED)})">([^<]*)</span>|<span></span>')


def slim_code_cells(markup: str) -> tuple[str, list[str]]:
    """Code cells without what shows nothing: each copy button's icon becomes a ``<use>`` of
    one definition, and spans that colour nothing are unwrapped; returns the definitions."""
    icons: dict[str, str] = {}

    def icon(match: re.Match) -> str:
        name = "c" + hashlib.sha256(match.group(2).encode()).hexdigest()[:6]
        icons.setdefault(name, f'<g id="{name}">{match.group(2)}</g>')
        return f'{match.group(1)}<use xlink:href="#{name}"/></svg>'

    markup = _COPY_ICON.sub(icon, markup)
    markup = _CODE_CELL.sub(lambda m: m.group(1) + _PLAIN_SPAN.sub(r"\1", m.group(2)), markup)
    return markup, list(icons.values())


def share_definitions(markup: str) -> str:
    """The page with the code cells' copy icons defined once, in one hidden <svg> at the top of
    the article (inside the content that Material's instant navigation swaps)."""
    markup, icons = slim_code_cells(markup)
    if not icons:
        return markup
    article = _ARTICLE.search(markup)
    at = article.end() if article else 0
    return markup[:at] + ICONS_SVG.format("".join(icons)) + markup[at:]


# --------------------------------------------------------------------------- mermaid
# nbconvert's lab template loads mermaid for ".jp-Mermaid" diagrams: no page has one.
_MERMAID_LOADER = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{'
    r'\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\);'
    r".*?</script>\s*",
    re.S,
)


def drop_mermaid(markup: str) -> str:
    """The page without nbconvert's mermaid loader if nothing uses it."""
    return markup if 'class="jp-Mermaid' in markup else _MERMAID_LOADER.sub("", markup)
