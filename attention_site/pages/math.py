"""Math rendered at build time, as MathML: the vendored KaTeX (``attention_site/vendor/katex``,
used at build time only, never published) runs in an embedded JavaScript engine (``quickjs``) on
the delimiters KaTeX's auto-render used in the browser (arithmatex's ``\\(…\\)``/``\\[…\\]`` and
``$…$``/``$$…$$`` in notebook cells). Invalid TeX is a build warning (an error under ``--strict``)
naming the page."""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from pathlib import Path

import quickjs

log = logging.getLogger("mkdocs.plugins.attention_pages")

KATEX = Path(__file__).resolve().parents[1] / "vendor" / "katex" / "katex.min.js"
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
