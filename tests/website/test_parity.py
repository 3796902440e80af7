"""English and Chinese are the same site: same pages, code, figures, structure and glossary."""

from __future__ import annotations

import pytest

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    BuiltSite,
    figure_uris,
    page_code_cells,
    page_soup,
)

IGNORED = ("assets", "search")  # shared by both languages, built once at the root
ONLY_ONCE = {"404.html"}  # mkdocs-static-i18n writes one 404 page for the whole site


def built_files(site: BuiltSite, lang: str) -> set[str]:
    """The pages and notebooks of one language, as paths relative to its root."""
    root = site.root if lang == "en" else site.root / lang
    files = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.suffix not in (".html", ".ipynb") or rel.split("/")[0] in (*IGNORED, *LANGUAGES):
            continue
        files.add(rel)
    return files - ONLY_ONCE


def test_same_pages(built_site: BuiltSite) -> None:
    en, zh = built_files(built_site, "en"), built_files(built_site, "zh")
    assert en == zh, f"only in en: {sorted(en - zh)}; only in zh: {sorted(zh - en)}"


def headings(site: BuiltSite, lang: str, slug: str) -> list[str]:
    return [h.name for h in page_soup(site, lang, slug).select("article :is(h1, h2, h3)")]


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_twins_have_the_same_code_figures_and_outline(built_site, slug) -> None:
    en, zh = page_soup(built_site, "en", slug), page_soup(built_site, "zh", slug)
    assert page_code_cells(en) == page_code_cells(zh), f"{slug}: code cells differ"
    en_figures, zh_figures = figure_uris(en), figure_uris(zh)
    assert len(en_figures) == len(zh_figures), (
        f"{slug}: en {len(en_figures)} figures, zh {len(zh_figures)}"
    )
    pairs = enumerate(zip(en_figures, zh_figures, strict=True), start=1)
    different = [n for n, (a, b) in pairs if a != b]
    assert not different, f"{slug}: figures {different} differ between en and zh (bytes)"
    en_outline, zh_outline = headings(built_site, "en", slug), headings(built_site, "zh", slug)
    assert en_outline == zh_outline, f"{slug}: h1-h3 differ:\nen {en_outline}\nzh {zh_outline}"


def glossary_text(site: BuiltSite, lang: str) -> str:
    return " ".join(page_soup(site, lang, "glossary").select_one("article").get_text().split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_has_every_bold_term(built_site: BuiltSite, lang: str) -> None:
    """Bold marks a term being introduced (CONTRIBUTING.md); the glossary explains each."""
    glossary = glossary_text(built_site, lang).casefold()
    missing = {}
    for slug in CHAPTERS:
        for strong in page_soup(built_site, lang, slug).select(".jp-MarkdownCell strong"):
            term = " ".join(strong.get_text().split())
            if term.casefold() not in glossary:
                missing.setdefault(slug, []).append(term)
    assert not missing, f"/{lang}/ bold terms missing from the glossary: {missing}"
