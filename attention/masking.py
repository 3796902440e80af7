"""Masked softmax: attention weights that ignore padding."""

from __future__ import annotations

import torch
from torch import Tensor

from attention._checks import (
    ValidLens,
    as_valid_lens,
    check_ndim,
    check_positive_int,
    check_tensors,
)


def masked_softmax(scores: Tensor, valid_lens: ValidLens | None = None) -> Tensor:
    """Softmax over the last axis that only looks at the first ``valid_len`` keys.

    Keys at positions ``>= valid_len`` (padding) get weight exactly 0, and their scores are
    never read: an ``inf`` or ``NaN`` there changes nothing. A query whose valid length is 0
    gets all-zero weights: it attends to nothing. (Filling masked scores with ``-1e6``, as
    d2l does, would spread such a row uniformly over the padding instead.) A ``NaN`` among
    the valid scores makes its row NaN, as in ``torch.softmax``. For ``float16`` and
    ``bfloat16`` scores the softmax is computed in ``float32`` and rounded back once.

    Args:
        scores: Attention scores of shape ``(batch, n_queries, n_keys)``, any float dtype.
        valid_lens: ``None`` (no masking), shape ``(batch,)`` or ``(batch, 1)`` (one length
            per sequence) or ``(batch, n_queries)`` (one per query). A tensor on any device
            (integer, or floating with whole values), a list or a tuple of whole numbers
            (checked exactly: ``1.99999999`` is refused, not rounded).

    Returns:
        Attention weights of shape ``(batch, n_queries, n_keys)``, same dtype as ``scores``;
        each row sums to 1, or to 0 where the valid length is 0.

    Raises:
        ValueError: ``scores`` is not a 3-D float tensor, or ``valid_lens`` has the wrong
            shape or holds lengths that are not integers in ``[0, n_keys]``.
    """
    check_tensors(("scores", scores))
    check_ndim("scores", scores, 3, "(batch, n_queries, n_keys)")
    # float16 overflows at 65504 and rounds sums coarsely: add up the exponentials in float32.
    work = torch.promote_types(scores.dtype, torch.float32)
    if valid_lens is None:
        return torch.softmax(scores, dim=-1, dtype=work).to(scores.dtype)
    batch, n_queries, n_keys = scores.shape
    # One mask row per sequence (shared by its queries) or one per query.
    lens = as_valid_lens(valid_lens, batch, n_queries, n_keys, scores.device)[..., None]
    keep = torch.arange(n_keys, device=scores.device) < lens  # (B, Q or 1, K): True = real key
    has_keys = lens > 0  # (B, Q or 1, 1)
    # Padded scores are *replaced* by -inf (a selection, not an addition, so an inf or NaN in
    # the padding cannot leak in as inf - inf), which makes exp() exactly 0 there. A row with
    # no valid key would then be all -inf, and softmax of that is NaN (0/0) in the output and
    # the gradient: fill such rows with 0 instead and zero their weights afterwards, which
    # passes no gradient back through them either.
    fill = torch.where(has_keys, float("-inf"), 0.0).to(scores.dtype)  # (B, Q or 1, 1)
    weights = torch.softmax(torch.where(keep, scores, fill), dim=-1, dtype=work)  # (B, Q, K)
    # Always, not `if not has_keys.all()`: a branch on values would break torch.compile and
    # torch.export, and jit.trace would bake in whichever branch its example took.
    return weights.masked_fill(~has_keys, 0.0).to(scores.dtype)


def key_padding(
    valid_lens: ValidLens | None, batch: int, n_queries: int, n_keys: int, device: torch.device
) -> Tensor | None:
    """Where the keys are padding: the positions no query may see.

    With one length per query a position counts as padding when it lies beyond every
    query's length; a key or value some query may see is real data and must be finite, as in
    ``F.scaled_dot_product_attention``.

    Args:
        valid_lens: ``None`` or valid lengths as for ``masked_softmax``.
        batch: Batch size.
        n_queries: Number of queries (to check a per-query ``valid_lens``).
        n_keys: Number of keys.
        device: Device of the keys.

    Returns:
        ``None`` when ``valid_lens`` is None, else a bool tensor of shape ``(batch, n_keys)``,
        True at padding.
    """
    if valid_lens is None:
        return None
    lens = as_valid_lens(valid_lens, batch, n_queries, n_keys, device)  # (B, 1 or Q)
    # The longest length of each sequence (0 when it has no query at all).
    reach = lens.amax(dim=1, keepdim=True) if lens.shape[1] else lens.new_zeros(batch, 1)
    return torch.arange(n_keys, device=device) >= reach  # (B, K)


def drop_padding(x: Tensor, padding: Tensor | None) -> Tensor:
    """``x`` with its padded positions replaced by 0, before they enter any arithmetic.

    Their weights are exactly 0, but ``0 * inf`` and ``0 * NaN`` are NaN in a matrix product,
    and in the backward pass too: a padded key's ``NaN`` reaches the query's gradient as
    ``0 * NaN`` even where the forward pass ignored it. A selection (``torch.where``) passes
    exactly 0 gradient back to the positions it drops, so padding that the forward pass
    ignores is ignored by the gradient as well.

    Args:
        x: Shape ``(batch, n_keys, size)``: keys, values, or the inputs they are projected from.
        padding: ``None`` or shape ``(batch, n_keys)``, True at padding (``key_padding``).

    Returns:
        Shape ``(batch, n_keys, size)``: ``x`` itself when ``padding`` is None.
    """
    return x if padding is None else torch.where(padding[..., None], 0.0, x)  # (B, K, size)


def causal_valid_lens(
    n_queries: int, batch: int = 1, device: torch.device | str | None = None
) -> Tensor:
    """Per-query valid lengths of a causal (look-ahead) mask: query ``i`` sees keys ``0..i``.

    Passed to ``masked_softmax`` (or any layer's ``valid_lens``) with ``n_queries`` keys, it
    makes the weights lower-triangular, as ``is_causal=True`` does in
    ``F.scaled_dot_product_attention``: a position never attends to one after it.

    Args:
        n_queries: Number of positions (queries, and keys: the sequence attends to itself), >= 1.
        batch: Number of sequences, >= 1; they all get the same mask.
        device: Where the lengths live (default: the CPU).

    Returns:
        Shape ``(batch, n_queries)``, ``int64``: every row is ``1, 2, ..., n_queries``.

    Raises:
        ValueError: ``n_queries`` or ``batch`` is not an int >= 1.
    """
    n_queries = check_positive_int("n_queries", n_queries)
    batch = check_positive_int("batch", batch)
    return torch.arange(1, n_queries + 1, device=device).expand(batch, n_queries).clone()
