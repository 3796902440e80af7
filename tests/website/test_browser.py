"""The site in a real browser (Debian's chromium, driven by Playwright), served offline.

Every page in both languages loads without errors, requests nothing from another host, shows
its figures and rendered math, and axe-core finds nothing on it (the light scheme on a desktop:
one load per page, conftest.py's `visit`, shared by these checks and test_explorables.py's); the
language menu, dark mode and search work. Full-page screenshots land in results/screenshots/
for a person to look at when asked for (ATTENTION_SCREENSHOTS=1).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, Request, expect
from playwright.sync_api import Error as PlaywrightError

from .conftest import (
    CHAPTERS,
    CUE,
    DESKTOP,
    FIGURE_STATE,
    LANGUAGES,
    LIGHTBOX_STATE,
    Visit,
    axe_violations,
    luminance,
    open_visit,
    page_url,
    twin_language,
)

MATH_PAGES = ("", *CHAPTERS)  # pages that must show rendered math
RAW_MATH = ("$", "\\(", "\\)", "\\[", "\\]")  # what math looks like when KaTeX missed it


def test_loads_without_errors(visit: Visit) -> None:
    assert not visit.errors, f"{visit.page.url}:\n" + "\n".join(visit.errors)
    assert visit.page.get_attribute("html", "lang") == visit.lang  # a page of its language


def test_requests_only_the_local_server(visit: Visit, site_server: str) -> None:
    elsewhere = [url for url in visit.requests if not url.startswith((site_server + "/", "data:"))]
    assert not elsewhere, f"{visit.page.url} requested other hosts:\n" + "\n".join(elsewhere)


def test_axe_finds_no_violations(visit: Visit, axe) -> None:
    """Every rule of axe-core, every impact, on a desktop in the light scheme (the dark scheme
    and a phone: test_a11y.py)."""
    found = axe_violations(visit.page, axe)
    assert not found, f"{visit.page.url} light desktop:\n{found}"


def test_the_light_scheme_is_light(visit: Visit) -> None:
    assert visit.page.get_attribute("body", "data-md-color-scheme") == "default"
    assert luminance(visit.page.screenshot()) > 0.5, f"{visit.page.url}: dark in light mode"


def test_figures_are_visible(visit: Visit) -> None:
    # Each figure is two images, one per colour scheme: the other scheme's is display:none.
    images = visit.page.eval_on_selector_all(
        "article img, article .jp-OutputArea-output svg",
        """els => els.filter(el => getComputedStyle(el).display !== 'none').map(el => {
            const box = el.getBoundingClientRect();
            return {what: el.tagName + ' ' + (el.currentSrc || '').slice(0, 60),
                    loaded: el.tagName !== 'IMG' || (el.complete && el.naturalWidth > 0),
                    width: box.width, height: box.height};
        })""",
    )
    hidden = [img for img in images if not (img["loaded"] and img["width"] and img["height"])]
    assert not hidden, f"{visit.page.url}: figures not shown: {hidden}"
    # Every figure shows one image (the visit's full-page screenshot loaded all of them).
    shown = visit.page.locator("article figure.attn-figure > img:visible").count()
    assert shown == visit.page.locator("article figure.attn-figure").count()
    text = visit.page.inner_text("article")
    assert "Traceback" not in text, f"{visit.page.url}: a traceback"
    # A Figure that Jupyter could not draw shows as text instead, e.g. "<Figure size 640x480 ...>".
    as_text = [line for line in text.splitlines() if line.startswith("<Figure size")]
    assert not as_text, f"{visit.page.url}: figures shown as text, not drawn: {as_text}"


def test_on_a_desktop_every_figure_opens_larger(visit: Visit) -> None:
    """At 1280 x 900 a figure opens as large as the screen allows up to twice its natural size:
    at least 1.3 times its width in the page, or (where the screen stops it) 80 % of the screen's
    width; never below its natural size. It shows the cue only where it is shrunk in the page."""
    page, width = visit.page, visit.page.viewport_size["width"]
    figures = page.locator("article figure.attn-figure")
    for number in range(figures.count()):
        where = f"{visit.page.url} figure {number + 1}"
        figure = figures.nth(number)
        state = figure.evaluate(FIGURE_STATE)
        shrunk = state["width"] < state["natural"] - 1
        assert (state["cue"] in CUE[visit.lang]) if shrunk else state["cue"] is None, (where, state)
        figure.locator("button.attn-figure__open").click()
        dialog = page.locator("dialog#attn-lightbox[open]")
        expect(dialog).to_be_visible()
        box = dialog.evaluate(LIGHTBOX_STATE)
        scale, larger = box["width"] / box["natural"], box["width"] / state["width"]
        assert 0.99 <= scale <= 2.01, f"{where}: shown at {scale:.2f}x its natural size"
        assert larger >= 1.3 or box["width"] >= 0.8 * width, (
            f"{where}: {box['width']:.0f} px wide open, {state['width']:.0f} px in the page"
        )
        assert not box["scrolls"], f"{where}: scrolls on a desktop"
        page.keyboard.press("Escape")
        expect(page.locator("dialog#attn-lightbox[open]")).to_have_count(0)


def test_math_is_rendered(visit: Visit) -> None:
    math = visit.page.evaluate(
        """() => {
            // Wide display math must scroll: the first box that does not show its overflow
            // has to be scrollable, not clip it.
            const scrolls = el => {
                for (; el && el.tagName !== 'ARTICLE'; el = el.parentElement) {
                    const overflow = getComputedStyle(el).overflowX;
                    if (overflow !== 'visible') return overflow === 'auto' || overflow === 'scroll';
                }
                return true;
            };
            const article = document.querySelector('article').cloneNode(true);
            const code = 'pre, code, .highlight, .jp-CodeCell .jp-InputArea, .jp-OutputArea,'
                + ' .katex, script, style';
            article.querySelectorAll(code).forEach(el => el.remove());
            return {rendered: document.querySelectorAll('article .katex').length,
                    // KaTeX shows invalid TeX as .katex-error, an unknown command as its
                    // source text (a backslash no rendered formula contains).
                    errors: [...document.querySelectorAll('.katex-error')].map(
                        el => el.getAttribute('title') || el.textContent).concat(
                        [...document.querySelectorAll('article .katex-html')].map(
                            el => el.textContent).filter(text => text.includes('\\\\'))),
                    clipped: [...document.querySelectorAll('article .katex-display')]
                        .filter(el => el.scrollWidth > el.clientWidth + 1 && !scrolls(el))
                        .map(el => el.querySelector('annotation')?.textContent.slice(0, 60)),
                    text: article.textContent};
        }"""
    )
    url = visit.page.url
    assert not math["errors"], f"{url}: KaTeX errors: {math['errors'][:5]}"
    assert not math["clipped"], f"{url}: wide equations cut off, not scrollable: {math['clipped']}"
    text = " ".join(math["text"].split())
    raw = dict.fromkeys(text[max(0, i - 40) : i + 40] for i in _find_all(text, RAW_MATH))
    assert not raw, f"{url}: math left unrendered:\n" + "\n".join(list(raw)[:10])
    if visit.slug in MATH_PAGES:
        assert math["rendered"], f"{url}: no rendered math (.katex) at all"


def _find_all(text: str, needles: tuple[str, ...]) -> list[int]:
    return sorted(i for n in needles for i in range(len(text)) if text.startswith(n, i))


# --------------------------------------------------------------------------- language menu
def switch_language(page: Page, lang: str, expected: str) -> None:
    """Use the header's language menu (it opens on hover) and land on ``expected``."""
    page.hover(".md-header__option .md-select")
    link = page.locator(f".md-header__option a.md-select__link[hreflang={lang}]")
    expect(link).to_be_visible()
    link.click()
    try:
        page.wait_for_url(expected, wait_until="load")
    except PlaywrightError:
        pytest.fail(f"the {lang} language link led to {page.url}, not {expected}")
    # A full page of that language, not its content swapped in under this language's header.
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_language_menu_goes_to_the_twin(visit: Visit, site_server: str) -> None:
    """From every page, en and zh, the header's language menu leads to the page's twin (each
    way: the 'switch back') as a full page: the browser asks for the twin as a document, where
    Material's instant navigation would fetch it and swap its content in under this page's
    header. The request is cut off, so the page stays for the checks after this one; each twin
    has its own visit, and `test_language_menu_after_instant_navigation` lands on the twin."""
    page, twin = visit.page, twin_language(visit.lang)
    expected = site_server + page_url(twin, visit.slug)
    page.route(expected, lambda route: route.abort("aborted"))  # ERR_ABORTED: the page stays
    try:
        page.hover(".md-header__option .md-select")
        link = page.locator(f".md-header__option a.md-select__link[hreflang={twin}]")
        expect(link).to_be_visible()
        with page.expect_request(lambda r: r.url == expected or r.is_navigation_request()) as to:
            link.click()
    finally:
        page.unroute(expected)
    asked: Request = to.value
    assert asked.url == expected, f"the {twin} language link led to {asked.url}, not {expected}"
    assert asked.is_navigation_request() and asked.frame == page.main_frame, (
        f"{visit.url}: the {twin} twin was fetched ({asked.resource_type}), not opened as a page"
    )
    page.evaluate("document.activeElement.blur()")  # the menu stays open while it has the focus
    page.mouse.move(0, DESKTOP["height"] - 1)
    assert page.url == site_server + visit.url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_menu_after_instant_navigation(browser, site_server, lang) -> None:
    """Material swaps pages without reloading; the menu must follow to the new page's twin."""
    slug, twin = CHAPTERS[2], twin_language(lang)
    page = open_visit(browser, site_server, lang, "", viewport=DESKTOP).page
    page.evaluate("window.notReloaded = true")
    page.locator(f".md-nav--primary a.md-nav__link[href$='{page_url(lang, slug)}']").click()
    page.wait_for_url(site_server + page_url(lang, slug))
    assert page.evaluate("window.notReloaded === true"), "the page reloaded: no instant navigation"
    switch_language(page, twin, site_server + page_url(twin, slug))
    page.context.close()


