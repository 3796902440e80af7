"""MkDocs plugin: finish every page for every reader (phone, keyboard, screen reader, slow link).

Runs after the page is rendered (``on_post_page``) and after the whole bilingual site is built
(``on_post_build``, priority -110: after mkdocs-static-i18n's -100, which builds the other
languages and writes the merged search index, and after every hook):

* **Math rendered at build time, as MathML.** The vendored ``docs/assets/katex/katex.min.js``
  runs in an embedded JavaScript engine (``quickjs``) on the same delimiters KaTeX's auto-render
  used in the browser (arithmatex's ``\\(…\\)``/``\\[…\\]`` and ``$…$``/``$$…$$`` in notebook
  cells), so no renderer, stylesheet or font ships to the reader and nothing shifts. Invalid
  TeX is a build warning (an error under ``--strict``) naming the page.
* **Scrollable boxes reachable by keyboard**: code blocks, text outputs and display equations get
  ``tabindex="0"``, ``role="group"`` and a label in the page's language (extra.css shows a cue).
* **Named controls**: the search dialog; an empty table header cell becomes a data cell.
* **A search index per language**: the merged index is split into ``search/search_index.json``
  (default language) and ``<lang>/search/search_index.json``, with TeX and "¶" taken out of the
  snippets; a small inline script points Material's search at this page's language and fetches
  the index only when the reader opens search.
* **Lighter chapter pages**: code cells' copy icons defined once per page; code spans that
  colour nothing unwrapped. (Figures and explorables are files beside the page, written from
  the cells' outputs before rendering: attention_site/notebooks/figures.py.)
* **Only the notebook CSS the pages use**: rules of ``assets/stylesheets/jupyter.css`` whose
  classes, ids or attributes occur in no built page are dropped (about 96% of it).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import re
from collections.abc import Set as AbstractSet
from pathlib import Path

import quickjs
import tinycss2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.attention_pages")

KATEX = Path(__file__).resolve().parents[1] / "docs" / "assets" / "katex" / "katex.min.js"
# KaTeX auto-render's delimiters, in its order of precedence.
DELIMITERS = (("$$", "$$", True), ("$", "$", False), ("\\(", "\\)", False), ("\\[", "\\]", True))
_LEFT = re.compile("|".join(re.escape(left) for left, _, _ in DELIMITERS))
# Elements whose text is never math (auto-render's ignoredTags and ignoredClasses).
_SKIP_TAGS = frozenset({"script", "noscript", "style", "textarea", "pre", "code", "option", "svg"})
_SKIP_CLASSES = frozenset({"clipboard-copy-txt", "highlight", "highlight-ipynb", "katex"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")

LABELS = {
    "en": {"code": "Code (scrolls sideways)", "output": "Output (scrolls sideways)",
           "math": "Equation (scrolls sideways)", "table": "Table (scrolls sideways)",
           "search": "Search"},
    "zh": {"code": "代码，可横向滚动", "output": "输出，可横向滚动",
           "math": "公式，可横向滚动", "table": "表格，可横向滚动", "search": "搜索"},
}  # fmt: skip


# --------------------------------------------------------------------------- math
@functools.cache
def _katex() -> quickjs.Context:
    context = quickjs.Context()
    context.eval("globalThis.console = {log() {}, warn() {}, error() {}};")
    context.eval(KATEX.read_text(encoding="utf-8"))
    return context


@functools.cache
def render_tex(tex: str, display: bool) -> str:
    """KaTeX's MathML of one formula; ValueError if the TeX is invalid.

    MathML, not KaTeX's HTML: browsers lay it out natively (no stylesheet, no fonts to fetch,
    nothing shifts) and screen readers read it; and it weighs a quarter of KaTeX's HTML with
    MathML (scoring-functions, 165 formulas: 54 KB against 237 KB).
    """
    options = json.dumps({"displayMode": display, "throwOnError": True, "output": "mathml"})
    try:
        mathml = _katex().eval(f"katex.renderToString({json.dumps(tex)}, {options})")
    except quickjs.JSException as err:
        raise ValueError(f"invalid TeX {tex!r}: {err}") from None
    # Its TeX source (an <annotation>, never shown nor read aloud) is a quarter of the bytes.
    mathml = re.sub(r"<annotation\b.*?</annotation>", "", mathml, flags=re.S)
    # KaTeX wraps only its HTML output in .katex-display; the page styles and scrolls by it.
    return f'<span class="katex-display">{mathml}</span>' if display else mathml


def mathml_text(mathml: str) -> str:
    """The characters of a MathML formula, without its TeX annotation: ``K(u)``."""
    mathml = re.sub(r"<annotation.*?</annotation>", "", mathml, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", mathml))


def tex_text(tex: str, display: bool) -> str:
    """A formula as plain text, for search snippets."""
    return mathml_text(render_tex(tex, display))


def _find_end(text: str, right: str, start: int) -> int:
    """KaTeX auto-render's findEndOfMath: the closing delimiter outside braces, or -1."""
    index, braces = start, 0
    while index < len(text):
        char = text[index]
        if braces <= 0 and text.startswith(right, index):
            return index
        if char == "\\":
            index += 1
        elif char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        index += 1
    return -1


