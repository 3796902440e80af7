"""Schematic diagrams of the chapters, drawn by code: one module per chapter over ``draw``.

Every function builds its figure without pyplot (no global registry, no ``show()``), is
deterministic, draws only with the colour roles of ``attention.style`` (so the figure follows the
page's light or dark scheme) and writes its words in the language of ``attention.i18n`` (English
unless a page sets Chinese). A function decorated with ``@draw.diagram`` in one of these
modules is importable from here, its module imported on first use.

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

import functools
import importlib
import re
from pathlib import Path
from typing import Any

_FOLDER = Path(__file__).parent
# A top-level function decorated with ``@draw.diagram`` (perhaps among other decorators).
_DIAGRAM = re.compile(r"^@draw\.diagram\n(?:@.*\n)*def (\w+)", re.MULTILINE)


@functools.cache
def _modules() -> dict[str, str]:
    """Each diagram's chapter module, ``{function name: module name}``, read from the modules'
    source, not imported: a chapter then imports only the module of the diagrams it draws, so
    editing one chapter's diagrams re-executes that chapter alone (the site's cache keys a
    chapter on the package files it imported). A pattern, not ``ast``: 1 ms rather than 100 (the
    garbage collector walks torch's heap while ``ast`` builds its nodes); the tests check it
    against the modules as imported."""
    return {
        name: path.stem
        for path in sorted(_FOLDER.glob("*.py"))
        for name in _DIAGRAM.findall(path.read_text(encoding="utf-8"))
    }


def __getattr__(name: str) -> Any:
    # A diagram imports its chapter module on first use; ``__all__`` is the diagrams' names.
    if name == "__all__":
        return sorted(_modules())
    if name in _modules():
        return getattr(importlib.import_module(f"{__name__}.{_modules()[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_modules()) | {"__all__"})
