"""Schematic diagrams for the notes, drawn with matplotlib patches.

The figures the notes were written around (d2l Fig. 10.1.1 to 11.6.1) are redrawn here as
code so that the site needs no external image. Every function builds its figure without
pyplot (no global registry, no ``show()``), is deterministic, uses English labels only (both
languages of the site show the same image, and CJK fonts are not guaranteed) and keeps a
white background so that it stays legible on a dark-mode page.

Each diagram is one ``Axes`` whose data units are inches (the axes fills the figure), so
sizes and gaps below read directly as inches. The palette is shared: queries orange, keys
blue, values green, attention weights red, everything else grey.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import (
    Arc,
    Circle,
    Ellipse,
    FancyArrowPatch,
    FancyBboxPatch,
    Polygon,
    Rectangle,
)
from matplotlib.patheffects import Normal, Stroke

from attention.plotting import DPI, DisplayFigure

__all__ = [
    "attention_output_diagram",
    "attention_pooling_diagram",
    "cnn_rnn_self_attention_diagram",
    "cue_diagram",
    "dictionary_lookup_diagram",
    "self_vs_cross_attention_diagram",
]

QUERY = "#E8762B"
KEY = "#3C78B4"
VALUE = "#3E9651"
WEIGHT = "#D1362F"
GREY = "#8C8C8C"
INK = "#2B2B2B"
FAINT = "#C8C8C8"


def _new_figure(figsize: tuple[float, float]) -> DisplayFigure:
    """A white ``DisplayFigure`` of ``figsize`` inches at 100 dpi, created without pyplot."""
    return DisplayFigure(figsize=figsize, dpi=DPI, facecolor="white")


def _canvas(width: float, height: float) -> tuple[DisplayFigure, Axes]:
    """A figure of ``width`` x ``height`` inches and one axes, without ticks, in inches."""
    fig = _new_figure((width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _tint(color: str, amount: float = 0.82) -> tuple[float, float, float]:
    """``color`` mixed with ``amount`` of white: a light fill for a box edged in ``color``."""
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _box(
    ax: Axes,
    center: tuple[float, float],
    size: tuple[float, float],
    text: str = "",
    color: str = GREY,
    *,
    fontsize: float = 8.5,
    fill: str | tuple[float, float, float] | None = None,
    linestyle: str = "-",
    linewidth: float = 1.2,
    rounding: float = 0.06,
    text_color: str = INK,
    weight: str = "normal",
    zorder: float = 2,
) -> FancyBboxPatch:
    """A rounded box of ``size`` centred on ``center``, edged in ``color``, with ``text``."""
    (x, y), (w, h) = center, size
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle=f"round,pad=0,rounding_size={rounding}",
        facecolor=_tint(color) if fill is None else fill,
        edgecolor=color,
        linewidth=linewidth,
        linestyle=linestyle,
        zorder=zorder,
    )
    ax.add_patch(patch)
    if text:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=text_color,
            weight=weight,
            zorder=zorder + 0.1,
        )
    return patch


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    color: str = INK,
    *,
    linewidth: float = 1.2,
    rad: float = 0.0,
    head: bool = True,
    alpha: float = 1.0,
    gap: bool = False,
    zorder: float = 1.5,
) -> FancyArrowPatch:
    """An arrow from ``start`` to ``end`` (exactly, no shrinking), curved by ``rad``.

    With ``gap`` the arrow gets a white outline, so that it visibly passes over lines that
    it crosses instead of joining them.
    """
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>" if head else "-",
        mutation_scale=9,
        linewidth=linewidth,
        color=color,
        alpha=alpha,
        shrinkA=0,
        shrinkB=0,
        connectionstyle=f"arc3,rad={rad}",
        zorder=zorder,
    )
    if gap:
        patch.set_path_effects([Stroke(linewidth=linewidth + 4, foreground="white"), Normal()])
    ax.add_patch(patch)
    return patch


def _text(
    ax: Axes,
    xy: tuple[float, float],
    text: str,
    *,
    fontsize: float = 8.5,
    color: str = INK,
    ha: str = "center",
    va: str = "center",
    weight: str = "normal",
    style: str = "normal",
    rotation: float = 0.0,
) -> None:
    """Text at ``xy`` (inches) in the diagrams' font settings."""
    ax.text(
        xy[0],
        xy[1],
        text,
        fontsize=fontsize,
        color=color,
        ha=ha,
        va=va,
        weight=weight,
        style=style,
        rotation=rotation,
        zorder=4,
    )


