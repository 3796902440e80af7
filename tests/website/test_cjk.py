"""The attention-cjk jobs (run on each page's tree by attention-pages): Chinese lines join
without a space; code and English stay as they are; no hreflang links; the answered i18n
warning is dropped, others pass."""

from __future__ import annotations

import logging

from attention_site import cjk
from attention_site.markup import LexborHTMLParser


def join_cjk_lines(body: str) -> str:
    tree = LexborHTMLParser(f"<body>{body}</body>")
    cjk.join_cjk_lines(tree)
    return tree.body.inner_html


def drop_hreflang_links(head: str) -> str:
    tree = LexborHTMLParser(f"<head>{head}</head>")
    cjk.drop_hreflang_links(tree)
    return tree.head.inner_html


def test_joins_chinese_lines() -> None:
    assert join_cjk_lines("<p>把这个\n想法讲清楚。</p>") == "<p>把这个想法讲清楚。</p>"
    assert join_cjk_lines("<p>权重\uff0c\n  再求和</p>") == "<p>权重\uff0c再求和</p>"


def test_keeps_english_mixed_and_verbatim_breaks() -> None:
    english = "<p>the query\nand the key</p>"
    assert join_cjk_lines(english) == english
    mixed = "<p>调用\nPyTorch 的函数</p>"  # CJK then Latin: a space is right here
    assert join_cjk_lines(mixed) == mixed
    code = "<pre><code># 查询\n# 键\n</code></pre>"
    assert join_cjk_lines(code) == code
    assert join_cjk_lines("<p>一\n二</p>" + code) == "<p>一二</p>" + code


def test_drops_only_hreflang_links() -> None:
    head = (
        '<link rel="canonical" href="x/">\n'
        '<link rel="alternate" href="/zh/x/" hreflang="zh">\n'
        '<link rel="alternate" href="/x/" hreflang="en">\n<title>x</title>'
    )
    assert drop_hreflang_links(head) == '<link rel="canonical" href="x/">\n<title>x</title>'


def test_filter_drops_the_answered_warning_only() -> None:
    record = lambda msg: logging.LogRecord("i18n", logging.WARNING, "", 0, msg, (), None)  # noqa: E731
    answered = "Per-page language links are not compatible with theme.features = navigation.instant"
    assert not cjk.InstantNavigationAnswered().filter(record(answered))
    assert cjk.InstantNavigationAnswered().filter(record("another i18n warning"))
