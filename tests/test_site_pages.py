"""The attention-pages plugin's pieces on small inputs (the built site is checked in
tests/website/test_a11y.py and test_browser.py)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import quickjs
from mkdocs.exceptions import PluginError

from attention_site import pages
from attention_site.markup import LexborHTMLParser


def run(job, body: str, *args) -> str:
    """``job`` done on a page whose body is ``body``; the body's HTML after it."""
    tree = LexborHTMLParser(f"<!doctype html><html><head></head><body>{body}</body></html>")
    job(tree, *args)
    return tree.body.inner_html


def test_math_becomes_mathml_outside_code() -> None:
    html = (
        '<p>Inline $x_i &lt; 1$ and <span class="arithmatex">\\(\\sqrt{d}\\)</span>.</p>'
        "<pre>cost: $5 and $6</pre><code>$y$</code>"
        '<div class="highlight-ipynb"><span>$z$</span></div><p>$$\\frac{a}{b}$$</p>'
    )
    chars: set[str] = set()
    out = run(pages.render_math, html, "test.md", chars)
    assert {"x", "i", "<", "1", "d"} <= chars  # the math font's characters
    assert out.count('<span class="katex">') == 3
    assert '<span class="katex-display">' in out and 'display="block"' in out
    assert "<mo>&lt;</mo>" in out  # the entity was TeX's "<"
    assert "<pre>cost: $5 and $6</pre><code>$y$</code>" in out
    assert "<span>$z$</span>" in out  # a notebook code cell is never math
    assert "katex-html" not in out  # MathML only: no KaTeX CSS or fonts needed
    assert "<annotation" not in out and "{a}" not in out  # no TeX source left in the page


