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
    refuse_script,
    values_hidden,
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


def gaussian_scores_(d: Tensor, precision: Tensor | float) -> Tensor:
    """Gaussian scores ``-u**2 / 2`` of ``u = 2 d precision``, less each row's maximum, in place.

    Normalising ``exp(-u**2 / 2)`` over the keys is a softmax of ``-u**2 / 2``, and like
    softmax this subtracts each row's maximum (the nearest key's score) first: far-away
    queries do not underflow to ``0 / 0``, and the shift cancels out in the normalisation.
    When even the nearest key's ``u**2`` would overflow (``1e20`` away in float32), distances
    are measured in units of the nearest one instead and scaled back after the subtraction:
    every key that is not as near gets a score so negative that its weight is exactly 0, as
    a float64 computation gives, never ``inf - inf = NaN``.

    Args:
        d: Half distances ``|q - k| / 2``, shape ``(n, m)`` with ``m >= 1``; overwritten.
        precision: ``1 / width``: a number, or a learnable tensor of shape ``(1,)``.

    Returns:
        Scores ``<= 0`` whose row maximum is exactly 0, shape ``(n, m)``: ``d`` itself unless
        autograd needs it intact.
    """
    finfo = torch.finfo(d.dtype)
    near = d.detach().amin(dim=1, keepdim=True)  # (n, 1): the nearest key's half distance
    ratio = near * (2 * precision)  # (n, 1): the nearest key's u
    far = ratio > finfo.max**0.5 / 4  # (n, 1): its u**2 would overflow
    if d.requires_grad:
        # A far row's weights are exactly 0 and 1 (or ties): constant for any small move of
        # the query, so its gradient is 0. Cutting it here also keeps the backward pass from
        # multiplying by factor**2 (1e40 and more), which would overflow to inf * 0 = NaN.
        d = torch.where(far, d.detach(), d)  # (n, m): a copy, only when autograd needs one
    unit = torch.where(far, 1 / near, 2 * precision)  # (n, 1)
    d.mul_(unit).square_().sub_((near * unit).square()).mul_(-0.5)
    factor = torch.where(far, ratio.detach(), 1.0).clamp(max=finfo.max)  # 1 in usual rows
    return d.mul_(factor).mul_(factor)


