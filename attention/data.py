"""Small data sets used throughout the notes."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from attention._checks import (
    check_ndim,
    check_positive_float,
    check_positive_int,
    check_same_size,
    check_seed,
    check_tensors,
)


def target_function(x: Tensor) -> Tensor:
    """The function the toy regression learns: ``2 sin(x) + x^0.8``.

    Args:
        x: Floating tensor of any shape, values ``>= 0`` (``x^0.8`` is NaN for negative ``x``).

    Returns:
        Same shape and dtype as ``x``.

    Raises:
        ValueError: ``x`` is not a floating-point tensor.
    """
    check_tensors(("x", x))
    return 2 * torch.sin(x) + x**0.8


class ToyData(NamedTuple):
    """The toy regression data set returned by ``toy_regression_data``."""

    x_train: Tensor
    """Training inputs, sorted, in ``[0, 5)``; shape ``(n_train,)``."""
    y_train: Tensor
    """Noisy targets ``f(x_train) + noise``; shape ``(n_train,)``."""
    x_test: Tensor
    """Evaluation grid ``0, 0.1, ..., 4.9``; shape ``(50,)``."""
    y_truth: Tensor
    """Noise-free ``f(x_test)``; shape ``(50,)``."""


def toy_regression_data(n_train: int = 50, noise: float = 0.5, seed: int = 0) -> ToyData:
    """The notes' 1-D regression problem for Nadaraya-Watson pooling.

    Args:
        n_train: Number of training points.
        noise: Standard deviation of the Gaussian noise added to the training targets.
        seed: Seed of a private ``torch.Generator``, an integer in ``[0, 2**64)``; the global
            RNG is left untouched.

    Returns:
        ``ToyData(x_train (n_train,), y_train (n_train,), x_test (50,), y_truth (50,))``.

    Raises:
        ValueError: ``n_train < 1``, ``noise`` negative or not finite, or a bad ``seed``.
    """
    n_train = check_positive_int("n_train", n_train)
    noise = check_positive_float("noise", noise, allow_zero=True)
    seed = check_seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(n_train, generator=generator) * 5)
    y_train = target_function(x_train) + noise * torch.randn(n_train, generator=generator)
    x_test = torch.arange(0, 5, 0.1)
    return ToyData(x_train, y_train, x_test, target_function(x_test))


def leave_one_out(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Keys and values for training on ``(x, y)`` without letting a point see itself.

    Args:
        x: Training inputs, shape ``(n,)`` with ``n >= 2``, floating point.
        y: Training targets, shape ``(n,)``, dtype and device of ``x``.

    Returns:
        ``(keys, values)``, each of shape ``(n, n - 1)``: row ``i`` holds every training
        point except point ``i``.

    Raises:
        ValueError: Not 1-D tensors of one dtype, different lengths or fewer than two points.
    """
    check_tensors(("x", x), ("y", y))
    check_ndim("x", x, 1, "(n,)")
    check_ndim("y", y, 1, "(n,)")
    check_same_size("x", x, "y", y, 0, "number of points")
    n = x.shape[0]
    if n < 2:
        raise ValueError(f"x: expected at least 2 points, got shape {tuple(x.shape)}")
    # Tile the data into an (n, n) matrix whose every row is the whole data set, then drop
    # the diagonal with a boolean mask. Boolean indexing reads row by row and keeps n - 1
    # entries per row, so the flat result reshapes into (n, n - 1) with row i missing point i.
    off_diagonal = ~torch.eye(n, dtype=torch.bool, device=x.device)  # (n, n)
    keys = x.expand(n, n)[off_diagonal].reshape(n, n - 1)
    values = y.expand(n, n)[off_diagonal].reshape(n, n - 1)
    return keys, values


FEATURES = ("object", "place/surface", "animal", "function word")
"""Names of the four columns of the ``cat_on_mat`` embeddings."""


def cat_on_mat() -> tuple[list[str], Tensor, Tensor]:
    """Hand-made embeddings for "The cat is on the mat" and a query for the word "on".

    Each column is one feature of ``FEATURES``: "cat" is an object and an animal, "mat" an
    object and a surface, "The"/"is"/"the" pure function words, and "on" a function word
    with a hint of place (it relates a thing to a place). The query of "on" asks *where?
    on which surface?*: it wants a place (2), prefers a physical object (0.5) and avoids
    function words (-0.5). The dot products are then 2.5 for "mat", 0.5 for "cat" and
    "on", -0.5 for the rest, so soft attention puts most weight (about 0.70) on "mat".

    Returns:
        ``(tokens, embeddings, query_on)``: 6 tokens, embeddings of shape ``(6, 4)`` and
        the query of shape ``(4,)``.
    """
    tokens = ["The", "cat", "is", "on", "the", "mat"]
    embeddings = torch.tensor(
        [
            # object, place/surface, animal, function word
            [0.0, 0.0, 0.0, 1.0],  # The
            [1.0, 0.0, 1.0, 0.0],  # cat
            [0.0, 0.0, 0.0, 1.0],  # is
            [0.0, 0.5, 0.0, 1.0],  # on
            [0.0, 0.0, 0.0, 1.0],  # the
            [1.0, 1.0, 0.0, 0.0],  # mat
        ]
    )
    query_on = torch.tensor([0.5, 2.0, 0.0, -0.5])
    return tokens, embeddings, query_on
