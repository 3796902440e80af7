"""The built site: every page in both languages, figures drawn, no tracebacks, twins linked."""

from __future__ import annotations

import copy
import re
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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_page_lists_every_chapter_of_the_nav(built_site: BuiltSite, lang: str) -> None:
    """The home page's table of chapters (made at build time: attention_site/pages/chapters.py):
    a row per chapter of the nav, in its order: the number, the chapter's title linked to it,
    and its summary, which is also the chapter page's meta description (formulas left out:
    rendered in the table, TeX in the meta)."""
    rows = []
    for tr in page_soup(built_site, lang, "").select("article table tbody tr"):
        number, title, summary = (copy.copy(td) for td in tr.find_all("td"))
        for formula in summary.select(".arithmatex"):
            formula.replace_with("$$")
        rows.append((number.get_text(), title.a["href"], title.get_text(), summary.get_text()))
    expected = []
    for number, slug in enumerate(CHAPTERS, start=1):
        page = page_soup(built_site, lang, slug)
        h1 = page.select_one("article h1")
        title = "".join(h1.find_all(string=True, recursive=False))  # not its permalink's "¶"
        meta = page.select_one("meta[name=description]")["content"]
        expected.append((str(number), f"{slug}/", title, re.sub(r"\$[^$]+\$", "$$", meta)))
    assert rows == expected, f"/{lang}/: the home page's table of chapters"


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
