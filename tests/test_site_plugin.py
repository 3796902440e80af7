"""The attention-notebooks plugin, part by part, on tiny notebooks and a tiny fake package.

Most tests need no kernel. Those that do start a plain ``python3`` kernel on a two-cell notebook
(a second or two each); one builds a three-page site with MkDocs' own theme, no i18n, to check
the whole loop: shared runs, separate runs, and no stale page after a package edit.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import nbformat
import pytest
from mkdocs.exceptions import PluginError
from nbclient.exceptions import CellExecutionError
from website.conftest import build_site  # tests/ is on the path (pytest puts it there)

from attention_site import harness
from attention_site.markup import fragment
from attention_site.notebooks import NotebooksPlugin, headings, is_notebook
from attention_site.notebooks import render as rendering
from attention_site.notebooks.cache import (
    ExecutionCache,
    deps_digest,
    execution_key,
    package_files,
)
from attention_site.notebooks.execute import (
    Kernel,
    cell_error,
    execute,
    merge_streams,
    package_relative,
)

VERSIONS = {"torch": "2.13.0"}
FRONT_MATTER = harness.FRONT_MATTER


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])


def stream(name: str, text: str) -> dict:
    return {"output_type": "stream", "name": name, "text": text}


@pytest.fixture
def fake_package(tmp_path, monkeypatch) -> Path:
    """``sitepkg`` with two modules, importable here and by kernels started from here."""
    package = tmp_path / "lib" / "sitepkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "alpha.py").write_text("VALUE = 'alpha-1'\n")
    (package / "beta.py").write_text("VALUE = 'beta-1'\n")
    monkeypatch.syspath_prepend(str(package.parent))
    paths = [str(package.parent), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    return package


# --------------------------------------------------------------------------- cache key
def test_execution_key_is_the_code_not_the_prose() -> None:
    code = ["import sitepkg", "print('weights')"]
    assert execution_key(code, "python3", VERSIONS) == execution_key(code, "python3", VERSIONS)
    # An English and a Chinese page whose code differs only in a string run separately.
    chinese = ["import sitepkg", "print('权重')"]
    assert execution_key(code, "python3", VERSIONS) != execution_key(chinese, "python3", VERSIONS)
    assert execution_key(code, "python3", VERSIONS) != execution_key(code, "other", VERSIONS)
    newer = {"torch": "2.14.0"}
    assert execution_key(code, "python3", VERSIONS) != execution_key(code, "python3", newer)


def test_execution_key_follows_the_device(monkeypatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "cpu")
    on_cpu = execution_key(["x = 1"], "python3", VERSIONS)
    monkeypatch.setenv("ATTENTION_DEVICE", "cuda")
    assert execution_key(["x = 1"], "python3", VERSIONS) != on_cpu


def test_deps_digest_covers_imported_and_data_files_only() -> None:
    files = {"alpha.py": "a1", "beta.py": "b1", "table.csv": "t1"}
    base = deps_digest(["alpha.py"], files)
    assert deps_digest(["alpha.py"], {**files, "beta.py": "b2"}) == base  # not imported
    assert deps_digest(["alpha.py"], {**files, "alpha.py": "a2"}) != base
    assert deps_digest(["alpha.py"], {**files, "table.csv": "t2"}) != base  # data: always


def test_package_files_hashes_sources_not_bytecode(fake_package) -> None:
    (fake_package / "__pycache__").mkdir()
    (fake_package / "__pycache__" / "alpha.cpython-311.pyc").write_bytes(b"\0")
    folder, files = package_files("sitepkg")
    assert folder == fake_package.resolve()
    assert sorted(files) == ["__init__.py", "alpha.py", "beta.py"]
    with pytest.raises(PluginError, match="not importable"):
        package_files("no_such_package_here")


# --------------------------------------------------------------------------- invalidation
def test_a_package_edit_invalidates_exactly_the_runs_that_imported_it(tmp_path) -> None:
    files = {"__init__.py": "i", "alpha.py": "a1", "beta.py": "b1"}
    ExecutionCache(tmp_path, files).store("k-alpha", ["__init__.py", "alpha.py"], [["a"]])
    ExecutionCache(tmp_path, files).store("k-beta", ["__init__.py", "beta.py"], [["b"]])
    edited = ExecutionCache(tmp_path, {**files, "alpha.py": "a2"})
    assert edited.load("k-alpha") is None
    assert edited.load("k-beta") == [["b"]]
    # Editing it back finds the first run again: each code key remembers recent import sets.
    assert ExecutionCache(tmp_path, files).load("k-alpha") == [["a"]]


def test_prune_deletes_only_long_unused_files(tmp_path) -> None:
    cache = ExecutionCache(tmp_path, {"a.py": "1"})
    cache.store("old", ["a.py"], [])
    cache.store("new", ["a.py"], [])
    for path in tmp_path.glob("old*"):
        os.utime(path, (0, 0))
    cache.prune(max_age_s=3600)
    assert cache.lookup("old") is None
    assert cache.lookup("new") is not None


# --------------------------------------------------------------------------- execution
def test_merge_streams_joins_consecutive_prints_of_one_stream() -> None:
    figure = {"output_type": "display_data", "data": {}, "metadata": {}}
    outputs = [
        stream("stdout", "a\n"),
        stream("stdout", "b\n"),
        stream("stderr", "warn\n"),
        stream("stderr", "again\n"),
        figure,
        stream("stdout", "c\n"),
    ]
    assert merge_streams(outputs) == [
        stream("stdout", "a\nb\n"),
        stream("stderr", "warn\nagain\n"),
        figure,
        stream("stdout", "c\n"),
    ]


def test_cell_error_names_page_code_cell_and_error() -> None:
    nb = notebook(("markdown", "# T"), ("code", "x = 1"), ("markdown", "p"), ("code", "1 / 0"))
    err = CellExecutionError("traceback", "ZeroDivisionError", "division by zero")
    message = str(cell_error("en/chapter.md", nb, 3, err))
    assert "Notebook en/chapter.md: code cell 2 failed (cell 4 of the notebook)" in message
    assert "1 / 0" in message
    assert "ZeroDivisionError: division by zero" in message


def test_package_relative_refuses_another_copy_of_the_package(tmp_path) -> None:
    folder = tmp_path / "pkg"
    assert package_relative([str(folder / "b.py"), str(folder / "a.py")], folder) == [
        "a.py",
        "b.py",
    ]
    assert package_relative([str(tmp_path / "elsewhere" / "a.py")], folder) is None


@pytest.mark.site
def test_execute_reports_the_package_files_imported(fake_package, tmp_path) -> None:
    nb = notebook(("code", "import sitepkg.alpha"), ("code", "print(1)\nprint(2)"))
    imported = execute(nb, "en/x.md", kernel="python3", cwd=tmp_path, timeout=60, package="sitepkg")
    assert package_relative(imported, fake_package.resolve()) == ["__init__.py", "alpha.py"]
    assert [o["text"] for o in nb.cells[1].outputs] == ["1\n2\n"]  # merged, whatever the timing
    assert all(cell.execution_count is None for cell in nb.cells)


@pytest.mark.site
def test_a_shared_kernel_gives_each_notebook_a_fresh_kernels_state(fake_package, tmp_path):
    """What a chapter changes must not reach the next chapter its kernel runs: the namespace,
    the package's modules (and so the files it imported), warning filters, rcParams, torch's
    default dtype and grad mode."""
    meddler = notebook(
        (
            "code",
            "import warnings, matplotlib, torch, sitepkg.alpha, sitepkg.beta\n"
            "x = 1\nsitepkg.alpha.VALUE = 'changed'\nwarnings.simplefilter('ignore')\n"
            "matplotlib.rcParams['lines.linewidth'] = 9\n"
            "torch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)",
        )
    )
    look = (
        "import warnings, matplotlib, torch, sitepkg.alpha\n"
        "print('x' in dir(), sitepkg.alpha.VALUE, matplotlib.rcParams['lines.linewidth'])\n"
        "print(torch.zeros(1).dtype, torch.get_default_dtype(), torch.is_grad_enabled())\n"
        "warnings.warn('shown')"
    )
    options = dict(kernel="python3", cwd=tmp_path, timeout=60, package="sitepkg")
    with Kernel(**options, preload=["torch", "matplotlib"]) as kernel:
        kernel.run(notebook(("code", "1 + 1")), "en/first.md")
        fresh = notebook(("code", look))
        fresh_imports = kernel.run(fresh, "en/fresh.md")
    with Kernel(**options, preload=["torch", "matplotlib"]) as kernel:
        kernel.run(meddler, "en/meddler.md")
        after = notebook(("code", look))
        after_imports = kernel.run(after, "en/after.md")
    printed, warned = after.cells[0].outputs  # stdout, then stderr (which names the kernel's pid)
    assert printed == fresh.cells[0].outputs[0]
    assert printed["text"] == "False alpha-1 1.5\ntorch.float32 torch.float32 True\n"
    assert "UserWarning: shown" in warned["text"]
    assert package_relative(after_imports, fake_package.resolve()) == ["__init__.py", "alpha.py"]
    assert after_imports == fresh_imports


@pytest.mark.site
def test_a_failing_cell_raises_naming_page_and_cell(fake_package, tmp_path) -> None:
    nb = notebook(("code", "x = 1"), ("markdown", "text"), ("code", "raise ValueError('bad x')"))
    with pytest.raises(PluginError, match=r"en/x\.md: code cell 2 failed") as info:
        execute(nb, "en/x.md", kernel="python3", cwd=tmp_path, timeout=60, package="sitepkg")
    assert "ValueError: bad x" in str(info.value)


# --------------------------------------------------------------------------- rendering
def test_unicode_heading_ids_match_the_toc_extension() -> None:
    """The same ids as mkdocs.yml's `toc` extension gives the same headings in Markdown."""
    import markdown
    from pymdownx.slugs import slugify

    html = (
        '<h1 id="Attention-cues">注意力提示<a class="anchor-link" href="#Attention-cues">¶</a></h1>'
        "<h2>The same with <code>DotProductAttention</code></h2>"
        "<h3>Q &amp; A</h3><h3>Q &amp; A</h3>"
    )
    source = "# 注意力提示\n\n## The same with `DotProductAttention`\n\n### Q & A\n\n### Q & A\n"
    toc = markdown.Markdown(
        extensions=["toc"], extension_configs={"toc": {"slugify": slugify(case="lower")}}
    )
    expected = re.findall(r'<h\d id="([^"]*)">', toc.convert(source))
    assert expected == ["注意力提示", "the-same-with-dotproductattention", "q--a", "q--a_1"]
    tree = fragment(html)
    rendering.unicode_heading_ids(tree)
    ids = re.findall(r'<h\d id="([^"]*)">', tree.html)
    assert ids == expected
    assert tree.html.count('class="anchor-link"') == 4
    again = tree.html
    rendering.unicode_heading_ids(tree)
    assert tree.html == again  # a prose edit does it again on the finished page


