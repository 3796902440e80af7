"""Attention mechanisms, chapter by chapter: the code behind the notes.

Small, tested PyTorch implementations with the names of the d2l book:

- ``pooling``: Nadaraya-Watson attention pooling (``nadaraya_watson``, ``KERNELS``,
  ``NWKernelRegression``) and its hard counterpart ``hard_lookup``.
- ``masking``: ``masked_softmax``, which ignores padding exactly.
- ``scoring``: ``AdditiveAttention``, ``DotProductAttention`` and ``score_statistics``
  (why scores are divided by ``sqrt(d)``).
- ``self_attention``: ``SelfAttention``, one head over projections of one sequence.
- ``multihead``: ``MultiHeadAttention``.
- ``positional``: sinusoidal ``PositionalEncoding``.
- ``data`` and ``training``: the toy data sets and the leave-one-out training loop.
- ``toy_task``: a self-attention model trained to reverse sequences (``train_reversal``),
  whose learned weights can be checked against the known alignment. Loaded on first use.
- ``plotting``: figures built without pyplot. It is the only module that imports
  matplotlib, and ``import attention`` does not load it until a plotting name is used.
- ``diagrams``: the schematic figures of the chapters (cues, pooling, the three stages, ...).
- ``source``: ``show_source``, which shows this package's own code on a page.
- ``device``: ``default_device``, overridable with ``ATTENTION_DEVICE``.

Every function checks its inputs and raises ``ValueError`` naming the argument at fault,
with a message of a few hundred characters at most. Tensors are never converted silently: the
layers take floating-point tensors of one dtype and device (NumPy arrays and lists are refused,
mixed dtypes too). Padding is ignored even when it holds ``inf`` or ``NaN``; a ``NaN`` among the
real inputs comes out as ``NaN``, never as a plausible number, and padding is ignored by the
gradient too. A layer's ``forward`` keeps its ``attention_weights`` for readers, detached from
autograd (so ``copy.deepcopy`` works after training), but never reads them back, so one layer
may serve several threads.

The math is branch-free: every layer runs under ``torch.compile(fullgraph=True)``,
``torch.export``, ``torch.vmap`` (lengths included) and ``torch.jit.trace``; checks that read
values run in eager mode only. ``torch.jit.script`` is refused with a clear error.
"""

from __future__ import annotations

import difflib
import importlib
from types import ModuleType
from typing import Any

from attention import style
from attention.data import (
    FEATURES,
    ToyData,
    cat_on_mat,
    leave_one_out,
    target_function,
    toy_regression_data,
)
from attention.device import default_device
from attention.i18n import get_language, language, set_language
from attention.masking import masked_softmax
from attention.multihead import MultiHeadAttention
from attention.pooling import KERNELS, NWKernelRegression, hard_lookup, nadaraya_watson
from attention.positional import PositionalEncoding
from attention.scoring import AdditiveAttention, DotProductAttention, score_statistics
from attention.self_attention import SelfAttention
from attention.source import Source, show_source
from attention.training import train_nw

__version__ = "0.1.0"

# Plotting names load matplotlib on first use (PEP 562), so the math stays importable
# (and fast to import) without it.
_PLOTTING = (
    "DisplayFigure",
    "new_figure",
    "plot_curves",
    "plot_kernel_regression",
    "show_heatmaps",
)
# The toy task too: only the chapter that trains it imports it (and re-runs when it changes).
_TOY_TASK = (
    "ReversalModel",
    "ReversalRun",
    "Snapshot",
    "reversal_alignment",
    "reversal_data",
    "train_reversal",
)
_LAZY = {
    **dict.fromkeys(_PLOTTING, "attention.plotting"),
    **dict.fromkeys(_TOY_TASK, "attention.toy_task"),
}

__all__ = [
    "FEATURES",
    "KERNELS",
    "AdditiveAttention",
    "DisplayFigure",
    "DotProductAttention",
    "MultiHeadAttention",
    "NWKernelRegression",
    "PositionalEncoding",
    "ReversalModel",
    "ReversalRun",
    "SelfAttention",
    "Snapshot",
    "Source",
    "ToyData",
    "__version__",
    "cat_on_mat",
    "default_device",
    "get_language",
    "hard_lookup",
    "language",
    "leave_one_out",
    "masked_softmax",
    "nadaraya_watson",
    "new_figure",
    "plot_curves",
    "plot_kernel_regression",
    "reversal_alignment",
    "reversal_data",
    "score_statistics",
    "set_language",
    "show_heatmaps",
    "show_source",
    "style",
    "target_function",
    "toy_regression_data",
    "train_nw",
    "train_reversal",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    close = difflib.get_close_matches(name, __all__, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise AttributeError(f"module 'attention' has no attribute {name[:60]!r}{hint}")


def __dir__() -> list[str]:
    """The public API (``__all__``) and the submodules, not the helpers this file imports."""
    helpers = {"difflib", "importlib"}
    modules = {name for name, value in globals().items() if isinstance(value, ModuleType)}
    return sorted(set(__all__) | {name for name in modules - helpers if name[0] != "_"})
