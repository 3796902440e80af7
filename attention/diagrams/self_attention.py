"""Diagrams of the chapter "Self-attention": Q, K and V from one X, self- against cross-attention,
the causal mask, multi-head attention, positional encoding as clocks, and CNN, RNN and
self-attention compared."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Arc, Rectangle

from attention.diagrams import draw
from attention.i18n import pick
from attention.masking import causal_valid_lens, masked_softmax
from attention.positional import PositionalEncoding
from attention.style import FAINT, GREY, INK, KEY, MUTED, PAPER, QUERY, VALUE, WEIGHT


def _labels(ax: Axes, labels: Sequence[tuple[draw.Point, str, str, float]], **kw: object) -> None:
    """Text at each ``(position, words, colour, size)`` of ``labels`` (``kw`` for all of them)."""
    for xy, words, color, size in labels:
        draw.text(ax, xy, words, size=size, color=color, **kw)


@draw.diagram
def qkv_projection_diagram() -> Figure:
    """Self-attention from one input: ``X`` -> ``W_q, W_k, W_v`` -> ``Q, K, V`` -> ``Y``.

    The ``n`` input vectors (rows of ``X``, ``n x d``) are multiplied by three learned
    matrices into queries and keys (``n x d_k``) and values (``n x d_v``); the ``n x n``
    weights ``softmax(QK^T / sqrt(d_k))`` average the values into the output ``Y``
    (``n x d_v``), one vector per input vector. Every box carries its shape.

    Returns:
        A 7.5 x 3.0 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 3.0)
    ys, x_x, w_x, qkv_x, a_x, y_x = (2.15, 1.4, 0.65), 0.55, 1.95, 3.35, 5.0, 6.85
    draw.box(ax, (x_x, 1.4), (0.6, 1.5), "$X$", GREY, text_size=12)
    roles = [("q", "Q", "d_k", QUERY), ("k", "K", "d_k", KEY), ("v", "V", "d_v", VALUE)]
    for y, (sub, name, size, color) in zip(ys, roles, strict=True):
        draw.arrow(ax, (x_x + 0.3, 1.4 + (y - 1.4) / 3), (w_x - 0.35, y), GREY)
        draw.box(ax, (w_x, y), (0.7, 0.36), f"$W_{sub}$", color, fill=draw.tint(GREY), text_size=10)
        draw.text(ax, (w_x, y - 0.3), rf"$d \times {size}$", size=8, color=MUTED)
        draw.arrow(ax, (w_x + 0.35, y), (qkv_x - 0.3, y), color)
        draw.box(ax, (qkv_x, y), (0.6, 0.36), f"${name}$", color, text_size=11)
        draw.text(ax, (qkv_x, y - 0.3), rf"$n \times {size}$", size=8, color=MUTED)
    a_y = (ys[0] + ys[1]) / 2
    for y in ys[:2]:
        draw.arrow(ax, (qkv_x + 0.3, y), (a_x - 0.8, a_y + (y - a_y) / 4), INK)
    softmax = r"$\mathrm{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right)$"
    draw.box(ax, (a_x, a_y), (1.6, 0.55), softmax, WEIGHT, text_size=10)
    draw.text(ax, (a_x, a_y - 0.44), r"$A:\ n \times n$", size=8, color=MUTED)
    draw.arrow(ax, (a_x + 0.8, a_y), (y_x - 0.3, 1.52), WEIGHT)
    draw.arrow(ax, (qkv_x + 0.3, ys[2]), (y_x - 0.3, 1.28), VALUE)
    draw.text(ax, ((a_x + y_x) / 2 + 0.3, 1.4), "$AV$", size=9)
    draw.box(ax, (y_x, 1.4), (0.6, 0.6), "$Y$", INK, text_size=12)
    draw.text(ax, (y_x, 0.92), r"$n \times d_v$", size=8, color=MUTED)
    draw.text(ax, (x_x, 0.48), r"$n \times d$", size=8, color=MUTED)
    headers = [
        (x_x, pick("input", "输入")),
        (w_x, pick("learned\nprojections", "可学习的投影")),
        (qkv_x, pick("queries, keys,\nvalues", "查询、键、值")),
        (a_x, pick("attention\nweights", "注意力权重")),
        (y_x, pick("output", "输出")),
    ]
    _labels(ax, [((x, 2.72), words, INK, 9) for x, words in headers], weight="bold")
    caption = pick(
        "Q, K and V all come from the same X; each row of A sums to 1",
        "Q、K、V 都来自同一个 X；A 的每一行之和为 1",
    )
    draw.text(ax, (3.75, 0.1), caption, size=8, color=MUTED, style="italic")
    return fig


