"""MkDocs plugin ``attention-pages``: finish every page for every reader (phone, keyboard,
screen reader, slow link), one module per job.

Runs before a page is rendered (``on_page_markdown``), after it is rendered (``on_post_page``)
and after the whole bilingual site is built (``on_post_build``, priority -110: after
mkdocs-static-i18n's -100, which builds the other languages and writes the merged search index,
and after every hook):

* **The home page's table of chapters** (`chapters`): one row per chapter of the nav, with the
  chapter's title and the one-line ``description`` of its front matter.

Every finished page (`finish_page`, ``on_post_page``) is parsed once, by Lexbor
(`attention_site.markup`); the jobs below edit that tree in this order, and it is serialised once:

1. Chinese lines joined where the source wrapped them, hreflang links dropped
   (`attention_site.cjk`);
2. code cells' copy icons shared, spans that colour nothing unwrapped (`code`);
3. math rendered (`math`), before the jobs that label display formulas and name formulas;
4. scroll boxes marked and controls named (`accessibility`); formulas in header cells named
   (`math.name_math_headers`, after empty header cells became data cells);
5. the search script added before Material's bundle (`search`);
6. the names the page uses noted for the CSS purge (`styles.remember_names`).

* **Math rendered at build time, as MathML** (`math`): the vendored KaTeX runs at build time in
  an embedded JavaScript engine, so no renderer or stylesheet ships to the reader and nothing
  shifts. Invalid TeX is a build warning (an error under ``--strict``) naming the page.
* **A math font on every reader's machine** (`fonts`): the subset of Noto Sans Math that the
  site's formulas use, fetched only where the reader has no math font of its own.
* **Scrollable boxes reachable by keyboard, named controls** (`accessibility`): code blocks,
  text outputs and display equations get ``tabindex="0"``, ``role="group"`` and a label in the
  page's language (extra.css shows a cue); the search dialog is named; an empty table header
  cell becomes a data cell.
* **A search index per language** (`search`): a notebook page's entries made again without the
  copy buttons' text, one per code cell weighing less than prose; the merged index is split
  into ``search/search_index.json`` (default language) and ``<lang>/search/search_index.json``,
  with formulas as linear text and "¶" taken out of the snippets; a small inline script points
  Material's search at this page's language and fetches the index only when the reader opens
  search.
* **Lighter chapter pages** (`code`): code cells' copy icons defined once per page; code spans that
  colour nothing unwrapped. (Figures and explorables are files beside the page, written from
  the cells' outputs before rendering: attention_site/notebooks/figures.py; nbconvert's unused
  mermaid loader is dropped there too: attention_site/notebooks/render.py.)
* **Only the notebook CSS the pages use** (`styles`): rules of
  ``assets/stylesheets/jupyter.css`` whose classes, ids or attributes occur in no built page are
  dropped (about 96% of it); Material's palette-switching rule taken out.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.pages import Page

from .. import cjk
from ..markup import LexborHTMLParser
from . import chapters, fonts
from .accessibility import LABELS, mark_scrollers, name_controls
from .code import share_definitions, slim_code_cells
from .fonts import write_math_font
from .math import name_math_headers, render_math, render_tex, tex_text
from .search import (
    add_search_script,
    clean_search_text,
    fix_query_segmentation,
    reindex_page,
    split_search_index,
)
from .styles import (
    PALETTE_SWITCHING_RULE,
    drop_switching_rule,
    names_in,
    purge_css,
    purge_css_once,
    remember_names,
    used_names,
)

__all__ = [
    "LABELS",
    "PALETTE_SWITCHING_RULE",
    "PagesPlugin",
    "add_search_script",
    "clean_search_text",
    "drop_switching_rule",
    "finish_page",
    "fix_query_segmentation",
    "mark_scrollers",
    "name_controls",
    "name_math_headers",
    "purge_css",
    "reindex_page",
    "render_math",
    "render_tex",
    "share_definitions",
    "slim_code_cells",
    "split_search_index",
    "tex_text",
    "used_names",
]

log = logging.getLogger("mkdocs.plugins.attention_pages")
IFRAME_WORKER = "assets/javascripts/vendor/iframe-worker.js"


def finish_page(
    output: str, *, lang: str, prefix: str, where: str, math_chars: set[str] | None = None
) -> str:
    """The page's HTML, parsed once, with the jobs of the module's docstring done in its order
    and serialised once; the characters of its formulas are added to ``math_chars``."""
    tree = LexborHTMLParser(output)
    cjk.join_cjk_lines(tree)
    cjk.drop_hreflang_links(tree)
    share_definitions(tree)
    render_math(tree, where, math_chars)
    mark_scrollers(tree, lang)
    name_controls(tree, lang)
    name_math_headers(tree)
    add_search_script(tree, prefix)
    page = tree.html
    remember_names(page, names_in(tree))
    return page


# --------------------------------------------------------------------------- plugin
class PagesPlugin(BasePlugin):
    """See the module docstring."""

    def __init__(self) -> None:
        self._404: str | None = None  # the default language's 404 page
        self.offline = False
        self._math_chars: set[str] = set()  # of every formula rendered since the last site
        self._nav_sources: list[Path] = []  # this language's nav pages, as source files

    @event_priority(10)  # before Material's offline plugin, which adds a CDN copy otherwise
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """For Material's ``offline`` build: its search worker runs through the vendored
        iframe-worker shim (a browser refuses a Worker on ``file://``)."""
        offline = config.plugins.get("material/offline") or config.plugins.get("offline")
        self.offline = bool(offline and offline.config.enabled)
        if self.offline:
            polyfills = config.extra.setdefault("polyfills", [])
            if IFRAME_WORKER not in polyfills:
                polyfills.append(IFRAME_WORKER)
        return config

    @event_priority(-110)  # after mkdocs-static-i18n (-100) made this language's nav
    def on_nav(self, nav, config: MkDocsConfig, files):
        self._nav_sources = [Path(p.file.abs_src_path) for p in nav.pages if p.file.abs_src_path]
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files) -> str:
        """The home page's table of chapters (`chapters.expand`)."""
        home = Path(page.file.abs_src_path).parent
        return chapters.expand(markdown, self._nav_sources, home)

    @event_priority(-50)  # after Material's search plugin has indexed the page
    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav):
        """The page's search entries made again by `search.NotebookParser`."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        reindex_page(search, page, config.theme["language"])
        return context

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        if template_name == "404.html":
            output = self.on_post_page(output, None, config)
            if config.theme["language"] == _languages(config)[0]:
                self._404 = output
        return output

    def on_post_page(self, output: str, page: Page | None, config: MkDocsConfig) -> str:
        lang = config.theme["language"]
        default, _ = _languages(config)
        prefix = "" if lang == default else f"{lang}/"
        where = page.file.src_uri if page else "404.html"
        return finish_page(
            output, lang=lang, prefix=prefix, where=where, math_chars=self._math_chars
        )

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has built every language
    def on_post_build(self, config: MkDocsConfig) -> None:
        i18n = config.plugins.get("i18n")
        if getattr(i18n, "building", False):
            return  # a language build inside i18n's: the site is not finished yet
        site = Path(config.site_dir)
        default, languages = _languages(config)
        if (site / "search" / "search_index.json").is_file():
            split_search_index(site, default, languages, script=self.offline)
            if not fix_query_segmentation(site):
                log.info("Material's search worker not patched: its Chinese query split changed")
        css = site / "assets" / "stylesheets" / "jupyter.css"
        if css.is_file():
            pages = [p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))]
            others = [
                p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.css")) if p != css
            ]
            before = css.read_text(encoding="utf-8")
            used = tuple(frozenset(names) for names in used_names(pages))
            after = purge_css_once(before, used, "\n".join(others + pages))
            css.write_text(after, encoding="utf-8")
            log.info(f"jupyter.css: kept {len(after):,} of {len(before):,} bytes")
        drop_switching_rule(site)
        written = write_math_font(site, self._math_chars)
        if written:
            log.info(f"{fonts.TARGET}: {len(self._math_chars)} characters, {written:,} bytes")
        self._math_chars = set()
        if self._404 is not None:  # the last language build wrote its own 404 page
            (site / "404.html").write_text(self._404, encoding="utf-8")


def _languages(config: MkDocsConfig) -> tuple[str, list[str]]:
    """The default language and all languages built (mkdocs-static-i18n's, else the theme's)."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return config.theme["language"], [config.theme["language"]]
    languages = [lang for lang in i18n.config.languages if lang.build]
    default = next((lang.locale for lang in languages if lang.default), languages[0].locale)
    return default, [lang.locale for lang in languages]
