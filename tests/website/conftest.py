"""Shared fixtures for the site checks: one strict build of the whole site per test session."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "zh")
CHAPTERS = (
    "attention-cues",
    "nadaraya-watson",
    "scoring-functions",
    "queries-keys-values",
    "self-attention",
)
PAGES = ("", *CHAPTERS, "glossary", "reference")  # "" is the home page


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the built site folder
    log: str  # everything `mkdocs build` printed

    def page(self, lang: str, slug: str) -> Path:
        """The HTML file of a page: English at /, Chinese at /zh/."""
        prefix = self.root if lang == "en" else self.root / lang
        return prefix / slug / "index.html" if slug else prefix / "index.html"


def build_site(out: Path, *, config_dir: Path = ROOT, env: dict | None = None, timeout: int = 900):
    """Run `mkdocs build --strict` into ``out``; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=config_dir,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    out = tmp_path_factory.mktemp("site")
    result = build_site(out)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    return BuiltSite(out, log)


# --------------------------------------------------------------------------- shared helpers
# Used by every test module of this folder.


LOAD_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.decode().catch(() => null);
}))"""  # resolves once every image has loaded (or failed): figures are lazy images


def full_page_screenshot(page, path: Path) -> bytes:
    """The whole page as a person would see it scrolling through: the browser fetches figures
    and renders off-screen content only as they near the viewport (``loading="lazy"``, and
    ``content-visibility`` in extra.css), which a full-page capture would show blank."""
    page.evaluate(LOAD_IMAGES)
    page.add_style_tag(content="* { content-visibility: visible !important; }")
    return page.screenshot(path=path, full_page=True)


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


class _StaticFiles(SimpleHTTPRequestHandler):
    """A plain static file server, as GitHub Pages would be, except for one thing: the built
    sitemaps name `site_url` (``http://127.0.0.1:8000/``), and Material only navigates instantly
    to pages its sitemap lists, so they are served with the test server's own origin."""

    site_url = origin = ""

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.name != "sitemap.xml" or not path.is_file():
            return super().do_GET()
        body = path.read_text(encoding="utf-8").replace(self.site_url, self.origin + "/").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def site_server(built_site: BuiltSite):
    """Serve the built site on 127.0.0.1 (a free port); yield its origin, ``http://host:port``."""
    handler = type("Handler", (_StaticFiles,), {"site_url": site_url(built_site)})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(built_site.root))
    )
    handler.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler.origin
    server.shutdown()
    server.server_close()


def page_figures(page: BeautifulSoup) -> list:
    """The figures drawn by executed cells (``<figure class="attn-figure">``), in page order."""
    return page.select(".jp-OutputArea-output figure.attn-figure")


def chapter_cells(lang: str, slug: str) -> list[tuple[str, str]]:
    """The cells of a chapter's source notebook (``docs/<lang>/<slug>.md``), in order, as
    ``(cell_type, source)``; read with jupytext, as the build reads them (no build needed)."""
    import jupytext

    notebook = jupytext.read(ROOT / "docs" / lang / f"{slug}.md")
    return [(cell.cell_type, cell.source) for cell in notebook.cells]
