"""Every chapter ends with Exercises (4-6, each with a collapsible solution) and References.

Checked on the chapter sources (no build needed), then on the built pages. A solution that
involves code is a code cell right after its ``<details>`` block; it must check its own answer
with an ``assert``, so a wrong solution fails the build (and test_snippets).
"""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import CHAPTERS, LANGUAGES, BuiltSite, chapter_cells, page_soup, page_url

HEADINGS = {
    "en": {"exercises": "Exercises", "references": "References", "solution": "Solution"},
    "zh": {"exercises": "练习", "references": "参考文献", "solution": "答案"},
}
SOLUTION_OPEN = re.compile(r'^<details class="solution"><summary>(?P<summary>[^<]+)</summary>$')
EXERCISE = re.compile(r"^(\d+)\. \S")
LINK = re.compile(r"\]\((https://[^)\s]+)\)")
# The works every chapter's References list must link to, by a part of the link.
REQUIRED_WORKS = {
    "Nadaraya 1964": "doi.org/10.1137/1109020",
    "Watson 1964": "jstor.org/stable/25049340",
    "Bahdanau et al. 2014": "arxiv.org/abs/1409.0473",
    "Luong et al. 2015": "arxiv.org/abs/1508.04025",
    "Vaswani et al. 2017": "arxiv.org/abs/1706.03762",
    "d2l (Chinese edition)": "https://zh-v2.d2l.ai/chapter_attention-mechanisms/",
    "d2l (English edition)": "https://d2l.ai/chapter_attention-mechanisms-and-transformers/",
}
CASES = [(lang, slug) for lang in LANGUAGES for slug in CHAPTERS]


def h2_sections(lang: str, slug: str) -> dict[str, list[tuple[str, str]]]:
    """The chapter's cells grouped under their ``##`` heading: {heading: [(kind, text)]}, where
    a Markdown cell is split at its headings and each code cell is one item."""
    sections: dict[str, list[tuple[str, str]]] = {"": []}
    current = ""
    for kind, source in chapter_cells(lang, slug):
        if kind != "markdown":
            sections[current].append((kind, source))
            continue
        lines: list[str] = []
        for line in source.split("\n"):
            if line.startswith("## "):
                if lines:
                    sections[current].append(("markdown", "\n".join(lines)))
                current, lines = line[3:].strip(), []
                sections[current] = []
            else:
                lines.append(line)
        if lines:
            sections[current].append(("markdown", "\n".join(lines)))
    return sections


def parse_exercises(items: list[tuple[str, str]]) -> list[dict]:
    """Exercises in order: {number, solution (text), summary, code (list of sources)}."""
    exercises: list[dict] = []
    for kind, text in items:
        if kind == "code":
            assert exercises and exercises[-1]["closed"], f"a code cell outside a solution:\n{text}"
            exercises[-1]["code"].append(text)
            continue
        inside = None
        for line in text.split("\n"):
            if inside is not None:
                if line == "</details>":
                    exercises[-1]["solution"], exercises[-1]["closed"] = "\n".join(inside), True
                    inside = None
                else:
                    inside.append(line)
            elif m := EXERCISE.match(line):
                exercises.append({"number": int(m[1]), "summary": None, "solution": None,
                                  "closed": False, "code": []})  # fmt: skip
            elif m := SOLUTION_OPEN.match(line):
                assert exercises and exercises[-1]["summary"] is None, f"a stray solution: {line}"
                exercises[-1]["summary"], inside = m["summary"], []
        assert inside is None, "a <details> block must close in the Markdown cell it opens"
    return exercises


@pytest.mark.parametrize(("lang", "slug"), CASES)
def test_chapter_ends_with_exercises_then_references(lang: str, slug: str) -> None:
    names = HEADINGS[lang]
    h2 = list(h2_sections(lang, slug))
    assert h2[-2:] == [names["exercises"], names["references"]], f"/{lang}/{slug}: {h2[-3:]}"


