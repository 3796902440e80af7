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
from xml.etree import ElementTree

import quickjs

from ..markup import LexborHTMLParser, inside, put_html, text_nodes

log = logging.getLogger("mkdocs.plugins.attention_pages")

KATEX = Path(__file__).resolve().parents[1] / "vendor" / "katex" / "katex.min.js"
# KaTeX auto-render's delimiters, in its order of precedence.
DELIMITERS = (("$$", "$$", True), ("$", "$", False), ("\\(", "\\)", False), ("\\[", "\\]", True))
_LEFT = re.compile("|".join(re.escape(left) for left, _, _ in DELIMITERS))
# Elements whose text is never math (auto-render's ignoredTags and ignoredClasses).
SKIP_TAGS = frozenset({"script", "noscript", "style", "textarea", "pre", "code", "option", "svg"})
SKIP_CLASSES = frozenset({"clipboard-copy-txt", "highlight", "highlight-ipynb", "katex"})


@functools.cache
def _katex() -> quickjs.Context:
    context = quickjs.Context()
    context.eval("globalThis.console = {log() {}, warn() {}, error() {}};")
    context.eval(KATEX.read_text(encoding="utf-8"))
    return context


def render_tex(tex: str, display: bool) -> str:
    """KaTeX's MathML of one formula, a display formula in a ``<span class="katex-display">``
    (KaTeX wraps only its HTML output so; the page styles and scrolls by it); ValueError if
    the TeX is invalid. Its TeX source (an ``<annotation>``) is left for `render_math` to drop."""
    mathml = _mathml(tex, display)
    return f'<span class="katex-display">{mathml}</span>' if display else mathml


@functools.cache
def _mathml(tex: str, display: bool) -> str:
    """KaTeX's ``<math>`` element of one formula; ValueError if the TeX is invalid.

    MathML, not KaTeX's HTML: browsers lay it out natively (no stylesheet, no fonts to fetch,
    nothing shifts) and screen readers read it; and it weighs a quarter of KaTeX's HTML with
    MathML (scoring-functions, 165 formulas: 54 KB against 237 KB).
    """
    options = json.dumps({"displayMode": display, "throwOnError": True, "output": "mathml"})
    try:
        return _katex().eval(f"katex.renderToString({json.dumps(tex)}, {options})")
    except quickjs.JSException as err:
        raise ValueError(f"invalid TeX {tex!r}: {err}") from None


def tex_text(tex: str, display: bool) -> str:
    """A formula as one line of plain text, for search snippets, written from the structure of
    its MathML: ``α(x, x_i) = 1/√(2π) exp(...)/(∑_(j=1)^n ...)``, where its characters alone
    run together (``α(x,xi)=12πexp...``)."""
    math = ElementTree.fromstring(_mathml(tex, display))  # KaTeX's MathML is XML
    return re.sub(r"\s+", " ", _linear(math)).strip()


_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_MINUS = "\u2212"
# Operators written with a space either side (relations, arrows, plus, times, dot).
_SPACED = frozenset("=<>≤≥≠≈≡\u223c∝→←↦⇒⇔∈∉⊂⊆+±∓\u00d7⋅·")
_INVISIBLE = str.maketrans("", "", "\u2061\u2062\u2063\u200b")  # function application etc.


_SPACED_AFTER = frozenset(
    {"mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover"}
)


def _group(text: str) -> str:
    """``text`` as one operand: bracketed unless it is one symbol, a number or a square root."""
    text = text.strip()
    return text if re.fullmatch(r"\W|\w|[\d.]+|√\w|√\([^()]*\)", text) else f"({text})"


def _script(text: str) -> str:
    return _group(text.replace(" ", ""))  # a sub- or superscript: compact (``x_(j=1)``)


