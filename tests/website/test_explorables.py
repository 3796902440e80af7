"""The explorables in a real browser (chromium via Playwright), both languages, served offline.

Each explorable draws a chart with marks and its own accessible name in the page's language;
its controls are labelled form controls, and moving each of them (a slider from the keyboard, a
menu, a checkbox) changes its Vega signal and the marks the chart draws (read from the Vega
view that explorables.js keeps on the figure); nothing is requested from another host and
nothing is logged as an error; every chapter has at least one explorable, the same ones in both
languages (found on the page itself: ``<figure id="attn-explorable-NAME">``); the vega scripts
are loaded only on pages that have an explorable, only once one comes near the screen, also
after instant navigation; each chart is as wide as the text column on a desktop and at 390 px.
Screenshots of every explorable (light and dark, desktop and 390 px) land in
results/screenshots/explorable-*.png for a person to see when asked for (ATTENTION_SCREENSHOTS=1).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from .conftest import (
    CHAPTER_IDS,
    CHAPTER_PAGES,
    CHAPTERS,
    LANGUAGES,
    SCREENSHOTS,
    SCREENSHOTS_WANTED,
    TIMEOUT_MS,
    BuiltSite,
    Visit,
    keep_screenshot,
    page_soup,
    page_url,
)

# A page's explorables, in page order: the names of its ``<figure id="attn-explorable-NAME">``.
PREFIX = "attn-explorable-"
SELECTOR = f"figure.attn-explorable[id^='{PREFIX}']"
EXPLORABLES = f"""() => [...document.querySelectorAll("{SELECTOR}")]
    .map(figure => figure.id.slice({len(PREFIX)}))"""
# The order in which the controls are moved, by Vega parameter name, where it matters: the
# masking methods differ only at valid length 0, and the constant kernel ignores the width.
# Controls not named here are moved afterwards, in page order.
FIRST = {"masking": ["valid_len", "method"], "nadaraya-watson": ["bandwidth"]}
# Every mark the chart draws, as text: what changes when a control changes the chart.
SCENE = """figure => {
    const out = [];
    const walk = (mark) => {
        for (const item of mark.items || []) {
            if (mark.marktype === "group") (item.items || []).forEach(walk);
            else out.push([mark.role, mark.marktype, item.x, item.y, item.x2, item.y2,
                item.width, item.height, item.text, item.opacity, item.fill, item.size].join());
        }
    };
    walk(figure.attnView.scenegraph().root);
    return out.join("\\n");
}"""
# The chart's layers (its marks with role "mark") that draw nothing: a layer whose data a
# transform lost (a Vega expression error draws no mark, silently) shows up here.
EMPTY_LAYERS = """figure => {
    const empty = [];
    const walk = (mark) => {
        const inner = (group) => (group.items || []).forEach(walk);
        if (mark.marktype === "group") (mark.items || []).forEach(inner);
        else if (mark.role === "mark" && !(mark.items || []).length) empty.push(mark.name);
    };
    walk(figure.attnView.scenegraph().root);
    return empty;
}"""
VEGA = "/assets/vega/"
CJK = re.compile(r"[\u4e00-\u9fff]")
NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


class Tab:
    """One page in a fresh browser context that records requests and console errors."""

    def __init__(self, browser: Browser, scheme: str = "light", size: str = "desktop") -> None:
        width, height = VIEWPORTS[size]
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda err: self.errors.append(f"uncaught: {err}"))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def open(self, url: str) -> Page:
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, f"{url}: {response}"
        return self.page

    def close(self) -> None:
        self.context.close()


def explorables(page: Page, where: str) -> list[str]:
    """The names of the page's explorables, in page order; every chapter has at least one."""
    names = page.evaluate(EXPLORABLES)
    assert names, f"{where}: no explorable"
    return names


def rendered(page: Page, name: str):
    """The explorable's figure, scrolled to (charts are drawn near the screen only), once its
    chart is drawn (an SVG holding marks)."""
    figure = page.locator(f"#attn-explorable-{name}")
    figure.scroll_into_view_if_needed()
    figure.locator(".attn-explorable-chart svg g[class*='mark-']").first.wait_for()
    return figure


def move_and_check(page: Page, figure, control, param: str, where: str) -> None:
    """Move one control the way a reader would, then wait until its Vega signal and the
    chart's marks have both changed (Vega redraws asynchronously: no fixed sleep)."""
    signal = f"f => JSON.stringify(f.attnView.signal({param!r}))"
    value, scene = figure.evaluate(signal), figure.evaluate(SCENE)
    kind = control.evaluate("el => el.tagName === 'SELECT' ? 'select' : el.type")
    if kind == "select":
        options = control.locator("option").count()
        index = control.evaluate("el => el.selectedIndex")
        control.select_option(index=(index + 1) % options)
    elif kind == "checkbox":
        control.click()
    else:  # a range: one step from the keyboard, away from the end it sits at
        at_max = control.evaluate("el => Number(el.value) >= Number(el.max)")
        control.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    page.wait_for_function(
        f"([f, v, s]) => ({signal})(f) !== v && ({SCENE})(f) !== s",
        arg=[figure.element_handle(), value, scene],
    )


