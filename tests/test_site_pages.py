"""The attention-pages plugin's pieces on small inputs (the built site is checked in
tests/website/test_a11y.py and test_browser.py)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from attention_site import pages


def test_math_becomes_mathml_outside_code() -> None:
    html = (
        '<p>Inline $x_i &lt; 1$ and <span class="arithmatex">\\(\\sqrt{d}\\)</span>.</p>'
        "<pre>cost: $5 and $6</pre><code>$y$</code>"
        '<div class="highlight-ipynb"><span>$z$</span></div><p>$$\\frac{a}{b}$$</p>'
    )
    out = pages.render_math(html, "test.md")
    assert out.count('<span class="katex">') == 3
    assert '<span class="katex-display">' in out and 'display="block"' in out
    assert "<mo>&lt;</mo>" in out  # the entity was TeX's "<"
    assert "<pre>cost: $5 and $6</pre><code>$y$</code>" in out
    assert "<span>$z$</span>" in out  # a notebook code cell is never math
    assert "katex-html" not in out  # MathML only: no KaTeX CSS or fonts needed
    assert "<annotation" not in out and "{a}" not in out  # no TeX source left in the page


def test_invalid_tex_is_a_warning_naming_the_page(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        out = pages.render_math("<p>$\\frac{a}$</p>", "en/broken.md")
    assert "en/broken.md" in caplog.text and "invalid TeX" in caplog.text
    assert "<math" not in out


def test_an_unclosed_dollar_stays_text() -> None:
    assert pages.render_math("<p>costs $5 today</p>", "x") == "<p>costs $5 today</p>"


def test_search_text_has_no_tex_and_no_pilcrow() -> None:
    text = pages.clean_search_text("Scores \\(\\mathrm{softmax}_i\\) and <code>$x$</code>¶")
    assert "\\" not in text and "¶" not in text and "mathrm" not in text
    assert "softmaxi" in text and "<code>$x$</code>" in text


def test_scroll_boxes_get_a_keyboard_stop_and_a_name() -> None:
    html = '<div class="highlight-ipynb hl-python"><pre><span>x</span></pre></div>'
    zh = pages.mark_scrollers(html, "zh")
    assert '<pre tabindex="0" role="group" aria-label="代码，可横向滚动">' in zh


def test_a_table_gets_a_keyboard_stop_and_keeps_its_role() -> None:
    en = pages.mark_scrollers("<table><tr><td>1</td></tr></table>", "en")
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
    page = pages.render_math(f"<body>{table}</body>", "x")
    out = pages.finish_page(page, lang="en", prefix="", where="x")
    assert '<math aria-label="K(u)" xmlns=' in out
    assert "<th>kernel</th>" in out and "<td></td>" in out  # an empty header is a data cell


def _figure(glyphs: dict[str, str], clip: str = "") -> str:
    """A figure as attention.plotting draws it: glyphs in <defs>, used by id."""
    path = '<path d="{}" id="{}" transform="scale(0.01)"></path>\n'
    defs = "".join(path.format(d, i) for i, d in glyphs.items())
    uses = "".join(f'<use xlink:href="#{i}"></use>\n' for i in glyphs)
    return (
        '<figure class="attn-figure"><svg role="img" aria-label="x">\n<defs>\n</defs>\n'
        f"<defs>\n{defs}{clip}</defs>\n<g>{uses}</g></svg>"
        "<figcaption>x</figcaption></figure>"
    )


def test_figure_glyphs_move_to_one_hidden_svg_with_references_rewritten() -> None:
    clip = '<clipPath id="fa1"><path d="M0 0L1 1" id="fa9"></path></clipPath>\n'
    page = '<article class="md-content__inner">' + _figure({"fa0": "M1 1z"}, clip) + "</article>"
    out = pages.share_definitions(page)
    hidden, figure = out.split("</svg>", 1)
    assert hidden.startswith('<article class="md-content__inner"><svg aria-hidden="true"')
    new = re.search(r'<path id="(g[0-9a-f]{4})" d="M1 1z" transform="scale\(0.01\)"/>', hidden)
    assert new is not None, hidden
    assert f'<use xlink:href="#{new.group(1)}"/>' in figure and "#fa0" not in figure
    assert "M1 1z" not in figure  # the outline lives once, in the hidden svg
    # clipPaths stay with their figure
    assert clip.replace("></path>", "/>").strip() in figure and "M0 0L1 1" not in hidden
    assert figure.count("<defs>") == 1  # emptied <defs> dropped
    assert " href=" not in out.replace(" xlink:href=", "")  # see the code cells' test


def test_two_figures_sharing_a_glyph_get_one_definition() -> None:
    page = (
        "<article>"
        + _figure({"fa0": "M1 1z", "fa1": "M2 2z"})
        + _figure({"fb0": "M2 2z", "fb1": "M3 3z"})
        + "</article>"
    )
    out = pages.share_definitions(page)
    hidden = out[: out.index("</svg>")]
    assert [hidden.count(f'd="M{n} {n}z"') for n in (1, 2, 3)] == [1, 1, 1]
    ids = re.findall(r'id="(g[0-9a-f]+)"', hidden)
    assert len(ids) == len(set(ids)) == 3
    shared = re.search(r'id="(g[0-9a-f]+)" d="M2 2z"', hidden).group(1)
    assert out.count(f'href="#{shared}"') == 2  # both figures point at the one definition
    assert pages.share_definitions(page) == out  # deterministic


def test_different_glyphs_get_different_ids_and_a_page_without_figures_is_unchanged() -> None:
    one, two = (pages.share_definitions(_figure({"fa0": d})) for d in ("M1 1z", "M1 2z"))
    assert re.findall(r'href="#(\w+)"', one) != re.findall(r'href="#(\w+)"', two)
    plain = "<article><p>text</p></article>"
    assert pages.share_definitions(plain) == plain


def test_a_clash_of_short_glyph_ids_takes_a_longer_id(monkeypatch) -> None:
    class Clash:  # every path hashes alike
        def __init__(self, data: bytes) -> None:
            self.data = data

        def hexdigest(self) -> str:
            return "0" * 63 + str(len(self.data) % 10)

    monkeypatch.setattr(pages.hashlib, "sha256", Clash)
    out = pages.share_definitions(_figure({"fa0": "M1 1z", "fa1": "M2 22z", "fa2": "M1 1z"}))
    ids = re.findall(r'<path id="(\w+)" d="(M[^"]+)"', out)
    assert [d for _, d in ids] == ["M1 1z", "M2 22z"] and ids[0][0] != ids[1][0], ids
    assert re.findall(r'<use xlink:href="#(\w+)"/>', out) == [ids[0][0], ids[1][0], ids[0][0]]


ICON = '<path d="M0 6.75C0 5z" fill="currentColor"></path>'
CELL = (
    '<div class="zeroclipboard-container"><clipboard-copy aria-label="Copy to Clipboard" for="c1">'
    '<div><svg aria-hidden="true" class="clipboard-copy-icon" height="20" viewbox="0 0 16 16">'
    f"{ICON}</svg></div></clipboard-copy></div>"
    '<div class="highlight-ipynb hl-python"><pre><span></span><span class="n">x</span>'
    '<span class="w"> </span><span class="o">=</span> <span class="nb">len</span>'
    '<span class="p">(</span><span class="s2">"a"</span><span class="p">)</span></pre></div>'
    '<div class="highlight"><pre><span></span><code><span class="n">y</span></code></pre></div>'
)


def test_code_cells_share_one_copy_icon_and_lose_the_spans_that_colour_nothing() -> None:
    out = pages.share_definitions(f"<article>{CELL}{CELL}</article>")
    hidden, rest = out.split("</svg>", 1)
    name = re.search(r'<g id="(c[0-9a-f]{6})">', hidden).group(1)
    assert hidden.count(ICON) == 1 and ICON not in rest
    assert rest.count(f'<use xlink:href="#{name}"/></svg>') == 2
    assert 'aria-label="Copy to Clipboard"' in rest  # the button keeps its name
    # Material's instant navigation assigns el.href on every [href]: read-only on an SVG <use>.
    assert " href=" not in out.replace(" xlink:href=", "")
    code = '<pre>x <span class="o">=</span> len<span class="p">(</span><span class="s2">"a"</span>'
    assert rest.count(code) == 2
    # Outside notebook cells (Material's and show_source's .highlight colours .n): untouched.
    assert rest.count('<pre><span></span><code><span class="n">y</span></code>') == 2


def test_an_explorables_spec_moves_to_a_json_file_beside_the_page() -> None:
    from attention.explorables import Explorable

    figure = Explorable({"mark": "bar", "x": "</script>"}, "a chart of bars", "demo").to_html()
    mermaid = (
        '<script type="module">\n  document.addEventListener("DOMContentLoaded", async () => {\n'
        '    const diagrams = document.querySelectorAll(".jp-Mermaid > pre.mermaid");\n'
        "    if (!diagrams.length) { return; }\n  });\n</script>\n"
    )
    out, files = pages.move_specs(f"<article>{figure}</article>{mermaid}")
    assert "attnSpec" not in out and "<script" not in out  # no spec, no unused mermaid loader
    assert 'data-attn-spec="attn-explorable-demo.json">' in out
    assert json.loads(files["attn-explorable-demo.json"]) == {"mark": "bar", "x": "</script>"}
    assert pages.move_specs(mermaid + '<div class="jp-Mermaid"></div>')[0].startswith(mermaid)


def test_figures_lose_colour_fallbacks_that_figures_css_makes_useless() -> None:
    from attention.plotting import CSS_VARS

    css = (pages.KATEX.parents[1] / "stylesheets" / "figures.css").read_text(encoding="utf-8")
    defined = set(re.findall(r"^\s*(--attn-[\w-]+):", css, flags=re.M))
    used = {re.search(r"var\((--attn-[\w-]+)", v).group(1) for v in CSS_VARS.values()}
    assert used <= defined, f"figures.css lacks {used - defined}"
    svg = '<g style="fill: var(--attn-ink, #2B2B2B); stroke-width: 0.8">\n<path d="M0 0"></path>'
    out = pages.share_definitions(f'<figure class="attn-figure"><svg>{svg}</svg></figure>')
    assert '<svg><g style="fill:var(--attn-ink);stroke-width:0.8"><path d="M0 0"/></svg>' in out


def test_figures_and_their_glyphs_move_to_files_and_the_copy_icon_stays() -> None:
    svg = (
        '<svg aria-label="a &quot;b&quot;" height="20.5pt" role="img" width="40pt">'
        '<defs><path d="M1 1z" id="fa0"></path></defs><use xlink:href="#fa0"></use></svg>'
    )
    page = f'<article>{CELL}<figure class="attn-figure">{svg}</figure></article>'
    out, files = pages.lazy_figures(page)
    out = pages.share_definitions(out)  # as the plugin runs them: the copy icons after
    figure, glyphs = sorted(files)  # figure-<hash>.svg, glyphs-<hash>.svg
    glyph = re.search(r'<path id="(g[0-9a-f]{4})" d="M1 1z"/>', files[glyphs])
    assert glyph is not None, files[glyphs]
    assert files[figure] == (
        '<svg aria-label="a &quot;b&quot;" height="20.5pt" role="img" width="40pt">'
        f'<use xlink:href="#{glyph.group(1)}"/></svg>'
    )
    assert "M1 1z" not in out
    assert (
        '<figure class="attn-figure"><div class="attn-figure__svg" role="img" '
        f'aria-label="a &quot;b&quot;" data-attn-svg="{figure}" data-attn-glyphs="{glyphs}" '
        'style="width:40pt;aspect-ratio:40/20.5"></div></figure>'
    ) in out
    assert out.count('class="clipboard-copy-icon"') == 1 and 'class="attn-glyphs"' in out
    assert pages.lazy_figures(page) == pages.lazy_figures(page)  # deterministic names
    plain = f"<article>{CELL}</article>"
    assert pages.lazy_figures(plain) == (plain, {})


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
