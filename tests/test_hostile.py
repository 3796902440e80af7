"""Hostile inputs, class by class (issue 8): each test here failed before its fix.

1. padding that is not ignored, 2. float16 overflow, 3. threads, 4. NaN that comes back as a
plausible number, 5. silent type changes, 6. empty inputs, 7. arguments checked loosely.
The hypothesis strategies that throw such inputs at every public function are in
``test_hostile_properties.py``.
"""

from __future__ import annotations

import sys
import threading
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_multihead import torch_reference
from torch import nn

from attention import (
    KERNELS,
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    NWKernelRegression,
    PositionalEncoding,
    SelfAttention,
    hard_lookup,
    leave_one_out,
    masked_softmax,
    nadaraya_watson,
    score_statistics,
    target_function,
    toy_regression_data,
    train_nw,
)

DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
POISONS = [float("inf"), float("-inf"), float("nan"), 6e4]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def keep_mask(lens: torch.Tensor, n_queries: int, n_keys: int) -> torch.Tensor:
    """(B, Q, K) boolean, True where a query may look (SDPA's and torch.masked's convention)."""
    lens = lens[:, None].expand(-1, n_queries) if lens.ndim == 1 else lens
    return torch.arange(n_keys) < lens[..., None]


def tolerance(dtype: torch.dtype) -> dict[str, float]:
    """Tolerance against a float64 reference of a computation done in ``dtype``."""
    return {
        torch.float16: {"atol": 5e-3, "rtol": 5e-3},
        torch.bfloat16: {"atol": 4e-2, "rtol": 4e-2},
        torch.float32: {"atol": 1e-5, "rtol": 1e-5},
        torch.float64: {"atol": 1e-10, "rtol": 1e-10},
    }[dtype]


