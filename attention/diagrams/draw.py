"""Drawing primitives of the diagrams: a canvas in inches, boxes, arrows, text, pictograms.

A diagram is one ``Axes`` whose data units are inches (the axes fills the figure), so sizes and
gaps read directly as inches. Colours are the roles of ``attention.style`` only, so the renderer
can follow the page's light or dark scheme; fills that stand out a little use ``tint(role)``.
Words come from ``attention.i18n.pick``; ``@diagram`` draws them with the fonts chosen here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Arc, Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.patheffects import Normal, Stroke

from attention.plotting import CJK_FAMILY, DPI, DisplayFigure
from attention.style import (
    FAINT,
    GREY,
    GREY_TINT,
    INK,
    KEY,
    KEY_TEXT,
    KEY_TINT,
    MUTED,
    PANEL,
    PAPER,
    QUERY,
    QUERY_TEXT,
    QUERY_TINT,
    VALUE,
    VALUE_TEXT,
    VALUE_TINT,
    WEIGHT,
    WEIGHT_TEXT,
    WEIGHT_TINT,
)

P = ParamSpec("P")
Point = tuple[float, float]

SIZE = 8.5  # points: the diagrams' body text

# Words "in a role's colour" are drawn in its text variant, which reads at 4.5:1 or more in both
# colour schemes; the line colours themselves are too light (or, for WEIGHT, too dark) as text.
TEXT_COLORS = {
    QUERY: QUERY_TEXT,
    KEY: KEY_TEXT,
    VALUE: VALUE_TEXT,
    WEIGHT: WEIGHT_TEXT,
    GREY: MUTED,
    FAINT: MUTED,
}

# Latin glyphs from matplotlib's default font; Chinese ones from the first CJK font matplotlib
# knows (per-glyph fallback). The one place that chooses fonts for every diagram.
LATIN_FONT = "DejaVu Sans"
CJK_FONTS = (CJK_FAMILY,)  # the packaged font, registered by attention.plotting


def fonts() -> list[str]:
    """The font family list diagrams draw with: Latin first, then an installed CJK font."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return [LATIN_FONT, *[name for name in CJK_FONTS if name in known][:1]]


def diagram(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Decorate a drawing function: its text is set in ``fonts()``, whatever the global rcParams."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with matplotlib.rc_context({"font.family": fonts()}):
            return draw(*args, **kwargs)

    return drawn


def tint(color: str) -> str:
    """The light fill that goes with a role colour (``PAPER`` for ``INK``)."""
    tints = {QUERY: QUERY_TINT, KEY: KEY_TINT, VALUE: VALUE_TINT, WEIGHT: WEIGHT_TINT}
    return {**tints, GREY: GREY_TINT, INK: PAPER, FAINT: PANEL}[color]


def canvas(width: float, height: float) -> tuple[DisplayFigure, Axes]:
    """A ``width`` x ``height`` inch figure on ``PAPER`` and one axes without ticks, in inches."""
    fig = DisplayFigure(figsize=(width, height), dpi=DPI, facecolor=PAPER)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    ax.set_axis_off()
    return fig, ax


def style_axes(ax: Axes) -> None:
    """Give a data plot's axes role colours: ``PAPER`` background, ``INK`` ticks and labels."""
    ax.set_facecolor(PAPER)
    ax.tick_params(colors=INK, labelcolor=INK)
    for spine in ax.spines.values():
        spine.set_edgecolor(INK)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def text(
    ax: Axes,
    xy: Point,
    words: str,
    *,
    size: float = SIZE,
    color: str = INK,
    **kw: Any,
) -> None:
    """Centred text at ``xy`` (``ha``, ``va``, ``weight``, ``style``, ``rotation`` in ``kw``).

    A role ``color`` (``QUERY``, ``WEIGHT``, ``GREY``, ...) is drawn in its text variant
    (``TEXT_COLORS``), so the words stay legible on the page and on every tint.
    """
    kw = {"ha": "center", "va": "center", "zorder": 4, **kw}
    ax.text(xy[0], xy[1], words, fontsize=size, color=TEXT_COLORS.get(color, color), **kw)


def box(
    ax: Axes,
    center: Point,
    size: tuple[float, float],
    words: str = "",
    color: str = GREY,
    *,
    fill: str | None = None,
    text_size: float = SIZE,
    rounding: float = 0.06,
    zorder: float = 2,
    text_kw: dict[str, Any] | None = None,
    **kw: Any,
) -> FancyBboxPatch:
    """A rounded box of ``size`` centred on ``center``, edged in ``color``, holding ``words``.

    ``fill`` defaults to ``tint(color)``; ``kw`` (``linewidth``, ``linestyle``) go to the patch.
    """
    (x, y), (w, h) = center, size
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle=f"round,pad=0,rounding_size={rounding}",
        facecolor=tint(color) if fill is None else fill,
        edgecolor=color,
        zorder=zorder,
        **{"linewidth": 1.2, **kw},
    )
    ax.add_patch(patch)
    if words:
        text(ax, center, words, size=text_size, zorder=zorder + 0.1, **(text_kw or {}))
    return patch


