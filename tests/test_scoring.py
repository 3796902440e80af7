from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from attention import AdditiveAttention, DotProductAttention, score_statistics


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def keep_mask(lens: torch.Tensor, n_queries: int, n_keys: int) -> torch.Tensor:
    """Boolean (B, Q, K) mask, True where a query may look: what SDPA's attn_mask expects."""
    lens = lens[:, None].expand(-1, n_queries) if lens.ndim == 1 else lens
    return torch.arange(n_keys) < lens[..., None]


# --- The worked examples of note 004 -------------------------------------------------------


def test_note_additive_attention_example(device: torch.device) -> None:
    queries = torch.normal(0, 1, (2, 1, 20), generator=seeded(0)).to(device)
    keys = torch.ones((2, 10, 2), device=device)
    values = torch.arange(40.0, device=device).reshape(1, 10, 4).repeat(2, 1, 1)
    attention = AdditiveAttention(2, 20, 8, 0.1).to(device).eval()
    output = attention(queries, keys, values, torch.tensor([2, 6]))
    # All keys are identical, so all scores are equal and the weights are uniform over the
    # valid keys: the output is the mean of value rows 0-1 and of rows 0-5.
    expected = torch.tensor([[[2.0, 3.0, 4.0, 5.0]], [[10.0, 11.0, 12.0, 13.0]]], device=device)
    torch.testing.assert_close(output, expected)
    assert attention.attention_weights.shape == (2, 1, 10)
    torch.testing.assert_close(attention.attention_weights[0, 0, :2].cpu(), torch.full((2,), 0.5))
    assert (attention.attention_weights[0, 0, 2:] == 0).all()


def test_note_dot_product_attention_example(device: torch.device) -> None:
    queries = torch.normal(0, 1, (2, 1, 2), generator=seeded(0)).to(device)
    keys = torch.ones((2, 10, 2), device=device)
    values = torch.arange(40.0, device=device).reshape(1, 10, 4).repeat(2, 1, 1)
    output = DotProductAttention(dropout=0.5).to(device).eval()(queries, keys, values, [2, 6])
    expected = torch.tensor([[[2.0, 3.0, 4.0, 5.0]], [[10.0, 11.0, 12.0, 13.0]]], device=device)
    torch.testing.assert_close(output, expected)


def test_note_bmm_example_is_what_the_layer_computes(device: torch.device) -> None:
    # The note's batched product: weights 0.1 on each of 10 values per sequence give their
    # means, 4.5 and 14.5. Zero queries give equal scores, hence exactly those weights.
    queries, keys = torch.zeros((2, 1, 4), device=device), torch.ones((2, 10, 4), device=device)
    values = torch.arange(20.0, device=device).reshape((2, 10, 1))
    output, weights = DotProductAttention().attend(queries, keys, values)
    torch.testing.assert_close(weights, torch.full((2, 1, 10), 0.1, device=device))
    torch.testing.assert_close(output, torch.tensor([[[4.5]], [[14.5]]], device=device))
    torch.testing.assert_close(output, torch.bmm(weights, values))


# --- Additive attention ------------------------------------------------------------------


def test_additive_score_by_hand() -> None:
    attention = AdditiveAttention(key_size=1, query_size=1, num_hiddens=1)
    with torch.no_grad():
        attention.W_k.weight.fill_(1.0)
        attention.W_q.weight.fill_(2.0)
        attention.w_v.weight.fill_(3.0)
    queries = torch.tensor([[[0.5]]])  # W_q q = 1
    keys = torch.tensor([[[0.0], [1.0]]])  # W_k k = 0 and 1
    values = torch.tensor([[[10.0], [20.0]]])
    output = attention(queries, keys, values)
    s0, s1 = 3 * math.tanh(1.0), 3 * math.tanh(2.0)
    w0 = math.exp(s0) / (math.exp(s0) + math.exp(s1))
    torch.testing.assert_close(attention.attention_weights, torch.tensor([[[w0, 1 - w0]]]))
    torch.testing.assert_close(output, torch.tensor([[[10 * w0 + 20 * (1 - w0)]]]))


