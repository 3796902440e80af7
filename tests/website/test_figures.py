"""Every chapter figure, for every reader: described, in the page's language, at home in dark
mode, sharp at any zoom, and readable on a phone (a tap opens it full-size).

The static checks read the built pages; the rest run in Debian's chromium through Playwright.
Screenshots of each chapter in both languages, both colour schemes and at 390 px go to
results/screenshots/figures-*.png for a person to look at.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageStat
from playwright.sync_api import Browser, expect

from attention.plotting import MIN_DESCRIPTION, PLACEHOLDER

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    SCREENSHOTS,
    TIMEOUT_MS,
    BuiltSite,
    executed_notebook,
    figure_files,
    full_page_screenshot,
    page_figures,
    page_name,
    page_soup,
    page_url,
    settle,
)

CJK = re.compile(r"[\u3400-\u9fff]")
PHONE = {"width": 390, "height": 844}
PAGE_BUDGET = 600_000  # bytes of a chapter page, its inline figures included (issue 10)


def descriptions(site: BuiltSite, lang: str, slug: str) -> list[str]:
    return [figure.svg["aria-label"] for figure in page_figures(page_soup(site, lang, slug))]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_figure_is_described(built_site: BuiltSite, lang: str, slug: str) -> None:
    page = page_soup(built_site, lang, slug)
    figures = page_figures(page)
    assert figures, f"/{lang}/{slug}: no figures"
    where = f"/{lang}/{slug}"
    for number, figure in enumerate(figures, start=1):
        svg = figure.find("svg", recursive=False)
        assert svg is not None and svg.get("role") == "img", f"{where} figure {number}: no svg"
        label = svg.get("aria-label", "")
        assert len(label) >= MIN_DESCRIPTION and label != PLACEHOLDER, f"{where} {number}"
        assert figure.figcaption.get_text() == label, f"{where} figure {number}: caption"
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
    """The figures of the .ipynb a reader downloads are the same described SVG (text/html)."""
    notebook = executed_notebook(built_site, lang, slug)
    markup = "".join(
        "".join(out.get("data", {}).get("text/html", ""))
        for cell in notebook["cells"]
        for out in cell.get("outputs", [])
    )
    missing = [d for d in descriptions(built_site, lang, slug) if d not in html.unescape(markup)]
    assert not missing, f"/{lang}/{slug}.ipynb lacks the descriptions {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_page_with_its_figures_fits_the_budget(built_site, lang, slug) -> None:
    page = built_site.page(lang, slug)
    size = page.stat().st_size + sum(f.stat().st_size for f in figure_files(page))
    assert size <= PAGE_BUDGET, f"/{lang}/{slug}: {size} bytes with its figures > {PAGE_BUDGET}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_figures_wait_beside_the_page_in_boxes_of_their_size(built_site, lang, slug) -> None:
    """The page holds no figure SVG, only a described box per figure with the figure's size,
    naming a file beside the page that holds that figure."""
    page = built_site.page(lang, slug)
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert not soup.select(".attn-figure svg"), f"/{lang}/{slug}: a figure is inline"
    boxes = soup.select(".attn-figure > div.attn-figure__svg[data-attn-svg]")
    assert len(boxes) == len(page_figures(page_soup(built_site, lang, slug))) > 0
    for box in boxes:
        svg = BeautifulSoup(
            (page.parent / box["data-attn-svg"]).read_text(encoding="utf-8"), "html.parser"
        ).svg
        assert box["role"] == "img" and box["aria-label"] == svg["aria-label"]
        width, height = (svg[k].removesuffix("pt") for k in ("width", "height"))
        assert f"width:{width}pt;aspect-ratio:{width}/{height}" in box["style"]
        assert (page.parent / box["data-attn-glyphs"]).is_file()


def _without_description(figure) -> str:
    """A figure's drawing: the SVG without its description and the id prefix made from it."""
    svg = str(figure.find("svg", recursive=False))
    svg = svg.replace(figure.svg["aria-label"], "")
    return re.sub(r'(id="|#)f[0-9a-f]{7,}\b', r"\1", svg)  # ids: hash prefix + number


@pytest.mark.parametrize("slug", CHAPTERS)
def test_zh_figures_are_drawn_in_chinese(built_site: BuiltSite, slug: str) -> None:
    """Each figure holds words (titles, labels, legends): its zh drawing must differ from en's."""
    en, zh = (page_figures(page_soup(built_site, lang, slug)) for lang in LANGUAGES)
    same = [
        n
        for n, (a, b) in enumerate(zip(en, zh, strict=True), start=1)
        if _without_description(a) == _without_description(b)
    ]
    assert not same, f"{slug}: zh figures {same} are drawn exactly as the English ones"


@pytest.fixture(scope="module", params=LANGUAGES)
def lang(request) -> str:
    return request.param