def _dots(ax: Axes, center: tuple[float, float], *, vertical: bool, color: str = GREY) -> None:
    """Three small dots (an ellipsis) centred on ``center``."""
    for k in (-1, 0, 1):
        dx, dy = (0.0, 0.07 * k) if vertical else (0.07 * k, 0.0)
        ax.add_patch(Circle((center[0] + dx, center[1] + dy), 0.017, color=color, zorder=3))


# --- Fig. 10.1.1 / 10.1.2: nonvolitional and volitional cues ---------------------------------


def _lines(
    ax: Axes, x0: float, x1: float, ys: Sequence[float], color: str, width: float = 1.0
) -> None:
    """Horizontal strokes from ``x0`` to ``x1`` at each height in ``ys`` (text on a page)."""
    for y in ys:
        ax.plot([x0, x1], [y, y], color=color, linewidth=width, solid_capstyle="round", zorder=3)


def _newspaper(ax: Axes, x: float, y: float, edge: str, fill: tuple[float, ...]) -> None:
    """A folded newspaper: a masthead above two columns of text."""
    _box(ax, (x, y), (0.52, 0.42), color=edge, fill=fill, rounding=0.02)
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.21, y + 0.1), 0.42, 0.07, boxstyle="square,pad=0", color=edge, zorder=3
        )
    )
    _lines(ax, x - 0.2, x - 0.03, [y + 0.02, y - 0.05, y - 0.12], edge)
    _lines(ax, x + 0.03, x + 0.2, [y + 0.02, y - 0.05, y - 0.12], edge)


def _research_paper(ax: Axes, x: float, y: float, edge: str, fill: tuple[float, ...]) -> None:
    """A research paper: a title line, a small figure and lines of text on a portrait page."""
    _box(ax, (x, y), (0.36, 0.48), color=edge, fill=fill, rounding=0.02)
    _lines(ax, x - 0.1, x + 0.1, [y + 0.16], edge, width=2.0)
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.12, y - 0.02),
            0.11,
            0.1,
            boxstyle="square,pad=0",
            facecolor="white",
            edgecolor=edge,
            linewidth=0.8,
            zorder=3,
        )
    )
    _lines(ax, x + 0.02, x + 0.12, [y + 0.07, y + 0.02], edge)
    _lines(ax, x - 0.12, x + 0.12, [y - 0.08, y - 0.14], edge)


def _coffee_cup(ax: Axes, x: float, y: float, edge: str, fill: tuple[float, ...]) -> None:
    """A steaming mug on a saucer."""
    ax.add_patch(
        Ellipse((x, y - 0.2), 0.5, 0.08, facecolor=fill, edgecolor=edge, linewidth=1.2, zorder=2)
    )
    ax.add_patch(
        Arc(
            (x + 0.16, y - 0.04),
            0.2,
            0.2,
            theta1=-90,
            theta2=90,
            color=edge,
            linewidth=3.0,
            zorder=2,
        )
    )
    body = [(x - 0.18, y + 0.1), (x + 0.18, y + 0.1), (x + 0.14, y - 0.18), (x - 0.14, y - 0.18)]
    ax.add_patch(
        Polygon(
            body,
            closed=True,
            facecolor=edge,
            edgecolor=edge,
            linewidth=1.2,
            joinstyle="round",
            zorder=3,
        )
    )
    t = np.linspace(0.0, 1.0, 30)
    for dx in (-0.07, 0.05):
        ax.plot(
            x + dx + 0.025 * np.sin(2 * np.pi * 1.5 * t),
            y + 0.14 + 0.14 * t,
            color=edge,
            linewidth=1.1,
            solid_capstyle="round",
            zorder=3,
        )


def _notebook(ax: Axes, x: float, y: float, edge: str, fill: tuple[float, ...]) -> None:
    """A spiral notebook with ruled lines."""
    _box(ax, (x, y - 0.02), (0.36, 0.44), color=edge, fill=fill, rounding=0.03)
    for k in range(5):
        ax.add_patch(
            Circle(
                (x - 0.12 + 0.06 * k, y + 0.2),
                0.022,
                facecolor="white",
                edgecolor=edge,
                linewidth=1.0,
                zorder=3,
            )
        )
    _lines(ax, x - 0.13, x + 0.13, [y + 0.08, y, y - 0.08, y - 0.16], _tint(edge, 0.35), 0.8)


