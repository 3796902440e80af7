"""Figures and explorables out of a chapter's outputs, into files beside its page, before
nbconvert renders it: the one path from a cell to the page.

* A figure (`attention.plotting.DisplayFigure`) is an ``image/svg+xml`` output whose metadata
  holds its description (``alt``). Its SVG is written as it is to ``figure-<hash>.svg`` and the
  output becomes a ``<figure>`` of two plain images of that file, ``#only-light`` and
  ``#only-dark``: Material shows the one of the reader's scheme, and the file draws itself in
  the matching colours (the fragment is its ``:target``). Both name one file, fetched once;
  ``loading="lazy"`` fetches it as it nears the screen, and a browser fetches every lazy image
  before it prints. No JavaScript is needed, and ``file://`` shows them.
* An explorable (`attention.explorables.Explorable`) is a Vega-Lite output named in its
  metadata. Its spec goes to ``<name>.json`` (which ``explorables.js`` fetches to draw the live
  chart) and a still of its first state, drawn by ``vl-convert`` from the same spec, to
  ``explorable-<hash>.svg``: what a reader without JavaScript, a printout or ``file://`` sees.

Names are hashes of the content, so two builds write the same files and a changed figure gets a
new name (no stale cache). The notebook a reader downloads keeps the original outputs.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from importlib import metadata
from pathlib import Path

import nbformat

SVG = "image/svg+xml"
VEGALITE = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"')
STILL_WIDTH = 640  # CSS px: the text column's width on a desktop, where "container" was
_PX_PER_PT = 4 / 3


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _vegalite(data: dict, meta: dict) -> str | None:
    """The Vega-Lite MIME type of an explorable's output, or None."""
    found = (m for m in data if VEGALITE.match(m) and "attention" in meta.get(m, {}))
    return next(found, None)


def _name(kind: str, text: str, suffix: str = "svg") -> str:
    return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:10]}.{suffix}"


def _size(svg: str) -> tuple[int, int]:
    """The SVG's width and height in CSS px (matplotlib sizes in pt, vega in px)."""
    match = _SIZE.search(svg)
    if match is None:
        raise ValueError(f"figure: an SVG without width and height: {svg[:120]!r}")
    width, w_unit, height, h_unit = match.groups()
    return (
        round(float(width) * (_PX_PER_PT if w_unit == "pt" else 1)),
        round(float(height) * (_PX_PER_PT if h_unit == "pt" else 1)),
    )


def figure_html(file: str, alt: str, svg: str) -> str:
    """The page's markup of a figure: the file in the light and the dark scheme."""
    width, height = _size(svg)
    alt = html.escape(alt, quote=True)
    images = "".join(
        f'<img class="attn-figure__img" src="{file}#only-{scheme}" alt="{alt}" width="{width}"'
        f' height="{height}" loading="lazy" decoding="async">'
        for scheme in ("light", "dark")
    )
    return f'<figure class="attn-figure">{images}</figure>'


def explorable_html(about: dict, lang: str, spec_file: str, still_file: str, still: str) -> str:
    """The page's markup of an explorable: its still, described, naming its spec's file."""
    name, description = about["name"], html.escape(about["description"])
    width, height = _size(still)
    desc_id = f"attn-explorable-{name}-desc"
    return (
        f'<figure class="attn-explorable" id="attn-explorable-{name}" '
        f'aria-describedby="{desc_id}" lang="{lang}" data-attn-spec="{spec_file}">'
        f'<div class="attn-explorable-chart"><img class="attn-explorable-still" src="{still_file}"'
        f' alt="" width="{width}" height="{height}" loading="lazy" decoding="async"></div>'
        f'<figcaption class="attn-explorable-desc" id="{desc_id}">{description}</figcaption>'
        "</figure>"
    )


def vl_convert_version() -> str:
    return metadata.version("vl-convert-python")


def draw_still(spec: dict, cache: Path | None = None) -> str:
    """The chart of a Vega-Lite spec in its first state, as SVG (``vl-convert``, no browser),
    at the text column's width; cached under ``cache`` by spec and vl-convert version."""
    spec = {**spec, "width": STILL_WIDTH} if spec.get("width") == "container" else spec
    text = _json(spec)
    path = cache / _name("still", text + vl_convert_version()) if cache else None
    if path is not None and path.is_file():
        path.touch()  # used: kept by the cache's pruning
        return path.read_text(encoding="utf-8")
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    return svg


def write_outputs(
    nb: nbformat.NotebookNode, lang: str, cache: Path | None = None
) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    """A copy of ``nb`` whose figure and explorable outputs are HTML naming files, and those
    files (name -> text) to write beside the page."""
    nb = copy.deepcopy(nb)
    files: dict[str, str] = {}
    for cell in nb.cells:
        for index, output in enumerate(cell.get("outputs", [])):
            data, meta = output.get("data", {}), output.get("metadata", {})
            if SVG in data and "alt" in meta.get(SVG, {}):
                svg = data[SVG]
                file = _name("figure", svg)
                files[file] = svg
                markup = figure_html(file, meta[SVG]["alt"], svg)
            elif vega := _vegalite(data, meta):
                about, spec = meta[vega]["attention"], data[vega]
                spec_text = _json(spec)
                spec_file = f"attn-explorable-{about['name']}.json"
                still = draw_still(spec, cache)
                still_file = _name("explorable", still)
                files[spec_file], files[still_file] = spec_text, still
                markup = explorable_html(about, lang, spec_file, still_file, still)
            else:
                continue
            cell.outputs[index] = nbformat.v4.new_output("display_data", data={"text/html": markup})
    return nb, files


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write each file into ``folder`` unless it holds the same text already (a `mkdocs serve`
    rebuild rewrites nothing that did not change)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
