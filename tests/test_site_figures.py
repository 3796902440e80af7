"""Figures and explorables from a chapter's outputs to files beside its page
(attention_site/notebooks/figures.py), without building the site."""

from __future__ import annotations

import json
import re

import nbformat
import torch

from attention import show_heatmaps
from attention.explorables import Explorable
from attention_site.notebooks import figures


def output_of(obj) -> nbformat.NotebookNode:
    """The output a kernel records when a cell displays ``obj``."""
    data, meta = obj._repr_mimebundle_()
    return nbformat.v4.new_output("display_data", data=data, metadata=meta)


def notebook_with(*outputs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("fig")
    cell.outputs = list(outputs)
    plain = nbformat.v4.new_code_cell("print(1)")
    plain.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    return nbformat.v4.new_notebook(cells=[cell, plain])


def test_a_figure_becomes_a_file_and_two_described_images_of_it(tmp_path) -> None:
    fig = show_heatmaps(torch.eye(3)).describe('an identity matrix: "ones" on the diagonal')
    nb = notebook_with(output_of(fig))
    page, files = figures.write_outputs(nb, "en")
    ((name, svg),) = files.items()
    assert re.fullmatch(r"figure-[0-9a-f]{10}\.svg", name)
    assert svg == nb.cells[0].outputs[0].data["image/svg+xml"]  # as the cell drew it
    markup = page.cells[0].outputs[0].data["text/html"]
    images = re.findall(r"<img [^>]*>", markup)
    assert [re.search(r'src="([^"]+)"', i).group(1) for i in images] == [
        f"{name}#only-light",
        f"{name}#only-dark",
    ]
    width = round(float(re.search(r'width="([\d.]+)pt"', svg).group(1)) * 4 / 3)
    for image in images:  # described, sized (nothing shifts), fetched as it nears the screen
        assert 'alt="an identity matrix: &quot;ones&quot; on the diagonal"' in image
        assert f'width="{width}"' in image and 'loading="lazy"' in image
    assert page.cells[1] == nb.cells[1]  # other outputs untouched
    assert "image/svg+xml" in nb.cells[0].outputs[0].data  # the downloaded notebook keeps it
    assert figures.write_outputs(nb, "en") == (page, files)  # deterministic
    figures.write_files(tmp_path, files)
    assert (tmp_path / name).read_text(encoding="utf-8") == svg


def test_an_explorable_becomes_its_spec_a_still_and_a_described_figure(tmp_path) -> None:
    spec = {
        "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 1}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "x", "type": "ordinal"},
            "y": {"field": "y", "type": "quantitative"},
        },
        "width": "container",
    }
    demo = Explorable(spec, "two bars: the first twice as tall as the second", "demo")
    page, files = figures.write_outputs(notebook_with(output_of(demo)), "zh", tmp_path)
    still = next(n for n in files if n.startswith("explorable-"))
    assert json.loads(files["attn-explorable-demo.json"]) == spec  # what explorables.js draws
    assert files[still].startswith("<svg") and "<rect" in files[still]  # drawn without a browser
    markup = page.cells[0].outputs[0].data["text/html"]
    assert 'data-attn-spec="attn-explorable-demo.json"' in markup and 'lang="zh"' in markup
    assert f'src="{still}"' in markup
    assert ">two bars: the first twice as tall as the second</figcaption>" in markup
    assert list(tmp_path.glob("still-*.svg")), "the still is cached"
    again, same = figures.write_outputs(notebook_with(output_of(demo)), "zh", tmp_path)
    assert (again.cells[0].outputs, same) == (page.cells[0].outputs, files)  # deterministic
