"""Masked softmax: attention weights that ignore padding."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from attention._checks import as_valid_lens, check_floating, check_ndim


def masked_softmax(scores: Tensor, valid_lens: Tensor | Sequence[int] | None = None) -> Tensor:
    """Softmax over the last axis that only looks at the first ``valid_len`` keys.

    Keys at positions ``>= valid_len`` (padding) get weight exactly 0. A query whose valid
    length is 0 gets all-zero weights: it attends to nothing. (Filling masked scores with
    ``-1e6``, as d2l does, would spread such a row uniformly over the padding instead.)

    Args:
        scores: Attention scores of shape ``(batch, n_queries, n_keys)``, any float dtype.
        valid_lens: ``None`` (no masking), shape ``(batch,)`` (one length per sequence) or
            ``(batch, n_queries)`` (one per query). A tensor on any device, a list or a tuple.

    Returns:
        Attention weights of shape ``(batch, n_queries, n_keys)``, same dtype as ``scores``;
        each row sums to 1, or to 0 where the valid length is 0.

    Raises:
        ValueError: ``scores`` is not a 3-D float tensor, or ``valid_lens`` has the wrong
            shape or holds lengths that are not integers in ``[0, n_keys]``.
    """
    check_ndim("scores", scores, 3, "(batch, n_queries, n_keys)")
    check_floating("scores", scores)
    if valid_lens is None:
        return torch.softmax(scores, dim=-1)
    batch, n_queries, n_keys = scores.shape
    # One mask row per sequence (shared by its queries) or one per query.
    lens = as_valid_lens(valid_lens, batch, n_queries, n_keys, scores.device)[..., None]
    has_keys = lens > 0  # (B, Q or 1, 1)
    # -inf makes exp() exactly 0 at padded keys. A row with no valid key would then be all
    # -inf, and softmax of that is NaN (0/0) in the output *and* the gradient. So leave such
    # rows unmasked (their softmax is finite) and multiply them by 0 afterwards, which passes
    # no gradient back through them either.
    padding = (torch.arange(n_keys, device=scores.device) >= lens) & has_keys  # (B, Q or 1, K)
    # The mask enters as a bias of 0 and -inf, broadcast over the queries: one addition,
    # much faster on CPU than masked_fill on the whole (B, Q, K) scores.
    bias = torch.zeros(padding.shape, dtype=scores.dtype, device=scores.device)
    bias.masked_fill_(padding, float("-inf"))
    weights = torch.softmax(scores + bias, dim=-1)  # (B, Q, K)
    return weights if has_keys.all() else weights * has_keys