def test_style_blocks_go_to_one_stylesheet_each_once() -> None:
    tree = fragment("<style>a{}</style>\n<p>x</p><style>b{}</style>")
    css = rendering.split_styles(tree)
    assert (tree.html, css) == ("<p>x</p>", ["a{}", "b{}"])
    collected: list[str] = []
    rendering.collect_css(collected, css)
    rendering.collect_css(collected, ["b{}", "c{}"])
    assert collected == ["a{}", "b{}", "c{}"]


def test_finish_links_the_notebook_and_drops_remote_scripts() -> None:
    html = '<script src="https://cdn/mathjax.js"></script><h1 id="t">T</h1><h1 id="u">U</h1>'
    finished, css = rendering.finish(html, "chapter", "zh")
    assert "mathjax" not in finished and css == []
    assert finished.count('href="chapter.ipynb" download') == 1
    assert "下载本章的 Jupyter 笔记本" in finished.split("</h1>")[1]
    assert rendering.finish(finished, "chapter", "zh")[0] == finished  # done once


def test_the_unused_mermaid_loader_is_dropped() -> None:
    mermaid = (
        '<script type="module">\n  document.addEventListener("DOMContentLoaded", async () => {\n'
        '    const diagrams = document.querySelectorAll(".jp-Mermaid > pre.mermaid");\n'
        "    if (!diagrams.length) { return; }\n  });\n</script>\n"
    )
    assert rendering.finish(f"<p>x</p>{mermaid}", "c", "en")[0] == "<p>x</p>"
    used = mermaid + '<div class="jp-Mermaid"></div>'
    assert rendering.finish(used, "c", "en")[0] == used


