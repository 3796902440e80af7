"""MkDocs plugin ``attention-notebooks``: execute each chapter once per distinct code, cache it
against the package files it imports, and render it as a light page.

Chapters are jupytext Markdown pages (front matter with a Python ``kernelspec``) under
``docs/<lang>/``. For each of them the plugin:

* **executes once per distinct code, in parallel, before rendering** (``on_pre_build``, every
  language at once, on ``jobs`` kernels): the cache key is the code cells (`cache.execution_key`),
  so the English and Chinese pages of a chapter share a run while their code cells are equal,
  and run separately once they differ, even only in a string. Prose edits never re-execute.
  A kernel runs chapter after chapter (torch is imported once per kernel, not per chapter),
  each from a fresh kernel's state (`attention_site.kernel_state`), with one compute thread.
* **re-executes when a package file it imported changes**, and not otherwise (`cache`); under
  ``mkdocs serve`` the package folder is watched, so saving a file of ``attention/`` re-runs
  exactly the chapters that import it.
* **keeps outputs reproducible**: no execution counts or timestamps, consecutive prints merged
  (`execute.merge_streams`); **a failing cell fails the build** naming page and cell.
* **renders** with mkdocs-jupyter's converter (used as a library, nothing patched), cached on the
  executed notebook (``<cache>/render/``), then gives headings the ``toc`` extension's Unicode
  ids, moves the JupyterLab CSS to one shared ``assets/stylesheets/jupyter.css`` and links the
  executed notebook (``<slug>.ipynb``, written next to the page) for download. Before that,
  figures and explorables go from the cells' outputs to files beside the page (`figures`).
* **keeps ``mkdocs serve`` quick and right**: it watches the package; compiled theme templates
  are kept across rebuilds (`serve.SharedBytecode`); plain ``mkdocs serve`` rebuilds like
  ``--dirty`` (`serve.Rebuilds`), and a package edit re-renders exactly the pages it changed
  (`NotebooksPlugin.invalidate`). Its kernels stay started (torch imported) for the life of the
  server; after a package edit the chapters the browser has open run first
  (`serve.OpenPages`), the build shows them, and the others finish in the background and are
  shown by the next build (`schedule.Runner`).
* **survives the learner's mistakes under ``mkdocs serve``**: a cell that raises, a package file
  that does not import, a kernel that dies, or a cell that runs past ``serve_timeout`` (60 s) is
  shown on the chapter's page (a box naming the code cell, with the traceback, and the outputs
  up to it) instead of aborting the build; the next save rebuilds it.
* **lets MkDocs read the headings**: the headings of the Markdown cells are what MkDocs renders
  for the page's title and table of contents, so both follow ``mkdocs.yml``'s ``toc`` settings.

Progress: ``notebook <slug> [<lang>]: executed in X s`` or ``cached``, one line per page and
build (``benchmarks/run.py`` counts them). Entries unused for 30 days are deleted.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import time
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils import meta as mkdocs_meta

from .. import markup
from ..serve import (
    POLL_S,
    DirtyBuildAnswered,
    OpenPages,
    Rebuilds,
    SearchEntries,
    SharedBytecode,
    ThemeListing,
    poll_often,
)
from . import figures
from . import render as rendering
from .cache import ExecutionCache, digest, execution_key, package_files, read_json, write_json
from .execute import CellFailed, Kernel, package_relative
from .schedule import Runner

log = logging.getLogger("mkdocs.plugins.attention_site.notebooks")

# The libraries whose version changes what a chapter prints or draws, and how it renders.
VERSIONED = {
    "execution": ("torch", "matplotlib", "ipykernel"),
    "render": ("nbconvert", "mkdocs-jupyter", "pygments", "selectolax"),
}
_RENDER_CODE = digest(
    [Path(module.__file__).read_text(encoding="utf-8") for module in (rendering, markup)]
)
_PRUNE_AFTER_S = 30 * 24 * 3600
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^#{1,6}\s")
# Under serve, how long a rebuild waits for the open chapters; while it waits, MkDocs answers
# no request. A chapter still running then is shown by the build its run asks for.
_OPEN_WAIT_S = 15.0


class NotebooksConfig(base.Config):
    # Relative to mkdocs.yml. mkdocs.yml reads it from ATTENTION_NB_CACHE (tests, benchmarks).
    cache_dir = c.Type(str, default=".cache/notebooks")
    jobs = c.Type(int, default=0)  # kernels at once; 0: one per CPU
    kernel_name = c.Type(str, default="python3")
    timeout = c.Type(int, default=600)  # seconds per cell
    serve_timeout = c.Type(int, default=60)  # seconds per cell under `mkdocs serve`
    package = c.Type(str, default="attention")  # whose files a chapter's cache entry depends on
    # Imported once per kernel, before its first chapter: what sharing a kernel saves.
    preload = c.ListOfItems(c.Type(str), default=["torch", "matplotlib"])


def is_notebook(meta: dict) -> bool:
    """A page is a chapter notebook if its front matter names a Python Jupyter kernel."""
    kernelspec = (meta.get("jupyter") or {}).get("kernelspec") or {}
    return kernelspec.get("language") == "python"


def front_matter(path: Path) -> dict:
    return mkdocs_meta.get_data(path.read_text(encoding="utf-8"))[1]


def read_chapter(path: Path) -> nbformat.NotebookNode:
    """A chapter's notebook. Front matter beside ``jupyter:`` (the ``description`` that the
    home page's table and search engines show) stays in the notebook's metadata, where
    jupytext would otherwise make it a first raw cell, shown on the page as text."""
    return jupytext.read(path, fmt={"root_level_metadata_as_raw_cell": False})


def headings(nb: nbformat.NotebookNode) -> str:
    """The headings of a notebook's Markdown cells (not "# comments" in their fenced code):
    what MkDocs renders for the page's title and table of contents."""
    lines, fence = [], ""
    for cell in nb.cells:
        for line in cell.source.splitlines() if cell.cell_type == "markdown" else ():
            opening = _FENCE.match(line)
            if fence:
                fence = "" if opening and opening[1].startswith(fence) else fence
            elif opening:
                fence = opening[1]
            elif _ATX_HEADING.match(line):
                lines.append(line)
    return "\n\n".join(lines)


