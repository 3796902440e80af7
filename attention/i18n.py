"""The language of the words in figures and explorables: English unless a page says otherwise.

A chapter's first cell calls ``set_language("zh")`` on a Chinese page; a reader's own code never
needs to, and gets English. The setting is a ``ContextVar``, so threads and ``language(...)``
blocks do not leak it into each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from attention._checks import brief

LANGUAGES = ("en", "zh")

_language: ContextVar[str] = ContextVar("attention_language", default="en")


def _check(lang: object) -> str:
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {list(LANGUAGES)}, got {brief(lang)}")
    return lang  # type: ignore[return-value]


def set_language(lang: str) -> None:
    """Draw every later figure in ``lang`` (``"en"`` or ``"zh"``)."""
    _language.set(_check(lang))


def get_language() -> str:
    """The language figures are drawn in now: ``"en"`` (the default) or ``"zh"``."""
    return _language.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Draw in ``lang`` inside a ``with`` block only."""
    token = _language.set(_check(lang))
    try:
        yield
    finally:
        _language.reset(token)


def pick(en: str, zh: str) -> str:
    """The text in the current language: ``pick("Keys", "键")``."""
    return zh if get_language() == "zh" else en


# English words that the package's data carries and figures draw, in the glossary's Chinese
# (docs/zh/glossary.md): kernel names (``attention.KERNELS``), the features of
# ``attention.cat_on_mat`` and a gloss for the words of its English sentence.
WORDS_ZH = {
    "gaussian": "高斯核",
    "boxcar": "矩形核",
    "constant": "常数核",
    "epanechnikov": "Epanechnikov 核",
    "triangular": "三角核",
    "object": "物体",
    "place/surface": "地点/表面",
    "animal": "动物",
    "function word": "虚词",
    "cat": "cat（猫）",
    "is": "is（是）",
    "on": "on（在…上）",
    "mat": "mat（垫子）",
}


def word(text: str) -> str:
    """``text`` as a figure in the current language draws it: on a Chinese page its entry of
    ``WORDS_ZH`` (``word("boxcar")`` is "矩形核"), or ``text`` itself where it has none; in
    English always ``text`` itself."""
    return WORDS_ZH.get(text, text) if get_language() == "zh" else text
