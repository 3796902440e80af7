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
  are kept across rebuilds (`serve.SharedBytecode`); under ``mkdocs serve --dirty`` a package
  edit re-renders exactly the pages it changed (`NotebooksPlugin.invalidate`).
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import jupytext
import nbformat
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils import meta as mkdocs_meta

from ..serve import DirtyBuildAnswered, SharedBytecode
from . import figures
from . import render as rendering
from .cache import ExecutionCache, digest, execution_key, package_files, read_json, write_json
from .execute import Kernel, package_relative

log = logging.getLogger("mkdocs.plugins.attention_site.notebooks")

# The libraries whose version changes what a chapter prints or draws, and how it renders.
VERSIONED = {
    "execution": ("torch", "matplotlib", "ipykernel"),
    "render": ("nbconvert", "mkdocs-jupyter", "pygments"),
}
_RENDER_CODE = digest(Path(rendering.__file__).read_text(encoding="utf-8"))
_PRUNE_AFTER_S = 30 * 24 * 3600
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^#{1,6}\s")


class NotebooksConfig(base.Config):
    # Relative to mkdocs.yml. mkdocs.yml reads it from ATTENTION_NB_CACHE (tests, benchmarks).
    cache_dir = c.Type(str, default=".cache/notebooks")
    jobs = c.Type(int, default=0)  # kernels at once; 0: one per CPU
    kernel_name = c.Type(str, default="python3")
    timeout = c.Type(int, default=600)  # seconds per cell
    package = c.Type(str, default="attention")  # whose files a chapter's cache entry depends on
    # Imported once per kernel, before its first chapter: what sharing a kernel saves.
    preload = c.ListOfItems(c.Type(str), default=["torch", "matplotlib"])


def is_notebook(meta: dict) -> bool:
    """A page is a chapter notebook if its front matter names a Python Jupyter kernel."""
    kernelspec = (meta.get("jupyter") or {}).get("kernelspec") or {}
    return kernelspec.get("language") == "python"


