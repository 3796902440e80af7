"""Measure every performance target of the site and the package, and print one table.

    python benchmarks/run.py                 # everything: about 6 minutes on 2 idle CPU cores
    python benchmarks/run.py --only serve    # the `mkdocs serve` loop rows
    python benchmarks/run.py --only kernels  # just the two kernel rows (seconds)
    python benchmarks/run.py --only reader   # Lighthouse and first-load bytes per chapter page
    python benchmarks/run.py --output benchmarks/README.md

Build rows run `mkdocs build --strict` as subprocesses on a throw-away copy of the repository
(docs, mkdocs.yml, the `attention` package) with its own notebook cache (`ATTENTION_NB_CACHE`)
and `PYTHONPATH` pointing at the copied package, so edits to the copy are what the notebooks
plugin hashes and what the kernels import; the real pages, package and caches are never
touched. Executions are counted from the plugin's log lines
(`notebook <slug> [<lang>]: executed in X s` / `cached`).

The "edit attention/" row appends `print("BENCH-MARK-<module>")` to a copied module, rebuilds
with the warm cache, and compares with a cold build of the same edited copy: a chapter that
imports the module shows the marker in its page, so a page that should show it and does not
was served stale. The serve rows drive `mkdocs serve` itself: save a file, poll the served page
until it shows the edit. Timings depend on the machine and on what else runs on it: the header
gives the load average; CPU seconds are printed too.

Only the standard library, PyTorch and the project's own dependencies are used. The script
exits 1 if a row misses its target (`exit_code`); rows with target "(reported)" only report.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python benchmarks/run.py` from a checkout: the harness is here
from attention_site import harness  # noqa: E402
from attention_site.harness import BuildResult, parse_log, wait_for  # noqa: E402

KB = 1000  # page weights in kB (1 000 bytes)
MB = 1024 * 1024
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "site", ".cache", "results", "__pycache__", ".hypothesis", ".ruff_cache",
    ".pytest_cache", "*.egg-info", "build", "dist", "node_modules",
)  # fmt: skip


# --------------------------------------------------------------------------- table
@dataclass
class Row:
    what: str
    measured: str
    target: str
    ok: bool | None  # None: not measured
    details: list[str] = field(default_factory=list)


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table: what | measured | target | ok?"""
    mark = {True: "yes", False: "**no**", None: "n/a"}
    lines = ["| what | measured | target | ok? |", "|---|---|---|---|"]
    lines += [f"| {r.what} | {r.measured} | {r.target} | {mark[r.ok]} |" for r in rows]
    return "\n".join(lines)


def machine_header() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{datetime.datetime.now():%Y-%m-%d %H:%M} · {platform.system()} {platform.release()} · "
        f"{cpu}, {os.cpu_count()} CPUs, load average {load} · Python "
        f"{platform.python_version()} · torch {torch.__version__} "
        f"({torch.get_num_threads()} threads)"
    )


def _env(repo: Path, cache: Path) -> dict[str, str]:
    """The copy's package first on the path, its own notebook cache."""
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "ATTENTION_NB_CACHE": str(cache),
        "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
    }


