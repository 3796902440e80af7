"""The home page's table of chapters, made from the chapters themselves at build time.

A home page (``docs/<lang>/index.md``) keeps the table's header in its own language and, where
the rows go, the line `MARKER`. Each row is one chapter of the nav, in its order (a chapter: a
page whose front matter names a Python kernel): its number, its title (the page's first ``# ``
heading) linked to it, and its one-line summary, the ``description`` of its front matter (which
Material also writes into the chapter's ``<meta name="description">``). Adding a chapter to the
``nav`` of ``mkdocs.yml`` adds its row. The rows are Markdown, expanded before the page is
rendered; a Chinese summary stays on one line of its front matter (YAML joins lines with a space).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import meta as mkdocs_meta

from ..notebooks import is_notebook

MARKER = "<!-- chapters -->"
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chapter:
    link: str  # the page, relative to the home page: "attention-cues.md"
    title: str  # its first "# " heading
    summary: str  # its front matter's description, on one line


def first_heading(markdown: str) -> str | None:
    """The text of the first ``# `` heading outside fenced code (a ``# comment`` in a code cell
    is not a heading)."""
    fence = ""
    for line in markdown.splitlines():
        opening = _FENCE.match(line)
        if fence:
            fence = "" if opening and opening[1].startswith(fence) else fence
        elif opening:
            fence = opening[1]
        elif heading := _HEADING.match(line):
            return heading[1]
    return None


def read_chapters(pages: Iterable[Path], home: Path) -> list[Chapter]:
    """The chapters among ``pages`` (source files in nav order), linked from the folder
    ``home``; a chapter without a title or a ``description`` is a build error naming it."""
    chapters = []
    for path in pages:
        body, meta = mkdocs_meta.get_data(path.read_text(encoding="utf-8"))
        if not is_notebook(meta):
            continue
        title, summary = first_heading(body), meta.get("description")
        if not title or not isinstance(summary, str) or not summary.strip():
            raise PluginError(
                f"{path}: the home page's table of chapters needs its '# ' title and a "
                f"one-line 'description:' in its front matter; got title={title!r}, "
                f"description={summary!r}"
            )
        link = Path(os.path.relpath(path, home)).as_posix()
        chapters.append(Chapter(link, title, " ".join(summary.split())))
    return chapters


def table_rows(chapters: Iterable[Chapter]) -> str:
    """One Markdown table row per chapter: ``| number | [title](link) | summary |``."""

    def cell(text: str) -> str:
        return text.replace("|", r"\|")

    return "\n".join(
        f"| {number} | [{cell(c.title)}]({c.link}) | {cell(c.summary)} |"
        for number, c in enumerate(chapters, start=1)
    )


def expand(markdown: str, pages: Iterable[Path], home: Path) -> str:
    """``markdown`` with its `MARKER` line replaced by the rows of the chapters among
    ``pages``; unchanged if it has none."""
    lines = markdown.split("\n")
    if MARKER not in (line.strip() for line in lines):
        return markdown
    rows = table_rows(read_chapters(pages, home))
    return "\n".join(rows if line.strip() == MARKER else line for line in lines)