# --------------------------------------------------------------------------- search
@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("en", "masked", page_url("en", "scoring-functions")),
        ("zh", "掩蔽", page_url("zh", "scoring-functions")),
        ("zh", "注意力", page_url("zh", "")),  # any Chinese page
    ],
)
def test_search_finds_the_page(browser, site_server, lang, query, expected) -> None:
    page = search(browser, site_server, lang, query)
    results = page.locator(".md-search-result__item a")
    found = results.evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    assert any(path.startswith(expected) for path in found), (
        f"/{lang}/: searching {query!r} found {found[:10]}, nothing under {expected}"
    )
    page.context.close()


def search(browser: Browser, site_server: str, lang: str, query: str) -> Page:
    """A chapter page with ``query`` typed into Material's search, once results are shown."""
    page = open_visit(browser, site_server, lang, CHAPTERS[0], viewport=DESKTOP).page
    page.keyboard.press("/")  # Material's shortcut to the search box
    expect(page.locator("input.md-search__input")).to_be_focused()
    # Material searches on keyup. Playwright types CJK text without key events, the way an input
    # method commits it; the key that commits it (End here) then fires the keyup.
    page.keyboard.type(query)
    page.keyboard.press("End")
    try:
        page.locator(".md-search-result__item a").first.wait_for(state="attached")
    except PlaywrightError:
        pytest.fail(f"/{lang}/: searching {query!r} found nothing")
    return page


