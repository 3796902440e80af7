"""Attention pooling by similarity: Nadaraya-Watson kernel regression.

A query looks at every key, weighs it by a kernel of the distance ``u = (query - key) / width``
and returns the weighted average of the values. The kernel decides what "similar" means.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from attention._checks import (
    check_floating,
    check_lookup_inputs,
    check_ndim,
    check_positive_float,
    check_same_size,
)

# Each kernel maps distances u to unnormalised similarities of the same shape. It works in
# place on one copy of u, so applying it to an (n, m) tensor allocates one more (n, m) tensor,
# not one per arithmetic step; with inplace=True it overwrites u itself and allocates none.


def gaussian(u: Tensor, inplace: bool = False) -> Tensor:
    """Gaussian kernel ``exp(-u**2 / 2)``; shape of ``u`` is kept."""
    return (u if inplace else u.clone()).square_().mul_(-0.5).exp_()


def boxcar(u: Tensor, inplace: bool = False) -> Tensor:
    """Boxcar kernel ``1[|u| < 1]``: every key inside the window counts the same."""
    return (u if inplace else u.clone()).abs_().lt_(1)  # lt_ writes 1.0 / 0.0 in u's dtype


def constant(u: Tensor, inplace: bool = False) -> Tensor:
    """Constant kernel ``1``: every key counts the same, so pooling is plain averaging."""
    return u.fill_(1) if inplace else torch.ones_like(u)


def epanechnikov(u: Tensor, inplace: bool = False) -> Tensor:
    """Epanechnikov kernel ``max(0, 1 - u**2)`` (a parabola, not d2l's triangle)."""
    return (u if inplace else u.clone()).square_().neg_().add_(1).clamp_(min=0)


def triangular(u: Tensor, inplace: bool = False) -> Tensor:
    """Triangular kernel ``max(0, 1 - |u|)``."""
    return (u if inplace else u.clone()).abs_().neg_().add_(1).clamp_(min=0)


KERNELS: dict[str, Callable[..., Tensor]] = {
    "gaussian": gaussian,
    "boxcar": boxcar,
    "constant": constant,
    "epanechnikov": epanechnikov,
    "triangular": triangular,
}


def nadaraya_watson(
    queries: Tensor,
    keys: Tensor,
    values: Tensor,
    kernel: str = "gaussian",
    width: float = 1.0,
) -> tuple[Tensor, Tensor]:
    """Nadaraya-Watson regression: a kernel-weighted average of ``values`` for each query.

    Args:
        queries: Shape ``(n,)``.
        keys: Shape ``(m,)``.
        values: Shape ``(m,)`` or ``(m, d)``.
        kernel: One of ``KERNELS``: ``gaussian``, ``boxcar``, ``constant``, ``epanechnikov``,
            ``triangular``.
        width: Kernel width (bandwidth) ``> 0``; distances are measured as
            ``(query - key) / width``.

    Returns:
        ``(outputs, weights)``: outputs of shape ``(n,)`` or ``(n, d)`` (like ``values``) and
        attention weights of shape ``(n, m)`` whose rows sum to 1. A query with no key inside
        a compact kernel's window gets all-zero weights and output 0.

    Raises:
        ValueError: Unknown ``kernel``, ``width`` not a finite positive number, or tensors
            of the wrong shape or dtype.
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel: expected one of {list(KERNELS)}, got {kernel!r}")
    check_positive_float("width", width)
    check_lookup_inputs(queries, keys, values)
    for name, x in (("queries", queries), ("keys", keys), ("values", values)):
        check_floating(name, x)
    # Broadcasting (n, 1) - (1, m) builds the (n, m) distances directly, with no repeated
    # copies of queries or keys. Every later step overwrites them in place: the weights are
    # the only (n, m) tensor this function allocates (two when autograd needs them, below).
    u = (queries[:, None] - keys[None, :]).div_(width)  # (n, m)
    if kernel == "gaussian":
        # Normalising exp(-u^2/2) over the keys is exactly a softmax of -u^2/2. Like softmax,
        # subtract each row's maximum before exp(), so far-away queries do not underflow to
        # 0/0. The shift cancels out in the normalisation, so no gradient flows through it.
        scores = u.square_().mul_(-0.5)  # (n, m)
        weights = scores.sub_(scores.detach().amax(dim=1, keepdim=True)).exp_()
    else:
        weights = KERNELS[kernel](u, inplace=True)  # (n, m)
    totals = weights.sum(dim=1, keepdim=True)  # (n, 1)
    # A row with no key in the window sums to 0; dividing it by 1 keeps it at 0, not NaN.
    totals = torch.where(totals > 0, totals, 1.0)
    if weights.requires_grad:  # autograd saved the unnormalised weights: leave them intact
        weights = weights / totals
    else:
        weights.div_(totals)
    return weights @ values, weights


def hard_lookup(queries: Tensor, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
    """Dictionary-style lookup: each query returns the value of its nearest key.

    This is attention with one-hot weights, the "hard" counterpart of ``nadaraya_watson``.
    Ties go to the first of the nearest keys.

    Args:
        queries: Shape ``(n,)``.
        keys: Shape ``(m,)``.
        values: Shape ``(m,)`` or ``(m, d)``, any dtype.

    Returns:
        ``(outputs, weights)``: outputs of shape ``(n,)`` or ``(n, d)`` and one-hot weights
        of shape ``(n, m)`` in the dtype of ``queries``.

    Raises:
        ValueError: Tensors of the wrong shape.
    """
    check_lookup_inputs(queries, keys, values)
    nearest = (queries[:, None] - keys[None, :]).abs().argmin(dim=1)  # (n,)
    weights = F.one_hot(nearest, num_classes=keys.shape[0]).to(queries.dtype)  # (n, m)
    return values[nearest], weights


class NWKernelRegression(nn.Module):
    """Nadaraya-Watson regression with a learnable Gaussian width (d2l's ``NWKernelRegression``).

    The weight of key ``k`` for query ``q`` is ``softmax(-((q - k) * w)**2 / 2)`` over the
    keys: a larger ``w`` means a narrower kernel that trusts only the nearest keys.

    Args:
        seed: Seed of the generator that draws the initial ``w`` from ``U[0, 1)``.

    Attributes:
        w: Learnable scalar, shape ``(1,)``.
        attention_weights: Weights of the last forward pass, shape ``(n, m)``.
    """

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.w = nn.Parameter(torch.rand((1,), generator=generator))
        self.attention_weights: Tensor | None = None

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor) -> Tensor:
        """Predict one value per query.

        Args:
            queries: Shape ``(n,)``.
            keys: Shape ``(n, m)`` (one row of keys per query, as in leave-one-out training)
                or ``(m,)`` (the same keys for every query).
            values: Same shape as ``keys``.

        Returns:
            Predictions of shape ``(n,)``.

        Raises:
            ValueError: Shapes that do not fit together.
        """
        check_ndim("queries", queries, 1, "(n,)")
        check_ndim("keys", keys, (1, 2), "(n, m) or (m,)")
        if keys.shape != values.shape:
            raise ValueError(
                f"keys, values: expected the same shape, got keys {tuple(keys.shape)} "
                f"and values {tuple(values.shape)}"
            )
        if keys.ndim == 2:
            check_same_size("queries", queries, "keys", keys, 0, "number of queries")
        # (n, 1) - (n, m) or (n, 1) - (m,): both broadcast to (n, m).
        u = (queries[:, None] - keys) * self.w  # (n, m)
        self.attention_weights = torch.softmax(-(u**2) / 2, dim=1)  # (n, m)
        return (self.attention_weights * values).sum(dim=1)  # (n,)
