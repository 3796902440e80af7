"""The book PDF (`attention_site.book`) of the session's built site: a title page, a table of
contents whose page numbers are where the chapters start, and a number on every other page."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from attention_site import book

from .conftest import CHAPTERS, LANGUAGES, BuiltSite, page_soup


def heading(site: BuiltSite, lang: str, slug: str) -> str:
    return page_soup(site, lang, slug).select_one("article h1").get_text().replace("¶", "").strip()


@pytest.mark.long
def test_the_book_holds_every_chapter_with_page_numbers(built_site: BuiltSite, browser, tmp_path):
    lang = "en"
    out = tmp_path / "book.pdf"
    made = book.make_book(built_site.root, lang, out, browser=browser)
    reader = PdfReader(out)
    assert len(reader.pages) == made["pages"] >= len(CHAPTERS) + 2  # title, contents, chapters
    starts = dict(made["chapters"])
    assert [item.title for item in reader.outline] == list(starts)  # a bookmark per page

    # Text of the pages checked (extracting all of them takes longer than printing them).
    text = {n: reader.pages[n - 1].extract_text() for n in range(2, min(starts.values()))}
    contents = " ".join(text.values())
    for n in (*starts.values(), len(reader.pages)):
        text[n] = reader.pages[n - 1].extract_text()
    for slug in CHAPTERS:
        title = heading(built_site, lang, slug)
        assert title in starts, f"{title!r} is not in the contents {list(starts)}"
        assert re.search(rf"{re.escape(title)}\s*{starts[title]}\b", contents), title
        first = " ".join(text[starts[title]].split())
        assert title in first, f"page {starts[title]} does not start {title!r}: {first[:200]!r}"
    unnumbered = [n for n, page in text.items() if page.split()[-1:] != [str(n)]]
    assert not unnumbered, f"pages without their number at the foot: {unnumbered}"


def test_each_home_page_links_its_book(built_site: BuiltSite) -> None:
    for lang in LANGUAGES:
        home = built_site.page(lang, "")
        targets = {
            (home.parent / a["href"]).resolve()
            for a in page_soup(built_site, lang, "").select("article a[href$='.pdf']")
        }
        assert targets == {(built_site.root / book.BOOKS[lang]).resolve()}, (lang, targets)


def test_the_zh_book_copies_as_the_ideographs_it_shows() -> None:
    """Chromium names a Noto CJK glyph that an ideograph shares with a radical by the radical
    (U+2F00 ⼀ for 一): the book's text maps name the ideograph instead, a Kangxi radical by
    Unicode's compatibility mapping, another radical by the ideograph sharing its glyph."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    text_map = DecodedStreamObject()
    text_map.set_data(b"3 beginbfchar\n<2E> <2F00>\n<9D> <2EC5>\n<3D> <4E0D>\nendbfchar\n")
    font = DictionaryObject({NameObject("/ToUnicode"): writer._add_object(text_map)})
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    assert book.ideographs_for_radicals(writer) == 2
    # 一 (U+4E00) for ⼀, 见 (U+89C1) for ⻅ (no compatibility mapping), 不 left as it was.
    entries = b"<2E> <4E00>\n<9D> <89C1>\n<3D> <4E0D>\n"
    assert text_map.get_data() == b"3 beginbfchar\n" + entries + b"endbfchar\n"
