"""The benchmark script's table-building pieces work, on tiny inputs. No timing is checked."""

from __future__ import annotations

import base64
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_parse_log_counts_executed_and_cached(bench) -> None:
    log = (
        "INFO    -  notebooks: executing 2 chapter(s) on 2 kernel(s)\n"
        "INFO    -  notebook nadaraya-watson [en]: executed in 12.5 s\n"
        "INFO    -  notebook nadaraya-watson [zh]: cached\n"
        "INFO    -  notebook self-attention [zh]: executed in 3.0 s\n"
    )
    executed, cached = bench.parse_log(log)
    assert executed == [("nadaraya-watson", "en", 12.5), ("self-attention", "zh", 3.0)]
    assert cached == [("nadaraya-watson", "zh")]


def test_format_table_marks_misses(bench) -> None:
    rows = [
        bench.Row("a", "1 s", "≤ 2 s", True),
        bench.Row("b", "3 s", "≤ 2 s", False),
        bench.Row("c", "-", "-", None),
    ]
    lines = bench.format_table(rows).splitlines()
    assert lines[0] == "| what | measured | target | ok? |"
    assert lines[2:] == [
        "| a | 1 s | ≤ 2 s | yes |",
        "| b | 3 s | ≤ 2 s | **no** |",
        "| c | - | - | n/a |",
    ]


def test_page_weight_counts_inline_and_own_images_not_shared_assets(bench, tmp_path) -> None:
    site = tmp_path / "site"
    page = site / "chapter" / "index.html"
    (site / "assets").mkdir(parents=True)
    page.parent.mkdir()
    (site / "assets" / "logo.png").write_bytes(b"x" * 1000)  # shared: not counted
    (page.parent / "fig.png").write_bytes(b"y" * 300)  # the page's own: counted
    inline = "data:image/png;base64," + base64.b64encode(b"z" * 90).decode()
    page.write_text(
        f'<img src="{inline}"><img src="fig.png"><img src="../assets/logo.png">',
        encoding="utf-8",
    )
    weight, images = bench.page_weight(page, site)
    assert weight == page.stat().st_size + 300
    assert [what for _, what in images] == ["fig.png", "inline figure 1"]


def test_chapter_codes_reads_only_notebook_pages(bench, tmp_path) -> None:
    header = "---\njupyter:\n  kernelspec:\n    display_name: Python 3\n    language: python\n"
    header += "    name: python3\n---\n\n"
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "ch.md").write_text(header + "# T\n\n```python\nx = 1\n```\n")
    (tmp_path / "en" / "index.md").write_text("# Home\n")
    assert bench.chapter_codes(tmp_path) == {("ch", "en"): ("x = 1",)}


def test_kernel_row_measures_matching_outputs(bench) -> None:
    """On tiny inputs the row runs and finds the same outputs as SDPA (no timing is checked)."""
    row = bench.dot_product_row(batch=2, n=8, d=4, min_run_time=0.01)
    assert row.details == ["outputs match SDPA: True"]
    assert re.match(r"[\d.]+x SDPA \(", row.measured), row.measured


@pytest.mark.parametrize(
    ("ours", "close", "ok"),
    [(1.4, True, True), (1.5, True, True), (1.6, True, False), (1.0, False, False)],
)
def test_kernel_row_verdict(bench, ours: float, close: bool, ok: bool) -> None:
    """Within 1.5x of SDPA and the same outputs, or the row fails."""
    row = bench.kernel_row((8, 512, 64), ours * 1e-3, 1e-3, close)
    assert row.ok is ok
    assert row.measured.startswith(f"{ours:.2f}x SDPA")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_nw_peak_sees_the_weights_it_returns(bench) -> None:
    """The (n, m) weights are returned, so they are resident: a peak reading below one (n, m)
    tensor means the measurement is broken, not that the pooling is frugal."""
    mib, tensors = bench.nw_peak(500, 4000)
    assert tensors >= 0.9, f"peak {mib:.1f} MiB = {tensors:.2f} (n, m) tensors"


def test_exit_code_fails_on_a_missed_target_only(bench) -> None:
    met, reported = bench.Row("a", "1 s", "≤ 2 s", True), bench.Row("b", "-", "-", None)
    assert bench.exit_code([met, reported]) == 0
    assert bench.exit_code([met, bench.Row("c", "3 s", "≤ 2 s", False)]) == 1


def test_wait_for_returns_seconds_or_none(bench) -> None:
    calls = iter([False, False, True])
    seconds = bench.wait_for(lambda: next(calls), timeout=5, interval=0.01)
    assert seconds is not None and seconds < 5
    assert bench.wait_for(lambda: False, timeout=0.05, interval=0.01) is None


def test_module_file_follows_a_module_that_became_a_package(bench, tmp_path) -> None:
    (tmp_path / "attention" / "diagrams").mkdir(parents=True)
    (tmp_path / "attention" / "masking.py").write_text("")
    assert bench._module_file(tmp_path, "masking.py") == tmp_path / "attention" / "masking.py"
    expected = tmp_path / "attention" / "diagrams" / "__init__.py"
    assert bench._module_file(tmp_path, "diagrams.py") == expected