def _linear(node: ElementTree.Element) -> str:
    """The linear text of one MathML element (KaTeX's subset of presentation MathML)."""
    tag, kids = node.tag.removeprefix(_MATHML), list(node)
    if tag in ("mi", "mn", "mtext", "ms"):
        return (node.text or "").translate(_INVISIBLE).replace("\xa0", " ")
    if tag == "mo":
        text = (node.text or "").translate(_INVISIBLE)
        if text in _SPACED:
            return f" {text} "
        return f"{text} " if text == "," else text
    if tag == "mspace":
        return " " if float(re.sub(r"[^\d.]", "", node.get("width", "0")) or 0) > 0.2 else ""
    if tag in ("annotation", "annotation-xml", "mphantom"):
        return ""
    parts = [_linear(kid) for kid in kids]
    if tag == "mfrac" and len(parts) == 2:
        return f"{_group(parts[0])}/{_group(parts[1])}"
    if tag == "msqrt":
        return f"√{_group(''.join(parts))}"
    if tag == "mroot" and len(parts) == 2:
        return f"{_script(parts[1])}√{_group(parts[0])}"
    if tag in ("msub", "munder") and len(parts) == 2:
        return f"{parts[0]}_{_script(parts[1])}"
    if tag in ("msup", "mover") and len(parts) == 2:
        if tag == "mover" and node.get("accent") == "true":
            return parts[0] + {"^": "\u0302", "~": "\u0303", "→": "\u20d7"}.get(parts[1], "")
        return f"{parts[0]}^{_script(parts[1])}"
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        return f"{parts[0]}_{_script(parts[1])}^{_script(parts[2])}"
    if tag == "mtable":
        return "; ".join(parts)
    if tag == "mtr":
        return ", ".join(parts)
    # A row. Single letters and digits run together (``2π``, ``softmax``); a space before a word
    # (``exp``), after a fraction, root or script, and around a binary minus (``x - x_i``).
    out, last = "", ""
    for kid, part in zip(kids, parts, strict=True):
        kind = kid.tag.removeprefix(_MATHML)
        if out and part:
            word = re.match(r"[\w√(∑∏∫]", part) and re.search(r"[\w)\u22a4]$", out)
            if part == _MINUS and re.search(r"[\w)]$", out):
                part = f" {_MINUS} "
            elif word and (
                (re.match(r"\w", part) and (len(part) > 1 or out.endswith(")")))
                or last in _SPACED_AFTER
            ):
                out += " "
        out, last = out + part, kind
    return out


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


def render_math(tree: LexborHTMLParser, where: str, characters: set[str] | None = None) -> None:
    """Every formula of the page's body rendered by KaTeX, outside code, scripts and styles
    (`SKIP_TAGS`, `SKIP_CLASSES`); invalid TeX is a warning naming ``where``. The characters of
    the page's formulas are added to ``characters`` (the math font's)."""

    def katex(tex: str, display: bool) -> str:
        try:
            return render_tex(tex, display)
        except ValueError as err:
            log.warning(f"{where}: {err}")
            return html.escape(tex)

    runs = [node for node in text_nodes(tree.body) if _LEFT.search(node.text_content)]
    for node in runs:
        if inside(node.parent, SKIP_TAGS, SKIP_CLASSES):
            continue
        text = html.escape(node.text_content, quote=False)
        markup = _replace_math(text, katex)
        if markup != text:
            put_html(node, markup, replace=True)
    for annotation in tree.body.css("math annotation"):
        # The TeX source: never shown nor read aloud, and a quarter of the bytes.
        annotation.decompose()
    if characters is not None:
        characters.update(*(math.text() for math in tree.body.css("math")))


def name_math_headers(tree: LexborHTMLParser) -> None:
    """A table header cell holding only a formula: the formula gets an aria-label (its text),
    since a header must have text that assistive technology finds (axe: empty-table-header)."""
    for th in tree.css("th"):
        formulas = th.css("math")
        if formulas and not any(
            node.text_content.strip() and not inside(node.parent, frozenset({"math"}))
            for node in text_nodes(th)
        ):
            for math in formulas:
                math.attrs["aria-label"] = math.text()