def test_a_chinese_phrase_is_searched_whole_and_prose_comes_first(browser, site_server) -> None:
    """Every word of "注意力汇聚" is searched and marked (Material's worker dropped the last
    one), and the best hit is prose, not a code cell (they weigh less)."""
    page = search(browser, site_server, "zh", "注意力汇聚")
    first = page.locator(".md-search-result__item").first
    marked = set(first.locator("mark").all_inner_texts())
    assert {"注意力", "汇聚"} <= marked, f"the first result marks only {sorted(marked)}"
    hits = page.locator("article[data-md-score]").evaluate_all(
        """articles => articles.map(a => ({
            score: Number(a.dataset.mdScore),
            title: a.querySelector("h1, h2").textContent.replace(/\u200b/g, ""),
            code: a.querySelector("pre") !== null,
        })).sort((a, b) => b.score - a.score)"""
    )
    best = hits[0]
    assert best["title"] != "代码" and not best["code"], f"the best hit is code: {hits[:3]}"
    assert "汇聚" in best["title"], hits[:3]
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_index_has_no_copy_button_text_repeated_code_nor_run_together_math(
    built_site, lang
) -> None:
    folder = built_site.root if lang == "en" else built_site.root / lang
    docs = json.loads((folder / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert not [d["location"] for d in docs if re.search("Copied!|已复制", d["text"])]
    # The Gaussian kernel's formula as its characters alone ran together ("12πexp(-12(x-xi)2)"),
    # or as TeX.
    assert not [d["location"] for d in docs if re.search(r"12π|πexp|\\(?:frac|sqrt)\{", d["text"])]
    code = [d for d in docs if d["title"] in ("Code", "代码")]
    assert code and all(0 < d["boost"] < 1 and "#cell-id=" in d["location"] for d in code)
    for doc in code:  # its first line of code once: the hidden copy of the code is not indexed
        first = doc["text"].removeprefix("<pre>").splitlines()[0]
        assert doc["text"].count(first) == 1 or len(first) < 12, (doc["location"], first)