def test_invalid_tex_is_a_warning_naming_the_page(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        out = run(pages.render_math, "<p>$\\frac{a}$</p>", "en/broken.md")
    assert "en/broken.md" in caplog.text and "invalid TeX" in caplog.text
    assert "<math" not in out


def test_an_unclosed_dollar_stays_text() -> None:
    assert run(pages.render_math, "<p>costs $5 today</p>", "x") == "<p>costs $5 today</p>"


def test_search_text_has_no_tex_and_no_pilcrow() -> None:
    text = pages.clean_search_text("Scores \\(\\mathrm{softmax}_i\\) and <code>$x$</code>¶")
    assert "\\" not in text and "¶" not in text and "mathrm" not in text
    assert "softmax_i" in text and "<code>$x$</code>" in text


def test_a_formula_is_searched_as_linear_text_not_run_together_characters() -> None:
    tex = (
        r"\alpha(x, x_i) = \frac{\frac{1}{\sqrt{2\pi}} \exp\left(-\frac{1}{2}(x - x_i)^2\right)}"
        r"{\sum_{j=1}^n \frac{1}{\sqrt{2\pi}} \exp\left(-\frac{1}{2}(x - x_j)^2\right)}"
    )
    text = pages.tex_text(tex, True)
    assert "12π" not in text and "πexp" not in text  # what the formula's characters alone give
    assert text.startswith("α(x, x_i) = (1/√(2π) exp(\u22121/2 (x \u2212 x_i)^2))/(∑_(j=1)^n")
    assert (
        pages.tex_text(r"\mathrm{softmax}_i(\mathbf q^\top \mathbf k)", False)
        == "softmax_i (q^\u22a4 k)"
    )
    assert pages.tex_text(r"\mathbf{Q} \in \mathbb{R}^{n \times d}", False) == "Q ∈ R^(n\u00d7d)"


# A chapter page as nbconvert renders it: the copy button, the code, the hidden copy of the code.
NOTEBOOK = """<div class="jupyter-wrapper"><div class="jp-Notebook">
<div class="jp-Cell jp-MarkdownCell"><div><h2 id="pooling">Attention pooling</h2>
<p>Prose before the code.</p></div></div>
<div class="jp-Cell jp-CodeCell"><div class="jp-Cell jp-CodeCell" id="cell-id=cell-2">
<div class="zeroclipboard-container"><clipboard-copy for="cell-2"><div>
<span class="notice" hidden>Copied!</span><svg><use href="#c"/></svg></div></clipboard-copy></div>
<div class="highlight-ipynb"><pre><span>pooled</span> = attention_pooling(q)</pre></div>
<div class="clipboard-copy-txt" id="cell-2">pooled = attention_pooling(q)</div>
<div class="jp-OutputArea"><pre>tensor([1.])</pre></div></div></div>
<div class="jp-Cell jp-MarkdownCell"><div><p>Prose after the code.</p></div></div>
</div></div>"""


def index_of(content: str, lang: str = "en") -> list[dict]:
    """The search entries of one page: Material's, then `reindex_page`'s."""
    from types import SimpleNamespace

    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(lang=[lang], separator=" ", pipeline=[], fields={})
    page = SimpleNamespace(
        content=content, toc=[], url="chapter/", meta={}, title="Chapter", file=None
    )
    other = {"location": "other/", "title": "Other", "text": ""}
    index.entries.append(other)  # another page's entry: kept as it is
    index.add_entry_from_context(page)
    assert ("Copied!" in content) == any("Copied!" in e["text"] for e in index.entries)
    pages.reindex_page(SimpleNamespace(search_index=index), page, lang)
    assert index.entries[0] is other
    return index.entries[1:]


def test_a_notebook_page_is_indexed_without_the_copy_button_and_its_code_once() -> None:
    entries = index_of(NOTEBOOK)
    text = " ".join(entry["text"] for entry in entries)
    assert "Copied!" not in text
    assert text.count("attention_pooling") == 1  # not again from the hidden copy
    assert [(e["location"], e["title"], e.get("boost")) for e in entries] == [
        ("chapter/", "Chapter", None),
        ("chapter/#pooling", "Attention pooling", None),
        ("chapter/#cell-id=cell-2", "Code", pages.search.CODE_BOOST),
    ]
    prose, code = entries[1]["text"], entries[2]["text"]
    assert "before the code" in prose and "after the code" in prose  # to the next heading
    assert "<pre>" not in prose and "attention_pooling" in code and "tensor([1.])" in code
    assert pages.search.CODE_BOOST < 1


def test_a_code_cell_is_titled_in_the_pages_language() -> None:
    assert index_of(NOTEBOOK, "zh")[2]["title"] == "代码"


def test_a_page_without_a_notebook_keeps_materials_sections() -> None:
    html = '<h2 id="a">A</h2><div><h3 id="b">B</h3><p>in b</p></div><p>after b</p>'
    entries = index_of(html)
    assert [e["location"] for e in entries] == ["chapter/", "chapter/#a", "chapter/#b"]
    assert "after b" in entries[1]["text"]  # Material's rule: back to the enclosing section


def test_materials_worker_finds_a_chinese_word_that_ends_the_query(tmp_path) -> None:
    import shutil

    import material

    workers = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    worker = next(workers.glob("search.*.min.js"))
    site = tmp_path / "assets" / "javascripts" / "workers"
    site.mkdir(parents=True)
    shutil.copy(worker, site / worker.name)

    def segments(code: str, query: str) -> list[str]:
        start, end = code.index("function fe("), code.index("function Oe(")
        index = json.dumps({"注意": 1, "注意力": 1, "汇聚": 1})
        found = quickjs.Context().eval(
            f"{code[start:end]}; JSON.stringify([...fe({query!r}, {index})])"
        )
        return sorted(json.loads(found))

    before = worker.read_text(encoding="utf-8")
    assert segments(before, "注意力汇聚") == ["注意力"]  # Material 9.8.1: the last word is lost
    assert pages.fix_query_segmentation(tmp_path)
    after = (site / worker.name).read_text(encoding="utf-8")
    assert segments(after, "注意力汇聚") == ["汇聚", "注意力"]
    assert segments(after, "注意力") == ["注意力"]
    assert pages.fix_query_segmentation(tmp_path)  # a second build: already fixed


def test_scroll_boxes_get_a_keyboard_stop_and_a_name() -> None:
    html = '<div class="highlight-ipynb hl-python"><pre><span>x</span></pre></div>'
    zh = run(pages.mark_scrollers, html, "zh")
    assert '<pre tabindex="0" role="group" aria-label="代码，可横向滚动">' in zh
    # Pygments' <pre><span></span><code>: the <code> scrolls, and only it is a stop.
    block = '<div class="highlight"><pre><span></span><code>x</code></pre></div>'
    en = run(pages.mark_scrollers, block, "en")
    assert en.count("tabindex") == 1 and '<code tabindex="0" role="group"' in en
    source = '<table><tr><td class="code"><div><pre><span></span><code>x</code></pre></div></td>'
    en = run(pages.mark_scrollers, source, "en")  # mkdocstrings' source with line numbers
    assert en.count('role="group"') == 1 and '<pre><span></span><code tabindex="0"' in en


def test_a_table_gets_a_keyboard_stop_and_keeps_its_role() -> None:
    en = run(pages.mark_scrollers, "<table><tr><td>1</td></tr></table>", "en")
    assert en.startswith('<table tabindex="0" aria-label="Table (scrolls sideways)">')


def test_search_index_is_split_by_language(tmp_path) -> None:
    docs = [
        {"location": "", "title": "Home¶", "text": "$x$"},
        {"location": "glossary/", "title": "Glossary", "text": ""},
        {"location": "zh/", "title": "首页", "text": ""},
    ]
    index = {"config": {"lang": ["en", "zh"], "separator": " "}, "docs": docs}
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index))
    assert pages.split_search_index(tmp_path, "en", ["en", "zh"]) == {"en": 2, "zh": 1}
    en = json.loads((tmp_path / "search" / "search_index.json").read_text())
    zh = json.loads((tmp_path / "zh" / "search" / "search_index.json").read_text())
    assert [d["location"] for d in en["docs"]] == ["", "glossary/"]
    assert en["docs"][0]["title"] == "Home" and en["docs"][0]["text"] == "x"
    assert en["config"]["lang"] == ["en"] and zh["config"]["lang"] == ["en", "zh"]
    assert [d["location"] for d in zh["docs"]] == ["zh/"]
    assert not (tmp_path / "search" / "search_index.js").exists()  # only for the offline build


