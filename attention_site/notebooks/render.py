"""An executed notebook as the HTML of a page: mkdocs-jupyter's converter, then our fixes, done
on one parse of nbconvert's HTML (`finish`; the theme's page around it does not exist yet, and
MkDocs' search and table of contents read the headings' ids from this HTML).

mkdocs-jupyter is used as a library only (``mkdocs_jupyter.convert.nb2html`` and its nbconvert
template): its plugin is not enabled and none of its internals is patched. `check_mkdocs_jupyter`
checks at start-up that the function still takes the options passed here.
"""

from __future__ import annotations

import copy
import html as html_lib
import inspect
import re
import tempfile
from importlib import metadata
from pathlib import Path

import jupytext
import nbformat
from markdown.extensions.toc import unique
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

from ..markup import LexborHTMLParser, LexborNode, fragment

# The options given to nb2html: no execution (done before, cached), no "In [ ]:" prompts, and
# no MathJax URL (KaTeX renders the math).
NB2HTML_OPTIONS = {"execute": False, "allow_errors": False, "no_prompt": True, "theme": ""}
NB2HTML_OPTIONS["custom_mathjax_url"] = ""

_slugify = slugify(case="lower")  # the `toc` extension's slugify in mkdocs.yml
# nbconvert's template adds a MathJax loader (a CDN) and mermaid; KaTeX renders math instead.
_REMOTE = re.compile(r"mathjax|mermaid", re.IGNORECASE)  # in a script's attributes
# nbconvert's lab template loads mermaid for ".jp-Mermaid" diagrams: no page has one.
_MERMAID_LOADER = 'querySelectorAll(".jp-Mermaid > pre.mermaid")'
DOWNLOAD_LABEL = {
    "en": "Download this chapter as a Jupyter notebook",
    "zh": "下载本章的 Jupyter 笔记本",
}


def mkdocs_jupyter_version() -> str:
    return metadata.version("mkdocs-jupyter")


def check_mkdocs_jupyter() -> None:
    """Fail the build, naming the installed version, if ``nb2html`` is gone or no longer takes
    the options passed to it (an upstream change would otherwise surface mid-build)."""
    try:
        from mkdocs_jupyter import convert

        params = inspect.signature(convert.nb2html).parameters
    except (ImportError, AttributeError, TypeError, ValueError) as err:
        raise PluginError(
            f"mkdocs-jupyter {mkdocs_jupyter_version()}: `mkdocs_jupyter.convert.nb2html` is "
            f"missing ({err}); attention-notebooks was written against 0.26.3"
        ) from None
    missing = sorted(set(NB2HTML_OPTIONS) - set(params))
    if missing:
        raise PluginError(
            f"mkdocs-jupyter {mkdocs_jupyter_version()}: `nb2html` no longer takes {missing}; "
            "attention-notebooks was written against 0.26.3"
        )


def nb2html(ipynb: str, name: str) -> str:
    """nbconvert's HTML of an executed notebook (``ipynb``: its JSON text)."""
    from mkdocs_jupyter import convert

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.ipynb"
        path.write_text(ipynb, encoding="utf-8")
        return convert.nb2html(str(path), **NB2HTML_OPTIONS)


def unicode_heading_ids(tree: LexborHTMLParser) -> None:
    """Give every heading the id the ``toc`` extension gives it (Unicode kept, lower case,
    repeated ids numbered), and a permalink to it.

    nbconvert and mkdocs-jupyter slugify ASCII-only and percent-encode, so Chinese headings got
    ids no TOC link (``#第一节``) reaches, and search held duplicate locations. Done again on
    its own result, it gives the same (a prose edit redoes it on the finished page).
    """
    ids: set[str] = set()
    for heading in tree.css("h1, h2, h3, h4, h5, h6"):
        for anchor in heading.css("a.anchor-link"):
            anchor.decompose()
        slug = unique(_slugify(heading.text(), "-"), ids)
        for name in list(heading.attributes):
            del heading.attrs[name]
        heading.attrs["id"] = slug
        heading.insert_child(fragment(f'<a class="anchor-link" href="#{slug}">¶</a>').root)


def drop_remote_scripts(tree: LexborHTMLParser) -> None:
    """No remote scripts (MathJax, mermaid), and no mermaid loader where nothing uses it."""
    mermaid = tree.css_first(".jp-Mermaid") is not None
    for script in tree.css("script"):
        attrs = " ".join(f"{k}={v}" for k, v in script.attributes.items())
        if _REMOTE.search(attrs) or (not mermaid and _MERMAID_LOADER in script.text()):
            _drop(script)


