"""A search index per language: the merged index is split into ``search/search_index.json``
(default language) and ``<lang>/search/search_index.json``, with TeX and "¶" taken out of the
snippets; a small inline script points Material's search at this page's language and fetches
the index only when the reader opens search."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from .math import _replace_math, map_text, tex_text

_BUNDLE = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')

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


def add_search_script(markup: str, prefix: str) -> str:
    """The page with `_SEARCH_SCRIPT` before Material's bundle (``prefix``: the language's)."""
    script = _SEARCH_SCRIPT % json.dumps(prefix)
    return _BUNDLE.sub(lambda m: script + m.group(0), markup, count=1)


@functools.lru_cache(maxsize=16384)  # `mkdocs serve` rebuilds the index from the same texts
def clean_search_text(text: str) -> str:
    """A search entry's title or text without TeX source (replaced by the formula's characters)
    and without headings' "¶" permalinks."""
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
