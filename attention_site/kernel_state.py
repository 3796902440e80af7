"""Imported inside a Jupyter kernel that runs several chapters in turn (not by MkDocs).

Starting a kernel and importing torch and matplotlib costs about as much CPU as running a short
chapter, so the notebooks plugin keeps one kernel per job and runs chapter after chapter in it.
A chapter must not see what ran before it, or its outputs would depend on which kernel ran it
after which chapter: `save` records the state of a fresh kernel once, and `restore` puts it
back before every chapter:

* the namespace and the In/Out history are emptied, and the execution count starts over;
* the modules of the package are removed from ``sys.modules``, so the chapter imports them
  again: module state starts over, and the list of files it imported (its cache entry's
  dependencies) is its own;
* ``warnings`` filters are restored and their "shown once" memory forgotten;
* matplotlib's rcParams, and torch's default dtype and grad mode are put back.

Random generators are not: a fresh kernel seeds them at random too, so every chapter seeds
before it draws (two builds would differ otherwise, and the reproducibility test says so).

Third-party modules stay imported (re-importing torch is neither possible nor needed). Only
their state listed here is restored; `tests/test_site_plugin.py` checks each of them.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

_saved: dict[str, Any] = {}


def save(preload: list[str]) -> None:
    """Import ``preload`` and record the state `restore` puts back."""
    for name in preload:
        importlib.import_module(name)
    _saved.clear()
    _saved.update(cwd=os.getcwd(), path=list(sys.path), filters=list(warnings.filters))
    if "matplotlib" in sys.modules:
        _saved["rc"] = dict(sys.modules["matplotlib"].rcParams.copy())
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        _saved["torch"] = (torch.get_default_dtype(), torch.is_grad_enabled())


def restore(package: str) -> None:
    """Give the next chapter a fresh kernel's state (see the module's docstring)."""
    get_ipython().reset(new_session=True)  # type: ignore[name-defined]  # noqa: F821
    for name in [n for n in sys.modules if n.partition(".")[0] == package]:
        del sys.modules[name]
    os.chdir(_saved["cwd"])
    sys.path[:] = _saved["path"]
    warnings.filters[:] = _saved["filters"]
    with warnings.catch_warnings():  # entering and leaving forgets what was shown "once"
        pass
    if "rc" in _saved:
        dict.update(sys.modules["matplotlib"].rcParams, _saved["rc"])  # as rc_context restores
    if "torch" in _saved:
        torch = sys.modules["torch"]
        dtype, grad = _saved["torch"]
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
