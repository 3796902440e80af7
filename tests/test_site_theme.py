"""The theme as mkdocs.yml configures it, without a build: the repository link."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config

from attention_site.harness import ROOT


class _Lang:
    """Material's translation macro, enough to render a partial."""

    def t(self, key: str) -> str:
        return key


def test_the_repository_link_comes_from_the_publish_workflow_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """publish.yml sets REPO_URL; the header then links the repository, without the
    data-md-component="source" with which Material's script fetches its stars and forks from
    another host. A local build (no REPO_URL) links none."""
    url = "https://github.com/someone/attention"
    monkeypatch.setenv("REPO_URL", url)
    monkeypatch.setenv("REPO_NAME", "someone/attention")
    config = load_config(str(ROOT / "mkdocs.yml"))
    assert config.repo_url == url
    html = (
        config.theme.get_env()
        .get_template("partials/source.html")
        .render(config=config, lang=_Lang())
    )
    assert f'href="{url}"' in html and "someone/attention" in html
    assert "data-md-component" not in html
    assert "REPO_URL" in (ROOT / ".github" / "workflows" / "publish.yml").read_text("utf-8")

    monkeypatch.delenv("REPO_URL")
    assert load_config(str(ROOT / "mkdocs.yml")).repo_url is None
