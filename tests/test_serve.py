"""The learner's mistakes under a real ``mkdocs serve``: shown on the page, the server survives.

One server (module scope) serves a tiny site, MkDocs' own theme, no i18n, with the
attention-notebooks plugin and a tiny package ``sitepkg``. Each test makes one mistake, polls
the served page until it says what is wrong, fixes the mistake and polls until the page is
back: the tests leave the site as they found it, in any order. ``mkdocs build --strict`` still
fails on the same mistakes (`test_strict_build_still_fails_naming_page_and_cell`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from website.conftest import build_site  # tests/ is on the path (pytest puts it there)

from attention_site import harness

FRONT_MATTER = harness.FRONT_MATTER
LIMIT_S = 3  # serve_timeout of the tiny site: a never-ending cell is stopped after it
WAIT_S = 90  # what any condition below may take at most, on a busy machine


def chapter(title: str, *cells: str) -> str:
    code = "\n\n".join(f"```python\n{source}\n```" for source in cells)
    return f"{FRONT_MATTER}# {title}\n\nSome prose.\n\n{code}\n"


ONE = ("One", "import sitepkg.alpha", "print('value:', sitepkg.alpha.VALUE)")
TWO = ("Two", "print('two ' * 2)")


class Server(harness.Serve):
    """``mkdocs serve`` on the tiny site (`attention_site.harness.Serve`), waited on."""

    def wait_for(self, path: str, condition, what: str) -> str:
        """Poll ``path`` until ``condition(html)``; the page, or a failure naming ``what``."""
        pages: list[str] = []

        def shown() -> bool:
            assert self.proc.poll() is None, f"the server exited:\n{self.log()[-3000:]}"
            pages.append(self.get(path))
            return condition(pages[-1])

        if harness.wait_for(shown, WAIT_S, interval=0.1) is None:
            pytest.fail(f"{path} never showed {what} within {WAIT_S} s:\n{self.log()[-3000:]}")
        return pages[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    package = root / "lib" / "sitepkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "alpha.py").write_text("VALUE = 'alpha-1'\n")
    site = root / "site"
    (site / "docs" / "en").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(
        "site_name: tiny\nstrict: true\nplugins:\n  - search\n  - attention-notebooks:\n"
        f"      cache_dir: {root / 'cache'}\n      jobs: 1\n      package: sitepkg\n"
        f"      preload: []\n      serve_timeout: {LIMIT_S}\n",
        encoding="utf-8",
    )
    (site / "docs" / "en" / "one.md").write_text(chapter(*ONE), encoding="utf-8")
    (site / "docs" / "en" / "two.md").write_text(chapter(*TWO), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def env(site) -> dict[str, str]:
    lib = str(site.parent / "lib")
    path = os.pathsep.join(p for p in (lib, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def server(site, env):
    served = Server(site, env=env)
    try:
        served.wait_for("/en/one/", lambda html: "value: alpha-1" in html, "its first build")
        yield served
    finally:
        served.close()


def fixed(html: str) -> bool:
    return "value: alpha-1" in html and "nb-failed" not in html


def rewrite(path: Path, text: str) -> None:
    """Save ``text`` as an editor does; a new size too, so no stale bytecode is used."""
    path.write_text(text, encoding="utf-8")


@pytest.mark.site
def test_a_cell_that_raises_is_shown_on_the_page_and_a_fix_brings_it_back(server, site):
    page = site / "docs" / "en" / "one.md"
    rewrite(page, chapter(*ONE, "x = 41\nraise ValueError(f'bad x: {x}')"))
    html = server.wait_for("/en/one/", lambda h: "nb-failed" in h, "the failing cell")
    assert "Code cell 3 failed: ValueError: bad x: 41" in html  # the banner names the cell
    assert "Traceback" in html and "raise ValueError" in html  # and shows the traceback
    assert "value: alpha-1" in html  # the cells before it kept their outputs
    assert "two two" in server.get("/en/two/")  # the rest of the site is served
    rewrite(page, chapter(*ONE))
    server.wait_for("/en/one/", fixed, "the fixed chapter")


@pytest.mark.site
def test_a_syntax_error_in_the_package_names_file_and_line(server, site):
    module = site.parent / "lib" / "sitepkg" / "alpha.py"
    rewrite(module, "VALUE = 'alpha-1'\n\ndef half_typed(:\n")
    html = server.wait_for("/en/one/", lambda h: "nb-failed" in h, "the syntax error")
    assert "Code cell 1 failed: SyntaxError" in html
    assert "alpha.py" in html and "line 3" in html  # file and line
    assert "two two" in server.get("/en/two/")
    rewrite(module, "VALUE = 'alpha-1'\n")
    server.wait_for("/en/one/", fixed, "the chapter after the fix")


@pytest.mark.site
def test_a_never_ending_cell_is_stopped_at_the_serve_limit(server, site):
    page = site / "docs" / "en" / "one.md"
    rewrite(page, chapter(*ONE, "while True:\n    pass"))
    html = server.wait_for("/en/one/", lambda h: "nb-failed" in h, "the stopped cell")
    assert f"Code cell 3 was stopped: it ran longer than {LIMIT_S} s" in html
    assert "serve_timeout" in html and "KeyboardInterrupt" in html
    assert "two two" in server.get("/en/two/")
    rewrite(page, chapter(*ONE))
    server.wait_for("/en/one/", fixed, "the fixed chapter")


@pytest.mark.site
def test_a_prose_edit_rebuilds_that_page_and_search_keeps_every_page(server, site):
    """Plain `mkdocs serve` rebuilds only the changed page; the search index keeps the rest."""
    import json

    page = site / "docs" / "en" / "two.md"
    rewrite(page, chapter(*TWO).replace("Some prose.", "Prose, edited."))
    server.wait_for("/en/two/", lambda h: "Prose, edited." in h, "the prose edit")
    docs = json.loads(server.get("/search/search_index.json"))["docs"]
    texts = {d["location"].partition("#")[0]: d["text"] for d in docs if d["text"]}
    assert "Prose, edited." in texts["en/two/"] and "Some prose." in texts["en/one/"]
    assert "Building the changed pages" in server.log()
    rewrite(page, chapter(*TWO))
    server.wait_for("/en/two/", lambda h: "Some prose." in h, "the prose as it was")


@pytest.mark.site
def test_kernels_say_nothing_a_learner_cannot_act_on(server):
    assert "without encryption" not in server.log()
    assert "Aborted with a BuildError" not in server.log()


@pytest.mark.site
def test_strict_build_still_fails_naming_page_and_cell(site, env, tmp_path):
    """The same mistakes under `mkdocs build --strict` fail the build, as before."""
    copy = tmp_path / "site"
    copy.mkdir()
    (copy / "mkdocs.yml").write_text((site / "mkdocs.yml").read_text().replace(
        f"serve_timeout: {LIMIT_S}", f"serve_timeout: {LIMIT_S}\n      timeout: {LIMIT_S}"
    ))  # fmt: skip
    (copy / "docs" / "en").mkdir(parents=True)
    (copy / "docs" / "en" / "one.md").write_text(chapter(*ONE, "while True:\n    pass"))
    result = build_site(tmp_path / "out", config_dir=copy, env=env, timeout=300)
    log = result.log
    assert result.returncode != 0, log[-3000:]
    assert "Notebook en/one.md: code cell 3 failed" in log
    assert "CellTimeoutError" in log


# --------------------------------------------------------------------------- the parts, no server
def test_open_pages_follow_the_browsers_polls_and_the_last_page_fetched() -> None:
    from attention_site.serve import OpenPages

    pages = OpenPages()
    seen_inside: list[list[str]] = []
    app = pages.wrap(lambda environ, start: seen_inside.append(pages.paths()) or [b"ok"])

    def request(path: str, referer: str = "") -> None:
        assert app({"PATH_INFO": path, "HTTP_REFERER": referer}, None) == [b"ok"]

    request("/livereload/1/2", "http://127.0.0.1:8000/zh/one/")
    assert seen_inside[-1] == ["/zh/one/"]  # polling: open while its poll waits
    assert pages.paths() == []  # the poll answered (a reload, or the tab is gone)
    request("/en/two/index.html")
    request("/assets/figure.svg")  # not a page
    assert pages.paths() == ["/en/two/"]


def test_search_entries_keep_the_pages_an_incremental_build_did_not_render(tmp_path) -> None:
    import json
    from types import SimpleNamespace

    from attention_site.serve import SearchEntries

    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()

    def write(*docs: tuple[str, str]) -> None:
        entries = [{"location": loc, "title": "", "text": text} for loc, text in docs]
        index.write_text(json.dumps({"config": {"lang": ["en"]}, "docs": entries}))

    def texts() -> list[tuple[str, str]]:
        return [(d["location"], d["text"]) for d in json.loads(index.read_text())["docs"]]

    search = SearchEntries()
    material = SimpleNamespace(search_index=SimpleNamespace(entries=[]))

    def render(url: str, *sections: tuple[str, str]) -> None:
        """Material indexes a page's sections as the page is rendered."""
        entries = [{"location": url + anchor, "title": "", "text": t} for anchor, t in sections]
        material.search_index.entries += entries
        search.page_done(material, url)

    render("one/", ("", "a"), ("#part", "b"))
    render("two/", ("", "c"))
    write(("one/", "a"), ("one/#part", "b"), ("two/", "c"), ("two/", "c"))  # --dirty's repeats
    search.merge(tmp_path, full=True, languages=[])
    assert texts() == [("one/", "a"), ("one/#part", "b"), ("two/", "c")]
    # An incremental build renders two/ only; Material indexes just that page.
    material.search_index = SimpleNamespace(entries=[])
    render("two/", ("", "c2"))
    write(("two/", "c2"))
    search.merge(tmp_path, full=False, languages=[])
    assert texts() == [("one/", "a"), ("one/#part", "b"), ("two/", "c2")]