def _open_book(ax: Axes, x: float, y: float, edge: str, fill: tuple[float, ...]) -> None:
    """An open book: two pages meeting at the spine, with lines of text."""
    left = [(x, y - 0.17), (x - 0.27, y - 0.13), (x - 0.27, y + 0.2), (x, y + 0.16)]
    right = [(x, y - 0.17), (x + 0.27, y - 0.13), (x + 0.27, y + 0.2), (x, y + 0.16)]
    for page in (left, right):
        ax.add_patch(
            Polygon(
                page,
                closed=True,
                facecolor=fill,
                edgecolor=edge,
                linewidth=1.2,
                joinstyle="round",
                zorder=2,
            )
        )
    for k in range(4):
        dy = 0.1 - 0.075 * k
        ax.plot(
            [x - 0.22, x - 0.04],
            [y + dy + 0.02, y + dy - 0.005],
            color=edge,
            linewidth=0.9,
            zorder=3,
        )
        ax.plot(
            [x + 0.04, x + 0.22],
            [y + dy - 0.005, y + dy + 0.02],
            color=edge,
            linewidth=0.9,
            zorder=3,
        )


def _eye(ax: Axes, x: float, y: float) -> None:
    """An eye (almond outline, iris and pupil) centred on ``(x, y)``."""
    t = np.linspace(-1.0, 1.0, 41)
    w, h = 0.3, 0.15
    lid = h * (1 - t**2)
    outline = np.stack([x + np.r_[w * t, w * t[::-1]], y + np.r_[lid, -lid[::-1]]], 1)
    almond = Polygon(
        outline, closed=True, facecolor="white", edgecolor=INK, linewidth=1.5, zorder=3
    )
    ax.add_patch(almond)
    iris = Circle((x, y), 0.11, facecolor="#5B7C99", edgecolor="none", zorder=3.1)
    pupil = Circle((x, y), 0.05, facecolor=INK, edgecolor="none", zorder=3.2)
    glint = Circle((x + 0.03, y + 0.03), 0.017, facecolor="white", edgecolor="none", zorder=3.3)
    for patch in (iris, pupil, glint):
        ax.add_patch(patch)
        patch.set_clip_path(almond)


def cue_diagram() -> Figure:
    """Nonvolitional and volitional cues (d2l Fig. 10.1.1 and 10.1.2), side by side.

    Five objects lie on a desk: a newspaper, a research paper, a coffee cup, a notebook and
    a book. On the left only the cup is red, and its salience alone pulls the eye to it
    (a nonvolitional cue). On the right every object is grey and the eye goes to the book
    because the viewer wants to read (a volitional cue).

    Returns:
        A 7.5 x 3.2 inch figure with one axes.
    """
    fig, ax = _canvas(7.5, 3.2)
    grey_fill = _tint(GREY, 0.78)
    draw = [_newspaper, _research_paper, _coffee_cup, _notebook, _open_book]
    names = ["newspaper", "paper", "coffee", "notebook", "book"]
    panels = [
        (1.85, "Nonvolitional cue", 2, "the red cup stands out:\nsalience grabs attention"),
        (5.65, "Volitional cue", 4, "the viewer wants to read:\nintent directs attention"),
    ]
    ax.plot([3.75, 3.75], [0.15, 3.05], color=FAINT, linewidth=1.0)
    for cx, title, target, caption in panels:
        volitional = title.startswith("Volitional")
        _text(ax, (cx, 3.0), title, fontsize=10.5, weight="bold")
        xs = [cx + 0.72 * (k - 2) for k in range(5)]
        for k, (x, shape, name) in enumerate(zip(xs, draw, names, strict=True)):
            red = k == target and not volitional
            edge = WEIGHT if red else GREY
            shape(ax, x, 2.15, edge, _tint(WEIGHT, 0.75) if red else grey_fill)
            _text(ax, (x, 2.64), name, fontsize=8, color=WEIGHT if red else "#666666")
        if not volitional:  # salience lines around the red cup
            for angle in (150, 120, 60, 30):
                a = np.deg2rad(angle)
                ax.plot(
                    [xs[target] + 0.3 * np.cos(a), xs[target] + 0.38 * np.cos(a)],
                    [2.17 + 0.3 * np.sin(a), 2.17 + 0.38 * np.sin(a)],
                    color=WEIGHT,
                    linewidth=1.3,
                    solid_capstyle="round",
                )
        eye_x, eye_y = cx, 0.95
        _eye(ax, eye_x, eye_y)
        bottom = 1.83 if volitional else 1.9
        _arrow(
            ax,
            (eye_x, eye_y + 0.2),
            (xs[target], bottom),
            WEIGHT if not volitional else QUERY,
            linewidth=2.0,
            rad=0.3 if volitional else 0.0,
        )
        if volitional:  # a thought bubble: the cue comes from inside the viewer
            _box(
                ax,
                (cx - 1.05, 1.35),
                (1.15, 0.34),
                "I want to read",
                QUERY,
                fontsize=8,
                rounding=0.17,
                weight="bold",
            )
            for k, r in enumerate((0.045, 0.03)):
                ax.add_patch(
                    Circle(
                        (cx - 0.57 + 0.17 * k, 1.12 - 0.07 * k),
                        r,
                        facecolor=_tint(QUERY),
                        edgecolor=QUERY,
                        linewidth=1.0,
                    )
                )
        _text(ax, (cx, 0.37), caption, fontsize=8, color="#555555", style="italic")
    return fig


