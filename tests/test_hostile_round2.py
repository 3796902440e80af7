"""Hostile inputs, round two (issue 21): what engineers do with a copied layer.

1. ``copy.deepcopy`` after a training forward, 2. Gaussian scores that overflow, 3. NaN
gradients from padding the forward pass ignores, 4. ``torch.compile``, ``torch.export``,
``vmap``, ``jit.trace`` and ``jit.script``, 5. crashes on normal use (``quantize_dynamic``,
``train_nw`` with an ``x_train`` that requires grad, a ``PositionalEncoding`` built on ``meta``),
6. ``hard_lookup`` of an infinite query, 7. obscure or overlong errors, 8. arguments accepted
silently. Each test failed before its fix. The compile and export tests use the ``eager``
backend: ``fullgraph=True`` proves there is no graph break, and nothing is code-generated
(two shared cores). Hypothesis strategies for the same classes are in
``test_hostile_properties.py``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_hostile import keep_mask, seeded
from torch import nn

import attention
from attention import (
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    NWKernelRegression,
    PositionalEncoding,
    SelfAttention,
    hard_lookup,
    masked_softmax,
    nadaraya_watson,
    plot_curves,
    plot_kernel_regression,
    score_statistics,
    set_language,
    show_heatmaps,
    toy_regression_data,
    train_nw,
)
from attention.plotting import PLACEHOLDER, _check_description

MAX_MESSAGE = 300
POISONS = [math.inf, -math.inf, math.nan]


def batch_inputs(seed: int, batch: int = 2, n: int = 4, d: int = 8) -> list[torch.Tensor]:
    g = seeded(seed)
    return [torch.randn(batch, n, d, generator=g) for _ in range(3)]


def make(name: str) -> tuple[nn.Module, Callable[..., tuple]]:
    """A small layer and a function from (queries, keys, values, lens) to its arguments."""
    torch.manual_seed(0)
    return {
        "DotProductAttention": (DotProductAttention(), lambda q, k, v, lens: (q, k, v, lens)),
        "AdditiveAttention": (AdditiveAttention(8, 8, 5), lambda q, k, v, lens: (q, k, v, lens)),
        "MultiHeadAttention": (
            MultiHeadAttention(8, 2, bias=True),
            lambda q, k, v, lens: (q, k, v, lens),
        ),
        "SelfAttention": (SelfAttention(8, 6), lambda q, k, v, lens: (k, lens)),
    }[name]


LAYERS = ["DotProductAttention", "AdditiveAttention", "MultiHeadAttention", "SelfAttention"]


# --- 1. copy.deepcopy after a training forward ---------------------------------------------


@pytest.mark.parametrize("name", [*LAYERS, "NWKernelRegression"])
def test_deepcopy_after_a_training_forward(name: str) -> None:
    if name == "NWKernelRegression":
        layer: nn.Module = NWKernelRegression()
        args: tuple = (torch.randn(3, generator=seeded(0)), torch.arange(4.0), torch.arange(4.0))
    else:
        layer, build = make(name)
        q, k, v = (x.requires_grad_() for x in batch_inputs(0))  # DotProduct has no parameter
        args = build(q, k, v, torch.tensor([3, 1]))
    output = layer.train()(*args)
    copied = copy.deepcopy(layer)  # raised "Only Tensors created explicitly by the user ..."
    weights = layer.attention_weights
    assert not weights.requires_grad and weights.grad_fn is None
    assert torch.equal(copied.attention_weights, weights)
    output.sum().backward()  # the caller's graph is untouched by the detached copy
    torch.testing.assert_close(copied.eval()(*args), layer.eval()(*args))


# --- 2. Gaussian scores that overflow ------------------------------------------------------


def gaussian_reference(queries: torch.Tensor, keys: torch.Tensor, width: float) -> torch.Tensor:
    """float64 weights softmax(-((q - k) / width)**2 / 2): what torch computes."""
    u = (queries.double()[:, None] - keys.double()[None, :]) / width
    return torch.softmax(-(u**2) / 2, dim=1)


@pytest.mark.parametrize(
    ("queries", "keys", "width"),
    [
        ([1e20, -1e38, 3e38, 3.0], [0.0, 1, 2, 5], 1.0),  # u**2 overflows float32: was NaN
        ([1e20, -3e38], [0.0, 1e19, 5e19, -3e38], 1.0),  # one key is nearer by far
        ([3.6, 0.2], [0.0, 1, 2, 5], 1e-30),  # a narrow kernel: every weight on the nearest
        ([3.6], [0.0, 1, 2, 5], 3e38),  # a wide one: every key the same
    ],
)
def test_gaussian_weights_of_finite_inputs_are_finite_and_match_float64(
    queries: list[float], keys: list[float], width: float
) -> None:
    q, k = torch.tensor(queries), torch.tensor(keys)
    values = k + 10
    outputs, weights = nadaraya_watson(q, k, values, width=width)
    expected = gaussian_reference(q, k, width)
    torch.testing.assert_close(weights.double(), expected, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(outputs.double(), expected @ values.double())
    model = NWKernelRegression()
    with torch.no_grad():
        model.w.fill_(1 / width)
    torch.testing.assert_close(model(q, k, values).double(), expected @ values.double())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_nw_regression_in_half_precision_computes_in_float32(dtype: torch.dtype) -> None:
    keys = torch.tensor([0.0, 1, 2, 5])
    queries = torch.tensor([1000.0, 3.0, -200.0])  # (1000 - k)**2 overflows float16
    model = NWKernelRegression()
    expected = model(queries, keys, keys + 10)
    half = copy.deepcopy(model).to(dtype)
    with torch.no_grad():  # the same w, so that only the precision of the inputs differs
        half.w.copy_(model.w)
    output = half(queries.to(dtype), keys.to(dtype), (keys + 10).to(dtype))
    assert output.dtype == dtype
    torch.testing.assert_close(output.float(), expected, atol=0.1, rtol=1e-2)


@pytest.mark.parametrize(
    ("dtype", "width"), [(torch.float32, 1e-300), (torch.float16, 1e-39), (torch.float32, 1e300)]
)
def test_a_width_the_dtype_cannot_hold_is_refused(dtype: torch.dtype, width: float) -> None:
    k = torch.tensor([0.0, 1, 2, 5], dtype=dtype)
    with pytest.raises(ValueError, match=r"^width: expected a number torch\.float32 holds"):
        nadaraya_watson(k, k, k, width=width)
    outputs, _ = nadaraya_watson(k.double(), k.double(), k.double(), width=width)
    assert torch.isfinite(outputs).all()  # float64 holds it, and gets a finite answer


def test_gaussian_gradients_far_from_every_key_are_finite() -> None:
    keys = torch.tensor([0.0, 1, 2, 5])
    queries = torch.tensor([1e20, 3.0], requires_grad=True)
    outputs, _ = nadaraya_watson(queries, keys, keys + 10)
    outputs.sum().backward()
    # Far away the weights are exactly 0 and 1: constant, so the gradient is 0 (it was NaN).
    reference = queries.detach()[1:].double().requires_grad_()
    (gaussian_reference(reference, keys, 1.0) @ (keys.double() + 10)).sum().backward()
    expected = torch.cat([torch.zeros(1, dtype=torch.float64), reference.grad])
    torch.testing.assert_close(queries.grad.double(), expected, atol=1e-5, rtol=1e-5)
    model = NWKernelRegression()
    model(queries.detach(), keys, keys + 10).sum().backward()
    assert torch.isfinite(model.w.grad).all()


# --- 3. Padding ignored by the forward pass is ignored by the gradient ----------------------


@pytest.mark.parametrize("poison", POISONS)
@pytest.mark.parametrize("name", LAYERS)
def test_nonfinite_padding_gives_the_gradients_of_clean_padding(name: str, poison: float) -> None:
    layer, build = make(name)
    layer.eval()
    lens = torch.tensor([2, 4])
    padded = (torch.arange(4) >= lens[:, None])[..., None]  # (B, K, 1)
    clean = batch_inputs(1)
    real = ~padded[..., 0] if name == "SelfAttention" else torch.ones(2, 4, dtype=torch.bool)

    def gradients(inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        leaves = [x.clone().requires_grad_() for x in inputs]
        layer.zero_grad()
        layer(*build(*leaves, lens))[real].sum().backward()  # SelfAttention: real tokens only
        return [x.grad for x in leaves] + [p.grad for p in layer.parameters()]

    poisoned = [
        clean[0],
        clean[1].masked_fill(padded, poison),
        clean[2].masked_fill(padded, poison),
    ]
    expected, got = gradients(clean), gradients(poisoned)
    for e, g in zip(expected, got, strict=True):
        if e is None:  # an input the layer does not take (SelfAttention's queries)
            assert g is None
            continue
        assert torch.isfinite(g).all()  # was 0 * NaN = NaN
        torch.testing.assert_close(g, e)
    # One optimiser step keeps every weight finite.
    if any(True for _ in layer.parameters()):
        torch.optim.SGD(layer.parameters(), lr=0.1).step()
        assert all(torch.isfinite(p).all() for p in layer.parameters())


def test_dot_product_gradients_through_padding_match_sdpa() -> None:
    queries, keys, values = batch_inputs(2)
    lens = torch.tensor([1, 3])
    padded = (torch.arange(4) >= lens[:, None])[..., None]
    grads = []
    for fn in (
        lambda q, k, v: DotProductAttention()(q, k.masked_fill(padded, math.nan), v, lens),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=keep_mask(lens, 4, 4)),
    ):
        leaves = [x.clone().requires_grad_() for x in (queries, keys, values)]
        fn(*leaves).sum().backward()
        grads.append([x.grad for x in leaves])
    for ours, sdpa in zip(*grads, strict=True):
        torch.testing.assert_close(ours, sdpa)


# --- 4. compile, export, vmap, trace, script ----------------------------------------------


@pytest.fixture(scope="module")
def problem() -> tuple[list[torch.Tensor], torch.Tensor]:
    """Inputs and lengths with a query that attends to nothing (length 0)."""
    return batch_inputs(3), torch.tensor([3, 0])


@pytest.mark.parametrize("name", LAYERS)
def test_layers_compile_with_fullgraph(name: str, problem) -> None:
    (q, k, v), lens = problem
    layer, build = make(name)
    layer.eval()
    compiled = torch.compile(layer, fullgraph=True, backend="eager")  # raises on a graph break
    for lengths in (lens, torch.tensor([4, 1])):  # other values, same graph
        torch.testing.assert_close(
            compiled(*build(q, k, v, lengths)), layer(*build(q, k, v, lengths))
        )


def test_masked_softmax_compiles_with_fullgraph(problem) -> None:
    (q, _, _), lens = problem
    compiled = torch.compile(masked_softmax, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(q, lens), masked_softmax(q, lens))


@pytest.mark.parametrize("name", LAYERS)
def test_layers_export_and_keep_the_lengths_an_input(name: str, problem) -> None:
    (q, k, v), lens = problem
    layer, build = make(name)
    layer.eval()
    program = torch.export.export(layer, build(q, k, v, lens)).module()
    for lengths in (lens, torch.tensor([1, 4])):
        torch.testing.assert_close(
            program(*build(q, k, v, lengths)), layer(*build(q, k, v, lengths))
        )


@pytest.mark.parametrize("name", LAYERS)
def test_layers_vmap_over_batched_lengths(name: str, problem) -> None:
    (q, k, v), _ = problem
    layer, build = make(name)
    layer.eval()
    lengths = torch.tensor([[3, 0], [4, 1], [1, 2]])  # (3, B): one set of lengths per call
    stacked = [x.expand(3, *x.shape) for x in (q, k, v)]
    output = torch.vmap(lambda q, k, v, lens: layer(*build(q, k, v, lens)))(*stacked, lengths)
    for i, lens in enumerate(lengths):
        torch.testing.assert_close(output[i], layer(*build(q, k, v, lens)))


@pytest.mark.parametrize("name", LAYERS)
def test_a_traced_layer_does_not_bake_in_the_example_lengths(name: str, problem) -> None:
    (q, k, v), _ = problem
    layer, build = make(name)
    layer.eval()
    # Traced with every length > 0, the old `if not has_keys.all()` branch was left out of the
    # graph: a query of length 0 among others then attended uniformly to its sequence.
    example = torch.tensor([[4, 2, 1, 3], [1, 2, 3, 4]])  # (B, n_queries): one per query
    traced = torch.jit.trace(layer, build(q, k, v, example), check_trace=False)
    lens = torch.tensor([[3, 0, 2, 4], [1, 0, 4, 2]])
    output = traced(*build(q, k, v, lens))
    torch.testing.assert_close(output, layer(*build(q, k, v, lens)))
    if name in ("DotProductAttention", "SelfAttention"):  # no bias: a length-0 row is zeros
        assert (output[:, 1] == 0).all()


@pytest.mark.parametrize("name", [*LAYERS, "PositionalEncoding", "NWKernelRegression"])
def test_jit_script_refuses_with_a_clear_error(name: str) -> None:
    others = {
        "PositionalEncoding": lambda: PositionalEncoding(8),
        "NWKernelRegression": NWKernelRegression,
    }
    layer = others[name]() if name in others else make(name)[0]
    with pytest.raises(
        NotImplementedError, match=rf"^torch\.jit\.script: {name} cannot be scripted"
    ):
        torch.jit.script(layer)


def test_positional_encoding_compiles_and_exports() -> None:
    layer = PositionalEncoding(8).eval()
    x = torch.randn(2, 5, 8, generator=seeded(4))
    compiled = torch.compile(layer, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(x), layer(x))
    torch.testing.assert_close(torch.export.export(layer, (x,)).module()(x), layer(x))


# --- 5. Crashes on normal use ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["MultiHeadAttention", "AdditiveAttention", "SelfAttention"])
def test_quantize_dynamic_layers_run_and_stay_close(name: str) -> None:
    layer, build = make(name)
    layer.eval()
    quantized = torch.ao.quantization.quantize_dynamic(layer, {nn.Linear}, dtype=torch.qint8)
    (q, k, v), lens = batch_inputs(5), torch.tensor([3, 1])
    output = quantized(*build(q, k, v, lens))  # raised "'function' object has no attribute 'dtype'"
    torch.testing.assert_close(output, layer(*build(q, k, v, lens)), atol=0.1, rtol=0.1)


def test_train_nw_with_x_train_that_requires_grad() -> None:
    data = toy_regression_data(n_train=10)
    expected = train_nw(NWKernelRegression(), data.x_train, data.y_train, epochs=3)
    x_train = data.x_train.clone().requires_grad_()
    losses = train_nw(NWKernelRegression(), x_train, data.y_train, epochs=3)  # raised
    assert losses == expected and x_train.grad is None


def test_positional_encoding_built_on_meta_then_to_empty_and_loaded() -> None:
    reference = PositionalEncoding(6, max_len=30)
    with torch.device("meta"):
        layer = PositionalEncoding(6, max_len=30)
    layer = layer.to_empty(device="cpu")
    layer.load_state_dict(reference.state_dict())
    x = torch.randn(2, 30, 6, generator=seeded(6))
    assert torch.equal(layer(x), reference(x))  # the table is rebuilt, not garbage
    # Rebuilt from float64 on every move: a round trip through float16 loses nothing.
    assert torch.equal(reference.half().float().P, PositionalEncoding(6, max_len=30).P)


# --- 6. hard_lookup of a query with no nearest key ------------------------------------------


def test_hard_lookup_of_an_infinite_query_has_no_nearest_key() -> None:
    keys = torch.tensor([0.0, 1, 2, 5])
    queries = torch.tensor([math.inf, -math.inf, 3.6, 1e6])
    outputs, weights = hard_lookup(queries, keys, keys + 10)
    assert outputs[:2].isnan().all() and weights[:2].isnan().all()  # was the farthest key
    assert outputs[2:].tolist() == [15.0, 15.0] and weights[2:].sum(dim=1).tolist() == [1, 1]
    # A finite query and only infinite keys: no key at a finite distance either.
    outputs, _ = hard_lookup(torch.tensor([0.0]), torch.tensor([math.inf, -math.inf]), keys[:2])
    assert outputs.isnan().all()
    with pytest.raises(ValueError, match=r"^queries: expected a key at a finite distance"):
        hard_lookup(queries, keys, torch.arange(4))  # integer values cannot hold NaN


# --- 7. Obscure or overlong errors ----------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.uint8, torch.uint16, torch.uint32, torch.uint64])
def test_valid_lens_of_any_unsigned_dtype(dtype: torch.dtype) -> None:
    scores = torch.randn(2, 3, 4, generator=seeded(7))
    lens = torch.tensor([2, 4])
    assert torch.equal(masked_softmax(scores, lens.to(dtype)), masked_softmax(scores, lens))
    too_long = torch.tensor([2, 5]).to(dtype)
    with pytest.raises(ValueError, match=r"^valid_lens: expected lengths in \[0, n_keys=4\]"):
        masked_softmax(scores, too_long)


@pytest.mark.parametrize("kind", [np.int64, np.int32, np.uint8, torch.tensor])
def test_integer_sizes_and_seeds_of_numpy_and_torch_are_taken(kind: Callable) -> None:
    layer = MultiHeadAttention(kind(8), kind(2))
    assert type(layer.num_hiddens) is int and type(layer.num_heads) is int
    x = torch.randn(1, 3, 8, generator=seeded(8))
    assert layer(x, x, x).shape == (1, 3, 8)
    assert SelfAttention(kind(8), kind(4))(x).shape == (1, 3, 4)
    assert AdditiveAttention(kind(8), kind(8), kind(3))(x, x, x).shape == (1, 3, 8)
    assert PositionalEncoding(kind(8), max_len=kind(5))(x).shape == (1, 3, 8)
    assert torch.equal(NWKernelRegression(seed=kind(3)).w, NWKernelRegression(seed=3).w)
    data, expected = toy_regression_data(kind(5), seed=kind(1)), toy_regression_data(5, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(data, expected, strict=True))
    assert score_statistics([kind(4)], n_keys=kind(3), n_samples=kind(10), seed=kind(2)) == (
        score_statistics([4], n_keys=3, n_samples=10, seed=2)
    )


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (torch.tensor(4.0), "tensor(4.0)"),
        (np.bool_(True), "np.True_"),
        (True, "True"),
        (4.0, "4.0"),
    ],
)
def test_sizes_that_are_not_integers_are_refused_and_shown_as_they_are(bad, shown: str) -> None:
    expected = f"num_hiddens: expected an integer >= 1, got {shown}"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        MultiHeadAttention(bad, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: set_language("x" * 100_000),
        lambda: attention.language(["zh"] * 100_000).__enter__(),
        lambda: plot_curves([1, 2], {"y" * 100_000: [1, 2, 3]}, "x", "y"),
        lambda: show_heatmaps(torch.rand(2, 2, 2), titles="t" * 100_000),
        lambda: _check_description(["x" * 100_000]),
    ],
)
def test_messages_of_i18n_and_plotting_are_capped(call: Callable) -> None:
    with pytest.raises(ValueError) as error:
        call()
    assert len(str(error.value)) <= MAX_MESSAGE


def test_train_nw_names_its_own_arguments() -> None:
    data = toy_regression_data(n_train=5)
    with pytest.raises(ValueError, match=r"^x_train: expected dtype torch\.float32"):
        train_nw(NWKernelRegression(), data.x_train.double(), data.y_train.double())
    with pytest.raises(ValueError, match=r"^x_train: expected at least 2 points"):
        train_nw(NWKernelRegression(), data.x_train[:1], data.y_train[:1])


x5, y5 = torch.arange(5.0), torch.arange(5.0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: show_heatmaps("abc"), "matrices"),
        (lambda: show_heatmaps([[1, 2], ["a", 3]]), "matrices"),
        (lambda: show_heatmaps(torch.rand(2, 2), figsize=(0, 2)), "figsize"),
        (lambda: show_heatmaps(torch.rand(2, 2), figsize="ab"), "figsize"),
        (lambda: show_heatmaps(torch.rand(2, 2), cmap="no such map"), "cmap"),
        (lambda: show_heatmaps(torch.rand(2, 2), xlabel=3), "xlabel"),
        (lambda: plot_kernel_regression(x5, y5[:3], x5, y5, y5), "y_truth"),
        (lambda: plot_kernel_regression(x5, y5, x5, y5, {"a": y5[:2]}), r"predictions\['a'\]"),
        (lambda: plot_kernel_regression(x5, y5, x5, y5[:4], y5), "y_train"),
        (lambda: plot_kernel_regression("abc", y5, x5, y5, y5), "x_test"),
        (lambda: plot_kernel_regression(x5, y5, x5, y5, y5, ax=3), "ax"),
        (lambda: plot_curves(x5, [y5], "x", "y"), "curves"),
        (lambda: plot_curves(None, {"a": y5}, "x", "y"), "x"),
        (lambda: plot_curves(x5, {"a": y5}, "x", "y", logy="yes"), "logy"),
        (lambda: plot_curves(x5, {"a": y5}, "x", "y", figsize=(1, -1)), "figsize"),
    ],
)
def test_plots_name_the_bad_argument(call: Callable, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected") as error:
        call()
    assert len(str(error.value)) <= MAX_MESSAGE


def test_a_typo_in_a_package_name_suggests_the_name() -> None:
    with pytest.raises(AttributeError, match=r"did you mean 'masked_softmax'\?"):
        attention.masked_sofmax  # noqa: B018
    with pytest.raises(AttributeError) as error:
        getattr(attention, "z" * 100_000)
    assert len(str(error.value)) <= MAX_MESSAGE and "did you mean" not in str(error.value)


def test_dir_lists_the_public_api_only() -> None:
    names = dir(attention)
    assert set(attention.__all__) <= set(names)
    assert not {"Any", "annotations", "importlib", "difflib"} & set(names)
    assert all(name in attention.__all__ or name.islower() for name in names)  # + submodules


# --- 8. Accepted silently -------------------------------------------------------------------


def test_a_string_is_not_a_list_of_titles() -> None:
    with pytest.raises(ValueError, match=r"^titles: expected a list of 2 titles"):
        show_heatmaps(torch.rand(2, 3, 3), titles="ab")  # was drawn as titles "a" and "b"


@pytest.mark.parametrize("spacing", [" {} ", "{}\n", "\t{}", "{}"])
def test_the_placeholder_is_refused_however_it_is_spaced(spacing: str) -> None:
    text = spacing.format(PLACEHOLDER.replace(" ", "  "))
    with pytest.raises(ValueError, match=r"^description: expected what the figure shows"):
        _check_description(text)
