"""Readers off the happy path, in Debian's chromium: JavaScript off, the built site opened from
disk (``file://``; the offline build, ``ATTENTION_OFFLINE=true``, also searches there), and a
chapter printed (or saved as PDF) right after it opens, a machine without a math font. A figure is a
plain image of an SVG file beside the page and an explorable shows an image of its first state
(attention_site/notebooks/figures.py), so each of these readers gets every one of them.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from .conftest import (
    ALL_RENDERED,
    CHAPTERS,
    LANGUAGES,
    LOAD_IMAGES,
    TIMEOUT_MS,
    TRANSITIONS_DONE,
    BuiltSite,
    page_figures,
    page_soup,
    page_url,
    read_soup,
)

# The figures' and explorables' images the reader's scheme shows (the other's is display:none).
SHOWN = (
    "[...document.querySelectorAll('figure.attn-figure > img, img.attn-explorable-still')]"
    ".filter(img => getComputedStyle(img).display !== 'none')"
)
ALL_DRAWN = f"() => {SHOWN}.every(img => img.complete && img.naturalWidth > 0)"
# A4's printable width with figures.css's @page margins (210 - 2 x 8 mm), in CSS px (96 dpi).
A4 = {"width": 733, "height": 1000}
# PDF operators that paint a path (fill, stroke, both): a figure is hundreds of them.
_PAINT = re.compile(rb"(?<=\s)(?:f\*?|S|B\*?|b\*?)(?=\s)")


@pytest.fixture(scope="module", params=LANGUAGES)
def lang(request) -> str:
    return request.param


def expected(site: BuiltSite, lang: str, slug: str) -> int:
    """Figures and explorables of the built page: one shown image each."""
    soup = page_soup(site, lang, slug)
    return len(page_figures(soup)) + len(soup.select("figure.attn-explorable"))


def drawn(page: Page) -> int:
    return page.evaluate(f"() => {SHOWN}.filter(i => i.complete && i.naturalWidth > 0).length")


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Browser:
    return browser


def open_page(chromium: Browser, url: str, **context) -> Page:
    page = chromium.new_context(**context).new_page()
    page.context.set_default_timeout(TIMEOUT_MS)
    page.goto(url, wait_until="load")
    return page


@pytest.mark.parametrize("slug", CHAPTERS)
def test_without_javascript_every_figure_is_drawn(chromium, site_server, built_site, lang, slug):
    page = open_page(chromium, site_server + page_url(lang, slug), java_script_enabled=False)
    try:
        # Without scripting a browser loads lazy images at once (HTML's lazy-loading rules).
        page.wait_for_function(ALL_DRAWN)
        count = expected(built_site, lang, slug)
        assert count and drawn(page) == count, f"/{lang}/{slug}: {drawn(page)} of {count} drawn"
        described = page.evaluate(f"() => {SHOWN}.filter(i => i.alt).length")
        assert described == len(page_figures(page_soup(built_site, lang, slug)))
    finally:
        page.context.close()


@pytest.mark.parametrize("slug", CHAPTERS)
def test_opened_from_disk_every_figure_is_drawn(chromium, built_site, lang, slug):
    """``file://``: a browser refuses fetch() there, but images load as from any folder."""
    page = open_page(chromium, built_site.page(lang, slug).as_uri())
    try:
        page.evaluate(LOAD_IMAGES)  # as a reader scrolling through
        count = expected(built_site, lang, slug)
        assert count and drawn(page) == count, f"/{lang}/{slug}: {drawn(page)} of {count} drawn"
    finally:
        page.context.close()


def contents(pdf: bytes) -> list[bytes]:
    """What each page of a PDF draws (its content stream)."""
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def paint_operations(pdf: bytes) -> list[int]:
    """Per page of a PDF, the number of path-painting operations in its content."""
    return [len(_PAINT.findall(content)) for content in contents(pdf)]


@pytest.mark.parametrize("slug", CHAPTERS)
def test_printed_at_once_the_pdf_holds_every_figure(chromium, site_server, built_site, lang, slug):
    """Printed (``page.pdf()``, as print preview) the moment the page has loaded, before any
    figure came near the screen, the PDF draws exactly what it draws once every figure has
    loaded and the reader has switched to the dark scheme (Material's toggle): the same light
    printout, byte for byte."""
    url = site_server + page_url(lang, slug)
    page = open_page(chromium, url, viewport=A4, color_scheme="light")
    try:
        at_once = page.pdf(prefer_css_page_size=True)  # A4, figures.css
        page.evaluate(LOAD_IMAGES)
        assert page.evaluate(ALL_DRAWN)
        # Legible on A4: figures print at their size, the widest (10 in) shrunk to 0.73: its
        # 7 pt labels stay >= 5 pt.
        page.emulate_media(media="print")
        scale = "i => i.getBoundingClientRect().width / Number(i.getAttribute('width'))"
        scales = page.evaluate(f"() => {SHOWN}.map({scale})")
        page.emulate_media(media="null")  # no emulation: page.pdf() prints as print media
        # Material's toggle to the dark scheme, clicked without leaving a pointer over it.
        page.locator("[data-md-component=palette] label:visible").evaluate("l => l.click()")
        page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        page.wait_for_function(TRANSITIONS_DONE)
        loaded_dark = page.pdf(prefer_css_page_size=True)
    finally:
        page.context.close()
    figures = paint_operations(loaded_dark)
    assert sum(figures) > 100 * expected(built_site, lang, slug)  # the figures are drawn in it
    missing = sum(figures) - sum(paint_operations(at_once))
    assert missing <= 0, f"/{lang}/{slug}: {missing} paint operations of figures missing at once"
    assert min(scales) >= 0.7, f"/{lang}/{slug}: a figure printed at {min(scales):.2f}x"
    assert contents(at_once) == contents(loaded_dark), (
        f"/{lang}/{slug}: loaded in the dark scheme, the page prints other than at once, light"
    )


