"""The built site: every page in both languages, figures drawn, no tracebacks, twins linked."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    PAGES,
    BuiltSite,
    figure_uris,
    page_soup,
    page_url,
    twin_language,
)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", PAGES)
def test_page_exists(built_site: BuiltSite, lang: str, slug: str) -> None:
    assert built_site.page(lang, slug).is_file(), f"missing page /{lang}/{slug}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_has_figures_and_no_traceback(built_site: BuiltSite, lang: str, slug: str):
    page = page_soup(built_site, lang, slug)
    assert figure_uris(page), f"/{lang}/{slug}: no figure drawn"
    text = page.get_text()
    assert "Traceback (most recent call last)" not in text, f"/{lang}/{slug}: traceback"
    # Warnings and errors print to stderr; a page should show neither.
    stderr = page.select("[data-mime-type='application/vnd.jupyter.stderr']")
    assert not stderr, f"/{lang}/{slug}: stderr output: {stderr[0].get_text()[:300]}"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_links_its_notebook(built_site: BuiltSite, slug: str) -> None:
    for lang in LANGUAGES:
        link = page_soup(built_site, lang, slug).select_one(f"a[href='{slug}.ipynb'][download]")
        assert link is not None, f"/{lang}/{slug}: no visible notebook download link"
        assert built_site.page(lang, slug).with_name(f"{slug}.ipynb").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", PAGES)
def test_language_switcher_links_twin(built_site: BuiltSite, lang: str, slug: str) -> None:
    page = page_soup(built_site, lang, slug)
    here = "http://site" + page_url(lang, slug)
    menu = {a["hreflang"]: a["href"] for a in page.select("a.md-select__link[hreflang]")}
    other = twin_language(lang)
    assert other in menu, f"/{lang}/{slug}: the language menu has no {other} link"
    target = urlparse(urljoin(here, menu[other])).path
    assert target == page_url(other, slug), f"/{lang}/{slug}: language menu -> {target}"
