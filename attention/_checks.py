"""Input checks shared by every module.

Each check raises ``ValueError`` with a message of the form
``"<argument>: expected <what>, got <what it got>"`` so that a reader who passes a
wrong shape learns which argument is wrong and what it should look like. What it got is
shown by ``brief``, cut to a few dozen characters, so a message stays short whatever the
size of the input.
"""

from __future__ import annotations

import math
import operator
import reprlib
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, TypeAlias

import torch
from torch import Tensor

ValidLens: TypeAlias = Tensor | Sequence[int] | Sequence[Sequence[int]]
"""Valid lengths: shape ``(batch,)`` or ``(batch, 1)`` (one per sequence) or
``(batch, n_queries)`` (one per query), as a tensor on any device, a list or a tuple; see
``masked_softmax``."""

_SHORT = reprlib.Repr()
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 6
_SHORT.maxlevel = 3
_SHORT.maxstring = _SHORT.maxother = 40
_SHOWN_ELEMENTS = 1000  # a larger tensor is described by its shape, not its values
_WIDE_UNSIGNED = (torch.uint16, torch.uint32, torch.uint64)


def brief(value: object) -> str:
    """A short ``repr`` of ``value`` for error messages: at most about 100 characters.

    The one place that caps what a message quotes: every module (``i18n`` and ``plotting``
    too) shows a reader's argument through it. A 0-d tensor reads ``tensor(4)``, so that it
    is not mistaken for the number ``4``.
    """
    if isinstance(value, Tensor):
        if value.numel() > _SHOWN_ELEMENTS:
            return f"a tensor of shape {shape(value)} and dtype {value.dtype}"
        if value.ndim == 0:
            return f"tensor({_SHORT.repr(value.item())})"[:100]
        value = value.tolist()
    return _SHORT.repr(value)[:100]


def values_hidden(x: Tensor) -> bool:
    """Whether ``x``'s values cannot be read while the code runs: under ``torch.compile``,
    ``torch.export``, ``torch.jit.trace`` or ``torch.vmap``.

    A check that reads values (``if (lens < 0).any(): raise``) would break the graph there
    or bake one branch into it, so such checks run in eager mode only; the math after them
    is branch-free and gives the same answer for valid inputs either way.
    """
    return (
        torch.compiler.is_compiling()
        or torch.jit.is_tracing()
        or torch._C._functorch.is_functorch_wrapped_tensor(x)
    )


def like_parameter(module: torch.nn.Module) -> Tensor | None:
    """The first floating-point parameter of ``module``, whose dtype and device its inputs
    must have; ``None`` when it has none (``quantize_dynamic`` packs the weights of its
    ``Linear`` layers away: the inputs then set the dtype and device)."""
    return next((p for p in module.parameters() if p.is_floating_point()), None)


def refuse_script(self: torch.nn.Module) -> torch.nn.Module:
    """``__prepare_scriptable__`` of the layers: ``torch.jit.script`` cannot compile their
    argument checks, so say so instead of failing on an annotation deep inside."""
    raise NotImplementedError(
        f"torch.jit.script: {type(self).__name__} cannot be scripted (its input checks are "
        "Python); use torch.compile, torch.export or torch.jit.trace instead"
    )


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


