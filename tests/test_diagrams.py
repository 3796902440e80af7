"""The schematic diagrams: in both languages, only in role colours, reproducible byte for byte."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
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
# The chapter modules: every module of the package but the primitives they share.
CHAPTERS = [m.name for m in pkgutil.iter_modules(diagrams.__path__) if m.name != "draw"]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # ideographs, CJK punctuation
# Data drawn in Chinese in both languages: the source sentence of the translation example.
SOURCE_WORDS = {"我", "爱", "深度", "学习"}
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


def test_the_lazy_map_is_what_importing_every_module_gives() -> None:
    """The package finds each diagram's module by reading the sources (`_modules`, nothing
    imported): it must name the functions that ``@draw.diagram`` wrapped, as imported."""
    wrapper = draw.diagram(lambda: None).__code__  # the code of every decorated diagram
    imported = {
        name: chapter
        for chapter in CHAPTERS
        for name, value in vars(importlib.import_module(f"attention.diagrams.{chapter}")).items()
        if getattr(value, "__code__", None) is wrapper and value.__module__.endswith(chapter)
    }
    assert set(imported.values()) == set(CHAPTERS)  # each chapter module draws diagrams
    assert diagrams._modules() == imported
    assert diagrams.__all__ == sorted(imported)
    assert set(imported) <= set(dir(diagrams)) and "__all__" in dir(diagrams)
    for name, chapter in imported.items():
        assert getattr(diagrams, name) is getattr(diagrams, chapter).__dict__[name]
    with pytest.raises(AttributeError, match="no attribute 'padded_batch'"):
        diagrams.padded_batch  # noqa: B018 (a chapter module's helper is not a diagram)


def test_the_package_docstring_lists_each_diagram_under_its_module() -> None:
    """The API reference shows the package's docstring: its list is the derived map."""
    items = re.findall(r"^- ``(\w+)``: (.*?)(?=^- |\Z)", diagrams.__doc__ or "", re.S | re.M)
    listed = {name: module for module, text in items for name in re.findall(r"``(\w+)``", text)}
    assert listed == diagrams._modules()


def test_listing_the_diagrams_imports_no_chapter_module(monkeypatch) -> None:
    """A fresh import of ``attention.diagrams``, its ``__all__`` and ``dir()`` import no chapter
    module: a chapter imports only the module of the diagrams it draws (the site's cache keys a
    chapter on the package files it imported)."""
    import attention

    for name in [n for n in sys.modules if n.startswith("attention.diagrams")]:
        monkeypatch.delitem(sys.modules, name)  # put back after the test
    monkeypatch.setattr(attention, "diagrams", diagrams)
    fresh = importlib.import_module("attention.diagrams")
    assert fresh is not diagrams and fresh.__all__ == diagrams.__all__
    assert set(fresh.__all__) <= set(dir(fresh))
    assert [n for n in sys.modules if n.startswith("attention.diagrams.")] == []
    assert fresh.cue_diagram.__module__ in sys.modules  # imported on first use


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_words_follow_the_language(make: Callable[[], Figure]) -> None:
    with language("en"):
        english = _words(make())
    with language("zh"):
        chinese = _words(make())
    assert english and chinese
    chinese_in_english = [w for w in english if CJK.search(w) and w not in SOURCE_WORDS]
    assert not chinese_in_english, "an English diagram holds Chinese"
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
    # each cell's shade is its weight: alpha = MAX_FILL_ALPHA * weight / largest weight
    weight_rgb = to_rgba(style.WEIGHT)[:3]
    alphas = [
        to_rgba(p.get_facecolor())[3]
        for p in fig.axes[0].patches
        if to_rgba(p.get_facecolor())[:3] == weight_rgb
    ]
    expected = draw.MAX_FILL_ALPHA * weights / weights.max()
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


# --- legibility: every label reads at 4.5:1 or more in both colour schemes -------------------

# The one palette (attention/style.py): the light roles, and their values in the dark scheme.
LIGHT = {
    name.lower(): to_rgba(value)[:3]
    for name, value in vars(style).items()
    if name.isupper() and isinstance(value, str) and value.startswith("#")
}
DARK = {name: to_rgba(value)[:3] for name, value in style.DARK.items()}
ROLE_NAMES = {
    to_rgba(value)[:3]: name.lower()
    for name, value in vars(style).items()
    if name.isupper() and isinstance(value, str) and value.startswith("#")
}
FILLS = ["paper", "panel", *[name for name in LIGHT if name.endswith("_tint")]]


