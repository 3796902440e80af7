"""MkDocs plugin ``attention-cjk``: what a bilingual English / Chinese site needs on every page.

* **No stray spaces where a Chinese sentence wraps in the source.** Markdown sources are wrapped
  at about 100 columns; a browser renders a line break inside a paragraph as a space, right
  between English words and wrong between two Chinese characters ("把这个 想法讲清楚").
  Browsers do not implement CSS's ``segment-break`` rules for Chinese yet, so such breaks are
  removed from the text of every page, notebooks included; code, scripts and styles are left
  as they are.
* **No ``<link rel="alternate" hreflang>``**: mkdocs-static-i18n adds one per language, and
  Material's JavaScript fetches ``<that link>/sitemap.xml`` for each (a 404 and a console error
  on every page). The language menu keeps its per-page links, and ``language-switch.js`` keeps
  them right after instant navigation.
* **That answered warning silenced**: mkdocs-static-i18n warns that its per-page language links
  go stale under ``navigation.instant``; ``language-switch.js`` refreshes them on every page
  change, so the warning must not fail ``--strict``.

The first two are jobs on the page's parsed tree, run by ``attention-pages``' `finish_page`
(one parse per page); this plugin only installs the log filter.
"""

from __future__ import annotations

import logging
import re

from mkdocs.plugins import BasePlugin

from .markup import VERBATIM, LexborHTMLParser, inside, text_nodes

# CJK ideographs, CJK punctuation and full-width forms.
_CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
# A line break between two of them (in one text node).
_BREAK = re.compile(rf"(?<={_CJK})[ \t]*\n[ \t]*(?={_CJK})")
_I18N_LOGGER = "mkdocs.plugins.mkdocs_static_i18n.reconfigure"


def join_cjk_lines(tree: LexborHTMLParser) -> None:
    """Remove line breaks between two CJK characters from the page's text, outside verbatim
    elements (`markup.VERBATIM`)."""
    broken = [
        node
        for node in text_nodes(tree.root)
        if "\n" in (text := node.text_content) and _BREAK.search(text)
    ]
    for node in broken:
        if not inside(node.parent, VERBATIM):
            node.replace_with(_BREAK.sub("", node.text_content))


def drop_hreflang_links(tree: LexborHTMLParser) -> None:
    """Remove the ``<link rel="alternate" hreflang>`` elements of a page's head."""
    for link in tree.css('link[rel="alternate"][hreflang]'):
        if link.next is not None and link.next.is_text_node and not link.next.text_content.strip():
            link.next.decompose()  # its line
        link.decompose()


class InstantNavigationAnswered(logging.Filter):
    """Drops mkdocs-static-i18n's warning about ``navigation.instant`` (answered, see above)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not compatible with theme.features = navigation.instant" not in record.getMessage()


class CJKPlugin(BasePlugin):
    def __init__(self) -> None:
        self._filter = InstantNavigationAnswered()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        logging.getLogger(_I18N_LOGGER).addFilter(self._filter)

    def on_shutdown(self) -> None:
        logging.getLogger(_I18N_LOGGER).removeFilter(self._filter)
