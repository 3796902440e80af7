"""Shared fixtures: the devices to test on, a headless matplotlib and a fast hypothesis profile."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: tests never open windows

import pytest
import torch
from hypothesis import settings

settings.register_profile("attention", deadline=None, max_examples=50, derandomize=True)
settings.load_profile("attention")

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


@pytest.fixture(params=DEVICES, scope="session")
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every math test runs on the CPU, and on CUDA too when a GPU is present.

    Session-scoped so that hypothesis tests may use it (it holds no per-test state).
    """
    return torch.device(request.param)