def test_every_chapter_has_explorables_alike_in_both_languages(built_site: BuiltSite) -> None:
    """The browser checks below find a page's explorables on the page itself: here, as built,
    every chapter has at least one, the same ones in both languages, and `FIRST` names some."""
    names = {
        (lang, slug): [
            f["id"].removeprefix(PREFIX) for f in page_soup(built_site, lang, slug).select(SELECTOR)
        ]
        for lang in LANGUAGES
        for slug in CHAPTERS
    }
    missing = [f"/{lang}/{slug}" for (lang, slug), found in names.items() if not found]
    assert not missing, f"chapters without an explorable: {missing}"
    for slug in CHAPTERS:
        assert names["zh", slug] == names["en", slug], f"{slug}: {names['zh', slug]}"
    seen = {name for found in names.values() for name in found}
    assert set(FIRST) <= seen, f"FIRST names explorables no page has: {set(FIRST) - seen}"


@pytest.fixture
def tab(browser: Browser):
    tab = Tab(browser)
    yield tab
    tab.close()


@pytest.mark.parametrize("visit", CHAPTER_PAGES, ids=CHAPTER_IDS, indirect=True)
def test_explorable_draws_and_answers_the_keyboard(visit: Visit, site_server: str) -> None:
    """On each chapter's page as loaded for test_browser.py (the light scheme, a desktop)."""
    page, lang, where = visit.page, visit.lang, visit.url
    for name in explorables(page, where):
        figure = rendered(page, name)
        marks = figure.locator("svg g[class*='mark-'] > *").count()
        assert marks > 5, f"{where} {name}: only {marks} marks drawn"
        assert figure.get_attribute("lang") == lang
        assert not figure.evaluate(EMPTY_LAYERS), f"{where} {name}: empty layers"
        description = figure.locator(".attn-explorable-desc").inner_text()
        assert len(description) > 50 and bool(CJK.search(description)) == (lang == "zh")
        # The chart's accessible name: its own (the spec's description), in the page's language.
        chart = figure.locator(".attn-explorable-chart")
        label = chart.get_attribute("aria-label") or ""
        assert label == figure.evaluate("f => f.attnSpec.description"), f"{name}: {label!r}"
        assert label != "Vega visualization" and bool(CJK.search(label)) == (lang == "zh")
        role = chart.get_attribute("aria-roledescription") or ""
        assert bool(CJK.search(role)) == (lang == "zh"), f"{name}: role {role!r}"
        controls = figure.locator(".vega-bind input, .vega-bind select").all()
        assert controls, f"{where} {name}: no control"
        for control in controls:
            label = control.evaluate("el => [...el.labels].map(l => l.innerText).join(' ')")
            assert label.strip(), f"{where} {name}: a control without a label"
            assert bool(CJK.search(label)) == (lang == "zh"), f"{name}: label {label!r}"
        params = [p["name"] for p in figure.evaluate("f => f.attnSpec.params") if "bind" in p]
        assert len(params) == len(controls), f"{name}: {params} for {len(controls)} controls"
        check_width(page, figure, name, "desktop")
        keep_screenshot(figure, SCREENSHOTS / f"explorable-{lang}-{name}-light-desktop.png")
        first = FIRST.get(name, [])
        for param in sorted(params, key=lambda p: first.index(p) if p in first else len(first)):
            move_and_check(page, figure, controls[params.index(param)], param, where)
    assert any(VEGA in url for url in visit.requests)
    elsewhere = [u for u in visit.requests if not u.startswith((site_server + "/", "data:"))]
    assert not elsewhere, f"{where} requested other hosts: {elsewhere}"
    assert not visit.errors, f"{where}: console errors: {visit.errors}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_without_explorables_do_not_load_vega(tab: Tab, site_server: str, lang) -> None:
    for slug in ("", "glossary", "reference"):
        tab.open(site_server + page_url(lang, slug))
    vega = [url for url in tab.requests if VEGA in url]
    assert not vega, f"vega loaded on pages without explorables: {vega}"
    assert not tab.errors, tab.errors


def test_vega_waits_until_the_chart_is_near(tab: Tab, site_server: str) -> None:
    """The Nadaraya-Watson chart is far down its page: the first load does not fetch vega."""
    # Opened at `networkidle`: nothing was requested for 500 ms, so whatever the page fetches
    # on its own has been fetched.
    page = tab.open(site_server + page_url("en", "nadaraya-watson"))
    assert not [url for url in tab.requests if VEGA in url], "vega loaded before it was needed"
    rendered(page, "nadaraya-watson")
    assert [url for url in tab.requests if VEGA in url]
    assert not tab.errors, tab.errors


def test_instant_navigation_draws_the_explorable(tab: Tab, site_server: str) -> None:
    """Material swaps the page in without running its scripts: explorables.js must still draw."""
    page = tab.open(site_server + page_url("en", "attention-cues"))
    page.locator("a[href$='nadaraya-watson/']").first.click()
    page.wait_for_url("**/nadaraya-watson/")
    rendered(page, "nadaraya-watson")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert not tab.errors, tab.errors


