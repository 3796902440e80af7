"""A page for every reader: axe-core on every page in both schemes, a phone's 390 px, and the
bytes a chapter costs on its first load.

axe-core comes from npm (package.json, `npm ci`); the browser is Debian's chromium. Locally the
tests skip without them; under CI=true they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from .conftest import CHAPTERS, LANGUAGES, PAGES, ROOT, page_name, page_url
from .test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, settle

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_LOAD_BUDGET = 1_000_000  # bytes, uncompressed: HTML and everything it loads on its own


@pytest.fixture(scope="module")
def browser() -> Browser:
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing:
        reason = f"missing {missing}: apt-get install chromium; npm ci"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility tests: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def load(browser: Browser, url: str, *, viewport: dict, scheme: str = "light"):
    """A page in a fresh context (empty cache and storage), settled; its context's responses."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    responses = []
    context.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    settle(page)
    return page, responses


ALL_PAGES = [(lang, slug) for lang in LANGUAGES for slug in PAGES]


# --------------------------------------------------------------------------- axe-core
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize(("lang", "slug"), ALL_PAGES, ids=[page_name(*p) for p in ALL_PAGES])
def test_axe_finds_no_violations(browser, site_server, lang, slug, scheme, viewport) -> None:
    """Every rule of axe-core, every impact, in the scheme the reader's system asks for."""
    if viewport == "phone" and scheme == "dark":
        pytest.skip("the phone is checked in one scheme: contrast does not depend on width")
    size = PHONE if viewport == "phone" else DESKTOP
    page, _ = load(browser, site_server + page_url(lang, slug), viewport=size, scheme=scheme)
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
            v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: "
                          + n.failureSummary.split("\\n").slice(1, 2).join(""))}))"""
    )
    page.context.close()
    summary = "\n".join(
        f"{v['rule']} ({v['impact']}, {v['count']} nodes): " + " | ".join(v["nodes"])
        for v in violations
    )
    assert not violations, f"{page_url(lang, slug)} {scheme} {viewport}:\n{summary}"


# --------------------------------------------------------------------------- a phone
@pytest.mark.parametrize(("lang", "slug"), ALL_PAGES, ids=[page_name(*p) for p in ALL_PAGES])
def test_phone_layout(browser, site_server, lang, slug) -> None:
    """At 390 px nothing widens the page (details opened too); whatever scrolls sideways can be
    reached by keyboard, is named and shows a cue; text outputs never break inside a line."""
    page, _ = load(browser, site_server + page_url(lang, slug), viewport=PHONE)
    report = page.evaluate(
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
    page.context.close()
    url = page_url(lang, slug)
    assert report["width"] <= PHONE["width"], f"{url} is {report['width']} px wide at 390 px"
    for problem in ("unreachable", "unnamed", "no_cue", "wrapping"):
        assert not report[problem], f"{url}: {problem} boxes: {report[problem][:5]}"


# --------------------------------------------------------------------------- weight
CHAPTER_PAGES = [(lang, slug) for lang in LANGUAGES for slug in CHAPTERS]


@pytest.mark.parametrize(
    ("lang", "slug"), CHAPTER_PAGES, ids=[page_name(*p) for p in CHAPTER_PAGES]
)
def test_first_load_fits_the_budget(browser, site_server, lang, slug) -> None:
    """A chapter with an empty cache costs at most 1,000 KB: its HTML and everything the browser
    fetches for it on load (styles, scripts, fonts, the search worker), uncompressed."""
    page, responses = load(browser, site_server + page_url(lang, slug), viewport=PHONE)
    sizes = {r.url: len(r.body()) for r in responses if r.status == 200}
    page.context.close()
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:8]
    listing = "\n".join(f"{size:>9,} {Path(url).name or url}" for url, size in biggest)
    assert total <= FIRST_LOAD_BUDGET, (
        f"{page_url(lang, slug)}: first load {total:,} bytes in {len(sizes)} requests, over "
        f"{FIRST_LOAD_BUDGET:,}:\n{listing}"
    )