def test_the_offline_search_script_holds_each_language_and_picks_the_pages(tmp_path) -> None:
    docs = [{"location": "", "title": "Home", "text": ""}, {"location": "zh/", "title": "首页"}]
    index = {"config": {"lang": ["en", "zh"]}, "docs": [{**d, "text": ""} for d in docs]}
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index))
    pages.split_search_index(tmp_path, "en", ["en", "zh"], script=True)
    script = (tmp_path / "search" / "search_index.js").read_text(encoding="utf-8")
    for lang, title in [("zh-Hans", "首页"), ("en", "Home"), ("fr", "Home")]:
        page = f"var document = {{documentElement: {{lang: {json.dumps(lang)}}}}};"
        found = quickjs.Context().eval(f"{page}{script}; JSON.stringify(__index)")
        assert [d["title"] for d in json.loads(found)["docs"]] == [title], lang


@pytest.mark.parametrize(
    ("css", "kept"),
    [
        (".used{color:red}", True),
        (".unused{color:red}", False),
        (".used,.unused{color:red}", True),
        (".wrapper :root{color:red}", False),  # nbconvert's scoping: never matches
        (".used:not(.unused){color:red}", True),
        ("#here{color:red}", True),
        ("[data-theme=dark] .used{color:red}", False),
        ("@media (min-width:1px){.unused{color:red}}", False),
    ],
)
def test_purge_keeps_only_rules_a_page_can_match(css, kept) -> None:
    used = pages.used_names(['<div class="used wrapper" id="here"></div>'])
    assert bool(pages.purge_css(css, used).strip()) is kept


