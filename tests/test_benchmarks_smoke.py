"""The benchmark script's table-building pieces work, on tiny inputs. No timing is checked."""

from __future__ import annotations

import base64
import importlib.util
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


def test_kernel_rows_build_on_tiny_sizes(bench) -> None:
    row = bench.dot_product_row(batch=2, n=8, d=4, min_run_time=0.01)
    assert row.details == ["outputs match SDPA: True"]
    assert row.ok in (True, False)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_nw_peak_runs_on_tiny_sizes(bench) -> None:
    mib, tensors = bench.nw_peak(100, 1000)
    assert mib >= 0 and tensors >= 0
