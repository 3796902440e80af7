"""Attention scoring functions: additive and scaled dot-product attention."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import Tensor, nn

from attention._checks import (
    ValidLens,
    brief,
    check_attention_inputs,
    check_positive_int,
    check_probability,
    check_same_size,
    check_seed,
    check_size,
    like_parameter,
    refuse_script,
)
from attention.masking import drop_padding, key_padding, masked_softmax


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: ``score(q, k) = w_v^T tanh(W_q q + W_k k)``.

    Works when queries and keys have different sizes, at the cost of a small MLP per
    query-key pair.

    Args:
        key_size: Size of each key vector.
        query_size: Size of each query vector.
        num_hiddens: Width of the hidden layer.
        dropout: Dropout rate applied to the attention weights.

    Attributes:
        attention_weights: Weights of the last forward pass, shape ``(batch, n_queries, n_keys)``,
            detached from autograd (like the weights ``nn.MultiheadAttention`` returns, and so
            that ``copy.deepcopy`` of a trained layer works), kept for readers (plots,
            inspection). ``forward`` never reads it back, so one layer may serve several
            threads at once; the attribute then holds one of their weights.
    """

    __prepare_scriptable__ = refuse_script

    def __init__(self, key_size: int, query_size: int, num_hiddens: int, dropout: float = 0.0):
        super().__init__()
        key_size = check_positive_int("key_size", key_size)
        query_size = check_positive_int("query_size", query_size)
        num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        check_probability("dropout", dropout)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: Tensor | None = None

    def forward(
        self,
        queries: Tensor,
        keys: Tensor,
        values: Tensor,
        valid_lens: ValidLens | None = None,
    ) -> Tensor:
        """Attend from each query to the (valid) keys.

        Args:
            queries: Shape ``(batch, n_queries, query_size)``.
            keys: Shape ``(batch, n_keys, key_size)``.
            values: Shape ``(batch, n_keys, value_size)``.
            valid_lens: ``None``, shape ``(batch,)`` or ``(batch, n_queries)``; see
                ``masked_softmax``. Padded keys and values are ignored even if not finite.

        Returns:
            Shape ``(batch, n_queries, value_size)``; zeros for a query with no valid key.

        Raises:
            ValueError: Not tensors of the layer's dtype and device, or shapes that do not fit
                together or do not match the layer sizes.
        """
        check_attention_inputs(queries, keys, values, like=like_parameter(self))
        check_size("queries", queries, -1, self.W_q.in_features, "query_size")
        check_size("keys", keys, -1, self.W_k.in_features, "key_size")
        batch, n_queries, n_keys = queries.shape[0], queries.shape[1], keys.shape[1]
        # Padding becomes 0 before the projections: no NaN there reaches W_k's gradient.
        padding = key_padding(valid_lens, batch, n_queries, n_keys, keys.device)  # (B, K)
        keys, values = drop_padding(keys, padding), drop_padding(values, padding)
        q, k = self.W_q(queries), self.W_k(keys)  # (B, Q, h), (B, K, h)
        # Broadcast every query against every key: (B, Q, 1, h) + (B, 1, K, h) -> (B, Q, K, h).
        features = torch.tanh(q.unsqueeze(2) + k.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)  # (B, Q, K)
        weights = masked_softmax(scores, valid_lens)
        self.attention_weights = weights.detach()  # for readers only: never read back (threads)
        return torch.bmm(self.dropout(weights), values)  # (B, Q, v)


