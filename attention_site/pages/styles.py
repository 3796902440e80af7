"""Only the notebook CSS the pages use (rules of ``assets/stylesheets/jupyter.css`` whose
classes, ids or attributes occur in no built page are dropped, about 96% of it), and Material's
palette-switching rule taken out.

The names a page uses are read from its parsed tree while `finish_page` has it in hand
(`remember_names`); a built page that this process did not finish (``mkdocs serve --dirty``
keeps pages it does not rebuild) is parsed once for them."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Set as AbstractSet
from pathlib import Path

import tinycss2

from ..markup import LexborHTMLParser

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
Names = tuple[frozenset[str], frozenset[str], frozenset[str]]  # classes, ids, attributes
_NAMES: dict[bytes, Names] = {}  # by the page's digest; a `mkdocs serve` rebuild changes a few
_KEEP = 512


def _digest(page: str) -> bytes:
    return hashlib.blake2b(page.encode(), digest_size=16).digest()


def names_in(tree: LexborHTMLParser) -> Names:
    """The classes, ids and attribute names of a parsed page."""
    classes, ids, attrs = set(), set(), set()
    for node in tree.root.traverse():
        attributes = node.attributes
        if attributes:
            attrs.update(attributes)
            classes.update((attributes.get("class") or "").split())
            if "id" in attributes:
                ids.add(attributes["id"] or "")
    return frozenset(classes), frozenset(ids), frozenset(a.lower() for a in attrs)


def remember_names(page: str, names: Names) -> None:
    """Note the names of a finished page (``page``: its HTML as written), for `used_names`."""
    _NAMES.pop(key := _digest(page), None)
    _NAMES[key] = names
    while len(_NAMES) > _KEEP:
        del _NAMES[next(iter(_NAMES))]


def used_names(pages: list[str]) -> tuple[set[str], set[str], set[str]]:
    """The classes, ids and attribute names that occur in some page."""
    classes, ids, attrs = set(), set(), set()
    for page in pages:
        key = _digest(page)
        if key not in _NAMES:
            remember_names(page, names_in(LexborHTMLParser(page)))
        page_classes, page_ids, page_attrs = _NAMES[key]
        classes |= page_classes
        ids |= page_ids
        attrs |= page_attrs
    return classes, ids, attrs


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
    return _purge(css, used, set(_VAR.findall(elsewhere)))


def _purge(css: str, used: tuple[AbstractSet[str], ...], read_elsewhere: AbstractSet[str]) -> str:
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
    return _drop_unused_properties("\n".join(kept), set(read_elsewhere))


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


def purge_css_once(css: str, used: tuple[frozenset[str], ...], elsewhere: str) -> str:
    """`purge_css`, kept for the next build of this process: a `mkdocs serve` rebuild after a
    prose edit changes neither the notebook CSS nor the names pages use, and parsing 600 KB of
    CSS was a second of each rebuild. Kept by what the result depends on: of ``elsewhere``,
    only the custom properties it reads (its text changes with every prose edit)."""
    read = frozenset(_VAR.findall(elsewhere))
    return _purged(css, used, read)


@functools.lru_cache(maxsize=2)
def _purged(css: str, used: tuple[frozenset[str], ...], read: frozenset[str]) -> str:
    return _purge(css, used, read)