def test_headings_skip_comments_in_fenced_code() -> None:
    nb = notebook(
        ("markdown", "# Title\n\ntext\n\n```python\n# not a heading\n```\n\n## Part"),
        ("code", "# a comment in a code cell"),
        ("markdown", "~~~\n# nor this\n~~~\n### Sub"),
    )
    assert headings(nb) == "# Title\n\n## Part\n\n### Sub"


def test_is_notebook_needs_a_python_kernelspec() -> None:
    assert is_notebook({"jupyter": {"kernelspec": {"language": "python"}}})
    assert not is_notebook({"jupyter": {"kernelspec": {"language": "R"}}})
    assert not is_notebook({"title": "Home"})


# --------------------------------------------------------------------------- start-up check
def test_start_up_check_passes_on_the_installed_mkdocs_jupyter() -> None:
    rendering.check_mkdocs_jupyter()


def test_start_up_check_names_the_version_when_nb2html_is_gone(monkeypatch) -> None:
    from mkdocs_jupyter import convert

    monkeypatch.delattr(convert, "nb2html")
    version = rendering.mkdocs_jupyter_version()
    with pytest.raises(PluginError, match=rf"mkdocs-jupyter {re.escape(version)}: .*missing"):
        NotebooksPlugin().on_startup(command="build", dirty=False)