def test_search_entries_drop_a_languages_repeat_of_the_default_as_i18n_does() -> None:
    from attention_site.serve import without_repeats

    docs = [
        {"location": "reference/#api", "title": "API", "text": "same"},
        {"location": "one/", "title": "One", "text": "en"},
        {"location": "zh/reference/#api", "title": "API", "text": "same"},
        {"location": "zh/one/", "title": "One", "text": "zh"},
    ]
    kept = without_repeats(docs, ("en/", "zh/"))
    assert [d["location"] for d in kept] == ["reference/#api", "one/", "zh/one/"]


def test_outline_asks_for_a_full_build_on_a_new_page_title_or_description_only(tmp_path) -> None:
    from attention_site.serve import _Outline

    docs, config = tmp_path / "docs", tmp_path / "mkdocs.yml"
    docs.mkdir()
    config.write_text("site_name: x\n")
    page = docs / "one.md"
    page.write_text("# One\n\nProse.\n")
    outline = _Outline(docs, config)
    page.write_text("# One\n\nProse, edited.\n")
    assert not outline.changed()  # prose: a dirty build is right
    page.write_text("# One, renamed\n\nProse, edited.\n")
    assert outline.changed()  # every page's navigation shows the title
    (docs / "two.md").write_text("# Two\n")
    assert outline.changed()
    assert not outline.changed()
    page.write_text("---\ndescription: The first.\n---\n\n# One, renamed\n\nProse, edited.\n")
    assert outline.changed()  # the home page's table of chapters shows the description
    page.write_text("---\ndescription: The first,\n  longer.\n---\n\n# One, renamed\n\nProse.\n")
    assert outline.changed()
    page.write_text("---\ndescription: The first,\n  shorter.\n---\n\n# One, renamed\n\nProse.\n")
    assert outline.changed()  # a YAML value goes on over indented lines
    page.write_text("---\ndescription: The first,\n  shorter.\n---\n\n# One, renamed\n\nProse!\n")
    assert not outline.changed()