# --- Fig. 10.1.3: attention pooling ------------------------------------------------------


def attention_pooling_diagram() -> Figure:
    """Queries, keys and values meet in attention pooling (d2l Fig. 10.1.3).

    The query (the volitional cue) is compared with every key (the nonvolitional cues);
    the comparison gives one attention weight per key, and attention pooling returns the
    values (the sensory inputs paired with the keys) averaged with those weights.

    Returns:
        A 7.0 x 3.3 inch figure with one axes.
    """
    fig, ax = _canvas(7.0, 3.3)
    pool_c, pool_w, pool_h = (3.0, 1.72), 4.7, 0.8
    pool_top, pool_bottom = pool_c[1] + pool_h / 2, pool_c[1] - pool_h / 2
    _box(ax, pool_c, (pool_w, pool_h), color=INK, fill="#F4F4F4", rounding=0.1)
    _text(
        ax,
        (pool_c[0] - pool_w / 2 + 0.1, pool_top + 0.12),
        "Attention pooling",
        ha="left",
        fontsize=10,
        weight="bold",
    )

    _box(ax, (pool_c[0], 2.93), (2.2, 0.42), "Query (volitional cue)", QUERY, fontsize=9)
    _arrow(ax, (pool_c[0], 2.72), (pool_c[0], pool_top), QUERY, linewidth=1.6)

    weights = [0.12, 0.55, 0.23, 0.10]
    pair_xs = [1.35, 2.45, 3.55, 4.65]
    for i, (x, wt) in enumerate(zip(pair_xs, weights, strict=True), start=1):
        kx, vx, y = x - 0.24, x + 0.24, 0.62
        _box(
            ax,
            (x, y),
            (1.0, 0.5),
            color=GREY,
            fill="white",
            linestyle=(0, (3, 2)),
            linewidth=0.8,
            rounding=0.08,
            zorder=1,
        )
        _box(ax, (kx, y), (0.38, 0.32), f"$k_{i}$", KEY, fontsize=10)
        _box(ax, (vx, y), (0.38, 0.32), f"$v_{i}$", VALUE, fontsize=10)
        _arrow(ax, (kx, y + 0.16), (kx, pool_bottom), KEY)
        _arrow(ax, (vx, y + 0.16), (vx, pool_bottom), VALUE)
        bar_h = 0.5 * wt / max(weights)
        ax.add_patch(
            FancyBboxPatch(
                (kx - 0.1, pool_bottom + 0.1),
                0.2,
                bar_h,
                boxstyle="square,pad=0",
                color=WEIGHT,
                zorder=3,
            )
        )
        _text(
            ax, (kx, pool_bottom + 0.1 + bar_h + 0.08), rf"$\alpha_{i}$", fontsize=9, color=WEIGHT
        )
    _text(ax, (1.65, 0.12), "keys = nonvolitional cues", fontsize=8.5, color=KEY)
    _text(ax, (4.35, 0.12), "values = sensory inputs", fontsize=8.5, color=VALUE)
    _text(
        ax,
        (pool_c[0] + pool_w / 2 + 0.06, pool_top + 0.12),
        "weights: query vs. each key",
        fontsize=8,
        color=WEIGHT,
        ha="right",
    )

    out_x = 6.45
    _box(
        ax,
        (out_x, pool_c[1]),
        (0.9, 0.42),
        "Output",
        INK,
        fill="white",
        fontsize=9.5,
        weight="bold",
    )
    _arrow(ax, (pool_c[0] + pool_w / 2, pool_c[1]), (out_x - 0.45, pool_c[1]), INK, linewidth=1.6)
    _text(
        ax,
        ((pool_c[0] + pool_w / 2 + out_x - 0.45) / 2, pool_c[1] + 0.2),
        r"$\Sigma_i\,\alpha_i v_i$",
        fontsize=10,
    )
    return fig


# --- Fig. 10.3.1: score, softmax, weighted sum -------------------------------------------


