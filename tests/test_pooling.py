from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from attention import KERNELS, NWKernelRegression, hard_lookup, nadaraya_watson

# Kernel values worked out by hand: (kernel, u, K(u)).
HAND_VALUES = [
    ("gaussian", 0.0, 1.0),
    ("gaussian", 1.0, math.exp(-0.5)),
    ("gaussian", -2.0, math.exp(-2.0)),
    ("boxcar", 0.0, 1.0),
    ("boxcar", -0.99, 1.0),
    ("boxcar", 1.0, 0.0),  # the window is open: |u| < 1
    ("boxcar", 3.0, 0.0),
    ("constant", 0.0, 1.0),
    ("constant", -7.0, 1.0),
    ("epanechnikov", 0.0, 1.0),
    ("epanechnikov", 0.5, 0.75),  # 1 - 0.25: a parabola, not the triangle's 0.5
    ("epanechnikov", -0.5, 0.75),
    ("epanechnikov", 2.0, 0.0),
    ("triangular", 0.5, 0.5),
    ("triangular", -0.25, 0.75),
    ("triangular", 1.5, 0.0),
]


def test_kernel_names_and_order() -> None:
    assert list(KERNELS) == ["gaussian", "boxcar", "constant", "epanechnikov", "triangular"]


@pytest.mark.parametrize(("name", "u", "expected"), HAND_VALUES)
def test_kernel_values_by_hand(device: torch.device, name: str, u: float, expected: float) -> None:
    value = KERNELS[name](torch.tensor([u], device=device))
    assert value.item() == pytest.approx(expected)


@pytest.mark.parametrize("name", list(KERNELS))
def test_kernels_keep_shape_and_do_not_modify_input(name: str) -> None:
    u = torch.linspace(-2, 2, 12).reshape(3, 4)
    before = u.clone()
    assert KERNELS[name](u).shape == (3, 4)
    assert torch.equal(u, before)


def reference_nw(queries, keys, values, kernel: str, width: float) -> torch.Tensor:
    """Loop over queries in float64 with the textbook formula sum_j K_ij v_j / sum_j K_ij."""
    kernel_fn = {
        "gaussian": lambda u: math.exp(-(u**2) / 2),
        "boxcar": lambda u: float(abs(u) < 1),
        "constant": lambda u: 1.0,
        "epanechnikov": lambda u: max(0.0, 1 - u**2),
        "triangular": lambda u: max(0.0, 1 - abs(u)),
    }[kernel]
    rows = []
    for q in queries.tolist():
        k = torch.tensor(
            [kernel_fn((q - key) / width) for key in keys.tolist()], dtype=torch.float64
        )
        rows.append(k / k.sum() if k.sum() > 0 else k)
    return torch.stack(rows)


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("width", [0.3, 1.0, 2.5])
def test_nadaraya_watson_matches_the_formula(
    device: torch.device, kernel: str, width: float
) -> None:
    generator = torch.Generator().manual_seed(0)
    queries = torch.rand(7, generator=generator, dtype=torch.float64) * 5
    keys = torch.rand(11, generator=generator, dtype=torch.float64) * 5
    values = torch.randn(11, 3, generator=generator, dtype=torch.float64)
    outputs, weights = nadaraya_watson(
        queries.to(device), keys.to(device), values.to(device), kernel, width
    )
    expected = reference_nw(queries, keys, values, kernel, width)
    torch.testing.assert_close(weights.cpu(), expected)
    torch.testing.assert_close(outputs.cpu(), expected @ values)


