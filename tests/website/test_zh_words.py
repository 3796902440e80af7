"""What a reader of the Chinese pages sees or hears is Chinese: the figures' words and
descriptions, the code's comments, the page's controls and its description for search engines.

English stays where it is the subject: names of code (``SelfAttention``, ``softmax``, anything
with an underscore, a digit or an inner capital), abbreviations (MSE, CNN), proper names, and the
English example sentences the chapters study ("The cat is on the mat", "I love deep learning"),
which the zh prose quotes in English too. Any other English word fails.

Figure text is drawn as glyph outlines (``svg.fonttype: path``), so it cannot be read back from
the SVG, and comparing a zh figure with its en twin cannot tell a translated label from a changed
number: each figure's output keeps the words it draws in its metadata (``texts``, beside its
description ``alt``), and the check reads them from the executed notebooks of the built site.
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize

import pytest

from .conftest import CHAPTERS, PAGES, ROOT, BuiltSite, executed_notebook, page_soup

# Latin words of two or more characters; single letters are variables (x, q, K).
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'\u2019-]*[A-Za-z0-9]")
CODE_LIKE = re.compile(r"[_\d]|[a-z][A-Z]")  # valid_lens, x4, d2l, SelfAttention, PyTorch
ALLOWED_WORDS = """
softmax tanh sqrt sin cos exp dropout True False None batch rows cols fig axes
MSE MLP CNN RNN CPU GPU CUDA QK AV API Nadaraya Watson Nadaraya-Watson Epanechnikov Transformer http
The the cat is on mat sat dog ran away love deep learning saw it cuts wood bos eos pad
"""  # names of code; abbreviations and proper names; the example sentences and their tokens
ALLOWED = set(ALLOWED_WORDS.split())
ZH_PAGES = sorted(path.stem for path in (ROOT / "docs" / "zh").glob("*.md"))


def english_words(text: str) -> list[str]:
    """The English words of ``text`` that are not allowed (math and inline code left out)."""
    text = re.sub(r"\$[^$]*\$|`[^`]*`|https?://\S+", " ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED and not CODE_LIKE.search(w)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("gaussian: MSE 0.428", ["gaussian"]),
        ("boxcar", ["boxcar"]),
        ("place/surface", ["place", "surface"]),
        ("Copy to Clipboard", ["Copy", "to", "Clipboard"]),
        ("# the CPU build of PyTorch", ["build", "of"]),
        ("高斯核：MSE 0.428", []),
        ("$W_q$ 的 `valid_lens`：cat（猫）, SelfAttention, 4x4", []),
    ],
)
def test_the_check_sees_english_words(text: str, words: list[str]) -> None:
    assert english_words(text) == words


# --------------------------------------------------------------------------- figures
def figure_words(site: BuiltSite, slug: str) -> list[tuple[str, list[str]]]:
    """For each described figure of the built zh chapter, its description and every text drawn
    in it (titles, labels, tick labels, legends): the executed notebook beside the page keeps
    both in the figure's output metadata (`attention.plotting.DisplayFigure`)."""
    svg = "image/svg+xml"
    return [
        (meta["alt"], meta["texts"])
        for cell in executed_notebook(site, "zh", slug)["cells"]
        for output in cell.get("outputs", [])
        if "alt" in (meta := output.get("metadata", {}).get(svg, {}))
    ]


@pytest.mark.parametrize("slug", CHAPTERS)
def test_zh_figures_draw_and_describe_in_chinese(built_site: BuiltSite, slug: str) -> None:
    figures = figure_words(built_site, slug)
    assert figures, f"/zh/{slug}: no described figure"
    assert all(texts for _, texts in figures), f"/zh/{slug}: a figure without its drawn words"
    found = {
        n: words
        for n, (description, texts) in enumerate(figures, start=1)
        if (words := sorted(set(english_words(" ".join([description, *texts])))))
    }
    assert not found, f"/zh/{slug}: English in figures (number: words): {found}"


# --------------------------------------------------------------------------- sources
def code_comments(markdown: str) -> list[str]:
    """The comments of every Python and shell code block of a Markdown page."""
    comments = []
    for lang, block in re.findall(r"^```(\w+)\n(.*?)^```", markdown, flags=re.S | re.M):
        if lang == "python":
            tokens = tokenize.generate_tokens(io.StringIO(block).readline)
            comments += [t.string for t in tokens if t.type == tokenize.COMMENT]
        else:
            comments += [line.split("#", 1)[1] for line in block.split("\n") if "#" in line]
    return comments


@pytest.mark.parametrize("slug", ZH_PAGES)
def test_zh_code_comments_are_chinese(slug: str) -> None:
    comments = code_comments((ROOT / "docs" / "zh" / f"{slug}.md").read_text(encoding="utf-8"))
    found = [(c.strip(), words) for c in comments if (words := english_words(c))]
    assert not found, f"docs/zh/{slug}.md: English in code comments: {found}"


# A line break next to a link or emphasis between Chinese text: the CJK hook joins only two
# adjacent Chinese characters, so the browser shows this break as a space ("由 评分函数").
HOOK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
CJK = HOOK + "\u201c\u201d"
BREAK_END = re.compile(rf"[{CJK}]\**(?:\]\([^)]*\))?\**$")
BREAK_START = re.compile(rf"^\**\[?\**[{CJK}]")
NOT_PROSE = re.compile(r"\s*(?:[-*] |\d+\. |#|\||\$\$|<|```)")


def breaks_shown_as_spaces(markdown: str) -> list[str]:
    lines = markdown.split("\n")
    found = []
    for a, b in itertools.pairwise(lines):
        a, b = a.rstrip(), b.lstrip()
        if not a or not b or NOT_PROSE.match(b):
            continue
        joined = re.search(f"[{HOOK}]$", a) and re.match(f"[{HOOK}]", b)
        if BREAK_END.search(a) and BREAK_START.match(b) and not joined:
            found.append(f"{a[-15:]}⏎{b[:15]}")
    return found


def test_the_break_check_sees_a_break_before_a_link() -> None:
    assert breaks_shown_as_spaces("原始的那个数由\n[**评分函数**](x)给出") != []
    assert breaks_shown_as_spaces("例子：在\n“The cat”") != []
    assert breaks_shown_as_spaces("两个汉字\n之间的换行") == []
    assert breaks_shown_as_spaces("English text\n[a link](x)") == []


@pytest.mark.parametrize("slug", ZH_PAGES)
def test_zh_prose_has_no_break_shown_as_a_space(slug: str) -> None:
    found = breaks_shown_as_spaces((ROOT / "docs" / "zh" / f"{slug}.md").read_text("utf-8"))
    assert not found, f"docs/zh/{slug}.md: line breaks a browser shows as spaces: {found}"


# --------------------------------------------------------------------------- built pages
@pytest.mark.parametrize("slug", PAGES)
def test_zh_page_controls_and_description_are_chinese(built_site: BuiltSite, slug: str):
    """The meta description, the code cells' copy buttons and the headings' permalinks; the
    API reference's links to types (``title="torch.Tensor"``) are names of code."""
    page = page_soup(built_site, "zh", slug)
    texts = [page.select_one("meta[name=description]")["content"]]
    texts += [el["aria-label"] for el in page.select("clipboard-copy[aria-label]")]
    texts += [el.get_text() for el in page.select("clipboard-copy .notice")]
    texts += [el["title"] for el in page.select("a.headerlink[title]")]
    found = sorted({w for text in texts for w in english_words(text)})
    assert not found, f"/zh/{slug}: English words in its controls or description: {found}"
