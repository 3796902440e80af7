from __future__ import annotations

import pytest
import torch
from torch import nn

from attention import MultiHeadAttention


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def torch_reference(ours: MultiHeadAttention, bias: bool) -> nn.MultiheadAttention:
    """``nn.MultiheadAttention`` carrying the same weights as ``ours``."""
    ref = nn.MultiheadAttention(ours.num_hiddens, ours.num_heads, bias=bias, batch_first=True)
    ref = ref.to(ours.W_q.weight.device, ours.W_q.weight.dtype)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight, ours.W_v.weight]))
        ref.out_proj.weight.copy_(ours.W_o.weight)
        if bias:
            ref.in_proj_bias.copy_(torch.cat([ours.W_q.bias, ours.W_k.bias, ours.W_v.bias]))
            ref.out_proj.bias.copy_(ours.W_o.bias)
    return ref.eval()


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_matches_torch_multihead_attention(device: torch.device, bias: bool, masked: bool) -> None:
    torch.manual_seed(0)  # layer init
    ours = MultiHeadAttention(num_hiddens=12, num_heads=3, bias=bias).to(device).double().eval()
    ref = torch_reference(ours, bias)
    g = seeded(1)
    queries = torch.randn(2, 4, 12, generator=g, dtype=torch.float64).to(device)
    keys = torch.randn(2, 6, 12, generator=g, dtype=torch.float64).to(device)
    values = torch.randn(2, 6, 12, generator=g, dtype=torch.float64).to(device)
    lens = torch.tensor([3, 6], device=device) if masked else None
    # key_padding_mask is True where a key must be ignored: the complement of "j < len".
    padding = torch.arange(6, device=device) >= lens[:, None] if masked else None
    output = ours(queries, keys, values, lens)
    expected, expected_weights = ref(
        queries, keys, values, key_padding_mask=padding, average_attn_weights=False
    )
    torch.testing.assert_close(output, expected)
    assert ours.attention_weights.shape == (2, 3, 4, 6)
    torch.testing.assert_close(ours.attention_weights, expected_weights)


def test_per_query_lengths_match_torch_attn_mask(device: torch.device) -> None:
    torch.manual_seed(0)
    ours = MultiHeadAttention(num_hiddens=8, num_heads=2).to(device).double()
    ref = torch_reference(ours, bias=False)
    g = seeded(2)
    x = torch.randn(2, 5, 8, generator=g, dtype=torch.float64).to(device)
    lens = torch.tensor([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], device=device)  # causal-like
    # attn_mask (B * heads, Q, K), True = not allowed; heads of a sequence are adjacent.
    blocked = torch.arange(5, device=device) >= lens[..., None]  # (B, Q, K)
    output = ours(x, x, x, lens)
    expected, _ = ref(x, x, x, attn_mask=blocked.repeat_interleave(2, dim=0))
    torch.testing.assert_close(output, expected)


def test_heads_see_their_own_slices() -> None:
    # With identity projections, head h of sequence b attends with the h-th slice only:
    # compare with plain dot-product attention on that slice.
    ours = MultiHeadAttention(num_hiddens=6, num_heads=2)
    with torch.no_grad():
        for layer in (ours.W_q, ours.W_k, ours.W_v, ours.W_o):
            layer.weight.copy_(torch.eye(6))
    g = seeded(3)
    q, k = torch.randn(1, 2, 6, generator=g), torch.randn(1, 3, 6, generator=g)
    v = torch.randn(1, 3, 6, generator=g)
    output = ours(q, k, v)
    for head, cols in enumerate((slice(0, 3), slice(3, 6))):
        scores = q[0, :, cols] @ k[0, :, cols].T / 3**0.5
        weights = torch.softmax(scores, dim=-1)
        torch.testing.assert_close(ours.attention_weights[0, head], weights)
        torch.testing.assert_close(output[0, :, cols], weights @ v[0, :, cols])


def test_transpose_output_inverts_transpose_qkv() -> None:
    ours = MultiHeadAttention(num_hiddens=8, num_heads=4)
    x = torch.randn(3, 5, 8, generator=seeded(4))
    split = ours.transpose_qkv(x)
    assert split.shape == (12, 5, 2)
    torch.testing.assert_close(split[1 * 4 + 2], x[1, :, 4:6])  # sequence 1, head 2
    torch.testing.assert_close(ours.transpose_output(split), x)


def test_zero_length_sequence_gives_zero_attention(device: torch.device) -> None:
    ours = MultiHeadAttention(num_hiddens=4, num_heads=2, bias=False).to(device)
    x = torch.randn(2, 3, 4, generator=seeded(5)).to(device)
    output = ours(x, x, x, [0, 3])
    assert torch.equal(output[0], torch.zeros(3, 4, device=device))  # W_o(0) = 0 without bias
    assert torch.isfinite(output).all()


def test_num_heads_must_divide_num_hiddens() -> None:
    with pytest.raises(ValueError, match="num_heads: expected a divisor of num_hiddens=10, got 4"):
        MultiHeadAttention(10, 4)


@pytest.mark.parametrize("name", ["queries", "keys", "values"])
def test_last_dim_must_be_num_hiddens(name: str) -> None:
    shapes = {"queries": (2, 3, 8), "keys": (2, 4, 8), "values": (2, 4, 8)}
    shapes[name] = (*shapes[name][:2], 6)
    inputs = [torch.zeros(s) for s in shapes.values()]
    with pytest.raises(ValueError, match=rf"{name}: expected num_hiddens=8 .*, got shape"):
        MultiHeadAttention(8, 2)(*inputs)


def test_multihead_valid_lens_are_checked_against_the_batch() -> None:
    x = torch.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"valid_lens: expected shape \(batch,\)=\(2,\)"):
        MultiHeadAttention(4, 2)(x, x, x, [1, 2, 3])
