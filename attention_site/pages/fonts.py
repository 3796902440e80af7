"""A math font on every reader's machine.

MathML is laid out by the browser with a math font (one with an OpenType ``MATH`` table: big
operators, stretchy brackets, limits). Where none is installed (most Linux desktops, many
phones) Chromium fell back to a text serif: a text-sized Σ, cramped limits. The site ships a
subset of Noto Sans Math (SIL Open Font License 1.1, ``attention_site/vendor/fonts/``, from
``@fontsource/noto-sans-math`` 5.3.0) holding only the characters the site's formulas use, with
their ``MATH`` variants. extra.css names it after the math fonts readers may have; a browser
fetches it only for a page that shows a formula and lacks those fonts.
"""

from __future__ import annotations

import contextlib
import unicodedata
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "vendor" / "fonts" / "NotoSansMath-Regular.woff"
TARGET = "assets/fonts/math.woff"  # in the site; extra.css names it (keep the two in step)


# MathML shows a one-letter <mi> in italic and ``mathvariant`` letters (\\mathbf, \\mathbb, ...) as
# the Mathematical Alphanumeric Symbols of that letter: the font needs those characters too.
STYLES = ("ITALIC", "BOLD", "BOLD ITALIC", "DOUBLE-STRUCK", "SCRIPT", "FRAKTUR", "SANS-SERIF")
# The few styled letters Unicode had encoded before (Letterlike Symbols), by name.
_LETTERLIKE = {
    f"MATHEMATICAL {style} {case} {letter}": char
    for style, case, letters, chars in [
        ("ITALIC", "SMALL", "H", "\u210e"),
        ("DOUBLE-STRUCK", "CAPITAL", "CHNPQRZ", "\u2102\u210d\u2115\u2119\u211a\u211d\u2124"),
        ("SCRIPT", "CAPITAL", "BEFHILMR", "\u212c\u2130\u2131\u210b\u2110\u2112\u2133\u211b"),
        ("SCRIPT", "SMALL", "EGO", "\u212f\u210a\u2134"),
        ("FRAKTUR", "CAPITAL", "CHIRZ", "\u212d\u210c\u2111\u211c\u2128"),
    ]
    for letter, char in zip(letters, chars, strict=True)
}


def styled(characters: set[str]) -> set[str]:
    """``characters`` with every styled form of their Latin and Greek letters."""
    found = set(characters)
    for char in characters:
        name = unicodedata.name(char, "")
        for script in ("LATIN ", "GREEK "):
            if char.isalpha() and name.startswith(script) and " LETTER " in name:
                case, _, letter = name.removeprefix(script).partition(" LETTER ")
                for style in STYLES:
                    full = f"MATHEMATICAL {style} {case} {letter}"
                    # Not every style has every letter (no double-struck alpha).
                    with contextlib.suppress(KeyError):
                        found.add(_LETTERLIKE.get(full) or unicodedata.lookup(full))
    return found


# KaTeX's \\bar accent: Noto Sans Math has no spacing macron; the page's text font draws it.
TEXT_FONT_DRAWS = frozenset("\u02c9")


def drawn_elsewhere(char: str) -> bool:
    """Characters of a formula the math font leaves to others: invisible operators (function
    application, separators: nothing to draw), Chinese in ``\\text{…}`` (the page's CJK font)
    and `TEXT_FONT_DRAWS`."""
    return (
        char.isspace()
        or unicodedata.category(char) == "Cf"
        or unicodedata.east_asian_width(char) in ("W", "F")
        or char in TEXT_FONT_DRAWS
    )


def covered(font_file: Path) -> set[str]:
    """The characters a font file maps (empty if there is no file)."""
    if not font_file.is_file():
        return set()
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(font_file).getBestCmap()}


def write_math_font(site: Path, characters: set[str]) -> int | None:
    """Write the subset of the math font for ``characters`` to ``site/TARGET``; the bytes
    written, or None when the file there already covers them (an incremental build under
    ``mkdocs serve`` renders a few pages: it keeps the characters of the others)."""
    target = site / TARGET
    have = covered(target)
    wanted = {c for c in styled(characters) if not drawn_elsewhere(c)}
    if not wanted or wanted <= have:
        return None
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib: WOFF2 would need brotli, one more dependency
    options.layout_features = ["*"]  # keep every feature the math layout may use
    options.recalc_timestamp = False  # the same bytes on every build
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in wanted | have))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)
    return target.stat().st_size
