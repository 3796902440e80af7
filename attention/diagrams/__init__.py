"""Schematic diagrams of the chapters, drawn by code: one module per chapter over ``draw``.

Every function builds its figure without pyplot (no global registry, no ``show()``), is
deterministic, draws only with the colour roles of ``attention.style`` (so the figure follows the
page's light or dark scheme) and writes its words in the language of ``attention.i18n`` (English
unless a page sets Chinese).

- ``attention_cues``: ``cue_diagram``, ``attention_pooling_diagram``
- ``nadaraya_watson``: ``nadaraya_watson_window_diagram``
- ``queries_keys_values``: ``dictionary_lookup_diagram``, ``attention_output_diagram``,
  ``worked_attention_diagram``
- ``scoring_functions``: ``masked_softmax_diagram``, ``additive_attention_diagram``,
  ``dot_product_diagram``
- ``self_attention``: ``qkv_projection_diagram``, ``self_vs_cross_attention_diagram``,
  ``causal_mask_diagram``, ``multihead_attention_diagram``, ``positional_clock_diagram``,
  ``cnn_rnn_self_attention_diagram``
- ``draw``: the drawing primitives they share (canvas, boxes, arrows, text, pictograms).
"""

from __future__ import annotations

import importlib
from typing import Any

# Each diagram's chapter module, imported on first use: a chapter then imports only its own
# module, so editing one chapter's diagrams re-executes that chapter alone (the site's cache
# keys a chapter on the package files it imported).
_MODULES = {
    "attention_pooling_diagram": "attention_cues",
    "cue_diagram": "attention_cues",
    "nadaraya_watson_window_diagram": "nadaraya_watson",
    "attention_output_diagram": "queries_keys_values",
    "dictionary_lookup_diagram": "queries_keys_values",
    "worked_attention_diagram": "queries_keys_values",
    "additive_attention_diagram": "scoring_functions",
    "dot_product_diagram": "scoring_functions",
    "masked_softmax_diagram": "scoring_functions",
    "causal_mask_diagram": "self_attention",
    "cnn_rnn_self_attention_diagram": "self_attention",
    "multihead_attention_diagram": "self_attention",
    "positional_clock_diagram": "self_attention",
    "qkv_projection_diagram": "self_attention",
    "self_vs_cross_attention_diagram": "self_attention",
}

__all__ = [
    "additive_attention_diagram",
    "attention_output_diagram",
    "attention_pooling_diagram",
    "causal_mask_diagram",
    "cnn_rnn_self_attention_diagram",
    "cue_diagram",
    "dictionary_lookup_diagram",
    "dot_product_diagram",
    "masked_softmax_diagram",
    "multihead_attention_diagram",
    "nadaraya_watson_window_diagram",
    "positional_clock_diagram",
    "qkv_projection_diagram",
    "self_vs_cross_attention_diagram",
    "worked_attention_diagram",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(f"attention.diagrams.{_MODULES[name]}"), name)
    raise AttributeError(f"module 'attention.diagrams' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