def test_runner_runs_in_the_order_given_and_waits_for_the_keys_asked() -> None:
    import contextlib

    from attention_site.notebooks.schedule import Runner

    ran: list[str] = []
    release = threading.Event()

    def run(path: Path, kernel) -> None:
        if path.name == "slow":
            release.wait(10)
        ran.append(path.name)

    done: list[tuple[str, bool]] = []
    idle = threading.Event()

    def on_done(key: str, now_idle: bool) -> None:
        done.append((key, now_idle))
        if now_idle:
            idle.set()

    runner = Runner(1, contextlib.nullcontext, run, on_done=on_done)
    try:
        runner.submit([("o", Path("open")), ("s", Path("slow")), ("r", Path("rest"))])
        assert runner.wait(["o"], timeout=10)  # the open chapter, not the others
        assert ran == ["open"] and runner.pending("r")
        assert not runner.wait(["r"], timeout=0.2)  # a build stops waiting
        release.set()
        assert idle.wait(10)
        assert ran == ["open", "slow", "rest"] and not runner.pending(None)
        # Told of each run no build waited for: the plugin asks for a build to show it.
        assert done == [("s", False), ("r", True)]
    finally:
        runner.close()


def test_a_chapter_run_in_the_background_asks_for_one_build_for_both_languages() -> None:
    """The first language of a chapter to finish leaves the build to the other one, running
    beside it; a chapter whose twin is not running, or the last run, asks at once."""
    from attention_site.notebooks import NotebooksPlugin

    class Running:
        def __init__(self) -> None:
            self.pages: list[Path] = []

        def running(self) -> list[Path]:
            return self.pages

    class Requests:
        def __init__(self) -> None:
            self.count = 0

        def request(self) -> None:
            self.count += 1

    plugin = NotebooksPlugin()
    plugin._runner, plugin._rebuilds = runner, requests = Running(), Requests()
    plugin._job_pages = {"en-key": Path("docs/en/scoring-functions.md")}
    runner.pages = [Path("docs/zh/scoring-functions.md")]
    plugin._chapter_done("en-key", idle=False)
    assert requests.count == 0  # the zh run's end asks for the build of both
    plugin._chapter_done("en-key", idle=True)
    runner.pages = [Path("docs/en/self-attention.md")]
    plugin._chapter_done("en-key", idle=False)  # another chapter runs: no reason to wait
    assert requests.count == 2