def _drop(node: LexborNode) -> None:
    """``node`` and the whitespace after it (its line)."""
    after = node.next
    if after is not None and after.is_text_node and not after.text_content.strip():
        after.decompose()
    node.decompose()


def split_styles(tree: LexborHTMLParser) -> list[str]:
    """The ``<style>`` blocks taken out of the page (the ~600 KB of JupyterLab CSS that
    nbconvert inlines in every page; the site ships them once, see `collect_css`)."""
    blocks = []
    for style in tree.css("style"):
        blocks.append(style.text())
        _drop(style)
    return blocks


def collect_css(collected: list[str], blocks: list[str]) -> None:
    """Add a page's style blocks to the site's one stylesheet, each distinct block once."""
    collected.extend(b for b in blocks if b not in collected)


def link_download(tree: LexborHTMLParser, name: str, lang: str) -> None:
    """A download link to the executed notebook under the title (once)."""
    for old in tree.css("p.nb-download"):
        old.decompose()
    title = tree.css_first("h1")
    if title is not None:
        label = DOWNLOAD_LABEL.get(lang, DOWNLOAD_LABEL["en"])
        link = f'<a href="{name}.ipynb" download>{label} ({name}.ipynb)</a>'
        title.insert_after(fragment(f'<p class="nb-download">{link}</p>').root)


def _fix(tree: LexborHTMLParser, name: str, lang: str) -> tuple[str, list[str]]:
    css = split_styles(tree)
    drop_remote_scripts(tree)
    unicode_heading_ids(tree)
    link_download(tree, name, lang)
    return tree.html, css


def finish(html: str, name: str, lang: str) -> tuple[str, list[str]]:
    """nbconvert's HTML of a notebook as the page's content, parsed once: without its style
    blocks (returned), remote scripts and mermaid loader; headings with the ``toc``
    extension's ids; a download link to the executed notebook under the title."""
    return _fix(fragment(html), name, lang)


def render(ipynb: str, name: str, lang: str) -> tuple[str, list[str]]:
    """The page HTML of an executed notebook, and the style blocks taken out of it."""
    return finish(nb2html(ipynb, name), name, lang)


def _cells(tree: LexborHTMLParser) -> dict[str, LexborNode]:
    """The cells of nbconvert's HTML by id (the plugin gives every cell an id)."""
    return {cell.attrs["id"]: cell for cell in tree.css('div.jp-Cell[id^="cell-id="]')}


def render_changed_cells(
    before: nbformat.NotebookNode, html: str, nb: nbformat.NotebookNode, name: str, lang: str
) -> tuple[str, list[str]] | None:
    """The page HTML of ``nb`` and its style blocks, made from ``html`` (`finish`'s HTML of
    ``before``) by converting only the cells that differ: a prose edit costs a few Markdown
    cells, and a package edit the code cells whose outputs changed, not the whole notebook
    (0.2-1 s a chapter on a quiet machine; about 0.1 s this way). None when that cannot give
    the same page: the number of cells changed, nothing in the cells did (the notebook's
    metadata), or an unchanged cell's output carries a ``<style>`` block (the page's style
    blocks come from the converted cells).

    nbconvert converts each cell on its own (no state from one cell to the next: execution
    counts are cleared), so a cell converted alone is the same HTML, and `finish` done again
    on the page gives the same as on a whole conversion; `tests/test_serve.py` checks it."""
    if len(before.cells) != len(nb.cells):
        return None
    changed = [i for i, (a, b) in enumerate(zip(before.cells, nb.cells, strict=True)) if a != b]
    kept = [cell for i, cell in enumerate(nb.cells) if i not in changed]
    if not changed or any(_styled(cell) for cell in kept):
        return None
    mini = copy.deepcopy(nb)
    mini.cells = [mini.cells[i] for i in changed]
    converted = fragment(nb2html(jupytext.writes(mini, fmt="ipynb"), name))
    page = fragment(html)
    new, old = _cells(converted), _cells(page)
    ids = [f"cell-id={nb.cells[i].id}" for i in changed]
    if sorted(new) != sorted(ids) or not set(ids) <= set(old):
        return None
    code_cells = (cell for cell in nb.cells if cell.cell_type == "code")
    numbers = {f"cell-id={cell.id}": n for n, cell in enumerate(code_cells, start=1)}
    for cell_id in ids:
        cell = _wrapper(new[cell_id])
        if cell_id in numbers:  # the copy button names its code cell by its number
            for button in cell.css("clipboard-copy[for]"):
                button.attrs["for"] = f"cell-{numbers[cell_id]}"
            for text in cell.css("div.clipboard-copy-txt[id]"):
                text.attrs["id"] = f"cell-{numbers[cell_id]}"
        _wrapper(old[cell_id]).replace_with(cell)
    html, _ = _fix(page, name, lang)
    return html, split_styles(converted)


