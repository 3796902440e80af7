"""MkDocs hook: no stray spaces where a Chinese sentence wraps in the source.

Markdown sources are wrapped at about 100 columns. A browser renders the line break inside a
paragraph as a space, which is right between English words and wrong between two Chinese
characters ("把这个 想法讲清楚"). Browsers do not yet implement CSS's `segment-break` rules for
Chinese, so this hook removes such breaks from the finished HTML of every page, notebooks
included, leaving code, scripts and styles untouched.
"""

from __future__ import annotations

import re

# CJK ideographs, CJK punctuation and full-width forms.
_CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_VERBATIM = r"<(?P<tag>pre|code|script|style|textarea)\b[\s\S]*?</(?P=tag)>"
_PATTERN = re.compile(rf"({_VERBATIM})|(?<={_CJK})[ \t]*\n[ \t]*(?={_CJK})")


def join_cjk_lines(html: str) -> str:
    """Remove line breaks between two CJK characters outside verbatim elements."""
    return _PATTERN.sub(lambda m: m.group(1) or "", html)


def on_post_page(output: str, page, config) -> str:
    return join_cjk_lines(output)