class DotProductAttention(nn.Module):
    """Scaled dot-product attention: ``softmax(Q K^T / sqrt(d)) V``.

    Dividing by ``sqrt(d)`` keeps the scores' variance near 1 whatever the size ``d``, so the
    softmax does not saturate (see ``score_statistics``). ``float16`` and ``bfloat16`` inputs
    are computed in ``float32`` and the result rounded back, as PyTorch's fused attention
    does: a scaled score beyond 65504 (the ``float16`` maximum) stays finite.

    Args:
        dropout: Dropout rate applied to the attention weights.

    Attributes:
        attention_weights: Weights of the last forward pass, shape ``(batch, n_queries, n_keys)``,
            detached from autograd (``attend`` returns them attached), kept for readers (plots,
            inspection). ``forward`` never reads it back, so one layer may serve several
            threads at once; the attribute then holds one of their weights.
    """

    __prepare_scriptable__ = refuse_script

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        check_probability("dropout", dropout)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights: Tensor | None = None

    def forward(
        self,
        queries: Tensor,
        keys: Tensor,
        values: Tensor,
        valid_lens: ValidLens | None = None,
    ) -> Tensor:
        """Attend from each query to the (valid) keys; see ``attend``.

        Returns:
            Shape ``(batch, n_queries, value_size)``.
        """
        output, weights = self.attend(queries, keys, values, valid_lens)
        self.attention_weights = weights.detach()
        return output

    def attend(
        self,
        queries: Tensor,
        keys: Tensor,
        values: Tensor,
        valid_lens: ValidLens | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``forward`` without storing anything on the layer: the output *and* the weights.

        Args:
            queries: Shape ``(batch, n_queries, d)``.
            keys: Shape ``(batch, n_keys, d)``, dtype and device of ``queries``.
            values: Shape ``(batch, n_keys, value_size)``, dtype and device of ``queries``.
            valid_lens: ``None``, shape ``(batch,)`` or ``(batch, n_queries)``; see
                ``masked_softmax``. Padded keys and values are ignored even if not finite.

        Returns:
            ``(output, weights)``: shapes ``(batch, n_queries, value_size)`` (zeros for a query
            with no valid key) and ``(batch, n_queries, n_keys)``, in the dtype of ``queries``.

        Raises:
            ValueError: Not floating tensors of one dtype and device, or shapes that do not
                fit together.
        """
        check_attention_inputs(queries, keys, values)
        check_same_size("queries", queries, "keys", keys, -1, "vector size d")
        d = queries.shape[-1]
        # Half-precision scores overflow beyond 65504: compute in float32 (a no-op for fp32).
        work = torch.promote_types(queries.dtype, torch.float32)
        # Padded keys and values become 0 before any arithmetic, so that a NaN there reaches
        # neither the output nor, as 0 * NaN, the gradient of the queries.
        padding = key_padding(
            valid_lens, queries.shape[0], queries.shape[1], keys.shape[1], keys.device
        )  # (B, K)
        q = queries.to(work)
        k, v = drop_padding(keys.to(work), padding), drop_padding(values.to(work), padding)
        # Scaling the (B, Q, d) queries gives the same scores as scaling the (B, Q, K) scores,
        # with fewer multiplications when there are more keys than d.
        scores = torch.bmm(q / math.sqrt(d), k.transpose(1, 2))  # (B, Q, K)
        weights = masked_softmax(scores, valid_lens)
        output = torch.bmm(self.dropout(weights), v)  # (B, Q, v)
        return output.to(queries.dtype), weights.to(queries.dtype)


def score_statistics(
    dims: Iterable[int], n_keys: int = 10, n_samples: int = 2000, seed: int = 0
) -> dict[str, list[float]]:
    """Why divide by ``sqrt(d)``: score statistics for random queries and keys.

    For each size ``d``, draws ``n_samples`` queries and ``n_samples * n_keys`` keys with
    i.i.d. ``N(0, 1)`` entries. The raw score ``q . k`` then has variance ``d``, so its
    softmax over ``n_keys`` keys becomes almost one-hot as ``d`` grows (tiny gradients);
    ``q . k / sqrt(d)`` has variance 1 for every ``d``.

    Args:
        dims: Vector sizes ``d`` to try, each ``>= 1``: a list, a tuple or any iterable (read
            once).
        n_keys: Keys per query in the softmax.
        n_samples: Queries per size.
        seed: Seed of the generator (the result is deterministic for given arguments).

    Returns:
        Lists aligned with ``dims``: ``"dims"``; ``"var_raw"`` and ``"var_scaled"``, the
        sample variance of ``q . k`` and of ``q . k / sqrt(d)``; ``"max_weight_raw"`` and
        ``"max_weight_scaled"``, the mean over queries of the largest softmax weight.

    Raises:
        ValueError: A size, ``n_keys`` or ``n_samples`` that is not a positive integer, or a
            ``seed`` that is not an integer in ``[0, 2**64)``.
    """
    try:
        dims = list(dims)  # a generator would be used up by the checks below
    except TypeError:
        raise ValueError(f"dims: expected an iterable of integers, got {brief(dims)}") from None
    dims = [check_positive_int("dims", d) for d in dims]
    n_keys = check_positive_int("n_keys", n_keys)
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    seed = check_seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    stats: dict[str, list[float]] = {
        "dims": [float(d) for d in dims],
        "var_raw": [],
        "var_scaled": [],
        "max_weight_raw": [],
        "max_weight_scaled": [],
    }
    for d in dims:
        q = torch.randn(n_samples, d, 1, generator=generator)  # (S, d, 1)
        k = torch.randn(n_samples, n_keys, d, generator=generator)  # (S, n_keys, d)
        raw = torch.bmm(k, q).squeeze(-1)  # (S, n_keys)
        scaled = raw / math.sqrt(d)
        stats["var_raw"].append(raw.var().item())
        stats["var_scaled"].append(scaled.var().item())
        stats["max_weight_raw"].append(raw.softmax(dim=-1).amax(dim=-1).mean().item())
        stats["max_weight_scaled"].append(scaled.softmax(dim=-1).amax(dim=-1).mean().item())
    return stats
