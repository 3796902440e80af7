"""The schematic diagrams: in both languages, only in role colours, reproducible byte for byte."""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.spines import Spine
from matplotlib.text import Text

from attention import diagrams, masked_softmax, style
from attention.diagrams import draw
from attention.diagrams.scoring_functions import padded_batch
from attention.i18n import language

DIAGRAMS: list[Callable[[], Figure]] = [getattr(diagrams, name) for name in diagrams.__all__]
CHAPTERS = [
    "attention_cues",
    "nadaraya_watson",
    "queries_keys_values",
    "scoring_functions",
    "self_attention",
]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # ideographs, CJK punctuation
ROLES = {
    to_rgba(value)[:3]
    for name, value in vars(style).items()
    if name.isupper() and isinstance(value, str) and value.startswith("#")
}
# whether this machine has a CJK font at all (known apart from draw.fonts(), which is under test)
HAS_CJK_FONT = bool({f.name for f in font_manager.fontManager.ttflist} & set(draw.CJK_FONTS))


def _words(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]


def _drawn(artist: Artist) -> Iterator[Artist]:
    """``artist`` and its descendants that are drawn (axes turned off draw no axis or spine)."""
    if not artist.get_visible():
        return
    yield artist
    for child in artist.get_children():
        hidden = isinstance(artist, Axes) and not artist.axison
        if not (hidden and isinstance(child, Axis | Spine)):
            yield from _drawn(child)


def _colours(fig: Figure) -> Iterator[tuple[str, tuple[float, ...]]]:
    """Every visible colour an artist of ``fig`` paints with, as ``(artist, rgba)``."""
    getters = ("get_facecolor", "get_edgecolor", "get_color")
    getters += ("get_markerfacecolor", "get_markeredgecolor")
    for artist in _drawn(fig):
        if isinstance(artist, Text) and not artist.get_text():
            continue  # an empty title paints nothing
        for getter in getters:
            if hasattr(artist, getter):
                for rgba in to_rgba_array(getattr(artist, getter)()):
                    if rgba[3] > 0:
                        yield type(artist).__name__, tuple(rgba)


def test_every_diagram_is_exported_from_its_chapter_module() -> None:
    defined = {
        name
        for chapter in CHAPTERS
        for name, value in vars(importlib.import_module(f"attention.diagrams.{chapter}")).items()
        if name.endswith("_diagram") and value.__module__.endswith(chapter)
    }
    assert defined == set(diagrams.__all__)
    from attention.diagrams import cue_diagram  # the old import path still works

    assert cue_diagram is diagrams.attention_cues.cue_diagram


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_words_follow_the_language(make: Callable[[], Figure]) -> None:
    with language("en"):
        english = _words(make())
    with language("zh"):
        chinese = _words(make())
    assert english and chinese
    assert not [w for w in english if CJK.search(w)], "an English diagram holds Chinese"
    assert [w for w in chinese if CJK.search(w)], "a Chinese diagram holds no Chinese"
    assert english != chinese


@pytest.mark.skipif(not HAS_CJK_FONT, reason="no CJK font known to matplotlib")
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_diagram(make: Callable[[], Figure], lang: str) -> None:
    """Each diagram and language rendered twice: rendering dominates the time of these tests."""
    before = plt.get_fignums()
    with language(lang), warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns while rendering
        fig = make()
        svg = fig.to_svg()
        again = make().to_svg()
    assert plt.get_fignums() == before, "diagrams must not register figures with pyplot"
    assert isinstance(fig, Figure) and fig.axes
    width, height = fig.get_size_inches()
    assert width <= 7.5 and height <= 3.8
    assert fig.dpi == 100
    assert to_rgba(fig.get_facecolor()) == to_rgba(style.PAPER)
    assert svg.startswith("<svg") and len(svg) > 1000
    ElementTree.fromstring(svg)  # the site serves it as a file of its own: well-formed XML
    assert again == svg, "the same diagram must render to the same bytes"
    literal = {(kind, rgba) for kind, rgba in _colours(fig) if rgba[:3] not in ROLES}
    assert not literal, f"colours that are no role of attention.style: {sorted(literal)[:5]}"


def test_masked_softmax_picture_shows_masked_softmax() -> None:
    tokens, valid_lens, scores = padded_batch()
    weights = masked_softmax(scores, valid_lens)[:, 0]
    fig = diagrams.masked_softmax_diagram()
    shown = [w for w in _words(fig) if re.fullmatch(r"0|\d\.\d\d", w)]
    assert shown == [f"{w:.2f}" if w > 0 else "0" for w in weights.flatten().tolist()]
    assert [t for row in tokens for t in row].count("<pad>") == int((weights == 0).sum())
    # each cell's shade is its weight: alpha = 0.9 * weight / largest weight
    weight_rgb = to_rgba(style.WEIGHT)[:3]
    alphas = [
        p.get_alpha() or 0.0
        for p in fig.axes[0].patches
        if to_rgba(p.get_facecolor())[:3] == weight_rgb and p.get_alpha() is not None
    ]
    expected = 0.9 * weights / weights.max()
    assert torch.allclose(torch.tensor(alphas, dtype=expected.dtype), expected.flatten())


def test_window_picture_is_a_row_of_nadaraya_watson() -> None:
    from attention import nadaraya_watson, toy_regression_data

    x_train, y_train, _, _ = toy_regression_data()
    _, weights = nadaraya_watson(torch.tensor([2.5]), x_train, y_train)
    fig = diagrams.nadaraya_watson_window_diagram(query=2.5)
    stems = fig.axes[1].collections[0].get_segments()
    assert np.allclose([s[1, 1] for s in stems], weights[0].numpy())


@pytest.mark.parametrize(
    ("make", "kwargs", "name"),
    [
        (diagrams.multihead_attention_diagram, {"num_heads": 7}, "num_heads"),
        (diagrams.nadaraya_watson_window_diagram, {"query": 6.0}, "query"),
    ],
)
def test_bad_arguments_are_named(make: Callable[..., Figure], kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        make(**kwargs)