def _replace_math(text: str, replace) -> str:
    """Each delimited formula of an HTML text run replaced by ``replace(tex, display)``."""
    out, position = [], 0
    while (match := _LEFT.search(text, position)) is not None:
        left = match.group(0)
        right, display = next((r, d) for lft, r, d in DELIMITERS if lft == left)
        start = match.end()
        end = _find_end(text, right, start)
        if end < 0:
            out.append(text[position:start])
            position = start
            continue
        tex = html.unescape(text[start:end]).strip()
        out.append(text[position : match.start()])
        out.append(replace(tex, display) if tex else text[match.start() : end + len(right)])
        position = end + len(right)
    out.append(text[position:])
    return "".join(out)


def map_text(markup: str, function) -> str:
    """``function`` applied to every text run of ``markup`` outside code, scripts and styles."""
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
            if name in _SKIP_TAGS or _SKIP_CLASSES.intersection(classes):
                skip = (name, 1)
    text = markup[position:]
    out.append(text if skip or not text else function(text))
    return "".join(out)


def render_math(markup: str, where: str) -> str:
    """Every formula of ``markup`` rendered by KaTeX; invalid TeX is a warning naming ``where``."""

    def katex(tex: str, display: bool) -> str:
        try:
            return render_tex(tex, display)
        except ValueError as err:
            log.warning(f"{where}: {err}")
            return html.escape(tex)

    return map_text(markup, lambda text: _replace_math(text, katex))


# --------------------------------------------------------------------------- page markup
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


_TH = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_MATH = re.compile(r"<math\b(.*?)</math>", re.S)


def _named_math(match: re.Match) -> str:
    return f'<math aria-label="{html.escape(mathml_text(match.group(0)))}"{match.group(1)}</math>'


def name_math_headers(markup: str) -> str:
    """A table header cell holding only a formula: the formula gets an aria-label (its text),
    since a header must have text that assistive technology finds (axe: empty-table-header)."""

    def header(match: re.Match) -> str:
        attrs, inner = match.groups()
        if "<math" not in inner or re.sub(r"<math\b.*?</math>|<[^>]+>|\s", "", inner, flags=re.S):
            return match.group(0)
        return f"<th{attrs}>{_MATH.sub(_named_math, inner)}</th>"

    return _TH.sub(header, markup)


def finish_page(output: str, *, lang: str, prefix: str, where: str) -> str:
    """The page's HTML with math rendered, scroll boxes marked and controls named."""
    head, sep, body = output.partition("<body")
    body = mark_scrollers(render_math(share_definitions(body), where), lang)
    body = name_math_headers(_EMPTY_TH.sub(r"<td\1>\2</td>", body))
    body = _SEARCH_DIALOG.sub(rf'\1 aria-label="{LABELS.get(lang, LABELS["en"])["search"]}"', body)
    body = _BUNDLE.sub(lambda m: _SEARCH_SCRIPT % json.dumps(prefix) + m.group(0), body, count=1)
    return head + sep + body


# --------------------------------------------------------------------------- code cells
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


