"""Shared fixtures for the site checks: one strict build of the whole site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "zh")
CHAPTERS = (
    "attention-cues",
    "nadaraya-watson",
    "scoring-functions",
    "queries-keys-values",
    "self-attention",
)
PAGES = ("", *CHAPTERS, "glossary", "reference")  # "" is the home page


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the built site folder
    log: str  # everything `mkdocs build` printed

    def page(self, lang: str, slug: str) -> Path:
        """The HTML file of a page: English at /, Chinese at /zh/."""
        prefix = self.root if lang == "en" else self.root / lang
        return prefix / slug / "index.html" if slug else prefix / "index.html"


def build_site(out: Path, *, config_dir: Path = ROOT, env: dict | None = None):
    """Run `mkdocs build --strict` into ``out``; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=config_dir,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=900,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    out = tmp_path_factory.mktemp("site")
    result = build_site(out)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    return BuiltSite(out, log)
