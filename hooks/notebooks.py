"""MkDocs hook: execute each chapter notebook once per build, cache it correctly, serve it light.

mkdocs-jupyter renders the chapters (jupytext Markdown under ``docs/<lang>/``). This hook wraps
its ``convert.nb2html`` to fix what the toolchain notes measured (``../shared/toolchain-notes.md``):

* **One execution per chapter, shared by both languages.** The cache key covers the code cells
  only (the English and Chinese notebooks of a chapter have identical code cells), the kernel,
  ``ATTENTION_DEVICE`` and the library versions. Prose edits never re-execute. Entries are never
  evicted by the other language's build (mkdocs-jupyter's own cache is).
* **Re-executed when a package file it imported changes, and not for other files.** After the
  last cell the kernel reports which files of ``attention/`` it imported; the entry is stored
  under the hash of exactly those files (plus any non-Python file of the package), so an edit to
  ``attention/diagrams.py`` re-executes the chapters that imported it and no other. This is
  sound: a chapter that imported none of the changed files runs the same code as before and
  imports the same files (an import of a new file can only come from a changed file). The
  package hashed here (``importlib.util.find_spec("attention")``) must be the one the kernel
  imports: the hook warns if not, which fails a ``--strict`` build.
* **Executed in parallel, before rendering**: ``on_pre_build`` runs every chapter whose outputs are
  not cached yet, all languages at once, on ``ATTENTION_NB_JOBS`` kernels (default: the number of
  CPUs). Each executed chapter logs ``notebook <slug> [<lang>]: executed in X s``; every other page
  logs ``notebook <slug> [<lang>]: cached``.
* **Rendering is cached too** (``<cache>/render/``): the HTML of a page, keyed on its executed
  notebook (prose included), the render options, nbconvert/mkdocs-jupyter/Pygments versions and
  this file, so a rebuild with nothing changed runs neither a kernel nor nbconvert.
* **Reproducible**: no execution counts or timestamps, and consecutive prints are merged into one
  output (how the kernel splits them depends on timing).
* **A failing cell fails the build** with the page, the cell number and the error.
* **Unicode heading ids**, so Chinese headings get the same ids as the ``toc`` extension's, and
  a page TOC read from the Markdown cells that links to exactly those ids.
* **One shared stylesheet**: the ~600 KB of JupyterLab CSS that mkdocs-jupyter inlines into
  every page is written once to ``assets/stylesheets/jupyter.css``.
* **A downloadable notebook** next to each chapter, executed, in the page's language.

The cache lives in ``.cache/notebooks/`` (``ATTENTION_NB_CACHE`` picks another folder); entries
unused for 30 days are deleted. Each page is parsed once per version of its file (mkdocs-jupyter
parses it several times per build). ``benchmarks/run.py`` measures all of this.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import logging
import os
import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import jupytext
import mkdocs_jupyter.convert as mkj_convert
import mkdocs_jupyter.plugin as mkj_plugin
import nbformat
from markdown.extensions.toc import TocExtension
from mkdocs.exceptions import PluginError
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from pymdownx.slugs import slugify as _pymdownx_slugify

log = logging.getLogger("mkdocs.hooks.notebooks")

CACHE_VERSION = "3"  # bump when the cached format or the execution recipe changes
# Rendering is cheap to redo: its cache key includes this file itself.
_HOOK_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
_slugify = _pymdownx_slugify(case="lower")  # same ids as the `toc` extension in mkdocs.yml
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.DOTALL)
# nbconvert's template adds a MathJax loader (a CDN) and mermaid; KaTeX renders math instead.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*(?:mathjax|MathJax|mermaid)[^>]*>.*?</script>\s*", re.DOTALL
)
# mkdocs-static-i18n adds <link rel="alternate" hreflang> per page; Material's JS fetches
# "<that link>/sitemap.xml" for each (a 404 and a console error on every page). The language
# menu keeps its per-page links, and language-switch.js keeps them right after navigation.
_HREFLANG_LINK = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\s*')
_DOWNLOAD_LABEL = {
    "en": "Download this chapter as a Jupyter notebook",
    "zh": "下载本章的 Jupyter 笔记本",
}
# Run in the kernel after the last cell: which files of the package did the chapter import?
_DEPS_MARK = "attention-deps:"
_DEPS_PROBE = f"""\
import json as _json, sys as _sys
print({_DEPS_MARK!r} + _json.dumps(sorted({{
    _m.__file__ for _n, _m in list(_sys.modules.items())
    if _n.partition(".")[0] == "attention" and getattr(_m, "__file__", None)
}})))
"""

# The libraries whose version changes what a chapter prints or draws, and how it renders.
_VERSIONED = {
    "execution": ("torch", "matplotlib", "ipykernel"),
    "render": ("nbconvert", "mkdocs-jupyter", "pygments", "markdown", "pymdown-extensions"),
}

_state: dict = {}
# Pages whose "executed in" line is logged but which are not rendered yet. Not reset per
# language build: `on_pre_build` of the English build also runs a Chinese page whose code
# differs, and that page must not log "cached" again when the Chinese build renders it.
_logged: set[str] = set()


class _InstantNavigationFixed(logging.Filter):
    """mkdocs-static-i18n warns that its per-page language links go stale under Material's
    instant navigation; docs/assets/javascripts/language-switch.js refreshes them on every page
    change, so this one warning is answered and must not fail `--strict`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not compatible with theme.features = navigation.instant" not in record.getMessage()


