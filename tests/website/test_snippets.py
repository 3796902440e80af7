"""The code a reader copies runs as shown: in a fresh interpreter, with only the package.

A chapter's code cells run top to bottom as one script (its executed notebook, checked equal
to the page). A cell meant to fail (``except ValueError as err: print(err)``, CONTRIBUTING.md)
must really raise, show the message on the page, and name the argument at fault.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import (
    CHAPTERS,
    LANGUAGES,
    BuiltSite,
    executed_notebook,
    notebook_code_cells,
    page_code_cells,
    page_soup,
)

TIMEOUT_S = 600
MEANT_TO_FAIL = re.compile(r"^\s*except ValueError as (\w+):\s*$")
CAUGHT = "@@caught@@"  # marks the line where the script reports the errors it caught
# Recorded by a line the test adds after each `except ValueError as err:`: the message and the
# argument names of every function the error went through.
PRELUDE = """\
def _caught(cell, err):
    codes, tb = [], err.__traceback__
    while tb:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    args = {n for c in codes for n in c.co_varnames[: c.co_argcount + c.co_kwonlyargcount]}
    _CAUGHT.append({"cell": cell, "message": str(err), "arguments": sorted(args - {"self"})})
_CAUGHT = []
"""
EPILOGUE = f"\nimport json\nprint({CAUGHT!r} + json.dumps(_CAUGHT))\n"


def run_script(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter of this environment, as a reader would, headless."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,  # not the repository: `attention` must come from the installed package
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def script_of(cells: list[str]) -> tuple[str, list[int]]:
    """The cells as one script, a line after each `except ValueError as err:` recording the
    error; and the first script line of each cell (to name the cell a failure is in)."""
    lines, starts = PRELUDE.splitlines(), []
    for number, cell in enumerate(cells, start=1):
        starts.append(len(lines) + 1)
        source = cell.splitlines()
        for index, line in enumerate(source):
            lines.append(line)
            match = MEANT_TO_FAIL.match(line)
            if match and index + 1 < len(source):
                indent = re.match(r"\s*", source[index + 1]).group()
                lines.append(f"{indent}_caught({number}, {match[1]})")
        lines.append("")
    return "\n".join(lines) + EPILOGUE, starts


def failing_cell(stderr: str, starts: list[int]) -> int:
    """The code cell of the last script line a traceback names (0 if none)."""
    lines = [int(n) for n in re.findall(r'File "<string>", line (\d+)', stderr)]
    return sum(start <= lines[-1] for start in starts) if lines else 0


def printed(cell: dict) -> str:
    return "".join(
        "".join(out["text"]) for out in cell["outputs"] if out["output_type"] == "stream"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", CHAPTERS)
def test_page_code_is_its_notebooks_code(built_site: BuiltSite, slug: str, lang: str) -> None:
    """What the copy buttons copy is the code of the downloadable notebook, cell for cell."""
    cells = [c["source"] for c in notebook_code_cells(executed_notebook(built_site, lang, slug))]
    assert cells, f"/{lang}/{slug}: no code cells"
    page = page_code_cells(page_soup(built_site, lang, slug))
    assert page == cells, f"/{lang}/{slug}: the page's code cells != its notebook's"


@pytest.mark.long  # runs every chapter's code
@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_code_runs_as_one_script(built_site: BuiltSite, slug: str, tmp_path) -> None:
    """The cells, copied from the downloadable notebook, run top to bottom in a fresh
    interpreter; a cell meant to fail raises a ValueError that names its argument, and both
    languages' pages show its message.

    Run for English only: the Chinese cells are the same code but for strings and comments
    (test_parity compares their syntax trees and the numbers they print, and the build runs
    them too), so a second fresh-interpreter run of them would prove nothing new."""
    notebook = notebook_code_cells(executed_notebook(built_site, "en", slug))
    twin = notebook_code_cells(executed_notebook(built_site, "zh", slug))
    script, starts = script_of([cell["source"] for cell in notebook])
    result = run_script(script, tmp_path)
    assert result.returncode == 0, (
        f"/en/{slug}: code cell {failing_cell(result.stderr, starts)} fails when the cells "
        f"run in a fresh interpreter:\n{result.stderr[-3000:]}"
    )
    caught = {c["cell"]: c for c in json.loads(result.stdout.rpartition(CAUGHT)[2])}
    for number, cell in enumerate(notebook, start=1):
        if not any(MEANT_TO_FAIL.match(line) for line in cell["source"].splitlines()):
            continue
        where = f"/{slug}: code cell {number} (meant to fail)"
        assert number in caught, f"{where} raised no ValueError"
        error = caught[number]
        for lang, shown in (("en", printed(cell)), ("zh", printed(twin[number - 1]))):
            assert error["message"] in shown, f"/{lang}{where}: page shows {shown!r}"
        named = [a for a in error["arguments"] if re.search(rf"\b{a}\b", error["message"])]
        assert named, f"{where}: {error['message']!r} names none of {error['arguments']}"
