"""The reader's rows: Lighthouse 12 (mobile preset) and first-load bytes of every chapter page.

    python benchmarks/run.py --only reader     # these rows in the benchmark table
    python benchmarks/reader.py [--site DIR]   # these rows alone (DIR: an already built site)

Builds the site (`mkdocs build --strict`, the project's notebook cache) unless given one, serves
it on 127.0.0.1 (port 8000, the default `site_url`, when free, so canonical links match), text
gzip-compressed as GitHub Pages serves it, and
runs `node_modules/.bin/lighthouse` (installed by `npm ci` from package-lock.json) against
Debian's chromium on each chapter in both languages. Lighthouse simulates a mid-range phone on
a slow 4G link. Each page is measured RUNS (3) times and the run with the median performance
score is reported, as Lighthouse advises (its blocking time varies from run to run). Scores are
recorded, never asserted; the first-load byte budget is also a test
(tests/website/test_a11y.py).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LANGUAGES = ("en", "zh")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
BUDGET = 1_000_000  # bytes on first load, as tests/website/test_a11y.py
TARGET = "perf ≥ 90, a11y, best practices, SEO 100; first load ≤ 1,000 kB"
RUNS = 3  # Lighthouse runs per page; the median (by performance score) is reported


class _Site(SimpleHTTPRequestHandler):
    """Static files, text compressed with gzip as GitHub Pages serves it, quietly."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzipped and path.is_file() and path.suffix in _COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


_COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt"}


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    """A static server for the site on 127.0.0.1 (port 8000 if free); returns it and its origin."""
    handler = functools.partial(_Site, directory=str(site))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", 8000), handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def lighthouse(url: str) -> dict:
    """Lighthouse's report (JSON) of one page, mobile preset, throttling simulated."""
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless --no-sandbox --disable-gpu",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROME},
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse {url} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)


def summarize(report: dict) -> dict:
    """Scores (0-100), first-load bytes (uncompressed) and requests, the paint timings, the
    failed audits."""
    audits = report["audits"]
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    requests = audits["network-requests"]["details"]["items"]
    failed = sorted(
        {
            audit_id
            for category in CATEGORIES
            if scores[category] < 100
            for ref in report["categories"][category]["auditRefs"]
            if ref["weight"] > 0
            and (audit_id := ref["id"]) in audits
            and audits[audit_id]["score"] is not None
            and audits[audit_id]["score"] < 0.9
        }
    )
    return {
        "scores": scores,
        "bytes": sum(item.get("resourceSize") or 0 for item in requests),
        "transferred": round(audits["total-byte-weight"]["numericValue"]),
        "requests": len(requests),
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "failed": failed,
    }


def build(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{(result.stdout + result.stderr)[-3000:]}")


def chapters() -> list[str]:
    """The chapter pages: the English pages that are notebooks (jupytext front matter)."""
    pages = sorted((ROOT / "docs" / "en").glob("*.md"))
    return [p.stem for p in pages if p.read_text(encoding="utf-8").startswith("---\njupyter:")]


def reader_rows(row: Callable, site: Path | None = None) -> list:
    """One row per chapter page, made with ``row(what, measured, target, ok, details)``."""
    if not LIGHTHOUSE.exists():
        return [row("reader: Lighthouse", "not run: `npm ci` first", TARGET, None, [])]
    with tempfile.TemporaryDirectory(prefix="attention-reader-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            build(site)
        server, origin = serve(site)
        rows = []
        try:
            for lang in LANGUAGES:
                for slug in chapters():
                    path = ("/" if lang == "en" else f"/{lang}/") + f"{slug}/"
                    # Lighthouse's own advice: scores move between runs (the blocking time
                    # most), so report the run with the median performance score.
                    runs = sorted(
                        (summarize(lighthouse(origin + path)) for _ in range(RUNS)),
                        key=lambda s: s["scores"]["performance"],
                    )
                    s = runs[len(runs) // 2]
                    ok = s["bytes"] <= BUDGET and all(
                        s["scores"][c] >= TARGETS[c] for c in CATEGORIES
                    )
                    scores = " · ".join(f"{c} {s['scores'][c]}" for c in CATEGORIES)
                    measured = (
                        f"{scores} · {s['bytes'] / 1000:,.0f} kB in {s['requests']} requests"
                        f" · FCP {s['fcp_s']:.1f} s · LCP {s['lcp_s']:.1f} s · CLS {s['cls']:.2f}"
                    )
                    details = [
                        f"performance in {RUNS} runs: "
                        + ", ".join(str(r["scores"]["performance"]) for r in runs)
                        + f" (median shown); TBT {s['tbt_ms']:.0f} ms;"
                        f" {s['transferred'] / 1000:,.0f} kB transferred (gzip);"
                        f" load average {os.getloadavg()[0]:.1f}"
                    ]
                    if s["failed"]:
                        details.append("audits below 0.9: " + ", ".join(s["failed"]))
                    rows.append(row(f"reader {path}", measured, TARGET, ok, details))
                    print(f"{path}: {measured}", flush=True)
        finally:
            server.shutdown()
            server.server_close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    args = parser.parse_args(argv)

    def row(what, measured, target, ok, details):
        return f"| {what} | {measured} | {target} | {ok} |" + "".join(f"\n  - {d}" for d in details)

    print("\n".join(reader_rows(row, args.site)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