logging.getLogger("mkdocs.plugins.mkdocs_static_i18n.reconfigure").addFilter(
    _InstantNavigationFixed()
)


# --------------------------------------------------------------------------- patches
def _unicode_toc(markdown_source: str, toc_depth: int) -> list:
    import markdown

    # fenced_code: a "# comment" in a fenced block of a Markdown cell is not a heading.
    toc = TocExtension(toc_depth=toc_depth, slugify=_slugify)
    md = markdown.Markdown(extensions=["fenced_code", toc])
    md.convert(markdown_source)
    return md.toc_tokens


def _heading_anchor(html: str, anchor_link_text: str = "¶") -> str:
    """mkdocs-jupyter's heading patch, with the `toc` extension's Unicode slug as the id.

    Upstream slugifies ASCII-only and nbconvert percent-encodes the id, so Chinese headings got
    ids that no TOC link (``#第一节``) could reach, and search held duplicate locations.
    """
    from xml.etree.ElementTree import Element

    from defusedxml import ElementTree
    from nbconvert.filters.strings import html2text

    try:
        heading = ElementTree.fromstring(html)
    except Exception:
        return html
    slug = _slugify(html2text(heading), "-")
    heading.set("id", slug)
    anchor = Element("a", {"class": "anchor-link", "href": f"#{slug}"})
    anchor.text = anchor_link_text
    heading.append(anchor)
    return ElementTree.tostring(heading).decode("utf-8", "replace")


def _stat_key(path: str) -> tuple:
    stat = os.stat(path)
    return path, stat.st_mtime_ns, stat.st_size


_parsed: dict[str, tuple] = {}  # path -> ((path, mtime, size), notebook)


def _parse(nb_path: str) -> nbformat.NotebookNode:
    """jupytext's notebook of a page, parsed once per version of the file (parsing validates
    every cell: about 10 ms a page, and a page is read several times per build)."""
    key = _stat_key(nb_path)
    if _parsed.get(nb_path, (None,))[0] != key:
        _parsed[nb_path] = (key, jupytext.read(nb_path))
    return copy.deepcopy(_parsed[nb_path][1])


def _should_include(self, file) -> bool:
    """mkdocs-jupyter's test "is this page a notebook?", answered once per version of a file:
    it parses the page, and mkdocs-jupyter asks it three times per page and build."""
    if file.abs_src_path is None:
        return _state["should_include"](self, file)
    key = (*_stat_key(file.abs_src_path), repr(self.config["include"]), repr(self.config["ignore"]))
    if key not in _state["included"]:
        _state["included"][key] = _state["should_include"](self, file)
    return _state["included"][key]


# --------------------------------------------------------------------------- cache files
def _read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data) -> None:
    """Atomic: a killed build, or another build writing the same entry, never leaves half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def _digest(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- cache key
def _package_files() -> tuple[Path, dict[str, str]]:
    """The package the kernel will import (the editable install in development) and the
    sha256 of each of its files, by path relative to the package folder."""
    spec = importlib.util.find_spec("attention")
    if spec is None or spec.origin is None:
        raise PluginError("The `attention` package is not importable: run `pip install -e .`")
    package = Path(spec.origin).parent.resolve()
    files = {}
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            files[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return package, files


def _execution_key(code_cells: list[str], kernel_name: str) -> str:
    """What a chapter's run depends on, except the package (see `_deps_digest`)."""
    return _digest(
        {
            "cache": CACHE_VERSION,
            "code": code_cells,
            "kernel": kernel_name,
            "device": os.environ.get("ATTENTION_DEVICE", ""),
            "versions": _state["versions"]["execution"],
        }
    )