# --- 1. Padding is ignored, whatever it holds ---------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("poison", POISONS)
def test_nonfinite_padded_scores_are_ignored(dtype: torch.dtype, poison: float) -> None:
    scores = torch.randn(2, 3, 5, generator=seeded(0)).to(dtype)
    lens = torch.tensor([[2, 5, 0], [1, 3, 4]])
    keep = keep_mask(lens, 3, 5)
    poisoned = scores.masked_fill(~keep, poison)
    weights = masked_softmax(poisoned, lens)
    assert torch.equal(weights, masked_softmax(scores, lens))  # the padding is not read
    assert torch.equal(weights[0, 2], torch.zeros(5, dtype=dtype))  # length 0: zeros
    # torch.masked.softmax ignores the padding too (its empty rows are NaN, ours are 0).
    expected = torch.masked.softmax(poisoned.double(), dim=-1, mask=keep).nan_to_num(0.0)
    torch.testing.assert_close(weights.double(), expected, **tolerance(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_large_padded_key_matches_sdpa(dtype: torch.dtype) -> None:
    g = seeded(1)
    queries, keys = torch.randn(2, 3, 8, generator=g), torch.randn(2, 7, 8, generator=g)
    values = torch.randn(2, 7, 4, generator=g)
    queries = queries.abs() + 1  # every q . k with the padded key is then above 65504
    keys[:, -1] = 6e4  # in the padding: q . k overflows float16, not float32
    lens = torch.tensor([4, 6])
    mask = keep_mask(lens, 3, 7)
    q, k, v = (x.to(dtype) for x in (queries, keys, values))
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    output = DotProductAttention()(q, k, v, lens)
    assert torch.isfinite(output).all()
    torch.testing.assert_close(output, expected, **tolerance(dtype))


@pytest.mark.parametrize("poison", POISONS)
def test_nonfinite_padded_keys_and_values_are_ignored(poison: float) -> None:
    torch.manual_seed(0)
    layers = [
        DotProductAttention().eval(),
        AdditiveAttention(4, 4, 5).eval(),
        MultiHeadAttention(4, 2, bias=True).eval(),
    ]
    g = seeded(2)
    queries, keys, values = (torch.randn(2, 3, 4, generator=g) for _ in range(3))
    lens = torch.tensor([1, 3])
    padded = torch.arange(3) >= lens[:, None]  # (B, K)
    bad_keys = keys.masked_fill(padded[..., None], poison)
    bad_values = values.masked_fill(padded[..., None], poison)
    for layer in layers:
        clean = layer(queries, keys, values, lens)
        assert torch.isfinite(clean).all()
        assert torch.equal(layer(queries, bad_keys, bad_values, lens), clean), type(layer)


# --- 2. float16 overflow of the scaled scores ---------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_scaled_scores_beyond_float16_range_match_sdpa(dtype: torch.dtype) -> None:
    g = seeded(3)
    # q . k / sqrt(64) reaches about 8 * 200 * 200 = 3.2e5 > 65504, the float16 maximum.
    queries = (200 + torch.randn(2, 4, 64, generator=g)).to(dtype)
    keys = (200 + torch.randn(2, 6, 64, generator=g)).to(dtype)
    values = torch.randn(2, 6, 3, generator=g).to(dtype)
    expected = F.scaled_dot_product_attention(queries, keys, values)
    attention_layer = DotProductAttention()
    output = attention_layer(queries, keys, values)
    assert output.dtype == dtype and torch.isfinite(output).all()
    reference = F.scaled_dot_product_attention(*(x.double() for x in (queries, keys, values)))
    torch.testing.assert_close(output.double(), reference, atol=3e-2, rtol=3e-2)
    torch.testing.assert_close(output, expected, atol=3e-2, rtol=3e-2)
    assert attention_layer.attention_weights.dtype == dtype


@pytest.mark.parametrize("lookup", ["hard", "gaussian"])
def test_lookups_of_float16_extremes_find_the_nearest_key(lookup: str) -> None:
    # Both distances overflow float16 (6e4 + 6e4 > 65504): the nearest key must still win.
    queries = torch.tensor([6e4], dtype=torch.float16)
    keys = torch.tensor([-6e4, -5.4e4], dtype=torch.float16)
    values = torch.tensor([1.0, 2.0], dtype=torch.float16)
    outputs, weights = (
        hard_lookup(queries, keys, values)
        if lookup == "hard"
        else nadaraya_watson(queries, keys, values, lookup)
    )
    assert torch.equal(weights, torch.tensor([[0.0, 1.0]], dtype=torch.float16))
    assert torch.equal(outputs, torch.tensor([2.0], dtype=torch.float16))


# --- 3. Threads ---------------------------------------------------------------------------


def layer_cases() -> list[tuple[nn.Module, callable]]:
    """(layer, make_args(seed)) for every layer that stores attention_weights."""
    torch.manual_seed(0)

    def qkv(seed: int, n_keys: int, size: int = 16, lens: bool = True) -> tuple:
        g = seeded(seed)
        args = (
            torch.randn(2, 5, size, generator=g),
            torch.randn(2, n_keys, size, generator=g),
            torch.randn(2, n_keys, size, generator=g),
        )
        return (*args, torch.randint(1, n_keys + 1, (2,), generator=g)) if lens else args

    def nw(seed: int, n_keys: int) -> tuple:
        g = seeded(seed)
        return torch.rand(7, generator=g), torch.rand(n_keys, generator=g), torch.rand(n_keys)

    def self_args(seed: int, n: int) -> tuple:
        return (torch.randn(2, n, 16, generator=seeded(seed)), torch.tensor([n, n - 1]))

    return [
        (DotProductAttention().eval(), qkv),
        (AdditiveAttention(16, 16, 8).eval(), qkv),
        (MultiHeadAttention(16, 4).eval(), qkv),
        (SelfAttention(16, 8).eval(), self_args),
        (NWKernelRegression().eval(), nw),
    ]


@pytest.mark.parametrize("case", [2, 3], ids=["MultiHeadAttention", "SelfAttention"])
def test_forward_never_reads_the_inner_weights_back(case: int) -> None:
    # Another call of the inner DotProductAttention between its forward and the outer layer's
    # use of the weights (what a second thread can do) must not change the result. A forward
    # hook plays that second thread deterministically, with shapes unlike the first call's.
    layer, make_args = layer_cases()[case]
    args = make_args(0, 6)
    g = seeded(7)
    other = (torch.randn(3, 2, 4, generator=g), torch.randn(3, 11, 4, generator=g))
    with torch.no_grad():
        expected, expected_weights = layer(*args), layer.attention_weights
        calls = []

        def interleave(module: nn.Module, _args: tuple, _output: torch.Tensor) -> None:
            if not calls:  # once: the hook's own call must not recurse
                calls.append(module(*other, other[1]))

        layer.attention.register_forward_hook(interleave)
        output = layer(*args)
    torch.testing.assert_close(output, expected, rtol=0, atol=0)
    torch.testing.assert_close(layer.attention_weights, expected_weights, rtol=0, atol=0)


@pytest.mark.parametrize("case", range(5))
def test_a_layer_shared_by_threads_gives_each_call_its_own_answer(case: int) -> None:
    layer, make_args = layer_cases()[case]
    inputs = [make_args(seed, 40 + 8 * seed) for seed in range(8)]
    with torch.no_grad():
        expected = [layer(*args) for args in inputs]
    results: dict[tuple[int, int], torch.Tensor] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(inputs))

    def work(i: int) -> None:
        try:
            start.wait()
            with torch.no_grad():
                for round_ in range(30):
                    results[i, round_] = layer(*inputs[i])
        except BaseException as err:  # reported below, in the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[0]
    for (i, _), output in results.items():
        torch.testing.assert_close(output, expected[i], rtol=0, atol=0)


# --- 4. NaN in gives NaN out, never a plausible number --------------------------------------


@pytest.mark.parametrize("lookup", ["hard", *KERNELS])
def test_nan_query_gives_nan_output(lookup: str) -> None:
    queries = torch.tensor([0.5, float("nan"), 2.0])
    keys, values = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([[5.0], [6.0], [7.0]])
    outputs, weights = (
        hard_lookup(queries, keys, values)
        if lookup == "hard"
        else nadaraya_watson(queries, keys, values, lookup)
    )
    assert torch.isnan(outputs[1]).all() and torch.isnan(weights[1]).all()
    assert torch.isfinite(outputs[[0, 2]]).all() and torch.isfinite(weights[[0, 2]]).all()


@pytest.mark.parametrize("lookup", ["hard", *KERNELS])
def test_nan_key_gives_nan_outputs(lookup: str) -> None:
    # A NaN key has no distance to anything: no query can tell whether it is the nearest
    # (hard) or how much it weighs in the normalisation (soft).
    queries, keys = torch.tensor([0.0, 2.0]), torch.tensor([0.0, float("nan"), 2.0])
    values = torch.tensor([5.0, 6.0, 7.0])
    outputs, weights = (
        hard_lookup(queries, keys, values)
        if lookup == "hard"
        else nadaraya_watson(queries, keys, values, lookup)
    )
    assert torch.isnan(outputs).all() and torch.isnan(weights).all()


def test_hard_lookup_with_integer_values_rejects_nan() -> None:
    with pytest.raises(ValueError, match=r"^keys: expected no NaN .*integer values"):
        hard_lookup(torch.zeros(2), torch.tensor([0.0, float("nan")]), torch.arange(2))


# --- 5. No silent type change --------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.long, torch.int32, torch.bool], ids=str)
def test_positional_encoding_rejects_integer_inputs(dtype: torch.dtype) -> None:
    with pytest.raises(
        ValueError, match=rf"^X: expected a floating-point tensor, got dtype {dtype}"
    ):
        PositionalEncoding(4)(torch.ones(1, 3, 4, dtype=dtype))


def attention_calls() -> list:
    """(name, call(queries, keys, values)) for every function taking a query, key and value."""
    torch.manual_seed(0)
    return [
        ("DotProductAttention", DotProductAttention()),
        ("AdditiveAttention", AdditiveAttention(4, 4, 3)),
        ("MultiHeadAttention", MultiHeadAttention(4, 2)),
    ]


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize(
    ("dtypes", "pair"),
    [
        ((torch.float16, torch.float32, torch.float32), "queries, keys"),
        ((torch.float32, torch.float32, torch.float64), "queries, values"),
        ((torch.float32, torch.bfloat16, torch.float32), "queries, keys"),
    ],
)
def test_mixed_dtypes_name_both_arguments(which: int, dtypes: tuple, pair: str) -> None:
    _, layer = attention_calls()[which]
    q, k, v = (torch.zeros(2, 3, 4, dtype=dtype) for dtype in dtypes)
    first = pair.split(", ")[0]
    with pytest.raises(ValueError, match=rf"^{pair}: expected the same dtype, got {first} "):
        layer(q, k, v)


@pytest.mark.parametrize("which", [1, 2])
def test_inputs_must_match_the_layer_dtype(which: int) -> None:
    _, layer = attention_calls()[which]
    x = torch.zeros(2, 3, 4, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"^queries: expected dtype torch.float32 .*layer"):
        layer(x, x, x)


def test_mixed_devices_name_both_arguments() -> None:
    x, meta = torch.zeros(2, 3, 4), torch.zeros(2, 3, 4, device="meta")
    with pytest.raises(ValueError, match=r"^queries, keys: expected the same device, got"):
        DotProductAttention()(x, meta, x)


NOT_TENSORS = [np.zeros((2, 3, 4), dtype=np.float32), [[[0.0] * 4] * 3] * 2]


@pytest.mark.parametrize("value", NOT_TENSORS, ids=["numpy", "list"])
def test_arrays_and_lists_are_rejected_with_the_argument_name(value) -> None:
    x = torch.zeros(2, 3, 4)
    calls = {
        "scores": lambda: masked_softmax(value),
        "values": lambda: DotProductAttention()(x, x, value),
        "keys": lambda: MultiHeadAttention(4, 2)(x, value, x),
        "X": lambda: PositionalEncoding(4)(value),
        "queries": lambda: nadaraya_watson(value, torch.zeros(3), torch.zeros(3)),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=rf"^{name}: expected a torch.Tensor, got "):
            call()


# --- 6. Empty inputs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q_shape", "kv_shape"),
    [((0, 3, 4), (0, 5, 4)), ((2, 0, 4), (2, 5, 4)), ((2, 3, 4), (2, 0, 4))],
)
def test_multihead_with_empty_inputs_matches_torch(q_shape: tuple, kv_shape: tuple) -> None:
    torch.manual_seed(0)
    ours = MultiHeadAttention(4, 2, bias=True).eval()
    ref = torch_reference(ours, bias=True)
    q, kv = torch.randn(q_shape), torch.randn(kv_shape)
    expected, expected_weights = ref(q, kv, kv, average_attn_weights=False)
    output = ours(q, kv, kv)
    assert output.shape == expected.shape
    torch.testing.assert_close(output, expected)
    assert ours.attention_weights.shape == expected_weights.shape