def _sliced(ax: Axes, x: float, ys: Sequence[float], height: float, color: str) -> None:
    """A column of ``len(ys)`` stacked slices of ``height`` centred at ``(x, ys[i])``."""
    for y in ys:
        draw.bar(ax, (x - 0.14, y - height / 2), (0.28, height), draw.tint(color), edgecolor=color,
            linewidth=1.0)  # fmt: skip


@draw.diagram
def multihead_attention_diagram(num_heads: int = 4) -> Figure:
    """Multi-head attention in five steps: project, split, attend per head, concatenate, mix.

    One ``Linear`` each projects ``X`` (``n x d``) to ``Q, K, V``; each is cut into ``h`` slices
    of width ``d/h``; head ``i`` runs scaled dot-product attention on slice ``i`` of ``Q``,
    ``K`` and ``V`` (``n x d/h``); the ``h`` outputs are concatenated back to ``n x d`` and
    mixed by ``W_o``.

    Args:
        num_heads: How many heads to draw (2 to 6).

    Returns:
        A 7.5 x 3.3 inch figure with one axes.

    Raises:
        ValueError: ``num_heads`` is not an int from 2 to 6.
    """
    if not isinstance(num_heads, int) or not 2 <= num_heads <= 6:
        raise ValueError(f"num_heads: expected an int from 2 to 6, got {num_heads!r}")
    fig, ax = draw.canvas(7.5, 3.3)
    top, bottom = 2.7, 0.55
    step = (top - bottom) / num_heads
    ys = [top - step * (i + 0.5) for i in range(num_heads)]
    mid = (top + bottom) / 2
    x_x, proj_x, qkv_xs, head_x, cat_x, o_x, y_x = 0.4, 1.3, (2.3, 2.65, 3.0), 4.05, 5.2, 6.0, 6.95

    draw.box(ax, (x_x, mid), (0.5, top - bottom), "$X$", GREY, text_size=12)
    draw.arrow(ax, (x_x + 0.25, mid), (proj_x - 0.35, mid), GREY)
    draw.box(ax, (proj_x, mid), (0.7, 1.3), "$W_q$\n\n$W_k$\n\n$W_v$", GREY, text_size=10)
    draw.arrow(ax, (proj_x + 0.35, mid), (qkv_xs[0] - 0.2, mid), GREY)
    for x, name, color in zip(qkv_xs, "QKV", (QUERY, KEY, VALUE), strict=True):
        _sliced(ax, x, ys, step, color)
        draw.text(ax, (x, top + 0.14), f"${name}$", size=10, color=color)
    for i, y in enumerate(ys, start=1):
        draw.arrow(ax, (qkv_xs[-1] + 0.14, y), (head_x - 0.45, y), INK)
        draw.box(ax, (head_x, y), (0.9, step * 0.7), pick(f"head {i}", f"头 {i}"), WEIGHT,
            text_size=8.5)  # fmt: skip
        draw.arrow(ax, (head_x + 0.45, y), (cat_x - 0.14, y), INK)
    _sliced(ax, cat_x, ys, step, VALUE)
    draw.arrow(ax, (cat_x + 0.14, mid), (o_x - 0.3, mid), INK)
    draw.box(ax, (o_x, mid), (0.6, 0.5), "$W_o$", GREY, text_size=11)
    draw.arrow(ax, (o_x + 0.3, mid), (y_x - 0.3, mid), INK)
    draw.box(ax, (y_x, mid), (0.6, 0.6), "$Y$", INK, text_size=12)

    headers = [
        (proj_x, pick("1 project", "1 投影")),
        (qkv_xs[1], pick("2 split", "2 拆分")),
        (head_x, pick("3 attend", "3 注意力")),
        (cat_x, pick("4 concat", "4 拼接")),
        (o_x, pick("5 mix", "5 混合")),
        (y_x, pick("output", "输出")),
    ]
    _labels(ax, [((x, 3.15), words, INK, 9) for x, words in headers], weight="bold")
    shapes = [
        (x_x, r"$n \times d$"),
        (qkv_xs[1], r"$h$ $\times$ $(n \times d/h)$"),
        (head_x, r"$n \times d/h$"),
        (cat_x, r"$n \times d$"),
        (o_x, r"$d \times d$"),
        (y_x, r"$n \times d$"),
    ]
    _labels(ax, [((x, 0.34), words, MUTED, 8) for x, words in shapes])
    note = pick(
        f"h = {num_heads} heads: head i attends with slice i of Q, K and V",
        f"h = {num_heads} 个头：第 i 个头用 Q、K、V 的第 i 片做注意力",
    )
    draw.text(ax, (3.75, 0.1), note, size=8, color=MUTED, style="italic")
    return fig


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
            hot = j == focus
            width = 0.6 + 4.0 * weights[k] if hot else 0.8
            draw.line(ax, [bx, tx], [y_bottom + h / 2, y_top - h / 2], WEIGHT if hot else FAINT,
                 width, zorder=1.2 if hot else 1)  # fmt: skip
    for k, (tx, token) in enumerate(zip(top_xs, top, strict=True)):
        draw.box(
            ax, (tx, y_top), (w, h), token, QUERY, text_size=9, linewidth=2 if k == focus else 1.2
        )
    for bx, token in zip(bottom_xs, bottom, strict=True):
        # keys and values come from the same states: a box half key blue, half value green
        outline = draw.box(
            ax, (bx, y_bottom), (w, h), token, GREY, fill=draw.tint(KEY), text_size=9
        )
        lower = Rectangle((bx - w / 2, y_bottom - h / 2), w, h / 2, facecolor=draw.tint(VALUE),
                          edgecolor="none", zorder=2.05)  # fmt: skip
        ax.add_patch(lower)
        lower.set_clip_path(outline)
    left = min(top_xs[0], bottom_xs[0]) - w / 2 - 0.08
    letters = [((left, y_top), "Q", QUERY, 9.5), ((left, y_bottom + 0.06), "K", KEY, 9.5),
               ((left, y_bottom - 0.08), "V", VALUE, 9.5)]  # fmt: skip
    _labels(ax, letters, ha="right", weight="bold")