def _deps_digest(deps: list[str]) -> str:
    """Hash of the package files a run imported, as they are now, and of every non-Python file
    of the package (data a module might read)."""
    files = _state["package_files"]
    names = sorted(set(deps) | {f for f in files if not f.endswith(".py")})
    return _digest([(name, files.get(name, "missing")) for name in names])[:32]


def _deps_index(key: str) -> Path:
    """Per code key: the sets of package files that its recent runs imported."""
    return _state["cache_dir"] / f"{key}.deps.json"


def _cached_entry(key: str) -> Path | None:
    """The stored outputs of a run of this code against the package as it is now, if any."""
    for deps in _read_json(_deps_index(key), {"deps": []})["deps"]:
        entry = _state["cache_dir"] / f"{key}-{_deps_digest(deps)}.json"
        if entry.exists():
            return entry
    return None


def _store(key: str, deps: list[str], code: list) -> Path:
    entry = _state["cache_dir"] / f"{key}-{_deps_digest(deps)}.json"
    _write_json(entry, {"deps": deps, "outputs": [c.outputs for c in code]})
    known = _read_json(_deps_index(key), {"deps": []})["deps"]
    _write_json(_deps_index(key), {"deps": [deps, *(d for d in known if d != deps)][:8]})
    return entry


# --------------------------------------------------------------------------- execution
def _page_name(nb_path: str) -> str:
    return Path(nb_path).relative_to(_state["docs_dir"]).as_posix()


def _lang_and_slug(nb_path: str) -> tuple[str, str]:
    rel = Path(nb_path).relative_to(_state["docs_dir"])
    return rel.parts[0], rel.stem


def _read_notebook(nb_path: str, kernel_name: str) -> tuple[nbformat.NotebookNode, list, str]:
    """The notebook, its code cells and their cache key."""
    nb = _parse(nb_path)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"  # stable ids instead of random ones
    code = [c for c in nb.cells if c.cell_type == "code"]
    return nb, code, _execution_key([c.source for c in code], kernel_name)