@pytest.mark.parametrize(("in_lang", "query"), [("en", "attention"), ("zh", "注意力")])
def test_the_offline_build_searches_from_disk_in_the_pages_language(
    chromium, offline_site, in_lang, query
):
    """``file://``: no fetch, no Worker; the offline build's search works all the same, each
    language in its own index, and figures are drawn, with nothing asked of another host."""
    folder = offline_site.root / ("" if in_lang == "en" else in_lang)
    page = open_page(chromium, (folder / f"{CHAPTERS[0]}.html").as_uri())
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.evaluate(LOAD_IMAGES)
        assert page.evaluate(ALL_DRAWN) and drawn(page) > 0
        page.keyboard.press("/")  # Material's shortcut to the search box
        page.keyboard.type(query)
        page.keyboard.press("End")  # fires the keyup Material searches on (see test_browser)
        results = page.locator(".md-search-result__item a")
        results.first.wait_for(state="attached")
        hrefs = results.evaluate_all("links => links.map(a => a.href)")
        zh = (offline_site.root / "zh").as_uri() + "/"
        assert all(h.endswith(".html") or ".html?" in h or ".html#" in h for h in hrefs), hrefs
        assert all(h.startswith(zh) == (in_lang == "zh") for h in hrefs), hrefs[:5]
        assert all(url.startswith("file:") for url in requests), requests
    finally:
        page.context.close()


# --------------------------------------------------------------------------- no math font
def test_the_shipped_math_font_covers_every_formula(built_site: BuiltSite) -> None:
    """Every character of every formula on every page, in the form MathML draws it (a
    one-letter identifier in italic, ``mathvariant`` letters styled), is in the site's math font
    (attention_site/pages/fonts.py), which keeps its MATH table, but those it leaves to the
    page's fonts (`fonts.drawn_elsewhere`: invisible operators, Chinese, the bar accent);
    extra.css names it before the generic ``math`` family, which would pick a text serif."""
    from fontTools.ttLib import TTFont

    from attention_site.pages.fonts import TARGET, covered, drawn_elsewhere, styled

    font = built_site.root / TARGET
    assert "MATH" in TTFont(font), f"{TARGET}: no MATH table"
    have, missing = covered(font), {}
    for page in sorted(built_site.root.rglob("*.html")):
        formulas = read_soup(page).find_all("math")
        chars = {c for formula in formulas for c in formula.get_text()}
        if gone := {c for c in styled(chars) if not drawn_elsewhere(c)} - have:
            missing[str(page.relative_to(built_site.root))] = "".join(sorted(gone))
    assert not missing, f"characters the math font lacks: {missing}"
    css = (built_site.root / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    family = re.search(r"\.katex math \{\s*font-family:([^;]*);", css)[1]
    names = [name.strip().strip('"') for name in family.split(",")]
    assert names.index("Attention Math") < names.index("math") == len(names) - 1, names


def test_formulas_are_drawn_with_the_shipped_math_font(
    chromium: Browser, site_server, built_site: BuiltSite
) -> None:
    """A reader without the math fonts extra.css names first (forced here: this machine may
    have one) gets the site's own: the browser fetches it and draws the page's formulas with
    it (Chromium's record of the fonts it used, read over CDP), every part of a formula whose
    characters the font maps (the others: `test_the_shipped_math_font_covers_every_formula`)."""
    from attention_site.pages.fonts import TARGET, covered

    have = "".join(sorted(covered(built_site.root / TARGET)))
    context = chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(site_server + page_url("en", "scoring-functions"), wait_until="load")
        page.add_style_tag(
            content='.md-typeset .katex math { font-family: "Attention Math" !important; } '
            + ALL_RENDERED  # lay out every formula
        )
        loaded = page.evaluate(
            "() => document.fonts.load('1em \"Attention Math\"', '\\u2211')"
            ".then(faces => faces.length)"
        )
        assert loaded == 1, "the math font did not load"
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        page.evaluate(
            """have => document.querySelectorAll("article math :is(mi, mo, mn, mtext)")
                .forEach(el => [...el.textContent].every(c => have.includes(c))
                               && el.setAttribute("data-in-font", ""))""",
            have,
        )
        selector = "article math [data-in-font]"
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        assert len(nodes["nodeIds"]) > 100, "too few formula parts to judge"
        used: dict[str, int] = {}
        for node in nodes["nodeIds"][:400]:
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
                used[font["familyName"]] = used.get(font["familyName"], 0) + font["glyphCount"]
        assert set(used) == {"Noto Sans Math"}, f"glyphs drawn per font: {used}"
    finally:
        context.close()
