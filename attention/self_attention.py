"""Self-attention: queries, keys and values are projections of one sequence."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from attention._checks import (
    ValidLens,
    check_ndim,
    check_positive_int,
    check_size,
    check_tensors,
    like_parameter,
    refuse_script,
)
from attention.masking import drop_padding, key_padding
from attention.scoring import DotProductAttention


class SelfAttention(nn.Module):
    """Single-head self-attention: queries, keys and values are projections of the same ``X``.

    Args:
        num_inputs: Size of each input vector.
        num_hiddens: Size of the projected queries, keys, values and of the output.

    Attributes:
        attention_weights: Weights of the last forward pass, shape ``(batch, n, n)``, detached
            from autograd, kept for readers; ``forward`` never reads an attribute back, so one
            layer may serve several threads at once.
    """

    __prepare_scriptable__ = refuse_script

    def __init__(self, num_inputs: int, num_hiddens: int):
        super().__init__()
        num_inputs = check_positive_int("num_inputs", num_inputs)
        num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        self.W_q = nn.Linear(num_inputs, num_hiddens, bias=False)
        self.W_k = nn.Linear(num_inputs, num_hiddens, bias=False)
        self.W_v = nn.Linear(num_inputs, num_hiddens, bias=False)
        self.attention = DotProductAttention()
        self.attention_weights: Tensor | None = None

    def forward(self, X: Tensor, valid_lens: ValidLens | None = None) -> Tensor:
        """Let every position of ``X`` attend to every (valid) position of ``X``.

        Args:
            X: Shape ``(batch, n, num_inputs)``.
            valid_lens: ``None``, shape ``(batch,)`` or ``(batch, n)``; see ``masked_softmax``.
                Padded positions of ``X`` (beyond every length) are read as zeros when they
                serve as keys and values, and their ``inf`` and ``NaN`` entries as zeros when
                they serve as queries: whatever the padding holds, no ``inf`` or ``NaN``
                reaches a real token's output or any gradient.

        Returns:
            Shape ``(batch, n, num_hiddens)``.

        Raises:
            ValueError: ``X`` is not a 3-D tensor of the layer's dtype and device, or its last
                dimension is not ``num_inputs``.
        """
        check_tensors(("X", X), like=like_parameter(self))
        check_ndim("X", X, 3, "(batch, n, num_inputs)")
        check_size("X", X, -1, self.W_q.in_features, "num_inputs")
        # X is queries, keys and values at once: what its padding holds must not reach the
        # projections, where 0 * NaN would reach the gradient of their weights. A padded
        # query's finite entries stay, so its (ignored) output row is what it always was.
        padding = key_padding(valid_lens, X.shape[0], X.shape[1], X.shape[1], X.device)
        if padding is not None:
            X_q = torch.where(padding[..., None] & ~X.isfinite(), 0.0, X)  # (B, n, num_inputs)
            X = drop_padding(X, padding)  # (B, n, num_inputs)
        else:
            X_q = X
        Q, K, V = self.W_q(X_q), self.W_k(X), self.W_v(X)  # (B, n, h) each
        output, weights = self.attention.attend(Q, K, V, valid_lens)
        self.attention_weights = weights.detach()
        return output  # (B, n, h)
