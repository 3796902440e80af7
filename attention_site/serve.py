"""What makes ``mkdocs serve`` rebuilds fast and right; used by the ``attention-notebooks`` plugin.

`OpenPages` tells the plugin which chapters the learner has open (they run first after a
package edit); `Rebuilds` makes plain ``mkdocs serve`` rebuild only what changed, and lets the
plugin ask for a build when chapters finish in the background.

A rebuild under ``mkdocs serve`` loads ``mkdocs.yml`` again, so the theme gets a new Jinja
environment and compiles every Material template again: about half of a rebuild's time after
a prose edit (``benchmarks/README.md`` has the profile). `SharedBytecode` keeps the compiled
templates in memory for the life of the server; Jinja checks each against its template's source,
so an edited template is compiled again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import jinja2


class SharedBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates, in memory, shared by every environment given it."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])  # dropped if the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


POLL_S = 0.1  # how often the server looks for saved files


def poll_often(observer, seconds: float) -> None:
    """MkDocs' server finds saved files by polling the watched folders every 0.5 s: on average a
    quarter of a second of a prose edit's wait, up to half a second. Poll every ``seconds``
    instead (the folders hold a few dozen files: a poll takes about a millisecond). ``observer``
    is watchdog's, before it starts; unchanged if it is not the polling one MkDocs 1.6 makes."""
    from watchdog.observers.polling import PollingObserver

    if not isinstance(observer, PollingObserver) or observer.is_alive():
        return
    for part in (observer, *observer.emitters):  # the emitters of the folders watched so far
        if isinstance(getattr(part, "_timeout", None), (int, float)):
            part._timeout = seconds


class ThemeListing:
    """The theme's list of files, kept for the life of the server.

    Every build lists the theme's folders to copy their static files (MkDocs'
    ``Files.add_files_from_theme``, once per language): Material's 14,500 files, nearly all
    icons under ``.icons/``, which MkDocs then drops one by one (its filter skips hidden paths).
    That was about 0.3 s of each rebuild after a prose edit. `install` makes a theme's Jinja
    environment list an installed theme's folders once, without hidden paths; folders inside
    the project (``custom_dir``: a contributor may add a file there; not a virtual environment
    in it) are listed on every build.
    """

    def __init__(self) -> None:
        self._kept: dict[str, list[str]] = {}  # installed theme folder -> its visible files

    def install(self, theme, project: Path) -> None:
        """Wrap ``theme.get_env`` (a `mkdocs.theme.Theme`, new with each config) so that its
        environment lists files this way; templates load exactly as before."""
        get_env, kept = theme.get_env, self._kept

        def get_env_listing_once() -> jinja2.Environment:
            env = get_env()
            if type(env.loader) is jinja2.FileSystemLoader:  # MkDocs' own: a list of folders
                env.loader = _ListedOnce(env.loader.searchpath, kept, project)
            return env

        theme.get_env = get_env_listing_once


class _ListedOnce(jinja2.FileSystemLoader):
    def __init__(self, searchpath: list[str], kept: dict[str, list[str]], project: Path):
        super().__init__(searchpath)
        self._kept, self._project = kept, project

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            path = Path(folder)
            if path.is_relative_to(self._project) and not path.is_relative_to(sys.prefix):
                found.update(_visible_files(folder))
            else:
                if folder not in self._kept:  # not setdefault: it would walk the folder anyway
                    self._kept[folder] = _visible_files(folder)
                found.update(self._kept[folder])
        return sorted(found)


def _visible_files(folder: str) -> list[str]:
    """A folder's files as template names (``a/b.css``), hidden folders and files left out."""
    names = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath).relative_to(folder).as_posix()
        prefix = "" if base == "." else base + "/"
        names += [prefix + f for f in filenames if not f.startswith(".")]
    return names