def test_additive_matches_loop_reference(device: torch.device) -> None:
    torch.manual_seed(0)  # the layer's own init; the data come from a generator
    attention = AdditiveAttention(key_size=3, query_size=5, num_hiddens=4).to(device).double()
    g = seeded(1)
    queries = torch.randn(2, 3, 5, generator=g, dtype=torch.float64).to(device)
    keys = torch.randn(2, 4, 3, generator=g, dtype=torch.float64).to(device)
    values = torch.randn(2, 4, 2, generator=g, dtype=torch.float64).to(device)
    lens = torch.tensor([[1, 4, 2], [3, 3, 0]])
    output = attention(queries, keys, values, lens)
    Wq, Wk = attention.W_q.weight, attention.W_k.weight
    wv = attention.w_v.weight[0]
    expected = torch.zeros(2, 3, 2, dtype=torch.float64, device=device)
    for b in range(2):
        for i in range(3):
            n = int(lens[b, i])
            scores = [wv @ torch.tanh(Wq @ queries[b, i] + Wk @ keys[b, j]) for j in range(n)]
            if n:
                expected[b, i] = torch.softmax(torch.stack(scores), 0) @ values[b, :n]
    torch.testing.assert_close(output, expected)


def test_additive_handles_different_query_and_key_sizes() -> None:
    attention = AdditiveAttention(key_size=3, query_size=7, num_hiddens=5)
    out = attention(torch.randn(4, 2, 7), torch.randn(4, 6, 3), torch.randn(4, 6, 9))
    assert out.shape == (4, 2, 9) and attention.attention_weights.shape == (4, 2, 6)


# --- Dot-product attention ---------------------------------------------------------------


@st.composite
def attention_case(draw: st.DrawFn):
    batch, n_q, n_k = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
    d, v = draw(st.integers(1, 8)), draw(st.integers(1, 4))
    g = seeded(draw(st.integers(0, 2**16)))
    per_query = draw(st.booleans())
    shape = (batch, n_q) if per_query else (batch,)
    lens = torch.randint(1, n_k + 1, shape, generator=g)  # >= 1: SDPA's empty rows differ
    return (
        torch.randn(batch, n_q, d, generator=g),
        torch.randn(batch, n_k, d, generator=g),
        torch.randn(batch, n_k, v, generator=g),
        lens,
    )


@given(attention_case())
def test_dot_product_matches_sdpa(device: torch.device, case) -> None:
    queries, keys, values, lens = case
    mask = keep_mask(lens, queries.shape[1], keys.shape[1])
    expected = F.scaled_dot_product_attention(queries, keys, values, attn_mask=mask)
    attention = DotProductAttention()
    output = attention(queries.to(device), keys.to(device), values.to(device), lens.to(device))
    torch.testing.assert_close(output.cpu(), expected, atol=1e-5, rtol=1e-4)
    assert (attention.attention_weights.cpu()[~mask] == 0).all()


@given(attention_case())
def test_dot_product_without_mask_matches_sdpa(device: torch.device, case) -> None:
    queries, keys, values, _ = case
    expected = F.scaled_dot_product_attention(queries, keys, values)
    output = DotProductAttention()(queries.to(device), keys.to(device), values.to(device))
    torch.testing.assert_close(output.cpu(), expected, atol=1e-5, rtol=1e-4)


def test_dot_product_zero_length_gives_zero_output(device: torch.device) -> None:
    g = seeded(2)
    queries, keys = torch.randn(2, 3, 4, generator=g), torch.randn(2, 5, 4, generator=g)
    values = torch.randn(2, 5, 6, generator=g)
    attention = DotProductAttention()
    output = attention(queries.to(device), keys.to(device), values.to(device), [0, 5])
    assert torch.equal(output[0].cpu(), torch.zeros(3, 6))
    expected = F.scaled_dot_product_attention(queries[1:], keys[1:], values[1:])
    torch.testing.assert_close(output[1:].cpu(), expected)


