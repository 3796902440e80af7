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
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python benchmarks/reader.py` from a checkout
from attention_site import harness  # noqa: E402
from attention_site.harness import LANGUAGES  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = str(harness.CHROMIUM)  # the one chromium the tests drive too
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
BUDGET = 1_000_000  # bytes on first load, as tests/website/test_a11y.py
TARGET = "perf ≥ 90, a11y, best practices, SEO 100; first load ≤ 1,000 kB"
RUNS = 3  # Lighthouse runs per page; the median (by performance score) is reported


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
            "--chrome-flags=--headless " + " ".join(harness.CHROMIUM_ARGS),
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
    result = harness.build(out)
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{result.log[-3000:]}")


def reader_rows(row: Callable, site: Path | None = None) -> list:
    """One row per chapter page, made with ``row(what, measured, target, ok, details)``."""
    if not LIGHTHOUSE.exists():
        return [row("reader: Lighthouse", "not run: `npm ci` first", TARGET, None, [])]
    with tempfile.TemporaryDirectory(prefix="attention-reader-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            build(site)
        rows = []
        # Port 8000, the default `site_url`, when free, so canonical links match.
        with harness.StaticServer(site, port=8000) as origin:
            for lang in LANGUAGES:
                for slug in harness.chapters():
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
