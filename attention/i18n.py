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
