"""The book: the pages of the built site's ``nav``, in order, as one PDF per language.

    mkdocs build && python -m attention_site.book    # site/pdf/attention-en.pdf, site/zh/pdf/...

Chromium prints each page as a reader's browser prints it (Material's and the site's print
styles, the light scheme, every figure and explorable drawn, exercise solutions open); pypdf
joins them behind a title page and a table of contents, numbers the pages and bookmarks each
one. The API reference is left out (it documents the package for the web; the chapters print
the source they use). Run after ``mkdocs build``: the home pages link `BOOKS`. Needs chromium
and Playwright, as the browser tests do (``harness.chromium``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import io
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from attention_site import harness

# Pages of the nav left out: the API reference documents the package for the web (the
# chapters print the source they use).
LEFT_OUT = frozenset({"reference.md"})
# Where each language's book goes, relative to the built site (the home pages link these).
BOOKS = {"en": "pdf/attention-en.pdf", "zh": "zh/pdf/attention-zh.pdf"}
CONTENTS = {"en": "Contents", "zh": "目录"}
PAPER = {
    "format": "A4",
    "margin": {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
}
PAGE_NUMBER = (
    '<div style="width:100%;text-align:center;font:9px sans-serif;color:#555">'
    '<span class="pageNumber"></span></div>'
)

# Ready a page for print: figures fetched, explorables drawn, lazy images loaded, solutions open,
# everything laid out (content-visibility would print skipped blocks blank).
_PREPARE = """async () => {
    document.querySelectorAll("article details").forEach(d => { d.open = true; });
    document.querySelectorAll("img[loading=lazy]").forEach(img => { img.loading = "eager"; });
    const style = document.createElement("style");
    style.textContent = "* { content-visibility: visible !important; }";
    document.head.append(style);
    if (window.attnFigures) await window.attnFigures.loadAll();
    for (const chart of document.querySelectorAll(".attn-explorable")) {
        chart.scrollIntoView();  // explorables.js draws a chart as it nears the viewport
        for (let waited = 0; chart.dataset.rendered !== "true" && waited < 30000; waited += 50) {
            await new Promise(resolve => setTimeout(resolve, 50));
        }
    }
    window.scrollTo(0, 0);
    await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
    await document.fonts.ready;
}"""
_DRAWN = """() => [...document.querySelectorAll(".attn-explorable")]
    .every(chart => chart.dataset.rendered === "true")"""


@dataclass
class Printed:
    title: str  # the page's first heading
    pdf: bytes
    pages: int


def page_urls(lang: str) -> list[str]:
    """The URL path of each page of the nav in reading order: ``/``, ``/attention-cues/``, ..."""
    prefix = "/" if lang == "en" else f"/{lang}/"
    pages = [page for page in harness.nav_pages() if page not in LEFT_OUT]
    slugs = [page.removesuffix(".md").removesuffix("index") for page in pages]
    return [prefix + (f"{slug}/" if slug else "") for slug in slugs]


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def print_page(context, url: str, timeout_ms: float = 60_000) -> Printed:
    """One page of the site, printed as A4."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="load", timeout=timeout_ms)
        page.evaluate(_PREPARE)
        page.wait_for_function(_DRAWN, timeout=timeout_ms)
        heading = page.locator("article h1").first
        title = heading.inner_text().replace("¶", "").strip() if heading.count() else url
        pdf = page.pdf(**PAPER, print_background=True)
    finally:
        page.close()
    return Printed(title, pdf, _page_count(pdf))