def test_runner_lists_the_pages_running_now() -> None:
    import contextlib

    from attention_site.notebooks.schedule import Runner

    started, release = threading.Event(), threading.Event()

    def run(path: Path, kernel) -> None:
        started.set()
        release.wait(10)

    runner = Runner(1, contextlib.nullcontext, run)
    try:
        runner.submit([("a", Path("docs/en/a.md")), ("b", Path("docs/zh/a.md"))])
        assert started.wait(10)
        assert runner.running() == [Path("docs/en/a.md")]  # one kernel: b waits its turn
        release.set()
        assert runner.wait(timeout=10) and runner.running() == []
    finally:
        runner.close()


def test_failure_banner_names_the_cell_and_the_limit() -> None:
    from attention_site.notebooks import render as rendering

    html = rendering.failure_banner(
        number=2, ename="ValueError", evalue="x < 0", traceback="Traceback\n<x>",
        timed_out=False, limit=60, lang="en",
    )  # fmt: skip
    assert "Code cell 2 failed: ValueError: x &lt; 0" in html and "&lt;x&gt;" in html
    stopped = rendering.failure_banner(
        number=1, ename="CellTimeoutError", evalue="", traceback="", timed_out=True, limit=60,
        lang="zh",
    )  # fmt: skip
    assert "代码单元 1 已被中止：运行超过 60 秒" in stopped and "serve_timeout" in stopped
    page = rendering.with_banner("<h1>T</h1><p>x</p>", "<div>B</div>")
    assert page == "<h1>T</h1><div>B</div><p>x</p>"


def test_an_edit_converts_only_the_changed_cells_into_the_same_html() -> None:
    """`render_changed_cells` splices the changed cells into the last HTML, Markdown cells
    edited or code cells whose outputs changed: the result is what converting the whole
    notebook gives; a new cell, or an unchanged output with a style block, needs the whole."""
    import copy

    import jupytext
    import nbformat

    from attention_site.notebooks import render as rendering

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title\n\nFirst $x^2$."),
            nbformat.v4.new_code_cell("print(1)"),
            nbformat.v4.new_markdown_cell("## Part\n\nSecond."),
            nbformat.v4.new_markdown_cell("Third, *after* another Markdown cell."),
            nbformat.v4.new_code_cell("1 + 1"),
            nbformat.v4.new_code_cell("x = 2"),
        ]
    )
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells[4].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"  # as the plugin names them

    def whole(notebook) -> tuple[str, list[str]]:
        return rendering.render(jupytext.writes(notebook, fmt="ipynb"), "t", "en")

    html = whole(nb)[0]
    edited = copy.deepcopy(nb)
    edited.cells[0].source += "\n\nAn **edited** sentence."
    edited.cells[2].source = "## Part, renamed\n\nSecond, edited."
    assert rendering.render_changed_cells(nb, html, edited, "t", "en") == whole(edited)
    assert "An <strong>edited</strong> sentence" in whole(edited)[0]
    # A package edit: new outputs (a print, a result, a figure's HTML, an error), same code.
    rerun = copy.deepcopy(nb)
    rerun.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0\n1\n")]
    rerun.cells[4].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "3"})]
    html_out = {"text/html": '<figure class="attn-figure"><img src="f.svg" alt="A"></figure>'}
    rerun.cells[5].outputs = [
        nbformat.v4.new_output("display_data", data=html_out),
        nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=["Trace"]),
    ]
    assert rendering.render_changed_cells(nb, html, rerun, "t", "en") == whole(rerun)
    code = copy.deepcopy(nb)
    code.cells[1].source = "print(2)"
    assert rendering.render_changed_cells(nb, html, code, "t", "en") == whole(code)
    grown = copy.deepcopy(nb)
    grown.cells.insert(3, nbformat.v4.new_markdown_cell("New."))
    assert rendering.render_changed_cells(nb, html, grown, "t", "en") is None
    styled = copy.deepcopy(nb)
    styled.cells[4].outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<style>p{}</style><p>t</p>"})
    ]
    styled_html = whole(styled)[0]
    again = copy.deepcopy(styled)
    again.cells[0].source += " More."
    assert rendering.render_changed_cells(styled, styled_html, again, "t", "en") is None