@given(n=st.integers(1, 6), d=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_dot_product_self_attention_is_permutation_equivariant(n: int, d: int, seed: int) -> None:
    g = seeded(seed)
    X = torch.randn(1, n, d, generator=g, dtype=torch.float64)
    perm = torch.randperm(n, generator=g)
    attention = DotProductAttention()
    torch.testing.assert_close(attention(X, X, X)[:, perm], attention(*(X[:, perm],) * 3))


def test_dropout_only_acts_in_training_mode() -> None:
    g = seeded(3)
    queries, keys, values = (torch.randn(2, 4, 8, generator=g) for _ in range(3))
    attention = DotProductAttention(dropout=0.5)
    attention.eval()
    reference = DotProductAttention()(queries, keys, values)
    torch.testing.assert_close(attention(queries, keys, values), reference)
    attention.train()
    torch.manual_seed(0)
    assert not torch.allclose(attention(queries, keys, values), reference)
    # The stored weights are the softmax itself, before dropout.
    torch.testing.assert_close(attention.attention_weights.sum(-1), torch.ones(2, 4))


# --- Errors ------------------------------------------------------------------------------

SHAPE_ERRORS = [
    (((2, 5), (2, 3, 5), (2, 3, 4)), r"queries: expected shape \(batch, n_queries, query_size\)"),
    (((2, 1, 5), (2, 3), (2, 3, 4)), r"keys: expected shape \(batch, n_keys, key_size\)"),
    (((2, 1, 5), (2, 3, 5), (3, 4)), r"values: expected shape \(batch, n_keys, value_size\)"),
    (
        ((2, 1, 5), (3, 3, 5), (3, 3, 4)),
        r"queries, keys: expected the same batch size .*"
        r"queries \(2, 1, 5\) and keys \(3, 3, 5\)",
    ),
    (
        ((2, 1, 5), (2, 3, 5), (2, 4, 4)),
        r"keys, values: expected the same number of keys .*"
        r"keys \(2, 3, 5\) and values \(2, 4, 4\)",
    ),
]


@pytest.mark.parametrize(("shapes", "message"), SHAPE_ERRORS)
def test_shape_errors(shapes, message: str) -> None:
    q, k, v = (torch.zeros(s) for s in shapes)
    for attention in (DotProductAttention(), AdditiveAttention(5, 5, 3)):
        with pytest.raises(ValueError, match=message):
            attention(q, k, v)


def test_dot_product_query_and_key_sizes_must_agree() -> None:
    with pytest.raises(
        ValueError,
        match=r"queries, keys: expected the same vector size d .*\(2, 1, 3\).*\(2, 4, 5\)",
    ):
        DotProductAttention()(torch.zeros(2, 1, 3), torch.zeros(2, 4, 5), torch.zeros(2, 4, 1))


def test_additive_sizes_must_match_the_layer() -> None:
    attention = AdditiveAttention(key_size=2, query_size=20, num_hiddens=8)
    k, v = torch.zeros(2, 10, 2), torch.zeros(2, 10, 4)
    with pytest.raises(
        ValueError, match=r"queries: expected query_size=20 .*got shape \(2, 1, 5\)"
    ):
        attention(torch.zeros(2, 1, 5), k, v)
    with pytest.raises(ValueError, match=r"keys: expected key_size=2 .*got shape \(2, 10, 3\)"):
        attention(torch.zeros(2, 1, 20), torch.zeros(2, 10, 3), v)


def test_valid_lens_errors_pass_through() -> None:
    x = torch.zeros(2, 1, 4)
    with pytest.raises(ValueError, match="valid_lens"):
        DotProductAttention()(x, x, x, [1, 2, 3])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: AdditiveAttention(0, 2, 3), "key_size: expected an integer >= 1, got 0"),
        (lambda: AdditiveAttention(2, 2.5, 3), "query_size: expected an integer >= 1, got 2.5"),
        (lambda: AdditiveAttention(2, 2, -1), "num_hiddens: expected an integer >= 1, got -1"),
        (lambda: AdditiveAttention(2, 2, 3, 1.0), r"dropout: expected a probability in \[0, 1\)"),
        (lambda: DotProductAttention(-0.1), r"dropout: expected a probability in \[0, 1\)"),
    ],
)
def test_constructor_errors(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- Why 1/sqrt(d) -----------------------------------------------------------------------


def test_score_statistics_variances() -> None:
    dims = [1, 4, 16, 64, 256]
    stats = score_statistics(dims)
    assert stats["dims"] == dims
    for d, var_raw, var_scaled in zip(dims, stats["var_raw"], stats["var_scaled"], strict=True):
        assert var_raw == pytest.approx(d, rel=0.1)  # Var(q . k) = d
        assert var_scaled == pytest.approx(1.0, rel=0.1)  # Var(q . k / sqrt(d)) = 1


def test_score_statistics_softmax_saturates_without_scaling() -> None:
    stats = score_statistics([1, 16, 512], n_keys=10)
    raw, scaled = stats["max_weight_raw"], stats["max_weight_scaled"]
    assert raw[0] < raw[1] < raw[2] and raw[2] > 0.9  # nearly one-hot for large d
    assert max(scaled) < 0.4  # scaled: as spread out for d = 512 as for d = 1
    assert all(1 / 10 <= w <= 1 for w in raw + scaled)


def test_score_statistics_is_deterministic() -> None:
    assert score_statistics([2, 8], n_samples=100) == score_statistics([2, 8], n_samples=100)
    assert score_statistics([2, 8], n_samples=100) != score_statistics([2, 8], 10, 100, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dims": [4, 0]}, "dims: expected an integer >= 1, got 0"),
        ({"dims": [4], "n_keys": 0}, "n_keys: expected an integer >= 1, got 0"),
        ({"dims": [4], "n_samples": 1}, "n_samples: expected an integer >= 2, got 1"),
    ],
)
def test_score_statistics_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_statistics(**kwargs)
