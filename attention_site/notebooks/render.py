"""An executed notebook as the HTML of a page: mkdocs-jupyter's converter, then our fixes.

mkdocs-jupyter is used as a library only (``mkdocs_jupyter.convert.nb2html`` and its nbconvert
template): its plugin is not enabled and none of its internals is patched. `check_mkdocs_jupyter`
checks at start-up that the function still takes the options passed here.
"""

from __future__ import annotations

import copy
import html as html_lib
import inspect
import itertools
import re
import tempfile
from importlib import metadata
from pathlib import Path

import jupytext
import nbformat
from markdown.extensions.toc import unique
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

# The options given to nb2html: no execution (done before, cached), no "In [ ]:" prompts, and
# no MathJax URL (KaTeX renders the math).
NB2HTML_OPTIONS = {"execute": False, "allow_errors": False, "no_prompt": True, "theme": ""}
NB2HTML_OPTIONS["custom_mathjax_url"] = ""

_slugify = slugify(case="lower")  # the `toc` extension's slugify in mkdocs.yml
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.DOTALL)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.DOTALL)
# nbconvert's template adds a MathJax loader (a CDN) and mermaid; KaTeX renders math instead.
_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*(?:mathjax|MathJax|mermaid)[^>]*>.*?</script>\s*", re.DOTALL
)
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


def unicode_heading_ids(html: str) -> str:
    """Give every heading the id the ``toc`` extension gives it (Unicode kept, lower case,
    repeated ids numbered), and a permalink to it.

    nbconvert and mkdocs-jupyter slugify ASCII-only and percent-encode, so Chinese headings got
    ids no TOC link (``#第一节``) reaches, and search held duplicate locations.
    """
    ids: set[str] = set()

    def fix(match: re.Match) -> str:
        level, inner = match[1], _ANCHOR.sub("", match[2])
        slug = unique(_slugify(html_lib.unescape(_TAG.sub("", inner)), "-"), ids)
        anchor = f'<a class="anchor-link" href="#{slug}">¶</a>'
        return f'<h{level} id="{slug}">{inner}{anchor}</h{level}>'

    return _HEADING.sub(fix, html)


def split_styles(html: str) -> tuple[str, list[str]]:
    """The page without its ``<style>`` blocks, and the blocks (the ~600 KB of JupyterLab CSS
    that nbconvert inlines in every page; the site ships them once, see `collect_css`)."""
    return _STYLE.sub("", html), _STYLE.findall(html)


def collect_css(collected: list[str], blocks: list[str]) -> None:
    """Add a page's style blocks to the site's one stylesheet, each distinct block once."""
    collected.extend(b for b in blocks if b not in collected)


def finish(html: str, name: str, lang: str) -> str:
    """No remote scripts; a download link to the executed notebook under the title."""
    html = _REMOTE_SCRIPT.sub("", html)
    label = DOWNLOAD_LABEL.get(lang, DOWNLOAD_LABEL["en"])
    link = f'<p class="nb-download"><a href="{name}.ipynb" download>{label} ({name}.ipynb)</a></p>'
    return html.replace("</h1>", "</h1>" + link, 1)


def render(ipynb: str, name: str, lang: str) -> tuple[str, list[str]]:
    """The page HTML of an executed notebook, and the style blocks taken out of it."""
    html, css = split_styles(nb2html(ipynb, name))
    return finish(unicode_heading_ids(html), name, lang), css


# Where each cell of nbconvert's HTML starts (the plugin gives every cell an id); a code cell
# has a wrapper without an id around it.
_CELL_START = re.compile(
    r'(?:<div class="jp-Cell [^"]*">\s*)?<div class="jp-Cell [^"]*" id="cell-id='
)


_DIV = re.compile(r"<div\b|</div>")


def cell_parts(body: str) -> list[str]:
    """nbconvert's HTML (styles taken out) cut before each cell: [before the first, *cells];
    the last cell's part ends the document."""
    cuts = [0, *(match.start() for match in _CELL_START.finditer(body)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(cuts)]


def render_prose_edit(
    before: nbformat.NotebookNode, parts: list[str], nb: nbformat.NotebookNode, name: str
) -> tuple[str, list[str]] | None:
    """nbconvert's HTML of ``nb`` (styles taken out) and its style blocks, made from ``parts``
    (`cell_parts` of the HTML of ``before``) by converting only the Markdown cells that
    differ: a prose edit then costs a few cells, not the notebook (about a second). None when
    more changed: a code cell or its outputs, or the number of cells.

    nbconvert converts each cell on its own (no state from one cell to the next for Markdown
    cells), so a cell converted alone is the same HTML; `tests/test_serve.py` checks it."""
    if len(before.cells) != len(nb.cells) or len(parts) != len(nb.cells) + 1:
        return None
    changed = [i for i, (a, b) in enumerate(zip(before.cells, nb.cells, strict=True)) if a != b]
    if any(nb.cells[i].cell_type != "markdown" for i in changed):
        return None
    mini = copy.deepcopy(nb)
    end = nbformat.v4.new_markdown_cell("")
    end.id = "cell-end"  # every changed cell is followed by another: its part is the cell alone
    mini.cells = [mini.cells[i] for i in changed] + [end]
    body, css = split_styles(nb2html(jupytext.writes(mini, fmt="ipynb"), name))
    converted = cell_parts(body)
    if converted[0] != parts[0] or len(converted) != len(changed) + 2:
        return None
    new = list(parts)
    for i, part in zip(changed, converted[1:], strict=False):
        # What follows a cell (a newline or not, the end of the document) stays.
        old, end, old_end = parts[i + 1], _cell_end(part), _cell_end(parts[i + 1])
        if end is None or old_end is None:
            return None
        new[i + 1] = part[:end] + old[old_end:]
    return "".join(new), css


def _cell_end(part: str) -> int | None:
    """Where the cell that starts ``part`` ends (its ``<div>`` closed)."""
    depth = 0
    for match in _DIV.finditer(part):
        depth += 1 if match[0] == "<div" else -1
        if depth == 0:
            return match.end()
    return None


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
    """``banner`` under the page's title (or first, if it has none)."""
    if "</h1>" in html:
        return html.replace("</h1>", "</h1>" + banner, 1)
    return banner + html
