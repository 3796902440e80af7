"""Shared fixtures for the site checks: one strict build of the whole site per test session."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup

from attention_site import harness
from attention_site.harness import LANGUAGES, ROOT, StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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
    offline: bool = False  # built by Material's offline plugin: pages are <slug>.html

    def page(self, lang: str, slug: str) -> Path:
        """The HTML file of a page: English at /, Chinese at /zh/."""
        prefix = self.root if lang == "en" else self.root / lang
        if not slug:
            return prefix / "index.html"
        return prefix / f"{slug}.html" if self.offline else prefix / slug / "index.html"


def build_site(out: Path, **options) -> harness.BuildResult:
    """`mkdocs build --strict` into ``out`` (`attention_site.harness.build`)."""
    return harness.build(out, **options)


_build = harness.build  # the fast tier's guard replaces harness.build while its tests run


class SessionBuild:
    """One strict build of the site for the whole run, shared by every pytest-xdist worker
    (they share ``folder``) and started as soon as the tests are collected, in a thread of the
    first worker to claim it: the build's kernels run while the package's tests do, and no
    worker sits idle waiting for it when the site tests come."""

    def __init__(self, folder: Path, name: str, env: dict[str, str]) -> None:
        self.out, self.log = folder / name, folder / f"{name}.log"
        self._claim, self._done = folder / f"{name}.claimed", folder / f"{name}.returncode"
        self.env, self.offline = env, env.get("ATTENTION_OFFLINE") == "true"
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the build here unless a worker already has (an atomic claim file)."""
        try:
            os.close(os.open(self._claim, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        self._thread = threading.Thread(target=self._build, name=self.out.name, daemon=True)
        self._thread.start()

    def _build(self) -> None:
        code, log = -1, "the site build raised before mkdocs finished"
        try:
            result = _build(self.out, env=self.env)
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
        assert waited is not None, f"{self.out.name}: the build did not finish in 30 minutes"
        log = self.log.read_text(encoding="utf-8")
        failed = f"{self.out.name}: mkdocs build --strict failed:\n{log[-6000:]}"
        assert self._done.read_text() == "0", failed
        return BuiltSite(self.out, log, self.offline)

    def join(self) -> None:
        """A worker that started the build does not exit before it (another may wait for it)."""
        if self._thread is not None:
            self._thread.join()


# The run's builds, by the fixture that hands each out: the site as published, and the same
# site built again from an empty notebook cache, for opening from disk (Material's offline
# plugin). The second build runs every chapter again, so comparing the two shows that builds
# are reproducible (test_reproducible.py); the offline plugin changes the pages' links and
# search, not what a cell draws (test_readers.py opens it from disk).
BUILDS = {
    "built_site": lambda folder: SessionBuild(folder, "built-site", {}),
    "offline_site": lambda folder: SessionBuild(
        folder,
        "offline-site",
        {"ATTENTION_NB_CACHE": str(folder / "offline-site-cache"), "ATTENTION_OFFLINE": "true"},
    ),
}


def _session_build(config: pytest.Config, fixture: str) -> SessionBuild:
    shared = config._tmp_path_factory.getbasetemp()  # the `tmp_path_factory` fixture's
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every worker's base folder is in one run folder
    builds = config.__dict__.setdefault("_attention_site_builds", {})
    if fixture not in builds:
        builds[fixture] = BUILDS[fixture](shared)
    return builds[fixture]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start each build now that a selected test will need."""
    for fixture in BUILDS:
        if any(fixture in getattr(item, "fixturenames", ()) for item in session.items):
            _session_build(session.config, fixture).start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for build in getattr(session.config, "_attention_site_builds", {}).values():
        build.join()


@pytest.fixture(scope="session")
def built_site(pytestconfig: pytest.Config) -> BuiltSite:
    """One strict build for the whole run (`SessionBuild`): with pytest-xdist, the workers
    share it, so ``-n 2`` costs no second build."""
    return _session_build(pytestconfig, "built_site").wait()


@pytest.fixture(scope="session")
def offline_site(pytestconfig: pytest.Config) -> BuiltSite:
    """The run's second build (`BUILDS`): from an empty notebook cache, for opening from disk."""
    return _session_build(pytestconfig, "offline_site").wait()


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


# Every block drawn, on screen or not: `content-visibility: auto` (extra.css) skips what is off
# screen until it nears the viewport.
ALL_RENDERED = "* { content-visibility: visible !important; }"


def full_page_screenshot(page, path: Path) -> None:
    """The whole page as a person would see it scrolling through: the browser fetches figures
    and renders off-screen content only as they near the viewport (``loading="lazy"``, and
    ``content-visibility`` in extra.css), which a full-page capture would show blank."""
    page.evaluate(LOAD_IMAGES)
    page.add_style_tag(content=ALL_RENDERED)
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


# What axe-core sees while it runs. It takes content that `content-visibility: auto` skips (the
# blocks off screen, extra.css) for hidden and checks none of it: everything is shown. It cannot
# measure contrast over a gradient and calls such text "incomplete", which no check would see:
# the scroll boxes' gradients (extra.css) only fade their own solid colour in at the ends and
# shade the edges, so without them axe measures code and outputs against that colour (about
# 1,400 words of code a chapter, otherwise never measured). Any other text it cannot measure
# for that reason fails the check.
AXE_VIEW = (
    '.md-typeset [role="group"][tabindex="0"], .md-typeset table[tabindex="0"] '
    "{ background-image: none !important; } " + ALL_RENDERED
)
UNMEASURED = ("bgGradient", "bgImage")  # axe's reasons for "incomplete" that fail


def axe_violations(
    page, axe: Path, rules: list[str] | None = None, *, skip: list[str] | None = None
) -> str:
    """axe-core's violations on the page as it is now (every rule, or only ``rules``, less
    ``skip``), and text whose contrast it could not measure (`AXE_VIEW`), one line each; empty
    when there are none."""
    page.add_script_tag(path=str(axe))
    options: dict = {"resultTypes": ["violations", "incomplete"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    view = page.add_style_tag(content=AXE_VIEW)
    try:
        found = page.evaluate(
            """async ([options, unmeasured]) => {
                const result = await axe.run(document, options);
                const reason = n => ((n.any[0] || {}).data || {}).messageKey;
                const blind = result.incomplete.filter(v => v.id === "color-contrast").map(
                    v => ({...v, id: "color-contrast not measurable", nodes: v.nodes.filter(
                        n => unmeasured.includes(reason(n)))})).filter(v => v.nodes.length);
                return [...result.violations, ...blind].map(
                    v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: "
                                  + n.failureSummary.split("\\n").slice(1, 2).join(""))}));
            }""",
            [options, list(UNMEASURED)],
        )
    finally:
        view.evaluate("style => style.remove()")
    return "\n".join(
        f"{v['rule']} ({v['impact']}, {v['count']} nodes): " + " | ".join(v["nodes"]) for v in found
    )


def luminance(png: bytes) -> float:
    """Mean relative luminance of a screenshot, 0 (black) .. 1 (white)."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0] / 255


@pytest.fixture(scope="session")
def chromium(browser):
    """The session's browser, by the name some modules use."""
    return browser


# --------------------------------------------------------------------------- ways of reading
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ALL_PAGES = [(lang, slug) for lang in LANGUAGES for slug in PAGES]
CHAPTER_PAGES = [(lang, slug) for lang in LANGUAGES for slug in CHAPTERS]
PAGE_IDS, CHAPTER_IDS = [page_name(*p) for p in ALL_PAGES], [page_name(*p) for p in CHAPTER_PAGES]


@dataclass
class Visit:
    """A page loaded in a fresh context (empty cache and storage), with what it did since its
    first request."""

    page: Page
    lang: str
    slug: str
    errors: list[str] = field(default_factory=list, repr=False)  # console errors, exceptions
    requests: list[str] = field(default_factory=list, repr=False)  # every URL it asked for
    responses: list = field(default_factory=list, repr=False)  # every response it got

    @property
    def name(self) -> str:
        return page_name(self.lang, self.slug)

    @property
    def url(self) -> str:
        return page_url(self.lang, self.slug)


def open_visit(
    browser: Browser,
    origin: str,
    lang: str,
    slug: str,
    *,
    viewport: dict,
    scheme: str = "light",
    **context,
) -> Visit:
    """A page of the site at ``origin`` loaded until the network is idle (all it fetches on its
    own: the first-load budget counts it), then settled."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme, **context)
    context.set_default_timeout(TIMEOUT_MS)
    visit = Visit(context.new_page(), lang, slug)
    page = visit.page
    page.on(
        "console",
        lambda m: m.type == "error" and visit.errors.append(f"{m.text} ({m.location['url']})"),
    )
    page.on("pageerror", lambda err: visit.errors.append(f"uncaught: {err}"))
    page.on("request", lambda request: visit.requests.append(request.url))
    context.on("response", lambda response: visit.responses.append(response))
    response = page.goto(origin + visit.url, wait_until="networkidle")
    assert response is not None and response.status == 200, f"{visit.url}: {response}"
    settle(page)
    return visit


# Each page is loaded once per way of reading it, and every check of that way shares the load,
# whichever module it is in: pytest orders the tests by a session fixture's parameter, so it
# runs all the checks of one page before it loads the next, and holds one page open at a time.
# A check may change the page (scroll, open a figure, move a slider); it leaves it usable.
# (The dark scheme on a desktop: test_a11y.py, its only user.)
@pytest.fixture(scope="session", params=ALL_PAGES, ids=PAGE_IDS)
def visit(request, browser: Browser, site_server: str) -> Iterator[Visit]:
    """Each page on a desktop in the light scheme: test_browser.py, test_explorables.py."""
    visit = open_visit(browser, site_server, *request.param, viewport=DESKTOP)
    full_page_screenshot(visit.page, SCREENSHOTS / f"{visit.name}.png")
    yield visit
    visit.page.context.close()


@pytest.fixture(scope="session", params=ALL_PAGES, ids=PAGE_IDS)
def phone(request, browser: Browser, site_server: str) -> Iterator[Visit]:
    """Each page at 390 px on a touch screen, light scheme: test_a11y.py, test_explorables.py."""
    visit = open_visit(browser, site_server, *request.param, viewport=PHONE, has_touch=True)
    yield visit
    visit.page.context.close()


def page_figures(page: BeautifulSoup) -> list:
    """The figures drawn by executed cells (``<figure class="attn-figure">``), in page order."""
    return page.select(".jp-OutputArea-output figure.attn-figure")


def chapter_cells(lang: str, slug: str) -> list[tuple[str, str]]:
    """The cells of a chapter's source notebook (``docs/<lang>/<slug>.md``), in order, as
    ``(cell_type, source)``; read as the build reads them (no build needed)."""
    from attention_site.notebooks import read_chapter

    notebook = read_chapter(ROOT / "docs" / lang / f"{slug}.md")
    return [(cell.cell_type, cell.source) for cell in notebook.cells]
