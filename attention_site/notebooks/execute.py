"""Run chapters' notebooks in kernels shared from one to the next, each chapter from a fresh
state: reproducible outputs, a clear error, the package files it imported."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

# Run in the kernel after the last cell: which files of the package did the chapter import?
_DEPS_MARK = "attention-site-deps:"
_DEPS_PROBE = """\
import json as _json, sys as _sys
print({mark!r} + _json.dumps(sorted({{
    _m.__file__ for _n, _m in list(_sys.modules.items())
    if _n.partition(".")[0] == {package!r} and getattr(_m, "__file__", None)
}})))
"""

# Called as an expression, so that no name is left in the chapter's namespace.
_STATE = '__import__("attention_site.kernel_state").kernel_state'
# ipykernel logs a warning about plain-TCP transport at every start: nothing a reader can act on.
_QUIET = ["--IPKernelApp.log_level=ERROR"]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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


class CellFailed(PluginError):
    """A chapter's cell raised, ran past the cell time limit, or its kernel died.

    ``index`` is the cell's index in the notebook, ``number`` its number among the code cells
    (as a reader counts them); ``traceback`` is plain text (no terminal colours).
    """

    def __init__(
        self, page: str, nb: nbformat.NotebookNode, index: int, ename: str, evalue: str, tb: str
    ) -> None:
        self.page, self.index, self.ename, self.evalue = page, index, ename, evalue
        self.number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
        self.traceback = _ANSI.sub("", tb)
        self.timed_out = ename == "CellTimeoutError"
        super().__init__(
            f"Notebook {page}: code cell {self.number} failed (cell {index + 1} of the notebook)."
            f"\n--- cell source ---\n{nb.cells[index].source}\n--- error ---\n{ename}: {evalue}"
        )


def cell_error(page: str, nb: nbformat.NotebookNode, index: int, err: CellExecutionError):
    """The build error for a failing cell: the page, the code cell's number (as a reader counts
    them), the cell's source and the exception; the traceback is the cell's error output."""
    tb = "\n".join(
        "\n".join(o.get("traceback", []))
        for o in nb.cells[index].get("outputs", [])
        if o.get("output_type") == "error"
    )
    return CellFailed(page, nb, index, err.ename, err.evalue, tb or str(err))


class Kernel:
    """A Jupyter kernel that runs notebooks one after another, each from a fresh kernel's state
    (`attention_site.kernel_state`): the imports every chapter needs are paid once per kernel.

    Use as a context manager; ``threads`` sets the kernel's compute threads (``OMP_NUM_THREADS``):
    one per kernel when several kernels share the cores, where more would only wait on each
    other and burn CPU spinning.
    """

    def __init__(
        self,
        *,
        kernel: str,
        cwd: Path,
        timeout: int,
        package: str,
        preload: list[str],
        threads: int = 1,
    ) -> None:
        self.package = package
        self.preload = preload
        self.threads = threads
        self.timeout = timeout
        self.alive = True  # False once the kernel died: start another
        self.client = NotebookClient(
            nbformat.v4.new_notebook(),
            kernel_name=kernel,
            timeout=timeout,
            # A cell past the limit is interrupted (KeyboardInterrupt, with its traceback) and
            # fails like a raising cell; the kernel stays usable for the next chapter.
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": f"the cell did not finish within {timeout} s and was stopped",
                "traceback": [],
            },
            extra_arguments=_QUIET,
            allow_errors=False,
            record_timing=False,  # no timestamps: two builds give identical notebooks
            shutdown_kernel="immediate",  # a graceful shutdown waits; nothing is left to save
            resources={"metadata": {"path": str(cwd)}},
        )
        self._session: contextlib.ExitStack | None = None

    def __enter__(self) -> Kernel:
        env = {**os.environ, "OMP_NUM_THREADS": str(self.threads)}
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.client.setup_kernel(env=env))
            self._run_quietly(f"{_STATE}.save({self.preload!r})")
            self._session = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session is not None:
            self._session.close()

    def _run_quietly(self, source: str) -> None:
        """Run ``source`` outside any notebook; a failure is the plugin's, not a chapter's."""
        self.client.nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        self.client.reset_execution_trackers()
        self.client.execute_cell(self.client.nb.cells[0], 0)

    def run(self, nb: nbformat.NotebookNode, page: str) -> list[str]:
        """Run every code cell of ``nb`` in place, without counts or timestamps, streams merged.

        Raises the `cell_error` of the first failing cell. Returns the absolute paths of the
        files of the package that the notebook imported.
        """
        self._run_quietly(f"{_STATE}.restore({self.package!r})")
        self.client.nb = nb
        self.client.reset_execution_trackers()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                self.client.execute_cell(cell, index)
            except CellExecutionError as err:
                raise cell_error(page, nb, index, err) from None
            except DeadKernelError as err:
                self.alive = False
                raise CellFailed(page, nb, index, "DeadKernelError", str(err), "") from None
            cell.execution_count = None  # counts differ between a fresh run and the cache
            for output in cell.outputs:
                if "execution_count" in output:  # an execute_result's "Out[n]"
                    output.execution_count = None
            cell.outputs = merge_streams(cell.outputs)
        probe = nbformat.v4.new_code_cell(_DEPS_PROBE.format(mark=_DEPS_MARK, package=self.package))
        nb.cells.append(probe)  # nbclient runs only cells of its notebook; removed below
        try:
            self.client.execute_cell(probe, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
        text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
        return json.loads(text[text.index(_DEPS_MARK) + len(_DEPS_MARK) :])


def execute(
    nb: nbformat.NotebookNode, page: str, *, kernel: str, cwd: Path, timeout: int, package: str
) -> list[str]:
    """Run ``nb`` in a kernel of its own (`Kernel.run`); returns the package files it imported."""
    with Kernel(kernel=kernel, cwd=cwd, timeout=timeout, package=package, preload=[]) as k:
        return k.run(nb, page)


def package_relative(imported: list[str], folder: Path) -> list[str] | None:
    """The imported files relative to the package folder this build hashes, or None if the
    kernel imported the package from somewhere else (then no file list can be trusted)."""
    paths = [Path(f).resolve() for f in imported]
    if not all(p.is_relative_to(folder) for p in paths):
        return None
    return sorted(p.relative_to(folder).as_posix() for p in paths)
