"""Input checks shared by every module.

Each check raises ``ValueError`` with a message of the form
``"<argument>: expected <what>, got <what it got>"`` so that a reader who passes a
wrong shape learns which argument is wrong and what it should look like.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import torch
from torch import Tensor


def shape(x: Tensor) -> tuple[int, ...]:
    """The shape of ``x`` as a plain tuple, printed as ``(2, 1)`` rather than ``torch.Size``."""
    return tuple(x.shape)


def check_ndim(name: str, x: Tensor, ndims: int | tuple[int, ...], layout: str) -> None:
    """Raise unless ``x.ndim`` is one of ``ndims``; ``layout`` describes the expected shape."""
    allowed = (ndims,) if isinstance(ndims, int) else ndims
    if x.ndim not in allowed:
        raise ValueError(f"{name}: expected shape {layout}, got {shape(x)}")


def check_floating(name: str, x: Tensor) -> None:
    """Raise unless ``x`` has a floating-point dtype (softmax and kernels need one)."""
    if not x.is_floating_point():
        raise ValueError(f"{name}: expected a floating-point tensor, got dtype {x.dtype}")


def check_size(name: str, x: Tensor, dim: int, expected: int, label: str) -> None:
    """Raise unless ``x.shape[dim] == expected``; ``label`` names that size, e.g. ``key_size``."""
    if x.shape[dim] != expected:
        raise ValueError(
            f"{name}: expected {label}={expected} in dimension {dim}, got shape {shape(x)}"
        )


def check_same_size(name_a: str, a: Tensor, name_b: str, b: Tensor, dim: int, label: str) -> None:
    """Raise unless ``a`` and ``b`` agree in dimension ``dim`` (``label`` says what it counts)."""
    if a.shape[dim] != b.shape[dim]:
        raise ValueError(
            f"{name_a}, {name_b}: expected the same {label} (dimension {dim}), "
            f"got {name_a} {shape(a)} and {name_b} {shape(b)}"
        )


def check_positive_int(name: str, value: int, minimum: int = 1) -> None:
    """Raise unless ``value`` is an ``int`` (not a bool) that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


def _is_number(value: object) -> bool:
    """A real number such as ``0.5`` or ``np.float32(0.5)``; ``True`` does not count."""
    return isinstance(value, Real) and not isinstance(value, bool)


def check_positive_float(name: str, value: float, allow_zero: bool = False) -> None:
    """Raise unless ``value`` is a finite number > 0 (or >= 0 with ``allow_zero``)."""
    bound = ">= 0" if allow_zero else "> 0"
    ok = _is_number(value) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a finite number {bound}, got {value!r}")


def check_probability(name: str, value: float) -> None:
    """Raise unless ``0 <= value < 1`` (a dropout rate)."""
    if not _is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name}: expected a probability in [0, 1), got {value!r}")


def check_attention_inputs(queries: Tensor, keys: Tensor, values: Tensor) -> None:
    """Shape checks common to every batched attention layer.

    Args:
        queries: Expected ``(batch, n_queries, query_size)``.
        keys: Expected ``(batch, n_keys, key_size)``.
        values: Expected ``(batch, n_keys, value_size)``.
    """
    check_ndim("queries", queries, 3, "(batch, n_queries, query_size)")
    check_ndim("keys", keys, 3, "(batch, n_keys, key_size)")
    check_ndim("values", values, 3, "(batch, n_keys, value_size)")
    check_same_size("queries", queries, "keys", keys, 0, "batch size")
    check_same_size("keys", keys, "values", values, 0, "batch size")
    check_same_size("keys", keys, "values", values, 1, "number of keys")


def check_lookup_inputs(queries: Tensor, keys: Tensor, values: Tensor) -> None:
    """Shape checks for the unbatched 1-D lookups of ``pooling``.

    Args:
        queries: Expected ``(n,)``.
        keys: Expected ``(m,)``.
        values: Expected ``(m,)`` or ``(m, d)``.
    """
    check_ndim("queries", queries, 1, "(n,)")
    check_ndim("keys", keys, 1, "(m,)")
    check_ndim("values", values, (1, 2), "(m,) or (m, d)")
    check_same_size("keys", keys, "values", values, 0, "number of keys")


def as_valid_lens(
    valid_lens: Tensor | Sequence[int],
    batch: int,
    n_queries: int,
    n_keys: int,
    device: torch.device,
) -> Tensor:
    """Check ``valid_lens`` and return it as an integer tensor that broadcasts over the queries.

    Args:
        valid_lens: Shape ``(batch,)`` (one length per sequence) or ``(batch, n_queries)``
            (one length per query); a tensor on any device, a list or a tuple. Whole-number
            floats such as ``2.0`` are accepted, ``2.5`` is not.
        batch: Batch size of the scores.
        n_queries: Number of queries per sequence.
        n_keys: Number of keys; every length must lie in ``[0, n_keys]``.
        device: Where the returned tensor lives (the device of the scores).

    Returns:
        ``torch.long`` tensor on ``device``: shape ``(batch, 1)`` for one length per sequence
        (shared by all its queries), ``(batch, n_queries)`` for one per query.
    """
    lens = torch.as_tensor(valid_lens, device=device)
    expected = f"(batch,)=({batch},) or (batch, n_queries)=({batch}, {n_queries})"
    if shape(lens) not in ((batch,), (batch, n_queries)):
        raise ValueError(f"valid_lens: expected shape {expected}, got {shape(lens)}")
    if lens.dtype == torch.bool or lens.is_complex():
        raise ValueError(f"valid_lens: expected integer lengths, got dtype {lens.dtype}")
    if lens.is_floating_point() and not torch.equal(lens, lens.round()):
        raise ValueError(f"valid_lens: expected integer lengths, got {lens.tolist()}")
    if ((lens < 0) | (lens > n_keys)).any():
        raise ValueError(
            f"valid_lens: expected lengths in [0, n_keys={n_keys}], got {lens.tolist()}"
        )
    if lens.ndim == 1:
        lens = lens[:, None]  # one length per sequence: its queries share it
    return lens.long()
