from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from attention import masked_softmax


def reference(scores: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    """Row by row in float64: softmax over the first ``L`` scores, zeros after (and for L=0)."""
    batch, n_queries, _ = scores.shape
    lens = lens[:, None].expand(batch, n_queries) if lens.ndim == 1 else lens
    out = torch.zeros(scores.shape, dtype=torch.float64)
    for b in range(batch):
        for q in range(n_queries):
            n = int(lens[b, q])
            if n:
                out[b, q, :n] = torch.softmax(scores[b, q, :n].double().cpu(), dim=0)
    return out


@st.composite
def scores_and_lens(draw: st.DrawFn, min_len: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random scores (B, Q, K) and valid lengths of shape (B,) or (B, Q)."""
    batch = draw(st.integers(1, 3))
    n_queries = draw(st.integers(1, 4))
    n_keys = draw(st.integers(max(1, min_len), 6))
    per_query = draw(st.booleans())
    size = batch * n_queries if per_query else batch
    lens = draw(st.lists(st.integers(min_len, n_keys), min_size=size, max_size=size))
    lens_t = torch.tensor(lens).reshape((batch, n_queries) if per_query else (batch,))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([1.0, 10.0, 100.0]))
    scores = scale * torch.randn(batch, n_queries, n_keys, generator=generator)
    return scores, lens_t


def test_no_mask_is_plain_softmax(device: torch.device) -> None:
    scores = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(0)).to(device)
    torch.testing.assert_close(masked_softmax(scores), torch.softmax(scores, dim=-1))


@given(scores_and_lens())
def test_matches_row_by_row_reference(device: torch.device, case) -> None:
    scores, lens = case
    weights = masked_softmax(scores.to(device), lens)  # lens stays on the CPU
    assert weights.shape == scores.shape and weights.device.type == device.type
    torch.testing.assert_close(weights.double().cpu(), reference(scores, lens))


@given(scores_and_lens())
def test_weights_are_a_distribution_over_the_valid_keys(device: torch.device, case) -> None:
    scores, lens = case
    weights = masked_softmax(scores.to(device), lens.to(device)).cpu()
    lens2d = lens[:, None].expand(weights.shape[:2]) if lens.ndim == 1 else lens
    padded = torch.arange(weights.shape[-1]) >= lens2d[..., None]  # (B, Q, K)
    assert (weights >= 0).all()
    assert (weights[padded] == 0).all()  # exactly 0, not merely small
    expected_sums = (lens2d > 0).float()  # 1 for rows with a valid key, 0 for empty rows
    torch.testing.assert_close(weights.sum(-1), expected_sums)


def test_list_tuple_and_tensor_lengths_agree(device: torch.device) -> None:
    scores = torch.randn(2, 2, 4, generator=torch.Generator().manual_seed(1)).to(device)
    from_tensor = masked_softmax(scores, torch.tensor([1, 3]))
    torch.testing.assert_close(masked_softmax(scores, [1, 3]), from_tensor)
    torch.testing.assert_close(masked_softmax(scores, (1, 3)), from_tensor)
    torch.testing.assert_close(masked_softmax(scores, torch.tensor([1.0, 3.0])), from_tensor)
    torch.testing.assert_close(masked_softmax(scores, [[1, 1], [3, 3]]), from_tensor)


def test_zero_length_gives_zero_weights_not_uniform(device: torch.device) -> None:
    scores = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(2)).to(device)
    weights = masked_softmax(scores, [0, 2])
    assert torch.equal(weights[0], torch.zeros(3, 4, device=device))
    # The d2l version fills padding with -1e6 and would give 0.25 everywhere in batch 0.
    d2l = torch.softmax(scores.masked_fill(torch.ones_like(scores, dtype=torch.bool), -1e6), -1)
    assert not torch.equal(weights[0], d2l[0])
    torch.testing.assert_close(weights[1].sum(-1), torch.ones(3, device=device))


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
@given(case=scores_and_lens(), extreme=st.sampled_from([6e4, -6e4]))
def test_finite_in_every_dtype_with_huge_scores(
    device: torch.device, dtype_name: str, case, extreme: float
) -> None:
    dtype = getattr(torch, dtype_name)  # half precision is computed in float32: every device
    scores, lens = case
    # Spread the scores over [-6e4, 6e4] and pin one entry per row to the extreme.
    scores = (scores / scores.abs().amax().clamp(min=1e-6) * 6e4).clamp(-6e4, 6e4)
    scores[..., 0] = extreme
    weights = masked_softmax(scores.to(device, dtype), lens)
    assert weights.dtype == dtype
    assert torch.isfinite(weights).all()
    lens2d = lens[:, None].expand(weights.shape[:2]) if lens.ndim == 1 else lens
    torch.testing.assert_close(
        weights.float().sum(-1).cpu(), (lens2d > 0).float(), atol=1e-2, rtol=0
    )


@given(scores_and_lens())
def test_gradients_are_finite_and_zero_for_fully_masked_rows(device: torch.device, case) -> None:
    scores, lens = case
    scores = scores.to(device).requires_grad_()
    upstream = torch.randn(scores.shape, generator=torch.Generator().manual_seed(3)).to(device)
    (masked_softmax(scores, lens) * upstream).sum().backward()
    grad = scores.grad.cpu()
    assert torch.isfinite(grad).all()
    lens2d = lens[:, None].expand(grad.shape[:2]) if lens.ndim == 1 else lens
    assert (grad[lens2d == 0] == 0).all()  # a row that sees nothing learns nothing
    padded = torch.arange(grad.shape[-1]) >= lens2d[..., None]
    assert (grad[padded] == 0).all()


def test_gradcheck_with_an_empty_row() -> None:
    scores = torch.randn(2, 2, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    scores.requires_grad_()
    lens = torch.tensor([[0, 2], [4, 1]])
    assert torch.autograd.gradcheck(lambda s: masked_softmax(s, lens), (scores,))


def test_scores_must_be_3d() -> None:
    with pytest.raises(ValueError, match=r"scores: expected shape \(batch, n_queries, n_keys\)"):
        masked_softmax(torch.zeros(2, 3))


def test_scores_must_be_floating() -> None:
    with pytest.raises(ValueError, match="scores: expected a floating-point tensor"):
        masked_softmax(torch.zeros(2, 3, 4, dtype=torch.long), [1, 1])


@pytest.mark.parametrize("lens", [torch.tensor([1, 2, 3]), [1, 2, 3], torch.ones(2, 2)])
def test_valid_lens_wrong_shape(lens) -> None:
    got = re.escape(str(tuple(torch.as_tensor(lens).shape)))
    with pytest.raises(
        ValueError,
        match=re.escape("valid_lens: expected shape (batch,)=(2,) or (batch, n_queries)=(2, 1)")
        + f", got {got}",
    ):
        masked_softmax(torch.zeros(2, 1, 4), lens)


def test_valid_lens_message_matches_the_documented_example() -> None:
    expected = "valid_lens: expected shape (batch,)=(2,) or (batch, n_queries)=(2, 1), got (3,)"
    with pytest.raises(ValueError) as info:
        masked_softmax(torch.zeros(2, 1, 4), [1, 2, 3])
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("lens", "message"),
    [
        ([-1, 2], r"valid_lens: expected lengths in \[0, n_keys=4\], got \[-1, 2\]"),
        ([1, 5], r"valid_lens: expected lengths in \[0, n_keys=4\], got \[1, 5\]"),
        ([1.5, 2.0], r"valid_lens: expected integer lengths, got \[1.5, 2.0\]"),
        ([float("nan"), 2.0], r"valid_lens: expected integer lengths"),
        ([True, False], r"valid_lens: expected integer lengths, got \[True, False\]"),
        (
            torch.tensor([True, False]),
            r"valid_lens: expected integer lengths, got dtype torch.bool",
        ),
    ],
)
def test_valid_lens_bad_values(lens: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        masked_softmax(torch.zeros(2, 1, 4), lens)


# --- causal_valid_lens ----------------------------------------------------------------------


@pytest.mark.parametrize(("n", "batch"), [(1, 1), (4, 1), (5, 3)])
def test_causal_valid_lens_match_pytorchs_is_causal(n: int, batch: int) -> None:
    from attention.masking import causal_valid_lens

    lens = causal_valid_lens(n, batch)
    assert lens.shape == (batch, n) and lens.dtype == torch.int64
    scores = torch.randn(batch, n, n, generator=torch.Generator().manual_seed(n))
    weights = masked_softmax(scores, lens)
    assert torch.equal(weights > 0, torch.ones(n, n, dtype=torch.bool).tril().expand_as(weights))
    # SDPA with is_causal and the identity as values returns the weights themselves
    eye = torch.eye(n).expand(batch, n, n)
    q = scores  # scores = q @ k^T / sqrt(n) with k = sqrt(n) * I
    sdpa = torch.nn.functional.scaled_dot_product_attention(q, n**0.5 * eye, eye, is_causal=True)
    assert torch.allclose(weights, sdpa, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"n_queries": 0}, "n_queries"), ({"n_queries": 2.0}, "n_queries"),
     ({"n_queries": True}, "n_queries"), ({"n_queries": 3, "batch": 0}, "batch")],
)  # fmt: skip
def test_causal_valid_lens_refuses_bad_sizes(kwargs: dict, name: str) -> None:
    from attention.masking import causal_valid_lens

    with pytest.raises(ValueError, match=rf"^{name}: expected an integer >= 1, got"):
        causal_valid_lens(**kwargs)