@pytest.mark.parametrize(("lang", "slug"), CASES)
def test_exercises_have_solutions(lang: str, slug: str) -> None:
    names = HEADINGS[lang]
    exercises = parse_exercises(h2_sections(lang, slug)[names["exercises"]])
    assert 4 <= len(exercises) <= 6, f"/{lang}/{slug}: {len(exercises)} exercises"
    assert [e["number"] for e in exercises] == list(range(1, len(exercises) + 1))
    for e in exercises:
        where = f"/{lang}/{slug}, exercise {e['number']}"
        assert e["summary"] == names["solution"], f"{where}: summary {e['summary']!r}"
        assert e["closed"] and e["solution"].strip(), f"{where}: no solution text"
        assert e["solution"].count("$") % 2 == 0, f"{where}: unbalanced $ in the solution"
    assert sum(bool(e["code"]) for e in exercises) >= 2, f"/{lang}/{slug}: fewer than 2 run"


@pytest.mark.parametrize(("lang", "slug"), CASES)
def test_every_solution_cell_checks_its_answer(lang: str, slug: str) -> None:
    exercises = parse_exercises(h2_sections(lang, slug)[HEADINGS[lang]["exercises"]])
    for e in exercises:
        for source in e["code"]:
            asserts = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]
            assert asserts, f"/{lang}/{slug}, exercise {e['number']}: no assert in\n{source}"


@pytest.mark.parametrize(("lang", "slug"), CASES)
def test_references_link_the_required_works(lang: str, slug: str) -> None:
    items = h2_sections(lang, slug)[HEADINGS[lang]["references"]]
    assert all(kind == "markdown" for kind, _ in items), f"/{lang}/{slug}: code in References"
    entries = [line for _, text in items for line in text.split("\n") if line.startswith("- ")]
    unlinked = [entry for entry in entries if not LINK.search(entry)]
    assert entries and not unlinked, f"/{lang}/{slug}: entries without a link: {unlinked}"
    links = [url for entry in entries for url in LINK.findall(entry)]
    missing = [work for work, part in REQUIRED_WORKS.items() if not any(part in u for u in links)]
    assert not missing, f"/{lang}/{slug}: References lack {missing}"


@pytest.mark.parametrize(("lang", "slug"), CASES)
def test_built_page_shows_collapsed_solutions(built_site: BuiltSite, lang: str, slug: str):
    """On the page, each exercise is a numbered item followed by a closed <details> whose
    summary names the solution; the solution's code cell ran (it has an output area)."""
    names = HEADINGS[lang]
    page = page_soup(built_site, lang, slug)
    h2 = {h.get_text().rstrip("¶").strip(): h for h in page.select("article h2")}
    start, end = h2[names["exercises"]], h2[names["references"]]
    section = []
    for el in start.find_all_next():
        if el is end:
            break
        section.append(el)
    details = [el for el in section if el.name == "details"]
    items = [el for el in section if el.name == "li" and el.parent.name == "ol"]
    expected = len(parse_exercises(h2_sections(lang, slug)[names["exercises"]]))
    assert len(details) == len(items) == expected, f"/{lang}/{slug}: {len(details)}, {len(items)}"
    for el in details:
        assert "open" not in el.attrs and "solution" in el.get("class", [])
        assert el.summary and el.summary.get_text().strip() == names["solution"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_solution_code_shows_when_the_solution_opens(browser, site_server: str, lang: str) -> None:
    """In a browser: a solution's code cell is hidden until its <details> opens, and the math
    inside a closed solution is rendered (KaTeX), not raw TeX."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_server}{page_url(lang, 'nadaraya-watson')}", wait_until="networkidle")
    solution = page.locator("details.solution").first
    code = page.locator(".jp-MarkdownCell:has(details.solution) + .jp-CodeCell").first
    assert page.locator("details.solution .katex").count() > 0
    assert not code.is_visible()
    solution.locator("summary").click()
    assert solution.get_attribute("open") is not None and code.is_visible()
    context.close()