def _wrapper(cell: LexborNode) -> LexborNode:
    """A code cell is two nested ``div.jp-Cell``, the outer one without an id (both carry
    ``jp-mod-noOutputs`` when it has no output): the whole cell is the outer one."""
    outer = cell.parent
    if outer is None or outer.tag != "div" or "id" in outer.attrs:
        return cell
    return outer if "jp-Cell" in (outer.attrs.get("class") or "").split() else cell


def _styled(cell: nbformat.NotebookNode) -> bool:
    """Whether an output of ``cell`` carries a style block (`split_styles` takes it out)."""
    return any(
        "<style" in "".join(output.get("data", {}).get("text/html", ""))
        for output in cell.get("outputs", [])
    )


# ------------------------------------------------------------------ banners (mkdocs serve only)
_BANNER_TEXT = {
    "en": {
        "failed": "Code cell {number} failed: {error}",
        "timed_out": "Code cell {number} was stopped: it ran longer than {limit} s",
        "failed_body": (
            "This is what the chapter printed when <code>mkdocs serve</code> ran it: the "
            "traceback is below, and under code cell {number}; the cells after it did not run. "
            "Save a fix and this page reloads. (<code>mkdocs build</code> fails on this error.)"
        ),
        "limit": (
            " Under <code>mkdocs serve</code> a cell may run for {limit} s "
            "(<code>serve_timeout</code> of the <code>attention-notebooks</code> plugin in "
            "<code>mkdocs.yml</code>)."
        ),
        "pending": "Running this chapter again after your edit",
        "pending_body": "Its outputs below are from before; the page reloads when it is done.",
    },
    "zh": {
        "failed": "代码单元 {number} 出错：{error}",
        "timed_out": "代码单元 {number} 已被中止：运行超过 {limit} 秒",
        "failed_body": (
            "这是 <code>mkdocs serve</code> 运行本章时的输出：回溯信息在下方，也在代码单元 "
            "{number} 之下；其后的单元没有运行。保存修改后本页会自动重新加载。"
            "（<code>mkdocs build</code> 遇到此错误会失败。）"
        ),
        "limit": (
            " 在 <code>mkdocs serve</code> 下每个单元最多运行 {limit} 秒（<code>mkdocs.yml</code> "
            "中 <code>attention-notebooks</code> 插件的 <code>serve_timeout</code>）。"
        ),
        "pending": "正在按你的修改重新运行本章",
        "pending_body": "下面的输出来自修改之前；运行完后本页会自动重新加载。",
    },
}


def failure_banner(
    *, number: int, ename: str, evalue: str, traceback: str, timed_out: bool, limit: int, lang: str
) -> str:
    """The box at the top of a chapter whose cell failed under ``mkdocs serve``: which code
    cell, the error (a SyntaxError names file and line) and the traceback, as Jupyter shows it."""
    text = _BANNER_TEXT.get(lang, _BANNER_TEXT["en"])
    error = html_lib.escape(f"{ename}: {evalue}" if evalue else ename)
    title = (text["timed_out"] if timed_out else text["failed"]).format(
        number=number, error=error, limit=limit
    )
    body = text["failed_body"].format(number=number)
    if timed_out:
        body += text["limit"].format(limit=limit)
    trace = f"<pre><code>{html_lib.escape(traceback)}</code></pre>" if traceback else ""
    return (
        f'<div class="admonition failure nb-failed" role="alert">'
        f'<p class="admonition-title">{title}</p><p>{body}</p>{trace}</div>'
    )


def pending_banner(lang: str) -> str:
    """The box at the top of a chapter that runs in the background (``mkdocs serve``)."""
    text = _BANNER_TEXT.get(lang, _BANNER_TEXT["en"])
    return (
        f'<div class="admonition info nb-pending" role="status">'
        f'<p class="admonition-title">{text["pending"]}</p><p>{text["pending_body"]}</p></div>'
    )


def with_banner(html: str, banner: str) -> str:
    """``banner`` under the page's title (or first, if it has none): the page is `finish`'s
    HTML, whose first ``</h1>`` ends the title (a string splice; the page is parsed once, by
    `attention_site.pages.finish_page`)."""
    if "</h1>" in html:
        return html.replace("</h1>", "</h1>" + banner, 1)
    return banner + html