def build(repo: Path, cache: Path, out: Path) -> BuildResult:
    """A strict build of the copy ``repo`` with its own notebook cache; raises if it fails."""
    result = harness.build(out, config_dir=repo, env=_env(repo, cache), timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed in {repo}:\n{result.log[-4000:]}")
    return result


def snapshot(dst: Path) -> Path:
    """A copy of the repository to build and edit freely; checks that it is the one imported."""
    shutil.copytree(ROOT, dst, ignore=_COPY_IGNORE)
    env = {**os.environ, "PYTHONPATH": str(dst)}
    code = "import importlib.util as u; print(u.find_spec('attention').origin)"
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=dst, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(dst.resolve()):
        raise RuntimeError(f"the copy's package is not the one imported: {found}")
    return dst


def chapter_codes(docs: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """{(slug, lang): code cells} of every chapter page, as the notebooks plugin finds them."""
    from attention_site.notebooks import front_matter, is_notebook, read_chapter

    codes = {}
    for path in sorted(docs.glob("*/*.md")):
        if is_notebook(front_matter(path)):
            nb = read_chapter(path)
            lang = path.relative_to(docs).parts[0]
            codes[path.stem, lang] = tuple(c.source for c in nb.cells if c.cell_type == "code")
    return codes


# --------------------------------------------------------------------------- page weight
class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        # A figure is two images of one file (``#only-light``, ``#only-dark``): counted once.
        for key, value in attrs if tag == "img" else ():
            if key == "src" and value and value.split("#")[0] not in self.srcs:
                self.srcs.append(value if value.startswith("data:") else value.split("#")[0])


def page_weight(page: Path, site: Path) -> tuple[int, list[tuple[int, str]]]:
    """Bytes of a page's HTML plus the images and figure files it references that are not shared
    theme assets (data URIs are inside the HTML already); and those, heaviest first."""
    parser = _Images()
    parser.feed(page.read_text(encoding="utf-8"))
    total, images = page.stat().st_size, []
    for n, src in enumerate(parser.srcs, 1):
        if src.startswith("data:"):
            images.append((len(src), f"inline figure {n}"))
            continue
        if re.match(r"^[a-z]+:|^//", src):
            continue  # remote (none expected)
        path = (page.parent / src.split("#")[0].split("?")[0]).resolve()
        shared = path.is_relative_to((site / "assets").resolve())
        if path.is_file() and not shared:
            total += path.stat().st_size
            images.append((path.stat().st_size, src))
    return total, sorted(images, reverse=True)


def page_weights(site: Path, chapters: Iterable[tuple[str, str]]) -> list[tuple[int, str, list]]:
    rows = []
    for slug, lang in chapters:
        page = (site if lang == "en" else site / lang) / slug / "index.html"
        if page.is_file():
            weight, images = page_weight(page, site)
            rows.append((weight, f"{lang}/{slug}", images))
    return sorted(rows, reverse=True)


# --------------------------------------------------------------------------- build rows
def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _has(site: Path, lang: str, slug: str, text: str) -> bool:
    page = (site if lang == "en" else site / lang) / slug / "index.html"
    return text in page.read_text(encoding="utf-8")


def build_rows(work: Path, lazy_module: str, eager_module: str) -> list[Row]:
    repo = snapshot(work / "repo")
    cache = work / "cache"
    codes = chapter_codes(repo / "docs")
    pages = sorted(codes)
    slugs = sorted({slug for slug, _ in pages})
    distinct = len(set(codes.values()))
    say = lambda msg: print(f"  {msg}", file=sys.stderr, flush=True)  # noqa: E731
    rows = []

    say(f"cold build ({len(pages)} chapter pages, {distinct} distinct codes)…")
    cold = build(repo, cache, work / "site-cold")
    rows.append(
        Row(
            "cold `mkdocs build`, both languages, every chapter executed",
            f"{cold.seconds:.1f} s ({cold.cpu_seconds:.0f} CPU-s, {len(cold.executed)} runs)",
            "≤ 40 s",
            cold.seconds <= 40 and len(cold.executed) == distinct,
            [f"{s} [{lang}] {t:.1f} s" for s, lang, t in cold.executed],
        )
    )
    per_slug = {s: sum(x == s for x, _, _ in cold.executed) for s in slugs}
    twins_differ = [s for s in slugs if len({codes[k] for k in codes if k[0] == s}) > 1]
    once = len(cold.executed) == distinct
    once = once and all(per_slug[s] <= 1 for s in slugs if s not in twins_differ)
    differ = f" (code differs between languages: {', '.join(twins_differ)})" if twins_differ else ""
    rows.append(
        Row(
            "each chapter's code executed once per build, not once per language",
            f"{len(cold.executed)} runs for {len(pages)} pages{differ}",
            f"{distinct} runs (one per distinct code)",
            once,
        )
    )
    lines = [(s, lang) for s, lang, _ in cold.executed] + cold.cached
    rows.append(
        Row(
            "one progress line per chapter page (name, language, seconds or `cached`)",
            f"{len(lines)} lines, {len(set(lines))} pages",
            f"{len(pages)} lines, one per page",
            sorted(lines) == pages,
        )
    )

    say("rebuilds with nothing changed…")
    warm = [build(repo, cache, work / f"site-warm{i}") for i in (1, 2)]
    best = min(warm, key=lambda b: b.seconds)
    rows.append(
        Row(
            "rebuild with nothing changed",
            f"{best.seconds:.1f} s ({best.cpu_seconds:.1f} CPU-s), "
            f"{sum(len(b.executed) for b in warm)} runs",
            "≤ 10 s, 0 runs",
            best.seconds <= 10 and not any(b.executed for b in warm),
            [f"runs: {', '.join(f'{b.seconds:.1f} s' for b in warm)} (best shown)"],
        )
    )

    slug = slugs[0]
    measured, ok, details = [], True, []
    for lang in ("en", "zh"):
        if (slug, lang) not in codes:
            continue
        marker = f"BENCH-PROSE-{lang}"
        say(f"prose edit in {lang}/{slug}.md…")
        _append(repo / "docs" / lang / f"{slug}.md", f"\n\nA prose edit: {marker}.\n")
        result = build(repo, cache, work / f"site-prose-{lang}")
        shown = _has(work / f"site-prose-{lang}", lang, slug, marker)
        measured.append(f"{lang}: {len(result.executed)} runs, {result.seconds:.1f} s")
        ok = ok and not result.executed and shown
        details.append(f"{lang}: edit shown in the page: {shown}")
    rows.append(Row(f"edit one page's prose ({slug})", "; ".join(measured), "0 runs", ok, details))

    say(f"touch attention/{eager_module} (mtime only)…")
    os.utime(repo / "attention" / eager_module)
    touched = build(repo, cache, work / "site-touch")

    markers = {m: f"BENCH-MARK-{Path(m).stem}" for m in (lazy_module, eager_module)}
    edits = {}
    for module in (lazy_module, eager_module):
        say(f"edit attention/{module}…")
        _append(repo / "attention" / module, f"\nprint({markers[module]!r})\n")
        edits[module] = build(repo, cache, work / f"site-edit-{Path(module).stem}")
    say("cold build of the edited copy (ground truth)…")
    truth_site = work / "site-truth"
    build(repo, work / "cache-truth", truth_site)

    measured, ok, details = [f"touch only: {len(touched.executed)} runs"], not touched.executed, []
    for n, module in enumerate((lazy_module, eager_module)):
        site = work / f"site-edit-{Path(module).stem}"
        live = list(markers.values())[: n + 1]  # the edits made so far
        expected = {s for s in slugs if _has(truth_site, "en", s, markers[module])}
        ran = edits[module].executed_slugs
        stale = [
            f"{lang}/{s}"
            for s, lang in pages
            for m in live
            if _has(truth_site, lang, s, m) != _has(site, lang, s, m)
        ]
        which = "exactly those importing it" if ran == expected else f"expected {len(expected)}"
        measured.append(
            f"{module}: {len(ran)}/{len(slugs)} chapters re-run ({which}), {len(stale)} stale pages"
        )
        ok = ok and ran == expected and not stale
        details.append(f"{module}: re-ran {sorted(ran)}; importers {sorted(expected)}")
    rows.append(
        Row(
            "edit a file of `attention/`",
            "; ".join(measured),
            "re-runs exactly the chapters importing it; never stale",
            ok,
            details,
        )
    )

    weights = page_weights(work / "site-cold", pages)
    heaviest = weights[0] if weights else (0, "-", [])
    rows.append(
        Row(
            "chapter page weight (HTML + its figures, shared assets excluded), heaviest page",
            f"{heaviest[0] / KB:.0f} kB ({heaviest[1]})",
            "≤ 600 kB",
            bool(weights) and heaviest[0] <= 600 * KB,
            [
                f"{name}: {w / KB:.0f} kB; largest figures: "
                + ", ".join(f"{what} {size / KB:.0f} kB" for size, what in images[:3])
                for w, name, images in weights
            ],
        )
    )
    return rows


# --------------------------------------------------------------------------- the learner's loop
def _module_file(repo: Path, module: str) -> Path:
    """``attention/<module>``, or the ``__init__.py`` of the package it became."""
    path = repo / "attention" / module
    return path if path.is_file() else path.with_suffix("") / "__init__.py"


class Browser:
    """What a browser with a page open does to `mkdocs serve`: it long-polls
    ``/livereload/…`` (naming the page in its ``Referer``) for as long as the page is open."""

    def __init__(self, server: harness.Serve, path: str) -> None:
        self.server, self.path, self.open = server, path, True
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        while self.open and self.server.proc.poll() is None:
            url = f"{self.server.origin}/livereload/{time.monotonic_ns() // 10**6}/1"
            referer = {"Referer": self.server.origin + self.path}
            request = urllib.request.Request(url, headers=referer)
            try:
                with urllib.request.urlopen(request, timeout=70) as response:
                    response.read()
            except OSError:
                time.sleep(0.5)

    def close(self) -> None:
        self.open = False


def serve_rows(work: Path, cache: Path, module: str, open_slug: str, dirty: bool) -> list[Row]:
    """Drive `mkdocs serve` as a learner does: save a file, read the page until it changed.

    A prose edit to a chapter in each language, polling that page; then ``module`` edited with
    ``open_slug``'s English page open in a browser: seconds until that page shows the edit,
    and until every page of every chapter importing it does."""
    mode = "mkdocs serve --dirty" if dirty else "mkdocs serve"
    repo = snapshot(work / ("serve-dirty" if dirty else "serve"))
    codes = chapter_codes(repo / "docs")
    slug = sorted(codes)[0][0]
    say = lambda msg: print(f"  {msg}", file=sys.stderr, flush=True)  # noqa: E731
    nonce = f"{os.getpid()}-{time.time_ns()}"  # never in a cache: every edit is new
    say(f"`{mode}`: first build…")
    server = harness.Serve(repo, *(["--dirty"] if dirty else []), env=_env(repo, cache))
    browser = None
    try:
        first = wait_for(lambda: server.builds_done() or server.proc.poll() is not None, 900, 0.5)
        if first is None or server.proc.poll() is not None:
            raise RuntimeError(f"`{mode}` did not start:\n{''.join(server.lines)[-4000:]}")
        goal = 1 if dirty else 2
        measured, ok = [], True
        for lang in ("en", "zh"):
            marker = f"SERVE-PROSE-{lang}-{nonce}"
            say(f"`{mode}`: prose edit in {lang}/{slug}.md…")
            done, cpu = server.builds_done(), server.cpu_seconds()
            _append(repo / "docs" / lang / f"{slug}.md", f"\n\nA prose edit: {marker}.\n")
            seconds = wait_for(lambda: marker in server.page(lang, slug), 120)  # noqa: B023
            wait_for(lambda: server.builds_done() > done, 120)  # noqa: B023 the build is over
            cpu = server.cpu_seconds() - cpu
            shown = f"{seconds:.1f} s ({cpu:.1f} CPU-s)" if seconds else "never"
            measured.append(f"{lang}: {shown}")
            ok = ok and seconds is not None and seconds <= goal
        rows = [
            Row(
                f"`{mode}`: a prose edit on the served page, after the save",
                "; ".join(measured),
                f"≤ {goal} s",
                ok,
                [f"first build {first:.0f} s; page {slug}"],
            )
        ]

        users = importers(cache, codes, module)
        pages = [(s, lang) for s in users for lang in ("en", "zh") if (s, lang) in codes]
        marker = f"SERVE-MARK-{Path(module).stem}-{nonce}"
        browser = Browser(server, f"/{open_slug}/")
        server.page("en", open_slug)  # the learner opened it
        time.sleep(1)  # the browser's poll has reached the server
        say(f"`{mode}`: edit attention/{module}, {open_slug} open…")
        start_line, cpu = len(server.lines), server.cpu_seconds()
        _append(_module_file(repo, module), f"\nprint({marker!r})\n")
        start = time.perf_counter()
        opened = wait_for(lambda: marker in server.page("en", open_slug), 300, 0.1)
        shown = wait_for(lambda: all(marker in server.page(lang, s) for s, lang in pages), 300)
        every = time.perf_counter() - start if shown is not None else None
        wait_for(lambda: "Reloading browsers" in "".join(server.lines[start_line:]), 60)
        cpu = server.cpu_seconds() - cpu
        executed, _ = parse_log("".join(server.lines[start_line:]))
        ran = sorted({s for s, _, _ in executed})
        stale = [f"{lang}/{s}" for s, lang in pages if marker not in server.page(lang, s)]
        # A chapter that does not import the module must not show it.
        stale += [
            f"{lang}/{s}" for s, lang in codes if s not in users and marker in server.page(lang, s)
        ]
        text = lambda t: f"{t:.1f} s" if t is not None else "never"  # noqa: E731
        rows.append(
            Row(
                f"`{mode}`: edit attention/{module} with {open_slug} open: that page, then every "
                "page of its importers, after the save",
                f"{open_slug}: {text(opened)}; all {len(pages)} pages: {text(every)} "
                f"({cpu:.0f} CPU-s with kernels); {len(stale)} stale",
                "≤ 10 s; ≤ 30 s; never stale",
                opened is not None
                and opened <= 10
                and every is not None
                and every <= 30
                and not stale,
                [f"re-ran {ran}; importers {users}"],
            )
        )
        return rows
    finally:
        if browser is not None:
            browser.close()
        server.close()


def importers(cache: Path, codes: dict, module: str) -> list[str]:
    """The chapters whose last run imported ``attention/<module>``, from the notebook cache
    (the plugin's own record, ``<code key>.deps.json``)."""
    import json
    from importlib import metadata

    from attention_site.notebooks import VERSIONED
    from attention_site.notebooks.cache import execution_key

    versions = {name: metadata.version(name) for name in VERSIONED["execution"]}
    found = set()
    for (slug, _), code in codes.items():
        index = cache / f"{execution_key(code, 'python3', versions)}.deps.json"
        if index.is_file() and module in json.loads(index.read_text())["deps"][0]:
            found.add(slug)
    return sorted(found)


# --------------------------------------------------------------------------- kernels
def dot_product_row(batch: int = 8, n: int = 512, d: int = 64, min_run_time: float = 0.3) -> Row:
    """`DotProductAttention` against `F.scaled_dot_product_attention`, same mask, same run."""
    import torch
    import torch.nn.functional as F
    from torch.utils.benchmark import Timer

    from attention import DotProductAttention

    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(batch, n, d, generator=gen) for _ in range(3))
    valid_lens = torch.randint(1, n + 1, (batch,), generator=gen)  # (B,)
    mask = torch.arange(n) < valid_lens[:, None, None]  # (B, 1, K): True = attend
    attention = DotProductAttention().eval()
    with torch.no_grad():
        ours = attention(q, k, v, valid_lens)
        theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    close = torch.allclose(ours, theirs, atol=1e-5, rtol=1e-4)
    timers = {
        "ours": Timer(
            "with torch.no_grad(): attention(q, k, v, valid_lens)",
            globals={"torch": torch, "attention": attention, "q": q, "k": k, "v": v,
                     "valid_lens": valid_lens},
        ),
        "sdpa": Timer(
            "with torch.no_grad(): F.scaled_dot_product_attention(q, k, v, attn_mask=mask)",
            globals={"torch": torch, "F": F, "q": q, "k": k, "v": v, "mask": mask},
        ),
    }  # fmt: skip
    best = {name: float("inf") for name in timers}
    for _ in range(7):  # alternate, keep the best median: less sensitive to other load
        for name, timer in timers.items():
            best[name] = min(best[name], timer.blocked_autorange(min_run_time=min_run_time).median)
    return kernel_row((batch, n, d), best["ours"], best["sdpa"], close)


def kernel_row(shape: tuple[int, int, int], ours: float, sdpa: float, close: bool) -> Row:
    """The kernel row from its measurements (seconds per call): within 1.5x of SDPA, and the
    same outputs; a fast kernel with wrong outputs fails."""
    ratio = ours / sdpa
    return Row(
        f"`DotProductAttention` forward, {tuple(shape)} fp32, eval, valid_lens mask",
        f"{ratio:.2f}x SDPA ({ours * 1e3:.2f} ms vs {sdpa * 1e3:.2f} ms)",
        "≤ 1.5x",
        ratio <= 1.5 and close,
        [f"outputs match SDPA: {close}"],
    )


_NW_PEAK = textwrap.dedent(
    """
    import gc, json, sys, torch
    from attention import nadaraya_watson
    n, m, kernel = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024

    gen = torch.Generator().manual_seed(0)
    queries, keys = torch.rand(n, generator=gen) * 5, torch.rand(m, generator=gen) * 5
    values = torch.sin(keys)
    nadaraya_watson(queries[:8], keys[:64], values[:64], kernel=kernel)  # warm-up
    gc.collect()
    base = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current RSS
    outputs, weights = nadaraya_watson(queries, keys, values, kernel=kernel)
    peak = status("VmHWM")
    print(json.dumps({"extra": peak - base, "nm": n * m * weights.element_size()}))
    """
)


def nw_peak(n: int, m: int, kernel: str = "gaussian") -> tuple[float, float]:
    """Peak memory of `nadaraya_watson` above what was resident before: (MiB, in (n, m) tensors).

    Measured in a fresh process from the peak resident set (Linux: `/proc/self/status`, reset
    through `/proc/self/clear_refs`): PyTorch's CPU tensors are invisible to `tracemalloc`.
    """
    import json

    out = subprocess.run(
        [sys.executable, "-c", _NW_PEAK, str(n), str(m), kernel],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    return result["extra"] / MB, result["extra"] / result["nm"]


def nw_row(n: int = 1000, m: int = 10_000) -> Row:
    from attention import KERNELS

    if not Path("/proc/self/clear_refs").exists():
        return Row(f"NW pooling, {n} x {m}, peak memory", "needs Linux /proc", "", None)
    peaks = {kernel: nw_peak(n, m, kernel) for kernel in KERNELS}
    mib, tensors = peaks["gaussian"]
    worst = max(t for _, t in peaks.values())
    return Row(
        f"NW pooling, {n:,} queries x {m:,} keys: peak memory above inputs (gaussian; all kernels)",
        f"{mib:.0f} MiB = {tensors:.2f} (n, m) tensors; worst kernel {worst:.2f}",
        "≤ 1.1 (n, m) tensors: the weights, no copies",
        worst <= 1.1,
        [f"{k}: {mb:.0f} MiB = {t:.2f} (n, m)" for k, (mb, t) in peaks.items()],
    )


# --------------------------------------------------------------------------- main
def exit_code(rows: Sequence[Row]) -> int:
    """1 if a row missed its target; rows that only report (ok None) never fail the run."""
    return 1 if any(r.ok is False for r in rows) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", choices=["builds", "serve", "kernels", "reader"], help="one group of rows"
    )
    parser.add_argument(
        "--lazy-module", default="diagrams/scoring_functions.py", help="imported by some chapters"
    )
    parser.add_argument("--eager-module", default="masking.py", help="imported by all chapters")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    parser.add_argument("--output", type=Path, help="also write the report (Markdown) here")
    parser.add_argument("--serve-module", default="masking.py", help="edited under serve")
    parser.add_argument(
        "--serve-open", default="scoring-functions", help="the chapter open under serve"
    )
    parser.add_argument(
        "--cache", type=Path, help="notebook cache for the serve rows (default: the builds')"
    )
    args = parser.parse_args(argv)

    header = machine_header()
    print(header, flush=True)
    rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="attention-bench-"))
    try:
        if args.only in (None, "builds"):
            rows += build_rows(work, args.lazy_module, args.eager_module)
        if args.only in (None, "serve"):
            cache = args.cache or work / "cache"  # after the build rows: warm
            for dirty in (False, True):
                rows += serve_rows(work, cache, args.serve_module, args.serve_open, dirty)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.only in (None, "kernels"):
        rows += [dot_product_row(), nw_row()]
    if args.only in (None, "reader"):  # Lighthouse and first-load bytes (benchmarks/reader.py)
        sys.path.insert(0, str(Path(__file__).parent))
        from reader import reader_rows

        rows += reader_rows(Row)

    table = format_table(rows)
    details = "\n".join(
        f"- {r.what}\n" + "\n".join(f"  - {d}" for d in r.details) for r in rows if r.details
    )
    command = "python benchmarks/run.py" + (f" --only {args.only}" if args.only else "")
    report = f"{header}\n\n{table}\n\nDetails:\n\n{details}\n"
    print(f"\n{table}\n\nDetails:\n{details}")
    if args.output:
        text = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        begin, end = "<!-- results -->", "<!-- /results -->"
        block = f"{begin}\n`{command}`\n\n{report}{end}"
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
        else:
            text += ("\n" if text else "") + block + "\n"
        args.output.write_text(text, encoding="utf-8")
    return exit_code(rows)


if __name__ == "__main__":
    sys.exit(main())
