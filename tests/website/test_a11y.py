"""A page for every reader: axe-core on every page in both schemes, a phone's 390 px, and the
bytes a chapter costs on its first load. Each page is loaded once per way of reading it (here:
the dark scheme on a desktop; conftest.py's `phone`, which test_explorables.py shares; and
`visit`, the light scheme on a desktop, for test_browser.py) and every check of that way
shares the load, figures' included: dark, vector, opened full-size on a phone.

axe-core comes from npm (package.json, `npm ci`); the browser is Debian's chromium. Locally the
tests skip without them; under CI=true they fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .conftest import (
    ALL_PAGES,
    CHAPTERS,
    CUE,
    DESKTOP,
    FIGURE_STATE,
    LIGHTBOX_STATE,
    PAGE_IDS,
    PHONE,
    SCREENSHOTS,
    TRANSITIONS_DONE,
    Visit,
    axe_violations,
    full_page_screenshot,
    keep_screenshot,
    luminance,
    open_visit,
    page_name,
)

FIRST_LOAD_BUDGET = 1_000_000  # bytes, uncompressed: HTML and everything it loads on its own
REFERENCE_BUDGET = 1_200_000  # the API reference: every function's source, highlighted


# The rules whose outcome depends on colours: all that the dark scheme changes (it swaps
# Material's colour variables; the page's elements, text and layout are the same). Every rule
# runs on the light desktop page (test_browser.py); every other rule at 390 px (below), where
# the colours are that same light scheme's.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def test_axe_sees_what_content_visibility_skips_and_text_it_cannot_measure(browser, axe) -> None:
    """The checks' view (`AXE_VIEW`): faint text in a block far below the screen, which
    `content-visibility: auto` skips, is a contrast violation; text over a gradient that is
    not a scroll box's is reported as not measurable."""
    page = browser.new_page()
    try:
        page.set_content(
            "<main><p>Top</p><div style='content-visibility: auto; margin-top: 5000px'>"
            "<p style='color: #ccc; background: #fff'>faint</p></div>"
            "<p style='background: linear-gradient(#000, #fff)'>over a gradient</p></main>"
        )
        found = axe_violations(page, axe, ["color-contrast"])
    finally:
        page.close()
    assert "color-contrast (serious, 1 nodes)" in found, found
    assert "color-contrast not measurable" in found, found


# --------------------------------------------------------------------------- a desktop, dark
@pytest.fixture(scope="module", params=ALL_PAGES, ids=PAGE_IDS)
def dark(request, browser: Browser, site_server: str) -> Iterator[Visit]:
    """Each page loaded once on a desktop in the dark scheme, shared by the checks below."""
    dark = open_visit(browser, site_server, *request.param, viewport=DESKTOP, scheme="dark")
    expect(dark.page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    yield dark
    dark.page.context.close()


def test_axe_finds_no_colour_violations_in_the_dark_scheme(dark: Visit, axe: Path) -> None:
    """The colour rules of axe-core in the dark scheme, which the reader's system asks for."""
    found = axe_violations(dark.page, axe, COLOUR_RULES)
    assert not found, f"{dark.url} dark desktop:\n{found}"


def test_figures_in_dark_mode_are_dark_and_vector(dark: Visit) -> None:
    """Every figure on the page (each chapter has some, no other page has any) shows its
    dark colours: mean luminance below 0.5, its file's ``#only-dark`` view, vector."""
    page = dark.page
    page.wait_for_function(TRANSITIONS_DONE)  # Material fades the colours in
    full_page_screenshot(page, SCREENSHOTS / f"figures-{page_name(dark.lang, dark.slug)}-dark.png")
    figures = page.locator("article figure.attn-figure")
    assert bool(figures.count()) == (dark.slug in CHAPTERS), (
        f"{dark.url}: {figures.count()} figures"
    )
    bright = {}
    for number in range(figures.count()):
        figure = figures.nth(number)
        figure.scroll_into_view_if_needed()
        value = luminance(figure.screenshot())
        if value >= 0.5:
            bright[number + 1] = round(value, 2)
    assert not bright, f"{dark.url} dark: figures brighter than 0.5: {bright}"
    # Each figure shows its file as #only-dark (its colours for the dark scheme).
    shown = page.eval_on_selector_all(
        "article figure.attn-figure > img",
        "els => els.filter(e => e.offsetParent).map(e => e.getAttribute('src').split('#')[1])",
    )
    assert shown == ["only-dark"] * figures.count(), f"{dark.url} dark: {shown}"
    # Sharp: every figure is vector (heatmap pixels are crisp squares: test_plotting.py).
    raster = page.eval_on_selector_all(
        "article .jp-OutputArea-output img",
        "els => els.map(e => e.src).filter(src => !/\\.svg(#.*)?$/.test(src))",
    )
    assert not raster, f"{dark.url}: raster figures {raster}"


# --------------------------------------------------------------------------- a phone
# `phone` (conftest.py): each page at 390 px on a touch screen, loaded with an empty cache and
# shared by the checks below, in order (the budget first; the layout check, which opens every
# <details>, last) and by test_explorables.py's.


def test_first_load_fits_the_budget(phone: Visit) -> None:
    """A page with an empty cache costs at most 1,000 KB: its HTML and everything the browser
    fetches for it on load (styles, scripts, fonts, the search worker), uncompressed. Every
    page but the API reference, which lists the whole package's source: 1,200 KB."""
    budget = REFERENCE_BUDGET if phone.slug == "reference" else FIRST_LOAD_BUDGET
    sizes = {r.url: len(r.body()) for r in phone.responses if r.status == 200}
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:8]
    listing = "\n".join(f"{size:>9,} {Path(url).name or url}" for url, size in biggest)
    assert total <= budget, (
        f"{phone.url}: first load {total:,} bytes in {len(sizes)} requests, over "
        f"{budget:,}:\n{listing}"
    )