@given(
    n=st.integers(1, 8),
    m=st.integers(1, 8),
    kernel=st.sampled_from(list(KERNELS)),
    width=st.floats(0.05, 5.0),
    seed=st.integers(0, 2**16),
)
def test_weights_rows_sum_to_one_or_zero(n: int, m: int, kernel: str, width: float, seed: int):
    generator = torch.Generator().manual_seed(seed)
    queries = torch.rand(n, generator=generator) * 10 - 2
    keys = torch.rand(m, generator=generator) * 5
    outputs, weights = nadaraya_watson(
        queries, keys, torch.randn(m, generator=generator), kernel, width
    )
    assert weights.shape == (n, m) and outputs.shape == (n,)
    assert torch.isfinite(weights).all() and torch.isfinite(outputs).all()
    assert (weights >= 0).all()
    sums = weights.sum(1)
    near_one = (sums - 1).abs() < 1e-5
    if kernel in ("gaussian", "constant"):  # unbounded support: every query sees every key
        assert near_one.all()
    else:  # compact support: a query with no key in its window gets an all-zero row
        assert (near_one | (sums == 0)).all()


@pytest.mark.parametrize("kernel", ["boxcar", "epanechnikov", "triangular"])
def test_query_far_from_every_key_gets_zero_weights_and_output(kernel: str) -> None:
    keys, values = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([5.0, 6.0, 7.0])
    outputs, weights = nadaraya_watson(torch.tensor([100.0, 1.0]), keys, values, kernel)
    assert torch.equal(weights[0], torch.zeros(3)) and outputs[0].item() == 0.0
    assert weights[1].sum().item() == pytest.approx(1.0)


def test_gaussian_far_away_query_does_not_underflow() -> None:
    # exp(-u^2/2) underflows to 0 for u = 1000; the softmax form picks the nearest key.
    outputs, weights = nadaraya_watson(
        torch.tensor([1000.0]), torch.tensor([0.0, 1.0]), torch.tensor([3.0, 4.0])
    )
    assert torch.isfinite(weights).all()
    assert outputs.item() == pytest.approx(4.0)


def test_constant_kernel_is_average_pooling(device: torch.device) -> None:
    values = torch.arange(6.0, device=device).reshape(3, 2)
    outputs, _ = nadaraya_watson(
        torch.tensor([0.0, 9.0], device=device),
        torch.tensor([1.0, 2.0, 3.0], device=device),
        values,
        "constant",
    )
    torch.testing.assert_close(outputs, values.mean(0).expand(2, 2))


def test_nadaraya_watson_is_differentiable() -> None:
    generator = torch.Generator().manual_seed(5)
    inputs = (
        torch.rand(4, dtype=torch.float64, generator=generator).requires_grad_(),
        torch.rand(6, dtype=torch.float64, generator=generator).requires_grad_(),
        torch.rand(6, dtype=torch.float64, generator=generator).requires_grad_(),
    )
    for kernel in ("gaussian", "epanechnikov", "triangular"):

        def f(q, k, v, kernel=kernel):
            return nadaraya_watson(q, k, v, kernel, 0.7)

        assert torch.autograd.gradcheck(f, inputs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel": "cosine"}, r"kernel: expected one of \['gaussian', 'boxcar', 'constant', "),
        ({"width": 0.0}, "width: expected a finite number > 0, got 0.0"),
        ({"width": -1.0}, "width: expected a finite number > 0, got -1.0"),
        ({"width": float("inf")}, "width: expected a finite number > 0, got inf"),
        ({"width": float("nan")}, "width: expected a finite number > 0, got nan"),
    ],
)
def test_bad_kernel_or_width(kwargs: dict, message: str) -> None:
    x = torch.zeros(3)
    with pytest.raises(ValueError, match=message):
        nadaraya_watson(x, x, x, **kwargs)


@pytest.mark.parametrize("lookup", [nadaraya_watson, hard_lookup])
@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((3, 1), (4,), (4,)), r"queries: expected shape \(n,\), got \(3, 1\)"),
        (((3,), (4, 1), (4,)), r"keys: expected shape \(m,\), got \(4, 1\)"),
        (((3,), (4,), (4, 2, 1)), r"values: expected shape \(m,\) or \(m, d\), got \(4, 2, 1\)"),
        (
            ((3,), (4,), (5, 2)),
            r"keys, values: expected the same number of keys .*\(4,\).*\(5, 2\)",
        ),
    ],
)
def test_lookup_shape_errors(lookup, shapes, message: str) -> None:
    q, k, v = (torch.zeros(s) for s in shapes)
    with pytest.raises(ValueError, match=message):
        lookup(q, k, v)


