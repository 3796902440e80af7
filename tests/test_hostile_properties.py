"""Hypothesis strategies that throw hostile inputs at every public function of the math modules.

Hostile means: non-finite values in padded positions, float16/bfloat16 extremes, empty
dimensions, mixed dtypes and devices, NumPy arrays and lists for tensors, and valid lengths in
every accepted form (list, tuple, tensor of int or float, per sequence or per query); and, from
issue 21, what an engineer does with a copied layer: ``copy.deepcopy`` after a forward pass,
``jit.trace`` with other lengths, gradients through poisoned padding, extreme kernel widths. Each
property compares with PyTorch's own operation where there is one (``torch.masked.softmax``,
``F.scaled_dot_product_attention``, ``nn.MultiheadAttention``) in the input's dtype.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile import DTYPES, tolerance
from test_multihead import torch_reference

from attention import (
    KERNELS,
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    NWKernelRegression,
    PositionalEncoding,
    SelfAttention,
    default_device,
    hard_lookup,
    leave_one_out,
    masked_softmax,
    nadaraya_watson,
    score_statistics,
    target_function,
    toy_regression_data,
    train_nw,
)

FEW = settings(max_examples=25)  # the whole suite must stay fast on two shared cores
# Largest magnitude a test feeds in: float16's own maximum, and for the wide types a value
# whose products still fit in float32 (bfloat16 and float32 share float32's range).
EXTREME = {torch.float16: 6e4, torch.bfloat16: 1e15, torch.float32: 1e15, torch.float64: 1e100}
POISONS = [math.inf, -math.inf, math.nan]
MAX_MESSAGE = 300


# --- Strategies --------------------------------------------------------------------------


@st.composite
def lengths(draw: st.DrawFn, batch: int, n_queries: int, n_keys: int):
    """Valid lengths in any accepted form, with their (B, Q) meaning as a long tensor."""
    per_query = draw(st.booleans())
    shape = (batch, n_queries) if per_query else (batch,)
    flat = draw(
        st.lists(st.integers(0, n_keys), min_size=math.prod(shape), max_size=math.prod(shape))
    )
    canonical = torch.tensor(flat, dtype=torch.long).reshape(shape)
    form = draw(st.sampled_from(["list", "tuple", "long", "int32", "float", "float16", "column"]))
    if form == "column" and per_query:
        form = "long"
    nested = canonical.tolist()
    lens = {
        "list": nested,
        "tuple": tuple(tuple(row) if isinstance(row, list) else row for row in nested),
        "long": canonical,
        "int32": canonical.int(),
        "float": [float(x) for x in flat] if not per_query else canonical.double(),
        "float16": canonical.half(),
        "column": canonical[:, None],  # (batch, 1): one per sequence, as a column
    }[form]
    if not per_query:
        canonical = canonical[:, None].expand(batch, n_queries)
    return lens, canonical


def keep_mask(canonical: torch.Tensor, n_keys: int) -> torch.Tensor:
    """(B, Q, K) boolean, True where a query may look."""
    return torch.arange(n_keys) < canonical[..., None]


@st.composite
def dims(draw: st.DrawFn, allow_empty: bool = True) -> tuple[int, int, int]:
    low = 0 if allow_empty else 1
    return draw(st.integers(low, 3)), draw(st.integers(low, 4)), draw(st.integers(low, 6))


def randn(generator: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=generator, dtype=torch.float64)


@st.composite
def masked_problem(draw: st.DrawFn, allow_empty: bool = True):
    """Scores, lengths, the boolean mask and a poison for the padding, in some dtype."""
    batch, n_queries, n_keys = draw(dims(allow_empty))
    dtype = draw(st.sampled_from(DTYPES))
    lens, canonical = draw(lengths(batch, n_queries, n_keys))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([1.0, 30.0, EXTREME[dtype]]))
    scores = (randn(g, batch, n_queries, n_keys) * scale).clamp(-EXTREME[dtype], EXTREME[dtype])
    return scores.to(dtype), lens, keep_mask(canonical, n_keys), draw(st.sampled_from(POISONS))


# --- masked_softmax --------------------------------------------------------------------------


@FEW
@given(masked_problem())
def test_masked_softmax_ignores_poisoned_padding_and_matches_torch_masked(problem) -> None:
    scores, lens, keep, poison = problem
    weights = masked_softmax(scores, lens)
    assert weights.dtype == scores.dtype and weights.shape == scores.shape
    assert torch.equal(masked_softmax(scores.masked_fill(~keep, poison), lens), weights)
    assert torch.isfinite(weights).all() and (weights[~keep] == 0).all()
    # torch.masked.softmax on float64: the same weights; its rows with no key are NaN, ours 0.
    expected = torch.masked.softmax(scores.double(), dim=-1, mask=keep).nan_to_num(0.0)
    torch.testing.assert_close(weights.double(), expected, **tolerance(scores.dtype))


@FEW
@given(masked_problem(), st.sampled_from(["list", "numpy", "int"]))
def test_masked_softmax_refuses_what_is_not_a_float_tensor(problem, form: str) -> None:
    scores, lens, _, _ = problem
    bad = {"list": scores.tolist(), "numpy": scores.float().numpy(), "int": scores.long()}[form]
    with pytest.raises(ValueError, match=r"^scores: expected a") as info:
        masked_softmax(bad, lens)
    assert len(str(info.value)) <= MAX_MESSAGE


@FEW
@given(
    st.one_of(
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=2, max_size=2),
        st.lists(st.integers(-(2**70), 2**70), min_size=2, max_size=2),
        st.lists(st.sampled_from([True, 1.5, "2", None, 1 + 1e-12]), min_size=2, max_size=2),
        st.integers(0, 3),
    )
)
def test_masked_softmax_refuses_any_bad_length(lens) -> None:
    as_list = lens if isinstance(lens, list) else None
    good = as_list is not None and all(
        isinstance(x, int | float)
        and not isinstance(x, bool)
        and float(x).is_integer()
        and 0 <= x <= 4
        for x in as_list
    )
    if good:
        assert masked_softmax(torch.zeros(2, 1, 4), lens).shape == (2, 1, 4)
        return
    with pytest.raises(ValueError, match=r"^valid_lens: expected ") as info:
        masked_softmax(torch.zeros(2, 1, 4), lens)
    assert len(str(info.value)) <= MAX_MESSAGE


# --- DotProductAttention, AdditiveAttention, MultiHeadAttention --------------------------------


@st.composite
def attention_problem(draw: st.DrawFn, allow_empty: bool = True, size: int | None = None):
    """Queries, keys, values (float64), lengths in any form, the mask, a dtype and a poison."""
    batch, n_queries, n_keys = draw(dims(allow_empty))
    d = size or draw(st.integers(1, 8))
    lens, canonical = draw(lengths(batch, n_queries, n_keys))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    q, k, v = randn(g, batch, n_queries, d), randn(g, batch, n_keys, d), randn(g, batch, n_keys, 3)
    dtype = draw(st.sampled_from(DTYPES))
    return q, k, v, lens, keep_mask(canonical, n_keys), dtype, draw(st.sampled_from(POISONS))


def poison_padding(x: torch.Tensor, keep: torch.Tensor, poison: float) -> torch.Tensor:
    """``x`` (B, K, ...) with every position no query may see set to ``poison``."""
    dead = ~keep.any(dim=1)  # (B, K)
    return x.masked_fill(dead[..., None], poison)


@FEW
@given(attention_problem())
def test_dot_product_matches_sdpa_and_ignores_poisoned_padding(problem) -> None:
    q, k, v, lens, keep, dtype, poison = problem
    layer = DotProductAttention().eval()
    q, k, v = q.to(dtype), k.to(dtype), v.to(dtype)
    output, weights = layer.attend(q, k, v, lens)
    assert output.dtype == weights.dtype == dtype and torch.isfinite(output).all()
    bad_k, bad_v = poison_padding(k, keep, poison), poison_padding(v, keep, poison)
    assert torch.equal(layer(q, bad_k, bad_v, lens), output)
    # SDPA in float64 on the same inputs; its rows with no key are 0 like ours.
    expected = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=keep)
    torch.testing.assert_close(output.double(), expected, **tolerance(dtype))


@FEW
@given(
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**16),
    n_keys=st.integers(1, 6),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_dot_product_extremes_stay_finite_and_match_sdpa(dtype, seed, n_keys, sign) -> None:
    # Inputs at the edge of the dtype: the scaled scores overflow float16 by far.
    g = torch.Generator().manual_seed(seed)
    big = EXTREME[dtype]
    q = (sign * big * (1 - torch.rand(2, 3, 8, generator=g, dtype=torch.float64) / 2)).to(dtype)
    k = (big * (1 - torch.rand(2, n_keys, 8, generator=g, dtype=torch.float64) / 2)).to(dtype)
    v = randn(g, 2, n_keys, 2).to(dtype)
    output = DotProductAttention()(q, k, v)
    assert torch.isfinite(output).all()
    # Outputs are weighted averages: inside the range of the values.
    low, high = v.amin(dim=1, keepdim=True), v.amax(dim=1, keepdim=True)
    slack = 1e-2 * (high - low).abs().double() + 1e-2
    assert ((output.double() >= low.double() - slack) & (output <= high.double() + slack)).all()
    expected = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(output.double(), expected.double(), atol=5e-2, rtol=5e-2)


@FEW
@given(attention_problem())
def test_additive_ignores_poisoned_padding_and_matches_float64(problem) -> None:
    q, k, v, lens, keep, dtype, poison = problem
    torch.manual_seed(0)
    layer = AdditiveAttention(q.shape[-1], q.shape[-1], 4).eval()
    expected = layer.double()(q, k, v, lens)  # the same weights, in float64
    layer = layer.to(dtype)
    q, k, v = q.to(dtype), k.to(dtype), v.to(dtype)
    output = layer(q, k, v, lens)
    assert output.dtype == dtype and torch.isfinite(output).all()
    bad_k, bad_v = poison_padding(k, keep, poison), poison_padding(v, keep, poison)
    assert torch.equal(layer(q, bad_k, bad_v, lens), output)
    torch.testing.assert_close(output.double(), expected, **tolerance(dtype))


@FEW
@given(attention_problem(size=4))
def test_multihead_matches_torch_and_ignores_poisoned_padding(problem) -> None:
    q, k, v, lens, keep, dtype, poison = problem
    v = torch.cat([v, v[..., :1]], dim=-1)  # value size = num_hiddens = 4
    torch.manual_seed(0)
    ours = MultiHeadAttention(4, 2, bias=True).double().eval()
    ref = torch_reference(ours, bias=True)
    with torch.no_grad():
        # attn_mask True = not allowed, one (Q, K) mask per (sequence, head). A row with no
        # key is NaN in torch and W_o(0) in ours: compare the rows that have a key.
        blocked = (~keep).repeat_interleave(2, dim=0)
        empty = 0 in (*q.shape, k.shape[1])  # test_hostile.py compares empty inputs
        expected = None if empty else ref(q, k, v, attn_mask=blocked, need_weights=False)[0]
    ours = ours.to(dtype)
    q, k, v = q.to(dtype), k.to(dtype), v.to(dtype)
    output = ours(q, k, v, lens)
    assert output.dtype == dtype and torch.isfinite(output).all()
    assert ours.attention_weights.shape == (q.shape[0], 2, q.shape[1], k.shape[1])
    bad_k, bad_v = poison_padding(k, keep, poison), poison_padding(v, keep, poison)
    assert torch.equal(ours(q, bad_k, bad_v, lens), output)
    rows = keep.any(dim=-1)  # (B, Q): queries with at least one key
    if expected is not None:
        torch.testing.assert_close(output.double()[rows], expected[rows], **tolerance(dtype))


@st.composite
def self_attention_problem(draw: st.DrawFn):
    batch, n, _ = draw(dims())
    lens, canonical = draw(lengths(batch, n, n))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    dtype, poison = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(POISONS))
    return randn(g, batch, n, 4), lens, keep_mask(canonical, n), dtype, poison


@FEW
@given(self_attention_problem())
def test_self_attention_real_tokens_ignore_poisoned_padding(problem) -> None:
    X, lens, keep, dtype, poison = problem
    torch.manual_seed(0)
    layer = SelfAttention(4, 3).to(dtype).eval()
    X = X.to(dtype)
    output = layer(X, lens)
    assert output.dtype == dtype and torch.isfinite(output).all()
    real = keep.any(dim=1)  # (B, n): positions some query may see
    torch.testing.assert_close(layer(poison_padding(X, keep, poison), lens)[real], output[real])


LAYERS: dict[str, Callable[[], Callable]] = {
    "DotProductAttention": DotProductAttention,
    "AdditiveAttention": lambda: AdditiveAttention(4, 4, 3),
    "MultiHeadAttention": lambda: MultiHeadAttention(4, 2),
}


@FEW
@given(
    layer=st.sampled_from(list(LAYERS)),
    which=st.sampled_from(["queries", "keys", "values"]),
    bad=st.sampled_from(["numpy", "list", "int", "float64", "bfloat16", "meta"]),
)
def test_attention_layers_name_the_bad_argument(layer: str, which: str, bad: str) -> None:
    args = {name: torch.zeros(2, 3, 4) for name in ("queries", "keys", "values")}
    x = args[which]
    args[which] = {
        "numpy": x.numpy(),
        "list": x.tolist(),
        "int": x.long(),
        "float64": x.double(),
        "bfloat16": x.bfloat16(),
        "meta": x.to("meta"),
    }[bad]
    with pytest.raises(ValueError) as info:
        LAYERS[layer]()(*args.values())
    message = str(info.value)
    assert which in message.split(":")[0].split(", "), message
    assert len(message) <= MAX_MESSAGE


# --- PositionalEncoding -----------------------------------------------------------------------


@FEW
@given(
    dtype=st.sampled_from([*DTYPES, torch.long, torch.int8, torch.bool]),
    batch=st.integers(0, 3),
    length=st.integers(0, 9),
)
def test_positional_encoding_keeps_float_dtypes_and_refuses_others(dtype, batch, length) -> None:
    encoding = PositionalEncoding(6, max_len=9)
    X = torch.ones(batch, length, 6, dtype=dtype)
    if not dtype.is_floating_point:
        with pytest.raises(ValueError, match=r"^X: expected a floating-point tensor"):
            encoding(X)
        return
    output = encoding(X)
    assert output.dtype == dtype and output.shape == X.shape
    expected = X.double() + encoding.P[:, :length].double()
    torch.testing.assert_close(output.double(), expected, **tolerance(dtype))


# --- nadaraya_watson, hard_lookup, NWKernelRegression ------------------------------------------


@st.composite
def lookup_problem(draw: st.DrawFn):
    """1-D queries and keys (some NaN or infinite, some extreme), values (m,) or (m, d)."""
    dtype = draw(st.sampled_from(DTYPES))
    n, m = draw(st.integers(0, 5)), draw(st.integers(0, 6))
    big = EXTREME[dtype]
    special = st.sampled_from([math.nan, math.inf, -math.inf, big, -big, 0.9 * big, -0.9 * big])
    number = st.one_of(st.floats(-10, 10, width=16), special)
    queries = torch.tensor(draw(st.lists(number, min_size=n, max_size=n)), dtype=torch.float64)
    keys = torch.tensor(draw(st.lists(number, min_size=m, max_size=m)), dtype=torch.float64)
    values = torch.randn(m, *draw(st.sampled_from([(), (2,)])), dtype=torch.float64)
    return queries.to(dtype), keys.to(dtype), values.to(dtype)


@FEW
@given(lookup_problem())
def test_hard_lookup_is_nan_exactly_when_the_nearest_key_is_undefined(problem) -> None:
    queries, keys, values = problem
    outputs, weights = hard_lookup(queries, keys, values)
    assert outputs.shape == (queries.shape[0], *values.shape[1:]) and outputs.dtype == values.dtype
    assert weights.shape == (queries.shape[0], keys.shape[0])
    if keys.shape[0] == 0:
        assert (outputs == 0).all()
        return
    has_nan = queries.isnan() | keys.isnan().any()
    assert outputs[has_nan].isnan().all() and weights[has_nan].isnan().all()
    distances = (queries.double()[:, None] - keys.double()[None, :]).abs()  # exact for these
    for i in torch.nonzero(queries.isfinite() & keys.isfinite().all()).flatten().tolist():
        chosen = int(weights[i].argmax())
        assert weights[i].sum() == 1 and torch.equal(outputs[i], values[chosen])
        # The nearest key, up to float32 rounding of the distances (float16 would overflow).
        assert distances[i, chosen] <= distances[i].min() * (1 + 1e-6)


@FEW
@given(lookup_problem(), st.sampled_from(list(KERNELS)), st.sampled_from([0.05, 1, 2.5]))
def test_nadaraya_watson_nan_in_nan_out_and_rows_sum_to_one_or_zero(problem, kernel, width):
    queries, keys, values = problem
    outputs, weights = nadaraya_watson(queries, keys, values, kernel, width)
    assert outputs.dtype == weights.dtype == queries.dtype
    assert outputs.shape == (queries.shape[0], *values.shape[1:])
    # NaN in, NaN out; with no key at all every output is 0 whatever the query.
    has_nan = (queries.isnan() | keys.isnan().any()) & (keys.numel() > 0)
    assert weights[has_nan].isnan().all() and outputs[has_nan].isnan().all()
    finite_rows = ~has_nan & queries.isfinite() & (keys.isfinite().all() | (keys.numel() == 0))
    sums = weights[finite_rows].double().sum(dim=1)
    assert (((sums - 1).abs() < 1e-2) | (sums == 0)).all()
    if kernel in ("gaussian", "constant") and keys.numel():  # every key is in the window
        assert ((sums - 1).abs() < 1e-2).all()
    assert torch.isfinite(outputs[finite_rows]).all()
    assert (outputs[finite_rows][sums == 0] == 0).all()


@FEW
@given(lookup_problem())
def test_nw_regression_nan_in_nan_out(problem) -> None:
    queries, keys, values = problem
    if values.ndim == 2:
        values = values[:, 0]
    model = NWKernelRegression().to(queries.dtype)
    predictions = model(queries, keys, values)
    assert predictions.shape == queries.shape and predictions.dtype == queries.dtype
    has_nan = (queries.isnan() | keys.isnan().any()) & (keys.numel() > 0)
    assert predictions[has_nan].isnan().all()
    if keys.numel() == 0:
        assert (predictions == 0).all()


@FEW
@given(
    function=st.sampled_from(["nadaraya_watson", "hard_lookup", "NWKernelRegression"]),
    which=st.sampled_from(["queries", "keys", "values"]),
    bad=st.sampled_from(["numpy", "list", "meta", "float64"]),
)
def test_lookups_name_the_bad_argument(function: str, which: str, bad: str) -> None:
    args = {"queries": torch.zeros(3), "keys": torch.zeros(4), "values": torch.zeros(4)}
    x = args[which]
    args[which] = {
        "numpy": x.numpy(),
        "list": x.tolist(),
        "meta": x.to("meta"),
        "float64": x.double(),
    }[bad]
    call = {
        "nadaraya_watson": nadaraya_watson,
        "hard_lookup": hard_lookup,
        "NWKernelRegression": NWKernelRegression(),
    }[function]
    if function == "hard_lookup" and which == "values" and bad == "float64":
        assert call(*args.values())[0].dtype == torch.float64  # values may have any dtype
        return
    with pytest.raises(ValueError) as info:
        call(*args.values())
    message = str(info.value)
    assert which in message.split(":")[0].split(", "), message
    assert len(message) <= MAX_MESSAGE


@FEW
@given(
    kernel=st.one_of(
        st.text(max_size=30), st.lists(st.sampled_from(list(KERNELS)), max_size=2), st.none()
    ),
    width=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**2000), 2**2000),
        st.fractions(),
        st.text(max_size=3),
    ),
)
def test_nadaraya_watson_kernel_and_width_are_checked(kernel, width) -> None:
    x = torch.linspace(0, 1, 4)
    kernel_ok = isinstance(kernel, str) and kernel in KERNELS
    float32 = torch.finfo(torch.float32)  # a width float32 cannot hold is refused too
    try:
        width_ok = not isinstance(width, str) and float32.tiny <= float(width) <= float32.max
    except OverflowError:
        width_ok = False
    if kernel_ok and width_ok:
        outputs, _ = nadaraya_watson(x, x, x, kernel, width)
        assert outputs.shape == (4,)
        return
    with pytest.raises(ValueError, match=r"^(kernel|width): expected ") as info:
        nadaraya_watson(x, x, x, kernel, width)
    assert len(str(info.value)) <= MAX_MESSAGE


# --- score_statistics, data, training, device ------------------------------------------------


@FEW
@given(
    sizes=st.lists(st.integers(1, 8), max_size=3),
    form=st.sampled_from([list, tuple, iter, lambda s: (d for d in s)]),
    seed=st.one_of(st.integers(-5, 2**64 + 5), st.booleans(), st.floats(0, 3)),
)
def test_score_statistics_takes_any_iterable_and_checks_its_seed(sizes, form, seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        with pytest.raises(ValueError, match=r"^seed: expected an integer in \[0, 2\*\*64\)"):
            score_statistics(form(sizes), n_samples=4, seed=seed)
        return
    stats = score_statistics(form(sizes), n_samples=4, seed=seed)
    assert stats == score_statistics(list(sizes), n_samples=4, seed=seed)
    assert stats["dims"] == [float(d) for d in sizes]


@FEW
@given(
    n=st.integers(0, 4),
    dtype=st.sampled_from([*DTYPES, torch.long]),
    nan=st.booleans(),
)
def test_data_functions_on_hostile_inputs(n: int, dtype: torch.dtype, nan: bool) -> None:
    x = torch.arange(n).to(dtype)
    if nan and n and dtype.is_floating_point:
        x[0] = math.nan
    if not dtype.is_floating_point:
        for call, name in ((lambda: target_function(x), "x"), (lambda: leave_one_out(x, x), "x")):
            with pytest.raises(ValueError, match=rf"^{name}: expected a floating-point tensor"):
                call()
        return
    y = target_function(x)
    assert y.dtype == dtype and y.shape == x.shape
    assert (y.isnan() == x.isnan()).all() or n == 0
    if n < 2:
        with pytest.raises(ValueError, match=r"^x: expected at least 2 points"):
            leave_one_out(x, y)
        return
    keys, values = leave_one_out(x, y)
    assert keys.shape == values.shape == (n, n - 1) and keys.dtype == dtype


@FEW
@given(
    shape=st.sampled_from([(6,), (6, 1), (1, 6), (5,), ()]),
    lr=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.fractions(max_denominator=9)),
)
def test_train_nw_checks_the_model_output_and_the_learning_rate(shape, lr) -> None:
    class Shaped(NWKernelRegression):
        def forward(self, queries, keys, values):
            return super().forward(queries, keys, values).reshape(-1)[0].expand(shape)

    data = toy_regression_data(n_train=6)
    lr_ok = 0 < float(lr) < math.inf
    if not lr_ok:
        with pytest.raises(ValueError, match=r"^lr: expected a finite number > 0"):
            train_nw(Shaped(), data.x_train, data.y_train, lr=lr, epochs=1)
    elif shape != (6,):
        with pytest.raises(ValueError, match=r"^model: expected predictions of shape \(n,\)"):
            train_nw(Shaped(), data.x_train, data.y_train, lr=lr, epochs=1)
    else:
        assert len(train_nw(Shaped(), data.x_train, data.y_train, lr=lr, epochs=1)) == 1


@FEW
@given(name=st.text(max_size=2000).filter(lambda text: "\x00" not in text))
def test_default_device_messages_stay_short(name: str) -> None:
    with mock.patch.dict(os.environ, {"ATTENTION_DEVICE": name}):
        try:
            device = default_device()
        except ValueError as err:
            assert str(err).startswith("ATTENTION_DEVICE: expected ")
            assert len(str(err)) <= MAX_MESSAGE
        else:
            assert isinstance(device, torch.device)


def test_numpy_is_refused_by_every_layer_input_not_converted() -> None:
    array = np.zeros((1, 2, 4), dtype=np.float32)
    for call in (
        lambda: PositionalEncoding(4)(array),
        lambda: SelfAttention(4, 2)(array),
    ):
        with pytest.raises(ValueError, match=r"^X: expected a torch.Tensor, got ndarray"):
            call()


# --- Module transformations, gradients through padding, extreme widths (issue 21) ------------


@settings(max_examples=8)  # jit.trace takes a second per example
@given(attention_problem(allow_empty=False, size=4), st.sampled_from(list(LAYERS)))
def test_layers_deepcopy_after_a_forward_and_trace_without_baking_in_lengths(problem, name):
    q, k, _, lens, keep, dtype, _ = problem
    v = k.flip(-1)  # values of size 4, as MultiHeadAttention(4, 2) needs
    torch.manual_seed(0)
    layer = LAYERS[name]().to(dtype)
    leaves = [x.to(dtype).clone().requires_grad_() for x in (q, k, v)]
    output = layer(*leaves, lens)  # a training forward: the weights belong to a graph
    copied = copy.deepcopy(layer)
    assert torch.equal(copied.attention_weights, layer.attention_weights)
    assert torch.equal(copied(*leaves, lens), output)
    # Traced with every query seeing every key, then run with the drawn lengths (some 0).
    per_query = keep.sum(dim=-1)  # (B, Q)
    inputs = [x.detach() for x in leaves]
    traced = torch.jit.trace(layer, (*inputs, torch.full_like(per_query, k.shape[1])))
    torch.testing.assert_close(traced(*inputs, per_query), layer(*inputs, per_query))


@settings(max_examples=15)
@given(attention_problem(size=4), st.sampled_from(list(LAYERS)))
def test_poisoned_padding_leaves_every_gradient_as_clean_padding_does(problem, name) -> None:
    q, k, _, lens, keep, dtype, poison = problem
    v = k.flip(-1)  # values of size 4, as MultiHeadAttention(4, 2) needs
    torch.manual_seed(0)
    layer = LAYERS[name]().to(dtype)

    def gradients(keys: torch.Tensor, values: torch.Tensor) -> list[torch.Tensor | None]:
        leaves = [x.to(dtype).clone().requires_grad_() for x in (q, keys, values)]
        layer.zero_grad()
        layer(*leaves, lens).sum().backward()
        return [x.grad for x in leaves] + [p.grad for p in layer.parameters()]

    clean = gradients(k, v)
    poisoned = gradients(poison_padding(k, keep, poison), poison_padding(v, keep, poison))
    for c, p in zip(clean, poisoned, strict=True):
        assert (c is None) == (p is None)
        if c is not None:  # the padding is replaced before any arithmetic: exactly equal
            assert torch.equal(p, c)


@FEW
@given(
    dtype=st.sampled_from([torch.float32, torch.float64]),
    width=st.floats(torch.finfo(torch.float32).tiny, torch.finfo(torch.float32).max),
    scale=st.sampled_from([1.0, 1e10, 1e20, 1e30, 1e37]),
    seed=st.integers(0, 2**16),
)
def test_gaussian_pooling_of_finite_inputs_is_finite_at_any_width(dtype, width, scale, seed):
    g = torch.Generator().manual_seed(seed)
    queries, keys = randn(g, 4) * scale, randn(g, 5) * scale
    values = randn(g, 5)
    queries, keys, values = queries.to(dtype).requires_grad_(), keys.to(dtype), values.to(dtype)
    outputs, weights = nadaraya_watson(queries, keys, values, width=width)
    assert torch.isfinite(weights).all() and torch.isfinite(outputs).all()
    outputs.sum().backward()
    assert torch.isfinite(queries.grad).all()  # far rows: exactly 0, not inf * 0 = NaN
    queries, weights = queries.detach(), weights.detach()
    torch.testing.assert_close(weights.double().sum(dim=1), torch.ones(4, dtype=torch.float64))
    # A weighted average stays between the smallest and the largest value.
    assert (outputs >= values.min() - 1e-5).all() and (outputs <= values.max() + 1e-5).all()
    # A key that takes most of the weight is a nearest one (up to the rounding of the
    # distances in the dtype): never a far key, as a NaN turned into a weight could be.
    distances = (queries.double()[:, None] - keys.double()[None, :]).abs()
    heavy, chosen = weights.max(dim=1)
    nearest = distances.gather(1, chosen[:, None])[:, 0] <= distances.amin(dim=1) * (1 + 1e-6)
    assert nearest[heavy > 0.5].all()
    if dtype == torch.float64:  # no overflow in float64 here: torch's softmax is the reference
        u = (queries[:, None] - keys[None, :]) / width
        expected = torch.softmax(-(u**2) / 2, dim=1)
        torch.testing.assert_close(weights, expected, atol=1e-9, rtol=1e-9)
    model = NWKernelRegression().to(dtype)
    with torch.no_grad():
        model.w.fill_(1 / width)
    predictions = model(queries, keys, values)
    predictions.sum().backward()
    assert torch.isfinite(predictions).all() and torch.isfinite(model.w.grad).all()
