"""Diagrams of the chapter "Queries, keys and values": hard and soft lookup, the three stages, and
the chapter's example worked by hand."""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from attention.diagrams import draw
from attention.i18n import pick
from attention.scoring import DotProductAttention
from attention.style import FAINT, GREY, INK, KEY, MUTED, PANEL, PAPER, QUERY, VALUE, WEIGHT


@draw.diagram
def dictionary_lookup_diagram() -> Figure:
    """Hard lookup (a dictionary) against soft lookup (attention), as a web search.

    The query "cat pictures" is scored against the key of every page (its title and
    tags); the values are the page contents. A hard lookup returns the value of the best
    match only. A soft lookup turns the scores into softmax weights and returns a blend of
    all values.

    Returns:
        A 7.5 x 3.3 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 3.3)
    pages = [  # name, key, value
        ("A", pick("cats, kittens", "猫、小猫"), pick("photos of cats", "猫的照片")),
        ("B", pick("dog training", "训狗"), pick("how to train a dog", "如何训练狗")),
        ("C", pick("cat food", "猫粮"), pick("reviews of cat food", "猫粮测评")),
    ]
    scores = np.array([2.0, -0.4, 1.3])
    weights = np.exp(scores) / np.exp(scores).sum()
    ys = [2.55, 1.65, 0.75]
    key_x, value_x, result_x = 2.5, 3.95, 6.2

    q_x, q_y = 0.72, ys[1]
    draw.box(ax, (q_x, q_y), (1.12, 0.44), pick('"cat pictures"', "“猫的图片”"), QUERY, text_size=9,
        text_kw={"weight": "bold"})  # fmt: skip
    for (name, key, value), score, weight, y in zip(pages, scores, weights, ys, strict=True):
        draw.box(ax, (key_x, y), (1.2, 0.4), key, KEY)
        draw.box(ax, (value_x, y), (1.45, 0.4), f"{name}: {value}", VALUE, text_size=8)
        best = score == scores.max()
        draw.arrow(ax, (q_x + 0.56, q_y), (key_x - 0.6, y), QUERY if best else FAINT,
              linewidth=0.8 + 3.0 * weight, head=False)  # fmt: skip
        draw.text(
            ax, (key_x, y - 0.3), pick("score", "分数") + f" {score:+.1f}", size=8, color=WEIGHT
        )
    draw.separators(ax, [4.95], 0.25, 3.15)

    # hard lookup: the best key wins and its value is returned unchanged
    first = f"{pages[0][0]}: {pages[0][2]}"
    draw.box(ax, (result_x, 2.38), (1.55, 0.38), first, VALUE)
    draw.arrow(ax, (value_x + 0.725, ys[0]), (result_x - 0.775, 2.38), INK)

    # soft lookup: every value, weighted by the softmax of the scores
    x0, width, y_bar = 5.35, 1.7, 0.92
    for (name, _, _), weight in zip(pages, weights, strict=True):
        draw.bar(ax, (x0, y_bar - 0.17), (width * weight, 0.34), draw.tint(VALUE), edgecolor=VALUE)
        if weight > 0.15:
            draw.text(ax, (x0 + width * weight / 2, y_bar), name, color=INK, weight="bold")
        x0 += width * weight
    for y in ys:
        draw.arrow(ax, (value_x + 0.725, y), (5.3, y_bar), GREY, linewidth=0.9)
    blend = " + ".join(f"{w:.2f} {name}" for (name, _, _), w in zip(pages, weights, strict=True))
    labels = [  # position, words, colour, size, weight
        ((q_x, q_y + 0.36), pick("query", "查询"), QUERY, 8.5, "normal"),
        ((key_x, 3.08), pick("key (title, tags)", "键（标题、标签）"), KEY, 8.5, "normal"),
        ((value_x, 3.08), pick("value (content)", "值（内容）"), VALUE, 8.5, "normal"),
        ((result_x, 3.08), pick("Hard lookup (dictionary)", "硬查找（字典）"), INK, 9.5, "bold"),
        ((result_x, 2.83), pick("return the value of the best key", "返回最匹配的键的值"), MUTED, 8,
         "normal"),
        ((result_x, 1.62), pick("Soft lookup (attention)", "软查找（注意力）"), INK, 9.5, "bold"),
        ((result_x, 1.37), pick("blend all values by softmax weights", "按 softmax 权重混合所有值"),
         MUTED, 8, "normal"),
        ((result_x, y_bar - 0.36), blend, WEIGHT, 8, "normal"),
    ]  # fmt: skip
    for xy, words, color, size, weight in labels:
        draw.text(ax, xy, words, size=size, color=color, weight=weight)
    return fig


@draw.diagram
def attention_output_diagram() -> Figure:
    """How attention computes its output, in three stages (d2l Fig. 10.3.1).

    1. score: a scoring function ``a(q, k_i)`` compares the query with every key;
    2. scale + softmax: the scores become weights ``alpha_i`` that are positive and sum to 1;
    3. weighted sum: the output is ``sum_i alpha_i v_i``.

    Returns:
        A 7.5 x 3.4 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 3.4)
    rows = [(2.42, "1"), (1.72, "2"), (0.62, "m")]
    key_x, bus_x, score_x, soft_x = 0.55, 1.12, 1.85, 3.1
    alpha_x, value_x, sum_x, out_x = 4.1, 4.82, 5.85, 6.85
    box_h, (sum_y, sum_r), q_y = 0.34, (1.72, 0.17), 3.05

    bands = [
        (1.4, 2.32, pick("1  score", "1  评分")),
        (2.62, 3.58, pick("2  scale + softmax", "2  缩放 + softmax")),
        (3.78, 6.22, pick("3  weighted sum", "3  加权求和")),
    ]
    _stage_bands(ax, bands, middle=1.625, height=2.65, label_y=3.12)

    draw.box(ax, (key_x, q_y), (0.55, box_h), r"$\mathbf{q}$", QUERY, text_size=11)
    draw.line(ax, [key_x + 0.275, bus_x, bus_x], [q_y, q_y, rows[-1][0] + 0.08], QUERY, 1.4)
    for y, i in rows:
        cells = [  # centre x, width, words, colour
            (key_x, 0.55, rf"$\mathbf{{k}}_{i}$", KEY),
            (alpha_x, 0.54, rf"$\alpha_{i}$", WEIGHT),
            (value_x, 0.54, rf"$\mathbf{{v}}_{i}$", VALUE),
        ]
        for x, w, words, color in cells:
            draw.box(ax, (x, y), (w, box_h), words, color, text_size=11)
        score = rf"$a(\mathbf{{q}}, \mathbf{{k}}_{i})$"
        draw.box(ax, (score_x, y), (0.8, box_h), score, GREY, fill=PAPER, text_size=9)
        draw.arrow(
            ax, (key_x + 0.275, y - 0.06), (score_x - 0.4, y - 0.06), KEY, gap=True, zorder=1.6
        )
        draw.arrow(ax, (bus_x, y + 0.08), (score_x - 0.4, y + 0.08), QUERY, zorder=1.7)
        draw.arrow(ax, (score_x + 0.4, y), (soft_x - 0.3, y), GREY)
        draw.text(ax, ((score_x + soft_x + 0.1) / 2, y + 0.1), f"$s_{i}$", color=MUTED)
        draw.arrow(ax, (soft_x + 0.3, y), (alpha_x - 0.27, y), WEIGHT)
        draw.text(ax, ((alpha_x + value_x) / 2, y), r"$\times$", size=10)
        start = np.array([value_x + 0.27, y])
        toward = np.array([sum_x, sum_y]) - start
        end = start + toward * (1 - sum_r / np.hypot(*toward))
        draw.arrow(ax, tuple(start), tuple(end), INK, linewidth=1.0)
    for x in (key_x, score_x, alpha_x, value_x):
        draw.dots(ax, (x, 1.17), vertical=True)

    soft_top, soft_bottom = rows[0][0] + 0.25, rows[-1][0] - 0.25
    soft_y = (soft_top + soft_bottom) / 2
    draw.box(ax, (soft_x, soft_y), (0.6, soft_top - soft_bottom), r"$\div\sqrt{d}$" + "\n\nsoftmax",
        INK, text_size=9)  # fmt: skip
    draw.circle(ax, (sum_x, sum_y), sum_r, INK, zorder=2)
    draw.text(ax, (sum_x, sum_y - 0.01), r"$\Sigma$", size=11)
    draw.box(ax, (out_x, sum_y), (0.95, 0.42), pick("output", "输出"), INK, text_size=9.5,
        text_kw={"weight": "bold"})  # fmt: skip
    draw.arrow(ax, (sum_x + sum_r, sum_y), (out_x - 0.475, sum_y), INK, linewidth=1.4)
    draw.text(ax, (out_x, sum_y - 0.38), r"$\Sigma_i\,\alpha_i \mathbf{v}_i$", size=10)
    weights = pick(r"weights $\alpha_i \geq 0$ sum to 1", "权重 α ≥ 0，总和为 1")
    draw.text(ax, (3.1, 0.12), weights, size=8, color=WEIGHT)
    return fig


