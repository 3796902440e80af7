from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from attention import SelfAttention


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_self_attention_uses_one_input_three_ways(device: torch.device) -> None:
    torch.manual_seed(0)
    layer = SelfAttention(num_inputs=5, num_hiddens=4).to(device)
    X = torch.randn(2, 6, 5, generator=seeded(6)).to(device)
    output = layer(X, [6, 2])
    Q, K, V = X @ layer.W_q.weight.T, X @ layer.W_k.weight.T, X @ layer.W_v.weight.T
    scores = Q @ K.transpose(1, 2) / 2.0  # sqrt(num_hiddens) = 2
    scores[1, :, 2:] = float("-inf")
    expected = torch.softmax(scores, dim=-1) @ V
    torch.testing.assert_close(output, expected)
    assert layer.attention_weights.shape == (2, 6, 6)


@given(n=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_self_attention_is_permutation_equivariant(device: torch.device, n: int, seed: int):
    torch.manual_seed(seed)
    layer = SelfAttention(num_inputs=3, num_hiddens=4).to(device).double()
    g = seeded(seed)
    X = torch.randn(2, n, 3, generator=g, dtype=torch.float64).to(device)
    perm = torch.randperm(n, generator=g).to(device)
    # Self-attention has no notion of order: shuffling the tokens shuffles the outputs.
    torch.testing.assert_close(layer(X)[:, perm], layer(X[:, perm]))


def test_self_attention_errors() -> None:
    layer = SelfAttention(num_inputs=3, num_hiddens=4)
    with pytest.raises(
        ValueError, match=r"X: expected shape \(batch, n, num_inputs\), got \(5, 3\)"
    ):
        layer(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"X: expected num_inputs=3 .*got shape \(1, 5, 2\)"):
        layer(torch.zeros(1, 5, 2))
    with pytest.raises(ValueError, match="num_inputs: expected an integer >= 1, got 0"):
        SelfAttention(0, 4)
