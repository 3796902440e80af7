"""Multi-head attention."""

from __future__ import annotations

from torch import Tensor, nn

from attention._checks import (
    ValidLens,
    as_valid_lens,
    check_attention_inputs,
    check_positive_int,
    check_size,
    like_parameter,
    refuse_script,
)
from attention.masking import drop_padding, key_padding
from attention.scoring import DotProductAttention


class MultiHeadAttention(nn.Module):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions side by side.

    Each head sees its own ``num_hiddens / num_heads`` slice of the projected queries, keys
    and values; the heads' outputs are concatenated and mixed by ``W_o``. Numerically the
    same as ``torch.nn.MultiheadAttention(num_hiddens, num_heads, batch_first=True)`` with
    ``in_proj_weight = cat([W_q.weight, W_k.weight, W_v.weight])`` and
    ``out_proj.weight = W_o.weight``.

    Args:
        num_hiddens: Model width; inputs and output have this last dimension.
        num_heads: Number of heads; must divide ``num_hiddens``.
        dropout: Dropout rate applied to the attention weights.
        bias: Whether the four projections have a bias.

    Attributes:
        attention_weights: Weights of the last forward pass,
            shape ``(batch, num_heads, n_queries, n_keys)``, detached from autograd (as
            ``nn.MultiheadAttention`` returns them), kept for readers. ``forward``
            takes the weights from the return value of ``DotProductAttention.attend`` and never
            reads an attribute back, so one layer may serve several threads at once.
    """

    __prepare_scriptable__ = refuse_script

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float = 0.0, bias: bool = False):
        super().__init__()
        num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        num_heads = check_positive_int("num_heads", num_heads)
        if num_hiddens % num_heads:
            raise ValueError(
                f"num_heads: expected a divisor of num_hiddens={num_hiddens}, got {num_heads}"
            )
        self.num_hiddens = num_hiddens
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_k = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_v = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.attention_weights: Tensor | None = None

    def forward(
        self,
        queries: Tensor,
        keys: Tensor,
        values: Tensor,
        valid_lens: ValidLens | None = None,
    ) -> Tensor:
        """Attend from each query to the (valid) keys with every head.

        Args:
            queries: Shape ``(batch, n_queries, num_hiddens)``.
            keys: Shape ``(batch, n_keys, num_hiddens)``.
            values: Shape ``(batch, n_keys, num_hiddens)``.
            valid_lens: ``None``, shape ``(batch,)`` or ``(batch, n_queries)``; every head
                uses the same lengths. Padded keys and values are ignored even if not finite.

        Returns:
            Shape ``(batch, n_queries, num_hiddens)``: empty when ``batch`` or ``n_queries`` is
            0, and ``W_o`` applied to zeros for a query with no valid key (or no key at all),
            as in ``torch.nn.MultiheadAttention``.

        Raises:
            ValueError: Not tensors of the layer's dtype and device, shapes that do not fit
                together or a last dimension other than ``num_hiddens``.
        """
        # The layer's dtype and device from its parameters, not from W_q.weight: after
        # torch.ao.quantization.quantize_dynamic that is a method of a packed Linear.
        check_attention_inputs(queries, keys, values, like=like_parameter(self))
        for name, x in (("queries", queries), ("keys", keys), ("values", values)):
            check_size(name, x, -1, self.num_hiddens, "num_hiddens")
        batch, n_queries, n_keys = queries.shape[0], queries.shape[1], keys.shape[1]
        # Padding becomes 0 before the projections: no NaN there reaches W_k's or W_v's gradient.
        padding = key_padding(valid_lens, batch, n_queries, n_keys, keys.device)  # (B, K)
        keys, values = drop_padding(keys, padding), drop_padding(values, padding)
        q = self.transpose_qkv(self.W_q(queries))  # (B * heads, Q, h / heads)
        k = self.transpose_qkv(self.W_k(keys))  # (B * heads, K, h / heads)
        v = self.transpose_qkv(self.W_v(values))  # (B * heads, K, h / heads)
        if valid_lens is not None:
            lens = as_valid_lens(valid_lens, batch, n_queries, n_keys, queries.device)
            # Head i of sequence b sits at row b * heads + i, so copy each row heads times.
            valid_lens = lens.repeat_interleave(self.num_heads, dim=0)  # (B * heads, 1 or Q)
        # The weights come back as a value: reading self.attention.attention_weights instead
        # could pick up another thread's call of the same layer.
        output, weights = self.attention.attend(q, k, v, valid_lens)  # (B * heads, Q, h / heads)
        self.attention_weights = weights.detach().reshape(batch, self.num_heads, n_queries, n_keys)
        return self.W_o(self.transpose_output(output))  # (B, Q, h)

    def transpose_qkv(self, X: Tensor) -> Tensor:
        """Split the last axis into heads and move the heads into the batch.

        Args:
            X: Shape ``(batch, n, num_hiddens)``.

        Returns:
            Shape ``(batch * num_heads, n, num_hiddens / num_heads)``.
        """
        # Sizes spelled out, never -1: a reshape cannot infer a size from 0 elements.
        batch, n = X.shape[0], X.shape[1]
        head_size = self.num_hiddens // self.num_heads
        X = X.reshape(batch, n, self.num_heads, head_size)  # (B, n, heads, h / heads)
        X = X.permute(0, 2, 1, 3)  # (B, heads, n, h / heads)
        return X.reshape(batch * self.num_heads, n, head_size)  # (B * heads, n, h / heads)

    def transpose_output(self, X: Tensor) -> Tensor:
        """Undo ``transpose_qkv``: concatenate the heads along the last axis.

        Args:
            X: Shape ``(batch * num_heads, n, num_hiddens / num_heads)``.

        Returns:
            Shape ``(batch, n, num_hiddens)``.
        """
        batch, n = X.shape[0] // self.num_heads, X.shape[1]
        X = X.reshape(batch, self.num_heads, n, X.shape[2])  # (B, heads, n, h / heads)
        X = X.permute(0, 2, 1, 3)  # (B, n, heads, h / heads)
        return X.reshape(batch, n, self.num_hiddens)  # (B, n, h)