def test_nadaraya_watson_needs_float_values() -> None:
    with pytest.raises(ValueError, match="values: expected a floating-point tensor"):
        nadaraya_watson(torch.zeros(2), torch.zeros(3), torch.arange(3))


def test_hard_lookup_takes_the_nearest_key() -> None:
    keys = torch.tensor([0.0, 1.0, 2.0, 3.0])
    values = torch.tensor([[10.0, 0.0], [11.0, 1.0], [12.0, 2.0], [13.0, 3.0]])
    outputs, weights = hard_lookup(torch.tensor([0.1, 2.9, -5.0, 1.5]), keys, values)
    # 1.5 is as far from 1 as from 2: the tie goes to the first key.
    nearest = [0, 3, 0, 1]
    assert torch.equal(outputs, values[nearest])
    assert torch.equal(weights, torch.eye(4)[nearest])


def test_hard_lookup_is_the_limit_of_a_narrow_gaussian() -> None:
    keys, values = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([5.0, 6.0, 7.0])
    queries = torch.tensor([0.2, 1.1, 1.8])
    hard, _ = hard_lookup(queries, keys, values)
    soft, _ = nadaraya_watson(queries, keys, values, "gaussian", width=0.01)
    torch.testing.assert_close(soft, hard)


def test_nw_regression_init_is_seeded() -> None:
    expected = torch.rand((1,), generator=torch.Generator().manual_seed(0))
    assert NWKernelRegression().w.shape == (1,)
    assert torch.equal(NWKernelRegression().w.data, expected)
    assert not torch.equal(NWKernelRegression(seed=1).w.data, expected)


def test_nw_regression_forward_matches_formula(device: torch.device) -> None:
    model = NWKernelRegression().to(device)
    with torch.no_grad():
        model.w.fill_(2.0)
    queries = torch.tensor([0.0, 1.0], device=device)
    keys = torch.tensor([[0.0, 1.0, 2.0], [0.5, 1.0, 3.0]], device=device)
    values = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    # Row 0: distances 0, -1, -2 scaled by w=2 -> scores 0, -2, -8.
    s0 = torch.tensor([0.0, -2.0, -8.0]).softmax(0)
    s1 = torch.tensor([-0.5, 0.0, -8.0]).softmax(0)
    predictions = model(queries, keys, values)
    torch.testing.assert_close(model.attention_weights.cpu(), torch.stack([s0, s1]))
    expected = torch.stack([s0 @ values[0].cpu(), s1 @ values[1].cpu()])
    torch.testing.assert_close(predictions.cpu(), expected)


def test_nw_regression_shared_keys_equal_tiled_keys() -> None:
    model = NWKernelRegression(seed=3)
    queries, keys, values = torch.linspace(0, 5, 4), torch.linspace(0, 5, 9), torch.randn(9)
    shared = model(queries, keys, values)
    tiled = model(queries, keys.expand(4, 9), values.expand(4, 9))
    torch.testing.assert_close(shared, tiled)
    assert model.attention_weights.shape == (4, 9)


def test_nw_regression_gradient_reaches_w() -> None:
    model = NWKernelRegression()
    model(torch.rand(3), torch.rand(3, 4), torch.rand(3, 4)).sum().backward()
    assert model.w.grad is not None and torch.isfinite(model.w.grad).all()


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((3, 1), (3, 4), (3, 4)), r"queries: expected shape \(n,\), got \(3, 1\)"),
        (((3,), (3, 4, 1), (3, 4, 1)), r"keys: expected shape \(n, m\) or \(m,\), got \(3, 4, 1\)"),
        (((3,), (3, 4), (3, 5)), r"keys, values: expected the same shape, got keys \(3, 4\)"),
        (((3,), (2, 4), (2, 4)), r"queries, keys: expected the same number of queries"),
    ],
)
def test_nw_regression_shape_errors(shapes, message: str) -> None:
    q, k, v = (torch.zeros(s) for s in shapes)
    with pytest.raises(ValueError, match=message):
        NWKernelRegression()(q, k, v)
