"""Self-attention: queries, keys and values are projections of one sequence."""

from __future__ import annotations

from torch import Tensor, nn

from attention._checks import ValidLens, check_ndim, check_positive_int, check_size, check_tensors
from attention.scoring import DotProductAttention


class SelfAttention(nn.Module):
    """Single-head self-attention: queries, keys and values are projections of the same ``X``.

    Args:
        num_inputs: Size of each input vector.
        num_hiddens: Size of the projected queries, keys, values and of the output.

    Attributes:
        attention_weights: Weights of the last forward pass, shape ``(batch, n, n)``, kept for
            readers; ``forward`` never reads an attribute back, so one layer may serve several
            threads at once.
    """

    def __init__(self, num_inputs: int, num_hiddens: int):
        super().__init__()
        check_positive_int("num_inputs", num_inputs)
        check_positive_int("num_hiddens", num_hiddens)
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

        Returns:
            Shape ``(batch, n, num_hiddens)``.

        Raises:
            ValueError: ``X`` is not a 3-D tensor of the layer's dtype and device, or its last
                dimension is not ``num_inputs``.
        """
        check_tensors(("X", X), like=self.W_q.weight)
        check_ndim("X", X, 3, "(batch, n, num_inputs)")
        check_size("X", X, -1, self.W_q.in_features, "num_inputs")
        Q, K, V = self.W_q(X), self.W_k(X), self.W_v(X)  # (B, n, h) each
        output, self.attention_weights = self.attention.attend(Q, K, V, valid_lens)
        return output  # (B, n, h)
