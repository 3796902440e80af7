"""MkDocs hook: execute each chapter notebook once per build, cache it correctly, serve it light.

mkdocs-jupyter renders the chapters (jupytext Markdown under ``docs/<lang>/``). This hook wraps
its ``convert.nb2html`` to fix what the toolchain notes measured (``../shared/toolchain-notes.md``):

* **One execution per chapter, shared by both languages.** The cache key covers the code cells
  only (the English and Chinese notebooks of a chapter have identical code cells), the package
  sources under ``attention/``, the kernel and the library versions. Prose edits never
  re-execute; an edit to ``attention/`` re-executes every chapter (all of them import it).
  Entries are never evicted by the other language's build (mkdocs-jupyter's own cache is).
* **A failing cell fails the build** with the page, the cell number and the error.
* **Unicode heading ids**, so Chinese headings get the same ids as the ``toc`` extension's.
* **One shared stylesheet**: the ~600 KB of JupyterLab CSS that mkdocs-jupyter inlines into
  every page is written once to ``assets/stylesheets/jupyter.css``.
* **A downloadable notebook** next to each chapter, executed, in the page's language.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import tempfile
import time
from importlib import metadata
from pathlib import Path

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

CACHE_VERSION = "1"  # bump when the cached format or the execution recipe changes
_slugify = _pymdownx_slugify(case="lower")  # same ids as the `toc` extension in mkdocs.yml
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.DOTALL)
# nbconvert's template adds a MathJax loader (a CDN) and mermaid; KaTeX renders math instead.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*(?:mathjax|MathJax|mermaid)[^>]*>.*?</script>\s*", re.DOTALL
)
_DOWNLOAD_LABEL = {
    "en": "Download this chapter as a Jupyter notebook",
    "zh": "下载本章的 Jupyter 笔记本",
}

_state: dict = {}


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

    md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth, slugify=_slugify)])
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


# --------------------------------------------------------------------------- cache key
def _package_digest() -> str:
    """Hash every source file of the package the kernel will import (the installed one, an
    editable install in development), so an edit to it re-executes the chapters."""
    spec = importlib.util.find_spec("attention")
    if spec is None or spec.origin is None:
        raise PluginError("The `attention` package is not importable: run `pip install -e .`")
    package = Path(spec.origin).parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _execution_key(code_cells: list[str], kernel_name: str) -> str:
    payload = {
        "cache": CACHE_VERSION,
        "code": code_cells,
        "package": _state["package_digest"],
        "kernel": kernel_name,
        "device": os.environ.get("ATTENTION_DEVICE", ""),
        "versions": {p: metadata.version(p) for p in ("torch", "matplotlib", "ipykernel")},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------- execution
def _page_name(nb_path: str) -> str:
    return Path(nb_path).relative_to(_state["docs_dir"]).as_posix()


def _execute(nb: nbformat.NotebookNode, nb_path: str, kernel_name: str) -> None:
    """Run every code cell in place; raise a PluginError naming page and cell on failure."""
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


def _executed_notebook(nb_path: str, kernel_name: str) -> nbformat.NotebookNode:
    nb = jupytext.read(nb_path)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"  # stable ids instead of random ones
    code = [c for c in nb.cells if c.cell_type == "code"]
    key = _execution_key([c.source for c in code], kernel_name)
    entry = _state["cache_dir"] / f"{key}.json"
    lang, name = _lang_and_slug(nb_path)
    start = time.perf_counter()
    if entry.exists():
        cached = json.loads(entry.read_text(encoding="utf-8"))
        for cell, outputs in zip(code, cached["outputs"], strict=True):
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            cell.execution_count = None
        entry.touch()  # keep entries in use; prune only long-unused ones
        log.info(f"notebook {name} [{lang}]: cached")
    else:
        _execute(nb, nb_path, kernel_name)
        for cell in code:
            cell.execution_count = None  # counts differ between a fresh run and the cache
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(json.dumps({"outputs": [c.outputs for c in code]}), encoding="utf-8")
        tmp.replace(entry)  # atomic: a killed build never leaves a half-written entry
        log.info(f"notebook {name} [{lang}]: executed in {time.perf_counter() - start:.1f} s")
    _state["executions"].append((name, lang, entry.name, time.perf_counter() - start))
    return nb


def _lang_and_slug(nb_path: str) -> tuple[str, str]:
    rel = Path(nb_path).relative_to(_state["docs_dir"])
    return rel.parts[0], rel.stem


# --------------------------------------------------------------------------- rendering
def _nb2html(nb_path: str, *args, **kwargs) -> str:
    """Wrap mkdocs-jupyter's converter: execute through our cache, then render without kernel."""
    kwargs["execute"] = False
    nb = _executed_notebook(nb_path, kwargs.get("kernel_name", ""))
    lang, name = _lang_and_slug(nb_path)
    ipynb = jupytext.writes(nb, fmt="ipynb")
    _state["downloads"][str(Path(nb_path).resolve())] = (f"{name}.ipynb", ipynb)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.ipynb"
        path.write_text(ipynb, encoding="utf-8")
        html = _state["nb2html"](str(path), *args, **kwargs)
    # Move the inlined JupyterLab CSS into one shared stylesheet.
    for css in _STYLE.findall(html):
        if css not in _state["css"]:
            _state["css"].append(css)
    html = _STYLE.sub("", html)
    html = _REMOTE_SCRIPT.sub("", html)
    link = (
        f'<p class="nb-download"><a href="{name}.ipynb" download>'
        f"{_DOWNLOAD_LABEL.get(lang, _DOWNLOAD_LABEL['en'])} ({name}.ipynb)</a></p>"
    )
    return html.replace("</h1>", "</h1>" + link, 1)


# --------------------------------------------------------------------------- mkdocs events
def on_config(config):
    root = Path(config.config_file_path).parent
    _state.update(
        root=root,
        docs_dir=Path(config.docs_dir),
        # ATTENTION_NB_CACHE: another cache folder (the tests build with a cold one).
        cache_dir=Path(os.environ.get("ATTENTION_NB_CACHE") or root / ".cache" / "notebooks"),
        package_digest=_package_digest(),
        downloads={},
        css=[],
        executions=[],
    )
    if "nb2html" not in _state:  # patch once, even when `mkdocs serve` reloads the config
        _state["nb2html"] = mkj_convert.nb2html
        mkj_convert.nb2html = _nb2html
        mkj_convert.add_anchor_lower_id = _heading_anchor
        mkj_plugin._get_markdown_toc = _unicode_toc
    return config


def on_post_page(output: str, page, config) -> str:
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
    # Prune entries unused for 30 days (never the other language's: they share entries).
    cutoff = time.time() - 30 * 24 * 3600
    for entry in _state["cache_dir"].glob("*.json"):
        if entry.stat().st_mtime < cutoff:
            entry.unlink()
