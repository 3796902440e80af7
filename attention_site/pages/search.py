"""A search index per language: the merged index is split into ``search/search_index.json``
(default language) and ``<lang>/search/search_index.json``, with formulas written as linear
text and "¶" taken out of the snippets; a small inline script points Material's search at this
page's language and fetches the index only when the reader opens search.

A notebook page is indexed by `reindex_page` (Material's own parser with three more rules): the
copy button ("Copied!") and the hidden copy of the code it copies are left out, a heading's
section runs to the next heading (not to the end of its cell), and each code cell is an entry of
its own ("Code", linked to the cell) weighing less than prose."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from material.plugins.search.plugin import Element, Parser, Section

from ..markup import LexborHTMLParser, fragment
from .math import SKIP_CLASSES, SKIP_TAGS, _replace_math, tex_text

_BUNDLE = re.compile(r"(?:^|/)assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")  # a script's src

# Material requests search/search_index.json with XMLHttpRequest on every page load. Send that
# request only when the reader opens search, and for this page's language.
_SEARCH_SCRIPT = """<script>(() => {
  const prefix = %s, index = /(^|\\/)search\\/search_index\\.json$/;
  let used; const wanted = new Promise(resolve => { used = resolve; });
  const ask = event => event.target instanceof Element
    && event.target.closest(".md-search, label[for=__search]") && used();
  for (const type of ["focusin", "pointerdown", "click"])
    document.addEventListener(type, ask, true);
  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.mdIndex = index.test(String(url));
    if (this.mdIndex) url = String(url).replace(index, `$1${prefix}search/search_index.json`);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.mdIndex) return send.apply(this, args);
    wanted.then(() => send.apply(this, args));
  };
})();</script>"""


def add_search_script(tree: LexborHTMLParser, prefix: str) -> None:
    """`_SEARCH_SCRIPT` before Material's bundle (``prefix``: the language's)."""
    bundle = next((s for s in tree.css("script[src]") if _BUNDLE.search(s.attrs["src"])), None)
    if bundle is not None:
        bundle.insert_before(fragment(_SEARCH_SCRIPT % json.dumps(prefix)).root)


# nbconvert's copy button (its "Copied!" notice) and the hidden copy of the cell's code it copies.
NOT_INDEXED = frozenset({"zeroclipboard-container", "clipboard-copy-txt"})
CODE_TITLE = {"en": "Code", "zh": "代码"}
# A code cell's entry weighs a quarter of prose: code and printed outputs repeat their names
# (and a chapter's Chinese terms, in comments and strings) many times over.
CODE_BOOST = 0.25
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
_CODE_CELL = "code-cell"  # the element of a code cell's section: a tag no page has


class NotebookParser(Parser):
    """Material's parser of a page into sections, with three more rules (see the module's
    docstring); pages without a notebook are parsed as Material parses them, less `NOT_INDEXED`."""

    def __init__(self, code_title: str) -> None:
        super().__init__()
        self.code_title = code_title
        self.notebook = False  # inside a notebook's cells

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        classes = set((named.get("class") or "").split())
        if classes & NOT_INDEXED:
            attrs = [*attrs, ("data-search-exclude", "")]  # Material's own way to skip an element
        before = self.section
        super().handle_starttag(tag, attrs)
        self.notebook = self.notebook or "jp-Notebook" in classes
        if not self.notebook:
            return
        if tag in _HEADINGS and self.section is not before:
            self.section.depth = 0  # runs to the next heading, past the end of its cell
        elif "jp-CodeCell" in classes and named.get("id") and self.context[-1].tag == tag:
            # Ends with the cell: Material returns to the last section not ended (the heading's).
            section = Section(Element(_CODE_CELL), len(self.context) + 1)
            section.id, section.title = named["id"], [self.code_title]
            self.data.append(section)
            self.section = section


def _on_page(location: str, url: str) -> bool:
    return location == url or location.startswith(f"{url}#")


def reindex_page(search_plugin, page, lang: str) -> None:
    """Replace the entries Material's search plugin just made for ``page`` by those of
    `NotebookParser` (``search_plugin``: Material's; MkDocs' own is left as it is)."""
    index = getattr(search_plugin, "search_index", None)
    entries = getattr(index, "entries", None)
    if not isinstance(entries, list) or not hasattr(index, "create_entry_for_section"):
        return
    start = len(entries)
    while start and _on_page(entries[start - 1].get("location", ""), page.url):
        start -= 1
    if start == len(entries):
        return  # the page is not indexed (front matter `search: exclude`)
    del entries[start:]
    parser = NotebookParser(CODE_TITLE.get(lang, CODE_TITLE["en"]))
    parser.feed(page.content)
    parser.close()
    for section in parser.data:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)
            if section.el.tag == _CODE_CELL:
                entries[-1]["boost"] = entries[-1].get("boost", 1) * CODE_BOOST


# Material's search worker splits a Chinese query into the longest words its index holds, but
# never tries a word that ends the query (its loop stops one character short): "注意力汇聚"
# searches "注意力" alone, and a query that is one indexed word, "注意力", searches "注意". It
# also joins the words with "* " and then adds "*" to each, so every word but the last ends in
# "**" and is listed as missing under its result. Written for Material 9.8.1's minified worker:
# where the code is not found as written there, nothing is changed (tests/website/
# test_browser.py checks the result).
_SEGMENT_FIXES = (
    (
        "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)",
        "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)",
    ),
    (
        '[...fe(s,this.index.invertedIndex)].join("* ")',
        '[...fe(s,this.index.invertedIndex)].join(" ")',
    ),
)


def fix_query_segmentation(site_dir: Path) -> bool:
    """Let Material's search worker find a Chinese word that ends the query (see above);
    whether the worker of ``site_dir`` now does."""
    fixed = False
    for worker in sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.js")):
        code = worker.read_text(encoding="utf-8")
        if all(old in code or new in code for old, new in _SEGMENT_FIXES):
            for old, new in _SEGMENT_FIXES:
                code = code.replace(old, new)
            worker.write_text(code, encoding="utf-8")
            fixed = True
    return fixed


# A search entry's text is a few lines of HTML that Material's search plugin wrote (not a page):
# its text runs are found by tags, as KaTeX auto-render does in a browser.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def map_text(markup: str, function) -> str:
    """``function`` applied to every text run of a search entry's ``markup`` outside code,
    scripts and styles."""
    out, position, skip = [], 0, None  # skip: (tag name, depth) of the element being skipped
    for match in _TAG.finditer(markup):
        text = markup[position : match.start()]
        out.append(text if skip or not text else function(text))
        out.append(match.group(0))
        position = match.end()
        closing, name, attrs = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if not name or name in _VOID or (attrs or "").rstrip().endswith("/"):
            continue
        if skip:
            if name == skip[0]:
                skip = (name, skip[1] - 1) if closing else (name, skip[1] + 1)
                if skip[1] == 0:
                    skip = None
        elif not closing:
            classes = _CLASS.search(attrs or "")
            classes = set((classes.group(1) or classes.group(2) or "").split()) if classes else ()
            if name in SKIP_TAGS or SKIP_CLASSES.intersection(classes):
                skip = (name, 1)
    text = markup[position:]
    out.append(text if skip or not text else function(text))
    return "".join(out)


@functools.lru_cache(maxsize=16384)  # `mkdocs serve` rebuilds the index from the same texts
def clean_search_text(text: str) -> str:
    """A search entry's title or text without TeX source (replaced by the formula as linear
    text, `tex_text`) and without headings' "¶" permalinks."""
    text = map_text(text, lambda run: _replace_math(run, lambda t, d: html.escape(tex_text(t, d))))
    return text.replace("¶", "").rstrip()


