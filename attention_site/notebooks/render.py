"""An executed notebook as the HTML of a page: mkdocs-jupyter's converter, then our fixes.

mkdocs-jupyter is used as a library only (``mkdocs_jupyter.convert.nb2html`` and its nbconvert
template): its plugin is not enabled and none of its internals is patched. `check_mkdocs_jupyter`
checks at start-up that the function still takes the options passed here.
"""

from __future__ import annotations

import html as html_lib
import inspect
import re
import tempfile
from importlib import metadata
from pathlib import Path

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
