"""Builds are reproducible, and a broken cell stops the build, naming page and cell."""

from __future__ import annotations

import re
import shutil

import pytest

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    ROOT,
    BuiltSite,
    build_site,
    figure_files,
    figure_uris,
    page_name,
    page_soup,
)


def test_two_clean_builds_are_identical(built_site: BuiltSite, offline_site: BuiltSite) -> None:
    """The run's second build (`offline_site`: an empty notebook cache, so it executes every
    chapter again) draws the same figures and writes the same downloadable notebooks, byte for
    byte. (It is the offline build: Material's offline plugin changes links and search, not
    what a cell draws.)"""
    again = offline_site
    executed = set(re.findall(r"notebook (\S+) \[\w+\]: executed", again.log))
    assert executed == set(CHAPTERS), f"not executed again (cached?): {set(CHAPTERS) - executed}"
    different = []
    for lang in LANGUAGES:
        for slug in CHAPTERS:
            first = figure_uris(page_soup(built_site, lang, slug))
            second = figure_uris(page_soup(again, lang, slug))
            if len(first) != len(second):
                different.append(f"{page_name(lang, slug)}: {len(first)} vs {len(second)} figures")
            elif first != second:
                pairs = enumerate(zip(first, second, strict=True), start=1)
                changed = [n for n, (a, b) in pairs if a != b]
                different.append(f"{page_name(lang, slug)}: figures {changed} differ")
            files = [f.name for f in figure_files(built_site.page(lang, slug))]
            for name in files:  # figures' and explorables' still files
                if (again.page(lang, slug).parent / name).read_bytes() != (
                    built_site.page(lang, slug).parent / name
                ).read_bytes():
                    different.append(f"{page_name(lang, slug)}: {name} differs")
            notebook = f"{slug}.ipynb"
            first_nb = built_site.page(lang, slug).with_name(notebook).read_bytes()
            if again.page(lang, slug).with_name(notebook).read_bytes() != first_nb:
                different.append(f"{page_name(lang, slug)}: {notebook} differs")
    assert not different, "two clean builds differ:\n" + "\n".join(different)


@pytest.mark.site
def test_a_broken_cell_fails_the_build_naming_page_and_cell(tmp_path) -> None:
    """In a throw-away copy of the site, one chapter gets a failing last cell."""
    for name in ("mkdocs.yml", "docs", "overrides"):  # the config and what it names
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    slug = CHAPTERS[0]
    chapter = tmp_path / "docs" / "en" / f"{slug}.md"
    text = chapter.read_text(encoding="utf-8")
    number = text.count("```python\n") + 1  # the code cell number of the appended cell
    chapter.write_text(text + '\n```python\nraise RuntimeError("deliberately broken")\n```\n')

    result = build_site(
        tmp_path / "site",
        config_dir=tmp_path,
        env={"ATTENTION_NB_CACHE": str(ROOT / ".cache" / "notebooks")},  # the rest: cached
    )
    log = result.log
    assert result.returncode != 0, "the build succeeded despite a failing cell"
    for expected in (f"en/{slug}.md", f"code cell {number}", "deliberately broken"):
        assert expected in log, f"the build's error does not name {expected!r}:\n{log[-3000:]}"
