"""Shared fixtures for the site checks: one strict build of the whole site per test session."""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from attention_site import harness
from attention_site.harness import LANGUAGES, ROOT, StaticServer  # noqa: F401 (shared by the tests)

CHAPTERS = harness.chapters()  # from the nav of mkdocs.yml
SCREENSHOTS = ROOT / "results" / "screenshots"  # for a person to look at
# Written only when asked (ATTENTION_SCREENSHOTS=1): they check nothing, and full-page captures
# of long pages were the browser tests' slowest steps.
SCREENSHOTS_WANTED = os.environ.get("ATTENTION_SCREENSHOTS", "") not in ("", "0")
TIMEOUT_MS = 15_000  # Playwright's default wait for any one condition
PAGES = ("", *CHAPTERS, "glossary", "reference")  # "" is the home page


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the built site folder
    log: str  # everything `mkdocs build` printed

    def page(self, lang: str, slug: str) -> Path:
        """The HTML file of a page: English at /, Chinese at /zh/."""
        prefix = self.root if lang == "en" else self.root / lang
        return prefix / slug / "index.html" if slug else prefix / "index.html"


def build_site(out: Path, **options) -> harness.BuildResult:
    """`mkdocs build --strict` into ``out`` (`attention_site.harness.build`)."""
    return harness.build(out, **options)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """One strict build for the whole run: with pytest-xdist, the first worker to get here
    builds and the others wait for it and read the same site (a lock in their shared temp
    folder), so ``-n 2`` costs no second build."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every worker's base folder is in one run folder
    out, log_file = shared / "built-site", shared / "built-site.log"
    with FileLock(str(shared / "built-site.lock")):
        if not log_file.is_file():
            result = build_site(out)
            assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.log[-6000:]}"
            log_file.write_text(result.log, encoding="utf-8")
    return BuiltSite(out, log_file.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- shared helpers
# Used by every test module of this folder.


def settle(page) -> None:
    """Wait for fonts and images, so checks and screenshots see the finished page. A lazy image
    that the browser has not asked for yet is not waited for (its decode() would wait for ever):
    figures are fetched as they near the screen; `full_page_screenshot` fetches them all."""
    page.evaluate(
        "() => Promise.all([document.fonts.ready, ...[...document.images]"
        ".filter(img => img.loading !== 'lazy' || img.complete)"
        ".map(img => img.decode().catch(() => null))])"
    )


LOAD_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.decode().catch(() => null);
}))"""  # resolves once every image has loaded (or failed): figures are lazy images


def keep_screenshot(target, path: Path, **options) -> None:
    """A screenshot of a page or an element for a person to look at, when asked for."""
    if SCREENSHOTS_WANTED:
        path.parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=path, **options)


def full_page_screenshot(page, path: Path) -> None:
    """The whole page as a person would see it scrolling through: the browser fetches figures
    and renders off-screen content only as they near the viewport (``loading="lazy"``, and
    ``content-visibility`` in extra.css), which a full-page capture would show blank."""
    page.evaluate(LOAD_IMAGES)
    page.add_style_tag(content="* { content-visibility: visible !important; }")
    keep_screenshot(page, path, full_page=True)


def page_url(lang: str, slug: str) -> str:
    """The URL path of a page: ``/scoring-functions/``, ``/zh/scoring-functions/``, ``/zh/``."""
    return ("/" if lang == "en" else f"/{lang}/") + (f"{slug}/" if slug else "")


def twin_language(lang: str) -> str:
    """The other language of the site."""
    return "zh" if lang == "en" else "en"


def page_name(lang: str, slug: str) -> str:
    """A short name for messages and screenshot files: ``en-home``, ``zh-scoring-functions``."""
    return f"{lang}-{slug or 'home'}"


@functools.cache
def read_soup(path: Path) -> BeautifulSoup:
    """The parsed HTML of a built file (cached: several tests read the same pages)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def figure_files(page: Path) -> list[Path]:
    """The files of a page's figures and explorables' stills, as the page names them."""
    html = page.read_text(encoding="utf-8")
    names = re.findall(r'<img [^>]*?src="((?:figure|explorable)-[0-9a-f]+\.svg)', html)
    return [page.parent / name for name in dict.fromkeys(names)]


def figure_svg(page: Path, figure) -> str:
    """The SVG file that a ``<figure class="attn-figure">`` of ``page`` shows."""
    return (page.parent / figure.img["src"].split("#")[0]).read_text(encoding="utf-8")


def page_soup(site: BuiltSite, lang: str, slug: str) -> BeautifulSoup:
    return read_soup(site.page(lang, slug))


def figure_uris(page: BeautifulSoup) -> list[str]:
    """The figures drawn by executed cells, in page order: an image's data URI, or the markup
    of a figure (``attention.plotting.DisplayFigure``), which names its file by a hash of it."""
    figures = page.select(
        ".jp-OutputArea-output img[src^='data:image/'], .jp-OutputArea-output figure.attn-figure"
    )
    return [el["src"] if el.name == "img" else str(el) for el in figures]


def page_code_cells(page: BeautifulSoup) -> list[str]:
    """The source of each code cell as the page's copy button copies it, in page order."""
    return [div.get_text() for div in page.select(".jp-CodeCell .clipboard-copy-txt")]


def executed_notebook(site: BuiltSite, lang: str, slug: str) -> dict:
    """The executed notebook a reader downloads next to a chapter page (``<slug>.ipynb``)."""
    path = site.page(lang, slug).with_name(f"{slug}.ipynb")
    assert path.is_file(), f"/{lang}/{slug}: no downloadable notebook {path.name}"
    return json.loads(path.read_text(encoding="utf-8"))


def notebook_code_cells(notebook: dict) -> list[dict]:
    """The code cells of a notebook, each with its source as one string."""
    return [
        {**cell, "source": "".join(cell["source"])}
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    ]


def site_url(site: BuiltSite) -> str:
    """The `site_url` the site was built for (the home page's canonical link)."""
    return page_soup(site, "en", "").select_one("link[rel=canonical]")["href"]


@pytest.fixture(scope="session")
def site_server(built_site: BuiltSite):
    """The built site on 127.0.0.1 (a free port), as a static host serves it; yields its
    origin, ``http://host:port``."""
    with StaticServer(built_site.root, site_url=site_url(built_site)) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session, shared by every browser test (each opens
    its own context). Skipped without chromium or Playwright; under CI=true that fails."""
    missing = harness.missing_browser_parts()
    if missing:
        reason = f"missing {missing}: sudo apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    with harness.chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def chromium(browser):
    """The session's browser, by the name some modules use."""
    return browser


def page_figures(page: BeautifulSoup) -> list:
    """The figures drawn by executed cells (``<figure class="attn-figure">``), in page order."""
    return page.select(".jp-OutputArea-output figure.attn-figure")


def chapter_cells(lang: str, slug: str) -> list[tuple[str, str]]:
    """The cells of a chapter's source notebook (``docs/<lang>/<slug>.md``), in order, as
    ``(cell_type, source)``; read with jupytext, as the build reads them (no build needed)."""
    import jupytext

    notebook = jupytext.read(ROOT / "docs" / lang / f"{slug}.md")
    return [(cell.cell_type, cell.source) for cell in notebook.cells]