def attention_output_diagram() -> Figure:
    """How attention computes its output, in three stages (d2l Fig. 10.3.1).

    1. score: a scoring function ``a(q, k_i)`` compares the query with every key;
    2. scale + softmax: the scores become weights ``alpha_i`` that are positive and sum to 1;
    3. weighted sum: the output is ``sum_i alpha_i v_i``.

    Returns:
        A 7.5 x 3.4 inch figure with one axes.
    """
    fig, ax = _canvas(7.5, 3.4)
    rows = [(2.42, "1"), (1.72, "2"), (0.62, "m")]
    dots_y = 1.17
    key_x, bus_x, score_x, soft_x = 0.55, 1.12, 1.85, 3.1
    alpha_x, value_x, sum_x, out_x = 4.1, 4.82, 5.85, 6.85
    box_h = 0.34
    sum_y, sum_r = 1.72, 0.17

    bands = [
        (1.4, 2.32, "1  score"),
        (2.62, 3.58, "2  scale + softmax"),
        (3.78, 6.22, "3  weighted sum"),
    ]
    for x0, x1, label in bands:
        ax.add_patch(
            FancyBboxPatch(
                (x0, 0.3),
                x1 - x0,
                2.65,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="#F3F3F3",
                edgecolor="none",
                zorder=0,
            )
        )
        _text(ax, ((x0 + x1) / 2, 3.12), label, fontsize=9.5, weight="bold")

    q_y = 3.05
    _box(ax, (key_x, q_y), (0.55, box_h), r"$\mathbf{q}$", QUERY, fontsize=11)
    ax.plot(
        [key_x + 0.275, bus_x, bus_x],
        [q_y, q_y, rows[-1][0] + 0.08],
        color=QUERY,
        linewidth=1.4,
        solid_joinstyle="round",
        zorder=1,
    )
    for y, i in rows:
        _box(ax, (key_x, y), (0.55, box_h), rf"$\mathbf{{k}}_{i}$", KEY, fontsize=11)
        _box(
            ax,
            (score_x, y),
            (0.8, box_h),
            rf"$a(\mathbf{{q}}, \mathbf{{k}}_{i})$",
            GREY,
            fontsize=9,
            fill="white",
        )
        _arrow(ax, (key_x + 0.275, y - 0.06), (score_x - 0.4, y - 0.06), KEY, gap=True, zorder=1.6)
        _arrow(ax, (bus_x, y + 0.08), (score_x - 0.4, y + 0.08), QUERY, zorder=1.7)
        _arrow(ax, (score_x + 0.4, y), (soft_x - 0.3, y), GREY)
        _text(
            ax,
            ((score_x + 0.4 + soft_x - 0.3) / 2, y + 0.1),
            f"$s_{i}$",
            fontsize=8.5,
            color="#555555",
        )
        _arrow(ax, (soft_x + 0.3, y), (alpha_x - 0.27, y), WEIGHT)
        _box(ax, (alpha_x, y), (0.54, box_h), rf"$\alpha_{i}$", WEIGHT, fontsize=11)
        _text(ax, ((alpha_x + value_x) / 2, y), r"$\times$", fontsize=10, color=INK)
        _box(ax, (value_x, y), (0.54, box_h), rf"$\mathbf{{v}}_{i}$", VALUE, fontsize=11)
        start = np.array([value_x + 0.27, y])
        toward = np.array([sum_x, sum_y]) - start
        end = start + toward * (1 - sum_r / np.hypot(*toward))
        _arrow(ax, tuple(start), tuple(end), INK, linewidth=1.0)
    for x in (key_x, score_x, alpha_x, value_x):
        _dots(ax, (x, dots_y), vertical=True)

    softmax_top, softmax_bottom = rows[0][0] + 0.25, rows[-1][0] - 0.25
    _box(
        ax,
        (soft_x, (softmax_top + softmax_bottom) / 2),
        (0.6, softmax_top - softmax_bottom),
        "",
        INK,
        fill="white",
    )
    _text(
        ax,
        (soft_x, (softmax_top + softmax_bottom) / 2),
        r"$\div\sqrt{d}$" + "\n\nsoftmax",
        fontsize=9,
    )

    ax.add_patch(
        Circle((sum_x, sum_y), sum_r, facecolor="white", edgecolor=INK, linewidth=1.2, zorder=2)
    )
    _text(ax, (sum_x, sum_y - 0.01), r"$\Sigma$", fontsize=11)
    _box(ax, (out_x, sum_y), (0.95, 0.42), "output", INK, fill="white", fontsize=9.5, weight="bold")
    _arrow(ax, (sum_x + sum_r, sum_y), (out_x - 0.475, sum_y), INK, linewidth=1.4)
    _text(ax, (out_x, sum_y - 0.38), r"$\Sigma_i\,\alpha_i \mathbf{v}_i$", fontsize=10)
    _text(ax, (3.1, 0.12), r"weights $\alpha_i \geq 0$ sum to 1", fontsize=8, color=WEIGHT)
    return fig