def _execute(nb: nbformat.NotebookNode, nb_path: str, kernel_name: str) -> list[str]:
    """Run every code cell in place; raise a PluginError naming page and cell on failure.

    Returns the package files (relative to the package folder) that the kernel imported.
    """
    client = NotebookClient(
        nb,
        kernel_name=kernel_name or "python3",
        timeout=600,
        allow_errors=False,
        record_timing=False,  # no timestamps: two builds give identical notebooks
        resources={"metadata": {"path": str(_state["root"])}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:
                number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
                raise PluginError(
                    f"Notebook {_page_name(nb_path)}: code cell {number} failed "
                    f"(cell {index + 1} of the notebook).\n--- cell source ---\n"
                    f"{cell.source}\n--- error ---\n{err.ename}: {err.evalue}"
                ) from None
        probe = nbformat.v4.new_code_cell(_DEPS_PROBE)
        nb.cells.append(probe)  # nbclient only runs cells of its notebook; removed below
        try:
            client.execute_cell(probe, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    imported = json.loads(text[text.index(_DEPS_MARK) + len(_DEPS_MARK) :])
    package = _state["package"]
    if not all(Path(f).resolve().is_relative_to(package) for f in imported):
        log.warning(
            f"Notebook {_page_name(nb_path)}: the kernel imported `attention` from "
            f"{Path(imported[0]).parent}, but this build hashes {package}; cached outputs would "
            "go stale. Install the package with `pip install -e .` and build from its folder."
        )
        return sorted(_state["package_files"])
    return sorted(Path(f).resolve().relative_to(package).as_posix() for f in imported)


def _merge_streams(outputs: list) -> list:
    """Join consecutive prints into one output. How the kernel splits them depends on timing
    (it flushes every 0.2 s), so unmerged outputs would differ from build to build."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def _run_and_store(nb_path: str, kernel_name: str) -> Path:
    """Execute a chapter, store its outputs, log it; return the cache entry."""
    start = time.perf_counter()
    nb, code, key = _read_notebook(nb_path, kernel_name)
    deps = _execute(nb, nb_path, kernel_name)
    for cell in code:
        cell.execution_count = None  # counts differ between a fresh run and the cache
        cell.outputs = _merge_streams(cell.outputs)
    entry = _store(key, deps, code)
    lang, name = _lang_and_slug(nb_path)
    log.info(f"notebook {name} [{lang}]: executed in {time.perf_counter() - start:.1f} s")
    _logged.add(str(Path(nb_path).resolve()))
    return entry


def _chapters(config) -> list[str]:
    """Every page that mkdocs-jupyter renders as a notebook, in every language."""
    plugin = config.plugins["mkdocs-jupyter"]
    pages = sorted(Path(config.docs_dir).rglob("*.md"))
    return [str(p) for p in pages if plugin.should_include(SimpleNamespace(abs_src_path=str(p)))]


def _execute_missing(config) -> None:
    """Execute every chapter whose outputs are not cached, in parallel, once per distinct code."""
    kernel_name = config.plugins["mkdocs-jupyter"].config["kernel_name"]
    todo: dict[str, str] = {}  # code key -> the first page with that code (en before zh)
    for nb_path in _chapters(config):
        key = _read_notebook(nb_path, kernel_name)[2]
        if key not in todo and _cached_entry(key) is None:
            todo[key] = nb_path
    if not todo:
        return
    jobs = min(len(todo), int(os.environ.get("ATTENTION_NB_JOBS") or os.cpu_count() or 1))
    log.info(f"notebooks: executing {len(todo)} chapter(s) on {jobs} kernel(s)")
    with ThreadPoolExecutor(jobs, thread_name_prefix="notebook") as pool:
        futures = [pool.submit(_run_and_store, path, kernel_name) for path in todo.values()]
        try:
            for future in as_completed(futures):
                future.result()  # the first failing chapter fails the build
        except BaseException:
            for future in futures:
                future.cancel()  # chapters already running finish; no new one starts
            raise


def _executed_notebook(nb_path: str, kernel_name: str) -> nbformat.NotebookNode:
    nb, code, key = _read_notebook(nb_path, kernel_name)
    entry = _cached_entry(key)
    if entry is None:  # a page `on_pre_build` did not see: execute it now
        entry = _run_and_store(nb_path, kernel_name)
    elif str(Path(nb_path).resolve()) in _logged:
        _logged.discard(str(Path(nb_path).resolve()))  # its line said "executed in"
    else:
        lang, name = _lang_and_slug(nb_path)
        log.info(f"notebook {name} [{lang}]: cached")
    cached = _read_json(entry)
    for cell, outputs in zip(code, cached["outputs"], strict=True):
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell.execution_count = None
    entry.touch()  # keep entries in use; prune only long-unused ones
    _deps_index(key).touch()
    return nb


# --------------------------------------------------------------------------- rendering
def _render_key(payload: dict) -> str:
    return _digest({**payload, "hook": _HOOK_DIGEST, "versions": _state["versions"]["render"]})


def _render(ipynb: str, name: str, lang: str, args, kwargs) -> tuple[str, list[str]]:
    """nbconvert's HTML of an executed notebook, and the <style> blocks taken out of it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.ipynb"
        path.write_text(ipynb, encoding="utf-8")
        html = _state["nb2html"](str(path), *args, **kwargs)
    # Move the inlined JupyterLab CSS into one shared stylesheet.
    css = _STYLE.findall(html)
    html = _STYLE.sub("", html)
    html = _REMOTE_SCRIPT.sub("", html)
    link = (
        f'<p class="nb-download"><a href="{name}.ipynb" download>'
        f"{_DOWNLOAD_LABEL.get(lang, _DOWNLOAD_LABEL['en'])} ({name}.ipynb)</a></p>"
    )
    return html.replace("</h1>", "</h1>" + link, 1), css


def _for_jupyter(nb: nbformat.NotebookNode) -> str:
    """The downloadable notebook. An output that carries a Vega-Lite chart (an explorable)
    drops its text/html, the site's container, which needs the site's scripts: JupyterLab
    ranks HTML above its Vega renderer, so it would show that container, empty."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(mime.startswith("application/vnd.vegalite.") for mime in data):
                data.pop("text/html", None)
    return jupytext.writes(nb, fmt="ipynb")


def _nb2html(nb_path: str, *args, **kwargs) -> str:
    """Wrap mkdocs-jupyter's converter: execute through our cache, render through another."""
    kwargs["execute"] = False
    nb = _executed_notebook(nb_path, kwargs.get("kernel_name", ""))
    lang, name = _lang_and_slug(nb_path)
    ipynb = jupytext.writes(nb, fmt="ipynb")
    _state["downloads"][str(Path(nb_path).resolve())] = (f"{name}.ipynb", _for_jupyter(nb))
    render = _state["cache_dir"] / "render"
    entry = render / f"{_render_key({'nb': ipynb, 'page': [lang, name, args, kwargs]})}.json"
    cached = _read_json(entry)
    css_files = [render / f"{sha}.css" for sha in (cached or {}).get("css", [])]
    if cached is not None and all(f.exists() for f in css_files):
        html = cached["html"]
        css = [f.read_text(encoding="utf-8") for f in css_files]
        for path in (entry, *css_files):
            path.touch()
    else:
        html, css = _render(ipynb, name, lang, args, kwargs)
        shas = [hashlib.sha256(block.encode()).hexdigest() for block in css]
        for sha, block in zip(shas, css, strict=True):
            (render / f"{sha}.css").parent.mkdir(parents=True, exist_ok=True)
            (render / f"{sha}.css").write_text(block, encoding="utf-8")
        _write_json(entry, {"html": html, "css": shas})
    for block in css:
        if block not in _state["css"]:
            _state["css"].append(block)
    return html


def _nb_toc_tokens(nb_path: str, toc_depth: int) -> tuple[list, str | None]:
    """The page's TOC and title: its Markdown cells through `_unicode_toc`.

    Replaces mkdocs-jupyter's, which strips inline code before reading the headings, so that
    "### The same with `DotProductAttention`" got the TOC link ``#the-same-with`` while the
    heading's id is ``the-same-with-dotproductattention``.
    """
    nb = _parse(nb_path)
    source = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    tokens = _unicode_toc(source, toc_depth)
    title = next((t["name"] for t in tokens if t["level"] == 1), None)
    return tokens, title


# --------------------------------------------------------------------------- mkdocs events
def on_config(config):
    root = Path(config.config_file_path).parent
    package, package_files = _package_files()
    _state.update(
        root=root,
        docs_dir=Path(config.docs_dir),
        # ATTENTION_NB_CACHE: another cache folder (the tests build with a cold one).
        cache_dir=Path(os.environ.get("ATTENTION_NB_CACHE") or root / ".cache" / "notebooks"),
        package=package,
        package_files=package_files,
        # Looked up once per build: the cache keys of every page include them.
        versions={
            kind: {name: metadata.version(name) for name in names}
            for kind, names in _VERSIONED.items()
        },
        downloads={},
        css=[],
    )
    if "nb2html" not in _state:  # patch once, even when `mkdocs serve` reloads the config
        _state["nb2html"] = mkj_convert.nb2html
        _state["should_include"] = mkj_plugin.Plugin.should_include
        _state["included"] = {}
        mkj_plugin.Plugin.should_include = _should_include
        mkj_convert.nb2html = _nb2html
        mkj_convert.add_anchor_lower_id = _heading_anchor
        mkj_plugin._get_markdown_toc = _unicode_toc
        mkj_plugin._get_nb_toc_tokens = _nb_toc_tokens
    return config


def on_pre_build(config) -> None:
    _execute_missing(config)


def on_post_page(output: str, page, config) -> str:
    output = _HREFLANG_LINK.sub("", output)
    download = _state["downloads"].get(str(Path(page.file.abs_src_path or "").resolve()))
    if download:
        filename, text = download
        target = Path(page.file.abs_dest_path).parent / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return output


def on_post_build(config) -> None:
    css = Path(config.site_dir) / "assets" / "stylesheets" / "jupyter.css"
    if _state["css"]:
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text("\n".join(_state["css"]), encoding="utf-8")
    # Prune files unused for 30 days (never the other language's: they share entries).
    cutoff = time.time() - 30 * 24 * 3600
    for path in _state["cache_dir"].rglob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
