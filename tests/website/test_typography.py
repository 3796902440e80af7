"""Chinese typography of the zh pages' prose (Markdown source, code and math left out).

- One kind of quotation marks, “…”: no ASCII ``"`` and no 「」『』, and every “ is closed by ”.
- No space between two Chinese characters or next to full-width punctuation (a space there
  is visible: ``*同一个* 序列``, ``$v_i$ （``). A line break between two Chinese characters is
  fine (the CJK hook joins it); one next to full-width punctuation and Latin text is a space.
- A space between Chinese and Latin text, digits, inline code or math, as everywhere on the
  site: ``掩蔽 softmax``, ``50 个``, ``$x_i$ 是``.
"""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT, chapter_cells

HAN = "\u3400-\u9fff"
PUNCT = "\u3000-\u303f\uff00-\uffef\u201c\u201d\u2026\u2014"  # CJK, full-width, “”…—
CJK = HAN + PUNCT
ZH_PAGES = sorted(path.stem for path in (ROOT / "docs" / "zh").glob("*.md"))
# Markdown that is not prose: inline code and math become one Latin-like placeholder each
# ("C", "M"), HTML tags, link targets, emphasis markers and block markers disappear.
_INLINE = [
    (re.compile(r"`[^`]*`"), "C"),
    (re.compile(r"\$\$.*?\$\$"), "M"),
    (re.compile(r"\$[^$]+\$"), "M"),
    (re.compile(r"<[^>]+>"), ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\*+"), ""),
    (re.compile(r"\s*\|\s*"), "|"),
    (re.compile(r"^\s*(?:[-*] |\d+\. |#+ |> )"), ""),
]
_BLOCK_START = re.compile(r"^\s*(?:[-*] |\d+\. |#|\||\$\$|<|> )")


def prose_paragraphs(markdown: str) -> list[str]:
    """The prose of Markdown cells as rendered text, one string per paragraph, list item,
    heading or table row; a line break inside a paragraph joins two CJK characters directly
    (what the CJK hook does) and anything else with a space (what a browser shows)."""
    paragraphs: list[str] = []
    current: list[str] = []
    markdown = re.sub(r"^\s*\$\$.*?\$\$\s*$", "", markdown, flags=re.S | re.M)  # display math
    for line in [*markdown.split("\n"), ""]:
        if not line.strip() or _BLOCK_START.match(line):
            if current:
                paragraphs.append(_join(current))
            current = [line] if line.strip() else []
            continue
        current.append(line)
    return [p for p in paragraphs if p]


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        for pattern, repl in _INLINE:
            line = pattern.sub(repl, line)
        line = line.strip()
        if text and re.search(f"[{CJK}]$", text) and re.match(f"[{CJK}]", line):
            text += line
        else:
            text = f"{text} {line}" if text else line
    return text


def problems(paragraph: str) -> list[str]:
    """What breaks the rules in one paragraph of rendered prose."""
    found = []

    def context(m: re.Match) -> str:
        return paragraph[max(0, m.start() - 12) : m.end() + 12]

    for m in re.finditer(r'["「」『』]', paragraph):
        found.append(f"quotation mark {m.group()!r} (use “…”): {context(m)!r}")
    marks = re.sub(r"[^“”]", "", paragraph)
    if marks != "“”" * (len(marks) // 2):
        found.append(f"unbalanced “…”: {paragraph[:60]!r}")
    for m in re.finditer(f"(?<=[{CJK}]) +(?=[{CJK}])|(?<=[{PUNCT}]) +| +(?=[{PUNCT}])", paragraph):
        found.append(f"stray space: {context(m)!r}")
    for m in re.finditer(f"[{HAN}][A-Za-z0-9]|[A-Za-z0-9][{HAN}]", paragraph):
        found.append(f"no space between Chinese and Latin text: {context(m)!r}")
    return found


@pytest.mark.parametrize(
    "text, rule",
    [
        ("每个词元的输出都是对*同一个* 序列中", "stray space"),
        ("输出 $v_i$ （一个向量）", "stray space"),
        ("**[掩蔽softmax](../glossary/#masked-softmax)** 只在", "no space between"),
        ('它不是"软"的', "quotation mark"),
        ("它是「软」的", "quotation mark"),
        ("- *行是查询。* 每一行", "stray space"),
        ("它们是：\n`code` 和", "stray space"),
        ("“没有闭合的引号", "unbalanced"),
    ],
)
def test_the_rules_catch_known_faults(text: str, rule: str) -> None:
    found = [p for paragraph in prose_paragraphs(text) for p in problems(paragraph)]
    assert any(rule in p for p in found), f"{text!r}: {found}"


def test_the_rules_accept_good_text() -> None:
    good = "在 $[0, 5)$ 上取 50 个点，用“掩蔽 softmax”（见[评分函数](../x/)一章）\n计算，*同一个*序列。"  # noqa: E501
    assert [p for paragraph in prose_paragraphs(good) for p in problems(paragraph)] == []


def markdown_of(slug: str) -> str:
    path = ROOT / "docs" / "zh" / f"{slug}.md"
    if path.read_text(encoding="utf-8").startswith("---\njupyter:"):
        return "\n\n".join(src for kind, src in chapter_cells("zh", slug) if kind == "markdown")
    return re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("slug", ZH_PAGES)
def test_zh_typography(slug: str) -> None:
    found = [p for paragraph in prose_paragraphs(markdown_of(slug)) for p in problems(paragraph)]
    assert not found, f"docs/zh/{slug}.md: {len(found)} problems:\n" + "\n".join(found[:30])
