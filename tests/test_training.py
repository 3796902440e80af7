from __future__ import annotations

import pytest
import torch

from attention import NWKernelRegression, leave_one_out, toy_regression_data, train_nw


def test_training_reduces_the_loss() -> None:
    data = toy_regression_data()
    model = NWKernelRegression()
    w_before = model.w.item()
    losses = train_nw(model, data.x_train, data.y_train, lr=0.5, epochs=5)
    assert len(losses) == 5 and all(isinstance(loss, float) for loss in losses)
    assert losses[-1] < 0.5 * losses[0]
    assert model.w.item() != w_before


def test_training_is_deterministic() -> None:
    data = toy_regression_data()
    assert train_nw(NWKernelRegression(), data.x_train, data.y_train) == train_nw(
        NWKernelRegression(), data.x_train, data.y_train
    )


def test_first_loss_is_the_untrained_leave_one_out_loss() -> None:
    data = toy_regression_data(n_train=10)
    model = NWKernelRegression()
    keys, values = leave_one_out(data.x_train, data.y_train)
    with torch.no_grad():
        expected = ((model(data.x_train, keys, values) - data.y_train) ** 2).sum().item()
    assert train_nw(model, data.x_train, data.y_train, epochs=1)[0] == pytest.approx(expected)


def test_zero_epochs_trains_nothing() -> None:
    data = toy_regression_data(n_train=5)
    model = NWKernelRegression()
    assert train_nw(model, data.x_train, data.y_train, epochs=0) == []


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((torch.zeros(4), torch.zeros(5)), {}, r"x_train, y_train: expected the same number"),
        ((torch.zeros(4, 1), torch.zeros(4)), {}, r"x_train: expected shape \(n,\)"),
        ((torch.zeros(4), torch.zeros(4)), {"lr": 0.0}, "lr: expected a finite number > 0"),
        ((torch.zeros(4), torch.zeros(4)), {"epochs": -1}, "epochs: expected an integer >= 0"),
    ],
)
def test_errors(args, kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        train_nw(NWKernelRegression(), *args, **kwargs)
