"""The schematic diagrams: real figures, drawn without pyplot, byte-for-byte reproducible."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from attention import diagrams

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DIAGRAMS: list[Callable[[], Figure]] = [getattr(diagrams, name) for name in diagrams.__all__]


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def test_every_diagram_is_listed() -> None:
    public = {name for name in dir(diagrams) if name.endswith("_diagram")}
    assert public == set(diagrams.__all__)


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_diagram_renders_deterministically_without_pyplot(make: Callable[[], Figure]) -> None:
    before = plt.get_fignums()
    fig = make()
    assert plt.get_fignums() == before
    assert isinstance(fig, Figure)
    assert fig.axes
    width, height = fig.get_size_inches()
    assert width <= 7.5 and height <= 3.5
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    first = _png(fig)
    assert first.startswith(PNG_MAGIC) and len(first) > 1000
    assert _png(make()) == first
    assert plt.get_fignums() == before


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_diagram_displays_in_jupyter(make: Callable[[], Figure]) -> None:
    png = make()._repr_png_()
    assert isinstance(png, bytes) and png.startswith(PNG_MAGIC)


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_diagram_labels_are_ascii(make: Callable[[], Figure]) -> None:
    """Both languages show the same image, and CJK glyphs are not guaranteed in the fonts."""
    fig = make()
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert labels
    assert all(label.isascii() for label in labels), labels