def _as_int(value: object) -> int | None:
    """``value`` as a Python ``int`` if it is an integer the way ``nn.Linear`` takes one
    (``operator.index``: ``int``, ``np.int64``, an integer 0-d tensor), else ``None``.
    A bool is not a size."""
    if isinstance(value, bool) or (isinstance(value, Tensor) and value.dtype == torch.bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def check_positive_int(name: str, value: int, minimum: int = 1) -> int:
    """Return ``value`` as an ``int``; raise unless it is an integer (``operator.index``,
    not a bool) that is at least ``minimum``."""
    number = _as_int(value)
    if number is None or number < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {brief(value)}")
    return number


def check_seed(name: str, value: int) -> int:
    """Return ``value`` as an ``int``; raise unless it is an integer (``operator.index``)
    that ``torch.Generator.manual_seed`` keeps as is."""
    number = _as_int(value)
    if number is None or not 0 <= number < 2**64:
        raise ValueError(f"{name}: expected an integer in [0, 2**64), got {brief(value)}")
    return number


def _is_number(value: object) -> bool:
    """A real number such as ``0.5``, ``Fraction(1, 2)`` or ``np.float32(0.5)``; not ``True``."""
    return isinstance(value, Real) and not isinstance(value, bool)


def check_positive_float(name: str, value: float, allow_zero: bool = False) -> float:
    """Return ``value`` as a ``float``; raise unless it is a finite number > 0 (>= 0 with
    ``allow_zero``). Converting here means callers never meet a ``Fraction`` or a ``Decimal``.
    """
    bound = ">= 0" if allow_zero else "> 0"
    try:
        number = float(value) if _is_number(value) else math.nan
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a finite number {bound}, got {brief(value)}")
    return number


def check_probability(name: str, value: float) -> None:
    """Raise unless ``0 <= value < 1`` (a dropout rate)."""
    if not _is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name}: expected a probability in [0, 1), got {brief(value)}")


def check_tensors(
    *named: tuple[str, Any], like: Tensor | None = None, any_dtype: bool = False
) -> None:
    """The one type check of the package: tensors, of one floating dtype, on one device.

    Raise unless every ``(name, x)`` holds a ``torch.Tensor`` (a NumPy array or a list is
    refused, not converted: convert it with ``torch.as_tensor`` first) of a floating-point
    dtype, and all of them share the dtype and the device of the first. With ``like`` (a
    layer's parameter) they must also have its dtype and device. With ``any_dtype=True``
    only the type and the device are checked.
    """
    for name, x in named:
        if not isinstance(x, Tensor):
            raise ValueError(
                f"{name}: expected a torch.Tensor, got {type(x).__name__} "
                "(convert it with torch.as_tensor)"
            )
        if not any_dtype:
            check_floating(name, x)
    first_name, first = named[0]
    compared = ("device",) if any_dtype else ("dtype", "device")
    for name, x in named[1:]:
        for what in compared:
            if getattr(x, what) != getattr(first, what):
                raise ValueError(
                    f"{first_name}, {name}: expected the same {what}, "
                    f"got {first_name} {getattr(first, what)} and {name} {getattr(x, what)}"
                )
    for what in compared if like is not None else ():
        if getattr(first, what) != getattr(like, what):
            raise ValueError(
                f"{first_name}: expected {what} {getattr(like, what)} (the layer's; "
                f"move the layer with .to()), got {getattr(first, what)}"
            )


def check_attention_inputs(
    queries: Tensor, keys: Tensor, values: Tensor, like: Tensor | None = None
) -> None:
    """Type and shape checks common to every batched attention layer.

    Args:
        queries: Expected ``(batch, n_queries, query_size)``.
        keys: Expected ``(batch, n_keys, key_size)``.
        values: Expected ``(batch, n_keys, value_size)``.
        like: A parameter of the layer, whose dtype and device the inputs must have.
    """
    check_tensors(("queries", queries), ("keys", keys), ("values", values), like=like)
    check_ndim("queries", queries, 3, "(batch, n_queries, query_size)")
    check_ndim("keys", keys, 3, "(batch, n_keys, key_size)")
    check_ndim("values", values, 3, "(batch, n_keys, value_size)")
    check_same_size("queries", queries, "keys", keys, 0, "batch size")
    check_same_size("keys", keys, "values", values, 0, "batch size")
    check_same_size("keys", keys, "values", values, 1, "number of keys")


def check_lookup_inputs(queries: Tensor, keys: Tensor, values: Tensor) -> None:
    """Type and shape checks for the unbatched 1-D lookups of ``pooling``.

    Args:
        queries: Expected ``(n,)``, floating point.
        keys: Expected ``(m,)``, the dtype and device of ``queries``.
        values: Expected ``(m,)`` or ``(m, d)``, any dtype, the device of ``queries``.
    """
    check_tensors(("queries", queries), ("keys", keys))
    check_tensors(("queries", queries), ("values", values), any_dtype=True)
    check_ndim("queries", queries, 1, "(n,)")
    check_ndim("keys", keys, 1, "(m,)")
    check_ndim("values", values, (1, 2), "(m,) or (m, d)")
    check_same_size("keys", keys, "values", values, 0, "number of keys")