@pytest.mark.parametrize("lookup", ["hard", *KERNELS])
@pytest.mark.parametrize("values_shape", [(0,), (0, 2)])
def test_no_keys_gives_zero_outputs_and_empty_weights(lookup: str, values_shape: tuple) -> None:
    queries, keys, values = torch.tensor([0.0, 1.0]), torch.zeros(0), torch.zeros(values_shape)
    outputs, weights = (
        hard_lookup(queries, keys, values)
        if lookup == "hard"
        else nadaraya_watson(queries, keys, values, lookup)
    )
    assert weights.shape == (2, 0)
    assert torch.equal(outputs, torch.zeros((2, *values_shape[1:])))


# --- 7. Arguments checked exactly, messages kept short ---------------------------------------


@pytest.mark.parametrize(
    "lens", [[1.99999999, 1.0], (1.0, 2.0000000001), [[1, 1], [1, 2.5]], [Fraction(3, 2), 1]]
)
def test_valid_lens_from_python_numbers_are_checked_exactly(lens) -> None:
    with pytest.raises(ValueError, match=r"^valid_lens: expected integer lengths, got "):
        masked_softmax(torch.zeros(2, 2, 4), lens)


def test_valid_lens_exact_python_numbers_are_accepted() -> None:
    scores = torch.randn(2, 2, 4, generator=seeded(5))
    expected = masked_softmax(scores, torch.tensor([1, 3]))
    for lens in ([1.0, 3.0], [Fraction(2, 2), 3], [np.int64(1), np.float64(3.0)]):
        assert torch.equal(masked_softmax(scores, lens), expected)


