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

import importlib
from typing import Any

from attention.explorables.core import (  # noqa: F401  (the helpers, for explorables elsewhere)
    DIGITS,
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

# Each name's chapter module, imported on first use: a chapter then imports only its own
# module, so editing one chapter's explorable re-executes that chapter alone (the site's cache
# keys a chapter on the package files it imported).
_MODULES = {
    "POOL_WIDTHS": "attention_cues",
    "attention_pooling_data": "attention_cues",
    "attention_pooling_explorable": "attention_cues",
    "KERNELS_ZH": "nadaraya_watson",
    "NW_EPOCHS": "nadaraya_watson",
    "NW_KERNELS": "nadaraya_watson",
    "NW_LRS": "nadaraya_watson",
    "NW_WIDTHS": "nadaraya_watson",
    "nadaraya_watson_data": "nadaraya_watson",
    "nadaraya_watson_explorable": "nadaraya_watson",
    "nw_training_data": "nadaraya_watson",
    "nw_training_explorable": "nadaraya_watson",
    "FEATURES_ZH": "core",
    "QUERY_LEVELS": "queries_keys_values",
    "cat_on_mat_data": "queries_keys_values",
    "cat_on_mat_explorable": "queries_keys_values",
    "MASK_SCORES": "scoring_functions",
    "masking_data": "scoring_functions",
    "masking_explorable": "scoring_functions",
    "ORDERS": "self_attention",
    "permutation_data": "self_attention",
    "permutation_explorable": "self_attention",
    "positional_encoding_data": "self_attention",
    "positional_encoding_explorable": "self_attention",
}

__all__ = ["DIGITS", "MIME_VEGALITE", "Explorable", *sorted(_MODULES)]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(f"attention.explorables.{_MODULES[name]}"), name)
    raise AttributeError(f"module 'attention.explorables' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