def test_the_theme_listing_kept_by_the_server_adds_the_files_mkdocs_adds() -> None:
    """`serve.ThemeListing`: the files MkDocs copies from the theme are the same as with
    MkDocs' own listing, on this site's config (Material, its overrides folder)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from attention_site.serve import ThemeListing

    config = load_config(str(harness.ROOT / "mkdocs.yml"))
    own = Files([])
    own.add_files_from_theme(config.theme.get_env(), config)
    ThemeListing().install(config.theme, harness.ROOT)
    kept = Files([])
    env = config.theme.get_env()
    assert type(env.loader).__name__ == "_ListedOnce"
    kept.add_files_from_theme(env, config)
    assert len(own) > 20  # stylesheets, scripts, fonts of the theme
    assert sorted(f.src_uri for f in kept) == sorted(f.src_uri for f in own)


def test_the_theme_listing_lists_the_projects_folders_on_every_build(tmp_path, monkeypatch):
    """An installed theme's folder is listed once (walked once); a folder in the project
    (``custom_dir``) again on each build, so a file a contributor adds there is copied."""
    import jinja2

    from attention_site import serve
    from attention_site.serve import ThemeListing

    walked: list[str] = []
    walk = serve._visible_files
    monkeypatch.setattr(serve, "_visible_files", lambda f: walked.append(str(f)) or walk(f))

    project, installed = tmp_path / "project", tmp_path / "site-packages" / "theme"
    overrides = project / "overrides"
    for folder in (overrides, installed / ".icons"):
        folder.mkdir(parents=True)
    (installed / "main.css").write_text("")
    (installed / ".icons" / "a.svg").write_text("")

    class Theme:
        def get_env(self):
            return jinja2.Environment(loader=jinja2.FileSystemLoader([overrides, installed]))

    theme, listing = Theme(), ThemeListing()
    listing.install(theme, project)
    assert theme.get_env().list_templates() == ["main.css"]  # hidden paths left out
    (overrides / "extra.css").write_text("")
    (installed / "new.css").write_text("")  # an installed theme does not change: not seen
    assert theme.get_env().list_templates() == ["extra.css", "main.css"]
    assert theme.get_env().get_template("new.css")  # loading is MkDocs' own
    assert walked.count(str(installed)) == 1 and walked.count(str(overrides)) == 2


def test_dirty_rebuilds_keep_the_search_index_as_a_full_build_makes_it(tmp_path, monkeypatch):
    """``mkdocs serve --dirty`` with Material's search and mkdocs-static-i18n, as this site
    uses them: each prose edit's rebuild writes an index of every page once (it used to
    double with each save, and the fourth save took 84 s). Builds in this process, as the
    server makes them (no kernel: the pages have no code)."""
    import json
    import sys

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site, out = tmp_path / "site", tmp_path / "out"
    for lang in ("en", "zh"):
        (site / "docs" / lang).mkdir(parents=True)
        for name in ("one", "two"):
            text = f"# {name} {lang}\n\nSome prose.\n\n## A section\n\nMore prose ({lang}).\n"
            (site / "docs" / lang / f"{name}.md").write_text(text, encoding="utf-8")
        home = f"# Home {lang}\n\nWelcome.\n"
        (site / "docs" / lang / "index.md").write_text(home, encoding="utf-8")
    (site / "mkdocs.yml").write_text(
        "site_name: tiny\nstrict: true\ntheme: {name: material}\nplugins:\n  - search\n"
        "  - i18n:\n      docs_structure: folder\n      reconfigure_search: true\n"
        "      languages:\n        - {locale: en, name: English, default: true, build: true}\n"
        "        - {locale: zh, name: 中文, build: true}\n"
        f"  - attention-notebooks:\n      cache_dir: {tmp_path / 'cache'}\n      jobs: 1\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(site)
    monkeypatch.setattr(sys, "argv", ["mkdocs", "serve", "--dirty"])

    def rebuild() -> tuple[list[dict], int]:
        """The index written, and how many entries mkdocs-static-i18n gathered to write it."""
        config = load_config(str(site / "mkdocs.yml"), site_dir=str(out))
        build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        held = len(config.plugins["i18n"].search_entries)
        return json.loads((out / "search" / "search_index.json").read_text())["docs"], held

    first = load_config(str(site / "mkdocs.yml"), site_dir=str(out))
    first.plugins.on_startup(command="serve", dirty=True)
    build(first, serve_url="http://127.0.0.1:8000/", dirty=True)

    class Server:  # what the plugin's on_serve asks of MkDocs' LiveReloadServer
        def watch(self, path: str) -> None: ...
        def get_app(self): ...
        def set_app(self, app) -> None: ...

    first.plugins["attention-notebooks"].on_serve(Server(), first, None)
    full = json.loads((out / "search" / "search_index.json").read_text())["docs"]
    pages = {d["location"].partition("#")[0] for d in full}
    assert pages == {"", "one/", "two/", "zh/", "zh/one/", "zh/two/"}, pages
    assert len(full) == 10  # a home page and two pages with a section, in each language
    for n, (lang, name) in enumerate([("en", "one"), ("zh", "two"), ("en", "two"), ("zh", "one")]):
        page = site / "docs" / lang / f"{name}.md"
        page.write_text(page.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        os.utime(page, (page.stat().st_atime + 10, page.stat().st_mtime + 10))
        docs, held = rebuild()
        assert len(docs) == len(full), f"rebuild {n + 1}: {len(docs)} entries, not {len(full)}"
        assert held <= len(full), f"rebuild {n + 1}: i18n gathered {held} entries for {len(full)}"
        assert any(f"Edit {n}." in d["text"] for d in docs), f"rebuild {n + 1} lost the edit"
    first.plugins.on_shutdown()


def test_the_server_polls_for_saved_files_every_tenth_of_a_second(tmp_path) -> None:
    """`serve.poll_often`: MkDocs' polling observer and the folders it watches so far poll every
    0.1 s (not 0.5 s); anything else, or an observer already running, is left as it is."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers.polling import PollingObserver

    from attention_site.serve import POLL_S, poll_often

    observer = PollingObserver(timeout=0.5)
    observer.schedule(FileSystemEventHandler(), str(tmp_path), recursive=True)
    poll_often(observer, POLL_S)
    assert observer.timeout == POLL_S
    assert [emitter.timeout for emitter in observer.emitters] == [POLL_S]
    poll_often(None, POLL_S)  # not MkDocs' server: nothing to do


