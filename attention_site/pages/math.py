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
    """A formula as one line of plain text, for search snippets, written from the structure of
    its MathML: ``α(x, x_i) = 1/√(2π) exp(...)/(∑_(j=1)^n ...)``, where its characters alone
    run together (``α(x,xi)=12πexp...``)."""
    mathml = re.sub(r"^.*?(<math\b.*</math>).*$", r"\1", render_tex(tex, display), flags=re.S)
    return re.sub(r"\s+", " ", _linear(ElementTree.fromstring(mathml))).strip()


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


def render_math(markup: str, where: str, characters: set[str] | None = None) -> str:
    """Every formula of ``markup`` rendered by KaTeX; invalid TeX is a warning naming ``where``.
    The characters of the rendered formulas are added to ``characters`` (the math font's)."""

    def katex(tex: str, display: bool) -> str:
        try:
            mathml = render_tex(tex, display)
        except ValueError as err:
            log.warning(f"{where}: {err}")
            return html.escape(tex)
        if characters is not None:
            characters.update(mathml_text(mathml))
        return mathml

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