def half_distances(queries: Tensor, keys: Tensor, dtype: torch.dtype) -> Tensor:
    """``|q - k| / 2`` for every query and key in ``dtype``, shape ``(n, m)`` (or ``(n, m)``
    from ``(n, 1)`` queries and ``(n, m)`` keys). Halving first keeps it finite for any
    finite inputs, where ``q - k`` overflows at ``3e38 - -3e38`` in float32."""
    return (queries.to(dtype)[:, None] / 2 - keys.to(dtype) / 2).abs_()


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
        width: Kernel width (bandwidth) ``> 0``, any real number (``Fraction(1, 2)`` is 0.5)
            that the computing dtype holds as a normal number (``[1.2e-38, 3.4e38]`` for
            ``float32``); distances are measured as ``(query - key) / width``.

    Returns:
        ``(outputs, weights)``: outputs of shape ``(n,)`` or ``(n, d)`` (like ``values``) and
        attention weights of shape ``(n, m)`` whose rows sum to 1. A query with no key inside
        a compact kernel's window, and every query when there are no keys at all (``m = 0``,
        whatever the kernel), gets all-zero weights and output 0. Any finite query and keys
        give finite weights (a query far beyond the keys puts its weight on the nearest).
        A ``NaN`` query gets a row of ``NaN`` weights and a ``NaN`` output, and a ``NaN`` key
        makes every row ``NaN`` (no query can tell how far it is), whatever the kernel: never
        a plausible number. With the Gaussian kernel an infinite query is infinitely far from
        every key: ``NaN`` too, as torch's ``softmax`` of the scores gives.

    Raises:
        ValueError: Unknown ``kernel``, ``width`` not a positive number in the range above, or
            arguments that are not tensors of the right shape, dtype and device.
    """
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"kernel: expected one of {list(KERNELS)}, got {brief(kernel)}")
    width = check_positive_float("width", width)
    check_lookup_inputs(queries, keys, values)
    check_tensors(("queries", queries), ("values", values))
    # Half precision overflows at 65504 (a distance of 6e4 - -6e4 already does): compute in
    # float32 and round the results back once (a no-op for float32 and float64).
    work = torch.promote_types(queries.dtype, torch.float32)
    finfo = torch.finfo(work)
    if not finfo.tiny <= width <= finfo.max:  # 1e-300 would be 0 in float32: u = 0 / 0
        raise ValueError(
            f"width: expected a number {work} holds, in [{finfo.tiny:.3g}, {finfo.max:.3g}], "
            f"got {brief(width)}"
        )
    # Broadcasting (n, 1) - (1, m) builds the (n, m) distances directly, with no repeated
    # copies of queries or keys. Every later step overwrites them in place: the weights are
    # the only (n, m) tensor this function allocates (two when autograd needs them, below).
    d = half_distances(queries, keys[None, :], work)  # (n, m)
    if kernel == "gaussian" and keys.shape[0]:
        weights = gaussian_scores_(d, 1 / width).exp_()  # (n, m), row maximum 1
    else:
        weights = KERNELS[kernel](d.mul_(2 / width), inplace=True)  # (n, m)
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
        is 0, as in ``nadaraya_watson``. A query with no key at a finite distance (a ``NaN``
        or infinite query, or only infinite keys) has no nearest key: its output and weights
        are ``NaN``, never the value of some arbitrary key; a ``NaN`` key makes every
        output ``NaN``.

    Raises:
        ValueError: Arguments that are not tensors of the right shape, dtype and device, or
            a query without a nearest key when ``values`` has an integer dtype (which cannot
            hold the ``NaN`` output).
    """
    check_lookup_inputs(queries, keys, values)
    n, m = queries.shape[0], keys.shape[0]
    if m == 0:  # no key is nearest: attend to nothing, like a window with no key in it
        return values.new_zeros((n, *values.shape[1:])), queries.new_zeros((n, 0))
    work = torch.promote_types(queries.dtype, torch.float32)  # float16 distances overflow
    nearest_distance, nearest = half_distances(queries, keys[None, :], work).min(dim=1)  # (n,)
    weights = F.one_hot(nearest, num_classes=m).to(queries.dtype)  # (n, m)
    outputs = values[nearest]  # (n,) or (n, d)
    # min() takes a NaN distance as the smallest, and every infinite distance ties with the
    # first key: such a row has no nearest key at all.
    unknown = ~nearest_distance.isfinite() | keys.isnan().any()  # (n,)
    if not values.is_floating_point():
        if not values_hidden(queries):
            for name, x in (("keys", keys), ("queries", queries)):
                if x.isnan().any():
                    raise ValueError(
                        f"{name}: expected no NaN with integer values (they cannot hold a NaN "
                        f"output), got {brief(x)}"
                    )
            if unknown.any():
                raise ValueError(
                    "queries: expected a key at a finite distance from every query with integer "
                    f"values (they cannot hold a NaN output), got {brief(queries)}"
                )
        return outputs, weights
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
        attention_weights: Weights of the last forward pass, shape ``(n, m)``, detached from
            autograd, kept for readers; ``forward`` never reads it back, so one model may
            serve several threads.
    """

    __prepare_scriptable__ = refuse_script

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        seed = check_seed("seed", seed)
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

        All three in the dtype and on the device of ``w``; ``float16`` and ``bfloat16`` are
        computed in ``float32`` and the predictions rounded back, as ``nadaraya_watson`` does.

        Returns:
            Predictions of shape ``(n,)``; 0 for a query when there are no keys (``m = 0``).
            Finite for any finite inputs (a far query takes the value of its nearest key).

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
        work = torch.promote_types(queries.dtype, torch.float32)  # float16 u**2 overflows
        # (n, 1) against (n, m) or (m,): both broadcast to (n, m). u = (q - k) * w.
        scores = half_distances(queries, keys, work)  # (n, m)
        if keys.shape[-1]:  # softmax over no keys is empty anyway
            scores = gaussian_scores_(scores, self.w.abs().to(work))  # -u**2/2 less row max
        weights = torch.softmax(scores, dim=1)  # (n, m)
        self.attention_weights = weights.detach().to(queries.dtype)  # for readers only
        return (weights * values.to(work)).sum(dim=1).to(queries.dtype)  # (n,)
