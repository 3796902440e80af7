"""English and Chinese are the same site: same pages, code logic, printed numbers, figures,
structure and glossary."""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    ROOT,
    BuiltSite,
    executed_notebook,
    notebook_code_cells,
    page_figures,
    page_soup,
)

IGNORED = ("assets", "search")  # shared by both languages, built once at the root
ONLY_ONCE = {"404.html"}  # mkdocs-static-i18n writes one 404 page for the whole site


def built_files(site: BuiltSite, lang: str) -> set[str]:
    """The pages and notebooks of one language, as paths relative to its root."""
    root = site.root if lang == "en" else site.root / lang
    files = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.suffix not in (".html", ".ipynb") or rel.split("/")[0] in (*IGNORED, *LANGUAGES):
            continue
        files.add(rel)
    return files - ONLY_ONCE


def test_same_pages(built_site: BuiltSite) -> None:
    en, zh = built_files(built_site, "en"), built_files(built_site, "zh")
    assert en == zh, f"only in en: {sorted(en - zh)}; only in zh: {sorted(zh - en)}"


def headings(site: BuiltSite, lang: str, slug: str) -> list[str]:
    return [h.name for h in page_soup(site, lang, slug).select("article :is(h1, h2, h3)")]


# --------------------------------------------------------------------------- code cells
# The two languages' cells may differ in comments and string literals only (CONTRIBUTING.md).
CODE_CELL = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def source_cells(lang: str, slug: str) -> list[str]:
    """The code cells of a chapter, read from its Markdown source."""
    return CODE_CELL.findall((ROOT / "docs" / lang / f"{slug}.md").read_text(encoding="utf-8"))


class _BlankStrings(ast.NodeTransformer):
    """Every string constant becomes one placeholder; an f-string keeps only its ``{...}``."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant("…") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        kept = [self.visit(v) for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.JoinedStr(kept)


def logic(source: str) -> str:
    """A cell's Python AST with its strings blanked out (comments are not in the AST)."""
    return ast.dump(_BlankStrings().visit(ast.parse(source)))


def test_logic_ignores_strings_and_comments_but_not_code() -> None:
    cell = 'x = f(1)  # one\nprint(f"x is {x:.2f}", "units")'
    assert logic(cell) == logic('x = f(1)  # 一\nprint(f"x 是 {x:.2f} 个", "单位")')
    assert logic(cell) != logic('x = f(2)\nprint(f"x is {x:.2f}", "units")')
    assert logic(cell) != logic('x = f(1)\nprint(f"x is {x:.2f} {x}", "units")')


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_twins_have_the_same_code_logic(slug: str) -> None:
    en, zh = source_cells("en", slug), source_cells("zh", slug)
    assert en, f"{slug}: no code cells"
    assert len(en) == len(zh), f"{slug}: en has {len(en)} code cells, zh {len(zh)}"
    pairs = enumerate(zip(en, zh, strict=True), start=1)
    differ = [n for n, (a, b) in pairs if logic(a) != logic(b)]
    assert not differ, f"{slug}: code cells {differ} differ beyond comments and strings"


def printed_numbers(cell: dict) -> list[str]:
    """The numbers a cell printed, in order (its words may be in either language)."""
    text = "".join(
        "".join(out["text"]) for out in cell["outputs"] if out["output_type"] == "stream"
    )
    return NUMBER.findall(text)


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_twins_print_the_same_numbers(built_site: BuiltSite, slug: str) -> None:
    en, zh = (notebook_code_cells(executed_notebook(built_site, lang, slug)) for lang in LANGUAGES)
    assert len(en) == len(zh), f"{slug}: code cell counts differ"
    pairs = enumerate(zip(en, zh, strict=True), start=1)
    differ = {n: (printed_numbers(a), printed_numbers(b)) for n, (a, b) in pairs}
    differ = {n: p for n, p in differ.items() if p[0] != p[1]}
    assert not differ, f"{slug}: cells print different numbers (en, zh): {differ}"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_twins_have_the_same_figures_and_outline(built_site, slug) -> None:
    en, zh = page_soup(built_site, "en", slug), page_soup(built_site, "zh", slug)
    en_figures, zh_figures = page_figures(en), page_figures(zh)
    assert len(en_figures) == len(zh_figures), (
        f"{slug}: en {len(en_figures)} figures, zh {len(zh_figures)}"
    )
    en_outline, zh_outline = headings(built_site, "en", slug), headings(built_site, "zh", slug)
    assert en_outline == zh_outline, f"{slug}: h1-h3 differ:\nen {en_outline}\nzh {zh_outline}"


def glossary_text(site: BuiltSite, lang: str) -> str:
    return " ".join(page_soup(site, lang, "glossary").select_one("article").get_text().split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_has_every_bold_term(built_site: BuiltSite, lang: str) -> None:
    """Bold marks a term being introduced (CONTRIBUTING.md); the glossary explains each."""
    glossary = glossary_text(built_site, lang).casefold()
    missing = {}
    for slug in CHAPTERS:
        for strong in page_soup(built_site, lang, slug).select(".jp-MarkdownCell strong"):
            term = " ".join(strong.get_text().split())
            if term.casefold() not in glossary:
                missing.setdefault(slug, []).append(term)
    assert not missing, f"/{lang}/ bold terms missing from the glossary: {missing}"