@draw.diagram
def self_vs_cross_attention_diagram() -> Figure:
    """Self-attention next to cross-attention.

    Left: in self-attention (an encoder layer) the queries, keys and values all come from
    the same sequence ``x_1 ... x_4``, so every token attends to every token of its own
    sequence. Right: in cross-attention (encoder-decoder attention) the decoder states
    of "<bos> I love" give the queries while the encoder states of the source sentence
    我 爱 深度 学习 give the keys and values. In both panels the links of one query are drawn
    in red, thicker for a larger weight: on the right, the query at "love", which writes the
    next word "deep", weighs 深度 most.

    Returns:
        A 7.5 x 3.3 inch figure with one axes.
    """
    fig, ax = draw.canvas(7.5, 3.3)
    draw.separators(ax, [3.75], 0.15, 3.15)
    seq = [f"$x_{k}$" for k in range(1, 5)]
    _token_rows(ax, 1.9, seq, seq, focus=1, weights=[0.15, 0.45, 0.1, 0.3])
    target = ["<bos>", "I", "love", "..."]
    source = ["我", "爱", "深度", "学习"]  # the source sentence, in Chinese in both languages
    _token_rows(ax, 5.65, target, source, focus=2, weights=[0.1, 0.15, 0.6, 0.15])
    for cx, title, queries, keys, note in [
        (1.9, pick("Self-attention (encoder)", "自注意力（编码器）"),
         pick("queries from x", "查询来自 x"),
         pick("keys and values from the same x", "键和值来自同一个 x"),
         pick("every token attends to every token", "每个词元都关注所有词元")),
        (5.65, pick("Cross-attention (encoder-decoder)", "交叉注意力（编码器-解码器）"),
         pick("queries from the decoder (English target)", "查询来自解码器（英文目标句）"),
         pick("keys and values from the encoder (Chinese source)", "键和值来自编码器（中文源句）"),
         pick("each target token looks at the whole source", "每个目标词元都看整个源句")),
    ]:  # fmt: skip
        draw.text(ax, (cx, 3.07), title, size=10.5, weight="bold")
        _labels(ax, [((cx, 2.65), queries, QUERY, 8.5), ((cx, 0.56), keys, INK, 8.5)])
        draw.text(ax, (cx, 0.2), note, size=8, color=MUTED, style="italic")
    return fig