def test_score_statistics_takes_a_generator() -> None:
    assert score_statistics(d for d in (2, 8)) == score_statistics([2, 8])


@pytest.mark.parametrize("seed", [True, 1.5, "0", -1, 2**64])
def test_seeds_are_checked(seed) -> None:
    for call in (
        lambda: score_statistics([2], seed=seed),
        lambda: toy_regression_data(seed=seed),
        lambda: NWKernelRegression(seed=seed),
    ):
        with pytest.raises(ValueError, match=r"^seed: expected an integer in \[0, 2\*\*64\)"):
            call()


def test_width_as_a_fraction_works_like_the_float() -> None:
    x = torch.linspace(0, 1, 5)
    expected = nadaraya_watson(x, x, x, "boxcar", 0.5)
    for got, want in zip(nadaraya_watson(x, x, x, "boxcar", Fraction(1, 2)), expected, strict=True):
        assert torch.equal(got, want)


@pytest.mark.parametrize("kernel", [["gaussian"], None, 3])
def test_kernel_that_is_not_a_string_is_a_value_error(kernel) -> None:
    x = torch.zeros(3)
    with pytest.raises(ValueError, match=r"^kernel: expected one of \['gaussian'"):
        nadaraya_watson(x, x, x, kernel)


def test_train_nw_checks_the_model_output_shape() -> None:
    class Column(NWKernelRegression):
        def forward(self, queries, keys, values):
            return super().forward(queries, keys, values)[:, None]  # (n, 1), not (n,)

    data = toy_regression_data(n_train=6)
    with pytest.raises(ValueError, match=r"^model: expected predictions of shape \(n,\)=\(6,\)"):
        train_nw(Column(), data.x_train, data.y_train)


