"""Pick the device the examples run on."""

from __future__ import annotations

import os

import torch

from attention._checks import brief

ENV_VAR = "ATTENTION_DEVICE"


def default_device() -> torch.device:
    """The device to run on: CUDA when available, else the CPU.

    The environment variable ``ATTENTION_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``, ...)
    overrides the choice, e.g. ``ATTENTION_DEVICE=cpu`` to build the site on a GPU machine
    with CPU numbers.

    Returns:
        The chosen ``torch.device``.

    Raises:
        ValueError: ``ATTENTION_DEVICE`` is not a device torch understands, or names a
            device this machine does not have.
    """
    name = os.environ.get(ENV_VAR, "").strip()
    if not name:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise ValueError(
            f"{ENV_VAR}: expected a torch device such as 'cpu', 'cuda', 'cuda:1' or 'mps', "
            f"got {brief(name)}"
        ) from err
    if not _is_available(device):
        raise ValueError(
            f"{ENV_VAR}: expected a device available on this machine, got {brief(name)}"
        )
    return device


def _is_available(device: torch.device) -> bool:
    """Whether ``device`` exists here (``cuda:3`` needs at least four GPUs)."""
    if device.type == "cpu":
        return True
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        return count > (device.index or 0)
    if device.type == "mps":
        return torch.backends.mps.is_available()
    # Other accelerators (xpu, ...) expose torch.<type>.is_available(); "meta" etc. do not.
    backend = getattr(torch, device.type, None)
    return bool(getattr(backend, "is_available", lambda: False)())
