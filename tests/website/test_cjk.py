"""The CJK line-join hook: Chinese lines join without a space; code and English stay as they are."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("cjk_hook", ROOT / "hooks" / "cjk.py")
cjk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cjk)


def test_joins_chinese_lines() -> None:
    assert cjk.join_cjk_lines("<p>把这个\n想法讲清楚。</p>") == "<p>把这个想法讲清楚。</p>"
    assert cjk.join_cjk_lines("<p>权重\uff0c\n  再求和</p>") == "<p>权重\uff0c再求和</p>"


def test_keeps_english_mixed_and_verbatim_breaks() -> None:
    english = "<p>the query\nand the key</p>"
    assert cjk.join_cjk_lines(english) == english
    mixed = "<p>调用\nPyTorch 的函数</p>"  # CJK then Latin: a space is right here
    assert cjk.join_cjk_lines(mixed) == mixed
    code = "<pre><code># 查询\n# 键\n</code></pre>"
    assert cjk.join_cjk_lines(code) == code
    assert cjk.join_cjk_lines("<p>一\n二</p>" + code) == "<p>一二</p>" + code