def test_start_up_check_names_options_nb2html_no_longer_takes(monkeypatch) -> None:
    from mkdocs_jupyter import convert

    def nb2html(nb_path, execute=False, theme="light"):  # an upstream rename of the rest
        raise AssertionError("not called by the check")

    monkeypatch.setattr(convert, "nb2html", nb2html)
    with pytest.raises(PluginError, match=r"no longer takes \['allow_errors', "):
        rendering.check_mkdocs_jupyter()


# --------------------------------------------------------------------------- a tiny site
def write_chapter(docs: Path, page: str, code: list[str], prose: str) -> None:
    cells = "\n\n".join(f"```python\n{source}\n```" for source in code)
    path = docs / page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{FRONT_MATTER}# {prose}\n\n## {prose} part\n\n{cells}\n", encoding="utf-8")


def build(site: Path, out: Path) -> str:
    result = build_site(out, config_dir=site, timeout=300)
    log = result.log
    assert result.returncode == 0, log[-3000:]
    return log


def runs(log: str) -> list[str]:
    return sorted(re.findall(r"notebook (\S+ \[\w*\]): executed in", log))


@pytest.mark.site
def test_tiny_site_executes_once_per_code_and_never_serves_a_stale_page(fake_package, tmp_path):
    """en and zh of `shared` have the same code: one run. `own` prints another string: its own
    run. Then an edit to sitepkg/beta.py re-runs exactly `own` (the only importer of beta),
    and every page shows what the package says now."""
    site = tmp_path / "site"
    docs = site / "docs"
    docs.mkdir(parents=True)
    (site / "mkdocs.yml").write_text(
        "site_name: tiny\nplugins:\n  - attention-notebooks:\n"
        f"      cache_dir: {tmp_path / 'cache'}\n      jobs: 2\n      package: sitepkg\n",
        encoding="utf-8",
    )
    shared = ["import sitepkg.alpha", "print(sitepkg.alpha.VALUE)"]
    write_chapter(docs, "en/shared.md", shared, "Shared")
    write_chapter(docs, "zh/shared.md", shared, "共享")
    own = ["import sitepkg.beta", "print('value:', sitepkg.beta.VALUE)"]
    write_chapter(docs, "en/own.md", own, "Own")

    def page(out: Path, name: str) -> str:
        return (out / name / "index.html").read_text(encoding="utf-8")

    log = build(site, tmp_path / "out1")
    assert runs(log) == ["own [en]", "shared [en]"], log  # zh/shared: cached from en's run
    assert re.findall(r"notebook (shared \[zh\]): cached", log) == ["shared [zh]"]
    assert "alpha-1" in page(tmp_path / "out1", "zh/shared")
    assert 'id="共享-part"' in page(tmp_path / "out1", "zh/shared")
    assert (tmp_path / "out1" / "zh" / "shared" / "shared.ipynb").is_file()

    log = build(site, tmp_path / "out2")
    assert runs(log) == [], f"a rebuild with nothing changed executed again:\n{log[-3000:]}"

    (fake_package / "beta.py").write_text("VALUE = 'beta-two'\n")  # another size: no stale .pyc
    log = build(site, tmp_path / "out3")
    assert runs(log) == ["own [en]"], f"expected only the importer of beta.py to run:\n{log}"
    assert "beta-two" in page(tmp_path / "out3", "en/own"), "en/own is stale"
    assert "alpha-1" in page(tmp_path / "out3", "en/shared")


