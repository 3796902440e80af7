"""One Chinese term per idea, the glossary's, on every zh page and in every figure and explorable.

``IDEAS`` lists, for each idea, the Chinese words seen for it. The zh glossary
(``docs/zh/glossary.md``) is the source: it must name exactly one of them, and no zh page, no
glossary and no Chinese string of the package (figure labels, explorables, descriptions) may use
another. A page may still mention another translation as such, "也译作注意力池化". Fast: reads
the sources, builds nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from attention.data import FEATURES
from attention.i18n import WORDS_ZH
from attention.pooling import KERNELS

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "zh" / "glossary.md"
# Each idea: the Chinese words found for it in the pages, figures or d2l's translation.
IDEAS = {
    "pooling": ("汇聚", "池化"),
    "function word": ("虚词", "功能词"),
    "place/surface (a feature of cat_on_mat)": ("地点/表面", "位置/表面"),
    "layer normalisation": ("层规范化", "层归一化", "层标准化"),
    "heatmap": ("热图", "热力图"),
    "score": ("分数", "得分"),
}
HAN = re.compile(r"[\u3400-\u9fff]")
# Naming another translation as such is fine: "注意力汇聚（也译作注意力池化）".
ANOTHER_NAME = re.compile(r"也译作[^，。；、）)\s]*")


def glossary_term(idea: str) -> list[str]:
    """The words of ``IDEAS[idea]`` that the zh glossary uses (one, if the glossary is right)."""
    text = ANOTHER_NAME.sub("", GLOSSARY.read_text(encoding="utf-8"))
    return [word for word in IDEAS[idea] if word in text]


def variants_in(text: str) -> list[str]:
    """The words of ``text`` that are a variant the glossary does not use, for every idea."""
    text = ANOTHER_NAME.sub("", text)
    found = []
    for idea, words in IDEAS.items():
        term = glossary_term(idea)
        found += [word for word in words if word not in term and word in text]
    return found


def package_chinese_strings() -> dict[str, list[str]]:
    """Every string constant of the package that holds Chinese, by file: the labels, titles and
    descriptions that figures and explorables show on a zh page."""
    strings: dict[str, list[str]] = {}
    for path in sorted((ROOT / "attention").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            if HAN.search(node.value)
        ]
        if found:
            strings[path.relative_to(ROOT).as_posix()] = found
    return strings


@pytest.mark.parametrize("idea", IDEAS)
def test_the_glossary_names_one_word_per_idea(idea: str) -> None:
    assert len(glossary_term(idea)) == 1, f"{idea}: the zh glossary uses {glossary_term(idea)}"


ZH_FILES = sorted(ROOT.glob("docs/*/*.md"))


@pytest.mark.parametrize("path", ZH_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_use_the_glossary_terms(path: Path) -> None:
    """Every page (the en glossary and pages hold Chinese too) uses the glossary's words."""
    found = [
        (n, line.strip()[:80], variants)
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
        if (variants := variants_in(line))
    ]
    assert not found, f"{path.relative_to(ROOT)}: variants the glossary does not use: {found}"


def test_figures_and_explorables_use_the_glossary_terms() -> None:
    found = {
        where: [(s[:60], variants) for s in strings if (variants := variants_in(s))]
        for where, strings in package_chinese_strings().items()
    }
    found = {where: hits for where, hits in found.items() if hits}
    assert not found, f"the package's Chinese strings use variants: {found}"


@pytest.mark.parametrize(
    ("text", "variants"),
    [
        ("最大池化最能说明这一点", ["池化"]),
        ("三个纯功能词是 $-0.5$", ["功能词"]),
        ("看懂注意力热力图", ["热力图"]),
        ("它要位置/表面（权重 2）", ["位置/表面"]),
        ("残差连接和层归一化", ["层归一化"]),
        ("由随机得分算出", ["得分"]),
        ("注意力汇聚（attention pooling，也译作注意力池化）", []),
        ("最大汇聚、虚词、地点/表面、层规范化、热图和分数", []),
    ],
)
def test_the_check_catches_a_variant(text: str, variants: list[str]) -> None:
    assert variants_in(text) == variants


def test_every_word_the_package_draws_has_its_chinese_name() -> None:
    """Kernel names and features are drawn as words (legends, axes): each has a Chinese name,
    and it is the one the zh pages use (the kernel table of Nadaraya-Watson, the glossary)."""
    missing = [name for name in (*KERNELS, *FEATURES) if name not in WORDS_ZH]
    assert not missing, f"no entry in attention.i18n.WORDS_ZH for {missing}"
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "zh").glob("*.md"))
    unused = [WORDS_ZH[name] for name in (*KERNELS, *FEATURES) if WORDS_ZH[name] not in pages]
    assert not unused, f"Chinese names no zh page uses: {unused}"