def _location_language(location: str, default: str, languages: list[str]) -> str:
    first = location.split("/", 1)[0]
    return first if first in languages else default


def split_search_index(
    site_dir: Path, default: str, languages: list[str], script: bool = False
) -> dict[str, int]:
    """Split the merged index into one per language; return the number of entries of each.
    ``script``: also ``search/search_index.js`` (``var __index = …``), which Material's search
    loads instead on ``file://`` on every page, whatever its language (Material's offline plugin
    wrote one of the merged index): it holds each language's index and picks the page's."""
    path = site_dir / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    counts, texts = {}, {}
    for lang in languages:
        prefix = "" if lang == default else f"{lang}/"
        docs = [
            {
                **doc,
                "title": clean_search_text(doc["title"]),
                "text": clean_search_text(doc["text"]),
            }
            for doc in index["docs"]
            if _location_language(doc["location"], default, languages) == lang
        ]
        config = dict(index["config"])
        if lang == default:
            config["lang"] = [default]  # English needs no extra lunr language files
        target = site_dir / prefix / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        texts[lang] = json.dumps(
            {"config": config, "docs": docs}, ensure_ascii=False, separators=(",", ":")
        )
        target.write_text(texts[lang], encoding="utf-8")
        counts[lang] = len(docs)
    if script:  # Material loads <site>/search/search_index.js on every page: pick by language
        every = ",".join(f"{json.dumps(lang)}:{text}" for lang, text in texts.items())
        pick = f'all[document.documentElement.lang.split("-")[0]] || all[{json.dumps(default)}]'
        (site_dir / "search" / "search_index.js").write_text(
            f"var __index = (all => {pick})({{{every}}});", encoding="utf-8"
        )
    return counts
