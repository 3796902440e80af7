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
    brief,
    check_lookup_inputs,
    check_ndim,
    check_positive_float,
    check_same_size,
    check_seed,
    check_tensors,
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
        queries: Shape ``(n,)``, floating point (``float16`` and ``bfloat16`` are computed in
            ``float32`` and the results rounded back).
        keys: Shape ``(m,)``, dtype and device of ``queries``.
        values: Shape ``(m,)`` or ``(m, d)``, dtype and device of ``queries``.
        kernel: One of ``KERNELS``: ``gaussian``, ``boxcar``, ``constant``, ``epanechnikov``,
            ``triangular``.
        width: Kernel width (bandwidth) ``> 0``, any real number (``Fraction(1, 2)`` is 0.5);
            distances are measured as ``(query - key) / width``.

    Returns:
        ``(outputs, weights)``: outputs of shape ``(n,)`` or ``(n, d)`` (like ``values``) and
        attention weights of shape ``(n, m)`` whose rows sum to 1. A query with no key inside
        a compact kernel's window, and every query when there are no keys at all (``m = 0``,
        whatever the kernel), gets all-zero weights and output 0. A ``NaN`` query gets a row
        of ``NaN`` weights and a ``NaN`` output, and a ``NaN`` key makes every row ``NaN``
        (no query can tell how far it is), whatever the kernel: never a plausible number.

    Raises:
        ValueError: Unknown ``kernel``, ``width`` not a finite positive number, or arguments
            that are not tensors of the right shape, dtype and device.
    """
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"kernel: expected one of {list(KERNELS)}, got {brief(kernel)}")
    width = check_positive_float("width", width)
    check_lookup_inputs(queries, keys, values)
    check_tensors(("queries", queries), ("values", values))
    # Half precision overflows at 65504 (a distance of 6e4 - -6e4 already does): compute in
    # float32 and round the results back once (a no-op for float32 and float64).
    work = torch.promote_types(queries.dtype, torch.float32)
    # Broadcasting (n, 1) - (1, m) builds the (n, m) distances directly, with no repeated
    # copies of queries or keys. Every later step overwrites them in place: the weights are
    # the only (n, m) tensor this function allocates (two when autograd needs them, below).
    u = (queries.to(work)[:, None] - keys.to(work)[None, :]).div_(width)  # (n, m)
    if kernel == "gaussian" and keys.shape[0]:
        # Normalising exp(-u^2/2) over the keys is exactly a softmax of -u^2/2. Like softmax,
        # subtract each row's maximum before exp(), so far-away queries do not underflow to
        # 0/0. The shift cancels out in the normalisation, so no gradient flows through it.
        scores = u.square_().mul_(-0.5)  # (n, m)
        weights = scores.sub_(scores.detach().amax(dim=1, keepdim=True)).exp_()
    else:
        weights = KERNELS[kernel](u, inplace=True)  # (n, m)
    totals = weights.sum(dim=1, keepdim=True)  # (n, 1)
    # A row with no key in the window sums to 0; dividing it by 1 keeps it at 0, not NaN.
    # A NaN query or key has no distance: a compact kernel would read it as "outside the
    # window" (0) and the constant one ignore it, so make its rows NaN through the totals.
    unknown = (queries.isnan() | keys.isnan().any())[:, None]  # (n, 1)
    totals = torch.where(totals > 0, totals, 1.0).masked_fill_(unknown, float("nan"))
    if weights.requires_grad:  # autograd saved the unnormalised weights: leave them intact
        weights = weights / totals
    else:
        weights.div_(totals)
    return (weights @ values.to(work)).to(queries.dtype), weights.to(queries.dtype)


def hard_lookup(queries: Tensor, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
    """Dictionary-style lookup: each query returns the value of its nearest key.

    This is attention with one-hot weights, the "hard" counterpart of ``nadaraya_watson``.
    Ties go to the first of the nearest keys.

    Args:
        queries: Shape ``(n,)``, floating point.
        keys: Shape ``(m,)``, dtype and device of ``queries``.
        values: Shape ``(m,)`` or ``(m, d)``, any dtype, device of ``queries``.

    Returns:
        ``(outputs, weights)``: outputs of shape ``(n,)`` or ``(n, d)`` and one-hot weights
        of shape ``(n, m)`` in the dtype of ``queries``. With no keys (``m = 0``) every output
        is 0, as in ``nadaraya_watson``. A ``NaN`` query has no nearest key: its output and
        weights are ``NaN``; a ``NaN`` key makes every output ``NaN``.

    Raises:
        ValueError: Arguments that are not tensors of the right shape, dtype and device, or a
            ``NaN`` in ``queries`` or ``keys`` when ``values`` has an integer dtype (which
            cannot hold the ``NaN`` output).
    """
    check_lookup_inputs(queries, keys, values)
    n, m = queries.shape[0], keys.shape[0]
    if m == 0:  # no key is nearest: attend to nothing, like a window with no key in it
        return values.new_zeros((n, *values.shape[1:])), queries.new_zeros((n, 0))
    work = torch.promote_types(queries.dtype, torch.float32)  # float16 distances overflow
    nearest = (queries.to(work)[:, None] - keys.to(work)[None, :]).abs().argmin(dim=1)  # (n,)
    weights = F.one_hot(nearest, num_classes=m).to(queries.dtype)  # (n, m)
    outputs = values[nearest]  # (n,) or (n, d)
    if not values.is_floating_point():
        for name, x in (("keys", keys), ("queries", queries)):
            if x.isnan().any():
                raise ValueError(
                    f"{name}: expected no NaN with integer values (they cannot hold a NaN "
                    f"output), got {brief(x)}"
                )
        return outputs, weights
    # argmin takes a NaN distance as the smallest: such a row has no nearest key at all.
    unknown = queries.isnan() | keys.isnan().any()  # (n,)
    weights = weights.masked_fill_(unknown[:, None], float("nan"))
    rows = unknown.reshape(n, *[1] * (outputs.ndim - 1))  # broadcasts over a values' (n, d)
    return outputs.masked_fill(rows, float("nan")), weights


class NWKernelRegression(nn.Module):
    """Nadaraya-Watson regression with a learnable Gaussian width (d2l's ``NWKernelRegression``).

    The weight of key ``k`` for query ``q`` is ``softmax(-((q - k) * w)**2 / 2)`` over the
    keys: a larger ``w`` means a narrower kernel that trusts only the nearest keys.

    Args:
        seed: Seed of the generator that draws the initial ``w`` from ``U[0, 1)``, an integer
            in ``[0, 2**64)``.

    Attributes:
        w: Learnable scalar, shape ``(1,)``.
        attention_weights: Weights of the last forward pass, shape ``(n, m)``, kept for
            readers; ``forward`` never reads it back, so one model may serve several threads.
    """

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        check_seed("seed", seed)
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

        All three in the dtype and on the device of ``w``.

        Returns:
            Predictions of shape ``(n,)``; 0 for a query when there are no keys (``m = 0``).

        Raises:
            ValueError: Not tensors of the model's dtype and device, or shapes that do not
                fit together.
        """
        check_tensors(("queries", queries), ("keys", keys), ("values", values), like=self.w)
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
        weights = torch.softmax(-(u**2) / 2, dim=1)  # (n, m)
        self.attention_weights = weights  # for readers only: never read back (threads)
        return (weights * values).sum(dim=1)  # (n,)
