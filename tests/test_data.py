from __future__ import annotations

import pytest
import torch

from attention import (
    FEATURES,
    ToyData,
    cat_on_mat,
    leave_one_out,
    target_function,
    toy_regression_data,
)


def test_target_function_closed_form() -> None:
    x = torch.tensor([0.0, 1.0, 4.0])
    expected = torch.tensor([0.0, 2 * 0.8414709848 + 1.0, 2 * -0.7568024953 + 4**0.8])
    torch.testing.assert_close(target_function(x), expected)


def test_toy_data_shapes_and_ranges() -> None:
    data = toy_regression_data()
    assert isinstance(data, ToyData)
    assert data.x_train.shape == data.y_train.shape == (50,)
    assert data.x_test.shape == data.y_truth.shape == (50,)
    assert (data.x_train >= 0).all() and (data.x_train < 5).all()
    assert torch.equal(data.x_train, data.x_train.sort().values)
    torch.testing.assert_close(data.x_test, torch.arange(0, 5, 0.1))
    torch.testing.assert_close(data.y_truth, target_function(data.x_test))
    residual = data.y_train - target_function(data.x_train)
    assert 0.3 < residual.std().item() < 0.7  # noise = 0.5


def test_toy_data_is_deterministic_and_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    first, second = toy_regression_data(), toy_regression_data()
    assert torch.equal(torch.get_rng_state(), state)
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(toy_regression_data(seed=1).x_train, first.x_train)


def test_toy_data_options() -> None:
    data = toy_regression_data(n_train=7, noise=0.0, seed=3)
    assert data.x_train.shape == (7,)
    torch.testing.assert_close(data.y_train, target_function(data.x_train))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_train": 0}, "n_train: expected an integer >= 1, got 0"),
        ({"noise": -0.1}, "noise: expected a finite number >= 0, got -0.1"),
    ],
)
def test_toy_data_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        toy_regression_data(**kwargs)


def test_leave_one_out_rows_exclude_exactly_point_i(device: torch.device) -> None:
    x = torch.tensor([0.5, 1.5, 2.0, 3.25, 4.0], device=device)
    y = x * 10
    keys, values = leave_one_out(x, y)
    assert keys.shape == values.shape == (5, 4)
    for i in range(5):
        torch.testing.assert_close(keys[i], torch.cat([x[:i], x[i + 1 :]]))
        torch.testing.assert_close(values[i], torch.cat([y[:i], y[i + 1 :]]))
        assert x[i] not in keys[i]


def test_leave_one_out_errors() -> None:
    with pytest.raises(
        ValueError, match=r"x, y: expected the same number of points .*\(3,\).*\(4,\)"
    ):
        leave_one_out(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match=r"x: expected shape \(n,\), got \(3, 1\)"):
        leave_one_out(torch.zeros(3, 1), torch.zeros(3))
    with pytest.raises(ValueError, match=r"x: expected at least 2 points, got shape \(1,\)"):
        leave_one_out(torch.zeros(1), torch.zeros(1))


def test_cat_on_mat_attention_lands_on_mat() -> None:
    tokens, embeddings, query_on = cat_on_mat()
    assert tokens == ["The", "cat", "is", "on", "the", "mat"]
    assert embeddings.shape == (6, len(FEATURES)) and query_on.shape == (len(FEATURES),)
    for scale in (1.0, len(FEATURES) ** -0.5):  # with or without 1/sqrt(d)
        weights = torch.softmax(embeddings @ query_on * scale, dim=0)
        assert tokens[weights.argmax()] == "mat"
    # The features say what the docstring says.
    column = dict(zip(FEATURES, embeddings.T, strict=True))
    assert column["animal"][tokens.index("cat")] > 0
    assert column["place/surface"][tokens.index("mat")] > 0
    assert all(column["function word"][tokens.index(w)] > 0 for w in ("The", "is", "on", "the"))