@draw.diagram
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
    fig, ax = draw.canvas(7.5, 3.2)
    n, step, r = 5, 0.44, 0.13
    layers = [0.45, 1.35, 2.25]
    roles = [KEY, GREY, QUERY]  # inputs, hidden states, outputs
    path = pick("max path length", "最大路径长度")
    panels = [
        (1.3, pick("CNN (kernel size k = 3)", "CNN（卷积核大小 k = 3）"), "O(n/k)"),
        (3.8, "RNN", "O(n)"),
        (6.3, pick("Self-attention", "自注意力"), "O(1)"),
    ]

    def node(x: float, layer: int, hot: bool) -> None:
        color = roles[layer]
        draw.circle(ax, (x, layers[layer]), r, WEIGHT if hot else color, fill=draw.tint(color),
               linewidth=1.8 if hot else 1.1)  # fmt: skip

    def edge(p: draw.Point, q: draw.Point, hot: bool) -> None:
        u = np.subtract(q, p) / np.hypot(*np.subtract(q, p))  # from circle edge to circle edge
        start, end = tuple(np.add(p, r * u)), tuple(np.subtract(q, r * u))
        draw.arrow(ax, start, end, WEIGHT if hot else FAINT, linewidth=1.6 if hot else 0.8,
              head=False, zorder=2.5 if hot else 1.0)  # fmt: skip

    for k, (cx, title, order) in enumerate(panels):
        xs = [cx + step * (i - (n - 1) / 2) for i in range(n)]
        draw.text(ax, (cx, 3.02), title, size=10, weight="bold")
        draw.text(ax, (cx, 2.74), f"{path} {order}", color=WEIGHT)
        if k == 0:  # two conv layers, each output sees 3 neighbours (zero padding at ends)
            hot = [{0, 1, 2, 3, 4}, {1, 2, 3}, {2}]
            for layer in (1, 2):
                for i in range(n):
                    for j in range(max(i - 1, 0), min(i + 2, n)):
                        is_hot = i in hot[layer] and j in hot[layer - 1]
                        edge((xs[j], layers[layer - 1]), (xs[i], layers[layer]), is_hot)
        elif k == 1:  # a chain of hidden states
            hot = [{0}, set(range(n)), {n - 1}]
            for i, x in enumerate(xs):
                edge((x, layers[0]), (x, layers[1]), hot=i == 0)
                edge((x, layers[1]), (x, layers[2]), hot=i == n - 1)
                if i:
                    edge((xs[i - 1], layers[1]), (x, layers[1]), hot=True)
        else:  # every output attends to every input
            hot = [{0}, set(), {n - 1}]
            for i, x in enumerate(xs):
                for j, xj in enumerate(xs):
                    edge((xj, layers[0]), (x, layers[2]), hot=(i, j) == (n - 1, 0))
        for layer in range(3) if k < 2 else (0, 2):
            for i, x in enumerate(xs):
                node(x, layer, hot=i in hot[layer])
        for i, x in enumerate(xs):
            draw.text(ax, (x, layers[0]), f"$x_{i + 1}$", size=8)
    sides = [((0.04, layers[0]), pick("input", "输入"), MUTED, 7.5),
             ((0.04, layers[2]), pick("output", "输出"), MUTED, 7.5)]  # fmt: skip
    _labels(ax, sides, ha="left", rotation=90)
    draw.separators(ax, [2.55, 5.05], 0.2, 3.1)
    return fig


CAUSAL_TOKENS = ("<bos>", "I", "love", "deep", "learning")


def causal_weights(n: int, seed: int = 0) -> torch.Tensor:
    """The weights of ``causal_mask_diagram``: ``masked_softmax`` of standard normal scores
    (a private generator seeded with ``seed``) under ``causal_valid_lens(n)``, shape ``(n, n)``."""
    scores = torch.randn(1, n, n, generator=torch.Generator().manual_seed(seed))
    return masked_softmax(scores, causal_valid_lens(n))[0]


