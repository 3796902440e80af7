"""Shared fixtures for the site checks: one strict build of the whole site per test session."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

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


_build = harness.build  # the fast tier's guard replaces harness.build while its tests run


class SessionBuild:
    """The run's one strict build of the site, shared by every pytest-xdist worker (they share
    ``folder``) and started as soon as the tests are collected, in a thread of the first
    worker to claim it: the build's kernels run while the package's tests do, and no worker
    sits idle waiting for it when the site tests come."""

    def __init__(self, folder: Path) -> None:
        self.out, self.log = folder / "built-site", folder / "built-site.log"
        self._claim, self._done = folder / "built-site.claimed", folder / "built-site.returncode"
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the build here unless a worker already has (an atomic claim file)."""
        try:
            os.close(os.open(self._claim, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        self._thread = threading.Thread(target=self._build, name="site build", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        code, log = -1, "the site build raised before mkdocs finished"
        try:
            result = _build(self.out)
            code, log = result.returncode, result.log
        except Exception as err:  # reported by `wait` in whichever worker needs the site
            log = f"{log}: {type(err).__name__}: {err}"
        finally:
            self.log.write_text(log, encoding="utf-8")
            partial = self._done.with_suffix(".partial")
            partial.write_text(str(code), encoding="utf-8")
            partial.replace(self._done)  # last, at once: the build is over

    def wait(self) -> BuiltSite:
        """The built site, once the build is over (started here if nobody has)."""
        self.start()
        waited = harness.wait_for(self._done.is_file, timeout=1800, interval=0.2)
        assert waited is not None, "the session's site build did not finish in 30 minutes"
        log = self.log.read_text(encoding="utf-8")
        assert self._done.read_text() == "0", f"mkdocs build --strict failed:\n{log[-6000:]}"
        return BuiltSite(self.out, log)

    def join(self) -> None:
        """A worker that started the build does not exit before it (another may wait for it)."""
        if self._thread is not None:
            self._thread.join()


def _session_build(config: pytest.Config) -> SessionBuild:
    shared = config._tmp_path_factory.getbasetemp()  # the `tmp_path_factory` fixture's
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every worker's base folder is in one run folder
    if not hasattr(config, "_attention_site_build"):
        config._attention_site_build = SessionBuild(shared)
    return config._attention_site_build


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the site build now if a selected test will need it."""
    if any("built_site" in getattr(item, "fixturenames", ()) for item in session.items):
        _session_build(session.config).start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "_attention_site_build"):
        session.config._attention_site_build.join()


@pytest.fixture(scope="session")
def built_site(pytestconfig: pytest.Config) -> BuiltSite:
    """One strict build for the whole run (`SessionBuild`): with pytest-xdist, the workers
    share it, so ``-n 2`` costs no second build."""
    return _session_build(pytestconfig).wait()


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


# Resolves once no CSS transition runs: Material fades the colours in when the scheme is set.
TRANSITIONS_DONE = "() => !document.getAnimations().some(a => a instanceof CSSTransition)"

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


# The cue under a figure shrunk below its natural size: for a touch screen, for a mouse.
CUE = {"en": ("Tap to enlarge", "Click to enlarge"), "zh": ("点按放大", "点击放大")}
# Of each figure: its natural width, its width in the page, and its cue (shown or not, words).
FIGURE_STATE = """f => {
    const img = [...f.querySelectorAll("img")].find(i => i.offsetParent !== null);
    const cue = f.querySelector(".attn-figure__cue");
    return {natural: Number(img.getAttribute("width")), width: img.getBoundingClientRect().width,
            cue: cue && cue.offsetParent !== null ? cue.textContent : null};
}"""
# The open lightbox: the image's width, and the box it scrolls in.
LIGHTBOX_STATE = """d => {
    const body = d.querySelector(".attn-lightbox__body"), img = body.querySelector("img");
    return {width: img.getBoundingClientRect().width, natural: Number(img.getAttribute("width")),
            scrolls: body.scrollWidth > body.clientWidth + 1,
            focused: document.activeElement === body,
            keyboard: body.tabIndex === 0 && !!body.getAttribute("aria-label"),
            cue: getComputedStyle(body).backgroundImage.includes("gradient")};
}"""


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


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe(browser) -> Path:
    """axe-core's script, installed by `npm ci`; a skip without it (under CI=true, a failure)."""
    if not AXE.exists():
        reason = f"missing {AXE}: npm ci"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility tests: {reason}")
        pytest.skip(reason)
    return AXE


def axe_violations(
    page, axe: Path, rules: list[str] | None = None, *, skip: list[str] | None = None
) -> str:
    """axe-core's violations on the page as it is now (every rule, or only ``rules``, less
    ``skip``), one line each; empty when there are none."""
    page.add_script_tag(path=str(axe))
    options: dict = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    violations = page.evaluate(
        """async options => (await axe.run(document, options)).violations.map(
            v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: "
                          + n.failureSummary.split("\\n").slice(1, 2).join(""))}))""",
        options,
    )
    return "\n".join(
        f"{v['rule']} ({v['impact']}, {v['count']} nodes): " + " | ".join(v["nodes"])
        for v in violations
    )


def luminance(png: bytes) -> float:
    """Mean relative luminance of a screenshot, 0 (black) .. 1 (white)."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0] / 255


@pytest.fixture(scope="session")
def chromium(browser):
    """The session's browser, by the name some modules use."""
    return browser


def page_figures(page: BeautifulSoup) -> list:
    """The figures drawn by executed cells (``<figure class="attn-figure">``), in page order."""
    return page.select(".jp-OutputArea-output figure.attn-figure")


def chapter_cells(lang: str, slug: str) -> list[tuple[str, str]]:
    """The cells of a chapter's source notebook (``docs/<lang>/<slug>.md``), in order, as
    ``(cell_type, source)``; read as the build reads them (no build needed)."""
    from attention_site.notebooks import read_chapter

    notebook = read_chapter(ROOT / "docs" / lang / f"{slug}.md")
    return [(cell.cell_type, cell.source) for cell in notebook.cells]