def test_purge_drops_custom_properties_nobody_reads() -> None:
    used = pages.used_names(['<div class="a"></div>'])
    css = ".a{--read:var(--chain);--chain:1px;--unread:2px;margin:var(--read)}"
    out = pages.purge_css(css, used)
    assert "--read" in out and "--chain" in out and "--unread" not in out
    assert "--unread" in pages.purge_css(css, used, elsewhere="p{width:var(--unread)}")


def test_a_header_cell_of_only_math_is_named() -> None:
    table = "<table><tr><th>kernel</th><th>$K(u)$</th><th></th></tr></table>"
    out = pages.finish_page(f"<body>{table}</body>", lang="en", prefix="", where="x")
    assert re.search(r'<math xmlns="[^"]*" aria-label="K\(u\)">', out)
    assert "<th>kernel</th>" in out and "<td></td>" in out  # an empty header is a data cell


ICON = '<path d="M0 6.75C0 5z" fill="currentColor"></path>'
CELL = (
    '<div class="zeroclipboard-container"><clipboard-copy aria-label="Copy to Clipboard" for="c1">'
    '<div><svg aria-hidden="true" class="clipboard-copy-icon" height="20" viewBox="0 0 16 16">'
    f"{ICON}</svg></div></clipboard-copy></div>"
    '<div class="highlight-ipynb hl-python"><pre><span></span><span class="n">x</span>'
    '<span class="w"> </span><span class="o">=</span> <span class="nb">len</span>'
    '<span class="p">(</span><span class="s2">"a"</span><span class="p">)</span></pre></div>'
    '<div class="highlight"><pre><span></span><code><span class="n">y</span></code></pre></div>'
)


def test_code_cells_share_one_copy_icon_and_lose_the_spans_that_colour_nothing() -> None:
    out = run(pages.share_definitions, f"<article>{CELL}{CELL}</article>")
    hidden, rest = out.split("</svg>", 1)
    name = re.search(r'<g id="(c[0-9a-f]{6})">', hidden).group(1)
    assert hidden.count(ICON) == 1 and ICON not in rest
    assert rest.count(f'<use xlink:href="#{name}"></use></svg>') == 2
    assert rest.count('viewBox="0 0 16 16"') == 2  # SVG keeps its case
    assert 'aria-label="Copy to Clipboard"' in rest  # the button keeps its name
    # Material's instant navigation assigns el.href on every [href]: read-only on an SVG <use>.
    assert " href=" not in out.replace(" xlink:href=", "")
    code = '<pre>x <span class="o">=</span> len<span class="p">(</span><span class="s2">"a"</span>'
    assert rest.count(code) == 2
    # Outside notebook cells (Material's and show_source's .highlight colours .n): untouched.
    assert rest.count('<pre><span></span><code><span class="n">y</span></code>') == 2


def test_the_palette_switching_rule_is_taken_out_of_materials_stylesheet(tmp_path) -> None:
    import material

    theme = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    (palette,) = theme.glob("palette.*.min.css")
    assert pages.PALETTE_SWITCHING_RULE in palette.read_text(encoding="utf-8"), (
        "Material's palette CSS changed: revisit pages.drop_switching_rule"
    )
    site = tmp_path / "assets" / "stylesheets"
    site.mkdir(parents=True)
    (site / palette.name).write_text(palette.read_text(encoding="utf-8"), encoding="utf-8")
    assert pages.drop_switching_rule(tmp_path) is True
    assert "data-md-color-switching" not in (site / palette.name).read_text(encoding="utf-8")
    assert pages.drop_switching_rule(tmp_path) is False


