"""Every chapter figure, for every reader: described, in the page's language, at home in dark
mode, sharp at any zoom, and readable on a phone (a tap opens it full-size). A figure is two
images of one SVG file beside the page, ``#only-light`` and ``#only-dark``
(attention_site/notebooks/figures.py); test_readers.py checks print, no JavaScript and file://.

The static checks read the built pages; the rest run in Debian's chromium through Playwright:
here, a figure is fetched as it nears the screen; test_a11y.py checks figures in the dark
scheme and opened full-size on a phone, test_browser.py in the light scheme, each on the load
of the page its other checks share. Screenshots of each chapter in both languages, both colour
schemes and at 390 px go to results/screenshots/figures-*.png for a person to look at, when
asked for (ATTENTION_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Browser, expect

from attention.plotting import MIN_DESCRIPTION, PLACEHOLDER

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    TIMEOUT_MS,
    TRANSITIONS_DONE,
    BuiltSite,
    executed_notebook,
    figure_files,
    figure_svg,
    page_figures,
    page_soup,
    page_url,
    settle,
)

CJK = re.compile(r"[\u3400-\u9fff]")
PHONE = {"width": 390, "height": 844}
# Bytes of a chapter page with all its figures, read to the end. Issue 10 set 600 KB while the
# figures shared their glyph outlines with each other; each figure is now a file of its own (drawn
# without JavaScript, in print, from disk) that carries its outlines: 20-30 % more bytes, a
# quarter of them as a static host gzips SVG. The self-attention chapter then gained four
# figures (the causal mask, the clocks, the trained model, its explorable's still): 870 KB.
# A first load stays <= 1,000 KB (test_a11y.py); the figures come as the reader scrolls.
PAGE_BUDGET = 900_000


def descriptions(site: BuiltSite, lang: str, slug: str) -> list[str]:
    return [figure.img["alt"] for figure in page_figures(page_soup(site, lang, slug))]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_figure_is_described(built_site: BuiltSite, lang: str, slug: str) -> None:
    page = page_soup(built_site, lang, slug)
    figures = page_figures(page)
    assert figures, f"/{lang}/{slug}: no figures"
    where = f"/{lang}/{slug}"
    for number, figure in enumerate(figures, start=1):
        images = figure.find_all("img", recursive=False)
        label = images[0].get("alt", "")
        assert [i.get("alt") for i in images] == [label, label], f"{where} figure {number}"
        assert len(label) >= MIN_DESCRIPTION and label != PLACEHOLDER, f"{where} {number}"
        if lang == "zh":
            assert CJK.search(label), f"{where} figure {number} is described in English: {label}"
    labels = descriptions(built_site, lang, slug)
    assert len(set(labels)) == len(labels), f"{where}: two figures share a description"
    # No image is left with nbconvert's placeholder alt text (an undescribed PNG).
    assert PLACEHOLDER not in str(page.select_one("article")), f"{where}: placeholder alt text"
    assert "missing from font" not in page.get_text(), f"{where}: a glyph is missing"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_the_downloaded_notebook_keeps_the_descriptions(built_site, lang, slug) -> None:
    """The figures of the .ipynb a reader downloads are the same SVG, described in metadata
    (``alt``, Jupyter's key for an image's text alternative)."""
    notebook = executed_notebook(built_site, lang, slug)
    alts = [
        out["metadata"]["image/svg+xml"]["alt"]
        for cell in notebook["cells"]
        for out in cell.get("outputs", [])
        if "image/svg+xml" in out.get("data", {})
    ]
    assert alts == descriptions(built_site, lang, slug), f"/{lang}/{slug}.ipynb"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_page_with_its_figures_fits_the_budget(built_site, lang, slug) -> None:
    page = built_site.page(lang, slug)
    size = page.stat().st_size + sum(f.stat().st_size for f in figure_files(page))
    assert size <= PAGE_BUDGET, f"/{lang}/{slug}: {size} bytes with its figures > {PAGE_BUDGET}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_a_figure_is_a_sized_lazy_image_of_one_file_per_scheme(built_site, lang, slug) -> None:
    """The page holds no figure SVG: each figure is a light and a dark image of one
    self-contained SVG file beside the page, with the file's size (nothing shifts as it
    loads) and fetched as it nears the screen."""
    page = built_site.page(lang, slug)
    soup = page_soup(built_site, lang, slug)
    assert not soup.select(".attn-figure svg"), f"/{lang}/{slug}: a figure is inline"
    for figure in page_figures(soup):
        light, dark = figure.find_all("img", recursive=False)
        file = light["src"].removesuffix("#only-light")
        assert dark["src"] == f"{file}#only-dark", dark["src"]
        svg = ElementTree.fromstring(figure_svg(page, figure))  # a well-formed file
        width, height = (float(svg.get(k).removesuffix("pt")) * 4 / 3 for k in ("width", "height"))
        for image in (light, dark):
            assert (image["width"], image["height"]) == (str(round(width)), str(round(height)))
            assert image["loading"] == "lazy"


def _without_ids(svg: str) -> str:
    """A figure's drawing without the id prefix made from its description."""
    return re.sub(r'(id="|#)f[0-9a-f]{7,}\b', r"\1", svg)  # ids: hash prefix + number