@draw.diagram
def causal_mask_diagram(tokens: Sequence[str] = CAUSAL_TOKENS, seed: int = 0) -> Figure:
    """The causal (look-ahead) mask of a decoder attending to its own tokens.

    One row per query, one column per key: query ``t`` sees the keys ``1..t`` (its valid length,
    ``causal_valid_lens``, written beside the row) and never a later token (a dashed cell with
    a cross). The cells hold the weights ``masked_softmax`` gives random scores under that mask
    (``causal_weights``): lower-triangular, each row summing to 1, exactly 0 above the
    diagonal. A cell's shade is its weight.

    Args:
        tokens: The sequence, 2 to 6 tokens of at most 8 characters.
        seed: Seed of the scores.

    Returns:
        A 5.2 x 3.45 inch figure with one axes.

    Raises:
        ValueError: ``tokens`` does not hold 2 to 6 strings of 1 to 8 characters.
    """
    tokens = list(tokens)
    if not 2 <= len(tokens) <= 6 or not all(
        isinstance(t, str) and 1 <= len(t) <= 8 for t in tokens
    ):
        raise ValueError(
            f"tokens: expected 2 to 6 strings of 1 to 8 characters, got {tokens!r:.100}"
        )
    n = len(tokens)
    weights = causal_weights(n, seed)
    lens = causal_valid_lens(n)[0].tolist()
    fig, ax = draw.canvas(5.2, 3.45)
    cell, top, x0 = 0.5, 2.9, 1.0
    xs = [x0 + cell * (j + 0.5) for j in range(n)]
    ys = [top - cell * (i + 0.5) for i in range(n)]
    title = pick("masked softmax weights under the causal mask", "因果掩码下的掩蔽 softmax 权重")
    draw.text(ax, (x0 + cell * n / 2, 3.3), title, size=9.5, weight="bold")
    for x, token in zip(xs, tokens, strict=True):  # keys along the top
        draw.text(ax, (x, top + 0.14), token, size=7.5, color=KEY)
    draw.text(ax, (x0 - 0.08, top + 0.14), pick("query \\ key", "查询 \\ 键"), size=7,
        color=MUTED, ha="right")  # fmt: skip
    for i, (y, token) in enumerate(zip(ys, tokens, strict=True)):  # queries down the side
        draw.text(ax, (x0 - 0.08, y), token, size=7.5, color=QUERY, ha="right")
        for j, x in enumerate(xs):
            if j < lens[i]:
                words = f"{weights[i, j].item():.2f}"
                draw.weight_cell(ax, (x, y), (cell - 0.04, cell - 0.04),
                    weights[i, j].item() / weights.max().item(), words)  # fmt: skip
            else:  # a later token: masked, weight exactly 0
                corner, side = (x - cell / 2 + 0.04, y - cell / 2 + 0.04), cell - 0.08
                draw.bar(ax, corner, (side, side), "none", edgecolor=FAINT, linewidth=0.8,
                    linestyle=(0, (2, 2)))  # fmt: skip
                draw.text(ax, (x, y), r"$\times$", color=MUTED)
        draw.text(ax, (x0 + cell * n + 0.55, y), str(lens[i]), size=9, weight="bold")
    draw.text(ax, (x0 + cell * n + 0.55, top + 0.14), pick("valid length", "有效长度"), size=7,
        color=MUTED)  # fmt: skip
    note = pick(
        "query t sees keys 1 to t: no token looks ahead (\u00d7: weight exactly 0)",
        "查询 t 只看第 1 到第 t 个键：没有词元能偷看后面（\u00d7：权重恰好为 0）",
    )
    draw.text(ax, (2.6, 0.17), note, size=8, color=MUTED, style="italic")
    return fig