def bar(
    ax: Axes, corner: Point, size: tuple[float, float], color: str | tuple[float, ...], **kw: Any
) -> FancyBboxPatch:
    """A square-cornered rectangle from its lower-left ``corner`` (``kw`` go to the patch)."""
    patch = FancyBboxPatch(  # no edge unless kw asks for one
        corner,
        *size,
        boxstyle="square,pad=0",
        **{"facecolor": color, "edgecolor": "none", "zorder": 3, **kw},
    )
    ax.add_patch(patch)
    return patch


# The most opaque a WEIGHT fill may be under INK words: at 0.65 the cell is light enough for the
# light scheme's dark ink and dark enough for the dark scheme's light ink (4.5:1 both).
MAX_FILL_ALPHA = 0.65


def weight_cell(
    ax: Axes, center: Point, size: tuple[float, float], share: float, words: str = ""
) -> None:
    """A framed cell shaded in ``WEIGHT`` by ``share`` (0 to 1 of the strongest), with ``words``.

    The shade stops at ``MAX_FILL_ALPHA`` so that ``words`` in ``INK`` read in both schemes.
    """
    (x, y), (w, h) = center, size
    shade = (*to_rgb(WEIGHT), MAX_FILL_ALPHA * min(max(share, 0.0), 1.0))  # one element a cell
    bar(ax, (x - w / 2, y - h / 2), size, shade, edgecolor=FAINT, linewidth=0.8, zorder=2.5)
    if words:
        text(ax, center, words, size=7.5)


def arrow(
    ax: Axes,
    start: Point,
    end: Point,
    color: str = INK,
    *,
    linewidth: float = 1.2,
    rad: float = 0.0,
    head: bool = True,
    gap: bool = False,
    zorder: float = 1.5,
) -> FancyArrowPatch:
    """An arrow from ``start`` to ``end`` (exactly, no shrinking), curved by ``rad``.

    With ``gap`` the arrow is outlined in ``PAPER``, so it visibly passes over lines it crosses.
    """
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>" if head else "-",
        mutation_scale=9,
        linewidth=linewidth,
        color=color,
        shrinkA=0,
        shrinkB=0,
        connectionstyle=f"arc3,rad={rad}",
        zorder=zorder,
    )
    if gap:
        patch.set_path_effects([Stroke(linewidth=linewidth + 4, foreground=PAPER), Normal()])
    ax.add_patch(patch)
    return patch


def line(
    ax: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    color: str = FAINT,
    width: float = 1.0,
    zorder: float = 1,
) -> None:
    """A polyline through ``(xs[i], ys[i])`` with round ends and joins."""
    ax.plot(
        xs,
        ys,
        color=color,
        linewidth=width,
        solid_capstyle="round",
        solid_joinstyle="round",
        zorder=zorder,
    )


def strokes(
    ax: Axes, x0: float, x1: float, ys: Sequence[float], color: str, width: float = 1.0
) -> None:
    """Horizontal strokes from ``x0`` to ``x1`` at each height in ``ys`` (text on a page)."""
    for y in ys:
        line(ax, [x0, x1], [y, y], color, width, zorder=3)


def circle(
    ax: Axes, center: Point, radius: float, color: str, fill: str | None = None, **kw: Any
) -> Circle:
    """A circle edged in ``color`` and filled with ``fill`` (default ``tint(color)``)."""
    facecolor = tint(color) if fill is None else fill
    patch = Circle(
        center, radius, **{"facecolor": facecolor, "edgecolor": color, "zorder": 3, **kw}
    )
    ax.add_patch(patch)
    return patch


def polygon(ax: Axes, points: Sequence[Point], color: str, fill: str, zorder: float = 2) -> None:
    """A closed polygon with round joins, edged in ``color``."""
    patch = Polygon(points, closed=True, facecolor=fill, edgecolor=color, joinstyle="round")
    patch.set(linewidth=1.2, zorder=zorder)
    ax.add_patch(patch)


def dots(ax: Axes, center: Point, *, vertical: bool, color: str = GREY) -> None:
    """Three small dots (an ellipsis) centred on ``center``."""
    for k in (-1, 0, 1):
        dx, dy = (0.0, 0.07 * k) if vertical else (0.07 * k, 0.0)
        circle(ax, (center[0] + dx, center[1] + dy), 0.017, color, fill=color)


def separators(ax: Axes, xs: Sequence[float], y0: float, y1: float) -> None:
    """Faint vertical lines at ``xs`` from ``y0`` to ``y1`` between the panels of a diagram."""
    for x in xs:
        line(ax, [x, x], [y0, y1])


