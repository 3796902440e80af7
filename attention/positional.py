"""Sinusoidal positional encoding."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from attention._checks import (
    check_ndim,
    check_positive_int,
    check_probability,
    check_size,
    check_tensors,
    refuse_script,
)


def codes(max_len: int, num_hiddens: int) -> Tensor:
    """The sinusoidal codes of positions ``0 .. max_len - 1``, in float64.

    Returns:
        Shape ``(1, max_len, num_hiddens)``.
    """
    # Angles in float64: at position ~1000 float32 rounding would already be ~1e-4.
    position = torch.arange(max_len, dtype=torch.float64)[:, None]  # (max_len, 1)
    exponent = torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens
    angles = position / 10000**exponent  # (max_len, ceil(d / 2))
    P = torch.zeros(1, max_len, num_hiddens, dtype=torch.float64)
    P[0, :, 0::2] = torch.sin(angles)
    P[0, :, 1::2] = torch.cos(angles[:, : num_hiddens // 2])  # odd d has one cos fewer
    return P


class PositionalEncoding(nn.Module):
    """Add the sinusoidal position code of "Attention Is All You Need" to the inputs.

    ``P[i, 2j] = sin(i / 10000^(2j/d))`` and ``P[i, 2j+1] = cos(i / 10000^(2j/d))`` for
    position ``i`` and ``d = num_hiddens`` (odd ``d`` is fine: the last column is a sine).
    Column pairs rotate at geometrically decreasing frequencies, so every position gets a
    distinct code and a fixed offset is a linear map of the code.

    Args:
        num_hiddens: Size ``d`` of each input vector.
        dropout: Dropout rate applied to the sum.
        max_len: Longest sequence supported.

    Attributes:
        P: Buffer of shape ``(1, max_len, num_hiddens)`` holding the codes.
    """

    P: Tensor

    __prepare_scriptable__ = refuse_script

    def __init__(self, num_hiddens: int, dropout: float = 0.0, max_len: int = 1000):
        super().__init__()
        num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        max_len = check_positive_int("max_len", max_len)
        check_probability("dropout", dropout)
        self.dropout = nn.Dropout(dropout)
        # A buffer follows the module to .to(device) but is not a learnable parameter. It is
        # a function of the sizes alone, so it stays out of the state_dict (checkpoints hold
        # no copy of it) and is recomputed instead: here, and in _apply below.
        self.register_buffer("P", codes(max_len, num_hiddens).float(), persistent=False)

    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> PositionalEncoding:
        """Move or cast the module (``.to``, ``.half``, ``.to_empty``, ...), then rebuild ``P``.

        ``to_empty`` leaves every buffer uninitialised, and ``load_state_dict`` restores only
        what the state_dict holds: a module built on the ``meta`` device, moved with
        ``to_empty`` and loaded would otherwise add garbage. Rebuilding the codes wherever the
        module goes (from float64, then cast once) also keeps ``.half().float()`` exact.
        """
        super()._apply(fn, recurse)
        if self.P.device.type != "meta":  # a meta tensor has no values to compute
            table = codes(self.P.shape[1], self.P.shape[2])
            self.P = table.to(device=self.P.device, dtype=self.P.dtype)
        return self

    def forward(self, X: Tensor) -> Tensor:
        """Add the codes of positions ``0 .. L-1`` to ``X``.

        Args:
            X: Shape ``(batch, L, num_hiddens)`` with ``L <= max_len``, any floating dtype,
                on the device of the module. Integer or bool ``X`` is refused: adding codes
                in ``[-1, 1]`` to it would truncate them.

        Returns:
            ``dropout(X + P[:, :L])``, shape ``(batch, L, num_hiddens)``, dtype of ``X``.

        Raises:
            ValueError: ``X`` is not a floating tensor on the module's device, is not 3-D,
                is too long or has the wrong last dimension.
        """
        check_tensors(("X", X))  # a floating dtype, any of them
        check_tensors(("X", X), like=self.P, any_dtype=True)  # the device of the codes
        check_ndim("X", X, 3, "(batch, L, num_hiddens)")
        check_size("X", X, -1, self.P.shape[-1], "num_hiddens")
        max_len = self.P.shape[1]
        if X.shape[1] > max_len:
            raise ValueError(
                f"X: expected length L <= max_len={max_len}, got shape {tuple(X.shape)}"
            )
        return self.dropout(X + self.P[:, : X.shape[1]].to(X.dtype))