def front_matter(path: Path) -> dict:
    return mkdocs_meta.get_data(path.read_text(encoding="utf-8"))[1]


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
        self._rendered: dict[tuple[str, str], tuple[str, str, list[str]]] = {}  # latest per page
        # Pages whose "executed in" line stands for their render line. Not reset per language
        # build: the English build's on_pre_build also runs a Chinese page whose code differs.
        self._announced: set[Path] = set()
        self.css: list[str] = []
        self.versions: dict[str, dict[str, str]] = {}
        self.dirty = False
        self._dirty_filter = DirtyBuildAnswered()
        self._templates = SharedBytecode()
        self._built: dict[str, object] = {}  # output file -> what it was built from (dirty)

    # ------------------------------------------------------------------ events
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this keeps one plugin instance across `mkdocs serve` rebuilds, so parsed
        and rendered pages stay in memory."""
        rendering.check_mkdocs_jupyter()
        self.dirty = dirty
        if dirty:
            logging.getLogger("mkdocs.commands.build").addFilter(self._dirty_filter)

    def on_shutdown(self) -> None:
        logging.getLogger("mkdocs.commands.build").removeFilter(self._dirty_filter)

    def on_config(self, config):
        self.root = Path(config.config_file_path).parent
        self.docs_dir = Path(config.docs_dir)
        self.cache_dir = self.root / self.config.cache_dir  # an absolute path stays as it is
        self.package_dir, files = package_files(self.config.package)
        self.cache = ExecutionCache(self.cache_dir, files)
        self.versions = self.versions or {
            kind: {name: metadata.version(name) for name in names}
            for kind, names in VERSIONED.items()
        }
        self.css = []
        return config

    def on_pre_build(self, config) -> None:
        self.execute_missing()

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has given pages their final paths
    def on_files(self, files, config):
        if self.dirty:
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
        return html

    def on_post_build(self, config) -> None:
        if self.css:
            css = Path(config.site_dir) / "assets" / "stylesheets" / "jupyter.css"
            css.parent.mkdir(parents=True, exist_ok=True)
            css.write_text("\n".join(self.css), encoding="utf-8")
        self.cache.prune(_PRUNE_AFTER_S)

    def on_serve(self, server, config, builder):
        """Watch the package: saving a file of it rebuilds, re-running the chapters using it."""
        server.watch(str(self.package_dir))
        return server

    # ------------------------------------------------------------------ pages
    def invalidate(self, files) -> None:
        """For a dirty build (``mkdocs serve --dirty``), which re-renders only the pages whose
        source is newer than their output: delete the output of every chapter whose outputs
        changed (a package edit) and of every API page (``::: <package>``) when the package
        changed, so that these pages are rendered again and no other."""
        package = digest(self.cache.files)
        for file in files.documentation_pages():
            src = Path(file.abs_src_path)
            if is_notebook(front_matter(src)):
                built_from = self.cache.lookup(self.code_key(src))
            elif f"::: {self.config.package}" in src.read_text(encoding="utf-8"):
                built_from = package
            else:
                continue
            if self._built.get(file.abs_dest_path) != built_from:
                Path(file.abs_dest_path).unlink(missing_ok=True)
                self._built[file.abs_dest_path] = built_from

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
            nb = jupytext.read(path)
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
    def execute_missing(self) -> None:
        """Execute every chapter not cached yet, once per distinct code, on ``jobs`` kernels."""
        todo: dict[str, Path] = {}  # code key -> the first page with that code
        for path in self.chapters():
            key = self.code_key(path)
            if key not in todo and self.cache.lookup(key) is None:
                todo[key] = path
        if not todo:
            return
        # Longest code first (a proxy for the longest run), so that no kernel is left with a
        # long chapter at the end while the others idle.
        queue = sorted(todo.values(), key=lambda p: -len(self._parse(p)[0].cells))
        jobs = min(len(queue), self.config.jobs or os.cpu_count() or 1)
        log.info(f"notebooks: executing {len(queue)} chapter(s) on {jobs} kernel(s)")
        failed = threading.Event()

        def work() -> None:
            with self.kernel() as kernel:
                while not failed.is_set():
                    try:
                        path = queue.pop(0)  # atomic: two kernels never take one page
                    except IndexError:
                        return
                    try:
                        self.run_and_store(path, kernel)
                    except BaseException:
                        failed.set()  # chapters already running finish; no new one starts
                        raise

        with ThreadPoolExecutor(jobs, thread_name_prefix="notebook") as pool:
            for future in [pool.submit(work) for _ in range(jobs)]:
                future.result()  # the first failing chapter fails the build

    def kernel(self) -> Kernel:
        """A kernel for `run_and_store` (one compute thread: see `Kernel`)."""
        return Kernel(
            kernel=self.config.kernel_name,
            cwd=self.root,
            timeout=self.config.timeout,
            package=self.config.package,
            preload=self.config.preload,
        )

    def run_and_store(self, path: Path, kernel: Kernel) -> list:
        """Execute a page's notebook on ``kernel``, store its outputs, log it; return them."""
        start = time.perf_counter()
        parsed, key = self._parse(path)
        nb = copy.deepcopy(parsed)
        imported = kernel.run(nb, self.page_name(path))
        deps = package_relative(imported, self.package_dir)
        if deps is None:
            log.warning(
                f"Notebook {self.page_name(path)}: the kernel imported `{self.config.package}` "
                f"from {Path(imported[0]).parent}, but this build hashes {self.package_dir}; "
                "install it with `pip install -e .` and build from its folder."
            )
            deps = sorted(self.cache.files)
        outputs = [cell.outputs for cell in nb.cells if cell.cell_type == "code"]
        self.cache.store(key, deps, outputs)
        lang, name = self.lang_and_name(path)
        log.info(f"notebook {name} [{lang}]: executed in {time.perf_counter() - start:.1f} s")
        self._announced.add(path)
        return outputs

    def executed(self, path: Path) -> nbformat.NotebookNode:
        """The page's notebook with its outputs, from the cache (or run now if missing)."""
        parsed, key = self._parse(path)
        nb = copy.deepcopy(parsed)
        outputs = self.cache.load(key)
        if outputs is None:  # a page on_pre_build did not see
            with self.kernel() as kernel:
                outputs = self.run_and_store(path, kernel)
        if path in self._announced:
            self._announced.discard(path)  # its line said "executed in"
        else:
            lang, name = self.lang_and_name(path)
            log.info(f"notebook {name} [{lang}]: cached")
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        for cell, cell_outputs in zip(code, outputs, strict=True):
            cell.outputs = [nbformat.from_dict(o) for o in cell_outputs]
            cell.execution_count = None
        return nb

    # ------------------------------------------------------------------ rendering
    def rendered(self, ipynb: str, name: str, lang: str) -> tuple[str, list[str]]:
        """`render.render` through two caches: this process's memory and ``<cache>/render/``."""
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
        if entry is not None and all(f.exists() for f in css_files):
            html, css = entry["html"], [f.read_text(encoding="utf-8") for f in css_files]
            for path in (folder / f"{key}.json", *css_files):
                path.touch()
        else:
            html, css = rendering.render(ipynb, name, lang)
            shas = [digest(block) for block in css]
            folder.mkdir(parents=True, exist_ok=True)
            for sha, block in zip(shas, css, strict=True):
                (folder / f"{sha}.css").write_text(block, encoding="utf-8")
            write_json(folder / f"{key}.json", {"html": html, "css": shas})
        self._rendered[lang, name] = (key, html, css)
        return html, css