WORKED_QUERY = (1.0, 2.0, 0.0, 1.0)
WORKED_KEYS = ((2.0, 0.0, 1.0, 0.0), (0.0, 2.0, 1.0, 0.0), (1.0, 0.0, 0.0, -1.0))
WORKED_VALUES = ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))


SUB = "₁₂₃"  # subscripts of the three keys


def _stage_bands(
    ax: Axes, bands: list[tuple[float, float, str]], middle: float, height: float, label_y: float
) -> None:
    """The pipeline's stages as shaded bands behind the drawing, each titled above: ``bands``
    holds (left x, right x, title)."""
    for x0, x1, label in bands:
        band = ((x0 + x1) / 2, middle), (x1 - x0, height)
        draw.box(ax, *band, color=PANEL, fill=PANEL, rounding=0.08, linewidth=0, zorder=0)
        draw.text(ax, ((x0 + x1) / 2, label_y), label, size=9.5, weight="bold")


def _vector(v: Tensor) -> str:
    return "(" + ", ".join(f"{x:g}" for x in v.tolist()) + ")"


@draw.diagram
def worked_attention_diagram(
    query: Tensor | None = None, keys: Tensor | None = None, values: Tensor | None = None
) -> Figure:
    """The chapter's example worked by hand, stage by stage, with its numbers.

    One query against three keys: 1, the dot products ``q·k_i``; 2, divided by ``sqrt(d)`` and
    turned into weights by a softmax (a bar per weight); 3, the values weighted and summed into
    the output. The numbers are computed by ``DotProductAttention`` on the vectors given.

    Args:
        query: Shape ``(d,)``, d from 1 to 6; default ``WORKED_QUERY``.
        keys: Shape ``(3, d)``; default ``WORKED_KEYS``.
        values: Shape ``(3, v)``, v from 1 to 3; default ``WORKED_VALUES``.

    Returns:
        A 7.5 x 3.4 inch figure with one axes.

    Raises:
        ValueError: The shapes do not fit together or exceed the sizes above.
    """
    q = torch.tensor(WORKED_QUERY) if query is None else query.detach().float().cpu()
    K = torch.tensor(WORKED_KEYS) if keys is None else keys.detach().float().cpu()
    V = torch.tensor(WORKED_VALUES) if values is None else values.detach().float().cpu()
    if q.ndim != 1 or not 1 <= len(q) <= 6:
        raise ValueError(f"query: expected shape (d,) with d from 1 to 6, got {tuple(q.shape)}")
    if K.shape != (3, len(q)):
        raise ValueError(f"keys: expected shape (3, {len(q)}), got {tuple(K.shape)}")
    if V.ndim != 2 or len(V) != 3 or not 1 <= V.shape[1] <= 3:
        raise ValueError(f"values: expected shape (3, v) with v from 1 to 3, got {tuple(V.shape)}")
    attn = DotProductAttention()
    with torch.no_grad():
        output = attn(q[None, None], K[None], V[None])[0, 0]  # (v,)
    weights = attn.attention_weights[0, 0]  # (3,)
    scores, root = K @ q, math.sqrt(len(q))

    fig, ax = draw.canvas(7.5, 3.4)
    ys, q_y = (2.2, 1.45, 0.7), 2.85
    key_x, score_x, scaled_x, soft_x, w_x, value_x, sum_x, out_x = (
        0.72, 2.05, 2.95, 3.55, 4.3, 5.6, 6.22, 6.93
    )  # fmt: skip
    bands = [
        (1.5, 2.55, pick("1  score", "1  评分")),
        (2.65, 4.95, pick("2  scale + softmax", "2  缩放 + softmax")),
        (5.05, 6.42, pick("3  weighted sum", "3  加权求和")),
    ]
    _stage_bands(ax, bands, middle=1.55, height=2.2, label_y=3.2)
    draw.box(ax, (key_x, q_y), (1.3, 0.34), "q = " + _vector(q), QUERY, text_size=8.5)
    bus_x = 1.55
    draw.line(ax, [key_x + 0.65, bus_x, bus_x], [q_y, q_y, ys[-1] + 0.08], QUERY, 1.4)
    for i, y in enumerate(ys):
        draw.box(ax, (key_x, y), (1.3, 0.34), f"k{SUB[i]} = " + _vector(K[i]), KEY, text_size=8.5)
        draw.arrow(ax, (bus_x, y + 0.06), (score_x - 0.4, y + 0.06), QUERY, zorder=1.7)
        draw.arrow(ax, (key_x + 0.65, y - 0.06), (score_x - 0.4, y - 0.06), KEY, gap=True)
        draw.box(ax, (score_x, y), (0.8, 0.34), f"q·k{SUB[i]} = {scores[i].item():g}", GREY,
            fill=PAPER, text_size=8)  # fmt: skip
        draw.arrow(ax, (score_x + 0.4, y), (scaled_x - 0.22, y), GREY)
        draw.text(ax, (scaled_x, y), f"{scores[i].item() / root:g}", size=9)
        draw.arrow(ax, (scaled_x + 0.2, y), (soft_x - 0.2, y), GREY)
        w = weights[i].item()
        draw.bar(ax, (w_x - 0.35, y - 0.13), (0.7 * w, 0.26), draw.tint(WEIGHT), edgecolor=WEIGHT)
        draw.text(ax, (w_x - 0.3 + 0.7 * w, y), f"{w:.3f}", size=8.5, color=WEIGHT, ha="left")
        draw.text(ax, (value_x - 0.45, y), r"$\times$", size=9)
        draw.box(ax, (value_x, y), (0.62, 0.34), _vector(V[i]), VALUE, text_size=8.5)
        start = np.array([value_x + 0.31, y])
        toward = np.array([sum_x, ys[1]]) - start
        end = start + toward * (1 - 0.16 / np.hypot(*toward))
        draw.arrow(ax, tuple(start), tuple(end), INK, linewidth=1.0)
    draw.text(ax, (scaled_x, ys[0] + 0.3), f"÷ √{len(q)} = {root:g}",
        size=8, color=MUTED)  # fmt: skip
    softmax_box = (soft_x, ys[1]), (0.36, ys[0] - ys[-1] + 0.4)
    draw.box(ax, *softmax_box, "softmax", INK, text_size=8, text_kw={"rotation": 90})
    for y in ys:
        draw.arrow(ax, (soft_x + 0.18, y), (w_x - 0.37, y), WEIGHT)
    draw.circle(ax, (sum_x, ys[1]), 0.16, INK, zorder=2)
    draw.text(ax, (sum_x, ys[1] - 0.01), r"$\Sigma$", size=11)
    out = "(" + ", ".join(f"{x:.3f}" for x in output.tolist()) + ")"
    draw.arrow(ax, (sum_x + 0.16, ys[1]), (out_x - 0.53, ys[1]), INK, linewidth=1.4)
    draw.box(ax, (out_x, ys[1]), (1.06, 0.42), out, INK, text_size=8.5,
        text_kw={"weight": "bold"})  # fmt: skip
    draw.text(ax, (out_x, ys[1] + 0.38), pick("output", "输出"), size=9, weight="bold")
    draw.text(ax, (w_x + 0.2, ys[0] + 0.3), pick("weights", "权重"), size=8, color=WEIGHT)
    note = pick(
        "the weights are positive and sum to 1; the output mixes the values, mostly v₂",
        "权重为正且总和为 1；输出是值的混合，主要来自 v₂",
    )
    draw.text(ax, (3.75, 0.15), note, size=8, color=MUTED, style="italic")
    return fig
