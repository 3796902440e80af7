"""The schematic diagrams: real figures, drawn without pyplot, byte-for-byte reproducible."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from attention import diagrams

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DIAGRAMS: list[Callable[[], Figure]] = [getattr(diagrams, name) for name in diagrams.__all__]


def test_every_diagram_is_exported() -> None:
    public = {name for name in dir(diagrams) if name.endswith("_diagram")}
    assert public == set(diagrams.__all__)


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_diagram(make: Callable[[], Figure]) -> None:
    """One test per diagram, so that each figure is rendered only twice (rendering dominates)."""
    before = plt.get_fignums()
    fig = make()
    assert plt.get_fignums() == before, "diagrams must not register figures with pyplot"

    assert isinstance(fig, Figure)
    assert fig.axes
    width, height = fig.get_size_inches()
    assert width <= 7.5 and height <= 3.5
    assert fig.dpi == 100
    assert tuple(fig.get_facecolor()[:3]) == (1.0, 1.0, 1.0), "legible on a dark-mode page"

    # Both languages show the same image, and CJK glyphs are not guaranteed in the fonts.
    labels = [text.get_text() for ax in fig.axes for text in ax.texts]
    assert labels
    assert all(label.isascii() for label in labels), labels

    # _repr_png_ is what Jupyter (and so the rendered notes) calls on a cell's last value.
    png = fig._repr_png_()
    assert isinstance(png, bytes)
    assert png.startswith(PNG_MAGIC) and len(png) > 1000
    assert make()._repr_png_() == png, "the same diagram must render to the same bytes"
    assert plt.get_fignums() == before
