"""Shared fixtures: the devices to test on, a headless matplotlib, a fast hypothesis profile, and
the test tiers.

Tiers (markers registered in pyproject.toml): ``site`` marks a test that needs the built site, a
notebook kernel or a ``mkdocs`` run; ``browser`` one that needs chromium (and so the site too).
Both are set here from what a test asks for, so a new test lands in the right tier by itself:

    python -m pytest -m "not site and not browser"   # the package and the plugins' units
    python -m pytest                                 # everything (CI)

A test outside the ``site`` tier that starts a kernel or a build fails, naming the marker.
"""

from __future__ import annotations

import os

# One compute thread per process, before torch starts its pool (children inherit it: chapter
# scripts, builds, kernels, which use one already). Two pytest workers, the builds' kernels and
# chromium share the cores: more threads only wait on each other, spinning (the fast tier took
# 76 CPU-s with two, 62 with one).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: tests never open windows

import pytest
import torch
from hypothesis import settings

settings.register_profile("attention", deadline=None, max_examples=50, derandomize=True)
settings.load_profile("attention")

# Fixtures that mean "needs chromium" / "needs a built site" (tests/website/conftest.py).
BROWSER_FIXTURES = frozenset({"browser", "chromium", "visit", "phone", "tab"})
SITE_FIXTURES = frozenset({"built_site", "offline_site", "site_server"}) | BROWSER_FIXTURES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.site)
        elif names & SITE_FIXTURES:
            item.add_marker(pytest.mark.site)
    items.sort(key=_schedule)  # stable: the order within each group stays


def _schedule(item: pytest.Item) -> tuple[bool, bool, bool]:
    """The order in which pytest-xdist hands tests out (`--dist worksteal`: each worker gets a
    contiguous half, an idle one takes half of the other's rest). First the few ``long`` tests,
    those that need no built site before the others: left to the end, one of them ran alone
    while the other worker had nothing left to do. Then the package's tests, which run while
    the session's site builds (tests/website/conftest.py); then the site's."""
    long = item.get_closest_marker("long") is not None
    site = "built_site" in getattr(item, "fixturenames", ())
    return (not long, site if long else False, item.get_closest_marker("site") is not None)


@pytest.fixture(autouse=True)
def _fast_tier_stays_fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Outside the ``site`` tier, starting a kernel or a build is a mistake: fail, naming why."""
    if request.node.get_closest_marker("site"):
        return

    def refuse(*args, **kwargs):
        raise RuntimeError(
            f"{request.node.nodeid} starts a notebook kernel or a site build: "
            "mark it @pytest.mark.site (the fast tier runs neither)"
        )

    from jupyter_client.manager import AsyncKernelManager, KernelManager

    from attention_site import harness

    for manager in (KernelManager, AsyncKernelManager):
        monkeypatch.setattr(manager, "start_kernel", refuse)
    monkeypatch.setattr(harness, "build", refuse)


DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


@pytest.fixture(params=DEVICES, scope="session")
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every math test runs on the CPU, and on CUDA too when a GPU is present.

    Session-scoped so that hypothesis tests may use it (it holds no per-test state).
    """
    return torch.device(request.param)