# --- self-attention and cross-attention --------------------------------------------------


def _token_rows(
    ax: Axes,
    cx: float,
    top: Sequence[str],
    bottom: Sequence[str],
    focus: int,
    weights: Sequence[float],
) -> None:
    """Two rows of tokens with every top token linked to every bottom token.

    The links of the top token ``focus`` are drawn in red with widths set by ``weights``,
    the others faint.
    """
    y_top, y_bottom, w, h, step = 2.25, 0.95, 0.62, 0.32, 0.78
    top_xs = [cx + step * (k - (len(top) - 1) / 2) for k in range(len(top))]
    bottom_xs = [cx + step * (k - (len(bottom) - 1) / 2) for k in range(len(bottom))]
    for j, tx in enumerate(top_xs):
        for k, bx in enumerate(bottom_xs):
            if j == focus:
                ax.plot(
                    [bx, tx],
                    [y_bottom + h / 2, y_top - h / 2],
                    color=WEIGHT,
                    linewidth=0.6 + 4.0 * weights[k],
                    alpha=0.85,
                    solid_capstyle="round",
                    zorder=1.2,
                )
            else:
                ax.plot(
                    [bx, tx],
                    [y_bottom + h / 2, y_top - h / 2],
                    color=FAINT,
                    linewidth=0.8,
                    zorder=1,
                )
    for k, (tx, token) in enumerate(zip(top_xs, top, strict=True)):
        _box(
            ax, (tx, y_top), (w, h), token, QUERY, fontsize=9, linewidth=2.0 if k == focus else 1.2
        )
    for bx, token in zip(bottom_xs, bottom, strict=True):
        # keys and values come from the same states: a box half key blue, half value green
        box = _box(ax, (bx, y_bottom), (w, h), token, GREY, fontsize=9, fill=_tint(KEY))
        lower = Rectangle(
            (bx - w / 2, y_bottom - h / 2),
            w,
            h / 2,
            facecolor=_tint(VALUE),
            edgecolor="none",
            zorder=2.05,
        )
        ax.add_patch(lower)
        lower.set_clip_path(box)
    left = min(top_xs[0], bottom_xs[0]) - w / 2 - 0.08
    _text(ax, (left, y_top), "Q", fontsize=9.5, color=QUERY, ha="right", weight="bold")
    ax.text(
        left, y_bottom + 0.06, "K", fontsize=9.5, color=KEY, ha="right", va="center", weight="bold"
    )
    ax.text(
        left,
        y_bottom - 0.08,
        "V",
        fontsize=9.5,
        color=VALUE,
        ha="right",
        va="center",
        weight="bold",
    )


def self_vs_cross_attention_diagram() -> Figure:
    """Self-attention next to cross-attention.

    Left: in self-attention (an encoder layer) the queries, keys and values all come from
    the same sequence ``x_1 ... x_4``, so every token attends to every token of its own
    sequence. Right: in cross-attention (encoder-decoder attention) the decoder states
    give the queries while the encoder states of the source sentence give the keys and
    values. In both panels the links of one query are drawn in red, thicker for a larger
    weight.

    Returns:
        A 7.5 x 3.3 inch figure with one axes.
    """
    fig, ax = _canvas(7.5, 3.3)
    ax.plot([3.75, 3.75], [0.15, 3.15], color=FAINT, linewidth=1.0)
    seq = [f"$x_{k}$" for k in range(1, 5)]
    _text(ax, (1.9, 3.07), "Self-attention (encoder)", fontsize=10.5, weight="bold")
    _token_rows(ax, 1.9, seq, seq, focus=1, weights=[0.15, 0.45, 0.1, 0.3])
    _text(ax, (1.9, 2.65), "queries from x", fontsize=8.5, color=QUERY)
    _text(ax, (1.9, 0.56), "keys and values from the same x", fontsize=8.5, color=INK)
    _text(
        ax,
        (1.9, 0.2),
        "every token attends to every token",
        fontsize=8,
        color="#555555",
        style="italic",
    )

    _text(ax, (5.65, 3.07), "Cross-attention (encoder-decoder)", fontsize=10.5, weight="bold")
    _token_rows(
        ax,
        5.65,
        ["<bos>", "I", "love", "..."],
        [f"src{k}" for k in range(1, 5)],
        focus=2,
        weights=[0.1, 0.6, 0.15, 0.15],
    )
    _text(ax, (5.65, 2.65), "queries from the decoder (English target)", fontsize=8.5, color=QUERY)
    _text(
        ax,
        (5.65, 0.56),
        "keys and values from the encoder (Chinese source)",
        fontsize=8.5,
        color=INK,
    )
    _text(
        ax,
        (5.65, 0.2),
        "each target token looks at the whole source",
        fontsize=8,
        color="#555555",
        style="italic",
    )
    return fig


