"""Pages a reader meets besides the chapters: the 404 page, the navigation drawer, the glossary
on a phone."""

from __future__ import annotations

import pytest

from .conftest import (
    LANGUAGES,
    SCREENSHOTS,
    TIMEOUT_MS,
    BuiltSite,
    page_soup,
    page_url,
    read_soup,
)

PHONE = {"width": 390, "height": 844}
HOME_LINK = {"en": "Go to the home page", "zh": "回到首页"}


def test_404_page_speaks_both_languages(built_site: BuiltSite) -> None:
    """A static host serves one 404.html for every language, so it holds both."""
    article = read_soup(built_site.root / "404.html").select_one("article")
    assert "404 - Not found" not in article.get_text()
    for lang in LANGUAGES:
        link = article.select_one(f'[lang="{lang}"] a[href]')
        assert link is not None and link.get_text() == HOME_LINK[lang], f"no way home in {lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_404_page_leads_home_from_any_depth(browser, site_server: str, lang: str) -> None:
    """Served for a missing address deep in the site, as GitHub Pages does, its home link
    works (its links are absolute) and goes to the home page of its language."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    missing = site_server + page_url(lang, "no/such/page")
    not_found = page.request.get(site_server + "/404.html").text()
    page.route(
        missing, lambda route: route.fulfill(status=404, body=not_found, content_type="text/html")
    )
    try:
        page.goto(missing)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{lang}-404-phone.png", full_page=True)
        page.get_by_role("link", name=HOME_LINK[lang]).click()
        page.wait_for_url(site_server + page_url(lang, ""))
        assert page.locator("article h1").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_drawer_names_the_site_once(built_site: BuiltSite, lang: str) -> None:
    """The phone's drawer shows the site name as its title; the first entry below it must not
    repeat it."""
    soup = page_soup(built_site, lang, "glossary")
    nav = soup.select_one("nav.md-nav--primary")
    title = nav.select_one(":scope > .md-nav__title").get_text(" ", strip=True)
    entries = [a.get_text(" ", strip=True) for a in nav.select(":scope > ul > li > a")]
    assert title and entries and title not in entries, (title, entries[:3])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_fits_a_phone(browser, site_server: str, lang: str) -> None:
    """At 390 px the glossary's tables scroll not sideways, and still read as tables with
    column headers."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(site_server + page_url(lang, "glossary"))
        wide = page.evaluate(
            """() => [...document.querySelectorAll("article table")].flatMap(table => {
                const box = table.closest(".md-typeset__scrollwrap") || table;
                const over = Math.max(box.scrollWidth - box.clientWidth,
                    table.getBoundingClientRect().right - window.innerWidth);
                return over > 1 ? [table.querySelector("td").textContent + ": " + over] : [];
            })"""
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{lang}-glossary-phone.png")
        assert page.locator("article table").count() >= 5
        assert not wide, f"tables wider than their box at 390 px: {wide}"
        assert "columnheader" in page.locator("article table").first.aria_snapshot()
    finally:
        context.close()
