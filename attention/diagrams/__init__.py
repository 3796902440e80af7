"""Schematic diagrams of the chapters, drawn by code: one module per chapter over ``draw``.

Every function builds its figure without pyplot (no global registry, no ``show()``), is
deterministic, draws only with the colour roles of ``attention.style`` (so the figure follows the
page's light or dark scheme) and writes its words in the language of ``attention.i18n`` (English
unless a page sets Chinese).

- ``attention_cues``: ``cue_diagram``, ``attention_pooling_diagram``
- ``nadaraya_watson``: ``nadaraya_watson_window_diagram``
- ``queries_keys_values``: ``dictionary_lookup_diagram``, ``attention_output_diagram``
- ``scoring_functions``: ``masked_softmax_diagram``, ``additive_attention_diagram``
- ``self_attention``: ``qkv_projection_diagram``, ``self_vs_cross_attention_diagram``,
  ``multihead_attention_diagram``, ``cnn_rnn_self_attention_diagram``
- ``draw``: the drawing primitives they share (canvas, boxes, arrows, text, pictograms).
"""

from __future__ import annotations

from attention.diagrams.attention_cues import attention_pooling_diagram, cue_diagram
from attention.diagrams.nadaraya_watson import nadaraya_watson_window_diagram
from attention.diagrams.queries_keys_values import (
    attention_output_diagram,
    dictionary_lookup_diagram,
)
from attention.diagrams.scoring_functions import additive_attention_diagram, masked_softmax_diagram
from attention.diagrams.self_attention import (
    cnn_rnn_self_attention_diagram,
    multihead_attention_diagram,
    qkv_projection_diagram,
    self_vs_cross_attention_diagram,
)

__all__ = [
    "additive_attention_diagram",
    "attention_output_diagram",
    "attention_pooling_diagram",
    "cnn_rnn_self_attention_diagram",
    "cue_diagram",
    "dictionary_lookup_diagram",
    "masked_softmax_diagram",
    "multihead_attention_diagram",
    "nadaraya_watson_window_diagram",
    "qkv_projection_diagram",
    "self_vs_cross_attention_diagram",
]
