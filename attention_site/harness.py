"""Build, serve and browse the site: the one copy the tests and the benchmarks share.

* `chapters` — the chapter pages, read from the ``nav`` of ``mkdocs.yml`` (the one list).
* `build` — ``mkdocs build --strict`` in a subprocess, timed, with the notebooks plugin's log
  parsed (which chapters executed, which came from the cache).
* `Serve` — ``mkdocs serve`` on a free port, its log kept; `wait_for` polls a condition.
* `StaticServer` — the built site on 127.0.0.1, as a static host serves it.
* `chromium` — Debian's chromium through Playwright, or a skip (a failure under ``CI=true``).

Not imported by the site's plugins; no test framework needed to import it.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "zh")
CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# The jupytext header that makes a Markdown page a chapter (a notebook the plugin executes).
FRONT_MATTER = """\
---
jupyter:
  kernelspec:
    display_name: Python 3
    language: python
    name: python3
---

"""
_LOG_LINE = re.compile(r"notebook (\S+) \[(\w+)\]: (?:executed in ([\d.]+) s|(cached))")
_NAV_ENTRY = re.compile(r"^\s*-\s+(?:[^:\n]+:\s+)?(\S+\.md)\s*$", re.M)


# --------------------------------------------------------------------------- chapters
def nav_pages(root: Path = ROOT) -> tuple[str, ...]:
    """The pages of the ``nav`` of ``mkdocs.yml`` in reading order, as source paths
    (``index.md``, ``attention-cues.md``, ...)."""
    nav = (root / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    nav = re.split(r"\n(?=\S)", nav, maxsplit=1)[0]  # up to the next top-level key
    return tuple(_NAV_ENTRY.findall(nav))


def chapters(root: Path = ROOT) -> tuple[str, ...]:
    """The chapter slugs in reading order: the pages of the ``nav`` that are notebooks
    (a jupytext front matter), so a chapter is added in one place, ``mkdocs.yml``."""
    slugs = []
    for page in nav_pages(root):
        source = root / "docs" / "en" / page
        if source.read_text(encoding="utf-8").startswith("---\njupyter:"):
            slugs.append(page.removesuffix(".md"))
    return tuple(slugs)


# --------------------------------------------------------------------------- build
@dataclass
class BuildResult:
    returncode: int
    log: str  # everything `mkdocs build` printed
    seconds: float  # wall clock
    cpu_seconds: float  # user + system, mkdocs and its kernels
    executed: list[tuple[str, str, float]]  # (slug, lang, seconds) run in a kernel
    cached: list[tuple[str, str]]  # (slug, lang) served from the notebook cache

    @property
    def executed_slugs(self) -> set[str]:
        return {slug for slug, _, _ in self.executed}


def parse_log(log: str) -> tuple[list[tuple[str, str, float]], list[tuple[str, str]]]:
    """The notebooks plugin's progress lines: chapters executed (slug, lang, seconds), cached."""
    executed, cached = [], []
    for slug, lang, seconds, hit in _LOG_LINE.findall(log):
        if hit:
            cached.append((slug, lang))
        else:
            executed.append((slug, lang, float(seconds)))
    return executed, cached


def build(
    out: Path, *, config_dir: Path = ROOT, env: dict | None = None, timeout: float = 900
) -> BuildResult:
    """``mkdocs build --strict -d out`` in ``config_dir``; never raises on a failed build (the
    caller asserts, so a test can check that a build fails)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=config_dir,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=timeout,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log = proc.stdout + proc.stderr
    return BuildResult(proc.returncode, log, seconds, cpu, *parse_log(log))


# --------------------------------------------------------------------------- mkdocs serve
def wait_for(condition, timeout: float, interval: float = 0.05) -> float | None:
    """Seconds until ``condition()`` holds (polled), or None after ``timeout`` seconds."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if condition():
            return time.perf_counter() - start
        time.sleep(interval)
    return None


class Serve:
    """``mkdocs serve *args`` in ``config_dir`` on a free port, its log collected line by line;
    ``with Serve(...) as server:`` stops it on exit."""

    def __init__(self, config_dir: Path, *args: str, env: dict | None = None) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *args],
            cwd=config_dir,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True).start()

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def log(self) -> str:
        return "".join(self.lines)

    def get(self, path: str, timeout: float = 10) -> str:
        """The served text at ``path`` ("" while the server cannot answer)."""
        try:
            with urllib.request.urlopen(self.origin + path, timeout=timeout) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    def page(self, lang: str, slug: str) -> str:
        return self.get(("/" if lang == "en" else f"/{lang}/") + f"{slug}/", timeout=5)

    def builds_done(self) -> int:
        """Finished builds: the first ("Serving on") and every rebuild ("Reloading browsers")."""
        return sum("Serving on" in line or "Reloading browsers" in line for line in self.lines)

    def cpu_seconds(self) -> float:
        """CPU time of the server and of its finished kernels so far (Linux; 0 without /proc).
        A prose rebuild is single-threaded, so its CPU time is what it takes on an idle core,
        whatever else the machine runs."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # u, s, cu, cs

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --------------------------------------------------------------------------- a static host
_COMPRESSED = frozenset({".html", ".css", ".js", ".json", ".svg", ".xml", ".txt"})


class _StaticFiles(SimpleHTTPRequestHandler):
    """A static host as GitHub Pages is: text gzip-compressed when the client accepts it (as
    Lighthouse measures), quiet. One thing more: the built sitemaps name ``site_url``, and
    Material navigates instantly only to pages its sitemap lists, so they are served with this
    server's own origin."""

    site_url = origin = ""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file() or (path.name != "sitemap.xml" and path.suffix not in _COMPRESSED):
            return super().send_head()
        body = path.read_bytes()
        if path.name == "sitemap.xml" and self.site_url:
            body = body.replace(self.site_url.encode(), (self.origin + "/").encode())
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class StaticServer:
    """The built ``site`` on 127.0.0.1: ``with StaticServer(site) as origin: ...``.

    ``port`` 0 takes a free port; a wanted port that is busy falls back to a free one.
    ``site_url``: the address the site was built for, rewritten to this origin in sitemaps.
    """

    def __init__(self, site: Path, *, port: int = 0, site_url: str = "") -> None:
        handler = type("Handler", (_StaticFiles,), {"site_url": site_url})
        bound = functools.partial(handler, directory=str(site))
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), bound)
        except OSError:
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self.origin = handler.origin = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self.origin

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- a browser
def missing_browser_parts(*extra: Path) -> list[str]:
    """What is missing to drive a browser: chromium, Playwright, and any ``extra`` file."""
    missing = [str(p) for p in (CHROMIUM, *extra) if not p.exists()]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    return missing


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless chromium (Playwright's ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()