def _luminance(rgb: tuple[float, ...]) -> float:
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    low, high = sorted([_luminance(a), _luminance(b)])
    return (high + 0.05) / (low + 0.05)


def _over(top: tuple[float, ...], alpha: float, under: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top, under, strict=True))


def test_contrast_ratio_is_wcags() -> None:
    assert _contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert _contrast(to_rgba("#767676")[:3], (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


def test_both_schemes_define_every_role() -> None:
    roles = set(ROLE_NAMES.values())
    assert set(LIGHT) == set(DARK) == roles
    assert all(LIGHT[name] == rgb for rgb, name in ROLE_NAMES.items() if name != "paper")


@pytest.mark.parametrize("role", sorted({*draw.TEXT_COLORS.values(), style.INK}))
def test_text_colours_read_on_every_fill_in_both_schemes(role: str) -> None:
    name = ROLE_NAMES[to_rgba(role)[:3]]
    for scheme in (LIGHT, DARK):
        ratios = {fill: _contrast(scheme[name], scheme[fill]) for fill in FILLS}
        assert min(ratios.values()) >= 4.5, f"{name}: {ratios}"


def test_ink_reads_on_the_strongest_weight_cell_in_both_schemes() -> None:
    for scheme in (LIGHT, DARK):
        for alpha in np.linspace(0.0, draw.MAX_FILL_ALPHA, 14):
            cell = _over(scheme["weight"], alpha, scheme["paper"])
            assert _contrast(scheme["ink"], cell) >= 4.5, (alpha, scheme["ink"])
    # the old cap (0.9) failed in the light scheme: the test can tell
    assert _contrast(LIGHT["ink"], _over(LIGHT["weight"], 0.9, LIGHT["paper"])) < 4.5


@pytest.mark.parametrize("make", DIAGRAMS, ids=lambda f: f.__name__)
def test_every_label_is_in_a_text_colour(make: Callable[[], Figure]) -> None:
    """Words only in colours whose contrast the tests above measure (role colours as text were
    3:1 and less: the red "coffee" label on the dark page, orange query labels on white)."""
    allowed = {to_rgba(c)[:3] for c in (*draw.TEXT_COLORS.values(), style.INK)}
    for lang in ("en", "zh"):
        with language(lang):
            fig = make()
        bad = {
            (t.get_text(), ROLE_NAMES.get(to_rgba(t.get_color())[:3], t.get_color()))
            for t in fig.findobj(Text)
            if t.get_text().strip() and to_rgba(t.get_color())[:3] not in allowed
        }
        assert not bad, f"labels in a colour that is not a text colour: {sorted(bad)[:5]}"


# --- the new pictures show what the package computes ----------------------------------------


def test_causal_mask_picture_shows_causal_masked_softmax() -> None:
    from attention.diagrams.self_attention import CAUSAL_TOKENS, causal_weights
    from attention.masking import causal_valid_lens

    n = len(CAUSAL_TOKENS)
    scores = torch.randn(1, n, n, generator=torch.Generator().manual_seed(0))
    weights = masked_softmax(scores, causal_valid_lens(n))[0]
    assert torch.equal(causal_weights(n), weights)
    assert torch.equal(weights > 0, torch.ones(n, n, dtype=torch.bool).tril())
    words = _words(diagrams.causal_mask_diagram())
    shown = [w for w in words if re.fullmatch(r"\d\.\d\d", w)]
    assert shown == [f"{w:.2f}" for w in weights[weights > 0].tolist()]  # row by row
    assert words.count(r"$\times$") == n * (n - 1) // 2  # the masked cells, weight 0
    assert [w for w in words if w in "12345"] == ["1", "2", "3", "4", "5"]  # valid lengths


def test_causal_mask_picture_refuses_bad_tokens() -> None:
    for tokens in (["a"], ["a"] * 7, ["a", "much-too-long"], ["a", 3]):
        with pytest.raises(ValueError, match=r"^tokens: expected 2 to 6 strings"):
            diagrams.causal_mask_diagram(tokens)


def test_positional_clock_hands_are_the_encodings_column_pairs() -> None:
    from matplotlib.patches import Arc, FancyArrowPatch

    from attention import PositionalEncoding

    d, pairs, i, delta = 64, (0, 2, 4, 8), 1, 5
    P = PositionalEncoding(d, max_len=20).P[0]
    fig = diagrams.positional_clock_diagram(d, pairs, position=i, offset=delta)
    hands = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(hands) == 2 * len(pairs)
    for k, j in enumerate(pairs):
        for hand, pos in zip(hands[2 * k : 2 * k + 2], (i, i + delta), strict=True):
            (x0, y0), (x1, y1) = hand._posA_posB
            angle = np.arctan2(y1 - y0, x1 - x0)
            expected = np.arctan2(P[pos, 2 * j].item(), P[pos, 2 * j + 1].item())
            assert np.isclose(np.cos(angle - expected), 1.0, atol=1e-6)
    arcs = [p for p in fig.axes[0].patches if isinstance(p, Arc)]
    omegas = [1 / 10000 ** (2 * j / d) for j in pairs]
    assert np.allclose(
        [a.theta2 - a.theta1 for a in arcs], np.degrees(delta * np.array(omegas)) % 360
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"d": 7}, "d"), ({"pairs": (40,)}, "pairs"), ({"pairs": ()}, "pairs"),
     ({"position": -1}, "position"), ({"offset": 0}, "offset")],
)  # fmt: skip
def test_positional_clock_refuses_bad_arguments(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected"):
        diagrams.positional_clock_diagram(**kwargs)


def test_dot_product_picture_shows_the_scores_and_the_shadows() -> None:
    from attention.diagrams.scoring_functions import GEOMETRY_KEYS, GEOMETRY_QUERY

    q, k = torch.tensor(GEOMETRY_QUERY), torch.tensor(GEOMETRY_KEYS)
    scores = k @ q
    words = _words(diagrams.dot_product_diagram(q, k))
    assert [w for w in words if re.fullmatch(r"-?\d\.\d", w)] == [f"{s:.1f}" for s in scores]
    # each shadow ends at q.k / |q| along the query (|q| = 1 here): the red dots
    fig = diagrams.dot_product_diagram(q, k)
    assert diagrams.dot_product_diagram(2 * q, k).axes[0].patches  # any length of query
    weight = to_rgba(style.WEIGHT)[:3]
    circles = [p for p in fig.axes[0].patches if type(p).__name__ == "Circle"]
    feet = [p.center for p in circles if to_rgba(p.get_facecolor())[:3] == weight]
    origin = np.array([1.6, 0.5])
    assert np.allclose([(x - origin[0]) / 1.05 for x, _ in feet], scores.numpy(), atol=1e-6)
    assert np.allclose([y for _, y in feet], origin[1])


def test_dot_product_picture_refuses_bad_vectors() -> None:
    with pytest.raises(ValueError, match=r"^query: expected shape \(2,\)"):
        diagrams.dot_product_diagram(torch.zeros(2))
    with pytest.raises(ValueError, match=r"^keys: expected shape \(m, 2\)"):
        diagrams.dot_product_diagram(torch.ones(2), torch.ones(3, 3))


def test_worked_example_picture_shows_dot_product_attention() -> None:
    from attention import DotProductAttention

    q, K = (
        torch.tensor([1.0, 2.0, 0.0, 1.0]),
        torch.tensor([[2.0, 0, 1, 0], [0, 2, 1, 0], [1, 0, 0, -1]]),
    )
    V = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    attn = DotProductAttention()
    out = attn(q[None, None], K[None], V[None])[0, 0]
    words = _words(diagrams.worked_attention_diagram(q, K, V))
    assert words == _words(diagrams.worked_attention_diagram())  # the defaults are the example
    assert [w for w in words if re.fullmatch(r"0\.\d{3}", w)] == [
        f"{w:.3f}" for w in attn.attention_weights.flatten().tolist()
    ]
    assert "(0.335, 0.755)" in words and f"({out[0]:.3f}, {out[1]:.3f})" in words
    assert [w.split(" = ")[1] for w in words if w.startswith("q·k")] == ["2", "4", "0"]
    # another example draws other numbers
    other = _words(diagrams.worked_attention_diagram(-q, K, V))
    assert [w.split(" = ")[1] for w in other if w.startswith("q·k")] == ["-2", "-4", "0"]


def test_worked_example_picture_refuses_shapes_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match=r"^keys: expected shape \(3, 2\)"):
        diagrams.worked_attention_diagram(torch.ones(2), torch.ones(3, 4), torch.ones(3, 2))
    with pytest.raises(ValueError, match=r"^values: expected shape \(3, v\)"):
        diagrams.worked_attention_diagram(torch.ones(2), torch.ones(3, 2), torch.ones(2, 2))
