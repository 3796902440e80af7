"""A page for every reader: axe-core on every page in both schemes, a phone's 390 px, and the
bytes a chapter costs on its first load.

axe-core comes from npm (package.json, `npm ci`); the browser is Debian's chromium. Locally the
tests skip without them; under CI=true they fail instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from .conftest import LANGUAGES, PAGES, ROOT, TIMEOUT_MS, page_name, page_url, settle

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_LOAD_BUDGET = 1_000_000  # bytes, uncompressed: HTML and everything it loads on its own
REFERENCE_BUDGET = 1_200_000  # the API reference: every function's source, highlighted


@pytest.fixture(scope="module")
def axe(browser: Browser) -> Path:
    """axe-core's script, installed by `npm ci`; a skip without it (under CI=true, a failure)."""
    if not AXE.exists():
        reason = f"missing {AXE}: npm ci"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility tests: {reason}")
        pytest.skip(reason)
    return AXE


def load(browser: Browser, url: str, *, viewport: dict, scheme: str = "light"):
    """A page in a fresh context (empty cache and storage), settled; its context's responses.
    ``networkidle``: the first-load budget counts everything the page fetches on its own."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    responses = []
    context.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    settle(page)
    return page, responses


def axe_violations(page: Page, axe: Path, rules: list[str] | None = None) -> str:
    """axe-core's violations on the page as it is now (every rule, or only ``rules``), one line
    each; empty when there are none."""
    page.add_script_tag(path=str(axe))
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    violations = page.evaluate(
        """async options => (await axe.run(document, options)).violations.map(
            v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: "
                          + n.failureSummary.split("\\n").slice(1, 2).join(""))}))""",
        options,
    )
    return "\n".join(
        f"{v['rule']} ({v['impact']}, {v['count']} nodes): " + " | ".join(v["nodes"])
        for v in violations
    )


ALL_PAGES = [(lang, slug) for lang in LANGUAGES for slug in PAGES]
# The rules whose outcome depends on colours: all that the dark scheme changes (it swaps
# Material's colour variables; the page's elements, text and layout are the same).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


# --------------------------------------------------------------------------- a desktop
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("lang", "slug"), ALL_PAGES, ids=[page_name(*p) for p in ALL_PAGES])
def test_axe_finds_no_violations(browser, axe, site_server, lang, slug, scheme) -> None:
    """Every rule of axe-core, every impact, on a desktop in the light scheme; the colour rules
    in the dark scheme, which the reader's system asks for."""
    page, _ = load(browser, site_server + page_url(lang, slug), viewport=DESKTOP, scheme=scheme)
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    found = axe_violations(page, axe, COLOUR_RULES if scheme == "dark" else None)
    page.context.close()
    assert not found, f"{page_url(lang, slug)} {scheme} desktop:\n{found}"


# --------------------------------------------------------------------------- a phone
@dataclass
class PhoneVisit:
    page: Page
    responses: list  # everything the first load fetched
    lang: str
    slug: str

    @property
    def url(self) -> str:
        return page_url(self.lang, self.slug)


@pytest.fixture(scope="module", params=ALL_PAGES, ids=[page_name(*p) for p in ALL_PAGES])
def phone(request, browser: Browser, site_server: str):
    """Each page loaded once at 390 px with an empty cache; the phone checks below share it, in
    order (the layout check, which opens every <details>, last)."""
    lang, slug = request.param
    page, responses = load(browser, site_server + page_url(lang, slug), viewport=PHONE)
    yield PhoneVisit(page, responses, lang, slug)
    page.context.close()


def test_first_load_fits_the_budget(phone: PhoneVisit) -> None:
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


def test_axe_finds_no_violations_on_a_phone(phone: PhoneVisit, axe: Path) -> None:
    """Every rule of axe-core at 390 px (light scheme: contrast does not depend on the width)."""
    found = axe_violations(phone.page, axe)
    assert not found, f"{phone.url} light phone:\n{found}"


def test_phone_layout(phone: PhoneVisit) -> None:
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