def test_a_warm_runner_starts_its_kernels_before_any_job() -> None:
    """Under ``mkdocs serve`` the kernels start with the server, so the first package edit
    finds them ready; a kernel that fails to start is started again by the first job."""
    import contextlib
    from types import SimpleNamespace

    from attention_site.notebooks.schedule import Runner

    started = threading.Semaphore(0)
    attempts: list[int] = []

    @contextlib.contextmanager
    def kernel(fail_first: bool):
        attempts.append(1)
        if fail_first and len(attempts) == 1:
            raise RuntimeError("the kernel did not start")
        started.release()
        yield SimpleNamespace(alive=True)

    ran: list[object] = []
    runner = Runner(1, lambda: kernel(False), lambda path, k: ran.append(k), warm=True)
    try:
        assert started.acquire(timeout=10) and not ran  # up before any job
        runner.submit([("a", Path("a"))])
        assert runner.wait(timeout=10) and len(ran) == 1 and len(attempts) == 1
    finally:
        runner.close()
    attempts.clear()
    runner = Runner(1, lambda: kernel(True), lambda path, k: ran.append(k), warm=True)
    try:
        runner.submit([("b", Path("b"))])
        assert runner.wait(timeout=10) and len(ran) == 2 and len(attempts) == 2
    finally:
        runner.close()