# --- Fig. 11.6.1: CNN, RNN and self-attention --------------------------------------------


def cnn_rnn_self_attention_diagram() -> Figure:
    """How a CNN, an RNN and self-attention connect a sequence (d2l Fig. 11.6.1).

    Each panel maps ``x_1 ... x_5`` (bottom) to outputs (top). The CNN has two layers of
    kernel size 3, the RNN is a chain and self-attention links every input to every output.
    The red edges trace the longest path each needs: the receptive field of the middle CNN
    output, the chain from ``x_1`` to the last RNN state and the single edge from ``x_1``
    to the last self-attention output. Titles give the maximum path lengths ``O(n/k)``,
    ``O(n)`` and ``O(1)``.

    Returns:
        A 7.5 x 3.2 inch figure with one axes.
    """
    fig, ax = _canvas(7.5, 3.2)
    n, step, r = 5, 0.44, 0.13
    centers = [1.3, 3.8, 6.3]
    titles = [
        ("CNN (kernel size k = 3)", "max path length O(n/k)"),
        ("RNN", "max path length O(n)"),
        ("Self-attention", "max path length O(1)"),
    ]
    layers = [0.45, 1.35, 2.25]

    def node(x: float, y: float, color: str, label: str = "", hot: bool = False) -> None:
        ax.add_patch(
            Circle(
                (x, y),
                r,
                facecolor=_tint(color, 0.75 if hot else 0.85),
                edgecolor=WEIGHT if hot else color,
                linewidth=1.8 if hot else 1.1,
                zorder=3,
            )
        )
        if label:
            _text(ax, (x, y), label, fontsize=8)

    def edge(p: tuple[float, float], q: tuple[float, float], hot: bool) -> None:
        # from circle edge to circle edge
        d = np.subtract(q, p)
        u = d / np.hypot(*d)
        start, end = tuple(np.add(p, r * u)), tuple(np.subtract(q, r * u))
        _arrow(
            ax,
            start,
            end,
            WEIGHT if hot else "#ABABAB",
            linewidth=1.6 if hot else 0.8,
            head=False,
            zorder=2.5 if hot else 1.0,
        )

    for k, (cx, (title, sub)) in enumerate(zip(centers, titles, strict=True)):
        xs = [cx + step * (i - (n - 1) / 2) for i in range(n)]
        _text(ax, (cx, 3.02), title, fontsize=10, weight="bold")
        _text(ax, (cx, 2.74), sub, fontsize=8.5, color=WEIGHT)
        if k == 0:  # two conv layers, each output sees 3 neighbours (zero padding at ends)
            hot = {2: {2}, 1: {1, 2, 3}, 0: {0, 1, 2, 3, 4}}
            for layer in (1, 2):
                for i in range(n):
                    for j in (i - 1, i, i + 1):
                        if 0 <= j < n:
                            is_hot = i in hot[layer] and j in hot[layer - 1]
                            edge((xs[j], layers[layer - 1]), (xs[i], layers[layer]), is_hot)
            for layer, y in enumerate(layers):
                for i, x in enumerate(xs):
                    color = KEY if layer == 0 else (QUERY if layer == 2 else GREY)
                    node(x, y, color, f"$x_{i + 1}$" if layer == 0 else "", hot=i in hot[layer])
        elif k == 1:  # a chain of hidden states
            for i, x in enumerate(xs):
                edge((x, layers[0]), (x, layers[1]), hot=i == 0)
                edge((x, layers[1]), (x, layers[2]), hot=i == n - 1)
                if i:
                    edge((xs[i - 1], layers[1]), (x, layers[1]), hot=True)
                node(x, layers[0], KEY, f"$x_{i + 1}$", hot=i == 0)
                node(x, layers[1], GREY, hot=True)
                node(x, layers[2], QUERY, hot=i == n - 1)
        else:  # every output attends to every input
            for i, x in enumerate(xs):
                for j, xj in enumerate(xs):
                    edge((xj, layers[0]), (x, layers[2]), hot=(i, j) == (n - 1, 0))
            for i, x in enumerate(xs):
                node(x, layers[0], KEY, f"$x_{i + 1}$", hot=i == 0)
                node(x, layers[2], QUERY, hot=i == n - 1)
    _text(ax, (0.04, layers[0]), "input", fontsize=7.5, color="#555555", ha="left", rotation=90)
    _text(ax, (0.04, layers[2]), "output", fontsize=7.5, color="#555555", ha="left", rotation=90)
    for x in (2.55, 5.05):
        ax.plot([x, x], [0.2, 3.1], color=FAINT, linewidth=1.0)
    return fig