# --------------------------------------------------------------------------- the math font
def test_styled_letters_are_the_forms_mathml_draws() -> None:
    from attention_site.pages.fonts import styled

    forms = styled({"x", "h", "R", "α", "2", "∑"})
    assert {"\U0001d465", "\u210e", "\u211d", "\U0001d6fc"} <= forms  # italic x, h, alpha; R
    assert {"2", "∑"} <= forms and not any(ord(c) > 0x1D7FF for c in forms)


def test_the_math_font_holds_the_formulas_characters_and_only_grows(tmp_path) -> None:
    """A subset with its MATH table (the layout of big operators and limits); a file that
    already covers the characters is kept; a new character writes a subset of both."""
    from fontTools.ttLib import TTFont

    from attention_site.pages.fonts import TARGET, covered, styled, write_math_font

    first = {"∑", "x", "(", "="}
    written = write_math_font(tmp_path, first)
    assert written and written < 20_000
    font = TTFont(tmp_path / TARGET)
    assert "MATH" in font and styled(first) <= covered(tmp_path / TARGET)
    assert write_math_font(tmp_path, {"x", "∑"}) is None  # covered: kept as it is
    assert write_math_font(tmp_path, {"√"})
    assert styled(first) | {"√"} <= covered(tmp_path / TARGET)


def test_the_home_page_table_lists_the_nav_chapters_with_their_title_and_description(
    tmp_path,
) -> None:
    """One row per chapter of the nav, in its order (not the files'), numbered, its first
    heading (not a ``# comment`` in code) linked, its front matter's description; pages that
    are not chapters get no row, and a page without the marker is left as it is."""
    from attention_site.harness import FRONT_MATTER
    from attention_site.pages.chapters import MARKER, expand

    def page(name: str, text: str, description: str | None = None) -> Path:
        front = FRONT_MATTER
        if description is not None:
            front = front.replace("\n---\n\n", f"\ndescription: {description}\n---\n\n")
        path = tmp_path / "zh" / f"{name}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(front + text, encoding="utf-8")
        return path

    nav = [
        tmp_path / "zh" / "index.md",
        page(
            "b",
            "```python\n# 不是标题\n```\n\n# 第二章：乙\n\n## 小节\n",
            "学会乙，除以 $\\sqrt{d}$。",
        ),
        tmp_path / "zh" / "glossary.md",
        page("a", "# A | first\n", "Do A, then\n  B | C."),
    ]
    nav[2].write_text("# 术语表\n", encoding="utf-8")
    header = "## 章节\n\n| | 章节 | 读完之后你能做到 |\n|---|---|---|\n"
    nav[0].write_text(f"{header}{MARKER}\n\n后文。\n", encoding="utf-8")
    home = nav[0].read_text(encoding="utf-8")
    assert expand(home, nav, nav[0].parent) == (
        f"{header}"
        "| 1 | [第二章：乙](b.md) | 学会乙，除以 $\\sqrt{d}$。 |\n"
        "| 2 | [A \\| first](a.md) | Do A, then B \\| C. |\n"
        "\n后文。\n"
    )
    assert expand("No table.\n", nav, nav[0].parent) == "No table.\n"
    page("a", "# A\n")  # no description: a build error naming the page
    with pytest.raises(PluginError, match=r"a\.md.*description"):
        expand(home, nav, nav[0].parent)


def test_the_names_a_finished_page_uses_are_read_from_its_tree() -> None:
    """`finish_page` notes the names of the page it wrote; a page it did not finish (``serve
    --dirty`` keeps pages it does not rebuild) is parsed for them, with the same result."""
    body = '<p class="a b" id="i" hidden>x</p><svg viewBox="0 0 1 1"></svg>'
    out = pages.finish_page(f"<body>{body}</body>", lang="en", prefix="", where="x")
    remembered = pages.used_names([out])
    pages.styles._NAMES.clear()
    assert pages.used_names([out]) == remembered
    classes, ids, attrs = remembered
    assert {"a", "b"} <= classes and "i" in ids and {"hidden", "viewbox"} <= attrs
