"""Training loop for the learnable Nadaraya-Watson regression."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from attention._checks import (
    check_ndim,
    check_positive_float,
    check_positive_int,
    check_same_size,
    check_tensors,
    like_parameter,
    shape,
)
from attention.data import leave_one_out


def train_nw(
    model: nn.Module, x_train: Tensor, y_train: Tensor, lr: float = 0.5, epochs: int = 5
) -> list[float]:
    """Fit ``model`` (e.g. ``NWKernelRegression``) with the notes' leave-one-out loop.

    Every training point is a query whose keys and values are all *other* training points;
    without leaving it out, the model could shrink the kernel until each point just copies
    its own target. One full-batch SGD step per epoch on the summed squared error.

    Args:
        model: A ``torch.nn.Module`` with parameters, called as
            ``model(queries (n,), keys (n, n-1), values (n, n-1)) -> (n,)``.
        x_train: Training inputs, shape ``(n,)``, ``n >= 2``, in the dtype and on the device of
            the model's parameters. Data, not parameters: used detached, so an ``x_train``
            that requires grad is trained on as it is and gets no gradient.
        y_train: Training targets, shape ``(n,)``, dtype and device of ``x_train``.
        lr: SGD learning rate.
        epochs: Number of steps.

    Returns:
        The summed loss of each epoch, measured before that epoch's step; length ``epochs``.

    Raises:
        ValueError: Inputs not 1-D tensors of one dtype or of different lengths, ``lr <= 0``,
            ``epochs < 0``, a model without parameters, or predictions not of shape ``(n,)``
            (an ``(n, 1)`` column would broadcast the loss to ``(n, n)``).
    """
    if not isinstance(model, nn.Module) or not any(True for _ in model.parameters()):
        raise ValueError(
            f"model: expected a torch.nn.Module with parameters, got {type(model).__name__}"
        )
    # Checked here, under their own names, before the model would call them "queries".
    check_tensors(("x_train", x_train), ("y_train", y_train), like=like_parameter(model))
    check_ndim("x_train", x_train, 1, "(n,)")
    check_ndim("y_train", y_train, 1, "(n,)")
    check_same_size("x_train", x_train, "y_train", y_train, 0, "number of points")
    if x_train.shape[0] < 2:
        raise ValueError(f"x_train: expected at least 2 points, got shape {shape(x_train)}")
    lr = check_positive_float("lr", lr)
    epochs = check_positive_int("epochs", epochs, minimum=0)
    # Built once and reused every epoch: detached, or the second backward() would go through
    # the graph of an x_train that requires grad a second time.
    x_train, y_train = x_train.detach(), y_train.detach()
    keys, values = leave_one_out(x_train, y_train)  # (n, n - 1) each
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss(reduction="none")
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        predictions = model(x_train, keys, values)
        if not isinstance(predictions, Tensor) or predictions.shape != y_train.shape:
            got = shape(predictions) if isinstance(predictions, Tensor) else type(predictions)
            raise ValueError(
                f"model: expected predictions of shape (n,)=({len(y_train)},), got {got}"
            )
        loss = loss_fn(predictions, y_train).sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