# --- a dictionary and a search engine: hard and soft lookup ------------------------------


def dictionary_lookup_diagram() -> Figure:
    """Hard lookup (a dictionary) against soft lookup (attention), as a web search.

    The query "cat pictures" is scored against the key of every page (its title and
    tags); the values are the page contents. A hard lookup returns the value of the best
    match only. A soft lookup turns the scores into softmax weights and returns a blend of
    all values.

    Returns:
        A 7.5 x 3.3 inch figure with one axes.
    """
    fig, ax = _canvas(7.5, 3.3)
    pages = [
        ("A", "cats, kittens", "photos of cats"),
        ("B", "dog training", "how to train a dog"),
        ("C", "cat food", "reviews of cat food"),
    ]
    scores = np.array([2.0, -0.4, 1.3])
    weights = np.exp(scores) / np.exp(scores).sum()
    shades = ["#4F9A63", "#A7D1B1", "#7BB68A"]
    ys = [2.55, 1.65, 0.75]
    key_x, value_x = 2.5, 3.95

    q_c = (0.72, ys[1])
    _box(ax, q_c, (1.12, 0.44), '"cat pictures"', QUERY, fontsize=9, weight="bold")
    _text(ax, (q_c[0], q_c[1] + 0.36), "query", fontsize=8.5, color=QUERY)
    _text(ax, (key_x, 3.08), "key (title, tags)", fontsize=8.5, color=KEY)
    _text(ax, (value_x, 3.08), "value (content)", fontsize=8.5, color=VALUE)
    for (name, key, value), score, weight, y in zip(pages, scores, weights, ys, strict=True):
        _box(ax, (key_x, y), (1.2, 0.4), key, KEY, fontsize=8.5)
        _box(ax, (value_x, y), (1.45, 0.4), f"{name}: {value}", VALUE, fontsize=8)
        best = score == scores.max()
        _arrow(
            ax,
            (q_c[0] + 0.56, q_c[1]),
            (key_x - 0.6, y),
            QUERY if best else FAINT,
            linewidth=0.8 + 3.0 * weight,
            head=False,
        )
        _text(ax, (key_x, y - 0.3), f"score {score:+.1f}", fontsize=8, color=WEIGHT)
    ax.plot([4.95, 4.95], [0.25, 3.15], color=FAINT, linewidth=1.0)

    # hard lookup: the best key wins and its value is returned unchanged
    _text(ax, (6.2, 3.08), "Hard lookup (dictionary)", fontsize=9.5, weight="bold")
    _text(ax, (6.2, 2.83), "return the value of the best key", fontsize=8, color="#555555")
    _box(ax, (6.2, 2.38), (1.55, 0.38), "A: photos of cats", VALUE, fontsize=8.5)
    _arrow(ax, (value_x + 0.725, ys[0]), (6.2 - 0.775, 2.38), INK, linewidth=1.2)

    # soft lookup: every value, weighted by the softmax of the scores
    _text(ax, (6.2, 1.62), "Soft lookup (attention)", fontsize=9.5, weight="bold")
    _text(ax, (6.2, 1.37), "blend all values by softmax weights", fontsize=8, color="#555555")
    x0, width, y_bar = 5.35, 1.7, 0.92
    for (name, _, _), weight, shade in zip(pages, weights, shades, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x0, y_bar - 0.17),
                width * weight,
                0.34,
                boxstyle="square,pad=0",
                facecolor=shade,
                edgecolor="white",
                linewidth=1.5,
                zorder=2,
            )
        )
        if weight > 0.15:
            _text(
                ax,
                (x0 + width * weight / 2, y_bar),
                name,
                fontsize=8.5,
                color="white",
                weight="bold",
            )
        x0 += width * weight
    blend = " + ".join(f"{w:.2f} {name}" for (name, _, _), w in zip(pages, weights, strict=True))
    _text(ax, (6.2, y_bar - 0.36), blend, fontsize=8, color=WEIGHT)
    for y in ys:
        _arrow(ax, (value_x + 0.725, y), (5.3, y_bar), GREY, linewidth=0.9)
    return fig