def _exact_ints(value: object) -> object:
    """Nested lists of Python ints from nested sequences of whole numbers, or ``None``.

    Python numbers are checked exactly, before any tensor exists: ``1.99999999`` is refused,
    where ``torch.as_tensor`` would first round it to the float32 ``2.0``.
    """
    if isinstance(value, (list, tuple)):
        items = [_exact_ints(item) for item in value]
        return None if any(item is None for item in items) else items
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    if _is_number(value):
        try:
            return int(value) if value == math.floor(value) else None
        except (ValueError, OverflowError):  # NaN, infinity
            return None
    return None


def as_valid_lens(
    valid_lens: ValidLens,
    batch: int,
    n_queries: int,
    n_keys: int,
    device: torch.device,
) -> Tensor:
    """Check ``valid_lens`` and return it as an integer tensor that broadcasts over the queries.

    Args:
        valid_lens: Shape ``(batch,)`` or ``(batch, 1)`` (one length per sequence) or
            ``(batch, n_queries)`` (one length per query); a tensor on any device, a list or a
            tuple. Whole numbers such as ``2.0`` are accepted, ``2.5`` is not: a list is checked
            exactly in Python, a tensor in its own dtype (any integer dtype, unsigned too).
            The value checks (whole numbers in range) run in eager mode only: under
            ``torch.compile``, ``torch.export``, ``torch.jit.trace`` and ``vmap`` the values
            cannot be read, and a length beyond ``n_keys`` then keeps every key.
        batch: Batch size of the scores.
        n_queries: Number of queries per sequence.
        n_keys: Number of keys; every length must lie in ``[0, n_keys]``.
        device: Where the returned tensor lives (the device of the scores).

    Returns:
        ``torch.long`` tensor on ``device``: shape ``(batch, 1)`` for one length per sequence
        (shared by all its queries), ``(batch, n_queries)`` for one per query.
    """
    if isinstance(valid_lens, (list, tuple)):
        ints = _exact_ints(valid_lens)
        if ints is None:
            raise ValueError(f"valid_lens: expected integer lengths, got {brief(valid_lens)}")
        try:  # ragged lists and ints beyond int64 cannot become a tensor
            lens = torch.tensor(ints, dtype=torch.long, device=device)
        except (ValueError, TypeError, RuntimeError):
            raise ValueError(
                f"valid_lens: expected a rectangular list of lengths in [0, n_keys={n_keys}], "
                f"got {brief(valid_lens)}"
            ) from None
    elif isinstance(valid_lens, Tensor):
        lens = valid_lens.to(device)
    else:
        raise ValueError(
            f"valid_lens: expected a tensor, a list or a tuple, got {type(valid_lens).__name__}"
        )
    expected = f"(batch,)=({batch},) or (batch, n_queries)=({batch}, {n_queries})"
    if shape(lens) not in ((batch,), (batch, 1), (batch, n_queries)):
        raise ValueError(f"valid_lens: expected shape {expected}, got {shape(lens)}")
    if lens.dtype == torch.bool or lens.is_complex():
        raise ValueError(f"valid_lens: expected integer lengths, got dtype {lens.dtype}")
    # Reading values breaks a compiled graph (and vmap): checked in eager mode only.
    if not values_hidden(lens):
        if lens.is_floating_point() and not torch.equal(lens, lens.round()):
            raise ValueError(f"valid_lens: expected integer lengths, got {brief(lens)}")
        # uint16/32/64 have no comparison kernels: compare in float64, exact for any length
        # that can be valid (and monotonic beyond).
        checked = lens.double() if lens.dtype in _WIDE_UNSIGNED else lens
        if ((checked < 0) | (checked > n_keys)).any():
            raise ValueError(
                f"valid_lens: expected lengths in [0, n_keys={n_keys}], got {brief(lens)}"
            )
    if lens.ndim == 1:
        lens = lens[:, None]  # one length per sequence: its queries share it
    return lens.long()