# --------------------------------------------------------------------------- serve
def test_shared_bytecode_compiles_a_template_once_per_source(monkeypatch) -> None:
    import jinja2

    from attention_site.serve import SharedBytecode

    sources = {"page.html": "Hello {{ name }}"}
    shared = SharedBytecode()

    def environment() -> jinja2.Environment:
        return jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=shared)

    compiled = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda self, *a, **k: compiled.append(a[0]) or original(self, *a, **k),
    )
    assert environment().get_template("page.html").render(name="a") == "Hello a"
    assert environment().get_template("page.html").render(name="b") == "Hello b"  # a rebuild
    assert len(compiled) == 1
    sources["page.html"] = "Bye {{ name }}"  # an edited template is compiled again
    assert environment().get_template("page.html").render(name="c") == "Bye c"
    assert len(compiled) == 2


def test_dirty_build_warning_is_dropped_and_others_kept() -> None:
    from attention_site.serve import DirtyBuildAnswered

    def record(msg: str):
        return logging.LogRecord("mkdocs.commands.build", logging.WARNING, "", 0, msg, (), None)

    assert not DirtyBuildAnswered().filter(record("A 'dirty' build is being performed, this"))
    assert DirtyBuildAnswered().filter(record("Doc file 'x.md' contains a link"))


@pytest.mark.site
def test_dirty_builds_rerender_exactly_the_pages_a_package_edit_changes(fake_package, tmp_path):
    """Under `mkdocs serve --dirty` MkDocs re-renders a page only if its output is missing or
    older than its source; `invalidate` deletes the outputs that a package edit makes stale."""
    from types import SimpleNamespace

    from mkdocs.structure.files import File, Files

    docs, site = tmp_path / "docs", tmp_path / "site"
    write_chapter(docs, "en/ch.md", ["import sitepkg.alpha"], "Chapter")
    (docs / "en" / "reference.md").write_text("# API\n\n::: sitepkg.alpha\n", encoding="utf-8")
    (docs / "en" / "index.md").write_text("# Home\n", encoding="utf-8")
    plugin = NotebooksPlugin()
    plugin.load_config({"package": "sitepkg", "cache_dir": str(tmp_path / "cache")})
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), docs_dir=str(docs))
    names = ("en/ch.md", "en/reference.md", "en/index.md")
    files = Files([File(name, str(docs), str(site), True) for name in names])

    def rebuild() -> list[str]:
        """Outputs written for every page; the ones invalidate deleted, by source name."""
        plugin.on_config(config)
        for file in files:
            Path(file.abs_dest_path).parent.mkdir(parents=True, exist_ok=True)
            Path(file.abs_dest_path).write_text("built", encoding="utf-8")
        plugin.invalidate(files)
        deleted = [f.src_uri for f in files if not Path(f.abs_dest_path).exists()]
        return deleted

    plugin.on_config(config)
    plugin.cache.store(plugin.code_key(docs / "en" / "ch.md"), ["alpha.py"], [[]])
    assert rebuild() == ["en/ch.md", "en/reference.md"]  # first build: not known yet
    assert rebuild() == []  # a prose edit: MkDocs sees the newer source itself
    (fake_package / "beta.py").write_text("VALUE = 'beta-2'\n")  # not imported by ch.md
    assert rebuild() == ["en/reference.md"]
    (fake_package / "alpha.py").write_text("VALUE = 'alpha-2'\n")
    assert rebuild() == ["en/ch.md", "en/reference.md"]