def open_chapter(chromium: Browser, origin: str, lang: str, slug: str, scheme: str, viewport):
    context = chromium.new_context(viewport=viewport, color_scheme=scheme, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(origin + page_url(lang, slug), wait_until="networkidle")
    settle(page)
    return page


def luminance(png: bytes) -> float:
    """Mean relative luminance of a screenshot, 0 (black) .. 1 (white)."""
    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0] / 255


@pytest.mark.parametrize("slug", CHAPTERS)
def test_figures_in_dark_mode_are_dark_and_vector(chromium, site_server, lang, slug) -> None:
    page = open_chapter(chromium, site_server, lang, slug, "dark", {"width": 1280, "height": 900})
    try:
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        page.wait_for_timeout(300)  # Material fades the colours in
        name = page_name(lang, slug)
        full_page_screenshot(page, SCREENSHOTS / f"figures-{name}-dark.png")
        figures = page.locator("article figure.attn-figure")
        assert figures.count(), f"/{lang}/{slug}: no figures"
        bright = {}
        for number in range(figures.count()):
            figure = figures.nth(number)
            figure.scroll_into_view_if_needed()
            value = luminance(figure.screenshot())
            if value >= 0.5:
                bright[number + 1] = round(value, 2)
        assert not bright, f"/{lang}/{slug} dark: figures brighter than 0.5: {bright}"
        # Sharp: every figure is vector; heatmap pixels (one per matrix entry) are drawn as
        # crisp squares, not blurred by the browser's smoothing.
        raster = page.eval_on_selector_all(
            "article .jp-OutputArea-output img", "els => els.map(e => e.src.slice(0, 40))"
        )
        assert not raster, f"/{lang}/{slug}: raster figures {raster}"
        smooth = page.eval_on_selector_all(
            "article figure.attn-figure image",
            "els => els.filter(e => getComputedStyle(e).imageRendering !== 'pixelated').length",
        )
        assert smooth == 0, f"/{lang}/{slug}: {smooth} heatmaps would be smoothed"
    finally:
        page.context.close()


@pytest.mark.parametrize("slug", CHAPTERS)
def test_light_mode_screenshot(chromium, site_server, lang, slug) -> None:
    page = open_chapter(chromium, site_server, lang, slug, "light", {"width": 1280, "height": 900})
    try:
        shot = full_page_screenshot(
            page, SCREENSHOTS / f"figures-{page_name(lang, slug)}-light.png"
        )
        assert luminance(shot) > 0.5  # the light scheme is light
    finally:
        page.context.close()


@pytest.mark.parametrize("slug", CHAPTERS)
def test_on_a_phone_every_figure_opens_full_size(chromium, site_server, lang, slug) -> None:
    """At 390 px a figure is shrunk to the screen; a tap (or Enter) opens it at its natural size,
    where its smallest text (7 pt) is 9 CSS px, and Escape closes it."""
    page = open_chapter(chromium, site_server, lang, slug, "light", PHONE)
    try:
        full_page_screenshot(page, SCREENSHOTS / f"figures-{page_name(lang, slug)}-390.png")
        figures = page.locator("article figure.attn-figure")
        for number in range(figures.count()):
            button = figures.nth(number).locator("button.attn-figure__open")
            assert button.get_attribute("aria-label"), "the enlarge button needs a name"
            button.scroll_into_view_if_needed()
            if number == 0:
                button.tap()
            else:
                button.focus()
                page.keyboard.press("Enter")
            dialog = page.locator("dialog#attn-lightbox[open]")
            expect(dialog).to_be_visible()
            scale = dialog.locator("svg").evaluate(
                "s => s.getBoundingClientRect().width / (s.viewBox.baseVal.width * 4 / 3)"
            )
            assert scale >= 0.99, f"/{lang}/{slug} figure {number + 1}: shown at {scale:.2f}x"
            if number == 0:
                page.screenshot(path=SCREENSHOTS / f"figures-{page_name(lang, slug)}-390-open.png")
            page.keyboard.press("Escape")
            expect(page.locator("dialog#attn-lightbox[open]")).to_have_count(0)
    finally:
        page.context.close()


def test_a_figure_is_fetched_as_it_nears_the_screen_into_a_box_of_its_size(chromium, site_server):
    page = open_chapter(chromium, site_server, "zh", "scoring-functions", "light", PHONE)
    try:
        last = page.locator("article figure.attn-figure").last
        assert last.locator("div.attn-figure__svg").count() == 1, "fetched while far away"
        before = last.bounding_box()
        last.scroll_into_view_if_needed()
        last.locator("svg[role=img]").wait_for()
        after = last.bounding_box()
        assert last.locator("div.attn-figure__svg").count() == 0
        assert abs(before["width"] - after["width"]) < 1, (before, after)
        assert abs(before["height"] - after["height"]) < 1, (before, after)
        # Its text is drawn: the glyphs it uses are defined in the page now.
        uses = last.locator("use").evaluate_all(
            "els => els.filter(u => !document.querySelector(u.getAttribute('xlink:href'))).length"
        )
        assert last.locator("use").count() > 0 and uses == 0
    finally:
        page.context.close()