class NotebooksPlugin(BasePlugin[NotebooksConfig]):
    def __init__(self) -> None:
        # Kept for the life of the process (across `mkdocs serve` rebuilds: see on_startup).
        self._parsed: dict[Path, tuple[tuple, nbformat.NotebookNode, str]] = {}
        self._rendered: dict[tuple[str, str], tuple] = {}  # latest per page (`rendered`)
        # Pages whose "executed in" line stands for their render line. Not reset per language
        # build: the English build's on_pre_build also runs a Chinese page whose code differs.
        self._announced: set[Path] = set()
        self.css: list[str] = []
        self.versions: dict[str, dict[str, str]] = {}
        self.dirty = False
        self._dirty_filter = DirtyBuildAnswered()
        self._templates = SharedBytecode()
        self._theme_files = ThemeListing()
        self._built: dict[str, object] = {}  # output file -> what it was built from (dirty)
        # `mkdocs serve` only (see the module's docstring).
        self.serving = False
        self.open_pages = OpenPages()
        self._runner: Runner | None = None  # its kernels live as long as the server
        self._rebuilds: Rebuilds | None = None
        self._failed: dict[str, tuple[str, list, CellFailed]] = {}  # key -> package, outputs
        self._shown: dict[Path, list] = {}  # page -> the outputs it showed last
        self._banners: dict[Path, str] = {}  # page -> the box its next render shows on top
        self._urls: dict[str, Path] = {}  # URL path -> page
        self._job_pages: dict[str, Path] = {}  # code key -> the page run for it (serve)
        self._search = SearchEntries()
        self._compiles: tuple[str, bool] = ("", True)  # (package digest, every file compiles)

    # ------------------------------------------------------------------ events
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this keeps one plugin instance across `mkdocs serve` rebuilds, so parsed
        and rendered pages stay in memory."""
        rendering.check_mkdocs_jupyter()
        self.dirty = dirty
        self.serving = command == "serve"
        if dirty:
            logging.getLogger("mkdocs.commands.build").addFilter(self._dirty_filter)

    def on_shutdown(self) -> None:
        logging.getLogger("mkdocs.commands.build").removeFilter(self._dirty_filter)
        if self._runner is not None:
            self._runner.close()

    def on_config(self, config):
        self.root = Path(config.config_file_path).parent
        self.docs_dir = Path(config.docs_dir)
        self.cache_dir = self.root / self.config.cache_dir  # an absolute path stays as it is
        self.package_dir, files = package_files(self.config.package)
        self.cache = ExecutionCache(self.cache_dir, files)
        self.package_digest = digest(files)
        self.versions = self.versions or {
            kind: {name: metadata.version(name) for name in names}
            for kind, names in VERSIONED.items()
        }
        self.css = []
        if self.serving:  # the installed theme does not change while the server runs
            self._theme_files.install(config.theme, self.root)
        return config

    def on_pre_build(self, config) -> None:
        # mkdocs-static-i18n builds the other languages inside the first language's build:
        # the first build's on_pre_build has waited for the open pages of every language.
        self.execute_missing(nested=getattr(config.plugins.get("i18n"), "building", False))
        if self.serving:
            self._search.forget_previous(config.plugins.get("material/search"))

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has given pages their final paths
    def on_files(self, files, config):
        if self.dirty or self.serving:  # a full build under serve records what it built from
            self.invalidate(files)
        return files

    @event_priority(50)  # before any plugin renders a template
    def on_env(self, env, config, files):
        env.bytecode_cache = self._templates  # compiled once per `mkdocs serve`, not per rebuild
        return env

    @event_priority(50)  # before other plugins read the page's Markdown
    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        if not is_notebook(page.meta):
            return markdown
        return headings(self._parse(Path(page.file.abs_src_path))[0])

    @event_priority(50)  # the notebook's HTML is what other plugins see
    def on_page_content(self, html: str, page, config, files) -> str:
        if not is_notebook(page.meta):
            return html
        path = Path(page.file.abs_src_path)
        lang, name = self.lang_and_name(path)
        nb = self.executed(path)
        download = Path(page.file.abs_dest_path).with_name(f"{name}.ipynb")
        download.parent.mkdir(parents=True, exist_ok=True)
        download.write_text(jupytext.writes(nb, fmt="ipynb"), encoding="utf-8")
        # Figures and explorables to files beside the page, before rendering (figures.py).
        nb, files = figures.write_outputs(nb, lang, self.cache_dir / "stills")
        figures.write_files(download.parent, files)
        ipynb = jupytext.writes(nb, fmt="ipynb")
        html, css = self.rendered(ipynb, name, lang)
        rendering.collect_css(self.css, css)
        self._urls[urlsplit(page.abs_url or "").path] = path
        banner = self._banners.pop(path, None)
        return rendering.with_banner(html, banner) if banner else html

    @event_priority(-105)  # after mkdocs-static-i18n merged the search indexes, before pages
    def on_post_build(self, config) -> None:
        i18n = config.plugins.get("i18n")
        if self.serving and not getattr(i18n, "building", False):
            full = self._rebuilds is None or self._rebuilds.full
            languages = list(getattr(i18n, "build_languages", None) or [])
            self._search.merge(Path(config.site_dir), full, languages)
        if self.css:
            css = Path(config.site_dir) / "assets" / "stylesheets" / "jupyter.css"
            css.parent.mkdir(parents=True, exist_ok=True)
            css.write_text("\n".join(self.css), encoding="utf-8")
        self.cache.prune(_PRUNE_AFTER_S)

    def on_post_page(self, output: str, page, config) -> str:
        if self.serving:  # the search entries Material made for this page
            search = config.plugins.get("material/search") or config.plugins.get("search")
            self._search.page_done(search, page.url)
        return output

    def on_serve(self, server, config, builder):
        """Watch the package: saving a file of it rebuilds, re-running the chapters using it.
        Note which pages the browser has open; rebuild only what changed (`serve.Rebuilds`)."""
        server.watch(str(self.package_dir))
        poll_often(getattr(server, "observer", None), POLL_S)
        if not self.serving:  # `mkdocs serve --clean`: full builds, as asked
            return server
        self._rebuilds = Rebuilds(self.cache_dir / "serve")
        self._rebuilds.request()  # the folder must exist to be watched
        server.watch(str(self._rebuilds.folder))
        server.set_app(self.open_pages.wrap(server.get_app()))
        config_file = Path(config.config_file_path)
        if self.dirty:
            self._rebuilds.full = False  # `--dirty`: every later build is a dirty one
        elif self._rebuilds.install(server, builder, self.docs_dir, config_file):
            self.dirty = True
            logging.getLogger("mkdocs.commands.build").addFilter(self._dirty_filter)
        return server

    # ------------------------------------------------------------------ pages
    def invalidate(self, files) -> None:
        """For a dirty build (``mkdocs serve --dirty``), which re-renders only the pages whose
        source is newer than their output: delete the output of every chapter whose outputs
        changed (a package edit) and of every API page (``::: <package>``) when the package
        changed, so that these pages are rendered again and no other."""
        busy = self._runner is not None and self._runner.pending(None)
        for file in files.documentation_pages():
            src = Path(file.abs_src_path)
            if is_notebook(front_matter(src)):
                key = self.code_key(src)
                built_from = self.cache.lookup(key) or self._failure(key)
                if built_from is None and self._runner is not None and self._runner.pending(key):
                    continue  # its page stays as it was until its run is done
            elif f"::: {self.config.package}" in src.read_text(encoding="utf-8"):
                if busy or not self.package_compiles():
                    continue  # re-rendered with the background runs, or once it compiles
                built_from = self.package_digest
            else:
                continue
            if self._built.get(file.abs_dest_path) != built_from:
                Path(file.abs_dest_path).unlink(missing_ok=True)
                self._built[file.abs_dest_path] = built_from

    def package_compiles(self) -> bool:
        """Whether every Python file of the package compiles: the API reference cannot be
        rendered while one does not (its chapters show the SyntaxError under serve)."""
        if self._compiles[0] != self.package_digest:
            try:
                for name in self.cache.files:
                    if name.endswith(".py"):
                        path = self.package_dir / name
                        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
                self._compiles = (self.package_digest, True)
            except (SyntaxError, ValueError):
                self._compiles = (self.package_digest, False)
        return self._compiles[1]

    def lang_and_name(self, path: Path) -> tuple[str, str]:
        rel = path.relative_to(self.docs_dir)
        return (rel.parts[0] if len(rel.parts) > 1 else ""), rel.stem

    def page_name(self, path: Path) -> str:
        return path.relative_to(self.docs_dir).as_posix()

    def chapters(self) -> list[Path]:
        """Every chapter page of every language."""
        pages = sorted(self.docs_dir.rglob("*.md"))
        return [p for p in pages if is_notebook(front_matter(p))]

    def _parse(self, path: Path) -> tuple[nbformat.NotebookNode, str]:
        """The page's notebook (stable cell ids) and its code key, once per version of the file:
        parsing validates every cell, and pages are read several times per build."""
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        if self._parsed.get(path, (None,))[0] != version:
            nb = read_chapter(path)
            for index, cell in enumerate(nb.cells):
                cell.id = f"cell-{index}"  # stable ids instead of random ones
            code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
            key = execution_key(code, self.config.kernel_name, self.versions["execution"])
            self._parsed[path] = (version, nb, key)
        return self._parsed[path][1:]

    def code_key(self, path: Path) -> str:
        """The execution key of the page's code cells (`cache.execution_key`)."""
        return self._parse(path)[1]

    # ------------------------------------------------------------------ execution
    def execute_missing(self, nested: bool = False) -> None:
        """Execute every chapter not cached yet, once per distinct code, on ``jobs`` kernels.

        Under ``mkdocs serve``, after the first build, wait only for the chapters the browser
        has open (they run first); the others run on in the background (`schedule.Runner`)."""
        todo: dict[str, Path] = {}  # code key -> the first page with that code
        for path in self.chapters():
            key = self.code_key(path)
            if key not in todo and self.cache.lookup(key) is None and not self._failure(key):
                todo[key] = path
        # Longest code first (a proxy for the longest run), so that no kernel is left with a
        # long chapter at the end while the others idle.
        order = sorted(todo.items(), key=lambda item: -len(self._parse(item[1])[0].cells))
        jobs = self.config.jobs or os.cpu_count() or 1
        if not self.serving:
            if not todo:
                return
            jobs = min(jobs, len(todo))
            log.info(f"notebooks: executing {len(todo)} chapter(s) on {jobs} kernel(s)")
            runner = Runner(jobs, self.kernel, self.run_and_store)
            try:
                runner.submit(order)
                runner.wait()  # the first failing chapter fails the build
            finally:
                runner.close()
            return
        first = self._runner is None
        if first:
            self._runner = Runner(
                jobs, self.kernel, self.run_and_store, self._chapter_done, warm=True
            )
        opened = self.open_chapters()
        # Open pages first, then the other languages of their chapters, then the rest.
        rank = {p: i for i, p in enumerate(opened)}
        twins = {p.name for p in opened}
        order.sort(key=lambda item: (rank.get(item[1], len(rank)), item[1].name not in twins))
        new = [key for key in todo if not self._runner.pending(key)]
        self._job_pages.update(todo)
        self._runner.submit(order)
        if nested:
            return  # what finishes now is shown by the build it asks for (`_chapter_done`)
        waiting = [k for k, p in todo.items() if first or p in rank]
        if new:
            log.info(
                f"notebooks: executing {len(todo)} chapter(s) on {jobs} kernel(s)"
                + ("" if first else f"; waiting for the {len(waiting)} open now")
            )
        if not self._runner.wait(waiting, None if first else _OPEN_WAIT_S):
            log.info("notebooks: still running; the page shows it when done")

    def open_chapters(self) -> list[Path]:
        """The chapter pages the browser has open (`serve.OpenPages`), most recent first."""
        pages = (self._urls.get(url) for url in self.open_pages.paths())
        return [page for page in pages if page is not None]

    def _chapter_done(self, key: str, idle: bool) -> None:
        """A run in the background is done: a build shows it now (the server's watcher sees
        the request), while the kernels run the others; waiting for the last run left every
        page to render after it. The two languages of a chapter run side by side (their code
        has as many cells, so they are next to each other in the queue): while the other one
        still runs, its end asks for the build that shows both. A build costs CPU that the
        kernels beside it would use."""
        if self._rebuilds is None or self._runner is None:
            return
        page = self._job_pages.get(key)
        running = self._runner.running()
        if not idle and page is not None and any(p.name == page.name for p in running):
            return
        self._rebuilds.request()

    def _failure(self, key: str) -> tuple[str, str] | None:
        """Under ``mkdocs serve``: a failed run of this code against the package as it is now."""
        failed = self._failed.get(key)
        return ("failed", failed[0]) if failed and failed[0] == self.package_digest else None

    def kernel(self) -> Kernel:
        """A kernel for `run_and_store` (one compute thread: see `Kernel`)."""
        return Kernel(
            kernel=self.config.kernel_name,
            cwd=self.root,
            timeout=self.config.serve_timeout if self.serving else self.config.timeout,
            package=self.config.package,
            preload=self.config.preload,
        )

    def run_and_store(self, path: Path, kernel: Kernel) -> list:
        """Execute a page's notebook on ``kernel``, store its outputs, log it; return them.

        Under ``mkdocs serve`` a failing cell does not raise: the outputs up to it are kept in
        memory for this code and this version of the package (`_failure`), and shown."""
        start = time.perf_counter()
        cache, package = self.cache, self.package_digest  # a later build may replace them
        parsed, key = self._parse(path)
        nb = copy.deepcopy(parsed)
        lang, name = self.lang_and_name(path)
        try:
            imported = kernel.run(nb, self.page_name(path))
        except CellFailed as err:
            if not self.serving:
                raise
            outputs = [cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"]
            for output in (o for cell_outputs in outputs for o in cell_outputs):
                output.pop("execution_count", None)
            self._failed[key] = (package, outputs, err)
            what = "was stopped (serve_timeout)" if err.timed_out else "failed"
            log.info(
                f"notebook {name} [{lang}]: code cell {err.number} {what}: {err.ename}: "
                f"{err.evalue} (shown on the page)"
            )
            return outputs
        deps = package_relative(imported, self.package_dir)
        if deps is None:
            log.warning(
                f"Notebook {self.page_name(path)}: the kernel imported `{self.config.package}` "
                f"from {Path(imported[0]).parent}, but this build hashes {self.package_dir}; "
                "install it with `pip install -e .` and build from its folder."
            )
            deps = sorted(cache.files)
        outputs = [cell.outputs for cell in nb.cells if cell.cell_type == "code"]
        _, now = package_files(self.config.package)
        if any(now.get(f) != cache.files.get(f) for f in deps):
            log.info(f"notebook {name} [{lang}]: the package changed while it ran; run again")
            return outputs  # not stored: the build of that change runs it again
        cache.store(key, deps, outputs)
        log.info(f"notebook {name} [{lang}]: executed in {time.perf_counter() - start:.1f} s")
        self._announced.add(path)
        return outputs

    def executed(self, path: Path) -> nbformat.NotebookNode:
        """The page's notebook with its outputs, from the cache (or run now if missing).

        Under ``mkdocs serve``, a failed run gives its outputs up to the failing cell, and a
        chapter still running in the background the outputs its page showed last; both put a
        box on top of the page (`_banners`)."""
        parsed, key = self._parse(path)
        nb = copy.deepcopy(parsed)
        lang, name = self.lang_and_name(path)
        outputs = self.cache.load(key)
        failed = self._failed.get(key) if outputs is None and self._failure(key) else None
        if failed is not None:
            outputs, err = failed[1], failed[2]
            self._banners[path] = rendering.failure_banner(
                number=err.number,
                ename=err.ename,
                evalue=err.evalue,
                traceback=err.traceback,
                timed_out=err.timed_out,
                limit=self.config.serve_timeout,
                lang=lang,
            )
        elif outputs is None and self._runner is not None and self._runner.pending(key):
            count = sum(cell.cell_type == "code" for cell in nb.cells)
            before = self._shown.get(path)
            outputs = before if before is not None and len(before) == count else [[]] * count
            self._banners[path] = rendering.pending_banner(lang)
        elif outputs is None:  # a page on_pre_build did not see
            with self.kernel() as kernel:
                outputs = self.run_and_store(path, kernel)
            if self._failure(key):
                return self.executed(path)
        else:
            self._shown[path] = outputs
        if path in self._announced:
            self._announced.discard(path)  # its line said "executed in"
        elif failed is None:
            log.info(f"notebook {name} [{lang}]: cached")
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        for cell, cell_outputs in zip(code, outputs, strict=True):
            cell.outputs = [nbformat.from_dict(o) for o in cell_outputs]
            cell.execution_count = None
        return nb

    # ------------------------------------------------------------------ rendering
    def rendered(self, ipynb: str, name: str, lang: str) -> tuple[str, list[str]]:
        """`render.render` through two caches: this process's memory and ``<cache>/render/``;
        after an edit, only the cells that changed are converted again
        (`render.render_changed_cells`)."""
        key = digest(
            {
                "nb": ipynb,
                "page": [lang, name],
                "options": rendering.NB2HTML_OPTIONS,
                "code": _RENDER_CODE,
                "versions": self.versions["render"],
            }
        )
        latest = self._rendered.get((lang, name))
        if latest is not None and latest[0] == key:
            return latest[1], latest[2]
        folder = self.cache_dir / "render"
        entry = read_json(folder / f"{key}.json")
        css_files = [folder / f"{sha}.css" for sha in (entry or {}).get("css", [])]
        nb = nbformat.reads(ipynb, as_version=4)
        if entry is not None and all(f.exists() for f in css_files):
            html, css = entry["html"], [f.read_text(encoding="utf-8") for f in css_files]
            for path in (folder / f"{key}.json", *css_files):
                path.touch()
        else:
            edited = None
            if latest is not None:
                edited = rendering.render_changed_cells(latest[3], latest[1], nb, name, lang)
            html, css = edited if edited is not None else rendering.render(ipynb, name, lang)
            shas = [digest(block) for block in css]
            folder.mkdir(parents=True, exist_ok=True)
            for sha, block in zip(shas, css, strict=True):
                (folder / f"{sha}.css").write_text(block, encoding="utf-8")
            write_json(folder / f"{key}.json", {"html": html, "css": shas})
        self._rendered[lang, name] = (key, html, css, nb)
        return html, css