# --- pictograms: objects on a desk and the eye that looks at them ----------------------------
# Each draws an object centred on (x, y), edged in ``edge`` and filled with ``fill``.


def newspaper(ax: Axes, x: float, y: float, edge: str, fill: str) -> None:
    """A folded newspaper: a masthead above two columns of text."""
    box(ax, (x, y), (0.52, 0.42), color=edge, fill=fill, rounding=0.02)
    bar(ax, (x - 0.21, y + 0.1), (0.42, 0.07), edge)
    for x0 in (x - 0.2, x + 0.03):
        strokes(ax, x0, x0 + 0.17, [y + 0.02, y - 0.05, y - 0.12], edge)


def research_paper(ax: Axes, x: float, y: float, edge: str, fill: str) -> None:
    """A research paper: a title line, a small figure and lines of text on a portrait page."""
    box(ax, (x, y), (0.36, 0.48), color=edge, fill=fill, rounding=0.02)
    strokes(ax, x - 0.1, x + 0.1, [y + 0.16], edge, width=2.0)
    bar(ax, (x - 0.12, y - 0.02), (0.11, 0.1), PAPER, edgecolor=edge, linewidth=0.8)
    strokes(ax, x + 0.02, x + 0.12, [y + 0.07, y + 0.02], edge)
    strokes(ax, x - 0.12, x + 0.12, [y - 0.08, y - 0.14], edge)


def coffee_cup(ax: Axes, x: float, y: float, edge: str, fill: str) -> None:
    """A steaming mug on a saucer."""
    ax.add_patch(Ellipse((x, y - 0.2), 0.5, 0.08, facecolor=fill, edgecolor=edge, linewidth=1.2))
    handle = Arc((x + 0.16, y - 0.04), 0.2, 0.2, theta1=-90, theta2=90, color=edge, linewidth=3)
    ax.add_patch(handle)
    body = [(x - 0.18, y + 0.1), (x + 0.18, y + 0.1), (x + 0.14, y - 0.18), (x - 0.14, y - 0.18)]
    polygon(ax, body, edge, edge, zorder=3)
    t = np.linspace(0.0, 1.0, 30)
    for dx in (-0.07, 0.05):  # two wisps of steam
        line(ax, x + dx + 0.025 * np.sin(3 * np.pi * t), y + 0.14 + 0.14 * t, edge, 1.1, 3)


def notebook(ax: Axes, x: float, y: float, edge: str, fill: str) -> None:
    """A spiral notebook with ruled lines."""
    box(ax, (x, y - 0.02), (0.36, 0.44), color=edge, fill=fill, rounding=0.03)
    for k in range(5):
        circle(ax, (x - 0.12 + 0.06 * k, y + 0.2), 0.022, edge, fill=PAPER, linewidth=1.0)
    strokes(ax, x - 0.13, x + 0.13, [y + 0.08, y, y - 0.08, y - 0.16], edge, 0.8)


def open_book(ax: Axes, x: float, y: float, edge: str, fill: str) -> None:
    """An open book: two pages meeting at the spine, with lines of text."""
    for side in (-1, 1):
        page = [
            (x, y - 0.17),
            (x + 0.27 * side, y - 0.13),
            (x + 0.27 * side, y + 0.2),
            (x, y + 0.16),
        ]
        polygon(ax, page, edge, fill)
        for k in range(4):
            dy = 0.1 - 0.075 * k
            line(
                ax,
                [x + 0.04 * side, x + 0.22 * side],
                [y + dy - 0.005, y + dy + 0.02],
                edge,
                0.9,
                3,
            )


def eye(ax: Axes, x: float, y: float) -> None:
    """An eye (almond outline, iris and pupil) centred on ``(x, y)``."""
    t = np.linspace(-1.0, 1.0, 41)
    w, lid = 0.3, 0.15 * (1 - t**2)
    outline = np.stack([x + np.r_[w * t, w * t[::-1]], y + np.r_[lid, -lid[::-1]]], 1)
    almond = Polygon(outline, closed=True, facecolor=PAPER, edgecolor=INK, linewidth=1.5, zorder=3)
    ax.add_patch(almond)
    parts = [((x, y), 0.11, KEY), ((x, y), 0.05, INK), ((x + 0.03, y + 0.03), 0.017, PAPER)]
    for k, (center, radius, color) in enumerate(parts):  # iris, pupil, glint
        patch = circle(ax, center, radius, color, fill=color, edgecolor="none", zorder=3.1 + k / 10)
        patch.set_clip_path(almond)


PICTOGRAMS: tuple[Callable[[Axes, float, float, str, str], None], ...] = (
    newspaper,
    research_paper,
    coffee_cup,
    notebook,
    open_book,
)