@draw.diagram
def positional_clock_diagram(
    d: int = 64, pairs: Sequence[int] = (0, 2, 4, 8), position: int = 1, offset: int = 5
) -> Figure:
    """Positional encoding as clocks: one hand per column pair, turning as the position grows.

    Pair ``j`` of the code of position ``i`` is the point ``(cos iω_j, sin iω_j)`` = columns
    ``(2j+1, 2j)`` of ``PositionalEncoding(d).P``: a hand on a unit circle at angle ``iω_j``.
    Each clock shows the positions ``0..11`` as dots, the hand of ``position`` and the hand of
    ``position + offset``; the arc between them is the turn ``offset * ω_j``, the same whatever
    the position, which is why a shift is one fixed rotation (a linear map) of the code.

    Args:
        d: Size of the code (even, 8 to 512).
        pairs: 1 to 4 column pairs, each in ``0 .. d/2 - 1``.
        position: The position ``i`` drawn, 0 to 50.
        offset: The shift ``δ`` drawn, 1 to 50.

    Returns:
        A 4.2 x 3.8 inch figure with one axes.

    Raises:
        ValueError: An argument outside the ranges above.
    """
    pairs = list(pairs)
    if isinstance(d, bool) or not isinstance(d, int) or d % 2 or not 8 <= d <= 512:
        raise ValueError(f"d: expected an even int from 8 to 512, got {d!r}")
    if not 1 <= len(pairs) <= 4 or not all(isinstance(j, int) and 0 <= j < d // 2 for j in pairs):
        raise ValueError(f"pairs: expected 1 to 4 ints in 0..{d // 2 - 1}, got {pairs!r:.80}")
    for name, value, low in (("position", position, 0), ("offset", offset, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 50:
            raise ValueError(f"{name}: expected an int from {low} to 50, got {value!r}")
    P = PositionalEncoding(d, max_len=position + offset + 12).P[0]  # (positions, d)
    fig, ax = draw.canvas(4.2, 3.8)  # a 2 x 2 grid of clocks: narrow enough for a phone
    radius = 0.5
    for k, j in enumerate(pairs):
        cx, cy = 1.05 + 2.1 * (k % 2), 2.95 - 1.55 * (k // 2)
        omega = 1 / 10000 ** (2 * j / d)
        draw.circle(ax, (cx, cy), radius, FAINT, fill=PAPER, linewidth=1.0, zorder=1)
        rim = P[:12, [2 * j + 1, 2 * j]].numpy()  # the positions 0..11 as dots on the rim
        ax.plot(cx + radius * rim[:, 0], cy + radius * rim[:, 1], "o", color=GREY, markersize=3.5,
            zorder=2)  # fmt: skip
        start, end = position, position + offset
        for i, color in ((start, QUERY), (end, KEY)):
            x, y = P[i, 2 * j + 1].item(), P[i, 2 * j].item()
            draw.arrow(ax, (cx, cy), (cx + radius * x, cy + radius * y), color, linewidth=2.0,
                zorder=3)  # fmt: skip
        turn = np.degrees(offset * omega) % 360
        a0 = np.degrees(start * omega) % 360
        ax.add_patch(Arc((cx, cy), 0.7 * radius, 0.7 * radius, theta1=a0, theta2=a0 + turn,
            color=WEIGHT, linewidth=1.4, zorder=2.5))  # fmt: skip
        draw.circle(ax, (cx, cy), 0.035, INK, fill=INK, zorder=4)
        title = pick(f"pair j = {j}", f"列对 j = {j}") + f", ω = {omega:.3g}"
        draw.text(ax, (cx, cy + radius + 0.17), title, size=8.5, weight="bold")
        turned = pick(f"{offset} steps turn it {turn:.0f}°", f"移动 {offset} 步转 {turn:.0f}°")
        draw.text(ax, (cx, cy - radius - 0.15), turned, size=8, color=WEIGHT)
    legend = [
        (0.25, 0.45, pick(f"position i = {position}", f"位置 i = {position}"), QUERY),
        (2.2, 0.45, pick(f"position i + {offset} = {position + offset}",
                         f"位置 i + {offset} = {position + offset}"), KEY),
    ]  # fmt: skip
    for x, y, words, color in legend:
        draw.line(ax, [x, x + 0.25], [y, y], color, 2.0)
        draw.text(ax, (x + 0.33, y), words, size=8, color=color, ha="left")
    ax.plot([0.375], [0.18], "o", color=GREY, markersize=3.5)
    draw.text(ax, (0.58, 0.18), pick("positions 0 to 11", "位置 0 到 11"), size=8, color=GREY,
        ha="left")  # fmt: skip
    return fig