class DirtyBuildAnswered(logging.Filter):
    """Drops MkDocs' warning that a dirty build may leave pages stale, which would abort every
    ``mkdocs serve --dirty`` under ``strict: true``: the notebooks plugin re-renders the pages
    that a package edit changes (`NotebooksPlugin.invalidate`). Under ``--dirty`` a new page or
    a changed title needs a restart of the server to reach the navigation of the other pages;
    plain ``mkdocs serve`` makes a full build then (`Rebuilds`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


class OpenPages:
    """Which pages the learner's browser has open, most recent first, from what it asks the
    server: every page MkDocs serves long-polls ``/livereload/…`` for as long as it is open
    (the request names the page in its ``Referer``), and a page is fetched when it is opened.

    `wrap` wraps the server's WSGI application; it changes no request and no answer.
    """

    def __init__(self, keep_s: float = 90.0) -> None:
        self.keep_s = keep_s  # how long the last page fetched counts as open without a poll
        self._polls: dict[str, list[float]] = {}  # URL path -> start times of its open polls
        self._fetched: tuple[str, float] | None = None  # the last page fetched, and when
        self._lock = threading.Lock()

    def wrap(self, app: Callable) -> Callable:
        def tracked(environ: dict, start_response: Callable):
            path = environ.get("PATH_INFO", "")
            if not path.startswith("/livereload/"):
                if path.endswith(("/", ".html")):
                    with self._lock:
                        self._fetched = (path.removesuffix("index.html"), time.monotonic())
                return app(environ, start_response)
            page, start = urlsplit(environ.get("HTTP_REFERER") or "").path, time.monotonic()
            with self._lock:
                self._polls.setdefault(page, []).append(start)
            try:
                return app(environ, start_response)  # answers when a build is done, or in 60 s
            finally:
                with self._lock:
                    self._polls[page].remove(start)

        return tracked

    def paths(self) -> list[str]:
        """URL paths of the pages open now: the last one fetched (if lately), then every page
        polling for a reload, the most recently opened first."""
        with self._lock:
            polling = sorted(((max(t), p) for p, t in self._polls.items() if t), reverse=True)
            fetched = self._fetched
        recent = fetched and time.monotonic() - fetched[1] <= self.keep_s
        pages = ([fetched[0]] if recent else []) + [p for _, p in polling]
        return list(dict.fromkeys(pages))


class SearchEntries:
    """The search index of every page, kept across incremental rebuilds, which index only the
    pages they render: Material's search plugin then writes an index of those pages alone (and
    under ``--dirty`` it keeps a previous index that, merged by mkdocs-static-i18n, repeats
    every entry).

    `page_done` (after Material's ``on_page_context``) takes the entries Material just made for
    a page; `merge` (after mkdocs-static-i18n merged the languages' indexes) writes the index of
    every page: this build's entries for the pages it rendered, the last ones for the others
    (a full build renders every page: only its own).
    """

    def __init__(self) -> None:
        self._pages: dict[str, list[dict]] = {}  # page URL -> its entries, in site order
        self._fresh: dict[str, list[dict]] = {}  # pages rendered by this build
        self._seen: tuple[int, int] = (0, 0)  # (id of Material's index, entries taken)

    def forget_previous(self, search_plugin) -> None:
        """Before each build under ``mkdocs serve --dirty``: Material's search keeps its last
        index and adds this build's entries to it; mkdocs-static-i18n stacks that with the
        other language's and drops repeats in quadratic time. The index doubled with each save
        (the fourth rebuild after a prose edit took 84 s, not 0.4 s). `merge` writes the whole
        index from the pages' own entries, so Material's may hold this build's alone."""
        if hasattr(search_plugin, "search_index_prev"):
            search_plugin.search_index_prev = None

    def page_done(self, search_plugin, url: str) -> None:
        """``search_plugin``: Material's or MkDocs' own (``entries`` or ``_entries``)."""
        index = getattr(search_plugin, "search_index", None)
        entries = getattr(index, "entries", getattr(index, "_entries", None))
        if not isinstance(entries, list):
            return
        taken = self._seen[1] if self._seen[0] == id(index) else 0
        self._fresh[url] = entries[taken:]
        self._seen = (id(index), len(entries))

    def merge(self, site_dir: Path, full: bool, languages: list[str]) -> None:
        """``languages``: those mkdocs-static-i18n builds (their pages' URLs start with
        ``<lang>/``, the default language's may not)."""
        path = site_dir / "search" / "search_index.json"
        fresh, self._fresh, self._seen = self._fresh, {}, (0, 0)
        if full:
            self._pages = {}
        self._pages.update(fresh)
        if path.is_file() and self._pages:
            index = json.loads(path.read_text(encoding="utf-8"))
            docs = [doc for entries in self._pages.values() for doc in entries]
            index["docs"] = without_repeats(docs, tuple(f"{lang}/" for lang in languages))
            path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


def without_repeats(docs: list[dict], prefixes: tuple[str, ...]) -> list[dict]:
    """mkdocs-static-i18n's rule for the merged index: drop an entry of a language's page
    (``<lang>/…``) with the title and text of an entry of the default language's whose
    location ends its own (the API reference, the same in every language)."""
    if not prefixes:
        return docs
    targets: dict[tuple[str, str], list[int]] = {}
    for i, doc in enumerate(docs):
        if doc["location"].startswith(prefixes):
            targets.setdefault((doc.get("title", ""), doc.get("text", "")), []).append(i)
    dropped: set[int] = set()
    for doc in docs:
        if not doc["location"].startswith(prefixes):
            for i in targets.get((doc.get("title", ""), doc.get("text", "")), []):
                if docs[i]["location"].endswith(doc["location"]):
                    dropped.add(i)
    return [doc for i, doc in enumerate(docs) if i not in dropped]


class Rebuilds:
    """Incremental rebuilds for plain ``mkdocs serve`` too, and a way to ask for a rebuild.

    MkDocs renders every page of both languages on each save (and the search index, and the
    API reference) unless started with ``--dirty``. `install` makes the server's later builds
    dirty ones: MkDocs renders the pages whose source is newer than their output, and the
    notebooks plugin deletes the output of the pages a package edit changes
    (`NotebooksPlugin.invalidate`). A save that a dirty build would leave wrong elsewhere, a
    new, moved or deleted page, a changed title (the navigation of every page shows it) or an
    edited ``mkdocs.yml``, gets a full build, as plain ``mkdocs serve`` always did.

    `request` asks for a build through the server's own file watcher (a file in ``folder``):
    the notebooks plugin calls it when chapters finished in the background.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.full = True  # whether the build under way renders every page
        self._count = 0

    def install(self, server, builder: Callable, docs_dir: Path, config_file: Path) -> bool:
        """Replace ``server.builder``; False (nothing changed) if MkDocs' builder is not the
        one this was written against (mkdocs 1.6: a closure over ``get_config``)."""
        try:
            names, cells = builder.__code__.co_freevars, builder.__closure__ or ()
            free = {name: cell.cell_contents for name, cell in zip(names, cells, strict=True)}
            get_config, serve_url, dirty = free["get_config"], free["serve_url"], free["is_dirty"]
        except (AttributeError, KeyError, ValueError):
            return False
        if dirty:
            return False  # `--dirty` already: MkDocs' builder is what the learner asked for
        from mkdocs.commands.build import build

        outline = _Outline(docs_dir, config_file)

        def incremental(config=None) -> None:
            self.full = full = outline.changed()
            logging.getLogger("mkdocs.commands.serve").info(
                "Building documentation..." if full else "Building the changed pages..."
            )
            if config is None:
                config = get_config()
                config.site_url = serve_url
            argv = sys.argv[:]
            if not full:  # mkdocs-static-i18n builds the other languages dirty only then
                sys.argv.append("--dirty")
            try:
                build(config, serve_url=serve_url, dirty=not full)
            finally:
                sys.argv[:] = argv

        server.builder = incremental
        return True

    def request(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count += 1
        (self.folder / "chapters-done").write_text(str(self._count), encoding="utf-8")


_TITLE = re.compile(r"^(?:title:.*|#\s.*)$", re.MULTILINE)
_SUMMARY = re.compile(r"^description:.*(?:\n[ \t]+\S.*)*", re.MULTILINE)  # YAML goes on indented


class _Outline:
    """What a dirty build cannot update on other pages: the list of pages, their titles (front
    matter ``title:`` or first ``# heading``), their ``description:`` (the home page's table of
    chapters shows it) and ``mkdocs.yml``. `changed` says whether any changed since its last
    call."""

    def __init__(self, docs_dir: Path, config_file: Path) -> None:
        self.docs_dir, self.config_file = docs_dir, config_file
        self._titles: dict[Path, tuple[int, tuple[str, ...]]] = {}
        self._last = self._outline()

    def _outline(self) -> tuple:
        pages = {}
        for path in sorted(self.docs_dir.rglob("*.md")):
            mtime = path.stat().st_mtime_ns
            if self._titles.get(path, (None,))[0] != mtime:
                text = path.read_text(encoding="utf-8")
                found = (pattern.search(text) for pattern in (_TITLE, _SUMMARY))
                self._titles[path] = (mtime, tuple(match[0] for match in found if match))
            pages[path] = self._titles[path][1]
        return pages, self.config_file.stat().st_mtime_ns

    def changed(self) -> bool:
        now = self._outline()
        changed, self._last = now != self._last, now
        return changed