@pytest.mark.parametrize(
    "call",
    [
        lambda big: masked_softmax(torch.zeros(2, 1, 4), big),
        lambda big: masked_softmax(torch.zeros(len(big), 1, 4), [5] * len(big)),
        lambda big: masked_softmax(torch.zeros(len(big), 1, 4), torch.tensor(big) + 0.5),
        lambda big: nadaraya_watson(torch.zeros(3), torch.zeros(3), torch.zeros(3), big),
        lambda big: nadaraya_watson(torch.zeros(3), torch.zeros(3), torch.zeros(3), width=big),
        lambda big: score_statistics([big]),
        lambda big: DotProductAttention(big),
        lambda big: toy_regression_data(noise=big),
    ],
)
def test_error_messages_stay_short_whatever_the_input_size(call) -> None:
    big = list(range(100_000))
    with pytest.raises(ValueError) as info:
        call(big)
    assert len(str(info.value)) <= 300, str(info.value)[:400]


def test_every_public_function_names_its_argument_for_a_list_input() -> None:
    x = torch.zeros(4)
    for name, call in {
        "x": lambda: target_function([1.0, 2.0]),
        "x_train": lambda: train_nw(NWKernelRegression(), [1.0, 2.0], x[:2]),
        "y": lambda: leave_one_out(x, [1.0, 2.0, 3.0, 4.0]),
    }.items():
        with pytest.raises(ValueError, match=rf"^{name}: expected a torch.Tensor"):
            call()
