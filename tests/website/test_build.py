"""The built site: every page in both languages, figures drawn, no tracebacks, twins linked."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from .conftest import CHAPTERS, LANGUAGES, PAGES, BuiltSite


def soup(site: BuiltSite, lang: str, slug: str) -> BeautifulSoup:
    return BeautifulSoup(site.page(lang, slug).read_text(encoding="utf-8"), "html.parser")


def figures(page: BeautifulSoup) -> list:
    """Images drawn by executed cells (mkdocs-jupyter inlines them as data URIs)."""
    return page.select(".jp-OutputArea-output img[src^='data:image/']")


def code_cells(page: BeautifulSoup) -> list[str]:
    # The copy-to-clipboard twin of each input cell holds its exact source text.
    return [div.get_text() for div in page.select(".jp-CodeCell .clipboard-copy-txt")]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", PAGES)
def test_page_exists(built_site: BuiltSite, lang: str, slug: str) -> None:
    assert built_site.page(lang, slug).is_file(), f"missing page /{lang}/{slug}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_has_figures_and_no_traceback(built_site: BuiltSite, lang: str, slug: str):
    page = soup(built_site, lang, slug)
    assert figures(page), f"/{lang}/{slug}: no figure drawn"
    text = page.get_text()
    assert "Traceback (most recent call last)" not in text, f"/{lang}/{slug}: traceback"
    # Warnings and errors print to stderr; a page should show neither.
    stderr = page.select("[data-mime-type='application/vnd.jupyter.stderr']")
    assert not stderr, f"/{lang}/{slug}: stderr output: {stderr[0].get_text()[:300]}"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_twins_match(built_site: BuiltSite, slug: str) -> None:
    en, zh = soup(built_site, "en", slug), soup(built_site, "zh", slug)
    assert code_cells(en), f"{slug}: no code cells found"
    assert code_cells(en) == code_cells(zh), f"{slug}: code cells differ between en and zh"
    assert len(figures(en)) == len(figures(zh)), f"{slug}: figure counts differ"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_links_its_notebook(built_site: BuiltSite, slug: str) -> None:
    for lang in LANGUAGES:
        link = soup(built_site, lang, slug).select_one(f"a[href='{slug}.ipynb'][download]")
        assert link is not None, f"/{lang}/{slug}: no visible notebook download link"
        assert built_site.page(lang, slug).with_name(f"{slug}.ipynb").is_file()


def _twin(lang: str) -> str:
    return "zh" if lang == "en" else "en"


def _expected_url(lang: str, slug: str) -> str:
    return ("/" if lang == "en" else f"/{lang}/") + (f"{slug}/" if slug else "")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", PAGES)
def test_language_switcher_links_twin(built_site: BuiltSite, lang: str, slug: str) -> None:
    page = soup(built_site, lang, slug)
    here = "http://site" + _expected_url(lang, slug)
    menu = {a["hreflang"]: a["href"] for a in page.select("a.md-select__link[hreflang]")}
    other = _twin(lang)
    assert other in menu, f"/{lang}/{slug}: the language menu has no {other} link"
    target = urlparse(urljoin(here, menu[other])).path
    assert target == _expected_url(other, slug), f"/{lang}/{slug}: language menu -> {target}"