@pytest.mark.parametrize("slug", CHAPTERS)
def test_zh_figures_are_drawn_in_chinese(built_site: BuiltSite, slug: str) -> None:
    """Each figure holds words (titles, labels, legends): its zh drawing must differ from en's."""
    en, zh = (
        [
            _without_ids(figure_svg(built_site.page(lang, slug), figure))
            for figure in page_figures(page_soup(built_site, lang, slug))
        ]
        for lang in LANGUAGES
    )
    same = [n for n, (a, b) in enumerate(zip(en, zh, strict=True), start=1) if a == b]
    assert not same, f"{slug}: zh figures {same} are drawn exactly as the English ones"


def open_chapter(chromium: Browser, origin: str, lang: str, slug: str, scheme: str, viewport):
    context = chromium.new_context(viewport=viewport, color_scheme=scheme, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(origin + page_url(lang, slug), wait_until="networkidle")
    settle(page)
    return page


# WCAG's contrast of the cue's colour (its alpha composited) on the page's background.
CUE_CONTRAST = """cue => {
    const rgba = s => s.match(/[\\d.]+/g).map(Number);
    const [r, g, b, a = 1] = rgba(getComputedStyle(cue).color);
    const bg = rgba(getComputedStyle(document.body).backgroundColor);
    const mix = [r, g, b].map((c, i) => a * c + (1 - a) * bg[i]);
    const lum = rgb => rgb.map(c => c / 255).map(c => c <= 0.04045 ? c / 12.92
        : ((c + 0.055) / 1.055) ** 2.4).reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
    const [hi, lo] = [lum(mix), lum(bg)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_cue_is_legible_in_both_schemes_and_not_printed(chromium, site_server, scheme):
    page = open_chapter(chromium, site_server, "zh", CHAPTERS[1], scheme, PHONE)
    try:
        page.wait_for_function(TRANSITIONS_DONE)  # Material fades the colours in
        cue = page.locator("article .attn-figure--shrunk .attn-figure__cue").first
        expect(cue).to_be_visible()
        assert cue.evaluate(CUE_CONTRAST) >= 4.5
        page.emulate_media(media="print")
        expect(page.locator("article .attn-figure__cue:visible")).to_have_count(0)
    finally:
        page.context.close()


def test_a_figure_is_fetched_as_it_nears_the_screen_into_a_box_of_its_size(chromium, site_server):
    page = open_chapter(chromium, site_server, "zh", "scoring-functions", "light", PHONE)
    try:
        last = page.locator("article figure.attn-figure").last
        image = last.locator("img").first  # the light scheme's
        drawn = "i => i.complete && i.naturalWidth > 0"
        assert not image.evaluate(drawn), "fetched while far away"
        before = last.bounding_box()
        last.scroll_into_view_if_needed()
        page.wait_for_function(drawn, arg=image.element_handle())
        after = last.bounding_box()
        assert abs(before["width"] - after["width"]) < 1, (before, after)
        assert abs(before["height"] - after["height"]) < 1, (before, after)
    finally:
        page.context.close()