def axis_title_colour(page: Page, name: str) -> str:
    figure = rendered(page, name)
    return figure.locator("svg g.role-axis-title text").first.get_attribute("fill") or ""


def test_chart_follows_the_colour_scheme(tab: Tab, site_server: str) -> None:
    page = tab.open(site_server + page_url("en", "scoring-functions"))
    light = axis_title_colour(page, "masking")
    slider = page.locator("#attn-explorable-masking input[name=valid_len]")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    value = slider.input_value()
    page.click(".md-header__option label[for=__palette_1]")  # the header's dark-mode toggle
    page.wait_for_function(
        "c => document.querySelector('#attn-explorable-masking g.role-axis-title text')"
        "?.getAttribute('fill') !== c",
        arg=light,
    )
    assert axis_title_colour(page, "masking") != light
    assert page.locator("#attn-explorable-masking input[name=valid_len]").input_value() == value
    assert not tab.errors, tab.errors


def check_width(page: Page, figure, name: str, size: str) -> None:
    """The chart is as wide as the text column and no wider than the page."""
    figure.scroll_into_view_if_needed()
    page.evaluate(NEXT_FRAME)  # painted where it scrolled to
    box = figure.locator("svg").bounding_box()
    width = VIEWPORTS[size][0]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (
        f"{name} at {size}: chart box {box} wider than the page"
    )
    text = page.locator("article").bounding_box()
    assert box["width"] > 0.8 * text["width"], (
        f"{name} at {size}: chart {box['width']} px wide in a text column of {text['width']} px"
    )


@pytest.mark.parametrize("phone", CHAPTER_PAGES, ids=CHAPTER_IDS, indirect=True)
def test_on_a_phone_each_chart_fits_the_text_column(phone: Visit, browser: Browser, site_server):
    """Every explorable at 390 px (on each chapter's page as loaded for test_a11y.py), as wide
    as the text column and no wider than the page (the desktop's width:
    `test_explorable_draws_and_answers_the_keyboard`); a screenshot of each, light and dark,
    for a person to look at when asked for (ATTENTION_SCREENSHOTS=1: the dark scheme changes no
    width, and `test_chart_follows_the_colour_scheme` checks its colours)."""
    for name in explorables(phone.page, phone.url):
        figure = rendered(phone.page, name)
        check_width(phone.page, figure, name, "phone")
        keep_screenshot(figure, SCREENSHOTS / f"explorable-{phone.lang}-{name}-light-phone.png")
    assert not phone.errors, phone.errors
    if SCREENSHOTS_WANTED:
        tab = Tab(browser, "dark", "phone")
        try:
            page = tab.open(site_server + phone.url)
            for name in explorables(page, phone.url):
                shot = SCREENSHOTS / f"explorable-{phone.lang}-{name}-dark-phone.png"
                keep_screenshot(rendered(page, name), shot)
        finally:
            tab.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_training_slider_replays_the_snapshots(tab: Tab, site_server: str, lang) -> None:
    """The trained model's explorable (attention/explorables_training.py): its training-step
    slider, moved from the keyboard, shows other snapshots of the build-time run: other
    weights, other numbers, and at the last step the example reversed."""
    page = tab.open(site_server + page_url(lang, "self-attention"))
    figure = rendered(page, "reversal-training")
    assert figure.get_attribute("lang") == lang
    slider = figure.locator(".vega-bind input[type=range]")
    label = slider.evaluate("el => [...el.labels].map(l => l.innerText).join(' ')")
    assert label.strip() and bool(CJK.search(label)) == (lang == "zh"), label
    # The cells' opacities (the weights) and the lines of text, as the chart draws them now.
    state = (
        "f => [[...f.querySelectorAll('svg g.mark-rect.role-mark path')]"
        ".map(p => p.getAttribute('opacity')).join(), "
        "[...f.querySelectorAll('svg g.mark-text.role-mark text')]"
        ".flatMap(t => t.querySelector('tspan') ? [...t.querySelectorAll('tspan')] : [t])"
        ".map(line => line.textContent)]"
    )
    handle = figure.element_handle()
    untrained = handle.evaluate(state)
    assert slider.input_value() == "0" and untrained[1], untrained
    for key, step in (("ArrowRight", "10"), ("End", "200")):
        before = handle.evaluate(state)
        slider.focus()
        page.keyboard.press(key)
        assert slider.input_value() == step
        page.wait_for_function(
            f"([f, b]) => JSON.stringify(({state})(f)) !== JSON.stringify(b)", arg=[handle, before]
        )
        after = handle.evaluate(state)
        assert after[0] != before[0], f"{key}: the weights did not change"
        assert after[1] != before[1], f"{key}: the numbers did not change"
    # The last line reads "<example> → <the model's output>": trained, the output is reversed.
    example, output = handle.evaluate(state)[1][-1].split(" → ")
    assert output.split() == example.split()[::-1]
    assert not tab.errors, tab.errors