def front_matter(book_title: str, lang: str, entries: list[tuple[str, int]]) -> str:
    """The title page and the table of contents, as HTML: (title, first page) per entry."""
    rows = "".join(
        f'<li><span class="t">{html.escape(title)}</span><span class="n">{number}</span></li>'
        for title, number in entries
    )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>
  body {{ font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #222; margin: 0; }}
  .cover {{ height: 240mm; display: flex; flex-direction: column; justify-content: center;
    break-after: page; }}
  .cover h1 {{ font-size: 30pt; font-weight: 600; margin: 0; color: #303fa1; }}
  h2 {{ font-size: 18pt; font-weight: 600; margin: 0 0 8mm; }}
  ol {{ list-style: none; padding: 0; margin: 0; font-size: 12pt; }}
  li {{ display: flex; gap: 0.5em; padding: 2.5mm 0; border-bottom: 0.5pt dotted #999; }}
  .t {{ flex: 1; }}
</style></head><body>
<section class="cover"><h1>{html.escape(book_title)}</h1></section>
<section><h2>{CONTENTS[lang]}</h2><ol>{rows}</ol></section>
</body></html>"""


def page_numbers(context, count: int) -> bytes:
    """``count`` empty A4 pages whose footers carry their numbers (1, 2, ...): stamped onto the
    book's pages, they number it as one document."""
    page = context.new_page()
    try:
        blank = '<div style="break-after: page">&nbsp;</div>' * (count - 1) + "<div>&nbsp;</div>"
        page.set_content(f"<!doctype html><html><body style='margin:0'>{blank}</body></html>")
        return page.pdf(
            **PAPER,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=PAGE_NUMBER,
        )
    finally:
        page.close()


def make_book(site: Path, lang: str, out: Path, *, browser=None) -> dict:
    """Print the built ``site``'s pages of ``lang`` into one PDF at ``out``; returns what it
    made: ``{"pages": ..., "chapters": [(title, first page), ...], "seconds": ...}``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    start = time.perf_counter()
    home = site / ("index.html" if lang == "en" else f"{lang}/index.html")
    # The site's name, as the header of its home page shows it.
    topic = re.search(
        r'md-header__topic">\s*<span class="md-ellipsis">([^<]*)<', home.read_text("utf-8")
    )
    book_title = html.unescape(topic[1]).strip()
    with harness.StaticServer(site) as origin, _browser(browser) as chromium:
        context = chromium.new_context(
            color_scheme="light", viewport={"width": 1024, "height": 1400}
        )
        try:
            printed = [print_page(context, origin + url) for url in page_urls(lang)]
            # The front matter's length decides where the pages start: settle it (1-2 rounds).
            front_pages, entries = 1, []
            for _ in range(4):
                first, entries = front_pages + 1, []
                for item in printed:
                    entries.append((item.title, first))
                    first += item.pages
                front = context.new_page()
                front.set_content(front_matter(book_title, lang, entries))
                front_pdf = front.pdf(**PAPER, print_background=True)
                front.close()
                if _page_count(front_pdf) == front_pages:
                    break
                front_pages = _page_count(front_pdf)
            total = front_pages + sum(item.pages for item in printed)
            numbers = PdfReader(io.BytesIO(page_numbers(context, total)))
        finally:
            context.close()

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front_pdf)), import_outline=False)
    for item in printed:
        writer.append(PdfReader(io.BytesIO(item.pdf)), outline_item=item.title)
    for index, page in enumerate(writer.pages):
        if index:  # the title page goes unnumbered
            page.merge_page(numbers.pages[index])
            page.compress_content_streams()  # merging wrote the page's drawing uncompressed
    if lang != "en":
        ideographs_for_radicals(writer)
    writer.add_metadata({"/Title": book_title})
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as file:
        writer.write(file)
    return {"pages": total, "chapters": entries, "seconds": time.perf_counter() - start}


# A character a font's text map names: ``<code> <U+XXXX>`` in a ToUnicode CMap's bfchar list.
_RADICAL_ENTRY = re.compile(rb"(<[0-9A-Fa-f]+>\s*<)(2[EeFf][0-9A-Fa-f]{2})(>)")


@functools.cache
def radical_twins() -> dict[int, str]:
    """``{radical: ideograph}`` for the radicals (U+2E80-U+2FDF) that Noto Sans CJK draws with
    the glyph of a unified ideograph: 一 and the Kangxi radical ⼀ are one glyph there."""
    import noto_cjk_sans_otc
    from fontTools.ttLib import TTCollection

    font = Path(noto_cjk_sans_otc.__file__).with_name("NotoSansCJK-Regular.ttc")
    twins: dict[int, str] = {}
    for face in TTCollection(str(font)).fonts:
        cmap = face.getBestCmap()
        by_glyph: dict[str, int] = {}
        for code, glyph in sorted(cmap.items()):
            if 0x4E00 <= code <= 0x9FFF:  # CJK Unified Ideographs
                by_glyph.setdefault(glyph, code)
        for code, glyph in cmap.items():
            if 0x2E80 <= code <= 0x2FDF and glyph in by_glyph:
                twins.setdefault(code, chr(by_glyph[glyph]))
    return twins


def ideographs_for_radicals(writer) -> int:
    """Make the book's text copy and search as the ideographs it shows; returns the entries
    changed. Chromium's PDF names each glyph of a font by one character, and where Noto Sans
    CJK draws an ideograph and a radical with one glyph it names the radical (U+2F00 ⼀ for
    U+4E00 一), so copied text and search find radicals. A radical has its ideograph by
    Unicode's compatibility mapping (the Kangxi radicals) or, for the others, by sharing its
    glyph (`radical_twins`)."""
    import unicodedata

    def canonical(match: re.Match) -> bytes:
        radical = chr(int(match[2], 16))
        ideograph = unicodedata.normalize("NFKC", radical)
        if ideograph == radical:
            ideograph = radical_twins().get(ord(radical), radical)
        return match[1] + f"{ord(ideograph):04X}".encode() + match[3]

    changed, seen = 0, set()
    for page in writer.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            text_map = font.get_object().get("/ToUnicode")
            stream = text_map.get_object() if text_map is not None else None
            if stream is None or id(stream) in seen:  # fonts share maps across pages
                continue
            seen.add(id(stream))
            data = stream.get_data()
            fixed, count = _RADICAL_ENTRY.subn(canonical, data)
            if fixed != data:
                stream.set_data(fixed)
                changed += count
    return changed


def _browser(browser):
    """The caller's browser, or a new headless chromium closed on exit."""
    if browser is not None:
        return contextlib.nullcontext(browser)
    return harness.chromium()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "site",
        nargs="?",
        type=Path,
        default=harness.ROOT / "site",
        help="the built site (default: site/)",
    )
    parser.add_argument(
        "--lang",
        choices=harness.LANGUAGES,
        action="append",
        help="one language (repeatable); default: every language",
    )
    args = parser.parse_args(argv)
    missing = harness.missing_browser_parts()
    if missing:
        print(f"book: missing {missing}", file=sys.stderr)
        return 1
    if not (args.site / "index.html").is_file():
        print(f"book: no built site at {args.site}: run `mkdocs build` first", file=sys.stderr)
        return 1
    for lang in args.lang or harness.LANGUAGES:
        out = args.site / BOOKS[lang]
        made = make_book(args.site, lang, out)
        print(f"{out}: {made['pages']} pages in {made['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