# --------------------------------------------------------------------------- search index
@functools.lru_cache(maxsize=16384)  # `mkdocs serve` rebuilds the index from the same texts
def clean_search_text(text: str) -> str:
    """A search entry's title or text without TeX source (replaced by the formula's characters)
    and without headings' "¶" permalinks."""
    text = map_text(text, lambda run: _replace_math(run, lambda t, d: html.escape(tex_text(t, d))))
    return text.replace("¶", "").rstrip()


def _location_language(location: str, default: str, languages: list[str]) -> str:
    first = location.split("/", 1)[0]
    return first if first in languages else default


def split_search_index(site_dir: Path, default: str, languages: list[str]) -> dict[str, int]:
    """Split the merged index into one per language; return the number of entries of each."""
    path = site_dir / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    counts = {}
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
        target.write_text(
            json.dumps({"config": config, "docs": docs}, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )
        counts[lang] = len(docs)
    return counts


# --------------------------------------------------------------------------- palette CSS
# Material's palette script marks <body> with data-md-color-switching while it applies the
# colour scheme, on every page load, and its CSS stops all transitions under that mark: a rule
# over every element of the page, so setting and removing the mark restyled the whole page
# twice on load (the longest task Lighthouse saw on a phone). Without the rule, a switch of
# scheme lets Material's colour transitions (a few elements, 0.25 s) play instead.
PALETTE_SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)


def drop_switching_rule(site: Path) -> bool:
    """Take `PALETTE_SWITCHING_RULE` out of Material's palette stylesheet in ``site``; False if
    it was not there (already taken out; tests/test_site_pages.py checks that the installed
    Material still has it)."""
    found = False
    for css in sorted((site / "assets" / "stylesheets").glob("palette.*.css")):
        text = css.read_text(encoding="utf-8")
        if PALETTE_SWITCHING_RULE in text:
            css.write_text(text.replace(PALETTE_SWITCHING_RULE, ""), encoding="utf-8")
            found = True
    return found


# --------------------------------------------------------------------------- notebook CSS
_FUNCTIONAL = re.compile(r":(?:not|is|where|has|-webkit-any|matches)\((?:[^()]|\([^()]*\))*\)")
# The document's root or body as a descendant of something: never matches.
_ROOT_INSIDE = re.compile(r"\S\s+(?::root|html|body)\b")
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_SELECTOR_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_SELECTOR_ATTR = re.compile(r"\[\s*([\w:-]+)")
_ATTR_NAME = re.compile(r"""\s([a-zA-Z_:][\w:.-]*)\s*=\s*["']""")
_ID = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def used_names(pages: list[str]) -> tuple[set[str], set[str], set[str]]:
    """The classes, ids and attribute names that occur in some page."""
    classes, ids, attrs = set(), set(), set()
    for page in pages:
        page_classes, page_ids, page_attrs = _names_in(page)
        classes |= page_classes
        ids |= page_ids
        attrs |= page_attrs
    return classes, ids, attrs


