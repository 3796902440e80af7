"""Run a chapter's notebook in a fresh kernel: reproducible outputs, a clear error, its imports."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Run in the kernel after the last cell: which files of the package did the chapter import?
_DEPS_MARK = "attention-site-deps:"
_DEPS_PROBE = """\
import json as _json, sys as _sys
print({mark!r} + _json.dumps(sorted({{
    _m.__file__ for _n, _m in list(_sys.modules.items())
    if _n.partition(".")[0] == {package!r} and getattr(_m, "__file__", None)
}})))
"""


def merge_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream into one output. How the kernel splits them
    depends on timing (it flushes every 0.2 s), so unmerged outputs differ from build to build."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def cell_error(page: str, nb: nbformat.NotebookNode, index: int, err: CellExecutionError):
    """The build error for a failing cell: the page, the code cell's number (as a reader counts
    them), the cell's source and the exception."""
    number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
    return PluginError(
        f"Notebook {page}: code cell {number} failed (cell {index + 1} of the notebook).\n"
        f"--- cell source ---\n{nb.cells[index].source}\n--- error ---\n{err.ename}: {err.evalue}"
    )


def execute(
    nb: nbformat.NotebookNode, page: str, *, kernel: str, cwd: Path, timeout: int, package: str
) -> list[str]:
    """Run every code cell of ``nb`` in place, without counts or timestamps, streams merged.

    Raises the `cell_error` of the first failing cell. Returns the absolute paths of the files of
    ``package`` that the kernel imported.
    """
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,  # no timestamps: two builds give identical notebooks
        resources={"metadata": {"path": str(cwd)}},
    )
    probe = nbformat.v4.new_code_cell(_DEPS_PROBE.format(mark=_DEPS_MARK, package=package))
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:
                raise cell_error(page, nb, index, err) from None
            cell.execution_count = None  # counts differ between a fresh run and the cache
            cell.outputs = merge_streams(cell.outputs)
        nb.cells.append(probe)  # nbclient runs only cells of its notebook; removed below
        try:
            client.execute_cell(probe, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    return json.loads(text[text.index(_DEPS_MARK) + len(_DEPS_MARK) :])


def package_relative(imported: list[str], folder: Path) -> list[str] | None:
    """The imported files relative to the package folder this build hashes, or None if the
    kernel imported the package from somewhere else (then no file list can be trusted)."""
    paths = [Path(f).resolve() for f in imported]
    if not all(p.is_relative_to(folder) for p in paths):
        return None
    return sorted(p.relative_to(folder).as_posix() for p in paths)
