"""Diagrams of the chapter "Attention cues": the two kinds of cues and attention pooling."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from attention.diagrams import draw
from attention.i18n import pick
from attention.style import GREY, INK, KEY, MUTED, PANEL, PAPER, QUERY, VALUE, WEIGHT


@draw.diagram
def cue_diagram() -> Figure:
    """Nonvolitional and volitional cues (d2l Fig. 10.1.1 and 10.1.2), side by side.

    Five objects lie on a desk: a newspaper, a research paper, a coffee cup, a notebook and
    a book. On the left only the cup is red, and its salience alone pulls the eye to it
    (a nonvolitional cue). On the right every object is grey and the eye goes to the book
    because the viewer wants to read (a volitional cue).

    Returns:
        A 7.5 x 3.2 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 3.2)
    names = [
        pick("newspaper", "报纸"),
        pick("paper", "论文"),
        pick("coffee", "咖啡"),
        pick("notebook", "笔记本"),
        pick("book", "书"),
    ]
    panels = [  # centre, title, the object looked at, caption, whether the cue is volitional
        (1.85, pick("Nonvolitional cue", "非自主性提示"), 2, pick(
            "the red cup stands out:\nsalience grabs attention",
            "红色的杯子最显眼：\n显眼程度吸引注意力",
        ), False),
        (5.65, pick("Volitional cue", "自主性提示"), 4, pick(
            "the viewer wants to read:\nintent directs attention",
            "观察者想读书：\n意图引导注意力",
        ), True),
    ]  # fmt: skip
    draw.separators(ax, [3.75], 0.15, 3.05)
    for cx, title, target, caption, volitional in panels:
        draw.text(ax, (cx, 3.0), title, size=10.5, weight="bold")
        xs = [cx + 0.72 * (k - 2) for k in range(5)]
        for k, (x, pictogram, name) in enumerate(zip(xs, draw.PICTOGRAMS, names, strict=True)):
            color = WEIGHT if k == target and not volitional else GREY
            pictogram(ax, x, 2.15, color, draw.tint(color))
            draw.text(ax, (x, 2.64), name, size=8, color=WEIGHT if color == WEIGHT else MUTED)
        if not volitional:  # salience lines around the red cup
            for a in np.deg2rad([150, 120, 60, 30]):
                ends = np.array([0.3, 0.38])
                draw.line(ax, xs[target] + ends * np.cos(a), 2.17 + ends * np.sin(a), WEIGHT, 1.3)
        draw.eye(ax, cx, 0.95)
        color = QUERY if volitional else WEIGHT
        end = (xs[target], 1.83 if volitional else 1.9)
        draw.arrow(ax, (cx, 1.15), end, color, linewidth=2.0, rad=0.3 if volitional else 0.0)
        if volitional:  # a thought bubble: the cue comes from inside the viewer
            bubble = pick("I want to read", "我想读书")
            draw.box(ax, (cx - 1.05, 1.35), (1.15, 0.34), bubble, QUERY, rounding=0.17,
                text_size=8, text_kw={"weight": "bold"})  # fmt: skip
            for k, r in enumerate((0.045, 0.03)):
                draw.circle(ax, (cx - 0.57 + 0.17 * k, 1.12 - 0.07 * k), r, QUERY, linewidth=1.0)
        draw.text(ax, (cx, 0.37), caption, size=8, color=MUTED, style="italic")
    return fig


@draw.diagram
def attention_pooling_diagram() -> Figure:
    """Queries, keys and values meet in attention pooling (d2l Fig. 10.1.3).

    The query (the volitional cue) is compared with every key (the nonvolitional cues);
    the comparison gives one attention weight per key, and attention pooling returns the
    values (the sensory inputs paired with the keys) averaged with those weights.

    Returns:
        A 7.0 x 3.3 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.0, 3.3)
    (px, py), pool_w, pool_h = (3.0, 1.72), 4.7, 0.8
    top, bottom, right = py + pool_h / 2, py - pool_h / 2, px + pool_w / 2
    draw.box(ax, (px, py), (pool_w, pool_h), color=INK, fill=PANEL, rounding=0.1)
    query = pick("Query (volitional cue)", "查询（自主性提示）")
    draw.box(ax, (px, 2.93), (2.2, 0.42), query, QUERY, text_size=9)
    draw.arrow(ax, (px, 2.72), (px, top), QUERY, linewidth=1.6)

    weights = [0.12, 0.55, 0.23, 0.10]
    for i, (x, wt) in enumerate(zip([1.35, 2.45, 3.55, 4.65], weights, strict=True), start=1):
        kx, vx, y = x - 0.24, x + 0.24, 0.62
        draw.box(ax, (x, y), (1.0, 0.5), color=GREY, fill=PAPER, linestyle=(0, (3, 2)),
            linewidth=0.8, rounding=0.08, zorder=1)  # fmt: skip
        for cx, name, color in ((kx, "k", KEY), (vx, "v", VALUE)):  # a key-value pair
            draw.box(ax, (cx, y), (0.38, 0.32), f"${name}_{i}$", color, text_size=10)
            draw.arrow(ax, (cx, y + 0.16), (cx, bottom), color)
        height = 0.5 * wt / max(weights)
        draw.bar(ax, (kx - 0.1, bottom + 0.1), (0.2, height), WEIGHT)
        draw.text(ax, (kx, bottom + 0.18 + height), rf"$\alpha_{i}$", size=9, color=WEIGHT)

    out_x = 6.45
    draw.arrow(ax, (right, py), (out_x - 0.45, py), INK, linewidth=1.6)
    draw.box(ax, (out_x, py), (0.9, 0.42), pick("Output", "输出"), INK, text_size=9.5,
        text_kw={"weight": "bold"})  # fmt: skip
    labels = [  # position, words, colour, size, alignment, weight
        ((px - pool_w / 2 + 0.1, top + 0.12), pick("Attention pooling", "注意力汇聚"), INK, 10,
         "left", "bold"),
        ((1.65, 0.12), pick("keys = nonvolitional cues", "键 = 非自主性提示"), KEY, 8.5,
         "center", "normal"),
        ((4.35, 0.12), pick("values = sensory inputs", "值 = 感官输入"), VALUE, 8.5,
         "center", "normal"),
        ((right + 0.06, top + 0.12), pick("weights: query vs. each key", "权重：查询与每个键比较"),
         WEIGHT, 8, "right", "normal"),
        (((right + out_x - 0.45) / 2, py + 0.2), r"$\Sigma_i\,\alpha_i v_i$", INK, 10,
         "center", "normal"),
    ]  # fmt: skip
    for xy, words, color, size, ha, weight in labels:
        draw.text(ax, xy, words, size=size, color=color, ha=ha, weight=weight)
    return fig