@functools.lru_cache(maxsize=256)  # a `mkdocs serve` rebuild changes one page or two
def _names_in(page: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    classes = {c for m in _CLASS.finditer(page) for c in (m.group(1) or m.group(2) or "").split()}
    ids = {m.group(1) or m.group(2) or "" for m in _ID.finditer(page)}
    attrs = {m.group(1).lower() for m in _ATTR_NAME.finditer(page)}
    return frozenset(classes), frozenset(ids), frozenset(attrs)


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    return [*parts, prelude[start:]]


def purge_css(css: str, used: tuple[AbstractSet[str], ...], elsewhere: str = "") -> str:
    """``css`` without the selectors that need a class, id or attribute no page has, and without
    the custom properties that neither it nor ``elsewhere`` (other CSS, the pages) reads."""
    classes, ids, attrs = used

    def needed(selector: str) -> bool:
        plain = _FUNCTIONAL.sub("", selector)  # :not(.x) matches without .x; :is() may too
        if _ROOT_INSIDE.search(plain):  # ".jupyter-wrapper :root": nbconvert's scoping
            return False
        return (
            set(_SELECTOR_CLASS.findall(plain)) <= classes
            and set(_SELECTOR_ID.findall(plain)) <= ids
            and {a.lower() for a in _SELECTOR_ATTR.findall(plain)} <= attrs
        )

    def rules(nodes) -> list[str]:
        kept = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors = [s.strip() for s in _split_selectors(tinycss2.serialize(node.prelude))]
                selectors = [s for s in selectors if needed(s)]
                if selectors:
                    kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(node.content)}}}")
            elif node.type == "at-rule" and node.lower_at_keyword in {"media", "supports"}:
                inner = rules(tinycss2.parse_rule_list(node.content, True, True))
                if inner:
                    prelude = tinycss2.serialize(node.prelude).strip()
                    kept.append(f"@{node.at_keyword} {prelude}{{{''.join(inner)}}}")
            elif node.type == "at-rule":
                kept.append(tinycss2.serialize([node]))
        return kept

    kept = rules(tinycss2.parse_stylesheet(css, True, True))
    kept = list(reversed(dict.fromkeys(reversed(kept))))  # a repeated rule: its last copy wins
    return _drop_unused_properties("\n".join(kept), set(_VAR.findall(elsewhere)))


_CUSTOM_PROPERTY = re.compile(r"(?<=[{;])\s*(--[\w-]+)\s*:[^;{}]*(?:;|(?=}))")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _drop_unused_properties(css: str, read_elsewhere: set[str]) -> str:
    """Custom properties that no var() reads, here or elsewhere, removed; emptied rules too."""

    def unread(match: re.Match, read: set[str]) -> str:
        return "" if match.group(1) not in read else match.group(0)

    while True:
        read = set(_VAR.findall(css)) | read_elsewhere
        trimmed = _CUSTOM_PROPERTY.sub(functools.partial(unread, read=read), css)
        trimmed = re.sub(r"(?m)^[^{}\n]*\{\s*\}\n?", "", trimmed)
        if trimmed == css:
            return css
        css = trimmed


# --------------------------------------------------------------------------- plugin
class PagesPlugin(BasePlugin):
    """See the module docstring."""

    def __init__(self) -> None:
        self._404: str | None = None  # the default language's 404 page

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
        return finish_page(drop_mermaid(output), lang=lang, prefix=prefix, where=where)

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has built every language
    def on_post_build(self, config: MkDocsConfig) -> None:
        i18n = config.plugins.get("i18n")
        if getattr(i18n, "building", False):
            return  # a language build inside i18n's: the site is not finished yet
        site = Path(config.site_dir)
        default, languages = _languages(config)
        if (site / "search" / "search_index.json").is_file():
            split_search_index(site, default, languages)
        css = site / "assets" / "stylesheets" / "jupyter.css"
        if css.is_file():
            pages = [p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))]
            others = [
                p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.css")) if p != css
            ]
            before = css.read_text(encoding="utf-8")
            used = tuple(frozenset(names) for names in used_names(pages))
            after = _purge_css_once(before, used, "\n".join(others + pages))
            css.write_text(after, encoding="utf-8")
            log.info(f"jupyter.css: kept {len(after):,} of {len(before):,} bytes")
        drop_switching_rule(site)
        if self._404 is not None:  # the last language build wrote its own 404 page
            (site / "404.html").write_text(self._404, encoding="utf-8")


@functools.lru_cache(maxsize=2)
def _purge_css_once(css: str, used: tuple[frozenset[str], ...], elsewhere: str) -> str:
    """`purge_css`, kept for the next build of this process: a `mkdocs serve` rebuild after a
    prose edit changes neither the notebook CSS nor the names pages use, and parsing 600 KB of
    CSS was a second of each rebuild."""
    return purge_css(css, used, elsewhere)


def _languages(config: MkDocsConfig) -> tuple[str, list[str]]:
    """The default language and all languages built (mkdocs-static-i18n's, else the theme's)."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return config.theme["language"], [config.theme["language"]]
    languages = [lang for lang in i18n.config.languages if lang.build]
    default = next((lang.locale for lang in languages if lang.default), languages[0].locale)
    return default, [lang.locale for lang in languages]