def test_axe_finds_no_violations_on_a_phone(phone: Visit, axe: Path) -> None:
    """Every rule of axe-core at 390 px but the colour rules: the phone shows the light
    scheme's colours, which the light desktop page checks (test_browser.py), and contrast does
    not depend on the width (the colour rule is the costliest: a third of axe's time)."""
    found = axe_violations(phone.page, axe, skip=COLOUR_RULES)
    assert not found, f"{phone.url} light phone:\n{found}"


def test_on_a_phone_every_figure_opens_full_size(phone: Visit) -> None:
    """At 390 px a figure is shrunk to the screen, with a visible cue that it opens; a tap (or
    Enter) opens it at its natural size, where its smallest text (7 pt) is 9 CSS px, in a box
    that scrolls sideways (by touch, or by arrow keys: it has the focus) and shows the shadow cue
    of every box that scrolls; Escape closes it."""
    page, name = phone.page, page_name(phone.lang, phone.slug)
    full_page_screenshot(page, SCREENSHOTS / f"figures-{name}-390.png")
    figures = page.locator("article figure.attn-figure")
    assert bool(figures.count()) == (phone.slug in CHAPTERS), f"{phone.url}: {figures.count()}"
    scrolled = False
    for number in range(figures.count()):
        where = f"{phone.url} figure {number + 1}"
        figure = figures.nth(number)
        button = figure.locator("button.attn-figure__open")
        assert button.get_attribute("aria-label"), "the enlarge button needs a name"
        button.scroll_into_view_if_needed()
        state = figure.evaluate(FIGURE_STATE)
        shrunk = state["width"] < state["natural"] - 1
        assert (state["cue"] in CUE[phone.lang]) if shrunk else state["cue"] is None, (where, state)
        if number == 0:
            button.tap()
        else:
            button.focus()
            page.keyboard.press("Enter")
        dialog = page.locator("dialog#attn-lightbox[open]")
        expect(dialog).to_be_visible()
        box = dialog.evaluate(LIGHTBOX_STATE)
        scale = box["width"] / box["natural"]
        assert scale >= 0.99, f"{where}: shown at {scale:.2f}x"
        if box["scrolls"]:
            assert box["cue"] and box["keyboard"] and box["focused"], (where, box)
            if not scrolled:  # the arrow keys scroll it (smoothly: wait for the end)
                page.keyboard.press("ArrowRight")
                body = dialog.locator(".attn-lightbox__body")
                page.wait_for_function("b => b.scrollLeft > 0", arg=body.element_handle())
                scrolled = True
        if number == 0:
            keep_screenshot(page, SCREENSHOTS / f"figures-{name}-390-open.png")
        page.keyboard.press("Escape")
        expect(page.locator("dialog#attn-lightbox[open]")).to_have_count(0)


def test_phone_layout(phone: Visit) -> None:
    """At 390 px nothing widens the page (details opened too); whatever scrolls sideways can be
    reached by keyboard, is named and shows a cue; text outputs never break inside a line."""
    report = phone.page.evaluate(
        """() => {
            document.querySelectorAll("article details").forEach(d => d.open = true);
            const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX)
                && el.scrollWidth > el.clientWidth + 1;
            const describe = el => el.tagName.toLowerCase() + "." + [...el.classList].join(".")
                + " " + el.textContent.trim().slice(0, 40);
            const boxes = [...document.querySelectorAll("article *")].filter(scrolls);
            return {
                width: document.documentElement.scrollWidth,
                unreachable: boxes.filter(el => el.tabIndex < 0).map(describe),
                unnamed: boxes.filter(el => !el.getAttribute("aria-label")
                    && !el.getAttribute("aria-labelledby")).map(describe),
                no_cue: boxes.filter(el => !getComputedStyle(el).backgroundImage
                    .includes("gradient")).map(describe),
                wrapping: [...document.querySelectorAll("article pre")]
                    .filter(el => getComputedStyle(el).whiteSpace !== "pre").map(describe),
                scrolling: boxes.length,
            };
        }"""
    )
    assert report["width"] <= PHONE["width"], f"{phone.url} is {report['width']} px wide at 390 px"
    for problem in ("unreachable", "unnamed", "no_cue", "wrapping"):
        assert not report[problem], f"{phone.url}: {problem} boxes: {report[problem][:5]}"
