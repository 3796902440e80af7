"""The execution cache: a chapter's outputs, keyed on its code and on the package files it imported.

A run is stored under two digests. The *execution key* covers what is known before running:
the code cells (prose is not part of it, so the English and Chinese pages of a chapter whose
code cells are identical share one run, and pages whose code differs, even in a string, run
separately), the kernel, ``ATTENTION_DEVICE`` and the versions of the libraries that compute and
draw. The *deps digest* covers what is known only after running: the files of the package the
kernel imported, as they are now, plus every non-Python file of the package. So an edit to a
package file re-executes exactly the chapters that imported it. That is sound: a chapter that
imported none of the changed files runs the same code and imports the same files as before.

Files under the cache folder, all JSON, written atomically:

* ``<key>.deps.json``: the sets of package files the recent runs of this code imported;
* ``<key>-<deps digest>.json``: the outputs of the code cells of one run.

Why not jupyter-cache (Jupyter Book's cache, 1.0.1)? It keys on the code cells too, but the
second digest is known only after a run, so its key cannot hold it: this two-level index would
stay, wrapped around a SQLite database, SQLAlchemy and its own executors, which report a failure
without our page and cell and do not merge streams. It would make this plugin larger.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from mkdocs.exceptions import PluginError

CACHE_VERSION = "4"  # bump when the stored format or the execution recipe changes
_KEEP_DEPS = 8  # import sets remembered per code key (one per recent version of the code)


def digest(payload: object) -> str:
    """sha256 of a JSON-able payload, independent of dict order."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def read_json(path: Path, default: object = None) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def write_json(path: Path, data: object) -> None:
    """Atomic: a killed build, or another build writing the same entry, never leaves half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def package_files(package: str) -> tuple[Path, dict[str, str]]:
    """The folder of the package the kernel will import, and the sha256 of each of its files by
    path relative to that folder (``__pycache__`` excluded)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise PluginError(f"The `{package}` package is not importable: run `pip install -e .`")
    folder = Path(spec.origin).parent.resolve()
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            files[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return folder, files


def execution_key(code_cells: Sequence[str], kernel: str, versions: Mapping[str, str]) -> str:
    """What a run depends on before it starts. Only code: two pages with the same code cells
    (prose aside) get the same key and execute once; any difference in code, strings included,
    gives another key."""
    return digest(
        {
            "cache": CACHE_VERSION,
            "code": list(code_cells),
            "kernel": kernel,
            "device": os.environ.get("ATTENTION_DEVICE", ""),
            "versions": dict(versions),
        }
    )


def deps_digest(deps: Sequence[str], files: Mapping[str, str]) -> str:
    """Hash of the package files a run imported, as they are now (``files``: path -> sha256),
    and of every non-Python file of the package (data a module might read)."""
    names = sorted(set(deps) | {f for f in files if not f.endswith(".py")})
    return digest([(name, files.get(name, "missing")) for name in names])[:32]


class ExecutionCache:
    """Stored runs under ``folder``, looked up against the package as it is now (``files``)."""

    def __init__(self, folder: Path, files: Mapping[str, str]) -> None:
        self.folder = folder
        self.files = files

    def _index(self, key: str) -> Path:
        return self.folder / f"{key}.deps.json"

    def _entry(self, key: str, deps: Sequence[str]) -> Path:
        return self.folder / f"{key}-{deps_digest(deps, self.files)}.json"

    def lookup(self, key: str) -> Path | None:
        """The entry of a run of this code against the package as it is now, if any."""
        for deps in read_json(self._index(key), {"deps": []})["deps"]:
            entry = self._entry(key, deps)
            if entry.exists():
                return entry
        return None

    def load(self, key: str) -> list | None:
        """The stored outputs of each code cell, or None; marks the entry as used."""
        entry = self.lookup(key)
        if entry is None:
            return None
        outputs = read_json(entry, {}).get("outputs")
        for path in (entry, self._index(key)):
            path.touch()  # pruning deletes only long-unused files
        return outputs

    def store(self, key: str, deps: Sequence[str], outputs: list) -> Path:
        entry = self._entry(key, deps)
        write_json(entry, {"deps": list(deps), "outputs": outputs})
        known = read_json(self._index(key), {"deps": []})["deps"]
        kept = [list(deps), *(d for d in known if d != list(deps))][:_KEEP_DEPS]
        write_json(self._index(key), {"deps": kept})
        return entry

    def prune(self, max_age_s: float) -> None:
        """Delete files unused for ``max_age_s`` (never the other language's: they share)."""
        import time

        cutoff = time.time() - max_age_s
        for path in self.folder.rglob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
