"""Every link of the built site resolves, offline: target files exist, #anchors exist.

Links to other hosts appear only in a chapter's References list (a link loads nothing; the
reader chooses to follow it); nothing a page loads comes from another host.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from attention_site.book import BOOKS

from .conftest import CHAPTERS, LANGUAGES, BuiltSite, read_soup, site_url

# Hyperlinks (never resources) to other hosts that a page may carry outside a References list.
ALLOWED_EXTERNAL: set[str] = set()  # none: mkdocs.yml turns off Material's footer credit
# The heading of a chapter's list of references, per language (its list may link anywhere).
REFERENCE_HEADINGS = {"References", "参考文献"}
# What names another file: (selector, attribute, whether the browser loads it with the page).
REFERENCES = (
    ("a[href]", "href", False),
    ("link[href]", "href", True),
    ("script[src]", "src", True),
    ("img[src]", "src", True),
)


def built_pages(site: BuiltSite) -> list[tuple[str, Path]]:
    """(URL, file) of every built HTML page; URLs are absolute, on `site_url`."""
    base = site_url(site)
    return [
        (urljoin(base, path.relative_to(site.root).as_posix().removesuffix("index.html")), path)
        for path in sorted(site.root.rglob("*.html"))
    ]


def references(path: Path, url: str, scope: str = ""):
    """(as written, absolute URL, loaded with the page?, in a References list?) for each
    reference in a built page."""
    for selector, attribute, loaded in REFERENCES:
        for element in read_soup(path).select(f"{scope} {selector}"):
            written = element[attribute].strip()
            if written and not written.startswith(("data:", "mailto:")):
                canonical = "canonical" in element.get("rel", [])  # names the page, not fetched
                listed = in_reference_list(element)
                yield written, urljoin(url, written), loaded and not canonical, listed


def in_reference_list(element) -> bool:
    """Whether an element sits in the list that follows a References heading (h2)."""
    for listing in element.find_parents(["ul", "ol"]):
        heading = listing.find_previous_sibling()
        if heading is not None and heading.name == "h2":
            return heading.get_text().strip().rstrip("¶").strip() in REFERENCE_HEADINGS
    return False


def target_file(site: BuiltSite, url: str) -> Path:
    """The built file a URL on `site_url` points at (a folder: its index.html)."""
    path = unquote(urlparse(url).path).removeprefix(urlparse(site_url(site)).path)
    target = site.root / path
    return target / "index.html" if target.is_dir() else target


@functools.cache
def anchors(path: Path) -> set[str]:
    page = read_soup(path)
    return {el["id"] for el in page.select("[id]")} | {el["name"] for el in page.select("a[name]")}


def test_every_internal_link_resolves(built_site: BuiltSite) -> None:
    base, broken = site_url(built_site), []
    for url, path in built_pages(built_site):
        # The book PDF a home page links is made after the build (test_book checks it).
        homes = {built_site.page(lang, ""): lang for lang in LANGUAGES}
        language = homes.get(path, "")
        for written, target_url, _, _ in references(path, url):
            if not target_url.startswith(base):
                continue  # another host: test_nothing_external
            target, fragment = target_file(built_site, target_url), urlparse(target_url).fragment
            if not target.is_file() and target != built_site.root / BOOKS.get(language, ""):
                broken.append(f"{url}: {written!r}: no file {target.relative_to(built_site.root)}")
            elif fragment and target.suffix == ".html" and unquote(fragment) not in anchors(target):
                broken.append(f"{url}: {written!r}: no id {unquote(fragment)!r} in the target")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:40])


def test_nothing_external(built_site: BuiltSite) -> None:
    """The site works offline: no page loads anything from another host, and hyperlinks to
    other hosts are only those of a References list or the allow-list (test_browser checks the
    requests pages really make)."""
    base, external = site_url(built_site), set()
    for url, path in built_pages(built_site):
        for written, target_url, loaded, listed in references(path, url):
            allowed = listed or target_url in ALLOWED_EXTERNAL
            if not target_url.startswith(base) and (loaded or not allowed):
                external.add(f"{url}: {written}" + (" (loaded with the page)" if loaded else ""))
    assert not external, "references to other hosts:\n" + "\n".join(sorted(external)[:40])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reference_lists_link_out(built_site: BuiltSite, lang: str) -> None:
    """Every chapter's References list links to the works it names (https, another host)."""
    base, missing = site_url(built_site), []
    for slug in CHAPTERS:
        path = built_site.page(lang, slug)
        listed = [u for _, u, _, is_listed in references(path, site_url(built_site)) if is_listed]
        if not listed or any(u.startswith(base) or not u.startswith("https://") for u in listed):
            missing.append(f"/{lang}/{slug}: {listed}")
    assert not missing, "chapters without a References list of https links:\n" + "\n".join(missing)


def language_of(site: BuiltSite, url: str) -> str:
    first = urlparse(url).path.removeprefix(urlparse(site_url(site)).path).split("/")[0]
    return first if first in LANGUAGES else "en"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_articles_link_within_their_language(built_site: BuiltSite, lang: str) -> None:
    """A page's text links to pages of its own language (the language menu is the way out)."""
    base, stray = site_url(built_site), []
    for url, path in built_pages(built_site):
        if language_of(built_site, url) != lang or path.name == "404.html":
            continue
        for written, target_url, _, _ in references(path, url, scope="article"):
            if target_url.startswith(base) and language_of(built_site, target_url) != lang:
                stray.append(f"{url}: {written}")
    assert not stray, "links into the other language:\n" + "\n".join(stray[:40])
