"""Explorables: charts a reader can play with, computed by this package at build time.

Each function here runs the package's own code for every value of a small grid of slider
settings and returns an ``Explorable``: a Vega-Lite chart (written with Altair) whose sliders,
menus and switches only *select* among those precomputed results, so what the reader plays
with is what the tests check. Nothing is recomputed in JavaScript.

An ``Explorable`` displays as

* ``application/vnd.vegalite.v6+json`` in Jupyter, which draws the chart itself;
* on the site, a ``.attn-explorable`` figure built from that output and its metadata (name,
  description): a still of the chart's first state (drawn without JavaScript and in print),
  which ``docs/assets/javascripts/explorables.js`` replaces with the live chart, drawn by the
  vega scripts the site ships (loaded only on pages that have an explorable).

Labels, titles, descriptions and each chart's accessible name follow
``attention.i18n.get_language()``. Altair is imported on first use, so ``import attention``
does not need it.

One module per chapter, over ``core`` (``Explorable`` and the helpers):

- ``attention_cues``: ``attention_pooling_explorable``
- ``nadaraya_watson``: ``nadaraya_watson_explorable``, ``nw_training_explorable``
- ``scoring_functions``: ``masking_explorable``
- ``queries_keys_values``: ``cat_on_mat_explorable``
- ``self_attention``: ``positional_encoding_explorable``, ``permutation_explorable``

Each ``*_explorable`` has a ``*_data`` twin that returns its numbers.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path
from typing import Any

from attention.explorables.core import (  # noqa: F401  (the helpers, for explorables elsewhere)
    DIGITS,
    FEATURES_ZH,
    MIME_VEGALITE,
    Explorable,
    _alt,
    _chart,
    _check_grid,
    _data,
    _menu,
    _round,
    _short,
    _slider,
    _spec,
    _switch,
)

_FOLDER = Path(__file__).parent
_ALL = re.compile(r"^__all__ = (\[.*?\])", re.MULTILINE | re.DOTALL)
_SHARED = ["DIGITS", "FEATURES_ZH", "MIME_VEGALITE", "Explorable"]  # from core, imported now


@functools.cache
def _modules() -> dict[str, str]:
    """Each name's chapter module, ``{name: module name}``, read from the ``__all__`` list of
    each chapter module's source, not imported: a chapter then imports only its own module, so
    editing one chapter's explorable re-executes that chapter alone (the site's cache keys a
    chapter on the package files it imported). The tests check it against the modules."""
    return {
        name: path.stem
        for path in sorted(_FOLDER.glob("*.py"))
        if (found := _ALL.search(path.read_text(encoding="utf-8"))) and path.stem != "__init__"
        for name in ast.literal_eval(found[1])
    }


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return [*_SHARED, *sorted(_modules())]
    if name in _modules():
        return getattr(importlib.import_module(f"{__name__}.{_modules()[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_modules()) | {"__all__"})
